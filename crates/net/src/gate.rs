//! The member gate around the sync protocol.
//!
//! Every connection gets a [`GateHandler`]. On a connection with a member it holds the real
//! request-response handler; on any other it holds none and offers no inbound protocol, so a
//! non-member's sync stream is refused during protocol negotiation, before a byte of its frame
//! is read, and the sync behaviour never learns the connection exists (it can neither send on
//! it nor queue for it).
//!
//! When a connected peer becomes a member, the real handler is created then and handed to its
//! open connections, rather than closing them and waiting for a redial: a newcomer that has just
//! redeemed an invite syncs over the connection it joined on, and the join answer is never cut
//! off by a close racing it. When a peer stops being a member, its connections are closed.
//!
//! A non-member's connection stays in the lobby for at most the lobby timeout, and only a few may
//! wait there at once (in all and per remote IP), so strangers cannot hold the connection slots
//! members need.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use either::Either;
use futures::future;
use libp2p::core::transport::PortUse;
use libp2p::core::upgrade::DeniedUpgrade;
use libp2p::core::{ConnectedPoint, Endpoint};
use libp2p::request_response;
use libp2p::swarm::handler::{
    ConnectionEvent, FullyNegotiatedInbound, ListenUpgradeError, SendWrapper,
};
use libp2p::swarm::{
    CloseConnection, ConnectionClosed, ConnectionDenied, ConnectionHandler, ConnectionHandlerEvent,
    ConnectionId, FromSwarm, NetworkBehaviour, NotifyHandler, SubstreamProtocol, THandler,
    THandlerInEvent, THandlerOutEvent, ToSwarm,
};
use libp2p::{Multiaddr, PeerId};
use tokio::time::{Instant, Sleep};

use crate::frame::FrameCodec;
use crate::limit::ip_key;

/// At most this many non-member connections dialed by others wait in the lobby at once.
const LOBBY_MAX: usize = 32;
/// At most this many of them from one remote IP (see [`ip_key`]).
const LOBBY_PER_IP: usize = 4;

type Inner = request_response::Behaviour<FrameCodec>;
type InnerHandler = <Inner as NetworkBehaviour>::ConnectionHandler;

/// What the gate reports.
#[derive(Debug)]
pub(crate) enum GateEvent {
    /// The sync protocol's own event (inbound requests only ever from members).
    Sync(request_response::Event<Vec<u8>, Vec<u8>>),
    /// A connected peer became a member: its connections now carry sync.
    Admitted {
        peer: PeerId,
        addr: Multiaddr,
        dialed: bool,
    },
}

#[derive(Debug, thiserror::Error)]
#[error("too many non-member connections are waiting")]
struct LobbyFull;

/// How a connection came to be, kept so the sync handler can be created later, on admission.
enum Side {
    Inbound { local: Multiaddr },
    Outbound { role: Endpoint, port_use: PortUse },
}

struct Conn {
    peer: PeerId,
    remote: Multiaddr,
    side: Side,
    admitted: bool,
}

/// Wraps the sync request-response behaviour; see the module docs.
pub(crate) struct Gate {
    inner: Inner,
    members: HashSet<PeerId>,
    connections: HashMap<ConnectionId, Conn>,
    lobby_timeout: Duration,
    /// Non-member connections by deadline. The timeout is fixed, so pushing at the back keeps the
    /// queue sorted.
    lobby: VecDeque<(Instant, ConnectionId)>,
    timer: Option<Pin<Box<Sleep>>>,
    /// Our own events (at most a few per connection), emitted before the inner behaviour's so a
    /// connection's handler is installed before any request is routed to it.
    pending: VecDeque<ToSwarm<GateEvent, GateIn<InnerHandler>>>,
}

impl Gate {
    /// Nobody is a member until the first [`Gate::set_members`].
    pub(crate) fn new(inner: Inner, lobby_timeout: Duration) -> Self {
        Gate {
            inner,
            members: HashSet::new(),
            connections: HashMap::new(),
            lobby_timeout,
            lobby: VecDeque::new(),
            timer: None,
            pending: VecDeque::new(),
        }
    }

    /// Replaces the member list: closes every connection of a peer no longer on it, and opens
    /// sync on the connections of a peer newly on it.
    pub(crate) fn set_members(&mut self, members: HashSet<PeerId>) {
        let removed: Vec<PeerId> = self.members.difference(&members).copied().collect();
        let added: Vec<PeerId> = members.difference(&self.members).copied().collect();
        self.members = members;
        for peer in removed {
            if self.connections.values().any(|c| c.peer == peer) {
                tracing::debug!(%peer, "no longer a member: closing its connections");
                self.pending.push_back(ToSwarm::CloseConnection {
                    peer_id: peer,
                    connection: CloseConnection::All,
                });
            }
        }
        for peer in added {
            self.admit(peer);
        }
    }

    pub(crate) fn is_member(&self, peer: &PeerId) -> bool {
        self.members.contains(peer)
    }

    /// Whether sync runs on this connection.
    pub(crate) fn is_admitted(&self, connection: ConnectionId) -> bool {
        self.connections
            .get(&connection)
            .is_some_and(|c| c.admitted)
    }

    /// The remote address of an open connection.
    pub(crate) fn remote_addr(&self, connection: ConnectionId) -> Option<&Multiaddr> {
        self.connections.get(&connection).map(|c| &c.remote)
    }

    /// Sends a sync frame over a member connection. False (nothing sent, nothing queued, no
    /// dial) when the peer is not a member or has no member connection.
    pub(crate) fn send(&mut self, peer: &PeerId, frame: Vec<u8>) -> bool {
        let open = self.members.contains(peer)
            && self
                .connections
                .values()
                .any(|c| c.peer == *peer && c.admitted);
        if open {
            self.inner.send_request(peer, frame);
        }
        open
    }

    /// Acknowledges a received frame.
    pub(crate) fn ack(&mut self, channel: request_response::ResponseChannel<Vec<u8>>) {
        // The peer may have gone meanwhile; it then learns nothing, which is fine.
        let _ = self.inner.send_response(channel, Vec::new());
    }

    fn admit(&mut self, peer: PeerId) {
        let waiting: Vec<ConnectionId> = self
            .connections
            .iter()
            .filter(|(_, c)| c.peer == peer && !c.admitted)
            .map(|(id, _)| *id)
            .collect();
        let mut first = None;
        for id in waiting {
            let Some(conn) = self.connections.get_mut(&id) else {
                continue;
            };
            let made = match &conn.side {
                Side::Inbound { local } => {
                    self.inner
                        .handle_established_inbound_connection(id, peer, local, &conn.remote)
                }
                Side::Outbound { role, port_use } => {
                    self.inner.handle_established_outbound_connection(
                        id,
                        peer,
                        &conn.remote,
                        *role,
                        *port_use,
                    )
                }
            };
            match made {
                Ok(handler) => {
                    conn.admitted = true;
                    let dialed = matches!(conn.side, Side::Outbound { .. });
                    first.get_or_insert((conn.remote.clone(), dialed));
                    self.pending.push_back(ToSwarm::NotifyHandler {
                        peer_id: peer,
                        handler: NotifyHandler::One(id),
                        event: GateIn::Admit(Box::new(handler)),
                    });
                }
                Err(error) => {
                    tracing::debug!(%peer, %error, "cannot open sync: closing the connection");
                    self.pending.push_back(ToSwarm::CloseConnection {
                        peer_id: peer,
                        connection: CloseConnection::One(id),
                    });
                }
            }
        }
        let connections = &self.connections;
        self.lobby
            .retain(|(_, id)| connections.get(id).is_some_and(|c| !c.admitted));
        if let Some((addr, dialed)) = first {
            tracing::debug!(%peer, "now a member: sync opened on its connections");
            self.pending
                .push_back(ToSwarm::GenerateEvent(GateEvent::Admitted {
                    peer,
                    addr,
                    dialed,
                }));
        }
    }

    /// Refuses one more non-member connection from `remote` when the lobby is full.
    fn check_lobby(&self, remote: &Multiaddr) -> Result<(), ConnectionDenied> {
        let key = ip_key(remote);
        let (mut all, mut same) = (0, 0);
        for conn in self.connections.values() {
            if !conn.admitted && matches!(conn.side, Side::Inbound { .. }) {
                all += 1;
                if ip_key(&conn.remote) == key {
                    same += 1;
                }
            }
        }
        if all >= LOBBY_MAX || same >= LOBBY_PER_IP {
            tracing::debug!(%remote, all, same, "lobby full: connection refused");
            return Err(ConnectionDenied::new(LobbyFull));
        }
        Ok(())
    }

    /// Queues a close for every non-member connection whose lobby time is up.
    fn poll_lobby(&mut self, cx: &mut Context<'_>) {
        while let Some(&(deadline, id)) = self.lobby.front() {
            if deadline > Instant::now() {
                let timer = self
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if timer.deadline() != deadline {
                    timer.as_mut().reset(deadline);
                }
                if timer.as_mut().poll(cx).is_pending() {
                    return;
                }
            }
            self.lobby.pop_front();
            if let Some(conn) = self.connections.get(&id)
                && !conn.admitted
            {
                tracing::debug!(peer = %conn.peer, "lobby time is up: closing the connection");
                self.pending.push_back(ToSwarm::CloseConnection {
                    peer_id: conn.peer,
                    connection: CloseConnection::One(id),
                });
            }
        }
    }

    fn forget(&mut self, connection: ConnectionId) -> Option<Conn> {
        let conn = self.connections.remove(&connection)?;
        if !conn.admitted {
            self.lobby.retain(|(_, id)| *id != connection);
        }
        Some(conn)
    }
}

impl NetworkBehaviour for Gate {
    type ConnectionHandler = GateHandler<InnerHandler>;
    type ToSwarm = GateEvent;

    fn handle_established_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        local_addr: &Multiaddr,
        remote_addr: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        let admitted = self.members.contains(&peer);
        let inner = if admitted {
            Some(self.inner.handle_established_inbound_connection(
                connection_id,
                peer,
                local_addr,
                remote_addr,
            )?)
        } else {
            self.check_lobby(remote_addr)?;
            self.lobby
                .push_back((Instant::now() + self.lobby_timeout, connection_id));
            None
        };
        self.connections.insert(
            connection_id,
            Conn {
                peer,
                remote: remote_addr.clone(),
                side: Side::Inbound {
                    local: local_addr.clone(),
                },
                admitted,
            },
        );
        Ok(GateHandler { inner })
    }

    fn handle_pending_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        maybe_peer: Option<PeerId>,
        addresses: &[Multiaddr],
        effective_role: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        self.inner.handle_pending_outbound_connection(
            connection_id,
            maybe_peer,
            addresses,
            effective_role,
        )
    }

    fn handle_established_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        addr: &Multiaddr,
        role_override: Endpoint,
        port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        let admitted = self.members.contains(&peer);
        let inner = if admitted {
            Some(self.inner.handle_established_outbound_connection(
                connection_id,
                peer,
                addr,
                role_override,
                port_use,
            )?)
        } else {
            // No lobby cap: we chose to dial it.
            self.lobby
                .push_back((Instant::now() + self.lobby_timeout, connection_id));
            None
        };
        self.connections.insert(
            connection_id,
            Conn {
                peer,
                remote: addr.clone(),
                side: Side::Outbound {
                    role: role_override,
                    port_use,
                },
                admitted,
            },
        );
        Ok(GateHandler { inner })
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ConnectionEstablished(e) => {
                if self.is_admitted(e.connection_id) {
                    self.inner.on_swarm_event(event);
                }
            }
            FromSwarm::ConnectionClosed(e) => {
                if self.forget(e.connection_id).is_some_and(|c| c.admitted) {
                    // The inner behaviour counts only the connections it was given.
                    let remaining = self
                        .connections
                        .values()
                        .filter(|c| c.peer == e.peer_id && c.admitted)
                        .count();
                    self.inner
                        .on_swarm_event(FromSwarm::ConnectionClosed(ConnectionClosed {
                            remaining_established: remaining,
                            ..e
                        }));
                }
            }
            FromSwarm::AddressChange(e) => {
                if let Some(conn) = self.connections.get_mut(&e.connection_id) {
                    conn.remote = match e.new {
                        ConnectedPoint::Dialer { address, .. } => address.clone(),
                        ConnectedPoint::Listener { send_back_addr, .. } => send_back_addr.clone(),
                    };
                    if conn.admitted {
                        self.inner.on_swarm_event(event);
                    }
                }
            }
            FromSwarm::ListenFailure(e) => {
                // Another behaviour refused a connection this one had accepted.
                self.forget(e.connection_id);
                self.inner.on_swarm_event(event);
            }
            FromSwarm::DialFailure(e) => {
                self.forget(e.connection_id);
                self.inner.on_swarm_event(event);
            }
            _ => self.inner.on_swarm_event(event),
        }
    }

    fn on_connection_handler_event(
        &mut self,
        peer_id: PeerId,
        connection_id: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        self.inner
            .on_connection_handler_event(peer_id, connection_id, event);
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<GateEvent, THandlerInEvent<Self>>> {
        self.poll_lobby(cx);
        if let Some(event) = self.pending.pop_front() {
            return Poll::Ready(event);
        }
        loop {
            let event = match self.inner.poll(cx) {
                Poll::Ready(event) => event,
                Poll::Pending => return Poll::Pending,
            };
            // A peer removed while a request was in flight on its closing connection.
            if let ToSwarm::GenerateEvent(request_response::Event::Message {
                peer,
                message: request_response::Message::Request { .. },
                ..
            }) = &event
                && !self.members.contains(peer)
            {
                tracing::debug!(%peer, "sync request from a non-member dropped");
                continue;
            }
            return Poll::Ready(event.map_out(GateEvent::Sync).map_in(GateIn::Inner));
        }
    }
}

/// The handler of one connection: the sync handler once the peer is a member, nothing before.
pub(crate) struct GateHandler<H> {
    inner: Option<H>,
}

/// A message from [`Gate`] to a connection's handler.
pub(crate) enum GateIn<H: ConnectionHandler> {
    /// The peer became a member: run this sync handler from now on.
    Admit(Box<H>),
    /// A message for the sync handler.
    Inner(H::FromBehaviour),
}

impl<H: ConnectionHandler> fmt::Debug for GateIn<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GateIn::Admit(_) => f.write_str("Admit"),
            GateIn::Inner(event) => f.debug_tuple("Inner").field(event).finish(),
        }
    }
}

impl<H: ConnectionHandler> ConnectionHandler for GateHandler<H> {
    type FromBehaviour = GateIn<H>;
    type ToBehaviour = H::ToBehaviour;
    type InboundProtocol = Either<SendWrapper<H::InboundProtocol>, DeniedUpgrade>;
    type OutboundProtocol = H::OutboundProtocol;
    type InboundOpenInfo = Option<H::InboundOpenInfo>;
    type OutboundOpenInfo = H::OutboundOpenInfo;

    /// Asked for every inbound stream, so admission takes effect on the next one. Without a
    /// handler no protocol is offered: the remote's proposal is answered "not available".
    fn listen_protocol(&self) -> SubstreamProtocol<Self::InboundProtocol, Self::InboundOpenInfo> {
        match &self.inner {
            Some(inner) => inner
                .listen_protocol()
                .map_upgrade(|upgrade| Either::Left(SendWrapper(upgrade)))
                .map_info(Some),
            None => SubstreamProtocol::new(Either::Right(DeniedUpgrade), None),
        }
    }

    fn on_behaviour_event(&mut self, event: GateIn<H>) {
        match event {
            GateIn::Admit(handler) => {
                if self.inner.is_none() {
                    self.inner = Some(*handler);
                }
            }
            GateIn::Inner(event) => {
                if let Some(inner) = &mut self.inner {
                    inner.on_behaviour_event(event);
                }
            }
        }
    }

    fn connection_keep_alive(&self) -> bool {
        self.inner
            .as_ref()
            .is_some_and(ConnectionHandler::connection_keep_alive)
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<
        ConnectionHandlerEvent<Self::OutboundProtocol, Self::OutboundOpenInfo, Self::ToBehaviour>,
    > {
        match &mut self.inner {
            Some(inner) => inner.poll(cx),
            None => Poll::Pending,
        }
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Option<Self::ToBehaviour>> {
        match &mut self.inner {
            Some(inner) => inner.poll_close(cx),
            None => Poll::Ready(None),
        }
    }

    fn on_connection_event(
        &mut self,
        event: ConnectionEvent<
            Self::InboundProtocol,
            Self::OutboundProtocol,
            Self::InboundOpenInfo,
            Self::OutboundOpenInfo,
        >,
    ) {
        let Some(inner) = &mut self.inner else {
            return;
        };
        match event {
            ConnectionEvent::FullyNegotiatedInbound(FullyNegotiatedInbound { protocol, info }) => {
                match (protocol, info) {
                    (future::Either::Left(protocol), Some(info)) => {
                        inner.on_connection_event(ConnectionEvent::FullyNegotiatedInbound(
                            FullyNegotiatedInbound { protocol, info },
                        ))
                    }
                    (future::Either::Right(never), _) => match never {},
                    // The inner upgrade always comes with the inner info (`listen_protocol`).
                    (future::Either::Left(_), None) => {}
                }
            }
            ConnectionEvent::ListenUpgradeError(ListenUpgradeError { info, error }) => {
                match (error, info) {
                    (Either::Left(error), Some(info)) => inner.on_connection_event(
                        ConnectionEvent::ListenUpgradeError(ListenUpgradeError { info, error }),
                    ),
                    (Either::Right(never), _) => match never {},
                    (Either::Left(_), None) => {}
                }
            }
            ConnectionEvent::FullyNegotiatedOutbound(e) => {
                inner.on_connection_event(ConnectionEvent::FullyNegotiatedOutbound(e));
            }
            ConnectionEvent::DialUpgradeError(e) => {
                inner.on_connection_event(ConnectionEvent::DialUpgradeError(e));
            }
            ConnectionEvent::AddressChange(e) => {
                inner.on_connection_event(ConnectionEvent::AddressChange(e));
            }
            ConnectionEvent::LocalProtocolsChange(e) => {
                inner.on_connection_event(ConnectionEvent::LocalProtocolsChange(e));
            }
            ConnectionEvent::RemoteProtocolsChange(e) => {
                inner.on_connection_event(ConnectionEvent::RemoteProtocolsChange(e));
            }
            _ => {}
        }
    }
}
