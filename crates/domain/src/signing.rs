//! Signed changes: every Automerge change a device makes carries its author's ed25519 signature
//! over the change's hash and the document it belongs to.
//!
//! The Automerge actor of a change is the bytes of its device's `PeerId` (see
//! [`crate::actor_for`]), and an ed25519 `PeerId` embeds its public key, so a signature is
//! verified from the change alone: no key directory, no trust in whoever relayed it. The change
//! hash covers the change's content, its actor and its dependencies, so a signature cannot be
//! moved to another change; the document id is signed too, so it cannot be moved to another
//! document either.

use std::collections::BTreeMap;

use automerge::{ActorId, AutoCommit, ChangeHash};
use libp2p_identity::{Keypair, PeerId, PublicKey};

use crate::{DomainError, public_key_of};

/// Length of an ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// An ed25519 signature of one change.
pub type Signature = [u8; SIGNATURE_LEN];

/// The signatures of a document's changes, by change hash.
pub type Signatures = BTreeMap<ChangeHash, Signature>;

/// The bytes a change signature covers: a domain tag, the document id and the change hash,
/// each length-prefixed.
fn signed_bytes(doc: &str, hash: &ChangeHash) -> Vec<u8> {
    let mut out = b"entrepairs/change/v1".to_vec();
    out.extend_from_slice(&(doc.len() as u64).to_le_bytes());
    out.extend_from_slice(doc.as_bytes());
    out.extend_from_slice(&hash.0);
    out
}

/// Signs the change `hash` of document `doc` with a device key.
pub fn sign_change(key: &Keypair, doc: &str, hash: &ChangeHash) -> Result<Signature, DomainError> {
    let sig = key
        .sign(&signed_bytes(doc, hash))
        .map_err(|e| DomainError::invalid(format!("cannot sign a change: {e}")))?;
    sig.try_into()
        .map_err(|_| DomainError::invalid("the device key is not an ed25519 key"))
}

/// The member id (device `PeerId`) an Automerge actor stands for, with its public key.
pub fn author_of(actor: &ActorId) -> Result<(PeerId, PublicKey), DomainError> {
    let bad = || DomainError::Forbidden("a change's author is not a member id".into());
    let peer = PeerId::from_bytes(actor.to_bytes()).map_err(|_| bad())?;
    let key = public_key_of(&peer).ok_or_else(bad)?;
    Ok((peer, key))
}

/// Signs the changes `doc` (document `id`) gained since the heads `since`: what a device does
/// with its own edits before they are stored or sent.
pub fn sign_new(
    key: &Keypair,
    id: &str,
    doc: &mut AutoCommit,
    since: &[ChangeHash],
) -> Result<Signatures, DomainError> {
    let hashes: Vec<ChangeHash> = doc.get_changes_meta(since).iter().map(|c| c.hash).collect();
    hashes
        .into_iter()
        .map(|h| Ok((h, sign_change(key, id, &h)?)))
        .collect()
}

/// Whether `sig` is `key`'s signature of change `hash` of document `doc`.
pub fn verify_change(key: &PublicKey, doc: &str, hash: &ChangeHash, sig: &Signature) -> bool {
    key.verify(&signed_bytes(doc, hash), sig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor_for;

    #[test]
    fn a_signature_binds_the_change_the_document_and_the_key() {
        let key = Keypair::generate_ed25519();
        let other = Keypair::generate_ed25519();
        let hash = ChangeHash([7; 32]);
        let sig = sign_change(&key, "doc-1", &hash).unwrap();
        let (peer, public) = author_of(&actor_for(&key.public().to_peer_id())).unwrap();
        assert_eq!(peer, key.public().to_peer_id());
        assert!(verify_change(&public, "doc-1", &hash, &sig));
        assert!(
            !verify_change(&public, "doc-2", &hash, &sig),
            "another document"
        );
        assert!(!verify_change(&public, "doc-1", &ChangeHash([8; 32]), &sig));
        assert!(!verify_change(&other.public(), "doc-1", &hash, &sig));
        let err = author_of(&ActorId::from(vec![1, 2, 3])).unwrap_err();
        assert_eq!(err.to_string(), "a change's author is not a member id");
    }
}
