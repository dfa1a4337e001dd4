//! The check of new documents arriving together, made on every core (at most 8) before the
//! engine takes them in turn.
//!
//! An initial sync brings thousands of whole documents in a few frames. Loading each one and
//! judging every change in it (signature, form, write rules) depends only on its bytes, its
//! signatures and what the membership log says of its authors, so the documents of a batch are
//! loaded and judged side by side, on worker threads, a window of them at a time ([`window`]). The engine
//! handles the batch in order as before, taking a document's check as made only if the log
//! still says the same of each of its authors; otherwise it judges that document again, as it
//! would have.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{AutoCommit, ChangeHash};
use domain::{Admission, DocMeta, Standing};

use crate::engine::Host;
use crate::parallel::in_parallel;
use crate::protocol::Message;

/// Fewer new documents than this among the messages given are checked in turn, where they are
/// handled.
const AHEAD_FROM: usize = 2;

/// The most bytes of whole documents checked ahead at a time. What a frame's documents inflate
/// to is then never all in memory at once: a document inflates at most about a thousandfold
/// (DEFLATE), and to [`domain::MAX_INFLATED`] at most, so a window holds at most about four
/// documents inflated to that bound (where the check in turn held one), or hundreds of
/// ordinary ones.
const WINDOW_BYTES: usize = 512 * 1024;

/// The most messages checked ahead at a time.
const WINDOW_MESSAGES: usize = 256;

/// Where the window of messages to check ahead that starts at `start` ends (exclusive; at least
/// one message).
pub(crate) fn window(msgs: &[Option<Message>], start: usize) -> usize {
    let mut bytes = 0;
    let mut end = start;
    while end < msgs.len() && end - start < WINDOW_MESSAGES {
        if let Some(Message::Doc { bytes: doc, .. }) = &msgs[end] {
            if end > start && bytes + doc.len() > WINDOW_BYTES {
                break;
            }
            bytes += doc.len();
        }
        end += 1;
    }
    end.max((start + 1).min(msgs.len()))
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
    authors: BTreeSet<String>,
}

/// For each of `msgs` (a slice of a batch), its check made ahead: for the first copy of each
/// whole document the host does not hold, when there are at least [`AHEAD_FROM`] of them;
/// `None` for everything else, and for a document whose bytes or header do not load (the engine
/// then finds and answers that itself).
pub(crate) fn batch<H: Host>(host: &mut H, msgs: &[Option<Message>]) -> Vec<Option<Prechecked>> {
    let mut out: Vec<Option<Prechecked>> = msgs.iter().map(|_| None).collect();
    let mut seen = BTreeSet::new();
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
            let standings = crate::engine::standings_of(host, loaded.authors.iter().cloned());
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
    let authors = crate::engine::authors_of(&mut doc);
    Some(Loaded {
        doc,
        meta,
        theirs,
        authors,
    })
}

#[cfg(test)]
mod tests {
    use super::{WINDOW_BYTES, WINDOW_MESSAGES, window};
    use crate::protocol::Message;

    fn doc(len: usize) -> Option<Message> {
        Some(Message::Doc {
            doc: "d".into(),
            bytes: vec![0; len],
            sigs: Default::default(),
        })
    }

    #[test]
    fn a_window_holds_at_most_its_bytes_of_documents_and_at_least_one_message() {
        // Four documents of 200 KiB: two fit in 512 KiB, then the next window starts.
        let big: Vec<_> = (0..4).map(|_| doc(200 * 1024)).collect();
        assert_eq!(window(&big, 0), 2);
        assert_eq!(window(&big, 2), 4);
        // One document larger than the window still makes a window of its own.
        let huge = vec![doc(WINDOW_BYTES + 1), doc(10)];
        assert_eq!(window(&huge, 0), 1);
        assert_eq!(window(&huge, 1), 2);
        // Small documents: at most so many messages, other messages counted but not weighed.
        let small: Vec<_> = (0..1000)
            .map(|i| {
                if i % 2 == 0 {
                    doc(1000)
                } else {
                    Some(Message::LogHeads(Vec::new()))
                }
            })
            .collect();
        assert_eq!(window(&small, 0), WINDOW_MESSAGES);
        assert_eq!(window(&small, 900), 1000);
        assert_eq!(window(&[], 0), 0);
    }
}
