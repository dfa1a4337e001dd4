//! Entrepairs' libp2p layer. One tokio task owns the `Swarm`: TCP and QUIC transports, Noise
//! authentication and encryption, Yamux multiplexing, identify, ping, mDNS (whose results are
//! only dial hints), connection limits and an explicit idle timeout. It carries two protocols:
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
//! Beyond that it never decides who gets what: it reports authenticated peers and frames as
//! [`Event`]s and does what [`Command`]s say. Every channel is bounded and every frame has a size
//! limit, checked before its bytes are read. Frames are not compressed, so nothing is
//! decompressed.

mod frame;
mod gate;
mod limit;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::core::ConnectedPoint;
use libp2p::request_response::{self, ProtocolSupport, ResponseChannel};
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::{NetworkBehaviour, Swarm, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, connection_limits, identify, mdns, noise, ping, tcp, yamux,
};
use tokio::sync::mpsc;

use crate::frame::FrameCodec;
use crate::gate::{Gate, GateEvent};
use crate::limit::{RateLimit, ip_key};

pub use libp2p::identity::Keypair;
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
    /// Answer a join request received as [`Event::JoinRequest`].
    JoinReply {
        /// The request's id.
        id: u64,
        /// The answer.
        response: Vec<u8>,
    },
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
    },
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
    /// Non-members seen are not reported, as a connection with them could only be closed.
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
    let mut swarm = libp2p::SwarmBuilder::with_existing_identity(config.key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| build(&e))?
        .with_quic()
        .with_behaviour(|key| {
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
            Ok(Behaviour {
                limits: connection_limits::Behaviour::new(limits),
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
    let task = Task {
        swarm,
        local,
        events,
        join_limit: RateLimit::new(config.join_per_ip, config.join_global, JOIN_WINDOW),
        join_channels: BTreeMap::new(),
        next_join: 0,
    };
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
}

impl Task {
    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        loop {
            let events = tokio::select! {
                command = commands.recv() => {
                    let Some(command) = command else { break };
                    self.command(command)
                }
                event = self.swarm.select_next_some() => self.swarm_event(event),
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
            Command::SetMembers(members) => self
                .swarm
                .behaviour_mut()
                .sync
                .set_members(members.into_iter().collect()),
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

    fn swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) -> Vec<Event> {
        let event = match event {
            SwarmEvent::NewListenAddr { address, .. } => Event::Listening(address),
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                endpoint,
                num_established,
                ..
            } if num_established.get() == 1 => {
                let (addr, dialed) = match endpoint {
                    ConnectedPoint::Dialer { address, .. } => (address, true),
                    ConnectedPoint::Listener { send_back_addr, .. } => (send_back_addr, false),
                };
                let member = self.swarm.behaviour().sync.is_admitted(connection_id);
                Event::Connected {
                    peer: peer_id,
                    addr,
                    dialed,
                    member,
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                ..
            } => Event::Disconnected(peer_id),
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => Event::DialFailed {
                peer: peer_id,
                reason: error.to_string(),
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
                    .filter(|(peer, _)| *peer != self.local && sync.is_member(peer))
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
