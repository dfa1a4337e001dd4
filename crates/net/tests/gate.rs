//! The network gate on real swarms over 127.0.0.1: members sync; a non-member may only ask to
//! join, for a little while, and not too often. Every wait is for an event, bounded by [`WAIT`].

use std::time::Duration;

use net::{Address, Command, Config, Event, Handle, Keypair, Path, Peer};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout_at};

const WAIT: Duration = Duration::from_secs(15);

/// One running network and every event it has reported so far.
struct Node {
    id: Peer,
    net: Handle,
    events: mpsc::Receiver<Event>,
    addr: Address,
    /// Every address it listens on.
    addrs: Vec<Address>,
    seen: Vec<Event>,
}

const TCP: &str = "/ip4/127.0.0.1/tcp/0";
const QUIC: &str = "/ip4/127.0.0.1/udp/0/quic-v1";

/// Starts a network listening on 127.0.0.1 (TCP), with `tweak` applied to its config.
async fn start(tweak: impl FnOnce(&mut Config)) -> Node {
    start_on(&[TCP], tweak).await
}

/// Starts a network listening on `listen`; `addr` is the first address it reports.
async fn start_on(listen: &[&str], tweak: impl FnOnce(&mut Config)) -> Node {
    start_keyed(Keypair::generate_ed25519(), listen, tweak).await
}

/// [`start_on`] with a given key.
async fn start_keyed(key: Keypair, listen: &[&str], tweak: impl FnOnce(&mut Config)) -> Node {
    // `RUST_LOG=net=debug` shows what the swarms do.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let id = key.public().to_peer_id();
    let mut config = Config::new(key);
    config.listen = listen
        .iter()
        .map(|a| a.parse().expect("an address"))
        .collect();
    config.idle_timeout = Duration::from_secs(60);
    tweak(&mut config);
    let (net, events) = net::spawn(config).expect("the network starts");
    let mut node = Node {
        id,
        net,
        events,
        addr: Address::empty(),
        addrs: Vec::new(),
        seen: Vec::new(),
    };
    for _ in listen {
        let addr = node
            .wait("a listen address", |e| match e {
                Event::Listening(addr) => Some(addr.clone()),
                _ => None,
            })
            .await;
        let full: Address = format!("{addr}/p2p/{id}").parse().expect("a full address");
        node.addrs.push(full);
    }
    node.addr = node.addrs.first().cloned().unwrap_or_else(Address::empty);
    node
}

impl Node {
    async fn send(&self, command: Command) {
        assert!(self.net.send(command).await, "the network stopped");
    }

    /// Waits for the first event `pick` accepts, keeping every event in `seen`.
    async fn wait<T>(&mut self, what: &str, mut pick: impl FnMut(&Event) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            let event = match timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => event,
                Ok(None) => panic!("the network stopped while waiting for {what}"),
                Err(_) => panic!(
                    "timed out after {WAIT:?} waiting for {what}; seen {:#?}",
                    self.seen
                ),
            };
            let picked = pick(&event);
            self.seen.push(event);
            if let Some(picked) = picked {
                return picked;
            }
        }
    }

    /// Waits until sync runs with `peer`: connected as a member, or admitted later.
    async fn wait_member(&mut self, peer: Peer) {
        self.wait("a member connection", |e| match e {
            Event::Connected {
                peer: p,
                member: true,
                ..
            }
            | Event::Admitted { peer: p, .. } => (*p == peer).then_some(()),
            _ => None,
        })
        .await;
    }

    async fn wait_lobby(&mut self, peer: Peer) {
        self.wait("a non-member connection", |e| match e {
            Event::Connected {
                peer: p,
                member: false,
                ..
            } => (*p == peer).then_some(()),
            _ => None,
        })
        .await;
    }

    async fn wait_disconnected(&mut self, peer: Peer) {
        self.wait("a disconnection", |e| {
            matches!(e, Event::Disconnected(p) if *p == peer).then_some(())
        })
        .await;
    }

    async fn wait_frame(&mut self, from: Peer) -> Vec<u8> {
        self.wait("a sync frame", |e| match e {
            Event::Frame { peer, frame } if *peer == from => Some(frame.clone()),
            _ => None,
        })
        .await
    }

    async fn wait_send_failed(&mut self, to: Peer) -> String {
        self.wait("a failed send", |e| match e {
            Event::SendFailed { peer, reason } if *peer == to => Some(reason.clone()),
            _ => None,
        })
        .await
    }

    /// Moves the events already reported into `seen`, without waiting.
    fn drain(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.seen.push(event);
        }
    }

    fn frames(&self) -> Vec<&[u8]> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                Event::Frame { frame, .. } => Some(frame.as_slice()),
                _ => None,
            })
            .collect()
    }

    async fn send_frame(&self, to: Peer, frame: &[u8]) {
        self.send(Command::Send {
            peer: to,
            frame: frame.to_vec(),
        })
        .await;
    }
}

/// Two networks that count each other as members, connected.
async fn members() -> (Node, Node) {
    let mut a = start(|_| {}).await;
    let mut b = start(|_| {}).await;
    a.send(Command::SetMembers(vec![b.id])).await;
    b.send(Command::SetMembers(vec![a.id])).await;
    a.send(Command::Dial(b.addr.clone())).await;
    a.wait_member(b.id).await;
    b.wait_member(a.id).await;
    (a, b)
}

#[tokio::test]
async fn members_exchange_sync_frames() {
    let (mut a, mut b) = members().await;
    a.send_frame(b.id, b"from a").await;
    assert_eq!(b.wait_frame(a.id).await, b"from a");
    b.send_frame(a.id, b"from b").await;
    assert_eq!(a.wait_frame(b.id).await, b"from b");
}

#[tokio::test]
async fn a_non_member_sync_frame_is_refused_at_negotiation_but_its_join_request_arrives() {
    let mut host = start(|_| {}).await;
    let mut stranger = start(|_| {}).await;
    host.send(Command::SetMembers(Vec::new())).await;
    // The stranger counts the host as a member, so it does try to sync.
    stranger.send(Command::SetMembers(vec![host.id])).await;
    stranger.send(Command::Dial(host.addr.clone())).await;
    stranger.wait_member(host.id).await;
    host.wait_lobby(stranger.id).await;

    stranger.send_frame(host.id, b"let me sync").await;
    let reason = stranger.wait_send_failed(host.id).await;
    assert!(
        reason.contains("none of the requested protocols"),
        "refused at negotiation, before the frame was read: {reason}"
    );

    stranger
        .send(Command::Join {
            peer: host.id,
            request: b"let me in".to_vec(),
        })
        .await;
    let (id, addr, request) = host
        .wait("a join request", |e| match e {
            Event::JoinRequest {
                peer,
                addr,
                id,
                request,
            } if *peer == stranger.id => Some((*id, addr.clone(), request.clone())),
            _ => None,
        })
        .await;
    assert_eq!(request, b"let me in");
    assert!(
        addr.to_string().starts_with("/ip4/127.0.0.1/tcp/"),
        "{addr}"
    );
    host.send(Command::JoinReply {
        id,
        response: b"welcome".to_vec(),
    })
    .await;
    let response = stranger
        .wait("a join response", |e| match e {
            Event::JoinResponse { peer, response } if *peer == host.id => Some(response.clone()),
            _ => None,
        })
        .await;
    assert_eq!(response, b"welcome");
    host.drain();
    assert!(host.frames().is_empty(), "{:#?}", host.seen);
}

#[tokio::test]
async fn a_non_member_connection_closes_after_the_lobby_timeout_and_a_member_stays() {
    let lobby = Duration::from_millis(600);
    let mut host = start(|c| c.lobby_timeout = lobby).await;
    let mut member = start(|_| {}).await;
    let stranger = start(|_| {}).await;
    host.send(Command::SetMembers(vec![member.id])).await;
    member.send(Command::SetMembers(vec![host.id])).await;
    member.send(Command::Dial(host.addr.clone())).await;
    member.wait_member(host.id).await;
    host.wait_member(member.id).await;

    // The stranger connects after the member: if members had a lobby deadline, the member's
    // would pass first.
    stranger.send(Command::Dial(host.addr.clone())).await;
    host.wait_lobby(stranger.id).await;
    let connected = Instant::now();
    host.wait_disconnected(stranger.id).await;
    let lived = connected.elapsed();
    assert!(
        lived >= lobby / 2,
        "closed after {lived:?}, lobby {lobby:?}"
    );

    member.send_frame(host.id, b"still here").await;
    assert_eq!(host.wait_frame(member.id).await, b"still here");
    assert!(
        !host.seen.contains(&Event::Disconnected(member.id)),
        "{:#?}",
        host.seen
    );
}

#[tokio::test]
async fn removing_a_member_closes_its_connection_and_adding_it_back_opens_sync() {
    let (mut a, mut b) = members().await;

    a.send(Command::SetMembers(Vec::new())).await;
    a.wait_disconnected(b.id).await;
    b.wait_disconnected(a.id).await;

    // `b` still counts `a` as a member and comes back: `a` keeps it in the lobby.
    b.send(Command::Dial(a.addr.clone())).await;
    a.wait_lobby(b.id).await;
    b.wait_member(a.id).await;
    b.send_frame(a.id, b"too early").await;
    b.wait_send_failed(a.id).await;

    // Added back while connected: sync opens on the same connection.
    a.send(Command::SetMembers(vec![b.id])).await;
    a.wait("an admission", |e| match e {
        Event::Admitted { peer, .. } => (*peer == b.id).then_some(()),
        _ => None,
    })
    .await;
    b.send_frame(a.id, b"admitted").await;
    assert_eq!(a.wait_frame(b.id).await, b"admitted");

    // And after a reconnect it is a member from the start.
    b.send(Command::Disconnect(a.id)).await;
    a.wait_disconnected(b.id).await;
    b.wait_disconnected(a.id).await;
    b.send(Command::Dial(a.addr.clone())).await;
    a.wait_member(b.id).await;
    b.wait_member(a.id).await;
    b.send_frame(a.id, b"reconnected").await;
    assert_eq!(a.wait_frame(b.id).await, b"reconnected");
    a.drain();
    assert_eq!(a.frames(), [&b"admitted"[..], &b"reconnected"[..]]);
}

#[tokio::test]
async fn the_fourth_join_request_from_one_ip_within_a_minute_does_not_reach_the_node() {
    let host = start_on(&[TCP, QUIC], |c| c.join_per_ip = 3).await;
    let host_id = host.id;
    let by_transport = |quic: bool| {
        host.addrs
            .iter()
            .find(|a| a.to_string().contains("quic") == quic)
            .cloned()
            .expect("an address for each transport")
    };
    let (tcp, quic) = (by_transport(false), by_transport(true));
    // The host's user answers every join request it is given, and reports it here.
    let (reached_tx, mut reached) = mpsc::channel(16);
    let Node {
        net: host_net,
        events: mut host_events,
        ..
    } = host;
    let answering = host_net.clone();
    tokio::spawn(async move {
        while let Some(event) = host_events.recv().await {
            if let Event::JoinRequest { peer, addr, id, .. } = event {
                let _ = reached_tx.send((peer, addr)).await;
                answering
                    .send(Command::JoinReply {
                        id,
                        response: b"ok".to_vec(),
                    })
                    .await;
            }
        }
    });

    // Four newcomers, each its own device, all on 127.0.0.1 over TCP and QUIC in turn: the
    // limit is per IP address, whatever the transport.
    let mut newcomers = Vec::new();
    for i in 0..4u8 {
        let mut newcomer = start_on(&[], |_| {}).await;
        let addr = if i % 2 == 0 { &tcp } else { &quic };
        newcomer.send(Command::Dial(addr.clone())).await;
        newcomer
            .wait("a connection", |e| match e {
                Event::Connected { peer, .. } => (*peer == host_id).then_some(()),
                _ => None,
            })
            .await;
        newcomer
            .send(Command::Join {
                peer: host_id,
                request: vec![i],
            })
            .await;
        let answered = newcomer
            .wait("the join outcome", |e| match e {
                Event::JoinResponse { peer, .. } if *peer == host_id => Some(true),
                Event::JoinFailed { peer, .. } if *peer == host_id => Some(false),
                _ => None,
            })
            .await;
        assert_eq!(answered, i < 3, "request {i}");
        newcomers.push(newcomer.id);
    }

    // The host dropped the fourth request before the newcomer saw it fail, so had it reached
    // the user it would be reported by now.
    let mut got = Vec::new();
    while let Ok(request) = reached.try_recv() {
        got.push(request);
    }
    let peers: Vec<Peer> = got.iter().map(|(peer, _)| *peer).collect();
    assert_eq!(peers, newcomers[..3]);
    assert!(got[1].1.to_string().ends_with("/quic-v1"), "{got:?}");
    drop(host_net);
}

#[tokio::test]
async fn only_a_few_non_member_connections_from_one_ip_wait_at_once() {
    let mut host = start(|_| {}).await;
    host.send(Command::SetMembers(Vec::new())).await;
    let mut waiting = Vec::new();
    for _ in 0..4 {
        let stranger = start(|_| {}).await;
        stranger.send(Command::Dial(host.addr.clone())).await;
        host.wait_lobby(stranger.id).await;
        waiting.push(stranger);
    }

    let mut fifth = start(|_| {}).await;
    fifth.send(Command::Dial(host.addr.clone())).await;
    fifth
        .wait("the refusal", |e| match e {
            Event::Disconnected(peer) if *peer == host.id => Some(()),
            Event::DialFailed { .. } => Some(()),
            _ => None,
        })
        .await;
    host.drain();
    assert!(
        !host
            .seen
            .iter()
            .any(|e| matches!(e, Event::Connected { peer, .. } if *peer == fifth.id)),
        "{:#?}",
        host.seen
    );

    // A member is not held back by a full lobby.
    let mut member = start(|_| {}).await;
    host.send(Command::SetMembers(vec![member.id])).await;
    member.send(Command::SetMembers(vec![host.id])).await;
    member.send(Command::Dial(host.addr.clone())).await;
    host.wait_member(member.id).await;
    member.wait_member(host.id).await;
}

/// `relay` serves `members` as a relay; `node` counts them as members and listens through it.
async fn through(relay: &Node, node: &Node, members: &[Peer]) {
    node.send(Command::SetMembers(members.to_vec())).await;
    node.send(Command::SetRelays(vec![relay.addr.clone()]))
        .await;
}

async fn wait_reserved(node: &mut Node, relay: Peer) {
    node.wait("a reservation on the relay", |e| {
        matches!(e, Event::RelayReserved { relay: r } if *r == relay).then_some(())
    })
    .await;
}

async fn wait_path(node: &mut Node, peer: Peer, path: Path) {
    node.wait("the path to the peer", |e| match e {
        Event::Connected {
            peer: p, path: now, ..
        }
        | Event::PathChanged { peer: p, path: now }
            if *p == peer && *now == path =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
}

#[tokio::test]
async fn members_reach_each_other_through_a_members_only_relay_then_punch_a_hole() {
    let relay_key = Keypair::generate_ed25519();
    let mut relay = start_keyed(relay_key.clone(), &[TCP], |c| c.relay_server = true).await;
    let mut a = start(|_| {}).await;
    let mut b = start(|_| {}).await;
    let members = [relay.id, a.id, b.id];
    relay.send(Command::SetMembers(members.to_vec())).await;
    through(&relay, &b, &members).await;
    wait_reserved(&mut b, relay.id).await;
    relay
        .wait("the reservation it accepted", |e| {
            matches!(e, Event::Relaying { peer } if *peer == b.id).then_some(())
        })
        .await;
    // B now listens through the relay too.
    let circuit = b
        .wait("an address through the relay", |e| match e {
            Event::Listening(addr) if net::is_relayed(addr) => Some(addr.clone()),
            _ => None,
        })
        .await;
    assert!(
        circuit.to_string().starts_with(&relay.addr.to_string()),
        "{circuit}"
    );

    // A knows B only through the relay: the first connection is relayed and carries sync.
    a.send(Command::SetMembers(members.to_vec())).await;
    // (It names B at its end.)
    assert!(
        circuit
            .to_string()
            .ends_with(&format!("/p2p-circuit/p2p/{}", b.id)),
        "{circuit}"
    );
    let via = circuit.clone();
    a.send(Command::Dial(via.clone())).await;
    wait_path(&mut a, b.id, Path::Relayed).await;
    b.wait_member(a.id).await;
    a.send_frame(b.id, b"through the relay").await;
    assert_eq!(b.wait_frame(a.id).await, b"through the relay");
    // Then DCUtR upgrades it to a direct connection (on loopback, no NAT stands in the way).
    wait_path(&mut a, b.id, Path::HolePunched).await;
    a.send_frame(b.id, b"direct now").await;
    assert_eq!(b.wait_frame(a.id).await, b"direct now");

    // A stranger is refused a reservation, and cannot reach B through the relay.
    let mut stranger = start(|_| {}).await;
    through(&relay, &stranger, &[relay.id]).await;
    let refused = stranger
        .wait("the relay's refusal", |e| match e {
            Event::RelayLost { relay: r, reason } if *r == relay.id => Some(reason.clone()),
            _ => None,
        })
        .await;
    // (The relay's admission hook answers as libp2p's relay does for any limit.)
    assert_eq!(
        refused,
        "Failed to get Reservation.: Remote reported resource limit exceeded."
    );
    stranger.send(Command::Dial(via.clone())).await;
    let failed = stranger
        .wait("the refused circuit", |e| match e {
            Event::DialFailed { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .await;
    assert!(failed.contains("resource limit exceeded"), "{failed}");
    // The relay reported no reservation for it.
    while let Ok(event) = relay.events.try_recv() {
        relay.seen.push(event);
    }
    assert!(
        !relay
            .seen
            .iter()
            .any(|e| matches!(e, Event::Relaying { peer } if *peer == stranger.id)),
        "{:#?}",
        relay.seen
    );

    // The relay restarts at the same address: B reserves again by itself.
    let port = relay.addr.iter().find_map(|p| match p {
        net::multiaddr::Protocol::Tcp(port) => Some(port),
        _ => None,
    });
    let listen = format!("/ip4/127.0.0.1/tcp/{}", port.unwrap());
    drop(relay);
    b.wait("the relay lost", |e| {
        matches!(e, Event::RelayLost { .. }).then_some(())
    })
    .await;
    let relay = start_keyed(relay_key, &[listen.as_str()], |c| c.relay_server = true).await;
    relay.send(Command::SetMembers(members.to_vec())).await;
    wait_reserved(&mut b, relay.id).await;
}
