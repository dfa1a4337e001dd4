//! The properties each fuzz target checks, one function per target. The cargo-fuzz targets
//! (`fuzz_targets/*.rs`, coverage-guided, on nightly) and the workspace's ordinary tests
//! (`crates/sync/tests/fuzz.rs`, which replay `fuzz/corpus/` and mutated valid inputs on every
//! test run) include this same file, so both check the same thing.

use std::sync::OnceLock;

use domain::signing::Signatures;
use domain::{DocKind, DocMeta, Keypair, Scope, Standing};
use sync::membership::{Log, SignedEntry, evaluate};
use sync::protocol::Message;
use sync::ticket::Ticket;

/// The workspace id membership inputs are evaluated in.
pub const WORKSPACE: &str = "w";
/// The id of the document changes are judged against.
pub const DOC: &str = "n";

/// The key that wrote the document changes are judged against (a fixed seed).
pub fn doc_key() -> Keypair {
    Keypair::ed25519_from_bytes([7; 32]).expect("a 32-byte seed")
}

/// The header of the document changes are judged against: a note by [`doc_key`].
pub fn header() -> &'static DocMeta {
    static HEADER: OnceLock<DocMeta> = OnceLock::new();
    HEADER.get_or_init(|| {
        DocMeta::new_signed(
            &doc_key(),
            DOC,
            DocKind::Note,
            &Scope::Workspace,
            WORKSPACE,
            0,
            &[],
        )
        .expect("a valid header")
    })
}

/// Sync frames from a peer: decoding never panics, and what decodes re-encodes to the same bytes.
pub fn frame(data: &[u8]) {
    if let Ok(msg) = Message::decode(data) {
        assert_eq!(msg.encode(), data);
    }
}

/// Changes from a peer: the parts of a sync message or a whole document, with signatures.
/// Measuring, decoding and judging them (signature, author, write rules) never panics, and a
/// document built from what passed only ever holds changes that passed.
pub fn changes(data: &[u8]) {
    match Message::decode(data) {
        Ok(Message::Sync { data, sigs, .. }) => {
            if let Ok(message) = automerge::sync::Message::decode(&data) {
                let parts: Vec<&[u8]> = message.changes.iter().collect();
                judge(&parts, &sigs);
            }
        }
        Ok(Message::Doc { bytes, sigs, .. }) => {
            if let Ok(doc) = domain::load_doc(&bytes) {
                let standing = |_: &str| Standing::Member { admin: true };
                let _ = domain::admit_whole(doc, header(), &sigs, &standing);
            }
        }
        _ => judge(&[data], &Signatures::new()),
    }
}

fn judge(parts: &[&[u8]], sigs: &Signatures) {
    let mut budget = domain::MAX_INFLATED;
    if parts
        .iter()
        .any(|p| domain::check_inflation(p, &mut budget).is_err())
    {
        return;
    }
    let Ok(changes) = domain::changes_in(parts.iter().copied()) else {
        return;
    };
    let standing = |_: &str| Standing::Member { admin: false };
    let mut doc = automerge::AutoCommit::new();
    let admission = domain::admit(&mut doc, header(), changes, sigs, &standing);
    for hash in &admission.accepted {
        assert!(doc.get_change_meta_by_hash(hash).is_some());
    }
    for refused in &admission.refused {
        assert!(doc.get_change_meta_by_hash(&refused.change).is_none());
    }
}

/// Invite tickets pasted by a person: decoding never panics, and what decodes re-encodes.
pub fn ticket(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(ticket) = Ticket::decode(text)
    {
        let again = ticket.encode().expect("a decoded ticket encodes");
        assert_eq!(Ticket::decode(&again).expect("and decodes again"), ticket);
    }
}

/// Membership entries from a peer, one per line: decoding, verifying and evaluating a log never
/// panics, evaluation does not depend on the order entries are given in, and a log rebuilt from
/// what another log sends holds the same entries and evaluates the same.
pub fn membership(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(entry) = SignedEntry::decode(text) {
        let _ = entry.verify();
        let _ = entry.hash();
    }
    let entries: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let forward = evaluate(WORKSPACE, &entries);
    let mut reversed = entries.clone();
    reversed.reverse();
    assert_eq!(forward, evaluate(WORKSPACE, &reversed));

    let mut log = Log::new(WORKSPACE);
    for e in &entries {
        let _ = log.insert(e);
    }
    let evaluated = log.evaluate();
    assert!(log.missing_for(&log.heads()).is_empty());
    let mut copy = Log::new(WORKSPACE);
    for e in log.encoded() {
        assert!(copy.insert(&e).is_ok());
    }
    assert_eq!(copy.heads(), log.heads());
    assert_eq!(copy.len(), log.len());
    assert_eq!(copy.evaluate(), evaluated);
}
