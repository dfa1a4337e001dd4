//! Typed documents on Automerge: create, load, hydrate and change a document through its
//! model, with the header verified every time a document is read.

use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{ActorId, AutoCommit, LoadOptions, OnPartialLoad, TextEncoding, VerificationMode};
use autosurgeon::{Hydrate, Reconcile};
use libp2p_identity::PeerId;

use crate::chunks::{MAX_INFLATED, check_inflation};
use crate::{Author, DocKind, DocMeta, DomainError};

/// A model stored as the root of one Automerge document.
pub trait TypedDoc: Hydrate + Reconcile + Clone + PartialEq + Sized {
    /// The kind of document this model is stored in.
    const KIND: DocKind;
    /// The signed header.
    fn meta(&self) -> &DocMeta;
    /// Checks the model's own invariants (beyond the header). Run before every write and after
    /// every read.
    fn validate(&self) -> Result<(), DomainError> {
        Ok(())
    }
    /// The write rules of this kind: whether `by` may turn `before` (None: the change creates
    /// the document) into `after`. Callers use [`crate::check_write`], which applies the rules
    /// common to every kind first.
    fn check_write(before: Option<&Self>, after: &Self, by: Author<'_>) -> Result<(), DomainError>;
    /// Whether [`TypedDoc::read_touched`] reads this kind partially.
    const READ_TOUCHED: bool = false;
    /// For a document whose rules judge each keyed entry on its own (the workspace): the model
    /// holding only the entries `touched` names (besides the header and the plain fields), read
    /// from `doc`; `None` when this kind is always read whole. A change to a large document is
    /// then judged on what it touches instead of on the whole model twice.
    fn read_touched<D: autosurgeon::ReadDoc>(
        _doc: &D,
        _touched: &crate::admit::Touched,
    ) -> Option<Result<Self, DomainError>> {
        None
    }
}

/// The Automerge actor id of a device: the bytes of its `PeerId`, so that every change names
/// the device key that made it.
pub fn actor_for(device: &PeerId) -> ActorId {
    ActorId::from(device.to_bytes())
}

/// Text positions count UTF-8 bytes, the unit autosurgeon's `Text` edits in; with Automerge's
/// native default (code points) an edit after a non-ASCII character lands at the wrong place or
/// fails. Every document is created and loaded with this encoding.
const TEXT_ENCODING: TextEncoding = TextEncoding::Utf8CodeUnit;

/// Loads untrusted bytes (one or more concatenated chunks) strictly: any partial load is an
/// error, head hashes are checked, compressed parts may inflate to at most [`MAX_INFLATED`]
/// bytes, and a panic inside Automerge is contained.
pub fn load_doc(bytes: &[u8]) -> Result<AutoCommit, DomainError> {
    check_inflation(bytes, &mut MAX_INFLATED.clone())?;
    load_stored(bytes)
}

/// Loads bytes this device stored itself, which were measured by [`load_doc`] or by the sync
/// engine when they came in: as strict as [`load_doc`] but without inflating compressed parts
/// a second time, so reads and writes of the store do not pay for the check.
pub fn load_stored(bytes: &[u8]) -> Result<AutoCommit, DomainError> {
    let options = LoadOptions::new()
        .on_partial_load(OnPartialLoad::Error)
        .verification_mode(VerificationMode::Check)
        .text_encoding(TEXT_ENCODING);
    catch_unwind(AssertUnwindSafe(|| {
        AutoCommit::load_with_options(bytes, options)
    }))
    .map_err(|_| DomainError::Corrupt("loading panicked".into()))?
    .map_err(|e| DomainError::Corrupt(e.to_string()))
}

/// Whether two sets of heads are the same, whatever their order.
pub fn same_heads(a: &[automerge::ChangeHash], b: &[automerge::ChangeHash]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

/// Creates a new document holding `model`, written by `actor`.
pub fn create<T: TypedDoc>(actor: ActorId, model: &T) -> Result<AutoCommit, DomainError> {
    model.meta().verify()?;
    check_kind::<T>(model.meta())?;
    model.validate()?;
    let mut doc = AutoCommit::new_with_encoding(TEXT_ENCODING).with_actor(actor);
    autosurgeon::reconcile(&mut doc, model).map_err(|e| schema::<T>(e.to_string()))?;
    Ok(doc)
}

/// Loads a document from stored or received bytes (one or more concatenated chunks), verifies
/// it and returns it with its model. A panic inside Automerge on hostile bytes is contained and
/// reported as [`DomainError::Corrupt`].
pub fn load<T: TypedDoc>(bytes: &[u8], actor: ActorId) -> Result<(AutoCommit, T), DomainError> {
    let doc = load_doc(bytes)?.with_actor(actor);
    let model = hydrate_doc::<T>(&doc)?;
    Ok((doc, model))
}

/// Reads the model out of a document and verifies its header and invariants.
pub fn hydrate_doc<T: TypedDoc>(doc: &AutoCommit) -> Result<T, DomainError> {
    let model: T = hydrate_unverified(doc)?;
    model.meta().verify()?;
    check_kind::<T>(model.meta())?;
    model.validate()?;
    Ok(model)
}

/// Reads the model out of a document whose header is `header`, a header already verified
/// (by [`read_meta`] or [`DocMeta::verify`]): the model's header must equal it, which makes a
/// second signature check unnecessary; the kind and the model's invariants are checked.
pub fn hydrate_with_header<T: TypedDoc>(
    doc: &AutoCommit,
    header: &DocMeta,
) -> Result<T, DomainError> {
    let model: T = hydrate_unverified(doc)?;
    if model.meta() != header {
        return Err(DomainError::Corrupt(format!(
            "document {} does not carry the header it was checked with",
            header.id
        )));
    }
    check_kind::<T>(model.meta())?;
    model.validate()?;
    Ok(model)
}

fn hydrate_unverified<T: TypedDoc>(doc: &AutoCommit) -> Result<T, DomainError> {
    catch_unwind(AssertUnwindSafe(|| autosurgeon::hydrate(doc)))
        .map_err(|_| schema::<T>("reading the document panicked".into()))?
        .map_err(|e| schema::<T>(e.to_string()))
}

/// Applies `edit`, made by `by`, to the model of `doc` and writes the difference back as one
/// Automerge change. If `edit`, validation or the write rules refuse, the document is left
/// exactly as it was. The header is immutable: an edit that touches it is refused.
pub fn change<T: TypedDoc, R>(
    doc: &mut AutoCommit,
    by: Author<'_>,
    edit: impl FnOnce(&mut T) -> Result<R, DomainError>,
) -> Result<R, DomainError> {
    let before = hydrate_doc::<T>(doc)?;
    let mut model = before.clone();
    let out = edit(&mut model)?;
    if model.meta() != before.meta() {
        return Err(DomainError::invalid(
            "a document's header cannot be changed",
        ));
    }
    model.validate()?;
    // The same rules every other device applies to this change when it arrives.
    crate::check_write(Some(&before), &model, by)?;
    autosurgeon::reconcile(doc, &model).map_err(|e| schema::<T>(e.to_string()))?;
    Ok(out)
}

/// A copy of `doc` that writes as another device (a second replica, for merging).
pub fn fork_for(doc: &mut AutoCommit, device: &PeerId) -> AutoCommit {
    doc.fork().with_actor(actor_for(device))
}

fn check_kind<T: TypedDoc>(meta: &DocMeta) -> Result<(), DomainError> {
    if meta.doc_kind()? == T::KIND {
        Ok(())
    } else {
        Err(schema::<T>(format!("it is a {} document", meta.kind)))
    }
}

fn schema<T: TypedDoc>(reason: String) -> DomainError {
    DomainError::Schema {
        kind: T::KIND.as_str(),
        reason,
    }
}

/// Reads and verifies the header of a document of any kind (for bytes from a peer, before
/// anything else is trusted).
pub fn read_meta(doc: &AutoCommit) -> Result<DocMeta, DomainError> {
    let meta = hydrate_meta(doc)?;
    meta.verify()?;
    Ok(meta)
}

/// Checks that `doc` still carries `header`, a header already verified: what a document that
/// gained changes from a peer must pass (the header is immutable), without checking the
/// signature again.
pub fn has_header(doc: &AutoCommit, header: &DocMeta) -> Result<(), DomainError> {
    if hydrate_meta(doc)? == *header {
        Ok(())
    } else {
        Err(DomainError::invalid(format!(
            "document {} would change its header",
            header.id
        )))
    }
}

fn hydrate_meta(doc: &AutoCommit) -> Result<DocMeta, DomainError> {
    catch_unwind(AssertUnwindSafe(|| {
        autosurgeon::hydrate_prop(doc, automerge::ROOT, "meta")
    }))
    .map_err(|_| DomainError::Corrupt("reading the header panicked".into()))?
    .map_err(|e| DomainError::Corrupt(format!("no valid header: {e}")))
}

/// Reads the header of a document of any kind and checks the whole document against the model
/// of that kind (what every untrusted or stored document must pass before it is used).
pub fn check_any(doc: &AutoCommit) -> Result<DocMeta, DomainError> {
    let meta = read_meta(doc)?;
    check_model(doc, &meta)?;
    Ok(meta)
}

/// Checks the whole document against the model of its kind, given its header already verified
/// (see [`hydrate_with_header`]).
pub fn check_model(doc: &AutoCommit, header: &DocMeta) -> Result<(), DomainError> {
    match header.doc_kind()? {
        DocKind::Workspace => hydrate_with_header::<crate::Workspace>(doc, header).map(drop),
        DocKind::Note => hydrate_with_header::<crate::Note>(doc, header).map(drop),
        DocKind::Thread => hydrate_with_header::<crate::Thread>(doc, header).map(drop),
        DocKind::Mentoring => hydrate_with_header::<crate::Mentoring>(doc, header).map(drop),
        DocKind::Review => hydrate_with_header::<crate::Review>(doc, header).map(drop),
        DocKind::Session => hydrate_with_header::<crate::Session>(doc, header).map(drop),
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc};
    use libp2p_identity::Keypair;

    use super::*;
    use crate::{Note, Scope};

    fn signed(key: &Keypair, id: &str) -> DocMeta {
        DocMeta::new_signed(key, id, DocKind::Note, &Scope::Workspace, "ws", 1, &[]).unwrap()
    }

    #[test]
    fn a_document_is_checked_against_the_header_it_was_verified_with() {
        let key = Keypair::generate_ed25519();
        let meta = signed(&key, "n1");
        let model = Note::new(meta.clone(), "Title", "Body", &[], &[]).unwrap();
        let mut doc = create(actor_for(&key.public().to_peer_id()), &model).unwrap();
        has_header(&doc, &meta).unwrap();
        check_model(&doc, &meta).unwrap();

        // Another header for the same id (another creator): refused by both checks.
        let other = signed(&Keypair::generate_ed25519(), "n1");
        assert!(has_header(&doc, &other).is_err());
        assert!(check_model(&doc, &other).is_err());
        assert!(hydrate_with_header::<Note>(&doc, &other).is_err());

        // A change that rewrites the header (what a hostile peer could send) is caught.
        let header = match doc.get(ROOT, "meta").unwrap() {
            Some((_, obj)) => obj,
            None => panic!("the document has a header"),
        };
        doc.put(&header, "scope", "private").unwrap();
        assert!(has_header(&doc, &meta).is_err());
        assert!(check_model(&doc, &meta).is_err());
    }
}
