//! One peer's sync logic, as a state machine with no IO.
//!
//! The network layer reports events (a verified peer connected, a frame arrived, a peer left)
//! and local changes; the engine answers with outputs (frames to send, peers to drop). The
//! documents themselves stay with the [`Host`], which also says who may hold what.
//!
//! Rules the engine guarantees:
//! - a peer that is not a current member gets nothing, not even a document id, and is dropped;
//! - a document is mentioned to a peer (in a summary or a sync message) only if both this member
//!   and that peer may hold it; a message about any other document is ignored;
//! - a document received for the first time is handed to the host only once its signed header
//!   has arrived, verifies, and entitles both sides;
//! - a panic inside Automerge on a peer's message is contained: that peer is dropped and the
//!   document is reloaded from storage by the host.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use domain::DocMeta;
use sha2::{Digest, Sha256};

use crate::protocol::{DocDigest, Message, summary_digest};

/// What the engine needs from the device it runs on.
pub trait Host {
    /// Whether `member` is a current member of the workspace.
    fn is_member(&self, member: &str) -> bool;
    /// Whether `member` may hold a document with this (verified) header.
    fn may_hold(&self, member: &str, meta: &DocMeta) -> bool;
    /// This device's member id.
    fn me(&self) -> String;
    /// Ids of every document held.
    fn doc_ids(&self) -> Vec<String>;
    /// The verified header of a held document.
    fn meta(&mut self, doc: &str) -> Option<DocMeta>;
    /// A held document.
    fn doc_mut(&mut self, doc: &str) -> Option<&mut AutoCommit>;
    /// [`heads_digest`] of a held document (a host may answer it without loading the document).
    fn digest(&mut self, doc: &str) -> Option<[u8; 32]> {
        self.doc_mut(doc).map(heads_digest)
    }
    /// A new document arrived whole with a verified header both sides may hold. Returns false
    /// if the host refuses it (its model does not validate, say).
    fn insert(&mut self, doc: AutoCommit, meta: DocMeta) -> bool;
    /// The heads of a held document (by default, loaded through [`Host::doc_mut`]).
    fn heads(&mut self, doc: &str) -> Option<Vec<ChangeHash>> {
        self.doc_mut(doc).map(|d| d.get_heads())
    }
    /// The saved bytes of a held document (sent whole to a peer that lacks it).
    fn saved(&mut self, doc: &str) -> Option<Vec<u8>>;
    /// A held document gained changes from a peer; persist them.
    fn changed(&mut self, doc: &str);
    /// A held document may be damaged in memory (Automerge panicked on it): reload it from
    /// storage.
    fn reload(&mut self, doc: &str);
    /// What `peer` holds of what it shares with us, as it announced it (its summary, or ours
    /// when its digest matched): kept for `status`.
    fn announced(&mut self, _peer: &str, _docs: &[DocDigest]) {}
}

/// What the network layer must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send a frame to a peer.
    Send {
        /// The peer.
        to: String,
        /// The message.
        msg: Message,
    },
    /// Close the connection with a peer.
    Disconnect {
        /// The peer.
        peer: String,
        /// Why, for the logs.
        reason: String,
    },
}

#[derive(Default)]
struct Session {
    states: BTreeMap<String, sync::State>,
    /// Documents that went whole between us, with the heads both sides then held: their sync
    /// state starts from these heads when first needed (a few bytes each, where a sync state
    /// for each of thousands of documents would weigh on a serving peer's memory).
    whole: BTreeMap<String, Vec<ChangeHash>>,
    /// Documents this peer is sending us that we do not hold yet (header not seen yet).
    incoming: BTreeMap<String, AutoCommit>,
}

impl Session {
    /// The sync state for `doc`, started from the heads of a whole-document transfer if one
    /// happened, from nothing otherwise.
    fn state(&mut self, doc: &str) -> &mut sync::State {
        state_in(&mut self.states, &mut self.whole, doc)
    }
}

/// [`Session::state`] over the session's fields, so that its other fields stay free to borrow.
fn state_in<'a>(
    states: &'a mut BTreeMap<String, sync::State>,
    whole: &mut BTreeMap<String, Vec<ChangeHash>>,
    doc: &str,
) -> &'a mut sync::State {
    states
        .entry(doc.to_owned())
        .or_insert_with(|| whole.remove(doc).map(seeded).unwrap_or_default())
}

/// Groups the outputs of one engine call into frames: the messages to the same peer travel
/// together, in order, as [`Message::Batch`]es of at most `max_bytes` of encoded messages (a
/// single larger message goes alone, a lone message unbatched); a disconnection follows the
/// messages queued for that peer before it. Batches are never nested.
pub fn batched(outputs: Vec<Output>, max_bytes: usize) -> Vec<Output> {
    fn frame(to: String, mut msgs: Vec<Message>) -> Output {
        let msg = if msgs.len() == 1 {
            msgs.remove(0)
        } else {
            Message::Batch(msgs)
        };
        Output::Send { to, msg }
    }
    let mut frames = Vec::new();
    // Per peer, in order of first message: its queued messages and their encoded size.
    let mut pending: Vec<(String, Vec<Message>, usize)> = Vec::new();
    for out in outputs {
        match out {
            Output::Send { to, msg } => {
                let size = msg.encoded_len();
                let at = match pending.iter().position(|(p, _, _)| *p == to) {
                    Some(at) => at,
                    None => {
                        pending.push((to.clone(), Vec::new(), 0));
                        pending.len() - 1
                    }
                };
                if pending[at].2 + size > max_bytes && !pending[at].1.is_empty() {
                    let msgs = std::mem::take(&mut pending[at].1);
                    pending[at].2 = 0;
                    frames.push(frame(to, msgs));
                }
                pending[at].1.push(msg);
                pending[at].2 += size;
            }
            Output::Disconnect { peer, reason } => {
                if let Some(at) = pending.iter().position(|(p, _, _)| *p == peer) {
                    let (to, msgs, _) = pending.remove(at);
                    frames.push(frame(to, msgs));
                }
                frames.push(Output::Disconnect { peer, reason });
            }
        }
    }
    // A peer's queue is never empty: it is created with, and refilled by, a message.
    frames.extend(pending.into_iter().map(|(to, msgs, _)| frame(to, msgs)));
    frames
}

/// The sync state machine of one device.
#[derive(Default)]
pub struct Engine {
    sessions: BTreeMap<String, Session>,
}

/// SHA-256 of a document's sorted heads.
pub fn heads_digest(doc: &mut AutoCommit) -> [u8; 32] {
    digest_of(&doc.get_heads())
}

/// [`heads_digest`] of heads already at hand.
pub fn digest_of(heads: &[ChangeHash]) -> [u8; 32] {
    let mut heads = heads.to_vec();
    heads.sort();
    let mut h = Sha256::new();
    for head in heads {
        h.update(head.0);
    }
    h.finalize().into()
}

/// The documents this device shares with `peer`, with their heads digests, sorted by id.
/// What applying a peer's message to a held document did.
enum Applied {
    /// The host does not hold it (any more).
    Missing,
    /// Automerge refused the message.
    Refused,
    /// Automerge panicked; the host reloads the stored copy.
    Panicked,
    /// Applied; `grew` if the document gained changes.
    Done { grew: bool },
}

/// Applies `apply` to the host's copy of `doc` with any panic contained (the copy may then be
/// inconsistent, so the host reloads what is stored).
fn apply_to_held<H: Host>(
    host: &mut H,
    doc: &str,
    apply: impl FnOnce(&mut AutoCommit) -> Result<(), automerge::AutomergeError>,
) -> Applied {
    let Some(held) = host.doc_mut(doc) else {
        return Applied::Missing;
    };
    let before = held.get_heads();
    match catch_unwind(AssertUnwindSafe(|| apply(held))) {
        Ok(Ok(())) => Applied::Done {
            grew: held.get_heads() != before,
        },
        Ok(Err(_)) => Applied::Refused,
        Err(_) => {
            host.reload(doc);
            Applied::Panicked
        }
    }
}

/// A sync state as it stands after a completed sync at `heads`: both sides hold them, nothing
/// is needed, nothing in flight. Used after a whole document went from one side to the other.
fn seeded(heads: Vec<ChangeHash>) -> sync::State {
    let mut state = sync::State::new();
    state.shared_heads.clone_from(&heads);
    state.last_sent_heads.clone_from(&heads);
    state.their_heads = Some(heads.clone());
    state.their_need = Some(Vec::new());
    state.their_have = Some(vec![sync::Have {
        last_sync: heads,
        bloom: sync::BloomFilter::default(),
    }]);
    state.have_responded = true;
    state
}

fn shared_summary<H: Host>(host: &mut H, peer: &str) -> Vec<DocDigest> {
    let ids: Vec<String> = host
        .doc_ids()
        .into_iter()
        .filter(|id| shareable(host, peer, id).is_some())
        .collect();
    let mut docs: Vec<DocDigest> = ids
        .into_iter()
        .filter_map(|id| host.digest(&id).map(|heads| DocDigest { heads, id }))
        .collect();
    docs.sort();
    docs
}

/// The digest of everything we may share with `peer`, to send it (the full summary follows only
/// if its own differs).
fn announce<H: Host>(host: &mut H, peer: &str) -> Output {
    let docs = shared_summary(host, peer);
    Output::Send {
        to: peer.to_owned(),
        msg: Message::Digest {
            docs: docs.len() as u32,
            digest: summary_digest(&docs),
        },
    }
}

fn shareable<H: Host>(host: &mut H, peer: &str, doc: &str) -> Option<DocMeta> {
    let meta = host.meta(doc)?;
    (host.may_hold(&host.me(), &meta) && host.may_hold(peer, &meta)).then_some(meta)
}

impl Engine {
    /// A new engine with no peers.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Peers with an open session.
    pub fn peers(&self) -> BTreeSet<String> {
        self.sessions.keys().cloned().collect()
    }

    /// An authenticated peer connected: refuse it if it is not a member, else send the digest
    /// of what we may share with it (the full summary follows only if the digests differ).
    pub fn connected<H: Host>(&mut self, host: &mut H, peer: &str) -> Vec<Output> {
        if !host.is_member(peer) || peer == host.me() {
            return vec![Output::Disconnect {
                peer: peer.to_owned(),
                reason: "not a member".into(),
            }];
        }
        self.sessions.insert(peer.to_owned(), Session::default());
        vec![announce(host, peer)]
    }

    /// The connection with a peer closed; its sync states are forgotten (a new connection
    /// starts over, which also heals any message lost before).
    pub fn disconnected(&mut self, peer: &str) {
        self.sessions.remove(peer);
    }

    /// Membership changed: drop every peer that is no longer a member, and announce again to
    /// the others what we may share with them — a peer who joined a community (or whose access
    /// otherwise grew) is now entitled to documents it was not offered when it connected.
    pub fn membership_changed<H: Host>(&mut self, host: &mut H) -> Vec<Output> {
        let (kept, gone): (Vec<String>, Vec<String>) = self
            .sessions
            .keys()
            .cloned()
            .partition(|p| host.is_member(p));
        let mut out: Vec<Output> = gone
            .into_iter()
            .map(|peer| {
                self.sessions.remove(&peer);
                Output::Disconnect {
                    peer,
                    reason: "no longer a member".into(),
                }
            })
            .collect();
        out.extend(kept.iter().map(|peer| announce(host, peer)));
        out
    }

    /// A held document changed locally: offer it to every connected peer who may hold it.
    pub fn local_change<H: Host>(&mut self, host: &mut H, doc: &str) -> Vec<Output> {
        // This device never has a session with itself, so nobody is left out.
        let me = host.me();
        self.relay(host, &me, doc)
    }

    /// A frame arrived from an authenticated peer.
    pub fn received<H: Host>(&mut self, host: &mut H, peer: &str, msg: Message) -> Vec<Output> {
        if !self.sessions.contains_key(peer) || !host.is_member(peer) {
            self.sessions.remove(peer);
            return vec![Output::Disconnect {
                peer: peer.to_owned(),
                reason: "not a member".into(),
            }];
        }
        match msg {
            Message::Digest { docs, digest } => {
                let mine = shared_summary(host, peer);
                if mine.len() as u64 == u64::from(docs) && summary_digest(&mine) == digest {
                    host.announced(peer, &mine);
                    Vec::new()
                } else {
                    vec![Output::Send {
                        to: peer.to_owned(),
                        msg: Message::Summary(mine),
                    }]
                }
            }
            Message::Summary(theirs) => {
                host.announced(peer, &theirs);
                let theirs: BTreeMap<String, [u8; 32]> =
                    theirs.into_iter().map(|d| (d.id, d.heads)).collect();
                let mut out = Vec::new();
                for id in host.doc_ids() {
                    if shareable(host, peer, &id).is_none() {
                        continue;
                    }
                    if !theirs.contains_key(&id) {
                        // The peer has nothing of it: the whole document, in one message.
                        if let Some(bytes) = host.saved(&id) {
                            // Once it has the document the peer holds these heads: the next
                            // change goes straight to it instead of re-negotiating from none.
                            if let Some(heads) = host.heads(&id) {
                                self.seed(peer, &id, heads);
                            }
                            out.push(Output::Send {
                                to: peer.to_owned(),
                                msg: Message::Doc {
                                    doc: id.clone(),
                                    bytes,
                                },
                            });
                            continue;
                        }
                    }
                    let mine = host.digest(&id);
                    if mine.is_some() && theirs.get(&id) != mine.as_ref() {
                        out.extend(self.generate(host, peer, &id));
                    }
                }
                out
            }
            Message::Sync { doc, data } => self.sync_message(host, peer, &doc, &data),
            Message::Doc { doc, bytes } => self.whole_doc(host, peer, &doc, &bytes),
            Message::Batch(msgs) => {
                let mut out = Vec::new();
                for m in msgs {
                    if matches!(m, Message::Batch(_)) {
                        return self.drop_peer(peer, "nested batch");
                    }
                    out.extend(self.received(host, peer, m));
                    if !self.sessions.contains_key(peer) {
                        // The peer was dropped: nothing more of its frame counts.
                        out.retain(|o| !matches!(o, Output::Send { to, .. } if to == peer));
                        break;
                    }
                }
                out
            }
        }
    }

    fn sync_message<H: Host>(
        &mut self,
        host: &mut H,
        peer: &str,
        doc: &str,
        data: &[u8],
    ) -> Vec<Output> {
        let Ok(message) = catch_unwind(|| sync::Message::decode(data))
            .unwrap_or(Err(automerge::sync::ReadMessageError::NotEnoughInput))
        else {
            return self.drop_peer(peer, "undecodable sync message");
        };
        // Automerge inflates compressed parts without a limit: bound them before it sees them.
        let mut budget = domain::MAX_INFLATED;
        if message
            .changes
            .iter()
            .any(|part| domain::check_inflation(part, &mut budget).is_err())
        {
            return self.drop_peer(
                peer,
                "sync message with invalid or oversized compressed data",
            );
        }
        if host.meta(doc).is_some() {
            if shareable(host, peer, doc).is_none() {
                // Never reveal that we hold it: ignore the message.
                return Vec::new();
            }
            let session = self.sessions.entry(peer.to_owned()).or_default();
            let state = session.state(doc);
            let grew = match apply_to_held(host, doc, |held| {
                held.sync().receive_sync_message(state, message)
            }) {
                Applied::Missing => return Vec::new(),
                Applied::Refused => return self.drop_peer(peer, "invalid sync message"),
                Applied::Panicked => {
                    return self.drop_peer(peer, "sync message made Automerge panic");
                }
                Applied::Done { grew } => grew,
            };
            let mut out: Vec<Output> = self.generate(host, peer, doc).into_iter().collect();
            if grew {
                host.changed(doc);
                // Relay to the other peers who may hold it.
                out.extend(self.relay(host, peer, doc));
            }
            return out;
        }
        // A document we do not hold yet.
        let me = host.me();
        let session = self.sessions.entry(peer.to_owned()).or_default();
        let state = state_in(&mut session.states, &mut session.whole, doc);
        let incoming = session.incoming.entry(doc.to_owned()).or_insert_with(|| {
            domain::load_doc(&[]).unwrap_or_else(|_| {
                AutoCommit::new_with_encoding(automerge::TextEncoding::Utf8CodeUnit)
            })
        });
        let applied = catch_unwind(AssertUnwindSafe(|| {
            incoming.sync().receive_sync_message(state, message)
        }));
        if !matches!(applied, Ok(Ok(()))) {
            session.incoming.remove(doc);
            return self.drop_peer(peer, "invalid sync message for a new document");
        }
        match domain::read_meta(incoming) {
            Ok(meta) => {
                let complete =
                    meta.id == doc && host.may_hold(&me, &meta) && host.may_hold(peer, &meta);
                let Some(new_doc) = session.incoming.remove(doc) else {
                    return Vec::new();
                };
                if !complete {
                    session.states.remove(doc);
                    return Vec::new();
                }
                if !host.insert(new_doc, meta) {
                    session.states.remove(doc);
                    return Vec::new();
                }
                let mut out: Vec<Output> = self.generate(host, peer, doc).into_iter().collect();
                out.extend(self.relay(host, peer, doc));
                out
            }
            // The header has not arrived yet: keep going with this peer only.
            Err(_) => {
                let reply = incoming.sync().generate_sync_message(state);
                reply
                    .map(|m| Output::Send {
                        to: peer.to_owned(),
                        msg: Message::Sync {
                            doc: doc.to_owned(),
                            data: m.encode(),
                        },
                    })
                    .into_iter()
                    .collect()
            }
        }
    }

    /// Offers a document that just changed to every connected peer but `from` who may hold it.
    /// A whole document from a peer: merged into ours, or stored if new and complete, under the
    /// same checks as a document arriving through the sync protocol.
    fn whole_doc<H: Host>(
        &mut self,
        host: &mut H,
        peer: &str,
        doc: &str,
        bytes: &[u8],
    ) -> Vec<Output> {
        let Ok(Ok(mut incoming)) = catch_unwind(|| domain::load_doc(bytes)) else {
            return self.drop_peer(peer, "invalid or oversized document");
        };
        // Our sync state with this peer for it no longer describes what the peer holds: it
        // holds at least these heads, which both sides now share.
        let theirs = incoming.get_heads();
        if let Some(session) = self.sessions.get_mut(peer) {
            session.states.remove(doc);
            session.whole.remove(doc);
            session.incoming.remove(doc);
        }
        if host.meta(doc).is_some() {
            if shareable(host, peer, doc).is_none() {
                return Vec::new();
            }
            let grew = match apply_to_held(host, doc, |held| held.merge(&mut incoming).map(drop)) {
                Applied::Missing => return Vec::new(),
                Applied::Refused => return self.drop_peer(peer, "document that does not merge"),
                Applied::Panicked => return self.drop_peer(peer, "document made Automerge panic"),
                Applied::Done { grew } => grew,
            };
            self.seed(peer, doc, theirs);
            if grew {
                host.changed(doc);
                return self.relay(host, peer, doc);
            }
            return Vec::new();
        }
        let me = host.me();
        let Ok(meta) = domain::read_meta(&incoming) else {
            return self.drop_peer(peer, "document without a readable header");
        };
        if meta.id != doc || !host.may_hold(&me, &meta) || !host.may_hold(peer, &meta) {
            return Vec::new();
        }
        if !host.insert(incoming, meta) {
            return Vec::new();
        }
        self.seed(peer, doc, theirs);
        self.relay(host, peer, doc)
    }

    /// Starts the sync state with `peer` for `doc` from heads both sides are known to hold.
    fn seed(&mut self, peer: &str, doc: &str, heads: Vec<ChangeHash>) {
        if let Some(session) = self.sessions.get_mut(peer) {
            session.states.remove(doc);
            session.whole.insert(doc.to_owned(), heads);
        }
    }

    fn relay<H: Host>(&mut self, host: &mut H, from: &str, doc: &str) -> Vec<Output> {
        let others: Vec<String> = self
            .sessions
            .keys()
            .filter(|p| *p != from)
            .cloned()
            .collect();
        let mut out = Vec::new();
        for other in others {
            if shareable(host, &other, doc).is_some() {
                out.extend(self.generate(host, &other, doc));
            }
        }
        out
    }

    fn generate<H: Host>(&mut self, host: &mut H, peer: &str, doc: &str) -> Option<Output> {
        let session = self.sessions.get_mut(peer)?;
        let state = session.state(doc);
        let held = host.doc_mut(doc)?;
        let message = held.sync().generate_sync_message(state)?;
        Some(Output::Send {
            to: peer.to_owned(),
            msg: Message::Sync {
                doc: doc.to_owned(),
                data: message.encode(),
            },
        })
    }

    fn drop_peer(&mut self, peer: &str, reason: &str) -> Vec<Output> {
        self.sessions.remove(peer);
        vec![Output::Disconnect {
            peer: peer.to_owned(),
            reason: reason.to_owned(),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::{Output, batched};
    use crate::protocol::Message;

    fn send(to: &str, n: u32) -> Output {
        Output::Send {
            to: to.into(),
            msg: Message::Digest {
                docs: n,
                digest: [0; 32],
            },
        }
    }

    fn digest(n: u32) -> Message {
        Message::Digest {
            docs: n,
            digest: [0; 32],
        }
    }

    #[test]
    fn messages_are_framed_per_peer_in_order_and_within_the_limit() {
        let out = batched(
            vec![
                send("a", 1),
                send("b", 2),
                send("a", 3),
                Output::Disconnect {
                    peer: "a".into(),
                    reason: "gone".into(),
                },
                send("a", 4),
            ],
            1 << 20,
        );
        assert_eq!(
            out,
            vec![
                Output::Send {
                    to: "a".into(),
                    msg: Message::Batch(vec![digest(1), digest(3)])
                },
                Output::Disconnect {
                    peer: "a".into(),
                    reason: "gone".into()
                },
                Output::Send {
                    to: "b".into(),
                    msg: digest(2)
                },
                Output::Send {
                    to: "a".into(),
                    msg: digest(4)
                },
            ]
        );
        // A limit smaller than two messages: each goes alone, still in order.
        let size = digest(1).encoded_len();
        let out = batched(vec![send("a", 1), send("a", 2), send("a", 3)], size + 1);
        assert_eq!(out, vec![send("a", 1), send("a", 2), send("a", 3)]);
    }
}
