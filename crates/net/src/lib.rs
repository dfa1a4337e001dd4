//! Entrepairs' libp2p layer. One tokio task owns the `Swarm`: TCP and QUIC transports, Noise
//! authentication and encryption, Yamux multiplexing, identify, ping, mDNS (whose results are
//! only dial hints), connection limits and an explicit idle timeout; and, to reach past the LAN,
//! libp2p's own circuit relay v2 (a client in every device, a server where [`Config::relay_server`]
//! asks for one), DCUtR hole punching (a relayed connection upgraded to a direct one) and AutoNAT
//! (whether this device is reachable). It carries two protocols:
//!
//! - `/entrepairs/sync/1`: frames decided by `sync` (each a request, acknowledged empty);
//! - `/entrepairs/join/1`: a newcomer redeeming an invite (one request, one response).
//!
//! It is the first gate of the membership rules. It keeps the current member list
//! ([`Command::SetMembers`]) and runs sync only on connections with members: a non-member's
//! connection offers only the join protocol, so its sync frames are refused at protocol
//! negotiation and never read, and it is closed after [`Config::lobby_timeout`]. Join requests
//! are rate-limited per remote IP and overall before they reach the user.
//!
//! A relay serves members only: a reservation or a circuit from a peer off the member list is
//! denied by the relay behaviour's own admission hook, so a stranger can neither be reached nor
//! reach anyone through it; it sees only Noise-encrypted bytes. Each connection is reported with
//! its [`Path`] (direct, hole punched or relayed), and again when the best path changes.
//!
//! Beyond that it never decides who gets what: it reports authenticated peers and frames as
//! [`Event`]s and does what [`Command`]s say. Every channel is bounded and every frame has a size
//! limit, checked before its bytes are read. Frames are not compressed, so nothing is
//! decompressed.

mod frame;
mod gate;
mod limit;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::core::ConnectedPoint;
use libp2p::core::transport::ListenerId;
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, ProtocolSupport, ResponseChannel};
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::{ConnectionId, NetworkBehaviour, Swarm, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, autonat, connection_limits, dcutr, identify, mdns, noise,
    ping, relay, tcp, yamux,
};
use tokio::sync::mpsc;

use crate::frame::FrameCodec;
use crate::gate::{Gate, GateEvent};
use crate::limit::{RateLimit, ip_key};

pub use libp2p::identity::Keypair;
pub use libp2p::multiaddr;
pub use libp2p::{Multiaddr as Address, PeerId as Peer};

/// Largest sync frame, in bytes.
pub const MAX_SYNC_FRAME: usize = 16 * 1024 * 1024;
/// Largest join request, in bytes.
pub const MAX_JOIN_REQUEST: usize = 64 * 1024;
/// Largest join response (the workspace document), in bytes.
pub const MAX_JOIN_RESPONSE: usize = 32 * 1024 * 1024;
/// Queue sizes between the swarm task and its user.
const QUEUE: usize = 256;
/// The window of the join rate limits.
const JOIN_WINDOW: Duration = Duration::from_secs(60);
/// Join streams one connection may have open at once: a newcomer needs one, and each may hold a
/// request of up to [`MAX_JOIN_REQUEST`] in memory.
const JOIN_STREAMS: usize = 4;

/// How long a relay keeps a relayed connection open, and how many bytes it carries, before it
/// closes it (the devices then connect again): enough for a whole first sync of a large
/// workspace, where libp2p's defaults (2 minutes, 128 KiB) are made for a hole punch's handshake.
pub const RELAYED_FOR: Duration = Duration::from_secs(2 * 3600);
/// See [`RELAYED_FOR`].
pub const RELAYED_BYTES: u64 = 4 << 30;
/// The first wait before listening again through a relay that was lost or refused; it doubles
/// at each failure up to [`RELAY_RETRY_MAX`].
const RELAY_RETRY: Duration = Duration::from_secs(2);
const RELAY_RETRY_MAX: Duration = Duration::from_secs(300);

const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/entrepairs/sync/1");
const JOIN_PROTOCOL: StreamProtocol = StreamProtocol::new("/entrepairs/join/1");

/// Why the network could not start.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// A transport or behaviour could not be built.
    #[error("cannot start the network: {0}")]
    Build(String),
    /// A listen address was refused.
    #[error("cannot listen on {addr}: {reason}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        reason: String,
    },
}

/// How to start. [`Config::new`] gives the defaults.
pub struct Config {
    /// This device's key.
    pub key: Keypair,
    /// Addresses to listen on.
    pub listen: Vec<Multiaddr>,
    /// Whether to discover peers on the LAN with mDNS.
    pub mdns: bool,
    /// How long an unused connection stays open.
    pub idle_timeout: Duration,
    /// How long a connection with a non-member stays open (time enough to redeem an invite).
    pub lobby_timeout: Duration,
    /// Join requests accepted per remote IP (an IPv6 /64) per minute.
    pub join_per_ip: usize,
    /// Join requests accepted from everyone together per minute.
    pub join_global: usize,
    /// Serve as a relay for the members (`serve --relay`).
    pub relay_server: bool,
    /// Relays to be reachable through (`/…/p2p/RELAY`): this device keeps a reservation on each,
    /// listening again with backoff when one is lost.
    pub relays: Vec<Multiaddr>,
    /// Report every device mDNS finds, members or not (a newcomer looking for the device that
    /// gave it a code).
    pub strangers: bool,
}

impl Config {
    /// No listen address, no mDNS, a 120 s idle timeout, a 10 s lobby, 10 join requests per
    /// IP and 30 in all per minute (a meeting room behind one address admits a team in a go;
    /// a guesser gets 10 tries a minute, against a secret of 128 bits).
    pub fn new(key: Keypair) -> Self {
        Config {
            key,
            listen: Vec::new(),
            mdns: false,
            idle_timeout: Duration::from_secs(120),
            lobby_timeout: Duration::from_secs(10),
            join_per_ip: 10,
            join_global: 30,
            relay_server: false,
            relays: Vec::new(),
            strangers: false,
        }
    }
}

/// What the user of the network asks for.
#[derive(Debug)]
pub enum Command {
    /// Dial an address (with or without `/p2p/ID`).
    Dial(Multiaddr),
    /// Replace the member list (every device of every current member). Sync runs only with
    /// these peers: a peer leaving the list is disconnected at once, a connected peer joining it
    /// gets sync on its open connections ([`Event::Admitted`]). Until the first one, nobody is a
    /// member.
    SetMembers(Vec<PeerId>),
    /// Send a sync frame to a member. Dropped (with a debug log) when the peer has no member
    /// connection: never queued, never a reason to dial.
    Send {
        /// The peer.
        peer: PeerId,
        /// The frame.
        frame: Vec<u8>,
    },
    /// Close every connection with a peer.
    Disconnect(PeerId),
    /// Send a join request to a connected peer (a newcomer to the inviter). Answered by
    /// [`Event::JoinResponse`] or [`Event::JoinFailed`].
    Join {
        /// The inviter.
        peer: PeerId,
        /// The request.
        request: Vec<u8>,
    },
    /// Replace the relays this device is reachable through ([`Config::relays`]).
    SetRelays(Vec<Multiaddr>),
    /// Answer a join request received as [`Event::JoinRequest`].
    JoinReply {
        /// The request's id.
        id: u64,
        /// The answer.
        response: Vec<u8>,
    },
}

/// How a peer is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Path {
    /// Through a relay (Noise end to end: the relay sees only encrypted bytes).
    Relayed,
    /// Directly, after punching through NAT from a relayed connection (DCUtR).
    HolePunched,
    /// Directly: on the LAN or at a reachable address.
    Direct,
}

impl Path {
    /// `direct`, `hole-punched` or `relayed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Path::Direct => "direct",
            Path::HolePunched => "hole-punched",
            Path::Relayed => "relayed",
        }
    }
}

/// Whether an address goes through a relay.
pub fn is_relayed(addr: &Multiaddr) -> bool {
    addr.iter().any(|p| p == Protocol::P2pCircuit)
}

/// What happened on the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Now listening on an address.
    Listening(Multiaddr),
    /// A Noise-authenticated peer is connected (first connection).
    Connected {
        /// The peer.
        peer: PeerId,
        /// Its address.
        addr: Multiaddr,
        /// Whether we dialed it (then `addr` is one it listens on).
        dialed: bool,
        /// Whether it is a member, so sync runs on the connection. If not, only the join
        /// protocol does, until [`Event::Admitted`] or the lobby timeout.
        member: bool,
        /// How.
        path: Path,
    },
    /// The best path to a connected peer changed (a hole punch succeeded, a direct connection
    /// closed and a relayed one remains, ...).
    PathChanged {
        /// The peer.
        peer: PeerId,
        /// Its best path now.
        path: Path,
    },
    /// A relay accepted this device's reservation: it can be reached through it.
    RelayReserved {
        /// The relay.
        relay: PeerId,
    },
    /// This device, a relay ([`Config::relay_server`]), accepted a member's reservation: that
    /// member can now be reached through it.
    Relaying {
        /// The member's device.
        peer: PeerId,
    },
    /// Listening through a relay failed or stopped (refused, unreachable, connection lost);
    /// tried again later, with backoff.
    RelayLost {
        /// The relay.
        relay: PeerId,
        /// Why.
        reason: String,
    },
    /// AutoNAT's view of this device changed: `public` (reachable at an address), `private`
    /// (behind NAT or a firewall) or `unknown`.
    Reachability(String),
    /// A connected peer became a member ([`Command::SetMembers`]): sync now runs on its open
    /// connections, as if it had just connected as a member.
    Admitted {
        /// The peer.
        peer: PeerId,
        /// The address of one of its connections.
        addr: Multiaddr,
        /// Whether we dialed that connection.
        dialed: bool,
    },
    /// A peer told us (identify) the addresses it listens on.
    Identified {
        /// The peer.
        peer: PeerId,
        /// Its listen addresses.
        addrs: Vec<Multiaddr>,
    },
    /// The last connection with a peer closed.
    Disconnected(PeerId),
    /// A sync frame arrived (only ever from a member).
    Frame {
        /// From.
        peer: PeerId,
        /// The bytes (within [`MAX_SYNC_FRAME`]).
        frame: Vec<u8>,
    },
    /// A sync frame we sent was not acknowledged (refused, timed out, connection lost).
    SendFailed {
        /// The peer.
        peer: PeerId,
        /// Why.
        reason: String,
    },
    /// A newcomer asks to join; answer with [`Command::JoinReply`]. Only requests within the
    /// join rate limits arrive here; the others are dropped unanswered.
    JoinRequest {
        /// The newcomer's device.
        peer: PeerId,
        /// The remote address of its connection.
        addr: Multiaddr,
        /// Reply id.
        id: u64,
        /// The request bytes.
        request: Vec<u8>,
    },
    /// The answer to our join request.
    JoinResponse {
        /// The inviter.
        peer: PeerId,
        /// The response bytes.
        response: Vec<u8>,
    },
    /// A join request failed (not connected, no answer, refused stream, rate limited, ...).
    JoinFailed {
        /// The inviter.
        peer: PeerId,
        /// Why.
        reason: String,
    },
    /// mDNS saw a member's device on the LAN (a hint: it still has to authenticate).
    /// Non-members seen are not reported, as a connection with them could only be closed
    /// (unless [`Config::strangers`]).
    Discovered {
        /// The peer.
        peer: PeerId,
        /// Its address.
        addr: Multiaddr,
    },
    /// Dialing failed.
    DialFailed {
        /// The peer, if known.
        peer: Option<PeerId>,
        /// Why.
        reason: String,
    },
}

#[derive(NetworkBehaviour)]
struct Behaviour {
    // First, so a connection over the limits is refused before any other behaviour sees it.
    limits: connection_limits::Behaviour,
    relay_client: relay::client::Behaviour,
    relay: Toggle<relay::Behaviour>,
    dcutr: dcutr::Behaviour,
    autonat: autonat::Behaviour,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
    mdns: Toggle<mdns::tokio::Behaviour>,
    sync: Gate,
    join: request_response::Behaviour<FrameCodec>,
}

/// Handle to the running network.
#[derive(Clone)]
pub struct Handle {
    commands: mpsc::Sender<Command>,
}

impl Handle {
    /// Queues a command; waits while the queue is full. False once the network has stopped.
    pub async fn send(&self, command: Command) -> bool {
        self.commands.send(command).await.is_ok()
    }
}

/// Starts the swarm task. Events arrive on the returned receiver; dropping every [`Handle`]
/// stops the task.
pub fn spawn(config: Config) -> Result<(Handle, mpsc::Receiver<Event>), NetError> {
    let build = |e: &dyn std::fmt::Display| NetError::Build(e.to_string());
    let local = config.key.public().to_peer_id();
    let mdns_on = config.mdns;
    let lobby_timeout = config.lobby_timeout;
    let relay_server = config.relay_server;
    // The member list, shared with the relay's admission hook.
    let members: Arc<Mutex<HashSet<PeerId>>> = Arc::default();
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(config.key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| build(&e))?
        .with_quic()
        .with_relay_client(noise::Config::new, yamux::Config::default)
        .map_err(|e| build(&e))?
        .with_behaviour(|key, relay_client| {
            let limits = connection_limits::ConnectionLimits::default()
                .with_max_pending_incoming(Some(32))
                .with_max_established_incoming(Some(128))
                .with_max_established_per_peer(Some(4));
            let mdns = if mdns_on {
                Some(mdns::tokio::Behaviour::new(mdns::Config::default(), local)?)
            } else {
                None
            };
            let sync_codec = FrameCodec {
                max_request: MAX_SYNC_FRAME,
                max_response: 16,
            };
            let join_codec = FrameCodec {
                max_request: MAX_JOIN_REQUEST,
                max_response: MAX_JOIN_RESPONSE,
            };
            let rr = |timeout| {
                request_response::Config::default()
                    .with_request_timeout(Duration::from_secs(timeout))
            };
            let relay = relay_server.then(|| {
                let member = |list: &Arc<Mutex<HashSet<PeerId>>>| {
                    let list = Arc::clone(list);
                    move |peer: PeerId, _: &Multiaddr, _: std::time::Instant| {
                        list.lock().is_ok_and(|m| m.contains(&peer))
                    }
                };
                relay::Behaviour::new(
                    local,
                    relay::Config {
                        max_reservations: 1024,
                        max_reservations_per_peer: 4,
                        reservation_duration: Duration::from_secs(3600),
                        reservation_rate_limiters: vec![Box::new(member(&members))],
                        max_circuits: 1024,
                        max_circuits_per_peer: 16,
                        max_circuit_duration: RELAYED_FOR,
                        max_circuit_bytes: RELAYED_BYTES,
                        circuit_src_rate_limiters: vec![Box::new(member(&members))],
                    },
                )
            });
            Ok(Behaviour {
                limits: connection_limits::Behaviour::new(limits),
                relay_client,
                relay: Toggle::from(relay),
                dcutr: dcutr::Behaviour::new(local),
                autonat: autonat::Behaviour::new(local, autonat::Config::default()),
                identify: identify::Behaviour::new(identify::Config::new(
                    "/entrepairs/1.0.0".into(),
                    key.public(),
                )),
                ping: ping::Behaviour::default(),
                mdns: Toggle::from(mdns),
                sync: Gate::new(
                    request_response::Behaviour::with_codec(
                        sync_codec,
                        [(SYNC_PROTOCOL, ProtocolSupport::Full)],
                        rr(60),
                    ),
                    lobby_timeout,
                ),
                join: request_response::Behaviour::with_codec(
                    join_codec,
                    [(JOIN_PROTOCOL, ProtocolSupport::Full)],
                    rr(30).with_max_concurrent_streams(JOIN_STREAMS),
                ),
            })
        })
        .map_err(|e| build(&e))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(config.idle_timeout))
        .build();
    for addr in config.listen {
        swarm
            .listen_on(addr.clone())
            .map_err(|e| NetError::Listen {
                addr: addr.to_string(),
                reason: e.to_string(),
            })?;
    }
    let (commands, command_rx) = mpsc::channel::<Command>(QUEUE);
    let (events, event_rx) = mpsc::channel::<Event>(QUEUE);
    let mut task = Task {
        swarm,
        local,
        events,
        join_limit: RateLimit::new(config.join_per_ip, config.join_global, JOIN_WINDOW),
        join_channels: BTreeMap::new(),
        next_join: 0,
        members,
        conns: HashMap::new(),
        punched: HashSet::new(),
        paths: HashMap::new(),
        relays: BTreeMap::new(),
        relay_server,
        strangers: config.strangers,
    };
    task.set_relays(config.relays);
    tokio::spawn(task.run(command_rx));
    Ok((Handle { commands }, event_rx))
}

/// The state of the swarm task.
struct Task {
    swarm: Swarm<Behaviour>,
    local: PeerId,
    events: mpsc::Sender<Event>,
    join_limit: RateLimit<Option<IpAddr>>,
    /// Join requests waiting for the user's answer: few, since at most `join_global` arrive a
    /// minute and those whose stream has gone (answered elsewhere, timed out) are pruned.
    join_channels: BTreeMap<u64, ResponseChannel<Vec<u8>>>,
    next_join: u64,
    /// The member list, as the relay's admission hook reads it.
    members: Arc<Mutex<HashSet<PeerId>>>,
    /// Open connections by peer, each with whether it is relayed.
    conns: HashMap<PeerId, BTreeMap<ConnectionId, bool>>,
    /// Direct connections made by a hole punch.
    punched: HashSet<ConnectionId>,
    /// The path last reported for each connected peer.
    paths: HashMap<PeerId, Path>,
    /// The relays this device listens through.
    relays: BTreeMap<PeerId, RelayListen>,
    /// Whether this device serves as a relay.
    relay_server: bool,
    /// Whether mDNS reports non-members too.
    strangers: bool,
}

/// Listening through one relay.
struct RelayListen {
    addr: Multiaddr,
    listener: Option<ListenerId>,
    /// When to listen again, after a failure.
    retry_at: Option<Instant>,
    backoff: Duration,
}

/// An error and the errors under it, as one line.
fn with_sources(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let more = e.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = e.source();
    }
    text
}

/// The relay's id at the end of a relay's address.
fn relay_id(addr: &Multiaddr) -> Option<PeerId> {
    match addr.iter().last() {
        Some(Protocol::P2p(peer)) => Some(peer),
        _ => None,
    }
}

impl Task {
    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut retry = tokio::time::interval(Duration::from_secs(1));
        loop {
            let events = tokio::select! {
                command = commands.recv() => {
                    let Some(command) = command else { break };
                    self.command(command)
                }
                event = self.swarm.select_next_some() => self.swarm_event(event),
                _ = retry.tick() => {
                    self.listen_through_relays(Instant::now());
                    Vec::new()
                }
            };
            for event in events {
                if self.events.send(event).await.is_err() {
                    return;
                }
            }
        }
    }

    fn command(&mut self, command: Command) -> Vec<Event> {
        match command {
            Command::Dial(addr) => {
                if let Err(e) = self.swarm.dial(addr.clone()) {
                    return vec![Event::DialFailed {
                        peer: None,
                        reason: format!("{addr}: {e}"),
                    }];
                }
            }
            Command::SetMembers(members) => {
                let members: HashSet<PeerId> = members.into_iter().collect();
                if let Ok(mut shared) = self.members.lock() {
                    shared.clone_from(&members);
                }
                self.swarm.behaviour_mut().sync.set_members(members);
            }
            Command::SetRelays(relays) => self.set_relays(relays),
            Command::Send { peer, frame } => {
                if !self.swarm.behaviour_mut().sync.send(&peer, frame) {
                    tracing::debug!(%peer, "no member connection: sync frame dropped");
                }
            }
            Command::Disconnect(peer) => {
                let _ = self.swarm.disconnect_peer_id(peer);
            }
            Command::Join { peer, request } => {
                // The join behaviour would otherwise queue the request and dial.
                if !self.swarm.is_connected(&peer) {
                    return vec![Event::JoinFailed {
                        peer,
                        reason: "not connected".into(),
                    }];
                }
                self.swarm.behaviour_mut().join.send_request(&peer, request);
            }
            Command::JoinReply { id, response } => {
                if let Some(channel) = self.join_channels.remove(&id) {
                    let _ = self
                        .swarm
                        .behaviour_mut()
                        .join
                        .send_response(channel, response);
                }
            }
        }
        Vec::new()
    }

    /// Replaces the relays listened through: new ones are listened through at once, dropped
    /// ones no longer.
    fn set_relays(&mut self, relays: Vec<Multiaddr>) {
        let wanted: BTreeMap<PeerId, Multiaddr> = relays
            .into_iter()
            .filter_map(|a| relay_id(&a).filter(|r| *r != self.local).map(|r| (r, a)))
            .collect();
        let gone: Vec<PeerId> = self
            .relays
            .keys()
            .filter(|r| !wanted.contains_key(r))
            .copied()
            .collect();
        for relay in gone {
            if let Some(listener) = self.relays.remove(&relay).and_then(|r| r.listener) {
                self.swarm.remove_listener(listener);
            }
        }
        let now = Instant::now();
        for (relay, addr) in wanted {
            let entry = self.relays.entry(relay).or_insert_with(|| RelayListen {
                addr: addr.clone(),
                listener: None,
                retry_at: Some(now),
                backoff: RELAY_RETRY,
            });
            entry.addr = addr;
        }
        self.listen_through_relays(now);
    }

    /// Listens through each relay that is due (new, or lost and waited for).
    fn listen_through_relays(&mut self, now: Instant) {
        for (relay, state) in &mut self.relays {
            if state.listener.is_some() || state.retry_at.is_none_or(|at| at > now) {
                continue;
            }
            state.retry_at = None;
            match self
                .swarm
                .listen_on(state.addr.clone().with(Protocol::P2pCircuit))
            {
                Ok(id) => state.listener = Some(id),
                Err(e) => {
                    tracing::info!(%relay, error = %e, "cannot listen through the relay");
                    state.retry_at = Some(now + state.backoff);
                    state.backoff = (state.backoff * 2).min(RELAY_RETRY_MAX);
                }
            }
        }
    }

    /// A listener closed: if it was a relay's, listen again after a wait.
    fn listener_closed(&mut self, id: ListenerId, reason: String) -> Vec<Event> {
        let now = Instant::now();
        let mut out = Vec::new();
        for (relay, state) in &mut self.relays {
            if state.listener == Some(id) {
                state.listener = None;
                state.retry_at = Some(now + state.backoff);
                state.backoff = (state.backoff * 2).min(RELAY_RETRY_MAX);
                out.push(Event::RelayLost {
                    relay: *relay,
                    reason: reason.clone(),
                });
            }
        }
        out
    }

    /// The best path to `peer` over its open connections.
    fn best_path(&self, peer: &PeerId) -> Option<Path> {
        self.conns.get(peer).and_then(|conns| {
            conns
                .iter()
                .map(
                    |(id, relayed)| match (*relayed, self.punched.contains(id)) {
                        (true, _) => Path::Relayed,
                        (false, true) => Path::HolePunched,
                        (false, false) => Path::Direct,
                    },
                )
                .max()
        })
    }

    /// An event if the best path to `peer` changed since last reported.
    fn path_changed(&mut self, peer: PeerId) -> Option<Event> {
        let path = self.best_path(&peer)?;
        if self.paths.insert(peer, path) == Some(path) {
            return None;
        }
        Some(Event::PathChanged { peer, path })
    }

    fn swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) -> Vec<Event> {
        let event = match event {
            SwarmEvent::NewListenAddr { address, .. } => {
                // A relay is run on a reachable host: libp2p's relay serves only once it has an
                // external address, which its own listen addresses are.
                if self.relay_server && !is_relayed(&address) {
                    self.swarm.add_external_address(address.clone());
                }
                Event::Listening(address)
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                endpoint,
                num_established,
                ..
            } => {
                // (An inbound relayed connection shows it in its local address.)
                let relayed = endpoint.is_relayed();
                let (addr, dialed) = match endpoint {
                    ConnectedPoint::Dialer { address, .. } => (address, true),
                    ConnectedPoint::Listener { send_back_addr, .. } => (send_back_addr, false),
                };
                self.conns
                    .entry(peer_id)
                    .or_default()
                    .insert(connection_id, relayed);
                if num_established.get() > 1 {
                    return self.path_changed(peer_id).into_iter().collect();
                }
                let path = self.best_path(&peer_id).unwrap_or(Path::Direct);
                self.paths.insert(peer_id, path);
                let member = self.swarm.behaviour().sync.is_admitted(connection_id);
                Event::Connected {
                    peer: peer_id,
                    addr,
                    dialed,
                    member,
                    path,
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                ..
            } => {
                self.punched.remove(&connection_id);
                if let Some(conns) = self.conns.get_mut(&peer_id) {
                    conns.remove(&connection_id);
                }
                if num_established > 0 {
                    return self.path_changed(peer_id).into_iter().collect();
                }
                self.conns.remove(&peer_id);
                self.paths.remove(&peer_id);
                Event::Disconnected(peer_id)
            }
            SwarmEvent::ListenerClosed {
                listener_id,
                reason,
                ..
            } => {
                let reason = match reason {
                    Ok(()) => "closed".to_owned(),
                    Err(e) => with_sources(&e),
                };
                return self.listener_closed(listener_id, reason);
            }
            SwarmEvent::ListenerError { listener_id, error } => {
                tracing::debug!(?listener_id, %error, "listener error");
                return Vec::new();
            }
            SwarmEvent::Behaviour(BehaviourEvent::RelayClient(
                relay::client::Event::ReservationReqAccepted { relay_peer_id, .. },
            )) => {
                if let Some(state) = self.relays.get_mut(&relay_peer_id) {
                    state.backoff = RELAY_RETRY;
                }
                Event::RelayReserved {
                    relay: relay_peer_id,
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Dcutr(dcutr::Event {
                remote_peer_id,
                result,
            })) => match result {
                Ok(connection) => {
                    tracing::info!(peer = %remote_peer_id, "hole punched: direct connection");
                    self.punched.insert(connection);
                    return self.path_changed(remote_peer_id).into_iter().collect();
                }
                Err(e) => {
                    tracing::info!(peer = %remote_peer_id, error = %e, "hole punch failed: staying relayed");
                    return Vec::new();
                }
            },
            SwarmEvent::Behaviour(BehaviourEvent::Autonat(autonat::Event::StatusChanged {
                new,
                ..
            })) => Event::Reachability(
                match new {
                    autonat::NatStatus::Public(_) => "public",
                    autonat::NatStatus::Private => "private",
                    autonat::NatStatus::Unknown => "unknown",
                }
                .to_owned(),
            ),
            SwarmEvent::Behaviour(BehaviourEvent::Relay(
                relay::Event::ReservationReqAccepted { src_peer_id, .. },
            )) => Event::Relaying { peer: src_peer_id },
            SwarmEvent::Behaviour(BehaviourEvent::Relay(event)) => {
                tracing::debug!(?event, "relay");
                return Vec::new();
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => Event::DialFailed {
                peer: peer_id,
                reason: with_sources(&error),
            },
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => match self.sync_event(event) {
                Some(event) => event,
                None => return Vec::new(),
            },
            SwarmEvent::Behaviour(BehaviourEvent::Join(event)) => match self.join_event(event) {
                Some(event) => event,
                None => return Vec::new(),
            },
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
                peer_id,
                info,
                ..
            })) => Event::Identified {
                peer: peer_id,
                addrs: info.listen_addrs.into_iter().take(8).collect(),
            },
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                let sync = &self.swarm.behaviour().sync;
                return found
                    .into_iter()
                    .filter(|(peer, _)| {
                        *peer != self.local && (self.strangers || sync.is_member(peer))
                    })
                    .map(|(peer, addr)| Event::Discovered { peer, addr })
                    .collect();
            }
            other => {
                tracing::trace!(?other, "swarm event");
                return Vec::new();
            }
        };
        vec![event]
    }

    fn sync_event(&mut self, event: GateEvent) -> Option<Event> {
        match event {
            GateEvent::Admitted { peer, addr, dialed } => {
                Some(Event::Admitted { peer, addr, dialed })
            }
            GateEvent::Sync(request_response::Event::Message { peer, message, .. }) => {
                match message {
                    request_response::Message::Request {
                        request, channel, ..
                    } => {
                        self.swarm.behaviour_mut().sync.ack(channel);
                        Some(Event::Frame {
                            peer,
                            frame: request,
                        })
                    }
                    request_response::Message::Response { .. } => None,
                }
            }
            GateEvent::Sync(request_response::Event::OutboundFailure { peer, error, .. }) => {
                Some(Event::SendFailed {
                    peer,
                    reason: error.to_string(),
                })
            }
            GateEvent::Sync(other) => {
                tracing::trace!(?other, "sync event");
                None
            }
        }
    }

    fn join_event(&mut self, event: request_response::Event<Vec<u8>, Vec<u8>>) -> Option<Event> {
        match event {
            request_response::Event::Message {
                peer,
                connection_id,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
            } => {
                let Some(addr) = self
                    .swarm
                    .behaviour()
                    .sync
                    .remote_addr(connection_id)
                    .cloned()
                else {
                    // The connection closed meanwhile: nobody to answer.
                    return None;
                };
                if !self.join_limit.allow(ip_key(&addr), Instant::now()) {
                    // Dropping the channel closes the stream unanswered: the requester learns
                    // only that it failed, and nothing reaches the user.
                    tracing::debug!(%peer, %addr, "join request over the rate limit: dropped");
                    return None;
                }
                self.join_channels.retain(|_, c| c.is_open());
                self.next_join += 1;
                self.join_channels.insert(self.next_join, channel);
                Some(Event::JoinRequest {
                    peer,
                    addr,
                    id: self.next_join,
                    request,
                })
            }
            request_response::Event::Message {
                peer,
                message: request_response::Message::Response { response, .. },
                ..
            } => Some(Event::JoinResponse { peer, response }),
            request_response::Event::OutboundFailure { peer, error, .. } => {
                Some(Event::JoinFailed {
                    peer,
                    reason: error.to_string(),
                })
            }
            other => {
                tracing::trace!(?other, "join event");
                None
            }
        }
    }
}
