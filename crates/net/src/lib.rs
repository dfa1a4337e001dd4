//! Entrepairs' libp2p layer. One tokio task owns the `Swarm`: TCP and QUIC transports, Noise
//! authentication and encryption, Yamux multiplexing, identify, ping, mDNS (whose results are
//! only dial hints), connection limits and an explicit idle timeout. It carries two protocols:
//!
//! - `/entrepairs/sync/1`: frames decided by `sync` (each a request, acknowledged empty);
//! - `/entrepairs/join/1`: a newcomer redeeming an invite (one request, one response).
//!
//! It never decides who gets what: it reports authenticated peers and frames as [`Event`]s and
//! does what [`Command`]s say. Every channel is bounded and every frame has a size limit,
//! checked before its bytes are read. Frames are not compressed, so nothing is decompressed.

use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use libp2p::core::ConnectedPoint;
use libp2p::request_response::{self, OutboundRequestId, ProtocolSupport, ResponseChannel};
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, connection_limits, identify, mdns, noise, ping, tcp, yamux,
};
use tokio::sync::mpsc;

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

/// How to start.
pub struct Config {
    /// This device's key.
    pub key: Keypair,
    /// Addresses to listen on.
    pub listen: Vec<Multiaddr>,
    /// Whether to discover peers on the LAN with mDNS.
    pub mdns: bool,
    /// How long an unused connection stays open.
    pub idle_timeout: Duration,
}

/// What the user of the network asks for.
#[derive(Debug)]
pub enum Command {
    /// Dial an address (with or without `/p2p/ID`).
    Dial(Multiaddr),
    /// Send a sync frame to a connected peer.
    Send {
        /// The peer.
        peer: PeerId,
        /// The frame.
        frame: Vec<u8>,
    },
    /// Close every connection with a peer.
    Disconnect(PeerId),
    /// Send a join request to a peer (a newcomer to the inviter).
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
    /// A sync frame arrived.
    Frame {
        /// From.
        peer: PeerId,
        /// The bytes (within [`MAX_SYNC_FRAME`]).
        frame: Vec<u8>,
    },
    /// A newcomer asks to join; answer with [`Command::JoinReply`].
    JoinRequest {
        /// The newcomer's device.
        peer: PeerId,
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
    /// A join request failed (no answer, refused stream, ...).
    JoinFailed {
        /// The inviter.
        peer: PeerId,
        /// Why.
        reason: String,
    },
    /// mDNS saw a peer on the LAN (a hint: it still has to authenticate).
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

/// Length-prefixed frames, bounded per direction.
#[derive(Clone, Debug)]
struct FrameCodec {
    max_request: usize,
    max_response: usize,
}

async fn read_frame<T: futures::AsyncRead + Unpin + Send>(
    io: &mut T,
    max: usize,
) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds {max}"),
        ));
    }
    let mut buf = vec![0u8; len];
    io.read_exact(&mut buf).await?;
    Ok(buf)
}

async fn write_frame<T: futures::AsyncWrite + Unpin + Send>(
    io: &mut T,
    bytes: &[u8],
    max: usize,
) -> std::io::Result<()> {
    if bytes.len() > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "frame too large",
        ));
    }
    io.write_all(&(bytes.len() as u32).to_be_bytes()).await?;
    io.write_all(bytes).await?;
    io.close().await
}

impl request_response::Codec for FrameCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T: futures::AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<Vec<u8>> {
        read_frame(io, self.max_request).await
    }
    async fn read_response<T: futures::AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<Vec<u8>> {
        read_frame(io, self.max_response).await
    }
    async fn write_request<T: futures::AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> std::io::Result<()> {
        write_frame(io, &req, self.max_request).await
    }
    async fn write_response<T: futures::AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Vec<u8>,
    ) -> std::io::Result<()> {
        write_frame(io, &res, self.max_response).await
    }
}

#[derive(NetworkBehaviour)]
struct Behaviour {
    limits: connection_limits::Behaviour,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
    mdns: Toggle<mdns::tokio::Behaviour>,
    sync: request_response::Behaviour<FrameCodec>,
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
                sync: request_response::Behaviour::with_codec(
                    sync_codec,
                    [(SYNC_PROTOCOL, ProtocolSupport::Full)],
                    rr(60),
                ),
                join: request_response::Behaviour::with_codec(
                    join_codec,
                    [(JOIN_PROTOCOL, ProtocolSupport::Full)],
                    rr(30),
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
    let (commands, mut command_rx) = mpsc::channel::<Command>(QUEUE);
    let (event_tx, events) = mpsc::channel::<Event>(QUEUE);
    tokio::spawn(async move {
        let mut join_channels: std::collections::BTreeMap<u64, ResponseChannel<Vec<u8>>> =
            Default::default();
        let mut join_outbound: std::collections::BTreeMap<OutboundRequestId, PeerId> =
            Default::default();
        let mut next_join = 0u64;
        loop {
            tokio::select! {
                command = command_rx.recv() => {
                    let Some(command) = command else { break };
                    match command {
                        Command::Dial(addr) => {
                            if let Err(e) = swarm.dial(addr.clone()) {
                                let _ = event_tx.send(Event::DialFailed { peer: None, reason: format!("{addr}: {e}") }).await;
                            }
                        }
                        Command::Send { peer, frame } => {
                            swarm.behaviour_mut().sync.send_request(&peer, frame);
                        }
                        Command::Disconnect(peer) => {
                            let _ = swarm.disconnect_peer_id(peer);
                        }
                        Command::Join { peer, request } => {
                            let id = swarm.behaviour_mut().join.send_request(&peer, request);
                            join_outbound.insert(id, peer);
                        }
                        Command::JoinReply { id, response } => {
                            if let Some(channel) = join_channels.remove(&id) {
                                let _ = swarm.behaviour_mut().join.send_response(channel, response);
                            }
                        }
                    }
                }
                event = swarm.select_next_some() => {
                    let out = match event {
                        SwarmEvent::NewListenAddr { address, .. } => Some(Event::Listening(address)),
                        SwarmEvent::ConnectionEstablished { peer_id, endpoint, num_established, .. } if num_established.get() == 1 => {
                            let (addr, dialed) = match endpoint {
                                ConnectedPoint::Dialer { address, .. } => (address, true),
                                ConnectedPoint::Listener { send_back_addr, .. } => (send_back_addr, false),
                            };
                            Some(Event::Connected { peer: peer_id, addr, dialed })
                        }
                        SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } => Some(Event::Disconnected(peer_id)),
                        SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                            Some(Event::DialFailed { peer: peer_id, reason: error.to_string() })
                        }
                        SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message { peer, message, .. })) => match message {
                            request_response::Message::Request { request, channel, .. } => {
                                let _ = swarm.behaviour_mut().sync.send_response(channel, Vec::new());
                                Some(Event::Frame { peer, frame: request })
                            }
                            request_response::Message::Response { .. } => None,
                        },
                        SwarmEvent::Behaviour(BehaviourEvent::Join(request_response::Event::Message { peer, message, .. })) => match message {
                            request_response::Message::Request { request, channel, .. } => {
                                next_join += 1;
                                join_channels.insert(next_join, channel);
                                // Bounded: a flood of requests from one peer cannot grow this map
                                // past the number of open streams the limits allow.
                                Some(Event::JoinRequest { peer, id: next_join, request })
                            }
                            request_response::Message::Response { request_id, response } => {
                                join_outbound.remove(&request_id);
                                Some(Event::JoinResponse { peer, response })
                            }
                        },
                        SwarmEvent::Behaviour(BehaviourEvent::Join(request_response::Event::OutboundFailure { peer, request_id, error, .. })) => {
                            join_outbound.remove(&request_id);
                            Some(Event::JoinFailed { peer, reason: error.to_string() })
                        }
                        SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. })) => {
                            Some(Event::Identified { peer: peer_id, addrs: info.listen_addrs.into_iter().take(8).collect() })
                        }
                        SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                            for (peer, addr) in found {
                                if peer != local {
                                    let _ = event_tx.send(Event::Discovered { peer, addr }).await;
                                }
                            }
                            None
                        }
                        other => {
                            tracing::trace!(?other, "swarm event");
                            None
                        }
                    };
                    if let Some(event) = out
                        && event_tx.send(event).await.is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    Ok((Handle { commands }, events))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frame_lengths_are_checked_before_reading() {
        let mut huge = futures::io::Cursor::new(u32::MAX.to_be_bytes().to_vec());
        let err = read_frame(&mut huge, MAX_SYNC_FRAME).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        let mut short = futures::io::Cursor::new([0, 0, 0, 9, 1, 2].to_vec());
        assert!(read_frame(&mut short, MAX_SYNC_FRAME).await.is_err());
        let mut ok = futures::io::Cursor::new([0, 0, 0, 2, 7, 8].to_vec());
        assert_eq!(read_frame(&mut ok, MAX_SYNC_FRAME).await.unwrap(), [7, 8]);
    }
}
