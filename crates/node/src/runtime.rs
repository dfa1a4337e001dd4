//! The sync runtime: what a serving device does with each event of the network, without doing
//! any IO itself but through its store. It takes the time and one [`Input`] at a time (a peer
//! connected, a frame arrived, a join request, a tick) and answers with [`Action`]s for the
//! network (frames to send, peers to drop, the member list, a join reply). Inside: the `sync`
//! engine, the cache of loaded documents and its flush, the announcements of local changes, the
//! progress of a large sync, and the inviter's join lobby with its rate limits. The async loop
//! in `serve.rs` owns the sockets and the timers and feeds it; the simulation in
//! `tests/runtime.rs` feeds it a seeded network instead.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use automerge::{AutoCommit, ChangeHash};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use domain::signing::Signatures;
use domain::{DocKind, DocMeta, Refusal, Standing, Workspace, same_heads};
use net::{Address, Peer};
use serde::{Deserialize, Serialize};
use sync::engine::{Engine, Host, Output};
use sync::membership::{Members, Op, Role};
use sync::protocol::{DocDigest, Message};
use sync::ticket::Ticket;

use crate::NodeError;
use crate::core::{Core, now};

/// The most bytes of messages put into one batch frame (a single larger message goes alone;
/// frames are bounded by `sync::protocol::MAX_FRAME`).
const BATCH_BYTES: usize = 1024 * 1024;

/// Documents the sync runtime keeps loaded between frames; the resident memory of a serving
/// peer is bounded by this, not by the size of the workspace.
const CACHED_DOCS: usize = 256;

/// Join attempts accepted per peer per minute, and from everyone per minute.
const JOIN_PER_PEER: usize = 3;
const JOIN_GLOBAL: usize = 30;

/// The sync state kept by the store thread while the network runs.
#[derive(Default)]
pub(crate) struct SyncRuntime {
    engine: Engine,
    cache: BTreeMap<String, Cached>,
    /// Header and heads digest of every document looked at, so that summaries and access
    /// checks need not load documents again (small: no document content).
    known: BTreeMap<String, Known>,
    last_chunk: i64,
    /// The store's membership mark when last looked at ([`store::Store::membership_mark`]).
    log_mark: i64,
    stats: BTreeMap<String, PeerStats>,
    joins: VecDeque<(i64, String)>,
    /// The workspace and the evaluated membership, kept between frames and read again only
    /// when the workspace document or the membership log changes.
    view: Option<(Workspace, Members)>,
    /// The workspace document or the log changed since `view` was read: the next call reads
    /// them again and compares the membership (see [`SyncHost::refresh_membership`]).
    view_stale: bool,
    /// By peer: the documents its last summary listed that this device did not hold, and
    /// which of them have arrived since (progress of a large sync).
    progress: BTreeMap<String, Progress>,
    /// The member list last given to the network (`Action::Members`).
    allowed: Option<BTreeSet<String>>,
    /// The time of the input being handled (ms since the epoch).
    now: i64,
    /// How many documents stay loaded between frames ([`CACHED_DOCS`] unless set).
    cache_limit: usize,
    /// Peers a frame could not reach although they are members (the first frames after a
    /// join race the newcomer's own admission of the connection): their session starts over
    /// at the next tick.
    resend: BTreeSet<String>,
    /// Known members' devices not connected: when to dial them again, and the wait after that.
    redial: BTreeMap<String, (i64, i64)>,
    /// When the devices to dial again were last looked at (ms).
    redial_look: i64,
    /// The relays last given to the network (`Action::Relays`).
    relays: Option<Vec<String>>,
    /// Code exchanges under way, by newcomer device: the code's invite and the key derived.
    code_sessions: BTreeMap<String, (String, Vec<u8>)>,
}

/// The documents a peer announced that this device lacked, and how many have arrived.
#[derive(Debug, Clone, Default)]
struct Progress {
    expected: BTreeSet<String>,
    arrived: usize,
}

/// A document the sync runtime holds loaded.
struct Cached {
    doc: AutoCommit,
    meta: DocMeta,
    /// The newest stored chunk of the document when this copy was known to contain everything
    /// stored (loaded, or written whole); `None` when it may lack something stored.
    chunk: Option<i64>,
}

/// What the sync runtime remembers of a document it looked at.
struct Known {
    meta: DocMeta,
    heads: Vec<ChangeHash>,
    digest: [u8; 32],
}

/// Traffic with one peer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PeerStats {
    /// Frames sent.
    pub frames_sent: usize,
    /// Frames received.
    pub frames_received: usize,
    /// Bytes sent.
    pub bytes_sent: usize,
    /// Bytes received.
    pub bytes_received: usize,
    /// Documents we sent sync messages about.
    pub docs_sent: BTreeSet<String>,
    /// Documents that gained changes (or arrived) from this peer.
    pub docs_received: BTreeSet<String>,
}

/// What happened, for the runtime to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The network (re)started.
    Started,
    /// The network listens on these addresses (kept for invite tickets).
    Listening(Vec<String>),
    /// Time passed, or something was written here: look for changes to offer (this or
    /// another process's, and membership entries), and restart sessions that lost a frame.
    Tick,
    /// An authenticated member's connection, with its address when this device dialled it.
    Connected {
        /// Device id.
        peer: String,
        /// The address dialled.
        addr: Option<String>,
    },
    /// A connection closed.
    Disconnected {
        /// Device id.
        peer: String,
    },
    /// A frame from a member.
    Frame {
        /// Device id.
        peer: String,
        /// The frame's bytes, untrusted.
        frame: Vec<u8>,
    },
    /// A frame did not reach a peer.
    SendFailed {
        /// Device id.
        peer: String,
    },
    /// A peer told the addresses it listens on.
    Identified {
        /// Device id.
        peer: String,
        /// Its addresses.
        addrs: Vec<String>,
    },
    /// How a connected peer is reached now (`direct`, `hole-punched` or `relayed`).
    Path {
        /// Device id.
        peer: String,
        /// The path.
        path: String,
    },
    /// Whether this device is reachable from outside (`public`, `private`, `unknown`), as
    /// AutoNAT sees it.
    Reachability(String),
    /// A newcomer's join request to this device's lobby.
    JoinRequest {
        /// Device id of the newcomer.
        peer: String,
        /// The request's id, to answer it.
        id: u64,
        /// The request's bytes, untrusted.
        request: Vec<u8>,
    },
}

/// What the runtime asks of the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send a frame to a peer.
    Send(String, Vec<u8>),
    /// Close the connection to a peer.
    Disconnect(String),
    /// Answer a join request.
    JoinReply(u64, Vec<u8>),
    /// The member list changed: the network lets only these devices sync.
    Members(Vec<String>),
    /// Dial an address (a known peer's: at start, then again with backoff while it is not
    /// connected, directly and through the workspace's relays).
    Dial(String),
    /// The workspace's relays changed (or the network started): listen through these.
    Relays(Vec<String>),
}

/// The first wait before dialling a known member's device again, doubled at each try up to
/// [`REDIAL_MAX`] (ms).
const REDIAL_FIRST: i64 = 2_000;
const REDIAL_MAX: i64 = 300_000;

/// A newcomer's request to the inviter's lobby: its name, the invite, and the proof that it
/// holds the invite's secret (a signature by the invite's key over the workspace, the invite
/// and the newcomer's own id: the secret itself never travels).
#[derive(Serialize, Deserialize)]
struct JoinRequest {
    invite: String,
    name: String,
    proof: String,
}

#[derive(Serialize, Deserialize)]
struct JoinResponse {
    ok: bool,
    error: Option<String>,
    /// The join package (base64): the whole membership log and the workspace, signed.
    package: Option<String>,
}

/// What a newcomer sends the inviter's lobby to redeem `ticket` as device `me` under `name`.
pub fn join_request(ticket: &Ticket, name: &str, me: &str) -> Vec<u8> {
    serde_json::to_vec(&JoinRequest {
        invite: ticket.invite.clone(),
        name: name.trim().to_owned(),
        proof: sync::membership::admit_proof(
            ticket.secret.as_bytes(),
            &ticket.workspace,
            &ticket.invite,
            me,
        ),
    })
    .unwrap_or_default()
}

/// The join package in the inviter's answer to a join request, or why it refused.
pub fn join_package(response: &[u8]) -> Result<Vec<u8>, NodeError> {
    let resp: JoinResponse = serde_json::from_slice(response)
        .map_err(|_| NodeError::Invalid("the inviter sent an unreadable answer".into()))?;
    match (resp.ok, resp.package) {
        (true, Some(package)) => B64
            .decode(package)
            .map_err(|_| NodeError::Invalid("the inviter sent an unreadable workspace".into())),
        _ => {
            let why = resp.error.unwrap_or_else(|| "refused".into());
            Err(NodeError::Invalid(format!("the inviter refused: {why}")))
        }
    }
}

/// The longest an invite may live; the admitting device judges expiry by its own clock.
pub const MAX_INVITE_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

pub(crate) struct SyncHost<'a> {
    core: &'a mut Core,
    now: i64,
    cache_limit: usize,
    cache: &'a mut BTreeMap<String, Cached>,
    known: &'a mut BTreeMap<String, Known>,
    members: Members,
    ws: Workspace,
    received: BTreeSet<String>,
    membership_changed: bool,
    /// Chunk id ranges written by merges in this call (see [`Core::write_synced`]).
    own_chunks: Vec<(i64, i64)>,
    /// Documents changed in memory during this call and not yet stored: they are written
    /// together, in one transaction, when the call ends ([`SyncHost::flush`]).
    dirty: BTreeSet<String>,
    /// A peer's summary in this call: the documents it listed that this device lacks.
    lacking: Option<(String, BTreeSet<String>)>,
    /// Signatures of the changes admitted in this call, by document, stored with them at the
    /// flush.
    sigs: BTreeMap<String, Signatures>,
}

impl SyncRuntime {
    /// The workspace document changed: the cached workspace and membership are read again,
    /// and compared, on next use.
    pub(crate) fn invalidate_view(&mut self) {
        self.view_stale = true;
    }

    /// Chunks `before+1..=after` were written by the sync itself: skip them if nothing
    /// unseen precedes them.
    pub(crate) fn skip_own_chunks(&mut self, before: i64, after: i64) {
        if self.last_chunk == before {
            self.last_chunk = after;
        }
    }
}

impl SyncHost<'_> {
    /// Keeps a loaded document, first dropping a stored one if the cache is full. Only
    /// documents that are stored as they are in memory are dropped (dirty ones stay until the
    /// call's flush), so dropping one only means loading it again when next needed; during one
    /// call the cache may grow past [`CACHED_DOCS`] by the documents of that call's frame.
    fn cache_put(&mut self, id: String, doc: AutoCommit, meta: DocMeta, chunk: Option<i64>) {
        // Dirty documents are always cached: when every cached one is dirty there is nothing
        // to drop, and no need to look through them all for each document a frame brings.
        if self.cache.len() >= self.cache_limit
            && self.cache.len() > self.dirty.len()
            && !self.cache.contains_key(&id)
        {
            let clean = self
                .cache
                .keys()
                .find(|k| !self.dirty.contains(*k))
                .cloned();
            if let Some(clean) = clean {
                self.cache.remove(&clean);
            }
        }
        let mut doc = doc;
        let heads = doc.get_heads();
        let known = Known {
            meta: meta.clone(),
            digest: sync::engine::digest_of(&heads),
            heads,
        };
        self.known.insert(id.clone(), known);
        self.cache.insert(id, Cached { doc, meta, chunk });
    }

    /// What is remembered of `doc`: if it was never looked at, its header and heads as
    /// recorded in the store (no load), or else what loading it says.
    fn known(&mut self, doc: &str) -> Option<&Known> {
        if !self.known.contains_key(doc) {
            if let Ok(Some((meta, heads))) = self.core.store.doc_header(doc) {
                let known = Known {
                    meta,
                    digest: sync::engine::digest_of(&heads),
                    heads,
                };
                self.known.insert(doc.to_owned(), known);
            } else if !self.load(doc) {
                return None;
            }
        }
        self.known.get(doc)
    }

    fn load(&mut self, doc: &str) -> bool {
        if self.cache.contains_key(doc) {
            return true;
        }
        let Ok(Some((bytes, chunk))) = self.core.store.doc_bytes_at(doc) else {
            return false;
        };
        let Ok(loaded) = domain::load_stored(&bytes) else {
            return false;
        };
        let loaded = loaded.with_actor(self.core.actor.clone());
        // The header is immutable: one already known (verified when it was stored) is reused.
        let meta = match self.known.get(doc) {
            Some(known) => known.meta.clone(),
            None => match domain::read_meta(&loaded) {
                Ok(meta) => meta,
                Err(_) => return false,
            },
        };
        self.cache_put(doc.to_owned(), loaded, meta, Some(chunk));
        true
    }

    /// Marks a document changed in memory: it is stored at the call's [`SyncHost::flush`].
    /// (Rights come from the membership log, stored as its entries arrive, so no document of
    /// a frame decides what the rest of it may do.)
    fn touched(&mut self, doc: &str) {
        self.dirty.insert(doc.to_owned());
    }

    /// Stores every dirty document in one durable transaction, each in its own savepoint: a
    /// document whose merge fails is forgotten in memory (the stored one stays) without
    /// costing the others.
    fn flush(&mut self) {
        let dirty = std::mem::take(&mut self.dirty);
        if dirty.is_empty() {
            return;
        }
        let mut work = Vec::new();
        for id in dirty {
            if let Some(cached) = self.cache.remove(&id)
                && let Ok(kind) = cached.meta.doc_kind()
            {
                let base = self.known.get(&id).map(|k| k.heads.clone());
                let sigs = self.sigs.remove(&id).unwrap_or_default();
                work.push((id, kind, cached, base, sigs));
            }
        }
        // What costs in writing a document (its snapshot, its model read for the index) is made
        // on every core first; the writes then go in turn, in one transaction.
        // (A document that gained nothing since it was stored is not written at all.)
        let ready = sync::parallel::in_parallel(
            work.iter_mut()
                .map(|(_, kind, cached, base, _)| (*kind, cached, base.as_deref()))
                .collect(),
            |(kind, cached, base): (DocKind, &mut Cached, Option<&[ChangeHash]>)| {
                if cached.chunk.is_some()
                    && base.is_some_and(|b| same_heads(b, &cached.doc.get_heads()))
                {
                    return None;
                }
                let ready = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    store::Ready::new(&cached.meta, kind, &mut cached.doc)
                }));
                // A failure is met again, and reported, where the document is written.
                ready.ok()?.ok()
            },
        );
        let written = self.core.write_synced(|w| {
            let mut stored = Vec::with_capacity(work.len());
            for ((id, kind, cached, base, sigs), ready) in work.iter_mut().zip(ready) {
                let base = cached.chunk.zip(base.as_deref());
                let out = w
                    .savepoint(|w| {
                        w.store_synced(id, *kind, &cached.meta, &mut cached.doc, base, sigs, ready)
                    })
                    .inspect_err(|e| tracing::warn!(doc = %id, error = %e, "not stored"));
                stored.push(out.ok());
            }
            Ok(stored)
        });
        let (stored, chunks) = match written {
            Ok((stored, chunks)) => (stored, chunks),
            Err(e) => {
                tracing::warn!(error = %e, "merged documents not stored");
                (vec![None; work.len()], None)
            }
        };
        self.own_chunks.extend(chunks);
        for ((id, _, cached, _, _), outcome) in work.into_iter().zip(stored) {
            if let Some(chunk) = outcome {
                self.received.insert(id.clone());
                self.cache_put(id, cached.doc, cached.meta, chunk);
            } else {
                // The merged result did not verify or could not be written: forget the
                // in-memory copy, keep what is stored.
                self.known.remove(&id);
            }
        }
    }

    fn refresh_membership(&mut self) {
        if let Ok(ws) = self.core.workspace()
            && let Ok(members) = self.core.members()
        {
            self.membership_changed |= members != self.members;
            self.members = members;
            self.ws = ws;
        }
    }

    /// Keeps the signatures of admitted changes of `doc` until the flush stores them.
    fn keep_sigs(&mut self, doc: &str, sigs: Signatures) {
        if !sigs.is_empty() {
            self.sigs.entry(doc.to_owned()).or_default().extend(sigs);
        }
    }
}

impl Host for SyncHost<'_> {
    fn is_member(&self, member: &str) -> bool {
        self.members.is_member(member)
    }
    fn may_hold(&self, member: &str, meta: &DocMeta) -> bool {
        sync::access::entitled(&self.members, &self.ws.meta.id, meta, member)
    }
    fn me(&self) -> String {
        self.core.me.clone()
    }
    fn doc_ids(&self) -> Vec<String> {
        let mut ids: BTreeSet<String> = self
            .core
            .store
            .documents(None)
            .map(|d| d.into_iter().map(|r| r.id).collect())
            .unwrap_or_default();
        // Documents that arrived in this call are not stored yet.
        ids.extend(self.dirty.iter().cloned());
        ids.into_iter().collect()
    }
    fn meta(&mut self, doc: &str) -> Option<DocMeta> {
        self.known(doc).map(|k| k.meta.clone())
    }
    fn doc_mut(&mut self, doc: &str) -> Option<&mut AutoCommit> {
        if !self.load(doc) {
            return None;
        }
        self.cache.get_mut(doc).map(|c| &mut c.doc)
    }
    fn insert(&mut self, doc: AutoCommit, meta: DocMeta, sigs: Signatures) -> bool {
        // The engine verified the header and admitted every change (each state of the
        // document checked against its model and the write rules).
        let id = meta.id.clone();
        let doc = doc.with_actor(self.core.actor.clone());
        self.cache_put(id.clone(), doc, meta, None);
        self.keep_sigs(&id, sigs);
        self.touched(&id);
        true
    }
    fn saved(&mut self, doc: &str) -> Option<Vec<u8>> {
        if self.dirty.contains(doc) {
            return self.cache.get_mut(doc).map(|c| c.doc.save());
        }
        self.core.store.doc_bytes(doc).ok().flatten()
    }
    fn changed(&mut self, doc: &str, sigs: Signatures) {
        self.keep_sigs(doc, sigs);
        self.touched(doc);
    }
    fn signatures(&mut self, doc: &str, hashes: Option<&[ChangeHash]>) -> Signatures {
        let mut out = self
            .core
            .store
            .signatures(doc, hashes)
            .inspect_err(|e| tracing::warn!(doc, error = %e, "cannot read signatures"))
            .unwrap_or_default();
        // Changes admitted in this call are not stored yet.
        if let Some(pending) = self.sigs.get(doc) {
            match hashes {
                None => out.extend(pending.iter().map(|(h, s)| (*h, *s))),
                Some(hashes) => out.extend(
                    hashes
                        .iter()
                        .filter_map(|h| pending.get(h).map(|s| (*h, *s))),
                ),
            }
        }
        out
    }
    fn standing(&self, member: &str) -> Standing {
        crate::exchange::standing_in(&self.members, member)
    }
    fn refused(&mut self, peer: &str, doc: &str, refusals: &[Refusal]) {
        let at = self.now;
        for r in refusals {
            tracing::warn!(peer, doc, change = %r.change, author = %r.author, reason = %r.reason, "refused a change");
            let row = store::RefusalRow {
                doc: doc.to_owned(),
                change: r.change,
                author: r.author.clone(),
                reason: r.reason.clone(),
                at,
            };
            if let Err(e) = self.core.store.record_refusal(peer, &row) {
                tracing::warn!(peer, error = %e, "cannot record a refused change");
            }
        }
    }
    fn log_heads(&self) -> Vec<String> {
        self.core
            .log_view()
            .map(|v| v.log.heads())
            .unwrap_or_default()
    }
    fn log_has(&self, hash: &str) -> bool {
        self.core.log_view().is_ok_and(|v| v.log.contains(hash))
    }
    fn log_missing(&self, theirs: &[String]) -> Vec<String> {
        self.core
            .log_view()
            .map(|v| v.log.missing_for(theirs))
            .unwrap_or_default()
    }
    fn log_add(&mut self, entries: &[String]) -> bool {
        let added = match self.core.add_log_entries(entries) {
            Ok(added) => added,
            Err(e) => {
                tracing::warn!(error = %e, "membership entries not stored");
                0
            }
        };
        if added == 0 {
            return false;
        }
        let before = self.members.clone();
        self.refresh_membership();
        self.members != before
    }
    fn digest(&mut self, doc: &str) -> Option<[u8; 32]> {
        self.known(doc).map(|k| k.digest)
    }
    fn heads(&mut self, doc: &str) -> Option<Vec<ChangeHash>> {
        self.known(doc).map(|k| k.heads.clone())
    }
    fn reload(&mut self, doc: &str) {
        self.cache.remove(doc);
        self.known.remove(doc);
        self.dirty.remove(doc);
    }
    fn announced(&mut self, peer: &str, docs: &[DocDigest]) {
        let held: BTreeSet<String> = self.doc_ids().into_iter().collect();
        let lacking = docs
            .iter()
            .filter(|d| !held.contains(&d.id))
            .map(|d| d.id.clone())
            .collect();
        self.lacking = Some((peer.to_owned(), lacking));
        // What a member announced is kept for `status`, in one transaction.
        if self.members.is_member(peer) {
            let docs: Vec<(&str, &[u8])> = docs
                .iter()
                .map(|d| (d.id.as_str(), d.heads.as_slice()))
                .collect();
            if let Err(e) = self.core.store.note_peer_docs(peer, &docs, self.now) {
                tracing::warn!(peer, error = %e, "cannot record what the peer announced");
            }
        }
    }
}

impl Core {
    pub(crate) fn with_host<R>(
        &mut self,
        f: impl FnOnce(&mut Engine, &mut SyncHost<'_>) -> R,
    ) -> Result<(R, BTreeSet<String>, bool), NodeError> {
        let mut rt = self.sync.take().unwrap_or_default();
        // A stale cached view is read again once the host holds it (and the membership compared);
        // with no cached view there is nothing to compare: it is read fresh here.
        let stale = std::mem::take(&mut rt.view_stale) && rt.view.is_some();
        let (ws, members) = match rt.view.take() {
            Some(view) => view,
            None => (self.workspace()?, self.members()?),
        };
        let out;
        let received;
        let membership_changed;
        let own_chunks;
        {
            let mut host = SyncHost {
                core: self,
                now: rt.now,
                cache_limit: rt.cache_limit,
                cache: &mut rt.cache,
                known: &mut rt.known,
                members,
                ws,
                received: BTreeSet::new(),
                membership_changed: false,
                own_chunks: Vec::new(),
                dirty: BTreeSet::new(),
                lacking: None,
                sigs: BTreeMap::new(),
            };
            if stale {
                host.refresh_membership();
            }
            out = f(&mut rt.engine, &mut host);
            host.flush();
            if let Some((peer, expected)) = host.lacking.take() {
                rt.progress.insert(
                    peer,
                    Progress {
                        expected,
                        arrived: 0,
                    },
                );
            }
            received = std::mem::take(&mut host.received);
            membership_changed = host.membership_changed;
            own_chunks = std::mem::take(&mut host.own_chunks);
            rt.view = Some((host.ws, host.members));
        }
        for (before, after) in own_chunks {
            rt.skip_own_chunks(before, after);
        }
        self.sync = Some(rt);
        Ok((out, received, membership_changed))
    }

    /// Frames for the engine's outputs: the messages of one call to the same peer travel
    /// together as batches of up to [`BATCH_BYTES`], in order; a disconnection follows the
    /// messages queued for that peer before it.
    fn net_actions(&mut self, outputs: Vec<Output>) -> Vec<Action> {
        sync::engine::batched(outputs, BATCH_BYTES)
            .into_iter()
            .map(|out| match out {
                Output::Send { to, msg } => self.frame(to, msg),
                Output::Disconnect { peer, reason } => {
                    tracing::info!(peer, reason, "disconnecting");
                    Action::Disconnect(peer)
                }
            })
            .collect()
    }

    /// One frame carrying `msg`, counted in the peer's traffic.
    fn frame(&mut self, to: String, msg: Message) -> Action {
        let frame = msg.encode();
        tracing::debug!(peer = %to, bytes = frame.len(), "frame out");
        if let Some(rt) = self.sync.as_mut() {
            let stats = rt.stats.entry(to.clone()).or_default();
            stats.frames_sent += 1;
            stats.bytes_sent += frame.len();
            let single = std::slice::from_ref(&msg);
            let msgs = match &msg {
                Message::Batch(msgs) => msgs.as_slice(),
                _ => single,
            };
            for m in msgs {
                if let Message::Sync { doc, .. } | Message::Doc { doc, .. } = m {
                    stats.docs_sent.insert(doc.clone());
                }
            }
        }
        Action::Send(to, frame)
    }

    /// Handles one input at `now` (ms since the epoch) and says what the network must do.
    pub fn step(&mut self, now: i64, input: Input) -> Result<Vec<Action>, NodeError> {
        self.sync_start()?;
        if let Some(rt) = self.sync.as_mut() {
            rt.now = now;
        }
        match input {
            Input::Started => self.network_started(),
            Input::Listening(addrs) => {
                let list = serde_json::to_string(&addrs).unwrap_or_default();
                self.store.set_setting("listen_addrs", &list)?;
                Ok(Vec::new())
            }
            Input::Tick => {
                let mut actions = self.sync_tick()?;
                actions.extend(self.redial(false)?);
                Ok(actions)
            }
            Input::Path { peer, path } => {
                if self.members()?.is_member(&peer) {
                    self.store.note_peer_path(&peer, &path)?;
                }
                Ok(Vec::new())
            }
            Input::Reachability(reach) => {
                self.store.set_setting("reachability", &reach)?;
                Ok(Vec::new())
            }
            Input::Connected { peer, addr } => self.sync_connected(&peer, addr.as_deref()),
            Input::Disconnected { peer } => {
                self.sync_disconnected(&peer);
                Ok(Vec::new())
            }
            Input::Frame { peer, frame } => self.sync_frame(&peer, &frame),
            Input::SendFailed { peer } => {
                self.sync_send_failed(&peer)?;
                Ok(Vec::new())
            }
            Input::Identified { peer, addrs } => {
                if self.members()?.is_member(&peer) {
                    let list = serde_json::to_string(&addrs).unwrap_or_default();
                    self.store.note_peer(&peer, Some(&list), None, None)?;
                }
                Ok(Vec::new())
            }
            Input::JoinRequest { peer, id, request } => {
                let (reply, mut actions) = self.sync_join(&peer, &request)?;
                actions.insert(0, Action::JoinReply(id, reply));
                Ok(actions)
            }
        }
    }

    /// How many documents the runtime keeps loaded between frames (the simulation makes it
    /// small, so that documents are dropped and loaded again).
    pub fn set_cache_limit(&mut self, docs: usize) -> Result<(), NodeError> {
        self.sync_start()?;
        if let Some(rt) = self.sync.as_mut() {
            rt.cache_limit = docs.max(1);
        }
        Ok(())
    }

    /// The time of the input being handled.
    fn sync_now(&self) -> i64 {
        self.sync.as_ref().map_or_else(now, |rt| rt.now)
    }

    /// The network (re)started: it needs the member list whatever it was told before, and the
    /// addresses of the members this device met are dialled again.
    fn network_started(&mut self) -> Result<Vec<Action>, NodeError> {
        if let Some(rt) = self.sync.as_mut() {
            rt.allowed = None;
        }
        let mut actions: Vec<Action> = self.members_action()?.into_iter().collect();
        if let Some(rt) = self.sync.as_mut() {
            rt.relays = None;
            rt.redial.clear();
        }
        actions.extend(self.relays_action()?);
        actions.extend(self.redial(true)?);
        Ok(actions)
    }

    /// The workspace's relays for the network, if they changed since last given.
    fn relays_action(&mut self) -> Result<Option<Action>, NodeError> {
        // Only a current member's device is a relay: an address naming anyone else is ignored.
        let members = self.members()?;
        let relays: Vec<String> = self
            .workspace()?
            .relays
            .into_iter()
            .filter(|r| {
                r.rsplit_once("/p2p/")
                    .is_some_and(|(_, id)| members.is_member(id) && !r.contains("/p2p-circuit"))
            })
            .collect();
        let Some(rt) = self.sync.as_mut() else {
            return Ok(None);
        };
        if rt.relays.as_ref() == Some(&relays) {
            return Ok(None);
        }
        rt.relays = Some(relays.clone());
        Ok(Some(Action::Relays(relays)))
    }

    /// Dials the known members' devices that are not connected and whose wait is over (all of
    /// them when `now_all`): at each address they were last seen at and through each relay.
    /// Looked at once a second at most.
    fn redial(&mut self, now_all: bool) -> Result<Vec<Action>, NodeError> {
        let Some(rt) = self.sync.as_mut() else {
            return Ok(Vec::new());
        };
        let now = rt.now;
        if !now_all && now - rt.redial_look < 1_000 {
            return Ok(Vec::new());
        }
        rt.redial_look = now;
        let connected = rt.engine.peers();
        let relays = rt.relays.clone().unwrap_or_default();
        let members = self.members()?;
        // Every member's device: at the addresses it was last seen at, and (even one never
        // met, known only from the membership log) through the workspace's relays.
        let mut known: BTreeMap<String, Vec<String>> = members
            .members
            .keys()
            .map(|m| (m.clone(), Vec::new()))
            .collect();
        for row in self.store.peers()? {
            if let Some(addrs) = known.get_mut(&row.peer) {
                *addrs = serde_json::from_str(&row.addrs).unwrap_or_default();
            }
        }
        let mut actions = Vec::new();
        for (peer, addrs) in known {
            if peer == self.me || (addrs.is_empty() && relays.is_empty()) {
                continue;
            }
            let Some(rt) = self.sync.as_mut() else {
                break;
            };
            if connected.contains(&peer) {
                rt.redial.remove(&peer);
                continue;
            }
            let (next, wait) = rt.redial.entry(peer.clone()).or_insert((now, REDIAL_FIRST));
            if now < *next && !now_all {
                continue;
            }
            *next = now + *wait;
            *wait = (*wait * 2).min(REDIAL_MAX);
            // Each address once: those it told (a relayed one names it at its end) and one
            // through each of the workspace's relays.
            let mut dial: BTreeSet<String> = addrs
                .into_iter()
                .filter(|a| {
                    !a.contains("/p2p/") || a.contains("/p2p-circuit") || a.ends_with(&peer)
                })
                .map(|a| {
                    // Each address names the peer at its end, so only that device is reached.
                    if a.ends_with(&format!("/p2p/{peer}")) {
                        a
                    } else {
                        format!("{a}/p2p/{peer}")
                    }
                })
                .collect();
            dial.extend(
                relays
                    .iter()
                    .filter(|r| !r.ends_with(&peer))
                    .map(|r| format!("{r}/p2p-circuit/p2p/{peer}")),
            );
            actions.extend(dial.into_iter().map(Action::Dial));
        }
        Ok(actions)
    }

    /// The member list for the network, if it changed since it was last given.
    fn members_action(&mut self) -> Result<Option<Action>, NodeError> {
        let current: BTreeSet<String> = self.members()?.members.into_keys().collect();
        let Some(rt) = self.sync.as_mut() else {
            return Ok(None);
        };
        if rt.allowed.as_ref() == Some(&current) {
            return Ok(None);
        }
        rt.allowed = Some(current.clone());
        Ok(Some(Action::Members(current.into_iter().collect())))
    }

    /// Every connected peer's session starts over at the next tick (after changes written
    /// outside a frame, such as a bundle's).
    pub(crate) fn resync_peers(&mut self) {
        if let Some(rt) = self.sync.as_mut() {
            let peers = rt.engine.peers();
            rt.resend.extend(peers);
            rt.view_stale = true;
        }
    }

    /// Forgets the code exchanges under way (a new code replaces the pending one).
    pub(crate) fn forget_code_sessions(&mut self) {
        if let Some(rt) = self.sync.as_mut() {
            rt.code_sessions.clear();
        }
    }

    /// Starts the sync runtime (idempotent).
    pub(crate) fn sync_start(&mut self) -> Result<(), NodeError> {
        if self.sync.is_none() {
            let last_chunk = self.store.last_chunk()?;
            let log_mark = self.store.membership_mark()?;
            self.sync = Some(SyncRuntime {
                last_chunk,
                log_mark,
                now: now(),
                cache_limit: CACHED_DOCS,
                ..SyncRuntime::default()
            });
        }
        Ok(())
    }

    /// An authenticated peer connected. Members get our summary; others get nothing and are
    /// left to the lobby (they may only send a join request).
    fn sync_connected(&mut self, peer: &str, addr: Option<&str>) -> Result<Vec<Action>, NodeError> {
        let members = self.members()?;
        if !members.is_member(peer) {
            tracing::info!(
                peer,
                "connection from a device that is not a member: lobby only"
            );
            return Ok(Vec::new());
        }
        tracing::info!(peer, "member connected");
        let addrs = addr.map(|a| serde_json::to_string(&[a]).unwrap_or_default());
        self.store
            .note_peer(peer, addrs.as_deref(), Some(self.sync_now()), None)?;
        let (outputs, _, _) = self.with_host(|engine, host| engine.connected(host, peer))?;
        Ok(self.net_actions(outputs))
    }

    fn sync_disconnected(&mut self, peer: &str) {
        if let Some(rt) = self.sync.as_mut() {
            rt.engine.disconnected(peer);
            rt.progress.remove(peer);
        }
    }

    /// A frame arrived from a peer.
    fn sync_frame(&mut self, peer: &str, frame: &[u8]) -> Result<Vec<Action>, NodeError> {
        tracing::debug!(peer, bytes = frame.len(), "frame in");
        if let Some(rt) = self.sync.as_mut() {
            let stats = rt.stats.entry(peer.to_owned()).or_default();
            stats.frames_received += 1;
            stats.bytes_received += frame.len();
        }
        let msg = match Message::decode(frame) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(peer, error = %e, "refusing a malformed frame");
                self.sync_disconnected(peer);
                return Ok(vec![Action::Disconnect(peer.to_owned())]);
            }
        };
        let (outputs, received, membership_changed) =
            self.with_host(|engine, host| engine.received(host, peer, msg))?;
        let mut actions = self.net_actions(outputs);
        if let Some(rt) = self.sync.as_mut() {
            rt.stats
                .entry(peer.to_owned())
                .or_default()
                .docs_received
                .extend(received.iter().cloned());
            // Whoever sent them, the documents that arrived count for every peer's progress.
            for progress in rt.progress.values_mut() {
                for doc in &received {
                    if progress.expected.remove(doc) {
                        progress.arrived += 1;
                    }
                }
            }
            // `last_chunk` is left to `sync_tick`: moving it here would skip a change
            // another process committed just before this frame arrived.
        }
        if !received.is_empty() {
            self.store
                .note_peer(peer, None, None, Some(self.sync_now()))?;
        }
        if membership_changed {
            let (outputs, _, _) = self.with_host(|engine, host| engine.membership_changed(host))?;
            actions.extend(self.net_actions(outputs));
        }
        actions.extend(self.members_action()?);
        Ok(actions)
    }

    /// Picks up documents changed and membership entries appended by this or another process
    /// since the last look, and offers them to connected peers.
    fn sync_tick(&mut self) -> Result<Vec<Action>, NodeError> {
        let Some((last, last_mark)) = self.sync.as_ref().map(|rt| (rt.last_chunk, rt.log_mark))
        else {
            return Ok(Vec::new());
        };
        let mut restarted = Vec::new();
        let resend = self
            .sync
            .as_mut()
            .map(|rt| std::mem::take(&mut rt.resend))
            .unwrap_or_default();
        for peer in resend {
            restarted.extend(self.sync_connected(&peer, None)?);
        }
        let newest = self.store.last_chunk()?;
        let mark = self.store.membership_mark()?;
        if newest == last && mark == last_mark {
            return Ok(restarted);
        }
        let changed_kinds = if newest == last {
            Vec::new()
        } else {
            self.store.changed_since(last)?
        };
        // Edits of other processes reach this process's subscribers (the desktop's screens)
        // too; this process's own were announced when they committed, once more is harmless.
        for (id, kind) in &changed_kinds {
            let _ = self.events.send(crate::Event::DocChanged {
                id: id.clone(),
                kind: *kind,
            });
        }
        let log_grew = mark != last_mark;
        if log_grew {
            let _ = self.events.send(crate::Event::MembershipChanged);
        }
        let changed: Vec<String> = changed_kinds.into_iter().map(|(id, _)| id).collect();
        tracing::info!(docs = changed.len(), log_grew, "local changes to offer");
        if let Some(rt) = self.sync.as_mut() {
            rt.last_chunk = newest;
            rt.log_mark = mark;
            if log_grew || changed.contains(&self.workspace_id) {
                rt.invalidate_view();
            }
            for doc in &changed {
                // The stored version is newer: drop the cached copy so it is reloaded.
                rt.cache.remove(doc);
                rt.known.remove(doc);
            }
        }
        let (mut outputs, _, membership_changed) = self.with_host(|engine, host| {
            let mut out = Vec::new();
            if log_grew {
                out.extend(engine.log_grew(host));
            }
            for doc in &changed {
                out.extend(engine.local_change(host, doc));
            }
            out
        })?;
        if membership_changed {
            // Only a change of membership (not every workspace edit: a kudos, a skill claim)
            // drops peers and announces again what each may now hold.
            let (more, _, _) = self.with_host(|engine, host| engine.membership_changed(host))?;
            outputs.extend(more);
        }
        let mut actions = restarted;
        actions.extend(self.net_actions(outputs));
        actions.extend(self.members_action()?);
        if changed.contains(&self.workspace_id) {
            actions.extend(self.relays_action()?);
        }
        Ok(actions)
    }

    /// A frame did not reach `peer`: if it is a member in session, its session starts over at
    /// the next tick (what it missed may have been the opening of the session).
    fn sync_send_failed(&mut self, peer: &str) -> Result<(), NodeError> {
        let member = self.members()?.is_member(peer);
        if let Some(rt) = self.sync.as_mut()
            && member
            && rt.engine.peers().contains(peer)
        {
            rt.resend.insert(peer.to_owned());
        }
        Ok(())
    }

    /// The inviter's lobby: a newcomer presents a proof that it holds one of our invites'
    /// secret. Checked here with this device's clock; admitted by an entry this device signs.
    fn sync_join(
        &mut self,
        peer: &str,
        request: &[u8],
    ) -> Result<(Vec<u8>, Vec<Action>), NodeError> {
        let answer = |r: Result<String, String>| -> Vec<u8> {
            let resp = match r {
                Ok(package) => JoinResponse {
                    ok: true,
                    error: None,
                    package: Some(package),
                },
                Err(e) => JoinResponse {
                    ok: false,
                    error: Some(e),
                    package: None,
                },
            };
            serde_json::to_vec(&resp).unwrap_or_default()
        };
        let now_ms = self.sync_now();
        if let Some(rt) = self.sync.as_mut() {
            while rt.joins.front().is_some_and(|(t, _)| now_ms - t > 60_000) {
                rt.joins.pop_front();
            }
            let from_peer = rt.joins.iter().filter(|(_, p)| p == peer).count();
            if from_peer >= JOIN_PER_PEER || rt.joins.len() >= JOIN_GLOBAL {
                return Ok((
                    answer(Err("too many attempts; wait a minute".into())),
                    Vec::new(),
                ));
            }
            rt.joins.push_back((now_ms, peer.to_owned()));
        }
        if let Some(req) = crate::code::request(request) {
            let reply = self.code_request(peer, req, now_ms)?;
            return Ok((reply.bytes(), Vec::new()));
        }
        match self.admit(peer, request, now_ms) {
            Ok(()) => {
                let package = self.join_package()?;
                // The network admits the newcomer's connection once it has the new member
                // list (after this answer): syncing starts from there.
                let actions = self.members_action()?.into_iter().collect();
                Ok((answer(Ok(B64.encode(package))), actions))
            }
            Err(e) => Ok((answer(Err(e)), Vec::new())),
        }
    }

    /// A message of a code exchange from `peer` (see [`crate::code`]).
    fn code_request(
        &mut self,
        peer: &str,
        req: crate::code::Request,
        now_ms: i64,
    ) -> Result<crate::code::Reply, NodeError> {
        use crate::code::{self, Reply};
        let pending = self
            .store
            .setting(code::SETTING)?
            .and_then(|text| serde_json::from_str::<code::Pending>(&text).ok());
        let Some(mut pending) = pending else {
            return Ok(Reply::refused(code::UNKNOWN));
        };
        match req {
            code::Request::Hello { nameplate, spake } => {
                if nameplate != pending.nameplate {
                    return Ok(Reply::refused(code::UNKNOWN));
                }
                if now_ms > pending.expires_at || pending.tries_left == 0 {
                    return Ok(Reply::refused(code::EXPIRED));
                }
                // Every exchange is one guess: counted before it is answered.
                pending.tries_left -= 1;
                let text = serde_json::to_string(&pending).unwrap_or_default();
                self.store.set_setting(code::SETTING, &text)?;
                match code::answer(&pending, &self.me, peer, &spake) {
                    Ok((reply, key)) => {
                        if let Some(rt) = self.sync.as_mut() {
                            // Bounded: one per device that said hello, at most a few a minute.
                            rt.code_sessions
                                .insert(peer.to_owned(), (pending.invite.clone(), key));
                        }
                        Ok(reply)
                    }
                    Err(why) => Ok(Reply::refused(&why)),
                }
            }
            code::Request::Confirm { nameplate, confirm } => {
                let session = self
                    .sync
                    .as_mut()
                    .and_then(|rt| rt.code_sessions.remove(peer));
                let Some((asked, key)) = session else {
                    return Ok(Reply::refused(code::UNKNOWN));
                };
                if asked != pending.invite || nameplate != pending.nameplate {
                    return Ok(Reply::refused(code::UNKNOWN));
                }
                if now_ms > pending.expires_at {
                    return Ok(Reply::refused(code::EXPIRED));
                }
                if !code::confirmed(&key, &confirm) {
                    tracing::info!(peer, "a wrong code");
                    return Ok(Reply::refused(code::WRONG));
                }
                // Used: the code dies; the ticket's invite is single-use too.
                self.store.remove_setting(code::SETTING)?;
                tracing::info!(peer, "code used: the ticket goes to the newcomer");
                Ok(Reply {
                    ok: true,
                    ticket: Some(pending.ticket),
                    ..Reply::default()
                })
            }
        }
    }

    /// Checks a join request against the log and this device's clock, then appends the
    /// `Admit` entry that makes `peer` a member.
    fn admit(&mut self, peer: &str, request: &[u8], now_ms: i64) -> Result<(), String> {
        let req: JoinRequest =
            serde_json::from_slice(request).map_err(|_| "malformed join request".to_owned())?;
        domain::require_text("name", &req.name).map_err(|e| e.to_string())?;
        let members = self.members().map_err(|e| e.to_string())?;
        if !members.is_member(&self.me) {
            return Err("this device is no longer a member".into());
        }
        let info = members.invites.get(&req.invite).ok_or("unknown invite")?;
        match info.status(now_ms) {
            sync::membership::InviteStatus::Open => {}
            sync::membership::InviteStatus::Redeemed => {
                return Err("this invite was already used".into());
            }
            sync::membership::InviteStatus::Revoked => {
                return Err("this invite was revoked".into());
            }
            sync::membership::InviteStatus::Expired => {
                return Err("this invite has expired".into());
            }
        }
        if members.ever_admitted.contains(peer) {
            return Err("this device is already known to the workspace".into());
        }
        self.append_entry(Op::Admit {
            invite: req.invite.clone(),
            member: peer.to_owned(),
            name: req.name.trim().to_owned(),
            proof: req.proof,
        })
        .map_err(|e| e.to_string())?;
        if !self.members().map_err(|e| e.to_string())?.is_member(peer) {
            return Err("the invite did not admit this device".into());
        }
        Ok(())
    }

    /// `invite create`: appends an invite to the log and returns the ticket.
    pub fn create_invite(
        &mut self,
        expires_in: Duration,
        role: Role,
        addrs: &[Address],
    ) -> Result<String, NodeError> {
        if !self.members()?.is_admin(&self.me) {
            return Err(NodeError::Invalid("only an admin can invite".into()));
        }
        if expires_in > MAX_INVITE_LIFETIME {
            return Err(NodeError::Invalid(
                "an invite lives at most 30 days (--expires 30d)".into(),
            ));
        }
        if addrs.is_empty() {
            return Err(NodeError::Invalid(
                "no address to put in the ticket: run `entrepairs serve` first, or pass --addr MULTIADDR".into(),
            ));
        }
        let random = uuid::Uuid::new_v4();
        let invite: String = random.as_bytes()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let secret: String = uuid::Uuid::new_v4()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let expires_at = now() + i64::try_from(expires_in.as_millis()).unwrap_or(i64::MAX / 2);
        // The log holds only the public key the secret derives: a redeem proves it holds the
        // secret by a signature, and nobody reading the log can redeem in its place.
        let hash = self.append_entry(Op::Invite {
            invite: invite.clone(),
            role,
            expires_at,
            key: sync::membership::invite_public_key(secret.as_bytes()),
        })?;
        let me: Peer = self
            .me
            .parse()
            .map_err(|_| NodeError::Invalid("bad device id".into()))?;
        let ticket = Ticket {
            workspace: self.workspace_id.clone(),
            invite,
            invite_entry: hash,
            secret,
            inviter: me.to_bytes(),
            addrs: addrs.iter().map(|a| a.to_vec()).collect(),
        };
        ticket
            .encode()
            .map_err(|e| NodeError::Invalid(format!("{e}; give fewer addresses with --addr")))
    }

    /// Addresses this device announced while serving.
    pub fn listen_addrs(&self) -> Result<Vec<Address>, NodeError> {
        let text = self
            .store
            .setting("listen_addrs")?
            .unwrap_or_else(|| "[]".into());
        let list: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
        Ok(list.iter().filter_map(|a| a.parse().ok()).collect())
    }

    /// Documents arriving from each peer that announced some this device lacked: how many
    /// were lacking and how many have arrived (the Team screen's progress during a large
    /// sync). A peer is listed from its summary until it disconnects.
    pub fn sync_progress(&self) -> Result<Vec<SyncProgressView>, NodeError> {
        let Some(rt) = self.sync.as_ref() else {
            return Ok(Vec::new());
        };
        let ws = self.workspace()?;
        Ok(rt
            .progress
            .iter()
            .map(|(peer, p)| SyncProgressView {
                peer: peer.clone(),
                name: ws.members.get(peer).map(|m| m.name.clone()),
                expected: p.arrived + p.expected.len(),
                arrived: p.arrived,
            })
            .collect())
    }

    /// Traffic with each peer since the network started (frames, bytes, documents).
    pub fn stats(&self) -> BTreeMap<String, PeerStats> {
        self.sync
            .as_ref()
            .map(|rt| rt.stats.clone())
            .unwrap_or_default()
    }
}

use ipc::sets::SyncState;
pub use ipc::views::{DocStatus, PeerView, SyncProgressView};

impl Core {
    /// `peers`.
    pub fn peer_list(&self) -> Result<Vec<PeerView>, NodeError> {
        let members = self.members()?;
        let ws = self.workspace()?;
        let mut refusals = self.store.refusals()?;
        Ok(self
            .store
            .peers()?
            .into_iter()
            .map(
                |store::PeerRow {
                     peer,
                     addrs,
                     last_connected: connected,
                     last_synced: synced,
                     path,
                 }| {
                    let refused = refusals.remove(&peer);
                    PeerView {
                        name: ws.members.get(&peer).map(|m| m.name.clone()),
                        member: members.is_member(&peer),
                        addrs: serde_json::from_str(&addrs).unwrap_or_default(),
                        last_connected: connected.map(domain::time::rfc3339),
                        last_synced: synced.map(domain::time::rfc3339),
                        refused_changes: refused.as_ref().map_or(0, |(n, _)| *n),
                        last_refusal: refused.map(|(_, r)| r.reason),
                        path,
                        peer,
                    }
                },
            )
            .collect())
    }

    /// `status`: for each peer and each document we may share with it, whether the heads it
    /// last announced match ours.
    pub fn status(&mut self) -> Result<Vec<DocStatus>, NodeError> {
        let announced: BTreeMap<(String, String), Vec<u8>> = self
            .store
            .peer_docs()?
            .into_iter()
            .map(|(p, d, g)| ((p, d), g))
            .collect();
        let paths: BTreeMap<String, Option<String>> = self
            .store
            .peers()?
            .into_iter()
            .map(|p| (p.peer, p.path))
            .collect();
        let peers: Vec<String> = paths.keys().cloned().collect();
        let members = self.members()?;
        let refused = self.store.refusal_counts()?;
        let mut out = Vec::new();
        for row in self.store.documents(None)? {
            let (meta, mine) = match self.store.doc_header(&row.id)? {
                Some((meta, heads)) => (meta, sync::engine::digest_of(&heads)),
                None => {
                    let Some(bytes) = self.store.doc_bytes(&row.id)? else {
                        continue;
                    };
                    let mut doc = domain::load_stored(&bytes)?;
                    (
                        domain::read_meta(&doc)?,
                        sync::engine::heads_digest(&mut doc),
                    )
                }
            };
            for peer in &peers {
                if !sync::access::entitled(&members, &self.workspace_id, &meta, peer) {
                    continue;
                }
                let state = match announced.get(&(peer.clone(), row.id.clone())) {
                    Some(d) if d.as_slice() == mine.as_slice() => SyncState::InSync,
                    Some(_) => SyncState::Differs,
                    None => SyncState::Unknown,
                };
                out.push(DocStatus {
                    path: paths.get(peer).cloned().flatten(),
                    peer: peer.clone(),
                    doc: row.id.clone(),
                    state,
                    refused: refused
                        .get(&(peer.clone(), row.id.clone()))
                        .copied()
                        .unwrap_or(0),
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Node, NoteDraft};
    use sync::protocol::{DocDigest, MAX_FRAME};

    /// This process's peak resident memory (Linux).
    fn peak_resident_kib() -> i64 {
        let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/self/status")
    }

    fn disconnects(actions: &[Action], peer: &str) -> bool {
        actions
            .iter()
            .any(|a| matches!(a, Action::Disconnect(p) if p == peer))
    }

    fn sends(actions: &[Action]) -> usize {
        actions
            .iter()
            .filter(|a| matches!(a, Action::Send(..)))
            .count()
    }

    /// The frames `actions` send to `peer`.
    fn frames_to(actions: &[Action], peer: &str) -> Vec<Vec<u8>> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Send(to, bytes) if to == peer => Some(bytes.clone()),
                _ => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn a_sync_counts_the_documents_still_to_arrive() {
        let tmp = tempfile::tempdir().unwrap();
        let a = Node::init(&tmp.path().join("a"), "Alice", "Acme")
            .await
            .unwrap();
        for i in 0..5 {
            a.run(ipc::ops::AddNote {
                draft: NoteDraft {
                    title: format!("Note {i}"),
                    body: "x".into(),
                    ..NoteDraft::default()
                },
            })
            .await
            .unwrap();
        }
        let b_dir = tmp.path().join("b");
        let b_id = Node::init_device(&b_dir).unwrap();
        a.add_member(b_id.clone(), "Bob".into()).await.unwrap();
        let me = a.run(ipc::ops::Whoami {}).await.unwrap();
        let a_id = me.member_id;
        let b = Node::join(&b_dir, &a.join_package().await.unwrap())
            .await
            .unwrap();
        assert!(b.run(ipc::ops::SyncProgress {}).await.unwrap().is_empty());

        // Both connect: each sends its digest; they differ, so each answers with its summary.
        // A's lists the five notes B lacks.
        let peer = a_id.clone();
        let to_a = b
            .call(move |c| {
                c.sync_start()?;
                let out = c.sync_connected(&peer, None)?;
                Ok(frames_to(&out, &peer))
            })
            .await
            .unwrap();
        let peer = b_id.clone();
        let to_b = a
            .call(move |c| {
                c.sync_start()?;
                let mut out = c.sync_connected(&peer, None)?;
                for f in to_a {
                    out.extend(c.sync_frame(&peer, &f)?);
                }
                Ok(frames_to(&out, &peer))
            })
            .await
            .unwrap();
        let peer = a_id.clone();
        let back = b
            .call(move |c| {
                let mut out = Vec::new();
                for f in to_b {
                    out.extend(c.sync_frame(&peer, &f)?);
                }
                Ok(frames_to(&out, &peer))
            })
            .await
            .unwrap();
        let progress = b.run(ipc::ops::SyncProgress {}).await.unwrap();
        assert_eq!(progress.len(), 1, "{progress:?}");
        assert_eq!(progress[0].name.as_deref(), Some("Alice"));
        assert!(progress[0].expected >= 5, "{progress:?}");
        assert_eq!(progress[0].arrived, 0);

        // B's summary reaches A, which sends what B lacks; as it arrives the count follows.
        let peer = b_id.clone();
        let docs = a
            .call(move |c| {
                let mut out = Vec::new();
                for f in back {
                    out.extend(c.sync_frame(&peer, &f)?);
                }
                Ok(frames_to(&out, &peer))
            })
            .await
            .unwrap();
        assert!(!docs.is_empty());
        let peer = a_id.clone();
        b.call(move |c| {
            for f in docs {
                c.sync_frame(&peer, &f)?;
            }
            Ok(())
        })
        .await
        .unwrap();
        let progress = b.run(ipc::ops::SyncProgress {}).await.unwrap();
        assert_eq!(progress[0].arrived, progress[0].expected, "{progress:?}");
        assert_eq!(b.call(|c| c.notes(None, None)).await.unwrap().len(), 5);
        let peer = a_id.clone();
        b.call(move |c| {
            c.sync_disconnected(&peer);
            Ok(())
        })
        .await
        .unwrap();
        assert!(b.run(ipc::ops::SyncProgress {}).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn hostile_frames_are_refused_without_harm() {
        let tmp = tempfile::tempdir().unwrap();
        let node = Node::init(&tmp.path().join("a"), "Alice", "Acme")
            .await
            .unwrap();
        let note = node
            .run(ipc::ops::AddNote {
                draft: NoteDraft {
                    title: "Kept".into(),
                    body: "safe".into(),
                    ..NoteDraft::default()
                },
            })
            .await
            .unwrap();
        let bob = domain::Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        let dave = domain::Keypair::generate_ed25519()
            .public()
            .to_peer_id()
            .to_string();
        node.add_member(bob.clone(), "Bob".into()).await.unwrap();
        let (bob2, dave2, note2) = (bob.clone(), dave.clone(), note.clone());
        node.call(move |c| {
            let (bob, dave, note) = (bob2, dave2, note2);
            c.sync_start()?;
            // A device that is not a member gets nothing on connection, and is dropped on its
            // first frame, whatever the frame says.
            assert!(c.sync_connected(&dave, None)?.is_empty());
            let ask = Message::Summary(vec![DocDigest {
                id: note.clone(),
                heads: [0; 32],
            }])
            .encode();
            let out = c.sync_frame(&dave, &ask)?;
            assert!(disconnects(&out, &dave) && sends(&out) == 0, "{out:?}");

            assert!(
                sends(&c.sync_connected(&bob, None)?) == 1,
                "a member gets a summary"
            );
            let valid = Message::Sync {
                doc: note.clone(),
                data: vec![0x42, 0, 0],
                sigs: Default::default(),
            }
            .encode();
            let mut seed = 7u64;
            let mut random = |n: usize| -> Vec<u8> {
                (0..n)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        (seed >> 56) as u8
                    })
                    .collect()
            };
            let mut hostile: Vec<Vec<u8>> = (0..200).map(|i| random(i % 97)).collect();
            hostile.extend((0..valid.len()).map(|cut| valid[..cut].to_vec()));
            hostile.push(vec![0u8; MAX_FRAME + 1]);
            hostile.push(
                Message::Sync {
                    doc: note.clone(),
                    data: random(4096),
                    sigs: Default::default(),
                }
                .encode(),
            );
            hostile.push(
                Message::Sync {
                    doc: "unknown-doc".into(),
                    data: random(300),
                    sigs: Default::default(),
                }
                .encode(),
            );
            for frame in &hostile {
                c.sync_connected(&bob, None)?;
                let out = c.sync_frame(&bob, frame)?;
                let malformed = match Message::decode(frame) {
                    Err(_) => true,
                    // Garbage inside a well-formed frame is an invalid Automerge message.
                    Ok(Message::Sync { data, .. }) => {
                        automerge::sync::Message::decode(&data).is_err()
                    }
                    Ok(Message::Doc { bytes, .. }) => domain::load_doc(&bytes).is_err(),
                    Ok(
                        Message::Summary(_)
                        | Message::Digest { .. }
                        | Message::Batch(_)
                        | Message::LogHeads(_)
                        | Message::LogEntries(_),
                    ) => false,
                };
                if malformed {
                    assert!(
                        disconnects(&out, &bob) && sends(&out) == 0,
                        "{} bytes: {out:?}",
                        frame.len()
                    );
                }
            }
            // A decompression bomb inside a well-formed Automerge message: one compressed change
            // chunk of about 2 MiB that would inflate to 200 MiB.
            let mut deflate =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..200 {
                std::io::Write::write_all(&mut deflate, &zeros).expect("in memory");
            }
            let deflated = deflate.finish().expect("in memory");
            let leb = |mut v: usize, out: &mut Vec<u8>| loop {
                let byte = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    out.push(byte);
                    break;
                }
                out.push(byte | 0x80);
            };
            let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
            leb(deflated.len(), &mut chunk);
            chunk.extend(&deflated);
            // Version 1, no heads, no needs, no haves, one part.
            let mut bomb = vec![0x42, 0, 0, 0, 1];
            leb(chunk.len(), &mut bomb);
            bomb.extend(&chunk);
            assert!(automerge::sync::Message::decode(&bomb).is_ok());
            let frame = Message::Sync {
                doc: note.clone(),
                data: bomb,
                sigs: Default::default(),
            }
            .encode();
            assert!(frame.len() < MAX_FRAME);
            c.sync_connected(&bob, None)?;
            let peak = peak_resident_kib();
            let out = c.sync_frame(&bob, &frame)?;
            assert!(disconnects(&out, &bob) && sends(&out) == 0, "{out:?}");
            let grown = peak_resident_kib() - peak;
            assert!(
                grown < 32 << 10,
                "the bomb raised peak memory by {grown} KiB"
            );
            // A summary naming documents Bob could not hold is answered about Bob's documents only.
            let bogus = Message::Summary(vec![DocDigest {
                id: "not-a-doc".into(),
                heads: [1; 32],
            }])
            .encode();
            c.sync_connected(&bob, None)?;
            assert!(!disconnects(&c.sync_frame(&bob, &bogus)?, &bob));
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(
            node.run(ipc::ops::Note { id: note }).await.unwrap().body,
            "safe"
        );
        assert!(
            node.run(ipc::ops::Doctor {
                rebuild_index: false
            })
            .await
            .unwrap()
            .ok
        );
    }
}
