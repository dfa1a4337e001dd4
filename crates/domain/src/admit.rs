//! Admission of changes from outside: the one gate every change from a peer, a file or an
//! import passes before it is applied or stored.
//!
//! Each new change, in causal order, must carry a valid signature by the device its Automerge
//! actor names, that device must be a member the membership log admitted, and the move it makes
//! must pass the write rules of the document's kind ([`crate::check_write`]) for that author,
//! judged on the document as the author saw it: the model at the change's dependencies before,
//! and with the change applied after. A change that fails is refused together with every change
//! that depends on it; the others are applied. Because the verdict on a change depends only on
//! the change, its causal past and facts the log never takes back, every honest device reaches
//! the same verdict whenever and from whomever the change arrives, so honest replicas converge.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeBounds;
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{self as am, AutoCommit, Change, ChangeHash, ObjId, Value};
use libp2p_identity::PublicKey;

use crate::chunks::ChunkKind;
use crate::signing::{Signatures, author_of, verify_change};
use crate::{Author, DocKind, DocMeta, DomainError, TypedDoc, check_write};

/// What the membership log says of a change's author.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Admitted by the log at some point; `admin` if the log ever made them an admin.
    Member {
        /// Ever an admin.
        admin: bool,
    },
    /// Not (yet) known to this device's log.
    Unknown,
}

/// A change refused, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The change.
    pub change: ChangeHash,
    /// Its author's member id, as its actor names it (empty if the actor names none).
    pub author: String,
    /// Why, one sentence.
    pub reason: String,
}

/// What [`admit`] did with a set of incoming changes.
#[derive(Debug, Default)]
pub struct Admission {
    /// Changes applied to the document, in the order they were applied.
    pub accepted: Vec<ChangeHash>,
    /// Changes refused (and the ones depending on them).
    pub refused: Vec<Refusal>,
    /// Changes left aside because their author is not known to this device's log yet (its
    /// entries may still be on their way), with that author; nothing depending on them was
    /// applied either.
    pub waiting: Vec<(ChangeHash, String)>,
    /// Changes whose dependencies are neither held nor among those given: to be judged once
    /// their past arrives.
    pub unresolved: Vec<Change>,
    /// Changes refused because their author already signed another change in that place
    /// (the same sequence number): the author equivocated. An honest device may hold and relay
    /// the other one, so these are the author's doing, not the sender's.
    pub equivocations: Vec<Refusal>,
}

impl Admission {
    /// Whether every change was applied.
    pub fn complete(&self) -> bool {
        self.refused.is_empty()
            && self.waiting.is_empty()
            && self.unresolved.is_empty()
            && self.equivocations.is_empty()
    }
}

/// Checks the changes `incoming` against `doc`, a verified document whose header is `header`
/// (for a document not held yet, an empty document), and applies to `doc` those that pass.
/// Changes `doc` already holds are skipped; changes whose dependencies are neither in `doc` nor
/// among `incoming` are handed back ([`Admission::unresolved`]).
pub fn admit(
    doc: &mut AutoCommit,
    header: &DocMeta,
    incoming: Vec<Change>,
    signatures: &Signatures,
    standing: &dyn Fn(&str) -> Standing,
) -> Admission {
    match header.doc_kind() {
        Ok(DocKind::Workspace) => {
            admit_as::<crate::Workspace>(doc, header, incoming, signatures, standing)
        }
        Ok(DocKind::Note) => admit_as::<crate::Note>(doc, header, incoming, signatures, standing),
        Ok(DocKind::Thread) => {
            admit_as::<crate::Thread>(doc, header, incoming, signatures, standing)
        }
        Ok(DocKind::Mentoring) => {
            admit_as::<crate::Mentoring>(doc, header, incoming, signatures, standing)
        }
        Ok(DocKind::Review) => {
            admit_as::<crate::Review>(doc, header, incoming, signatures, standing)
        }
        Ok(DocKind::Session) => {
            admit_as::<crate::Session>(doc, header, incoming, signatures, standing)
        }
        Err(e) => Admission {
            refused: incoming
                .iter()
                .map(|c| Refusal {
                    change: c.hash(),
                    author: String::new(),
                    reason: e.to_string(),
                })
                .collect(),
            ..Admission::default()
        },
    }
}

/// Admits a whole document from outside, already loaded (with [`crate::load_doc`]) as
/// `loaded`: returns the document made of the changes that passed, and what [`admit`] said.
/// A document of one change (most of what an initial sync brings) is judged as it is loaded;
/// any other is rebuilt change by change, each judged on the state before it.
pub fn admit_whole(
    mut loaded: AutoCommit,
    header: &DocMeta,
    signatures: &Signatures,
    standing: &dyn Fn(&str) -> Standing,
) -> (AutoCommit, Admission) {
    let encoding = am::ReadDoc::text_encoding(&loaded);
    let changes = loaded.get_changes(&[]);
    // Changes whose past is not in the bytes wait in Automerge's queue, out of `changes`: such a
    // document is rebuilt from what was judged, never kept as loaded.
    let orphans = !loaded.get_missing_deps(&[]).is_empty();
    if let [only] = changes.as_slice()
        && only.deps().is_empty()
        && !orphans
    {
        let verdict = judge_alone(&loaded, header, only, signatures, standing);
        return (loaded, verdict);
    }
    let mut fresh = AutoCommit::new_with_encoding(encoding).with_actor(loaded.get_actor().clone());
    let admission = admit(&mut fresh, header, changes, signatures, standing);
    (fresh, admission)
}

/// [`admit`] for a document whose only change is `change`, judged on `doc` as loaded.
fn judge_alone(
    doc: &AutoCommit,
    header: &DocMeta,
    change: &Change,
    signatures: &Signatures,
    standing: &dyn Fn(&str) -> Standing,
) -> Admission {
    let hash = change.hash();
    let mut out = Admission::default();
    let refuse = |author: String, reason: String| Admission {
        refused: vec![Refusal {
            change: hash,
            author,
            reason,
        }],
        ..Admission::default()
    };
    let (author, key) = match author_of(change.actor_id()) {
        Ok((peer, key)) => (peer.to_string(), key),
        Err(e) => return refuse(String::new(), e.to_string()),
    };
    let mut empty = AutoCommit::new_with_encoding(am::ReadDoc::text_encoding(doc));
    match well_formed(&mut empty, change, &mut None) {
        Ok(()) => {}
        Err(Malformed::Equivocation) => return refuse(author, EQUIVOCATION.into()),
        Err(Malformed::Invalid(e)) => return refuse(author, e.to_string()),
    }
    match signatures.get(&hash) {
        None => return refuse(author, "the change is not signed".into()),
        Some(sig) if !verify_change(&key, &header.id, &hash, sig) => {
            return refuse(
                author,
                "the change's signature does not match its author's key".into(),
            );
        }
        Some(_) => {}
    }
    let admin = match standing(&author) {
        Standing::Member { admin } => admin,
        Standing::Unknown => {
            out.waiting.push((hash, author));
            return out;
        }
    };
    let by = Author { id: &author, admin };
    let verdict = match header.doc_kind() {
        Ok(DocKind::Workspace) => creation::<crate::Workspace>(doc, header, by),
        Ok(DocKind::Note) => creation::<crate::Note>(doc, header, by),
        Ok(DocKind::Thread) => creation::<crate::Thread>(doc, header, by),
        Ok(DocKind::Mentoring) => creation::<crate::Mentoring>(doc, header, by),
        Ok(DocKind::Review) => creation::<crate::Review>(doc, header, by),
        Ok(DocKind::Session) => creation::<crate::Session>(doc, header, by),
        Err(e) => Err(e),
    };
    match verdict {
        Ok(()) => {
            out.accepted.push(hash);
            out
        }
        Err(e) => refuse(author, e.to_string()),
    }
}

/// The write rules for a document created, as `doc` holds it, by `by`.
fn creation<T: TypedDoc>(
    doc: &AutoCommit,
    header: &DocMeta,
    by: Author<'_>,
) -> Result<(), DomainError> {
    let model = read::<T, _>(doc, header)?;
    model.validate()?;
    check_write::<T>(None, &model, by)
}

/// The changes held in the parts of a sync message from outside (already measured with
/// [`crate::check_inflation`]): change chunks, bundles of changes, or a whole document's
/// chunk, alone or concatenated.
pub fn changes_in<'a>(parts: impl Iterator<Item = &'a [u8]>) -> Result<Vec<Change>, DomainError> {
    let bad = |e: String| DomainError::Corrupt(format!("invalid changes: {e}"));
    let mut out = Vec::new();
    for part in parts {
        for (kind, chunk) in crate::chunks::split(part)? {
            let read = catch_unwind(AssertUnwindSafe(|| match kind {
                ChunkKind::Change => Change::from_bytes(chunk.to_vec())
                    .map(|c| vec![c])
                    .map_err(|e| bad(e.to_string())),
                ChunkKind::Bundle => am::Bundle::try_from(chunk)
                    .map_err(|e| bad(e.to_string()))?
                    .to_changes()
                    .map_err(|e| bad(e.to_string())),
                ChunkKind::Document => Ok(crate::load_stored(chunk)?.get_changes(&[])),
            }))
            .map_err(|_| DomainError::Corrupt("reading changes panicked".into()))??;
            out.extend(read);
        }
    }
    Ok(out)
}

/// Orders `changes` so that each follows those of its dependencies that are in the set (Kahn's
/// algorithm, ties by hash, so the order does not depend on the order they arrived in).
fn causal_order(changes: Vec<Change>) -> Vec<Change> {
    let mut by_hash: BTreeMap<ChangeHash, Change> =
        changes.into_iter().map(|c| (c.hash(), c)).collect();
    let mut waiting: BTreeMap<ChangeHash, usize> = BTreeMap::new();
    let mut followers: BTreeMap<ChangeHash, Vec<ChangeHash>> = BTreeMap::new();
    for (hash, change) in &by_hash {
        let inside: BTreeSet<ChangeHash> = change
            .deps()
            .iter()
            .filter(|d| by_hash.contains_key(d))
            .copied()
            .collect();
        waiting.insert(*hash, inside.len());
        for dep in inside {
            followers.entry(dep).or_default().push(*hash);
        }
    }
    let mut ready: BTreeSet<ChangeHash> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(h, _)| *h)
        .collect();
    let mut out = Vec::with_capacity(by_hash.len());
    while let Some(hash) = ready.pop_first() {
        for f in followers.get(&hash).into_iter().flatten() {
            if let Some(n) = waiting.get_mut(f) {
                *n -= 1;
                if *n == 0 {
                    ready.insert(*f);
                }
            }
        }
        if let Some(change) = by_hash.remove(&hash) {
            out.push(change);
        }
    }
    // What is left is in a dependency cycle, which valid hashes cannot form: nothing to apply.
    out
}

/// Sorted heads, for comparing.
fn sorted(heads: &[ChangeHash]) -> Vec<ChangeHash> {
    let mut h = heads.to_vec();
    h.sort();
    h
}

fn admit_as<T: TypedDoc>(
    doc: &mut AutoCommit,
    header: &DocMeta,
    incoming: Vec<Change>,
    signatures: &Signatures,
    standing: &dyn Fn(&str) -> Standing,
) -> Admission {
    let mut out = Admission::default();
    let actor = doc.get_actor().clone();
    // Changes already held are not judged again.
    let fresh: Vec<Change> = incoming
        .into_iter()
        .filter(|c| doc.get_change_meta_by_hash(&c.hash()).is_none())
        .collect();
    let mut refused: BTreeSet<ChangeHash> = BTreeSet::new();
    let mut waiting: BTreeSet<ChangeHash> = BTreeSet::new();
    let mut keys: BTreeMap<Vec<u8>, (String, PublicKey)> = BTreeMap::new();
    // The model at the document's current heads, when known (a linear history reuses it).
    let mut current: Option<T> = None;
    // How many changes each actor has in the document, read once when first needed.
    let mut seqs: Option<BTreeMap<Vec<u8>, u64>> = None;
    for change in causal_order(fresh) {
        let hash = change.hash();
        let refuse = |out: &mut Admission, author: &str, reason: String| {
            out.refused.push(Refusal {
                change: hash,
                author: author.to_owned(),
                reason,
            });
        };
        if change.deps().iter().any(|d| refused.contains(d)) {
            refused.insert(hash);
            refuse(&mut out, "", DEPENDS_ON_REFUSED.into());
            continue;
        }
        if change.deps().iter().any(|d| waiting.contains(d)) {
            waiting.insert(hash);
            out.waiting.push((hash, String::new()));
            continue;
        }
        if change
            .deps()
            .iter()
            .any(|d| doc.get_change_meta_by_hash(d).is_none())
        {
            // Its past has not arrived: held back until it has, as Automerge would.
            out.unresolved.push(change);
            continue;
        }
        let actor_bytes = change.actor_id().to_bytes().to_vec();
        let (author, key) = match keys.get(&actor_bytes) {
            Some(known) => known.clone(),
            None => match author_of(change.actor_id()) {
                Ok((peer, key)) => {
                    let known = (peer.to_string(), key);
                    keys.insert(actor_bytes, known.clone());
                    known
                }
                Err(e) => {
                    refused.insert(hash);
                    refuse(&mut out, "", e.to_string());
                    continue;
                }
            },
        };
        let Some(signature) = signatures.get(&hash) else {
            refused.insert(hash);
            refuse(&mut out, &author, "the change is not signed".into());
            continue;
        };
        if !verify_change(&key, &header.id, &hash, signature) {
            refused.insert(hash);
            refuse(
                &mut out,
                &author,
                "the change's signature does not match its author's key".into(),
            );
            continue;
        }
        let admin = match standing(&author) {
            Standing::Member { admin } => admin,
            Standing::Unknown => {
                waiting.insert(hash);
                out.waiting.push((hash, author));
                continue;
            }
        };
        match well_formed(doc, &change, &mut seqs) {
            Ok(()) => {}
            Err(Malformed::Equivocation) => {
                refused.insert(hash);
                out.equivocations.push(Refusal {
                    change: hash,
                    author: author.clone(),
                    reason: EQUIVOCATION.into(),
                });
                continue;
            }
            Err(Malformed::Invalid(e)) => {
                refused.insert(hash);
                refuse(&mut out, &author, e.to_string());
                continue;
            }
        }
        let heads_before = doc.get_heads();
        match judge::<T>(
            doc,
            header,
            &change,
            &mut current,
            Author { id: &author, admin },
        ) {
            Ok(()) => {
                if let Some(seqs) = seqs.as_mut() {
                    *seqs
                        .entry(change.actor_id().to_bytes().to_vec())
                        .or_default() += 1;
                }
                out.accepted.push(hash);
            }
            Err(e) => {
                refused.insert(hash);
                refuse(&mut out, &author, e.to_string());
                // The change may have been applied to be judged: go back to the heads before it.
                current = None;
                if doc.get_heads() != heads_before {
                    match doc.fork_at(&heads_before) {
                        Ok(back) => *doc = back.with_actor(actor.clone()),
                        // Unreachable (these heads were the document's a moment ago); refusing
                        // everything left is the safe answer if it ever happens.
                        Err(_) => return out,
                    }
                }
            }
        }
    }
    out
}

/// Why a change is not what Automerge would make.
enum Malformed {
    /// Its author already signed another change with its sequence number.
    Equivocation,
    /// Anything else.
    Invalid(DomainError),
}

/// Why a change built on a refused one is refused.
pub const DEPENDS_ON_REFUSED: &str = "it depends on a refused change";

/// Why an equivocation is refused.
const EQUIVOCATION: &str =
    "its author signed another change in its place (the same sequence number)";

/// Checks that `change` is what Automerge itself would have made on top of its past in `doc`,
/// before anything of it is applied: no Automerge author (Automerge asserts such changes come
/// first), numbered after its author's previous changes in the document and after the
/// operations of its past (Automerge asserts the first and trusts the second), a first change
/// only for an empty document, and every object, list element and overwritten operation it
/// names either in its own causal past or made earlier in the same change. A change that named
/// anything outside its past would be judged on a state where what it touches does not show,
/// yet act on the document as it stands.
fn well_formed(
    doc: &mut AutoCommit,
    change: &Change,
    seqs: &mut Option<BTreeMap<Vec<u8>, u64>>,
) -> Result<(), Malformed> {
    let bad = |what: &str| -> Result<(), Malformed> {
        Err(Malformed::Invalid(DomainError::Forbidden(what.to_owned())))
    };
    if change.author().is_some() {
        return bad("a change may not carry an Automerge author");
    }
    let deps = sorted(change.deps());
    if deps.is_empty() && !doc.get_heads().is_empty() {
        return bad("a document is created once");
    }
    let mut past_max_op = 0;
    for d in &deps {
        match doc.get_change_meta_by_hash(d) {
            Some(meta) => past_max_op = past_max_op.max(meta.max_op),
            None => return bad("a change's past is missing"),
        }
    }
    let start = change.start_op().get();
    if start != past_max_op + 1 {
        return bad("a change must number its operations right after those of its past");
    }
    let actor = change.actor_id().clone();
    let counts = seqs.get_or_insert_with(|| {
        let mut counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for meta in doc.get_changes_meta(&[]) {
            *counts.entry(meta.actor.to_bytes().to_vec()).or_default() += 1;
        }
        counts
    });
    let before = counts.get(actor.to_bytes()).copied().unwrap_or(0);
    if change.seq() <= before {
        return Err(Malformed::Equivocation);
    }
    if change.seq() != before + 1 {
        return bad("a change must follow its author's previous changes in this document");
    }
    let linear = deps == sorted(&doc.get_heads());
    let outside: BTreeSet<ChangeHash> = if linear {
        BTreeSet::new()
    } else {
        doc.get_changes_meta(&deps).iter().map(|c| c.hash).collect()
    };
    let expanded = catch_unwind(AssertUnwindSafe(|| change.decode())).map_err(|_| {
        Malformed::Invalid(DomainError::Corrupt("reading a change panicked".into()))
    })?;
    // What each earlier operation of this change made (true: an object).
    // (Its operations are numbered from `start` on, one after the other.)
    let mut own: Vec<bool> = Vec::with_capacity(expanded.operations.len());
    for op in &expanded.operations {
        let check = |id: &am::legacy::OpId, object: bool| -> Result<(), Malformed> {
            if id.1 == actor && id.0 >= start {
                return match usize::try_from(id.0 - start).ok().and_then(|k| own.get(k)) {
                    Some(made) if *made || !object => Ok(()),
                    _ => bad("a change may only name what its past or its earlier operations made"),
                };
            }
            let Ok(exid) = doc.import_obj(&format!("{}@{}", id.0, id.1)) else {
                return bad("a change may only name what its past made");
            };
            match doc.hash_for_opid(&exid) {
                Some(h) if !outside.contains(&h) => {}
                _ => return bad("a change may only name what its past made"),
            }
            if object && am::ReadDoc::object_type(&*doc, &exid).is_err() {
                return bad("a change may only write into objects");
            }
            Ok(())
        };
        if let am::legacy::ObjectId::Id(id) = &op.obj {
            check(id, true)?;
        }
        if let am::legacy::Key::Seq(am::legacy::ElementId::Id(id)) = &op.key {
            check(id, false)?;
        }
        for p in op.pred.iter() {
            check(p, false)?;
        }
        own.push(matches!(op.action, am::legacy::OpType::Make(_)));
    }
    Ok(())
}

/// Applies `change` to `doc` and checks the move it makes against the write rules. On an
/// error the change may have been applied: the caller takes the document back.
fn judge<T: TypedDoc>(
    doc: &mut AutoCommit,
    header: &DocMeta,
    change: &Change,
    current: &mut Option<T>,
    by: Author<'_>,
) -> Result<(), DomainError> {
    let deps = sorted(change.deps());
    let linear = deps == sorted(&doc.get_heads());
    // A document of keyed entries judged one by one is read only where the change writes.
    let touched = if T::READ_TOUCHED && !deps.is_empty() {
        touched_by(doc, change)
    } else {
        None
    };
    let read_at = |doc: &AutoCommit, heads: &[ChangeHash]| -> Result<T, DomainError> {
        let at = At { doc, heads };
        match &touched {
            Some(t) => checked::<T>(T::read_touched(&at, t), header),
            None => read::<T, _>(&at, header),
        }
    };
    let read_now = |doc: &AutoCommit| -> Result<T, DomainError> {
        match &touched {
            Some(t) => checked::<T>(T::read_touched(doc, t), header),
            None => read::<T, _>(doc, header),
        }
    };
    let before: Option<T> = if deps.is_empty() {
        None
    } else if linear {
        match (current.take(), &touched) {
            (Some(model), None) => Some(model),
            _ => Some(read_now(doc)?),
        }
    } else {
        Some(read_at(doc, &deps)?)
    };
    catch_unwind(AssertUnwindSafe(|| doc.apply_changes([change.clone()])))
        .map_err(|_| DomainError::Corrupt("applying the change panicked".into()))?
        .map_err(|e| DomainError::Corrupt(e.to_string()))?;
    let after: T = if linear {
        read_now(doc)?
    } else {
        let mut heads = deps;
        heads.push(change.hash());
        read_at(doc, &sorted(&heads))?
    };
    after.validate()?;
    check_write::<T>(before.as_ref(), &after, by)?;
    // Only a linear change read whole leaves the model at the document's heads; after any
    // other, the next change reads it afresh.
    *current = if linear && touched.is_none() {
        Some(after)
    } else {
        None
    };
    Ok(())
}

/// A partial read ([`TypedDoc::read_touched`]), which must carry exactly `header`.
fn checked<T: TypedDoc>(
    read: Option<Result<T, DomainError>>,
    header: &DocMeta,
) -> Result<T, DomainError> {
    let model = read.ok_or_else(|| DomainError::Corrupt("no partial read".into()))??;
    if model.meta() != header {
        return Err(DomainError::Forbidden(
            "a change may not alter a document's signed header".into(),
        ));
    }
    Ok(model)
}

/// The model of `doc` as `header`'s kind, which must carry exactly `header`.
fn read<T: TypedDoc, D: autosurgeon::ReadDoc>(doc: &D, header: &DocMeta) -> Result<T, DomainError> {
    let model: T = catch_unwind(AssertUnwindSafe(|| autosurgeon::hydrate(doc)))
        .map_err(|_| DomainError::Corrupt("reading the document panicked".into()))?
        .map_err(|e| DomainError::Schema {
            kind: T::KIND.as_str(),
            reason: e.to_string(),
        })?;
    if model.meta() != header {
        return Err(DomainError::Forbidden(
            "a change may not alter a document's signed header".into(),
        ));
    }
    Ok(model)
}

/// The entries of a document one change touches, by top-level field: a whole field, or some
/// keys of a field that is a map of entries.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Touched {
    /// Fields touched as a whole (the change wrote the field itself).
    pub whole: BTreeSet<String>,
    /// Keys touched inside map fields.
    pub entries: BTreeMap<String, BTreeSet<String>>,
}

impl Touched {
    /// The keys of `field` to read: `None` for the whole field, an empty set for none.
    pub fn keys(&self, field: &str) -> Option<BTreeSet<String>> {
        if self.whole.contains(field) {
            return None;
        }
        Some(self.entries.get(field).cloned().unwrap_or_default())
    }
}

/// What `change` touches in `doc` (which holds the change's past): for each operation, the
/// first two steps of the path from the root to what it writes. `None` when any step cannot be
/// told for sure: the document is then read whole, never judged on less than the change wrote.
fn touched_by(doc: &AutoCommit, change: &Change) -> Option<Touched> {
    let expanded = catch_unwind(AssertUnwindSafe(|| change.decode())).ok()?;
    let actor = expanded.actor_id.clone();
    let start = expanded.start_op.get();
    // Objects this change creates, by op id: where it puts them.
    let mut created: BTreeMap<(u64, Vec<u8>), (am::legacy::ObjectId, am::legacy::Key)> =
        BTreeMap::new();
    for (i, op) in expanded.operations.iter().enumerate() {
        if matches!(op.action, am::legacy::OpType::Make(_)) {
            created.insert(
                (start + i as u64, actor.to_bytes().to_vec()),
                (op.obj.clone(), op.key.clone()),
            );
        }
    }
    let mut out = Touched::default();
    for op in &expanded.operations {
        // The path below the first object that existed before this change, innermost last.
        let mut below: Vec<am::legacy::Key> = vec![op.key.clone()];
        let mut obj = op.obj.clone();
        let mut path: Vec<String> = loop {
            match obj {
                am::legacy::ObjectId::Root => break Vec::new(),
                am::legacy::ObjectId::Id(ref id) => {
                    let key = (id.0, id.1.to_bytes().to_vec());
                    if let Some((parent, k)) = created.get(&key) {
                        below.push(k.clone());
                        obj = parent.clone();
                        continue;
                    }
                    let exid = doc.import_obj(&format!("{}@{}", id.0, id.1)).ok()?;
                    let mut steps: Vec<String> = Vec::new();
                    for parent in am::ReadDoc::parents(doc, &exid).ok()? {
                        match parent.prop {
                            am::Prop::Map(k) => steps.push(k),
                            am::Prop::Seq(_) => steps.push(String::new()),
                        }
                    }
                    steps.reverse();
                    break steps;
                }
            }
        };
        for key in below.into_iter().rev() {
            match key {
                am::legacy::Key::Map(k) => path.push(k.to_string()),
                am::legacy::Key::Seq(_) => path.push(String::new()),
            }
        }
        match path.as_slice() {
            [] => return None,
            [field] => {
                out.whole.insert(field.clone());
            }
            [field, entry, ..] if entry.is_empty() => {
                out.whole.insert(field.clone());
            }
            [field, entry, ..] => {
                out.entries
                    .entry(field.clone())
                    .or_default()
                    .insert(entry.clone());
            }
        }
    }
    Some(out)
}

/// A document read as it was at `heads`.
struct At<'a> {
    doc: &'a AutoCommit,
    heads: &'a [ChangeHash],
}

impl autosurgeon::ReadDoc for At<'_> {
    type Parents<'a>
        = am::Parents<'a>
    where
        Self: 'a;

    fn get_heads(&self) -> Vec<ChangeHash> {
        self.heads.to_vec()
    }

    fn get<P: Into<am::Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(Value<'_>, ObjId)>, am::AutomergeError> {
        am::ReadDoc::get_at(self.doc, obj, prop, self.heads)
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<am::ObjType> {
        am::ReadDoc::object_type(self.doc, obj).ok()
    }

    fn map_range<'a, O, R>(&'a self, obj: O, range: R) -> am::iter::MapRange<'a>
    where
        R: RangeBounds<String> + 'a,
        O: AsRef<ObjId>,
        R: RangeBounds<String>,
    {
        am::ReadDoc::map_range_at(self.doc, obj, range, self.heads)
    }

    fn list_range<O: AsRef<ObjId>, R: RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> am::iter::ListRange<'_> {
        am::ReadDoc::list_range_at(self.doc, obj, range, self.heads)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        am::ReadDoc::length_at(self.doc, obj, self.heads)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, am::AutomergeError> {
        am::ReadDoc::text_at(self.doc, obj, self.heads)
    }

    fn parents<O: AsRef<ObjId>>(&self, obj: O) -> Result<Self::Parents<'_>, am::AutomergeError> {
        am::ReadDoc::parents_at(self.doc, obj, self.heads)
    }

    fn is_empty(&self) -> bool {
        am::ReadDoc::keys_at(self.doc, am::ROOT, self.heads).count() == 0
    }
}
