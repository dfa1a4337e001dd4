//! Joining in a meeting by a code read aloud (`invite code`, `join --code`).
//!
//! An admin's device makes a single-use invite valid 10 minutes and a code like
//! `7-orange-lantern-harbor`: a number naming the pending code among those on the LAN, and three
//! words (24 bits) that are its password. The newcomer's device finds the admin's on the LAN
//! (mDNS), and the two run SPAKE2 (RustCrypto's `spake2`, a password-authenticated key
//! exchange) over the join protocol, bound to both devices' ids: whoever overhears the number,
//! or watches the network, learns nothing that lets them test a guess offline, and each
//! exchange tests one guess only. Each side proves it derived the same key (an HMAC over its
//! role) before anything else travels; then the admin's device sends the invite ticket over that
//! Noise-encrypted connection, the code dies, and the usual join runs. A code allows
//! [`CODE_TRIES`] exchanges: after that, or after 10 minutes, or once used, it is refused.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{KeyInit, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use spake2::{Ed25519Group, Identity, Password, Spake2};

use crate::NodeError;

/// How long a code lives.
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// How many exchanges (guesses) a code allows.
pub const CODE_TRIES: u32 = 3;
/// The setting that holds this device's pending code.
pub(crate) const SETTING: &str = "join_code";

/// The words of a code: 256, so each carries 8 bits; short, common, distinct when heard.
const WORDS: [&str; 256] = [
    "acorn", "amber", "anchor", "apple", "arrow", "aspen", "atlas", "autumn", "badge", "bagel",
    "bamboo", "banjo", "barley", "basil", "beacon", "beetle", "berry", "birch", "bison", "blossom",
    "bonsai", "bramble", "breeze", "brick", "bridge", "bronze", "bubble", "cabin", "cactus",
    "camel", "candle", "canoe", "canyon", "carrot", "castle", "cedar", "cello", "chalk", "cherry",
    "chess", "cinder", "citrus", "clover", "cobalt", "coconut", "comet", "copper", "coral",
    "cotton", "cricket", "crystal", "cypress", "daisy", "delta", "desert", "dolphin", "dragon",
    "drum", "dune", "eagle", "ebony", "echo", "elm", "ember", "falcon", "feather", "fern",
    "fiddle", "fjord", "flint", "forest", "fossil", "fox", "galaxy", "garden", "garnet", "gecko",
    "ginger", "glacier", "granite", "grape", "gravel", "guitar", "harbor", "harp", "hazel",
    "heron", "hickory", "honey", "horizon", "husky", "igloo", "indigo", "iris", "ivory", "jade",
    "jaguar", "jasmine", "jelly", "juniper", "kayak", "kettle", "kiwi", "koala", "lagoon",
    "lantern", "larch", "lava", "lemon", "lilac", "lily", "linen", "lotus", "lynx", "magnet",
    "mango", "maple", "marble", "meadow", "melon", "mint", "mirror", "mocha", "moose", "mosaic",
    "moss", "nectar", "nickel", "nutmeg", "oak", "oasis", "ocean", "olive", "onyx", "orange",
    "orbit", "orchid", "otter", "owl", "paddle", "panda", "papaya", "parrot", "peach", "pearl",
    "pebble", "pepper", "piano", "pine", "planet", "plum", "polar", "poppy", "prairie", "pumpkin",
    "quartz", "quill", "rabbit", "radish", "rain", "raven", "reef", "ribbon", "river", "robin",
    "rocket", "rose", "ruby", "saffron", "sage", "salmon", "sand", "sapphire", "satin", "scarlet",
    "sequoia", "shadow", "shell", "silver", "sketch", "sky", "slate", "snow", "sparrow", "spruce",
    "squash", "star", "stone", "storm", "sugar", "summit", "sunset", "swan", "tango", "teak",
    "thistle", "thunder", "tiger", "timber", "topaz", "tulip", "tundra", "turtle", "umber",
    "valley", "vanilla", "velvet", "violet", "walnut", "walrus", "wave", "willow", "window",
    "winter", "wolf", "yarrow", "yeti", "zebra", "zephyr", "zinc", "bay", "cove", "glen", "isle",
    "knoll", "marsh", "mesa", "peak", "pond", "ridge", "shore", "spring", "brook", "cliff",
    "creek", "field", "grove", "heath", "hill", "lake", "moor", "sound", "tide", "trail", "vale",
    "wood", "alder", "aurora", "basin", "bloom", "cairn", "cloud", "dawn", "dusk", "frost", "gale",
];

/// A code as typed: the number and the three-word password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// Which pending code (1–99).
    pub nameplate: u16,
    /// The password: three words joined by `-`.
    pub password: String,
}

impl Code {
    /// A fresh random code.
    pub fn random() -> Code {
        let mut rng = rand::thread_rng();
        let words: Vec<&str> = (0..3)
            .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
            .collect();
        Code {
            nameplate: rng.gen_range(1..100),
            password: words.join("-"),
        }
    }

    /// Reads a code as someone typed it: `7-orange-lantern-harbor`, any case, spaces or dashes.
    pub fn parse(text: &str) -> Result<Code, NodeError> {
        let bad = || {
            NodeError::Invalid(format!(
                "'{}' is not a code: a number and three words, like 7-orange-lantern-harbor",
                text.trim()
            ))
        };
        let lower = text.trim().to_lowercase();
        let parts: Vec<&str> = lower
            .split(|c: char| c == '-' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .collect();
        let [number, words @ ..] = parts.as_slice() else {
            return Err(bad());
        };
        let nameplate: u16 = number.parse().map_err(|_| bad())?;
        if words.len() != 3 || !(1..100).contains(&nameplate) {
            return Err(bad());
        }
        if let Some(unknown) = words.iter().find(|w| !WORDS.contains(w)) {
            return Err(NodeError::Invalid(format!(
                "'{unknown}' is not one of the code's words: check the spelling"
            )));
        }
        Ok(Code {
            nameplate,
            password: words.join("-"),
        })
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.nameplate, self.password)
    }
}

/// This device's pending code (stored, so that every process on the data folder answers it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub(crate) nameplate: u16,
    pub(crate) password: String,
    /// The invite ticket it gives away.
    pub(crate) ticket: String,
    /// ms since the epoch.
    pub(crate) expires_at: i64,
    pub(crate) tries_left: u32,
    /// The invite's id.
    pub(crate) invite: String,
}

/// The two messages a newcomer sends, on the join protocol.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub(crate) enum Request {
    /// SPAKE2's first message, for the pending code `nameplate`.
    Hello { nameplate: u16, spake: String },
    /// The newcomer's proof that it derived the same key.
    Confirm { nameplate: u16, confirm: String },
}

/// The admin device's answer.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Reply {
    pub(crate) ok: bool,
    pub(crate) error: Option<String>,
    /// SPAKE2's answer (to a hello).
    pub(crate) spake: Option<String>,
    /// The admin device's proof that it derived the same key (to a hello).
    pub(crate) confirm: Option<String>,
    /// The invite ticket (to a confirmation).
    pub(crate) ticket: Option<String>,
}

impl Reply {
    pub(crate) fn refused(why: &str) -> Reply {
        Reply {
            error: Some(why.to_owned()),
            ..Reply::default()
        }
    }

    pub(crate) fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Why a code was refused: the same words on both sides, for the tests to name.
pub const UNKNOWN: &str = "no such code on this device";
/// See [`UNKNOWN`].
pub const EXPIRED: &str = "this code has expired or was used";
/// See [`UNKNOWN`].
pub const WRONG: &str = "the code does not match";

/// Reads a message of the code exchange, if `request` is one.
pub(crate) fn request(request: &[u8]) -> Option<Request> {
    serde_json::from_slice(request).ok()
}

/// The proof of the key for one role.
fn proof(key: &[u8], role: &str) -> Vec<u8> {
    match <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(b"entrepairs/code/v1/");
            mac.update(role.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Compares two proofs in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The admin device's side of a hello from `newcomer` (as `me`): SPAKE2's answer and the proof
/// of the key, and the key to check the newcomer's proof with.
pub(crate) fn answer(
    pending: &Pending,
    me: &str,
    newcomer: &str,
    spake: &str,
) -> Result<(Reply, Vec<u8>), String> {
    let theirs = B64
        .decode(spake)
        .map_err(|_| "a malformed code message".to_owned())?;
    let (state, ours) = Spake2::<Ed25519Group>::start_b(
        &Password::new(pending.password.as_bytes()),
        &Identity::new(newcomer.as_bytes()),
        &Identity::new(me.as_bytes()),
    );
    let key = state
        .finish(&theirs)
        .map_err(|_| "a malformed code message".to_owned())?;
    let reply = Reply {
        ok: true,
        spake: Some(B64.encode(ours)),
        confirm: Some(B64.encode(proof(&key, "inviter"))),
        ..Reply::default()
    };
    Ok((reply, key))
}

/// Checks the newcomer's proof of the key.
pub(crate) fn confirmed(key: &[u8], confirm: &str) -> bool {
    B64.decode(confirm)
        .is_ok_and(|c| same(&c, &proof(key, "newcomer")))
}

/// The newcomer's side, from its hello to the ticket.
pub(crate) struct Newcomer {
    state: Option<Spake2<Ed25519Group>>,
    nameplate: u16,
    key: Vec<u8>,
}

impl Newcomer {
    /// Starts an exchange for `code` between this device (`me`) and the admin device `inviter`;
    /// returns the hello to send.
    pub(crate) fn start(code: &Code, me: &str, inviter: &str) -> (Newcomer, Vec<u8>) {
        let (state, msg) = Spake2::<Ed25519Group>::start_a(
            &Password::new(code.password.as_bytes()),
            &Identity::new(me.as_bytes()),
            &Identity::new(inviter.as_bytes()),
        );
        let hello = Request::Hello {
            nameplate: code.nameplate,
            spake: B64.encode(msg),
        };
        let newcomer = Newcomer {
            state: Some(state),
            nameplate: code.nameplate,
            key: Vec::new(),
        };
        (newcomer, serde_json::to_vec(&hello).unwrap_or_default())
    }

    /// The admin device's answer to the hello: checks its proof and returns the confirmation to
    /// send. An error says why (their refusal, or a proof that does not hold: a wrong code).
    pub(crate) fn answered(&mut self, reply: &[u8]) -> Result<Vec<u8>, String> {
        let reply: Reply =
            serde_json::from_slice(reply).map_err(|_| "an unreadable answer".to_owned())?;
        if !reply.ok {
            return Err(reply.error.unwrap_or_else(|| "refused".into()));
        }
        let (Some(spake), Some(confirm), Some(state)) =
            (reply.spake, reply.confirm, self.state.take())
        else {
            return Err("an incomplete answer".into());
        };
        let theirs = B64
            .decode(spake)
            .map_err(|_| "an unreadable answer".to_owned())?;
        let key = state
            .finish(&theirs)
            .map_err(|_| "an unreadable answer".to_owned())?;
        let theirs = B64
            .decode(confirm)
            .map_err(|_| "an unreadable answer".to_owned())?;
        if !same(&theirs, &proof(&key, "inviter")) {
            return Err(WRONG.into());
        }
        let confirm = Request::Confirm {
            nameplate: self.nameplate,
            confirm: B64.encode(proof(&key, "newcomer")),
        };
        self.key = key;
        Ok(serde_json::to_vec(&confirm).unwrap_or_default())
    }

    /// The ticket in the admin device's answer to the confirmation.
    pub(crate) fn ticket(reply: &[u8]) -> Result<String, String> {
        let reply: Reply =
            serde_json::from_slice(reply).map_err(|_| "an unreadable answer".to_owned())?;
        match (reply.ok, reply.ticket) {
            (true, Some(ticket)) => Ok(ticket),
            _ => Err(reply.error.unwrap_or_else(|| "refused".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(code: &Code) -> Pending {
        Pending {
            nameplate: code.nameplate,
            password: code.password.clone(),
            ticket: "ep1ticket".into(),
            expires_at: i64::MAX,
            tries_left: CODE_TRIES,
            invite: "0123456789abcdef".into(),
        }
    }

    #[test]
    fn codes_read_back_as_typed_and_refuse_what_is_not_one() {
        for _ in 0..50 {
            let code = Code::random();
            assert_eq!(Code::parse(&code.to_string()).ok(), Some(code.clone()));
            let spoken = code.to_string().to_uppercase().replace('-', " ");
            assert_eq!(Code::parse(&spoken).ok(), Some(code));
        }
        let words: std::collections::BTreeSet<&str> = WORDS.iter().copied().collect();
        assert_eq!(words.len(), 256, "each word once");
        for bad in [
            "",
            "7",
            "7-orange-lantern",
            "x-orange-lantern-harbor",
            "0-a-b-c",
            "100-orange-lantern-harbor",
        ] {
            assert!(
                matches!(Code::parse(bad), Err(NodeError::Invalid(m)) if m.contains("is not a code")),
                "{bad}"
            );
        }
        assert!(matches!(
            Code::parse("7-orange-lantern-harbour"),
            Err(NodeError::Invalid(m)) if m.contains("'harbour' is not one of the code's words")
        ));
    }

    #[test]
    fn the_same_code_gives_both_sides_the_ticket_and_another_gives_nothing() {
        let code = Code::random();
        let (me, them) = ("admin-device", "newcomer-device");
        let (mut newcomer, hello) = Newcomer::start(&code, them, me);
        let Some(Request::Hello { nameplate, spake }) = request(&hello) else {
            panic!("a hello");
        };
        assert_eq!(nameplate, code.nameplate);
        let (reply, key) = answer(&pending(&code), me, them, &spake).unwrap();
        let confirm = newcomer.answered(&reply.bytes()).unwrap();
        let Some(Request::Confirm { confirm, .. }) = request(&confirm) else {
            panic!("a confirmation");
        };
        assert!(confirmed(&key, &confirm));

        // A wrong guess: each side finds the other's proof does not hold.
        let mut guess = code.clone();
        guess.password = if code.password == "acorn-acorn-acorn" {
            "amber-amber-amber".into()
        } else {
            "acorn-acorn-acorn".into()
        };
        let (mut guesser, hello) = Newcomer::start(&guess, them, me);
        let Some(Request::Hello { spake, .. }) = request(&hello) else {
            panic!("a hello");
        };
        let (reply, key) = answer(&pending(&code), me, them, &spake).unwrap();
        assert_eq!(guesser.answered(&reply.bytes()), Err(WRONG.to_owned()));
        // Even a guesser who sends a confirmation anyway is not believed.
        let forged = B64.encode(proof(b"another key", "newcomer"));
        assert!(!confirmed(&key, &forged));
        // The right code between other devices (a relay in the middle) does not hold either.
        let (mut relayed, hello) = Newcomer::start(&code, them, "someone-in-the-middle");
        let Some(Request::Hello { spake, .. }) = request(&hello) else {
            panic!("a hello");
        };
        let (reply, _) = answer(&pending(&code), me, them, &spake).unwrap();
        assert_eq!(relayed.answered(&reply.bytes()), Err(WRONG.to_owned()));
    }
}
