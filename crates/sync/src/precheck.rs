//! The check of new documents arriving together, made on every core before the engine takes
//! them in turn.
//!
//! An initial sync brings thousands of whole documents in a few frames. Loading each one and
//! judging every change in it (signature, form, write rules) depends only on its bytes, its
//! signatures and what the membership log says of its authors, so the documents of a batch are
//! loaded and judged side by side, on worker threads, a few at a time ([`window`]). The engine
//! handles the batch in order as before, taking a document's check as made only if the log
//! still says the same of each of its authors; otherwise it judges that document again, as it
//! would have.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{AutoCommit, ChangeHash};
use domain::{Admission, DocMeta, Standing};

use crate::engine::Host;
use crate::protocol::Message;

/// Fewer new documents than this among the messages given are checked in turn, where they are
/// handled.
const AHEAD_FROM: usize = 2;

/// The most worker threads.
const MAX_WORKERS: usize = 8;

/// The worker threads to use: one per core, at most [`MAX_WORKERS`].
fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_WORKERS)
}

/// How many messages of a batch to check ahead at a time: two documents per worker, so that
/// what a frame's documents inflate to is never all in memory at once (each is bounded by
/// [`domain::check_inflation`]).
pub(crate) fn window() -> usize {
    2 * workers()
}

/// A new document loaded and judged ahead of its turn.
pub(crate) struct Prechecked {
    /// The heads of the document as it arrived.
    pub(crate) theirs: Vec<ChangeHash>,
    /// Its verified header.
    pub(crate) meta: DocMeta,
    /// What the log said of each author of its changes when it was judged.
    pub(crate) standings: BTreeMap<String, Standing>,
    /// The document made of the changes that passed.
    pub(crate) admitted: AutoCommit,
    /// What the check said.
    pub(crate) admission: Admission,
}

/// A document loaded with a verified header, and the authors of its changes.
struct Loaded {
    doc: AutoCommit,
    meta: DocMeta,
    theirs: Vec<ChangeHash>,
    authors: Vec<String>,
}

/// For each of `msgs` (a slice of a batch), its check made ahead: for the first copy of each
/// whole document the host does not hold, when there are at least [`AHEAD_FROM`] of them;
/// `None` for everything else, and for a document whose bytes or header do not load (the engine
/// then finds and answers that itself).
pub(crate) fn batch<H: Host>(host: &mut H, msgs: &[Option<Message>]) -> Vec<Option<Prechecked>> {
    let mut out: Vec<Option<Prechecked>> = msgs.iter().map(|_| None).collect();
    let mut seen = std::collections::BTreeSet::new();
    let new: Vec<(usize, &[u8], &domain::signing::Signatures)> = msgs
        .iter()
        .enumerate()
        .filter_map(|(i, m)| match m {
            Some(Message::Doc { doc, bytes, sigs })
                if seen.insert(doc.as_str()) && host.meta(doc).is_none() =>
            {
                Some((i, bytes.as_slice(), sigs))
            }
            _ => None,
        })
        .collect();
    if new.len() < AHEAD_FROM {
        return out;
    }
    let loaded = in_parallel(new, |(i, bytes, sigs)| {
        load(bytes).map(|loaded| (i, loaded, sigs))
    });
    // What the log says of each author, read here (the host stays on this thread).
    let judged: Vec<_> = loaded
        .into_iter()
        .flatten()
        .map(|(i, loaded, sigs)| {
            let standings: BTreeMap<String, Standing> = loaded
                .authors
                .iter()
                .map(|a| (a.clone(), host.standing(a)))
                .collect();
            (i, loaded, sigs, standings)
        })
        .collect();
    let checked = in_parallel(judged, |(i, loaded, sigs, standings)| {
        let standing = |m: &str| standings.get(m).copied().unwrap_or(Standing::Unknown);
        let Loaded {
            doc, meta, theirs, ..
        } = loaded;
        let admitted = catch_unwind(AssertUnwindSafe(|| {
            domain::admit_whole(doc, &meta, sigs, &standing)
        }))
        .ok()?;
        let (admitted, admission) = admitted;
        Some((
            i,
            Prechecked {
                theirs,
                meta,
                standings,
                admitted,
                admission,
            },
        ))
    });
    for (i, pre) in checked.into_iter().flatten() {
        out[i] = Some(pre);
    }
    out
}

/// Loads a whole document from a peer and reads its header, as the engine does.
fn load(bytes: &[u8]) -> Option<Loaded> {
    let mut doc = catch_unwind(|| domain::load_doc(bytes)).ok()?.ok()?;
    let meta = domain::read_meta(&doc).ok()?;
    let theirs = doc.get_heads();
    let mut authors: Vec<String> = doc
        .get_changes_meta(&[])
        .iter()
        .filter_map(|c| domain::signing::author_of(&c.actor).ok())
        .map(|(peer, _)| peer.to_string())
        .collect();
    authors.sort();
    authors.dedup();
    Some(Loaded {
        doc,
        meta,
        theirs,
        authors,
    })
}

/// `work` applied to every item on up to one thread per core, results in the items' order.
/// `work` contains its own panics; a worker that fails anyway leaves `None` for its items.
fn in_parallel<T: Send, R: Send>(
    items: Vec<T>,
    work: impl Fn(T) -> Option<R> + Sync,
) -> Vec<Option<R>> {
    let workers = workers();
    if workers <= 1 {
        return items.into_iter().map(work).collect();
    }
    let per = items.len().div_ceil(workers).max(1);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(workers);
    let mut rest = items.into_iter();
    loop {
        let chunk: Vec<T> = rest.by_ref().take(per).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let work = &work;
    std::thread::scope(|scope| {
        let running: Vec<(usize, Option<_>)> = chunks
            .into_iter()
            .map(|chunk| {
                let len = chunk.len();
                let spawned = std::thread::Builder::new()
                    .name("entrepairs-check".into())
                    .spawn_scoped(scope, move || {
                        chunk.into_iter().map(work).collect::<Vec<Option<R>>>()
                    })
                    .ok();
                (len, spawned)
            })
            .collect();
        running
            .into_iter()
            .flat_map(|(len, handle)| match handle.map(|h| h.join()) {
                Some(Ok(results)) => results,
                _ => (0..len).map(|_| None).collect(),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::in_parallel;

    #[test]
    fn results_come_back_in_the_items_order_and_a_failed_item_is_none() {
        let items: Vec<u32> = (0..1000).collect();
        let out = in_parallel(items, |n| (!n.is_multiple_of(7)).then_some(n * 2));
        assert_eq!(out.len(), 1000);
        for (n, got) in out.into_iter().enumerate() {
            let n = n as u32;
            assert_eq!(got, (!n.is_multiple_of(7)).then_some(n * 2));
        }
        assert!(in_parallel(Vec::<u32>::new(), Some).is_empty());
    }
}
