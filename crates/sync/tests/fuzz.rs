//! The fuzz targets' properties (`fuzz/checks.rs`, shared with the cargo-fuzz targets) checked on
//! every test run: each input of the corpus kept in `fuzz/corpus/<target>/`, valid inputs made
//! here (signed changes of a real note, a real membership log, a real ticket), and seeded
//! mutations of both — byte flips, insertions, deletions, truncations, splices, and for the
//! structured inputs reordered, dropped and duplicated entries, swapped and foreign signatures.
//! A failing input is printed in hex; `./scripts/fuzz.sh` runs the same properties
//! coverage-guided for longer.

#[path = "../../../fuzz/checks.rs"]
mod checks;

use std::path::PathBuf;

use automerge::AutoCommit;
use automerge::sync::SyncDoc;
use domain::signing::{Signatures, sign_change, sign_new};
use domain::{Author, Keypair, Note};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sync::membership::{Entry, Op, Role, SignedEntry, admit_proof, invite_public_key};
use sync::protocol::{DocDigest, Message};
use sync::ticket::Ticket;

/// Mutated inputs per target and test run (a fixed seed: a failure replays).
const MUTATIONS: usize = 10_000;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "the corpus {} is kept in the repository: {e}",
                dir.display()
            )
        })
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    files.sort();
    let inputs: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("a corpus file"))
        .collect();
    assert!(!inputs.is_empty(), "{} is empty", dir.display());
    inputs
}

/// Runs `check` on `input`, naming the input if it panics.
fn run(target: &str, check: fn(&[u8]), input: &[u8]) {
    if std::panic::catch_unwind(|| check(input)).is_err() {
        let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
        panic!("the {target} property fails on the input (hex) {hex}");
    }
}

/// A byte-level mutation of `input`, sometimes spliced with `other`.
fn mutate(rng: &mut StdRng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        let len = out.len();
        match rng.gen_range(0..7) {
            0 if len > 0 => {
                let i = rng.gen_range(0..len);
                out[i] ^= 1 << rng.gen_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.gen_range(0..len);
                out[i] = [0, 1, 0x7f, 0x80, 0xff][rng.gen_range(0..5)];
            }
            2 => {
                let i = rng.gen_range(0..=len);
                out.insert(i, rng.r#gen());
            }
            3 if len > 0 => {
                let i = rng.gen_range(0..len);
                let n = rng.gen_range(1..=(len - i).min(16));
                out.drain(i..i + n);
            }
            4 if len > 0 => out.truncate(rng.gen_range(0..len)),
            5 if !other.is_empty() => {
                let cut = rng.gen_range(0..=out.len());
                let from = rng.gen_range(0..other.len());
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            _ if len > 1 => {
                let i = rng.gen_range(0..len);
                let j = rng.gen_range(0..len);
                out.swap(i, j);
            }
            _ => out.push(rng.r#gen()),
        }
    }
    out
}

/// The corpus and `seeds` as they are, then [`MUTATIONS`] byte-level mutations of them and
/// every input `structured` derives from a seed.
fn fuzz(
    target: &str,
    check: fn(&[u8]),
    seeds: &[Vec<u8>],
    structured: impl Fn(&mut StdRng, &[u8]) -> Vec<u8>,
) {
    let mut inputs = corpus(target);
    inputs.extend_from_slice(seeds);
    for input in &inputs {
        run(target, check, input);
    }
    let mut rng = StdRng::seed_from_u64(0x5eed);
    for i in 0..MUTATIONS {
        let base = inputs.choose(&mut rng).expect("inputs");
        let other = inputs.choose(&mut rng).expect("inputs");
        let input = if i % 2 == 0 {
            let seed = seeds.choose(&mut rng).expect("seeds");
            structured(&mut rng, seed)
        } else {
            mutate(&mut rng, base, other)
        };
        run(target, check, &input);
    }
}

/// A note by [`checks::doc_key`] (the document the changes target judges against), edited
/// twice: its document and the signatures of its three changes.
fn note() -> (AutoCommit, Signatures) {
    let key = checks::doc_key();
    let me = key.public().to_peer_id();
    let note = Note::new(
        checks::header().clone(),
        "Onboarding",
        "Read the guide.",
        &[],
        &[],
    )
    .expect("a valid note");
    let mut doc = domain::create(domain::actor_for(&me), &note).expect("a note document");
    doc.commit();
    let id = me.to_string();
    for title in ["Onboarding, week one", "Onboarding, week two"] {
        domain::change::<Note, _>(
            &mut doc,
            Author {
                id: &id,
                admin: false,
            },
            |n| {
                n.title = title.to_owned();
                Ok(())
            },
        )
        .expect("an edit by the author");
        doc.commit();
    }
    let sigs = sign_new(&key, checks::DOC, &mut doc, &[]).expect("signatures");
    (doc, sigs)
}

/// The sync message a peer holding `doc` sends to one holding nothing: every change.
fn sync_message(doc: &mut AutoCommit) -> Vec<u8> {
    let mut empty = AutoCommit::new();
    let (mut theirs, mut ours) = (automerge::sync::State::new(), automerge::sync::State::new());
    let hello = empty
        .sync()
        .generate_sync_message(&mut theirs)
        .expect("a first message");
    doc.sync()
        .receive_sync_message(&mut ours, hello)
        .expect("received");
    doc.sync()
        .generate_sync_message(&mut ours)
        .expect("a message with changes")
        .encode()
}

fn change_seeds() -> Vec<Vec<u8>> {
    let (mut doc, sigs) = note();
    let data = sync_message(&mut doc);
    let whole = doc.save();
    vec![
        Message::Sync {
            doc: checks::DOC.into(),
            data: data.clone(),
            sigs: sigs.clone(),
        }
        .encode(),
        Message::Doc {
            doc: checks::DOC.into(),
            bytes: whole,
            sigs,
        }
        .encode(),
        // The same changes, unsigned.
        Message::Sync {
            doc: checks::DOC.into(),
            data,
            sigs: Signatures::new(),
        }
        .encode(),
    ]
}

/// A frame of signed changes with its signatures tampered with: dropped, swapped between
/// changes, or replaced by a valid signature of another key (a change in someone else's name).
fn tamper_signatures(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let (doc, data, bytes, mut sigs) = match Message::decode(seed) {
        Ok(Message::Sync { doc, data, sigs }) => (doc, Some(data), None, sigs),
        Ok(Message::Doc { doc, bytes, sigs }) => (doc, None, Some(bytes), sigs),
        _ => return seed.to_vec(),
    };
    let hashes: Vec<_> = sigs.keys().copied().collect();
    if let Some(hash) = hashes.choose(rng).copied() {
        match rng.gen_range(0..3) {
            0 => {
                sigs.remove(&hash);
            }
            1 => {
                let other = *hashes.choose(rng).expect("a hash");
                let sig = sigs[&other];
                sigs.insert(hash, sig);
            }
            _ => {
                let stranger = Keypair::ed25519_from_bytes([9; 32]).expect("a key");
                let sig = sign_change(&stranger, &doc, &hash).expect("a signature");
                sigs.insert(hash, sig);
            }
        }
    }
    match (data, bytes) {
        (Some(data), _) => Message::Sync { doc, data, sigs }.encode(),
        (_, Some(bytes)) => Message::Doc { doc, bytes, sigs }.encode(),
        _ => seed.to_vec(),
    }
}

struct Device {
    key: Keypair,
    id: String,
}

fn device(seed: u8) -> Device {
    let key = Keypair::ed25519_from_bytes([seed; 32]).expect("a key");
    let id = key.public().to_peer_id().to_string();
    Device { key, id }
}

/// A membership log of workspace [`checks::WORKSPACE`] exercising every kind of entry, one
/// encoded entry per line, in the order they were made.
fn membership_seed() -> Vec<u8> {
    let (founder, admin, member, newcomer) = (device(1), device(2), device(3), device(4));
    let secret = b"an invite secret";
    let mut lines: Vec<String> = Vec::new();
    let mut sign = |by: &Device, op: Op| {
        let prev = lines
            .last()
            .map(|l| SignedEntry::decode(l).expect("an entry").hash())
            .into_iter()
            .collect();
        let entry = Entry {
            prev,
            author: by.id.clone(),
            at: 1_000 + lines.len() as i64,
            op,
        };
        lines.push(SignedEntry::sign(&by.key, entry).expect("signed").encode());
    };
    let add = |d: &Device, role| Op::Add {
        member: d.id.clone(),
        name: "X".into(),
        role,
    };
    sign(
        &founder,
        Op::Create {
            workspace: checks::WORKSPACE.into(),
            name: "F".into(),
        },
    );
    sign(&founder, add(&admin, Role::Member));
    sign(
        &founder,
        Op::Promote {
            member: admin.id.clone(),
        },
    );
    sign(&admin, add(&member, Role::Member));
    sign(
        &admin,
        Op::Invite {
            invite: "i1".into(),
            role: Role::Member,
            expires_at: 10_000_000,
            key: invite_public_key(secret),
        },
    );
    sign(
        &member,
        Op::Admit {
            invite: "i1".into(),
            member: newcomer.id.clone(),
            name: "N".into(),
            proof: admit_proof(secret, checks::WORKSPACE, "i1", &newcomer.id),
        },
    );
    sign(
        &newcomer,
        Op::JoinCommunity {
            community: "c".into(),
        },
    );
    sign(
        &admin,
        Op::Invite {
            invite: "i2".into(),
            role: Role::Admin,
            expires_at: 10_000_000,
            key: invite_public_key(b"another"),
        },
    );
    sign(
        &admin,
        Op::Revoke {
            invite: "i2".into(),
        },
    );
    sign(
        &founder,
        Op::Demote {
            member: admin.id.clone(),
        },
    );
    sign(
        &founder,
        Op::Remove {
            member: member.id.clone(),
        },
    );
    lines.join("\n").into_bytes()
}

/// A log with its entries reordered, dropped or duplicated.
fn shuffle_entries(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(seed);
    let mut lines: Vec<&str> = text.split('\n').collect();
    match rng.gen_range(0..3) {
        0 => lines.shuffle(rng),
        1 => {
            let i = rng.gen_range(0..lines.len());
            lines.remove(i);
        }
        _ => {
            let line = *lines.choose(rng).expect("a line");
            lines.insert(rng.gen_range(0..=lines.len()), line);
        }
    }
    lines.join("\n").into_bytes()
}

fn ticket_seed() -> Vec<u8> {
    let inviter = device(5).key.public().to_peer_id().to_bytes();
    Ticket {
        workspace: "4e57c3c5-6f01-463c-9dad-d3d13aa59883".into(),
        invite: "0123456789abcdef".into(),
        invite_entry: "ab".repeat(32),
        secret: "cd".repeat(16),
        inviter,
        addrs: vec![vec![4, 192, 168, 1, 20, 6, 0x1f, 0x90]],
    }
    .encode()
    .expect("a valid ticket")
    .into_bytes()
}

#[test]
fn frames_decode_without_panicking_and_reencode_to_the_same_bytes() {
    let mut seeds = change_seeds();
    seeds.extend([
        Message::Digest {
            docs: 3,
            digest: [7; 32],
        }
        .encode(),
        Message::Summary(vec![DocDigest {
            id: "n".into(),
            heads: [1; 32],
        }])
        .encode(),
        Message::LogHeads(vec![[2; 32]]).encode(),
        Message::LogEntries(
            String::from_utf8(membership_seed())
                .expect("text")
                .split('\n')
                .map(str::to_owned)
                .collect(),
        )
        .encode(),
    ]);
    let batch = Message::Batch(
        seeds
            .iter()
            .map(|s| Message::decode(s).expect("a seed decodes"))
            .collect(),
    );
    seeds.push(batch.encode());
    fuzz("frame", checks::frame, &seeds, |rng, seed| {
        mutate(rng, seed, &[])
    });
}

#[test]
fn changes_are_judged_without_panicking_and_only_what_passed_is_kept() {
    // The seeds are valid: the note's changes pass as they are.
    let (mut doc, sigs) = note();
    let changes = domain::changes_in(
        automerge::sync::Message::decode(&sync_message(&mut doc))
            .expect("a sync message")
            .changes
            .iter(),
    )
    .expect("changes");
    let standing = |_: &str| domain::Standing::Member { admin: false };
    let mut fresh = AutoCommit::new();
    let admission = domain::admit(&mut fresh, checks::header(), changes, &sigs, &standing);
    assert_eq!((admission.accepted.len(), admission.refused.len()), (3, 0));

    fuzz(
        "changes",
        checks::changes,
        &change_seeds(),
        tamper_signatures,
    );
}

#[test]
fn tickets_decode_without_panicking_and_reencode() {
    fuzz("ticket", checks::ticket, &[ticket_seed()], |rng, seed| {
        mutate(rng, seed, &[])
    });
}

#[test]
fn membership_logs_evaluate_the_same_in_any_order_and_after_a_copy() {
    let seed = membership_seed();
    // The seed is a valid log: everyone it admits and keeps is a member.
    let entries: Vec<String> = String::from_utf8(seed.clone())
        .expect("text")
        .split('\n')
        .map(str::to_owned)
        .collect();
    let members = sync::membership::evaluate(checks::WORKSPACE, &entries).expect("a valid log");
    for (d, member) in [(1, true), (2, true), (3, false), (4, true)] {
        assert_eq!(members.is_member(&device(d).id), member, "device {d}");
    }
    assert!(!members.is_admin(&device(2).id), "demoted");

    fuzz("membership", checks::membership, &[seed], shuffle_entries);
}
