//! Changes from a peer: the parts of a sync message or a whole document, with signatures.
//! Measuring, decoding and judging them (signature, author, write rules) never panics, and a
//! document built from what passed only ever holds changes that passed.
#![no_main]

use std::sync::OnceLock;

use domain::signing::Signatures;
use domain::{DocKind, DocMeta, Keypair, Scope, Standing};
use libfuzzer_sys::fuzz_target;
use sync::protocol::Message;

fn header() -> &'static DocMeta {
    static HEADER: OnceLock<DocMeta> = OnceLock::new();
    HEADER.get_or_init(|| {
        let key = Keypair::ed25519_from_bytes([7; 32]).expect("a 32-byte seed");
        DocMeta::new_signed(&key, "n", DocKind::Note, &Scope::Workspace, "w", 0, &[])
            .expect("a valid header")
    })
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

fuzz_target!(|data: &[u8]| {
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
});
