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
use automerge::{AutoCommit, Change, ChangeHash};
use domain::signing::Signatures;
use domain::{Admission, DocMeta, Refusal, Standing};
use sha2::{Digest, Sha256};

use crate::precheck::Prechecked;
use crate::protocol::{DocDigest, Message, summary_digest};

/// The most bytes of membership entries put in one message.
const LOG_MESSAGE_BYTES: usize = 512 * 1024;

/// The most changes held back, over all documents, until their past arrives, and their most
/// bytes in all.
const MAX_HELD_BACK: usize = 10_000;
const MAX_HELD_BACK_BYTES: usize = 32 << 20;

/// The most new documents one peer may be sending at once through the sync protocol (before
/// their header arrived).
const MAX_INCOMING: usize = 1024;

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
    /// A new document arrived with a verified header both sides may hold, every change of it
    /// admitted ([`domain::admit`]); `sigs` are their signatures. Returns false if the host
    /// refuses it.
    fn insert(&mut self, doc: AutoCommit, meta: DocMeta, sigs: Signatures) -> bool;
    /// The heads of a held document (by default, loaded through [`Host::doc_mut`]).
    fn heads(&mut self, doc: &str) -> Option<Vec<ChangeHash>> {
        self.doc_mut(doc).map(|d| d.get_heads())
    }
    /// The saved bytes of a held document (sent whole to a peer that lacks it).
    fn saved(&mut self, doc: &str) -> Option<Vec<u8>>;
    /// A held document gained admitted changes from a peer, signed by `sigs`; persist both.
    fn changed(&mut self, doc: &str, sigs: Signatures);
    /// A held document may be damaged in memory (Automerge panicked on it): reload it from
    /// storage.
    fn reload(&mut self, doc: &str);
    /// What `peer` holds of what it shares with us, as it announced it (its summary, or ours
    /// when its digest matched): kept for `status`.
    fn announced(&mut self, _peer: &str, _docs: &[DocDigest]) {}
    /// The signatures of a held document's changes: of those in `hashes`, or of all.
    fn signatures(&mut self, doc: &str, hashes: Option<&[ChangeHash]>) -> Signatures;
    /// What the membership log says of the author of a change.
    fn standing(&self, member: &str) -> Standing;
    /// `peer` sent changes of `doc` that were refused: log them and show the peer as having
    /// sent refused changes.
    fn refused(&mut self, peer: &str, doc: &str, refusals: &[Refusal]);
    /// The hashes of this device's newest membership entries.
    fn log_heads(&self) -> Vec<String>;
    /// Whether this device holds the membership entry `hash`.
    fn log_has(&self, hash: &str) -> bool;
    /// The membership entries a device whose newest ones are `theirs` lacks, each after the
    /// entries it follows.
    fn log_missing(&self, theirs: &[String]) -> Vec<String>;
    /// Membership entries from a peer: each verified and kept if new. Returns whether the
    /// members (as evaluated from the log) changed.
    fn log_add(&mut self, entries: &[String]) -> bool;
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
    /// Documents this peer is sending us that we do not hold yet (header not seen yet), with
    /// the signatures of their changes so far.
    incoming: BTreeMap<String, (AutoCommit, Signatures)>,
    /// The hashes of the peer's newest membership entries, as it announced them and as its
    /// entries arrived: once this device holds them all, a change by an author its log does
    /// not know is refused rather than waited for.
    their_log: BTreeSet<String>,
    /// Documents whose changes from this peer wait for membership entries this device does not
    /// hold yet: their sync with this peer starts over when the membership changes.
    deferred: BTreeSet<String>,
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

/// A change from a peer whose past has not arrived yet: not applied (Automerge would queue
/// it inside the document, past every check), held here until it can be judged.
struct HeldBack {
    change: Change,
    sig: Option<domain::signing::Signature>,
    /// The peer that sent it: the one flagged if it turns out refused.
    from: String,
}

/// The sync state machine of one device.
#[derive(Default)]
pub struct Engine {
    sessions: BTreeMap<String, Session>,
    /// By document: changes waiting for their past (bounded by [`MAX_HELD_BACK`]).
    held_back: BTreeMap<String, BTreeMap<ChangeHash, HeldBack>>,
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
    /// Applied.
    Done,
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
    match catch_unwind(AssertUnwindSafe(|| apply(held))) {
        Ok(Ok(())) => Applied::Done,
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

/// The members' standing of the authors of `changes`, looked up once each.
fn standings<H: Host>(host: &H, changes: &[Change]) -> BTreeMap<String, Standing> {
    let mut out = BTreeMap::new();
    for change in changes {
        if let Ok((peer, _)) = domain::signing::author_of(change.actor_id()) {
            let id = peer.to_string();
            out.entry(id).or_insert_with_key(|id| host.standing(id));
        }
    }
    out
}

/// The signatures of `sigs` that sign changes `admission` accepted.
fn accepted_sigs(admission: &Admission, sigs: &Signatures) -> Signatures {
    admission
        .accepted
        .iter()
        .filter_map(|h| sigs.get(h).map(|s| (*h, *s)))
        .collect()
}

/// Splits membership entries into messages of about [`LOG_MESSAGE_BYTES`] each.
/// The messages of a received batch as they are handled: of the announcements (digest,
/// summary, log heads) only the last of each kind, which supersedes the earlier ones, and every
/// membership entry in one message where the first of them was. What a batch asks of the
/// receiver is then bounded by what one of each asks, however many small messages it packs.
fn coalesce(msgs: Vec<Message>) -> Vec<Message> {
    let last = |kind: fn(&Message) -> bool| msgs.iter().rposition(kind);
    let digest = last(|m| matches!(m, Message::Digest { .. }));
    let summary = last(|m| matches!(m, Message::Summary(_)));
    let heads = last(|m| matches!(m, Message::LogHeads(_)));
    let mut entries: Option<(usize, Vec<String>)> = None;
    let mut out: Vec<Message> = Vec::with_capacity(msgs.len());
    for (i, m) in msgs.into_iter().enumerate() {
        match m {
            Message::Digest { .. } if Some(i) != digest => {}
            Message::Summary(_) if Some(i) != summary => {}
            Message::LogHeads(_) if Some(i) != heads => {}
            Message::LogEntries(more) => match &mut entries {
                Some((_, all)) => all.extend(more),
                None => {
                    entries = Some((out.len(), more));
                    out.push(Message::LogEntries(Vec::new()));
                }
            },
            m => out.push(m),
        }
    }
    if let Some((at, all)) = entries {
        if all.is_empty() {
            out.remove(at);
        } else {
            out[at] = Message::LogEntries(all);
        }
    }
    out
}

/// Membership entries as `LogEntries` messages of at most [`LOG_MESSAGE_BYTES`] each (an entry
/// larger than that goes alone), in order.
pub fn log_messages(entries: Vec<String>) -> Vec<Message> {
    let mut out = Vec::new();
    let mut part = Vec::new();
    let mut size = 0;
    for e in entries {
        if size + e.len() > LOG_MESSAGE_BYTES && !part.is_empty() {
            out.push(Message::LogEntries(std::mem::take(&mut part)));
            size = 0;
        }
        size += e.len();
        part.push(e);
    }
    if !part.is_empty() {
        out.push(Message::LogEntries(part));
    }
    out
}

fn hex(hash: &[u8; 32]) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(hash: &str) -> Option<[u8; 32]> {
    if hash.len() != 64 || !hash.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hash[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// What to do with a peer's changes once judged.
enum Judged {
    /// Every change passed (or there were none).
    Clean,
    /// Some wait for membership entries not here yet.
    Deferred,
    /// Some were refused: the peer goes.
    Refused,
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

    /// An authenticated peer connected: refuse it if it is not a member, else send the newest
    /// hashes of our membership log (the peer answers with what we lack) and the digest of what
    /// we may share with it (the full summary follows only if the digests differ).
    pub fn connected<H: Host>(&mut self, host: &mut H, peer: &str) -> Vec<Output> {
        if !host.is_member(peer) || peer == host.me() {
            return vec![Output::Disconnect {
                peer: peer.to_owned(),
                reason: "not a member".into(),
            }];
        }
        self.sessions.insert(peer.to_owned(), Session::default());
        let heads = host.log_heads().iter().filter_map(|h| unhex(h)).collect();
        vec![
            Output::Send {
                to: peer.to_owned(),
                msg: Message::LogHeads(heads),
            },
            announce(host, peer),
        ]
    }

    /// The connection with a peer closed; its sync states are forgotten (a new connection
    /// starts over, which also heals any message lost before).
    pub fn disconnected(&mut self, peer: &str) {
        self.sessions.remove(peer);
        // What it sent and never completed goes with it (the past, if it comes from another
        // peer, brings the rest along again).
        for waiting in self.held_back.values_mut() {
            waiting.retain(|_, held| held.from != peer);
        }
        self.held_back.retain(|_, waiting| !waiting.is_empty());
    }

    /// Membership changed: drop every peer that is no longer a member, and announce again to
    /// the others what we may share with them — a peer who joined a community (or whose access
    /// otherwise grew) is now entitled to documents it was not offered when it connected, and
    /// documents whose changes waited for the membership start over.
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
        for peer in &kept {
            if let Some(session) = self.sessions.get_mut(peer) {
                for doc in std::mem::take(&mut session.deferred) {
                    session.states.remove(&doc);
                    session.whole.remove(&doc);
                    session.incoming.remove(&doc);
                }
            }
            out.push(announce(host, peer));
        }
        out
    }

    /// The membership log grew on this device: send each peer the entries it lacks.
    pub fn log_grew<H: Host>(&mut self, host: &mut H) -> Vec<Output> {
        let ours: BTreeSet<String> = host.log_heads().into_iter().collect();
        let mut out = Vec::new();
        for (peer, session) in &mut self.sessions {
            let theirs: Vec<String> = session.their_log.iter().cloned().collect();
            let missing = host.log_missing(&theirs);
            if !missing.is_empty() {
                out.extend(log_messages(missing).into_iter().map(|msg| Output::Send {
                    to: peer.clone(),
                    msg,
                }));
            }
            session.their_log.extend(ours.iter().cloned());
        }
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
            Message::LogHeads(heads) => {
                let Some(session) = self.sessions.get_mut(peer) else {
                    return Vec::new();
                };
                // What went either way in this session counts as theirs: an announcement
                // repeated within a session (an honest peer sends one) is answered with what is
                // new only, never with the whole log again.
                session.their_log.extend(heads.iter().map(hex));
                let theirs: Vec<String> = session.their_log.iter().cloned().collect();
                let missing = host.log_missing(&theirs);
                session.their_log.extend(host.log_heads());
                log_messages(missing)
                    .into_iter()
                    .map(|msg| Output::Send {
                        to: peer.to_owned(),
                        msg,
                    })
                    .collect()
            }
            Message::LogEntries(entries) => {
                let hashes = entries
                    .iter()
                    .filter_map(|e| crate::membership::SignedEntry::decode(e).ok())
                    .map(|e| e.hash());
                if let Some(session) = self.sessions.get_mut(peer) {
                    session.their_log.extend(hashes);
                }
                let before = host.log_heads();
                let changed = host.log_add(&entries);
                let mut out = Vec::new();
                if host.log_heads() != before {
                    // New entries go on to the other peers that lack them.
                    out.extend(self.log_grew(host));
                }
                if changed {
                    out.extend(self.membership_changed(host));
                }
                out
            }
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
                    if !theirs.contains_key(&id) && !self.exchanged(peer, &id) {
                        // The peer has nothing of it: the whole document, in one message (once
                        // per session: a summary repeated to have everything sent again gets
                        // sync messages, which carry only what is new).
                        if let Some(bytes) = host.saved(&id) {
                            // Once it has the document the peer holds these heads: the next
                            // change goes straight to it instead of re-negotiating from none.
                            if let Some(heads) = host.heads(&id) {
                                self.seed(peer, &id, heads);
                            }
                            let sigs = host.signatures(&id, None);
                            out.push(Output::Send {
                                to: peer.to_owned(),
                                msg: Message::Doc {
                                    doc: id.clone(),
                                    bytes,
                                    sigs,
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
            Message::Sync { doc, data, sigs } => self.sync_message(host, peer, &doc, &data, sigs),
            Message::Doc { doc, bytes, sigs } => {
                self.whole_doc(host, peer, &doc, &bytes, &sigs, None)
            }
            Message::Batch(msgs) => {
                let msgs = coalesce(msgs);
                if msgs.iter().any(|m| matches!(m, Message::Batch(_))) {
                    return self.drop_peer(peer, "nested batch");
                }
                let mut msgs: Vec<Option<Message>> = msgs.into_iter().map(Some).collect();
                let mut out = Vec::new();
                let mut start = 0;
                'frame: while start < msgs.len() {
                    // The new documents among the next messages are loaded and judged side by
                    // side first, on every core (a window at a time: what one frame may inflate
                    // to is not all held at once, and a peer dropped early costs few checks).
                    let end = crate::precheck::window(&msgs, start);
                    let ahead = crate::precheck::batch(host, &msgs[start..end]);
                    for (slot, pre) in msgs[start..end].iter_mut().zip(ahead) {
                        let Some(m) = slot.take() else { continue };
                        out.extend(match (m, pre) {
                            // (What `received` checks first, then what it does with the check.)
                            (Message::Doc { doc, bytes, sigs }, Some(pre))
                                if self.sessions.contains_key(peer) && host.is_member(peer) =>
                            {
                                self.whole_doc(host, peer, &doc, &bytes, &sigs, Some(pre))
                            }
                            (m, _) => self.received(host, peer, m),
                        });
                        if !self.sessions.contains_key(peer) {
                            // The peer was dropped: nothing more of its frame counts.
                            out.retain(|o| !matches!(o, Output::Send { to, .. } if to == peer));
                            break 'frame;
                        }
                    }
                    start = end;
                }
                out
            }
        }
    }

    /// Whether this device holds every membership entry `peer` announced: then a change by an
    /// author this device's log does not know cannot be waiting for entries on their way.
    fn caught_up<H: Host>(&self, host: &H, peer: &str) -> bool {
        self.sessions
            .get(peer)
            .is_some_and(|s| !s.their_log.is_empty() && s.their_log.iter().all(|h| host.log_has(h)))
    }

    /// Sorts out what a peer's changes of `doc` came to: refusals are recorded against the
    /// peer that sent each change (`origin` names those that had been held back), with
    /// changes waiting for an author the log does not know once nothing the peer announced is
    /// missing; waiting ones put the document aside with this peer. Another peer whose
    /// held-back change was refused is dropped too (in `out`).
    fn sort_out<H: Host>(
        &mut self,
        host: &mut H,
        peer: &str,
        doc: &str,
        admission: &Admission,
        origin: &BTreeMap<ChangeHash, String>,
        out: &mut Vec<Output>,
    ) -> Judged {
        let caught_up = self.caught_up(host, peer);
        // An equivocation is its author's doing, not the sender's: recorded against the author.
        let mut by_author: BTreeMap<String, Vec<Refusal>> = BTreeMap::new();
        for r in &admission.equivocations {
            by_author
                .entry(r.author.clone())
                .or_default()
                .push(r.clone());
        }
        for (author, refused) in by_author {
            host.refused(&author, doc, &refused);
        }
        let mut refusals = Vec::new();
        let mut pause = !admission.equivocations.is_empty();
        if caught_up {
            refusals.extend(admission.refused.iter().cloned());
            refusals.extend(admission.waiting.iter().map(|(change, author)| Refusal {
                change: *change,
                author: author.clone(),
                reason: "its author is not a member of this workspace".into(),
            }));
        } else {
            // Until this device holds every membership entry the peer announced, a refusal may
            // come from entries not here yet (a member just added, an admin just promoted): the
            // document pauses with that peer instead, and is judged again once the membership
            // changes.
            pause |= !admission.refused.is_empty() || !admission.waiting.is_empty();
        }
        if pause && let Some(session) = self.sessions.get_mut(peer) {
            session.deferred.insert(doc.to_owned());
            session.states.remove(doc);
            session.whole.remove(doc);
        }
        let mut by_sender: BTreeMap<String, Vec<Refusal>> = BTreeMap::new();
        for r in refusals {
            let from = origin
                .get(&r.change)
                .cloned()
                .unwrap_or_else(|| peer.to_owned());
            by_sender.entry(from).or_default().push(r);
        }
        let mut judged = if pause {
            Judged::Deferred
        } else {
            Judged::Clean
        };
        for (from, refused) in by_sender {
            host.refused(&from, doc, &refused);
            if from == peer {
                judged = Judged::Refused;
            } else if self.sessions.contains_key(&from) {
                out.extend(self.drop_peer(&from, "sent refused changes"));
            }
        }
        judged
    }

    /// Admits `changes` from `peer` into the held document `doc` (header `meta`), with any
    /// changes held back for it, keeping the signatures of those that pass; changes whose past
    /// is still missing are held back again. Returns the admission and who sent each change
    /// that had been held back; `None` if Automerge panicked (the document is reloaded).
    fn admit_into_held<H: Host>(
        &mut self,
        host: &mut H,
        peer: &str,
        doc: &str,
        meta: &DocMeta,
        mut changes: Vec<Change>,
        sigs: &Signatures,
    ) -> Option<(Admission, BTreeMap<ChangeHash, String>)> {
        let mut sigs = sigs.clone();
        let mut origin = BTreeMap::new();
        let back = self.held_back.remove(doc).unwrap_or_default();
        for (hash, held) in &back {
            // A held-back change is judged with the signature its own sender gave: another
            // peer cannot get it refused, and its sender flagged, by sending a bad one.
            match held.sig {
                Some(sig) => {
                    sigs.insert(*hash, sig);
                }
                None => {
                    sigs.remove(hash);
                }
            }
            origin.insert(*hash, held.from.clone());
            changes.push(held.change.clone());
        }
        let standings = standings(host, &changes);
        let standing = |m: &str| standings.get(m).copied().unwrap_or(Standing::Unknown);
        let held = host.doc_mut(doc)?;
        let admitted = catch_unwind(AssertUnwindSafe(|| {
            domain::admit(held, meta, changes, &sigs, &standing)
        }));
        match admitted {
            Ok(mut admission) => {
                if !admission.accepted.is_empty() {
                    host.changed(doc, accepted_sigs(&admission, &sigs));
                }
                // A held-back change refused only because the past this message brought was
                // refused waits again: the sender of that past is the one at fault.
                let mut unresolved = std::mem::take(&mut admission.unresolved);
                admission.refused.retain(|r| {
                    let rewait = r.reason == domain::DEPENDS_ON_REFUSED
                        && origin.get(&r.change).is_some_and(|from| from != peer);
                    if rewait && let Some(held) = back.get(&r.change) {
                        unresolved.push(held.change.clone());
                    }
                    !rewait
                });
                let total: usize = self.held_back.values().map(BTreeMap::len).sum();
                let bytes: usize = self
                    .held_back
                    .values()
                    .flat_map(BTreeMap::values)
                    .chain(back.values())
                    .map(|h| h.change.raw_bytes().len())
                    .sum::<usize>()
                    + unresolved
                        .iter()
                        .map(|c| c.raw_bytes().len())
                        .sum::<usize>();
                if total + unresolved.len() <= MAX_HELD_BACK && bytes <= MAX_HELD_BACK_BYTES {
                    let waiting = self.held_back.entry(doc.to_owned()).or_default();
                    for change in unresolved {
                        let hash = change.hash();
                        let from = origin
                            .get(&hash)
                            .cloned()
                            .unwrap_or_else(|| peer.to_owned());
                        let sig = sigs.get(&hash).copied();
                        waiting.insert(hash, HeldBack { change, sig, from });
                    }
                    if waiting.is_empty() {
                        self.held_back.remove(doc);
                    }
                }
                Some((admission, origin))
            }
            Err(_) => {
                host.reload(doc);
                None
            }
        }
    }

    fn sync_message<H: Host>(
        &mut self,
        host: &mut H,
        peer: &str,
        doc: &str,
        data: &[u8],
        sigs: Signatures,
    ) -> Vec<Output> {
        let Ok(mut message) = catch_unwind(|| sync::Message::decode(data))
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
        if let Some(meta) = host.meta(doc) {
            if shareable(host, peer, doc).is_none() {
                // Never reveal that we hold it: ignore the message.
                return Vec::new();
            }
            let Ok(changes) = domain::changes_in(message.changes.iter()) else {
                return self.drop_peer(peer, "sync message with invalid changes");
            };
            // Every change is judged (and the good ones applied) before Automerge's sync
            // protocol sees the message, which then only updates what each side knows.
            message.changes = sync::ChunkList::empty();
            let mut out = Vec::new();
            if !changes.is_empty() {
                let Some((admission, origin)) =
                    self.admit_into_held(host, peer, doc, &meta, changes, &sigs)
                else {
                    return self.drop_peer(peer, "sync message made Automerge panic");
                };
                if !admission.accepted.is_empty() {
                    // Relay to the other peers who may hold it.
                    out.extend(self.relay(host, peer, doc));
                }
                match self.sort_out(host, peer, doc, &admission, &origin, &mut out) {
                    Judged::Clean => {}
                    Judged::Deferred => return out,
                    Judged::Refused => {
                        out.extend(self.drop_peer(peer, "sent refused changes"));
                        return out;
                    }
                }
            }
            let session = self.sessions.entry(peer.to_owned()).or_default();
            let state = session.state(doc);
            match apply_to_held(host, doc, |held| {
                held.sync().receive_sync_message(state, message)
            }) {
                Applied::Missing => return out,
                Applied::Refused => {
                    out.extend(self.drop_peer(peer, "invalid sync message"));
                    return out;
                }
                Applied::Panicked => {
                    out.extend(self.drop_peer(peer, "sync message made Automerge panic"));
                    return out;
                }
                Applied::Done => {}
            }
            out.splice(0..0, self.generate(host, peer, doc));
            return out;
        }
        // A document we do not hold yet: gathered with this peer until its header arrives.
        let session = self.sessions.entry(peer.to_owned()).or_default();
        if session.incoming.len() >= MAX_INCOMING && !session.incoming.contains_key(doc) {
            return self.drop_peer(peer, "too many new documents at once");
        }
        let state = state_in(&mut session.states, &mut session.whole, doc);
        let (incoming, gathered) = session.incoming.entry(doc.to_owned()).or_insert_with(|| {
            let empty = domain::load_doc(&[]).unwrap_or_else(|_| {
                AutoCommit::new_with_encoding(automerge::TextEncoding::Utf8CodeUnit)
            });
            (empty, Signatures::new())
        });
        gathered.extend(sigs);
        let applied = catch_unwind(AssertUnwindSafe(|| {
            incoming.sync().receive_sync_message(state, message)
        }));
        if !matches!(applied, Ok(Ok(()))) {
            session.incoming.remove(doc);
            return self.drop_peer(peer, "invalid sync message for a new document");
        }
        match domain::read_meta(incoming) {
            Ok(meta) => {
                let complete = new_for_both(host, peer, doc, &meta);
                let Some((new_doc, gathered)) = session.incoming.remove(doc) else {
                    return Vec::new();
                };
                if !complete {
                    session.states.remove(doc);
                    return Vec::new();
                }
                self.new_document(
                    host,
                    peer,
                    doc,
                    meta,
                    Arriving::Loaded(new_doc),
                    &gathered,
                    None,
                )
            }
            // Changes came, but no readable header: a document's first change carries its
            // header and every later change follows it, so the peer is not sending a document
            // (holding such changes until a header comes would let them grow without bound).
            Err(_) if !incoming.get_heads().is_empty() => {
                session.incoming.remove(doc);
                self.drop_peer(peer, "a new document's changes came without its header")
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
                            sigs: Signatures::new(),
                        },
                    })
                    .into_iter()
                    .collect()
            }
        }
    }

    /// A document this device did not hold, complete with its verified header, from `peer`:
    /// every change judged, then handed to the host. `seed` (a whole-document transfer) gives
    /// the heads both sides hold once it is stored.
    #[allow(clippy::too_many_arguments)]
    fn new_document<H: Host>(
        &mut self,
        host: &mut H,
        peer: &str,
        doc: &str,
        meta: DocMeta,
        arriving: Arriving,
        sigs: &Signatures,
        seed: Option<Vec<ChangeHash>>,
    ) -> Vec<Output> {
        // A document under an id that does not name its creator could only be taking the place
        // of another member's document: never stored.
        if !meta.id_fits_creator() {
            return self.drop_peer(
                peer,
                "a document under an id that does not name its creator",
            );
        }
        let (admitted, admission) = match arriving {
            Arriving::Judged(admitted, admission) => (admitted, admission),
            Arriving::Loaded(mut loaded) => {
                let changes_hint = standings_of_doc(host, &mut loaded);
                let standing = |m: &str| changes_hint.get(m).copied().unwrap_or(Standing::Unknown);
                let admitted = catch_unwind(AssertUnwindSafe(|| {
                    domain::admit_whole(loaded, &meta, sigs, &standing)
                }));
                let Ok(admitted) = admitted else {
                    return self.drop_peer(peer, "document made Automerge panic");
                };
                admitted
            }
        };
        let mut out = Vec::new();
        let judged = self.sort_out(host, peer, doc, &admission, &BTreeMap::new(), &mut out);
        if !admission.accepted.is_empty()
            && host.insert(admitted, meta, accepted_sigs(&admission, sigs))
        {
            if let (Judged::Clean, Some(heads)) = (&judged, seed) {
                self.seed(peer, doc, heads);
            }
            if !matches!(judged, Judged::Refused) {
                out.extend(self.generate(host, peer, doc));
            }
            out.extend(self.relay(host, peer, doc));
        } else if let Some(session) = self.sessions.get_mut(peer) {
            session.states.remove(doc);
        }
        if matches!(judged, Judged::Refused) {
            out.extend(self.drop_peer(peer, "sent refused changes"));
        }
        out
    }

    /// A whole document from a peer: merged into ours, or stored if new and complete, under the
    /// same checks as a document arriving through the sync protocol.
    /// `pre`: its load and check made ahead ([`crate::precheck`]), taken if it is still new
    /// here and the log still says the same of its authors.
    fn whole_doc<H: Host>(
        &mut self,
        host: &mut H,
        peer: &str,
        doc: &str,
        bytes: &[u8],
        sigs: &Signatures,
        pre: Option<Prechecked>,
    ) -> Vec<Output> {
        if let Some(pre) = pre
            && host.meta(doc).is_none()
            && pre.standings.iter().all(|(m, s)| host.standing(m) == *s)
        {
            self.forget_exchange(peer, doc);
            if !new_for_both(host, peer, doc, &pre.meta) {
                return Vec::new();
            }
            let judged = Arriving::Judged(pre.admitted, pre.admission);
            return self.new_document(host, peer, doc, pre.meta, judged, sigs, Some(pre.theirs));
        }
        let Ok(Ok(mut incoming)) = catch_unwind(|| domain::load_doc(bytes)) else {
            return self.drop_peer(peer, "invalid or oversized document");
        };
        // Our sync state with this peer for it no longer describes what the peer holds: it
        // holds at least these heads, which both sides now share.
        let theirs = incoming.get_heads();
        self.forget_exchange(peer, doc);
        if let Some(meta) = host.meta(doc) {
            if shareable(host, peer, doc).is_none() {
                return Vec::new();
            }
            let Some(held) = host.doc_mut(doc) else {
                return Vec::new();
            };
            let changes = catch_unwind(AssertUnwindSafe(|| held.get_changes_added(&mut incoming)));
            let Ok(changes) = changes else {
                host.reload(doc);
                return self.drop_peer(peer, "document made Automerge panic");
            };
            let mut out = Vec::new();
            if changes.is_empty() {
                self.seed(peer, doc, theirs);
                return out;
            }
            let Some((admission, origin)) =
                self.admit_into_held(host, peer, doc, &meta, changes, sigs)
            else {
                return self.drop_peer(peer, "document made Automerge panic");
            };
            if !admission.accepted.is_empty() {
                out.extend(self.relay(host, peer, doc));
            }
            match self.sort_out(host, peer, doc, &admission, &origin, &mut out) {
                Judged::Clean => self.seed(peer, doc, theirs),
                Judged::Deferred => {}
                Judged::Refused => out.extend(self.drop_peer(peer, "sent refused changes")),
            }
            return out;
        }
        let Ok(meta) = domain::read_meta(&incoming) else {
            return self.drop_peer(peer, "document without a readable header");
        };
        if !new_for_both(host, peer, doc, &meta) {
            return Vec::new();
        }
        self.new_document(
            host,
            peer,
            doc,
            meta,
            Arriving::Loaded(incoming),
            sigs,
            Some(theirs),
        )
    }

    /// Starts the sync state with `peer` for `doc` from heads both sides are known to hold.
    /// Forgets what this session knew of `doc` with `peer` (it has just sent it whole).
    fn forget_exchange(&mut self, peer: &str, doc: &str) {
        if let Some(session) = self.sessions.get_mut(peer) {
            session.states.remove(doc);
            session.whole.remove(doc);
            session.incoming.remove(doc);
        }
    }

    /// Whether `doc` was synced or sent whole with `peer` in this session.
    fn exchanged(&self, peer: &str, doc: &str) -> bool {
        self.sessions
            .get(peer)
            .is_some_and(|s| s.states.contains_key(doc) || s.whole.contains_key(doc))
    }

    fn seed(&mut self, peer: &str, doc: &str, heads: Vec<ChangeHash>) {
        if let Some(session) = self.sessions.get_mut(peer) {
            session.states.remove(doc);
            session.whole.insert(doc.to_owned(), heads);
        }
    }

    /// Offers a document that just changed to every connected peer but `from` who may hold it.
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

    /// The next sync message for `doc` to `peer`, with the signatures of the changes it holds.
    fn generate<H: Host>(&mut self, host: &mut H, peer: &str, doc: &str) -> Option<Output> {
        let session = self.sessions.get_mut(peer)?;
        if session.deferred.contains(doc) {
            return None;
        }
        let state = session.state(doc);
        let held = host.doc_mut(doc)?;
        let mut message = held.sync().generate_sync_message(state)?;
        self.ask_for_missing_past(host, doc, &mut message);
        let sigs = if message.changes.is_empty() {
            Signatures::new()
        } else {
            let hashes: Vec<ChangeHash> = domain::changes_in(message.changes.iter())
                .map(|changes| changes.iter().map(Change::hash).collect())
                .unwrap_or_default();
            host.signatures(doc, Some(&hashes))
        };
        Some(Output::Send {
            to: peer.to_owned(),
            msg: Message::Sync {
                doc: doc.to_owned(),
                data: message.encode(),
                sigs,
            },
        })
    }

    /// Changes held back for `doc` wait for a past the peer believes it sent (Automerge never
    /// resends within a session what it sent once, and only asks for what the peer's heads
    /// need, not what held-back changes need): ask for that past explicitly, and have the peer
    /// forget what it sent, so that it sends it again.
    fn ask_for_missing_past<H: Host>(&self, host: &mut H, doc: &str, message: &mut sync::Message) {
        let Some(back) = self.held_back.get(doc) else {
            return;
        };
        let Some(held) = host.doc_mut(doc) else {
            return;
        };
        let missing: BTreeSet<ChangeHash> = back
            .values()
            .flat_map(|h| h.change.deps().iter().copied())
            .filter(|d| !back.contains_key(d) && held.get_change_meta_by_hash(d).is_none())
            .collect();
        if missing.is_empty() {
            return;
        }
        // Automerge encodes a sorted list of hashes, without duplicates.
        message.need.extend(missing);
        message.need.sort();
        message.need.dedup();
        let mut flags = message.flags.unwrap_or_default();
        flags.set(sync::MessageFlags::SYNC_RESET);
        message.flags = Some(flags);
    }

    fn drop_peer(&mut self, peer: &str, reason: &str) -> Vec<Output> {
        self.sessions.remove(peer);
        vec![Output::Disconnect {
            peer: peer.to_owned(),
            reason: reason.to_owned(),
        }]
    }
}

/// The authors of every change of a loaded document (from its change metadata, without
/// building the changes).
pub(crate) fn authors_of(doc: &mut AutoCommit) -> BTreeSet<String> {
    doc.get_changes_meta(&[])
        .iter()
        .filter_map(|meta| domain::signing::author_of(&meta.actor).ok())
        .map(|(peer, _)| peer.to_string())
        .collect()
}

/// What the log says of each of `authors`.
pub(crate) fn standings_of<H: Host>(
    host: &H,
    authors: impl IntoIterator<Item = String>,
) -> BTreeMap<String, Standing> {
    authors
        .into_iter()
        .map(|a| {
            let standing = host.standing(&a);
            (a, standing)
        })
        .collect()
}

/// [`standings_of`] the authors of every change of a loaded document.
fn standings_of_doc<H: Host>(host: &H, doc: &mut AutoCommit) -> BTreeMap<String, Standing> {
    standings_of(host, authors_of(doc))
}

/// Whether a document this device does not hold, with the verified header `meta`, is the one
/// `peer` named and one both sides may hold.
fn new_for_both<H: Host>(host: &H, peer: &str, doc: &str, meta: &DocMeta) -> bool {
    meta.id == doc && host.may_hold(&host.me(), meta) && host.may_hold(peer, meta)
}

/// How a document new to this device arrives at [`Engine::new_document`].
enum Arriving {
    /// Loaded, its changes still to judge.
    Loaded(AutoCommit),
    /// Already judged ([`crate::precheck`]): the document made of the changes that passed, and
    /// what the check said.
    Judged(AutoCommit, Admission),
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
