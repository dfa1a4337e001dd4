//! Changes carried across the air gap as a file: `bundle create --for MEMBER` and
//! `bundle apply`.
//!
//! A bundle holds what the recipient's device lacks of what both sides may hold, as this device
//! knows it from what the recipient last announced: the whole membership log, then each
//! document the recipient may hold whose heads differ from those it announced (or all of them
//! when it never announced any), whole and with the signature of every change. It is the sync
//! protocol's own messages ([`Message::LogEntries`], [`Message::Doc`]) in a file signed by the
//! sender's device key, so applying it runs every check a network sync makes — membership,
//! scope, header and change signatures, write rules, size and inflation bounds — through a sync
//! engine of its own, the sender standing in for a connected peer.
//!
//! Layout: [`MAGIC`], a version byte, a JSON header (its length as 4 bytes, big-endian), the
//! messages (each its length as 4 bytes, then its frame), and the ed25519 signature of all of
//! that by the sender (64 bytes). Applying reads the header, checks the signature and decodes
//! every message before anything is written: a bundle changed after it was signed, cut short or
//! made for someone else is refused whole.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use domain::PeerId;
use serde::{Deserialize, Serialize};
use sync::engine::{Engine, Host, Output, log_messages};
use sync::protocol::{MAX_FRAME, Message};

use crate::NodeError;
use crate::core::Core;
use crate::core::now;
use crate::views::{BundleApplied, BundleSaved};

/// The first bytes of a bundle file.
pub const MAGIC: &[u8] = b"ENTREPAIRS-BUNDLE\n";
const VERSION: u8 = 1;
/// The largest bundle written or read (it is read whole, and checked whole before anything is
/// applied).
pub const MAX_BUNDLE: u64 = 256 * 1024 * 1024;
/// The largest header.
const MAX_HEADER: usize = 64 * 1024;
/// An ed25519 signature.
const SIGNATURE: usize = 64;
/// The bytes of messages batched into one frame of the file.
const FRAME_BYTES: usize = 4 * 1024 * 1024;
/// The file name extension.
pub const EXTENSION: &str = "epbundle";

/// Why a bundle was refused. Nothing of a refused bundle is applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleRefusal {
    /// The file does not start as a bundle does.
    #[error("this file is not an Entrepairs bundle")]
    NotABundle,
    /// A version this build does not read.
    #[error("this bundle was written by a newer version of Entrepairs (format {0})")]
    Version(u8),
    /// Over [`MAX_BUNDLE`].
    #[error("this bundle is larger than {} MiB", MAX_BUNDLE >> 20)]
    TooLarge,
    /// Cut short, or bytes that do not parse.
    #[error("this bundle is damaged: {0}")]
    Damaged(String),
    /// The signature does not match the sender's key: changed after it was written.
    #[error("this bundle was changed after its sender signed it")]
    BadSignature,
    /// Made for another workspace.
    #[error("this bundle belongs to another workspace")]
    OtherWorkspace,
    /// Made for another member.
    #[error("this bundle was made for {0}, not for you")]
    NotForYou(String),
    /// Its sender is not a member (as this device knows the membership).
    #[error("this bundle comes from a device that is not a member of this workspace")]
    NotAMember,
    /// Its sender is this device.
    #[error("this bundle was made on this device")]
    FromYourself,
}

impl From<BundleRefusal> for NodeError {
    fn from(r: BundleRefusal) -> Self {
        NodeError::Bundle(r)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    workspace: String,
    /// The sender's member id (its device key).
    from: String,
    /// The recipient's member id.
    to: String,
    /// When it was made (ms since the epoch).
    created_at: i64,
    /// How many messages follow.
    messages: u32,
}

fn damaged(what: &str) -> BundleRefusal {
    BundleRefusal::Damaged(what.to_owned())
}

fn put_frame(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Reads a length-prefixed part of at most `max` bytes at `*at`.
fn take_frame<'a>(bytes: &'a [u8], at: &mut usize, max: usize) -> Result<&'a [u8], BundleRefusal> {
    let len = bytes
        .get(*at..*at + 4)
        .ok_or_else(|| damaged("cut short"))?;
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
    if len > max {
        return Err(damaged("a part is larger than allowed"));
    }
    let part = bytes
        .get(*at + 4..*at + 4 + len)
        .ok_or_else(|| damaged("cut short"))?;
    *at += 4 + len;
    Ok(part)
}

/// A bundle whose signature, workspace and recipient were checked, its messages decoded.
struct Opened {
    from: String,
    messages: Vec<Message>,
}

/// Checks a bundle's bytes for `me` in `workspace` and decodes them; writes nothing.
fn open(bytes: &[u8], workspace: &str, me: &str) -> Result<Opened, BundleRefusal> {
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return Err(BundleRefusal::NotABundle);
    };
    let (&version, _) = rest.split_first().ok_or_else(|| damaged("cut short"))?;
    if version != VERSION {
        return Err(BundleRefusal::Version(version));
    }
    if bytes.len() < MAGIC.len() + 1 + SIGNATURE {
        return Err(damaged("cut short"));
    }
    let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE);
    let mut at = MAGIC.len() + 1;
    let header = take_frame(signed, &mut at, MAX_HEADER)?;
    let header: Header =
        serde_json::from_slice(header).map_err(|_| damaged("unreadable header"))?;
    // The signature first: nothing else of the file is believed before it holds.
    let key = header
        .from
        .parse::<PeerId>()
        .ok()
        .and_then(|p| domain::public_key_of(&p))
        .ok_or_else(|| damaged("the sender's id is not a key"))?;
    if !key.verify(signed, signature) {
        return Err(BundleRefusal::BadSignature);
    }
    if header.workspace != workspace {
        return Err(BundleRefusal::OtherWorkspace);
    }
    if header.from == me {
        return Err(BundleRefusal::FromYourself);
    }
    if header.to != me {
        return Err(BundleRefusal::NotForYou(header.to));
    }
    let mut messages = Vec::new();
    for _ in 0..header.messages {
        let frame = take_frame(signed, &mut at, MAX_FRAME)?;
        let msg = Message::decode(frame).map_err(|e| BundleRefusal::Damaged(e.to_string()))?;
        messages.push(msg);
    }
    if at != signed.len() {
        return Err(damaged("bytes after the last message"));
    }
    Ok(Opened {
        from: header.from,
        messages,
    })
}

impl Core {
    /// Writes what `member`'s device lacks of what both may hold into a bundle in `dir` (or at
    /// `dir` itself when it names a file ending in `.epbundle`); replies with what it holds.
    pub(crate) fn bundle_create(
        &mut self,
        member: &str,
        dir: &Path,
    ) -> Result<BundleSaved, NodeError> {
        let to = self.resolve_member_id(member)?;
        if to == self.me {
            return Err(NodeError::Invalid(
                "a bundle carries changes to a colleague: choose someone else".into(),
            ));
        }
        let members = self.members()?;
        if !members.is_member(&to) {
            return Err(NodeError::Invalid(format!(
                "{to} is no longer a member: nothing may be sent to them"
            )));
        }
        let name = self.member_name(&to)?;
        // What the recipient announced when it last synced with this device.
        let announced: BTreeMap<String, Vec<u8>> = self
            .store
            .peer_docs()?
            .into_iter()
            .filter(|(peer, _, _)| *peer == to)
            .map(|(_, doc, digest)| (doc, digest))
            .collect();
        self.sync_start()?;
        let (messages, docs) = self
            .with_host(|_, host| {
                let me = host.me();
                let mut messages = log_messages(host.log_missing(&[]));
                let mut docs = 0usize;
                for id in host.doc_ids() {
                    let Some(meta) = host.meta(&id) else { continue };
                    if !host.may_hold(&to, &meta) || !host.may_hold(&me, &meta) {
                        continue;
                    }
                    let digest = host.digest(&id);
                    if digest.is_some_and(|d| announced.get(&id).is_some_and(|a| a[..] == d[..])) {
                        continue;
                    }
                    let Some(bytes) = host.saved(&id) else {
                        continue;
                    };
                    let sigs = host.signatures(&id, None);
                    messages.push(Message::Doc {
                        doc: id,
                        bytes,
                        sigs,
                    });
                    docs += 1;
                }
                (messages, docs)
            })?
            .0;
        let frames: Vec<Vec<u8>> = sync::engine::batched(
            messages
                .into_iter()
                .map(|msg| Output::Send {
                    to: to.clone(),
                    msg,
                })
                .collect(),
            FRAME_BYTES,
        )
        .into_iter()
        .filter_map(|o| match o {
            Output::Send { msg, .. } => Some(msg.encode()),
            Output::Disconnect { .. } => None,
        })
        .collect();
        if let Some(big) = frames.iter().find(|f| f.len() > MAX_FRAME) {
            return Err(NodeError::Invalid(format!(
                "a document of {} MiB is too large for a bundle",
                big.len() >> 20
            )));
        }
        let header = Header {
            workspace: self.workspace_id.clone(),
            from: self.me.clone(),
            to: to.clone(),
            created_at: now(),
            messages: frames.len() as u32,
        };
        let mut bytes = MAGIC.to_vec();
        bytes.push(VERSION);
        put_frame(&mut bytes, &serde_json::to_vec(&header).unwrap_or_default());
        for f in &frames {
            put_frame(&mut bytes, f);
        }
        if bytes.len() as u64 + SIGNATURE as u64 > MAX_BUNDLE {
            return Err(NodeError::Invalid(format!(
                "the changes for {name} come to {} MiB, more than a bundle holds ({} MiB): sync over the network once",
                bytes.len() >> 20,
                MAX_BUNDLE >> 20
            )));
        }
        let signature = self
            .key
            .sign(&bytes)
            .map_err(|e| NodeError::Invalid(format!("cannot sign the bundle: {e}")))?;
        bytes.extend_from_slice(&signature);
        let path = bundle_path(dir, &name);
        write_whole(&path, &bytes)?;
        Ok(BundleSaved {
            file: path.display().to_string(),
            member: to,
            name,
            documents: docs,
            bytes: bytes.len() as u64,
        })
    }

    /// Applies a bundle: every check of a network sync, through an engine of its own.
    pub(crate) fn bundle_apply(&mut self, path: &Path) -> Result<BundleApplied, NodeError> {
        let len = fs::metadata(path)
            .map_err(NodeError::io(format!("cannot read {}", path.display())))?
            .len();
        if len > MAX_BUNDLE {
            return Err(BundleRefusal::TooLarge.into());
        }
        let bytes =
            fs::read(path).map_err(NodeError::io(format!("cannot read {}", path.display())))?;
        let opened = open(&bytes, &self.workspace_id, &self.me)?;
        if !self.members()?.is_member(&opened.from) {
            return Err(BundleRefusal::NotAMember.into());
        }
        let from = opened.from;
        let entries_before = self.store.membership_mark()?;
        self.sync_start()?;
        // One engine for the whole bundle, the sender standing in for a connected peer; each
        // message is applied and stored on its own, as a frame from the network is.
        let mut engine = Engine::new();
        let mut outputs = self.with_host(|_, host| engine.connected(host, &from))?.0;
        let mut received = std::collections::BTreeSet::new();
        for msg in opened.messages {
            if !engine.peers().contains(&from) {
                break;
            }
            let (out, docs, _) = self.with_host(|_, host| engine.received(host, &from, msg))?;
            outputs.extend(out);
            received.extend(docs);
        }
        // What arrived is offered to the peers connected now (their sessions start over at the
        // next tick), and access they gained counts from there.
        self.resync_peers();
        let refused = outputs.into_iter().find_map(|o| match o {
            Output::Disconnect { reason, .. } => Some(reason),
            Output::Send { .. } => None,
        });
        let name = self.member_name(&from)?;
        Ok(BundleApplied {
            from,
            name,
            documents: received.len(),
            entries: (self.store.membership_mark()? - entries_before).max(0) as usize,
            refused,
        })
    }
}

/// Where a bundle for `name` goes: `dir` itself if it names a bundle file, else a new file
/// in it named after the colleague and the time.
fn bundle_path(dir: &Path, name: &str) -> PathBuf {
    if dir.extension().is_some_and(|e| e == EXTENSION) {
        return dir.to_path_buf();
    }
    let who = domain::slug(name);
    let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M%S");
    dir.join(format!("entrepairs-for-{who}-{stamp}.{EXTENSION}"))
}

/// Writes `bytes` to `path` whole or not at all (a temporary file renamed, synced first).
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), NodeError> {
    let what = format!("cannot write {}", path.display());
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(NodeError::io(what.clone()))?;
    }
    let tmp = path.with_extension(format!("{EXTENSION}.part"));
    let mut file = fs::File::create(&tmp).map_err(NodeError::io(what.clone()))?;
    file.write_all(bytes).map_err(NodeError::io(what.clone()))?;
    file.sync_all().map_err(NodeError::io(what.clone()))?;
    fs::rename(&tmp, path).map_err(NodeError::io(what))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(key: &domain::Keypair, header: &Header, frames: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.push(VERSION);
        put_frame(&mut bytes, &serde_json::to_vec(header).unwrap_or_default());
        for f in frames {
            put_frame(&mut bytes, f);
        }
        let sig = key.sign(&bytes).unwrap_or_default();
        bytes.extend_from_slice(&sig);
        bytes
    }

    fn header(from: &str, to: &str, messages: u32) -> Header {
        Header {
            workspace: "ws".into(),
            from: from.into(),
            to: to.into(),
            created_at: 0,
            messages,
        }
    }

    #[test]
    fn a_bundle_opens_only_whole_signed_and_for_its_recipient() {
        let key = domain::Keypair::generate_ed25519();
        let from = key.public().to_peer_id().to_string();
        let me = domain::Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        let frame = Message::LogEntries(vec!["x".into()]).encode();
        let good = signed(&key, &header(&from, &me, 1), std::slice::from_ref(&frame));
        let opened = open(&good, "ws", &me).map(|o| (o.from, o.messages.len()));
        assert_eq!(opened, Ok((from.clone(), 1)));

        // Every byte after the magic and version, flipped, is refused.
        for i in MAGIC.len() + 1..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            assert!(
                open(&bad, "ws", &me).is_err(),
                "byte {i} flipped was accepted"
            );
        }
        let mut body = good.clone();
        let last_frame_byte = good.len() - SIGNATURE - 1;
        body[last_frame_byte] ^= 0x40;
        assert_eq!(
            open(&body, "ws", &me).err(),
            Some(BundleRefusal::BadSignature)
        );
        assert_eq!(
            open(&good[..good.len() - 10], "ws", &me).err(),
            Some(BundleRefusal::BadSignature)
        );
        assert_eq!(
            open(b"hello", "ws", &me).err(),
            Some(BundleRefusal::NotABundle)
        );
        let mut newer = good.clone();
        newer[MAGIC.len()] = 9;
        assert_eq!(
            open(&newer, "ws", &me).err(),
            Some(BundleRefusal::Version(9))
        );
        assert_eq!(
            open(&good, "other", &me).err(),
            Some(BundleRefusal::OtherWorkspace)
        );
        let someone = domain::Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        assert_eq!(
            open(&good, "ws", &someone).err(),
            Some(BundleRefusal::NotForYou(me.clone()))
        );
        assert_eq!(
            open(&good, "ws", &from).err(),
            Some(BundleRefusal::FromYourself)
        );

        // Signed by a key other than the one it names.
        let other = domain::Keypair::generate_ed25519();
        let forged = signed(&other, &header(&from, &me, 1), std::slice::from_ref(&frame));
        assert_eq!(
            open(&forged, "ws", &me).err(),
            Some(BundleRefusal::BadSignature)
        );
        // Signed, but saying more messages than it holds, or fewer.
        let short = signed(&key, &header(&from, &me, 2), std::slice::from_ref(&frame));
        assert_eq!(open(&short, "ws", &me).err(), Some(damaged("cut short")));
        let long = signed(&key, &header(&from, &me, 0), std::slice::from_ref(&frame));
        assert_eq!(
            open(&long, "ws", &me).err(),
            Some(damaged("bytes after the last message"))
        );
        // Signed, with a message that does not decode.
        let garbage = signed(&key, &header(&from, &me, 1), &[vec![0xff, 0, 1]]);
        assert!(matches!(
            open(&garbage, "ws", &me),
            Err(BundleRefusal::Damaged(_))
        ));
    }
}
