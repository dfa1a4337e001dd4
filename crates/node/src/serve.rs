//! Sync over the network: the async loop between the `net` swarm task and the sync runtime
//! ([`crate::runtime`], run on the store thread, so applying a large incoming sync never blocks
//! the async runtime and one thread still owns SQLite). The loop owns the sockets and the
//! timers; every decision is the runtime's. Also the newcomer's side of joining (`join`).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use net::{Address, Command, Event, Peer};
use serde::Serialize;
use sync::ticket::Ticket;

use crate::core::now;
pub use crate::runtime::PeerStats;
use crate::runtime::{Action, Input, join_package, join_request};
use crate::{Node, NodeError};

/// Device ids as the network names them (ids that do not parse are left out: the log only
/// holds valid ones).
fn parse_peers(list: &[String]) -> Vec<Peer> {
    list.iter().filter_map(|p| p.parse().ok()).collect()
}

/// How to run the network.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Addresses to listen on.
    pub listen: Vec<Address>,
    /// Discover peers on the LAN with mDNS.
    pub mdns: bool,
    /// Addresses to dial at start (and known peers' addresses).
    pub dial: Vec<Address>,
    /// Stop once no frame has moved for this long after the first exchange (`sync`, `join`).
    pub stop_when_idle: Option<Duration>,
    /// Give up after this long (`sync`, `join`).
    pub timeout: Option<Duration>,
    /// Serve as a relay for the workspace's members (`serve --relay`).
    pub relay_server: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Traffic by peer.
    pub peers: BTreeMap<String, PeerStats>,
}

impl Node {
    /// Bytes and documents exchanged with each peer since this node started.
    pub async fn sync_stats(&self) -> Result<BTreeMap<String, PeerStats>, NodeError> {
        self.call(|c| Ok(c.stats())).await
    }

    /// Runs the network until `stop` resolves (or, with `stop_when_idle`/`timeout`, until the
    /// exchange is over). `on_listen` is called with each full address (`.../p2p/ID`) as it binds.
    pub async fn serve(
        &self,
        options: ServeOptions,
        on_listen: impl FnMut(String),
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<SyncReport, NodeError> {
        let key = self.call(|c| Ok(c.key.clone())).await?;
        let (net, events) = net::spawn(net::Config {
            listen: options.listen.clone(),
            mdns: options.mdns,
            relay_server: options.relay_server,
            ..net::Config::new(key)
        })
        .map_err(|e| NodeError::Invalid(e.to_string()))?;
        self.run_network(net, events, options, on_listen, stop)
            .await
    }

    /// The async loop: network events and timers in, the runtime's actions out.
    async fn run_network(
        &self,
        net: net::Handle,
        mut events: tokio::sync::mpsc::Receiver<Event>,
        options: ServeOptions,
        mut on_listen: impl FnMut(String),
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<SyncReport, NodeError> {
        let me = self.call(|c| Ok(c.member_id().to_owned())).await?;
        // The network lets only members sync: it learns who they are before any dial.
        for action in self.call(|c| c.step(now(), Input::Started)).await? {
            if let Some(command) = command(action) {
                net.send(command).await;
            }
        }
        for addr in &options.dial {
            net.send(Command::Dial(addr.clone())).await;
        }
        let mut pending = Vec::new();
        let mut listening: Vec<String> = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(150));
        // Edits made through this node are offered at once; the tick finds other processes'.
        let mut local = self.subscribe();
        let started = Instant::now();
        let mut last_traffic: Option<Instant> = None;
        tokio::pin!(stop);
        loop {
            for input in pending.drain(..) {
                if matches!(input, Input::Frame { .. }) {
                    last_traffic = Some(Instant::now());
                }
                let actions = self.call(move |c| c.step(now(), input)).await?;
                for action in actions {
                    if !matches!(action, Action::JoinReply(..)) {
                        last_traffic = Some(Instant::now());
                    }
                    if let Some(command) = command(action) {
                        net.send(command).await;
                    }
                }
            }
            tokio::select! {
                () = &mut stop => break,
                changed = local.recv() => {
                    if !matches!(changed, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                        pending.push(Input::Tick);
                    }
                }
                _ = tick.tick() => {
                    if let Some(limit) = options.timeout
                        && started.elapsed() > limit
                    {
                        return Err(NodeError::Invalid(format!("timed out after {} s", limit.as_secs())));
                    }
                    if let (Some(idle), Some(last)) = (options.stop_when_idle, last_traffic)
                        && last.elapsed() > idle
                    {
                        break;
                    }
                    pending.push(Input::Tick);
                }
                event = events.recv() => {
                    let Some(event) = event else { break };
                    if let Event::Listening(addr) = &event {
                        // Kept before it is told: an invite made on hearing it carries it.
                        listening.push(addr.to_string());
                        let list = Input::Listening(listening.clone());
                        self.call(move |c| c.step(now(), list)).await?;
                        // An address through a relay already names this device at its end.
                        let full = addr.to_string();
                        if full.ends_with(&format!("/p2p/{me}")) {
                            on_listen(full);
                        } else {
                            on_listen(format!("{full}/p2p/{me}"));
                        }
                    } else if let Event::Discovered { addr, .. } = event {
                        net.send(Command::Dial(addr)).await;
                    } else {
                        pending.extend(inputs(event));
                    }
                }
            }
        }
        let peers = self.call(|c| Ok(c.stats())).await?;
        Ok(SyncReport { peers })
    }

    /// `join TICKET`: creates this device in `dir`, redeems the ticket with the inviter, stores
    /// the workspace and syncs what this member is entitled to, then returns the open node.
    pub async fn join_with_ticket(
        dir: &Path,
        ticket: &str,
        name: &str,
        timeout: Duration,
    ) -> Result<(Node, SyncReport), NodeError> {
        let ticket = Ticket::decode(ticket).map_err(|e| NodeError::Invalid(e.to_string()))?;
        domain::require_text("name", name)?;
        let inviter = Peer::from_bytes(&ticket.inviter)
            .map_err(|_| NodeError::Invalid("the ticket names no valid inviter".into()))?;
        let addrs: Vec<Address> = ticket
            .addrs
            .iter()
            .filter_map(|a| Address::try_from(a.clone()).ok())
            .map(|a| {
                // An address through a relay is dialled with the inviter at its end.
                if net::is_relayed(&a) && !a.to_string().ends_with(&format!("/p2p/{inviter}")) {
                    a.with(net::multiaddr::Protocol::P2p(inviter))
                } else {
                    a
                }
            })
            .collect();
        if addrs.is_empty() {
            return Err(NodeError::Invalid(
                "the ticket carries no address to reach the inviter".into(),
            ));
        }
        let me = Node::init_device(dir)?;
        let key = crate::identity::load(&dir.join(crate::KEY_FILE))?;
        let request = join_request(&ticket, name, &me);
        // This device listens nowhere, and its connection to the inviter stays a stranger's
        // until it holds the member list: the lobby's limit is the whole join's.
        let (net, mut events) = net::spawn(net::Config {
            idle_timeout: Duration::from_secs(60),
            lobby_timeout: timeout,
            ..net::Config::new(key)
        })
        .map_err(|e| NodeError::Invalid(e.to_string()))?;
        for addr in &addrs {
            net.send(Command::Dial(addr.clone())).await;
        }
        let deadline = tokio::time::Instant::now() + timeout;
        let mut asked = false;
        let workspace = loop {
            let event = tokio::time::timeout_at(deadline, events.recv())
                .await
                .map_err(|_| {
                    NodeError::Invalid(format!(
                        "could not reach the inviter within {} s",
                        timeout.as_secs()
                    ))
                })?
                .ok_or(NodeError::Stopped)?;
            match event {
                Event::Connected { peer, .. } if peer == inviter && !asked => {
                    asked = true;
                    net.send(Command::Join {
                        peer,
                        request: request.clone(),
                    })
                    .await;
                }
                Event::JoinResponse { peer, response } if peer == inviter => {
                    break join_package(&response)?;
                }
                Event::JoinFailed { reason, .. } => {
                    return Err(NodeError::Invalid(format!("joining failed: {reason}")));
                }
                _ => {}
            }
        };
        let node = Node::join_workspace(dir, &workspace, Some(&ticket.workspace)).await?;
        let addr_list =
            serde_json::to_string(&addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>())
                .unwrap_or_default();
        let inviter_id = inviter.to_string();
        node.call(move |c| {
            Ok(c.store
                .note_peer(&inviter_id, Some(&addr_list), Some(now()), None)?)
        })
        .await?;
        // Sync over the connection we already have: once the network holds the member list,
        // the inviter's connection is admitted and syncing starts.
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        let options = ServeOptions {
            listen: Vec::new(),
            mdns: false,
            dial: Vec::new(),
            stop_when_idle: Some(Duration::from_millis(1500)),
            timeout: Some(remaining),
            relay_server: false,
        };
        let report = node
            .run_network(net, events, options, |_| {}, std::future::pending())
            .await?;
        Ok((node, report))
    }
}

impl Node {
    /// `join --code CODE`: finds, on the LAN (mDNS), the device that shows this code, proves to
    /// each other that both hold it (SPAKE2, [`crate::code`]), receives the invite ticket over
    /// that connection, then joins with it like [`Node::join_with_ticket`].
    pub async fn join_with_code(
        dir: &Path,
        code: &str,
        name: &str,
        timeout: Duration,
    ) -> Result<(Node, SyncReport), NodeError> {
        use crate::code::{Code, Newcomer, UNKNOWN};
        let code = Code::parse(code)?;
        domain::require_text("name", name)?;
        if dir.join(crate::DB_FILE).exists() {
            return Err(NodeError::AlreadyInitialised(dir.display().to_string()));
        }
        let deadline = tokio::time::Instant::now() + timeout;
        // A key for this exchange only: the device's own is made when the ticket is redeemed.
        let key = net::Keypair::generate_ed25519();
        let me = key.public().to_peer_id().to_string();
        let (net, mut events) = net::spawn(net::Config {
            mdns: true,
            strangers: true,
            idle_timeout: Duration::from_secs(60),
            lobby_timeout: timeout,
            ..net::Config::new(key)
        })
        .map_err(|e| NodeError::Invalid(e.to_string()))?;
        let mut dialled: BTreeMap<Peer, Address> = BTreeMap::new();
        let mut exchanges: BTreeMap<Peer, (Newcomer, bool)> = BTreeMap::new();
        let mut refusals: Vec<String> = Vec::new();
        let (ticket, inviter) = loop {
            let event = tokio::time::timeout_at(deadline, events.recv())
                .await
                .map_err(|_| {
                    let seen = if refusals.is_empty() {
                        "no device on this network showed it".to_owned()
                    } else {
                        format!("devices that answered: {}", refusals.join("; "))
                    };
                    NodeError::Invalid(format!(
                        "the code did not lead to a workspace within {} s: {seen}",
                        timeout.as_secs()
                    ))
                })?
                .ok_or(NodeError::Stopped)?;
            match event {
                Event::Discovered { peer, addr } if !dialled.contains_key(&peer) => {
                    dialled.insert(peer, addr.clone());
                    net.send(Command::Dial(addr)).await;
                }
                Event::Connected { peer, .. } if !exchanges.contains_key(&peer) => {
                    let (newcomer, hello) = Newcomer::start(&code, &me, &peer.to_string());
                    exchanges.insert(peer, (newcomer, false));
                    net.send(Command::Join {
                        peer,
                        request: hello,
                    })
                    .await;
                }
                Event::JoinResponse { peer, response } => {
                    let Some((newcomer, confirmed)) = exchanges.get_mut(&peer) else {
                        continue;
                    };
                    if *confirmed {
                        match Newcomer::ticket(&response) {
                            Ok(ticket) => break (ticket, peer),
                            Err(why) => {
                                return Err(NodeError::Invalid(format!(
                                    "the code was refused: {why}"
                                )));
                            }
                        }
                    }
                    match newcomer.answered(&response) {
                        Ok(confirm) => {
                            *confirmed = true;
                            net.send(Command::Join {
                                peer,
                                request: confirm,
                            })
                            .await;
                        }
                        // Another device on the LAN, with no code or another one.
                        Err(why) if why == UNKNOWN => refusals.push(format!("{peer}: {why}")),
                        Err(why) => {
                            return Err(NodeError::Invalid(format!("the code was refused: {why}")));
                        }
                    }
                }
                Event::JoinFailed { peer, reason } => {
                    refusals.push(format!("{peer}: {reason}"));
                }
                _ => {}
            }
        };
        // The ticket's way to the inviter is the one this exchange took.
        let mut decoded = Ticket::decode(&ticket).map_err(|e| NodeError::Invalid(e.to_string()))?;
        if let Some(addr) = dialled.get(&inviter) {
            decoded.addrs = vec![addr.to_vec()];
        }
        let ticket = decoded
            .encode()
            .map_err(|e| NodeError::Invalid(e.to_string()))?;
        drop(net);
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        Node::join_with_ticket(dir, &ticket, name, remaining.max(Duration::from_secs(10))).await
    }
}

/// What a network event means to the runtime (nothing for those the loop or nobody acts on).
fn inputs(event: Event) -> Vec<Input> {
    match event {
        Event::Connected {
            peer,
            addr,
            dialed,
            member: true,
            path,
        } => vec![
            Input::Connected {
                peer: peer.to_string(),
                addr: dialed.then(|| addr.to_string()),
            },
            Input::Path {
                peer: peer.to_string(),
                path: path.as_str().to_owned(),
            },
        ],
        Event::PathChanged { peer, path } => {
            tracing::info!(%peer, path = path.as_str(), "path changed");
            vec![Input::Path {
                peer: peer.to_string(),
                path: path.as_str().to_owned(),
            }]
        }
        Event::RelayReserved { relay } => {
            tracing::info!(%relay, "reachable through the relay");
            Vec::new()
        }
        Event::Relaying { peer } => {
            tracing::info!(%peer, "relaying for a member");
            Vec::new()
        }
        Event::RelayLost { relay, reason } => {
            tracing::info!(%relay, reason, "not reachable through the relay for now");
            Vec::new()
        }
        Event::Reachability(reach) => {
            tracing::info!(reach, "reachability");
            vec![Input::Reachability(reach)]
        }
        other => input(other).into_iter().collect(),
    }
}

/// [`inputs`] for the events that make at most one input.
fn input(event: Event) -> Option<Input> {
    Some(match event {
        Event::Admitted { peer, addr, dialed } => Input::Connected {
            peer: peer.to_string(),
            addr: dialed.then(|| addr.to_string()),
        },
        Event::Connected {
            peer,
            member: false,
            ..
        } => {
            tracing::info!(%peer, "connection from a device that is not a member: lobby only");
            return None;
        }
        Event::SendFailed { peer, reason } => {
            tracing::debug!(%peer, reason, "a frame was not delivered");
            Input::SendFailed {
                peer: peer.to_string(),
            }
        }
        Event::Identified { peer, addrs } => Input::Identified {
            peer: peer.to_string(),
            addrs: addrs.iter().map(|a| a.to_string()).collect(),
        },
        Event::Disconnected(peer) => Input::Disconnected {
            peer: peer.to_string(),
        },
        Event::Frame { peer, frame } => Input::Frame {
            peer: peer.to_string(),
            frame,
        },
        Event::JoinRequest {
            peer,
            addr,
            id,
            request,
        } => {
            tracing::info!(%peer, %addr, "join request");
            Input::JoinRequest {
                peer: peer.to_string(),
                id,
                request,
            }
        }
        Event::DialFailed { reason, .. } => {
            tracing::info!(reason, "dial failed");
            return None;
        }
        Event::Listening(_)
        | Event::Discovered { .. }
        | Event::JoinResponse { .. }
        | Event::JoinFailed { .. }
        | Event::Connected { .. }
        | Event::PathChanged { .. }
        | Event::RelayReserved { .. }
        | Event::Relaying { .. }
        | Event::RelayLost { .. }
        | Event::Reachability(_) => return None,
    })
}

/// The network command for a runtime action (none for a peer or address that does not parse:
/// the log and the store only hold valid ones).
fn command(action: Action) -> Option<Command> {
    Some(match action {
        Action::Send(peer, frame) => Command::Send {
            peer: peer.parse().ok()?,
            frame,
        },
        Action::Disconnect(peer) => Command::Disconnect(peer.parse().ok()?),
        Action::JoinReply(id, response) => Command::JoinReply { id, response },
        Action::Members(list) => Command::SetMembers(parse_peers(&list)),
        Action::Dial(addr) => Command::Dial(addr.parse().ok()?),
        Action::Relays(list) => {
            Command::SetRelays(list.iter().filter_map(|a| a.parse().ok()).collect())
        }
    })
}
