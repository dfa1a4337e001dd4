//! The real sync runtime (`node::runtime`, the same code `serve` runs) under a seeded network:
//! devices with their own stores, connections made and lost, frames delivered in a random order
//! across links (in order on each link, as a connection delivers them) and lost with their
//! connection, restarts from the store, a cache of two documents (so documents are dropped and
//! loaded again), and newcomers who join through the founder's lobby while the others sync —
//! one of them replaying a used invite. No socket and no timer: the runtime's clock moves by the
//! seed's steps from the time the run starts.
//!
//! After healing (everyone connected, ticks until nothing moves):
//! - every member holds the same documents with the same heads;
//! - every note any member wrote is there;
//! - nobody refused a change (everyone is honest) and every store checks out (`doctor`);
//! - the replayed invite admitted nobody.
//!
//! `RUNTIME_SEEDS=N` runs N seeds (500 by default, in four parts run side by side); a failure
//! prints `RUNTIME_SEED=n`, which replays that seed's schedule.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // test code: failures, the seed report

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use automerge::AutoCommit;
use ipc::forms::NoteDraft;
use ipc::ops;
use node::Node;
use node::runtime::{Action, Input, join_package, join_request};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sync::ticket::Ticket;

/// One device: its folder, its id, and its node while it runs and is a member.
struct Device {
    dir: PathBuf,
    id: String,
    node: Option<Node>,
    /// The member list its runtime last gave the network.
    allows: BTreeSet<String>,
    /// The ticket it joins with (newcomers), used once.
    ticket: Option<String>,
}

/// The seeded network and everyone on it.
struct World {
    seed: u64,
    rng: StdRng,
    now: i64,
    devices: Vec<Device>,
    /// Open connections, as (lower index, higher index).
    links: BTreeSet<(usize, usize)>,
    /// Frames in flight on each directed link, in order.
    queues: BTreeMap<(usize, usize), VecDeque<Vec<u8>>>,
    /// Notes written, by id, with their last title.
    notes: BTreeMap<String, String>,
    join_requests: u64,
    /// The ticket a newcomer already used, replayed by another device.
    used_ticket: Option<String>,
    replay_refused: bool,
}

fn pair(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

impl World {
    fn index(&self, id: &str) -> Option<usize> {
        self.devices.iter().position(|d| d.id == id)
    }

    fn live(&self) -> Vec<usize> {
        (0..self.devices.len())
            .filter(|&i| self.devices[i].node.is_some())
            .collect()
    }

    /// Feeds `input` to device `i`'s runtime and carries out what it answers.
    async fn step(&mut self, i: usize, input: Input) -> Vec<Action> {
        self.now += self.rng.gen_range(1..2_000);
        let node = self.devices[i].node.clone().unwrap();
        let now = self.now;
        let actions = node
            .call(move |c| c.step(now, input))
            .await
            .unwrap_or_else(|e| panic!("RUNTIME_SEED={}: device {i}: {e}", self.seed));
        let mut replies = Vec::new();
        for action in actions {
            match action {
                Action::Send(to, frame) => match self.index(&to) {
                    Some(j) if self.links.contains(&pair(i, j)) => {
                        self.queues.entry((i, j)).or_default().push_back(frame);
                    }
                    // The network says a frame did not reach its peer.
                    _ => {
                        Box::pin(self.step(i, Input::SendFailed { peer: to })).await;
                    }
                },
                Action::Disconnect(peer) => {
                    if let Some(j) = self.index(&peer) {
                        Box::pin(self.disconnect(i, j)).await;
                    }
                }
                Action::Members(list) => {
                    self.devices[i].allows = list.into_iter().collect();
                    // The network drops connections to devices no longer allowed.
                    for j in self.live() {
                        if self.links.contains(&pair(i, j))
                            && !self.devices[i].allows.contains(&self.devices[j].id)
                        {
                            Box::pin(self.disconnect(i, j)).await;
                        }
                    }
                }
                Action::JoinReply(..) => replies.push(action),
                Action::Dial(_) | Action::Relays(_) => {}
            }
        }
        replies
    }

    /// Connects `a` and `b` if each allows the other (the network's member gate).
    async fn connect(&mut self, a: usize, b: usize) {
        let (ida, idb) = (self.devices[a].id.clone(), self.devices[b].id.clone());
        if a == b
            || self.links.contains(&pair(a, b))
            || !self.devices[a].allows.contains(&idb)
            || !self.devices[b].allows.contains(&ida)
        {
            return;
        }
        self.links.insert(pair(a, b));
        self.step(
            a,
            Input::Connected {
                peer: idb,
                addr: None,
            },
        )
        .await;
        if self.links.contains(&pair(a, b)) {
            self.step(
                b,
                Input::Connected {
                    peer: ida,
                    addr: None,
                },
            )
            .await;
        }
    }

    /// Closes the connection between `a` and `b`; what was in flight is lost.
    async fn disconnect(&mut self, a: usize, b: usize) {
        if !self.links.remove(&pair(a, b)) {
            return;
        }
        self.queues.remove(&(a, b));
        self.queues.remove(&(b, a));
        for (me, other) in [(a, b), (b, a)] {
            if self.devices[me].node.is_some() {
                let peer = self.devices[other].id.clone();
                self.step(me, Input::Disconnected { peer }).await;
            }
        }
    }

    /// Delivers the next frame of a random link.
    async fn deliver(&mut self) -> bool {
        let busy: Vec<(usize, usize)> = self
            .queues
            .iter()
            .filter(|(_, q)| !q.is_empty())
            .map(|(k, _)| *k)
            .collect();
        if busy.is_empty() {
            return false;
        }
        let (from, to) = busy[self.rng.gen_range(0..busy.len())];
        let frame = self
            .queues
            .get_mut(&(from, to))
            .unwrap()
            .pop_front()
            .unwrap();
        let peer = self.devices[from].id.clone();
        self.step(to, Input::Frame { peer, frame }).await;
        true
    }

    /// Starts device `i`'s runtime as `serve` does, with a cache of two documents.
    async fn start(&mut self, i: usize, node: Node) {
        node.call(|c| c.set_cache_limit(2)).await.unwrap();
        self.devices[i].node = Some(node);
        self.step(i, Input::Started).await;
    }

    /// Stops device `i` and opens it again from its store.
    async fn restart(&mut self, i: usize) {
        for j in 0..self.devices.len() {
            self.disconnect(i, j).await;
        }
        let node = self.devices[i].node.take().unwrap();
        node.shutdown().await.unwrap();
        let node = Node::open(&self.devices[i].dir).await.unwrap();
        self.start(i, node).await;
    }

    /// Newcomer `i` presents its ticket to the founder's lobby and, admitted, joins.
    async fn join(&mut self, i: usize) {
        let Some(ticket) = self.devices[i].ticket.take() else {
            return;
        };
        let decoded = Ticket::decode(&ticket).unwrap();
        let request = join_request(&decoded, &format!("Colleague {i}"), &self.devices[i].id);
        self.join_requests += 1;
        let id = self.join_requests;
        let peer = self.devices[i].id.clone();
        let replies = self.step(0, Input::JoinRequest { peer, id, request }).await;
        let Some(Action::JoinReply(answered, response)) = replies.into_iter().next() else {
            panic!("RUNTIME_SEED={}: the lobby did not answer", self.seed);
        };
        assert_eq!(answered, id);
        let package = join_package(&response)
            .unwrap_or_else(|e| panic!("RUNTIME_SEED={}: newcomer {i} refused: {e}", self.seed));
        let node = Node::join(&self.devices[i].dir, &package).await.unwrap();
        self.start(i, node).await;
        self.used_ticket = Some(ticket);
    }

    /// A device that is not a member replays the ticket a newcomer used.
    async fn replay(&mut self, dir: &std::path::Path) {
        let Some(ticket) = self.used_ticket.take() else {
            return;
        };
        let intruder = Node::init_device(dir).unwrap();
        let request = join_request(&Ticket::decode(&ticket).unwrap(), "Mallory", &intruder);
        self.join_requests += 1;
        let id = self.join_requests;
        let replies = self
            .step(
                0,
                Input::JoinRequest {
                    peer: intruder,
                    id,
                    request,
                },
            )
            .await;
        let Some(Action::JoinReply(_, response)) = replies.into_iter().next() else {
            panic!("RUNTIME_SEED={}: the lobby did not answer", self.seed);
        };
        let refusal = join_package(&response).unwrap_err().to_string();
        assert!(
            refusal.contains("this invite was already used"),
            "RUNTIME_SEED={}: replayed invite: {refusal}",
            self.seed
        );
        self.replay_refused = true;
    }

    /// A member writes: a new note, a new title for a note it holds, or a skill.
    async fn edit(&mut self, i: usize) {
        let node = self.devices[i].node.clone().unwrap();
        match self.rng.gen_range(0..3) {
            0 => {
                let title = format!("Note {} by {i}", self.notes.len());
                let draft = NoteDraft {
                    title: title.clone(),
                    body: format!("Written on device {i}."),
                    ..NoteDraft::default()
                };
                let id = node.run(ops::AddNote { draft }).await.unwrap();
                self.notes.insert(id, title);
            }
            1 => {
                let held = node
                    .run(ops::Notes {
                        tag: None,
                        skill: None,
                    })
                    .await
                    .unwrap();
                if held.is_empty() {
                    return;
                }
                let note = &held[self.rng.gen_range(0..held.len())];
                let title = format!("{} (edited on {i})", note.title);
                let edit = ops::EditNote {
                    id: note.id.clone(),
                    title: Some(title.clone()),
                    body: None,
                    add_tags: vec![format!("t{i}")],
                    remove_tags: Vec::new(),
                    add_skills: Vec::new(),
                    remove_skills: Vec::new(),
                };
                node.run(edit).await.unwrap();
                self.notes.insert(note.id.clone(), title);
            }
            _ => {
                let claim = ops::ClaimSkill {
                    name: ["Rust", "SQL", "Design"][self.rng.gen_range(0..3)].into(),
                    level: self.rng.gen_range(1..=4),
                    wants: false,
                    teach: true,
                };
                node.run(claim).await.unwrap();
            }
        }
        // Edits made through a node reach its runtime as a change event: a tick.
        self.step(i, Input::Tick).await;
    }
}

/// Every stored document and its heads, as device `node` holds them.
async fn holdings(node: &Node) -> BTreeMap<String, Vec<automerge::ChangeHash>> {
    let mut out = BTreeMap::new();
    for id in node.document_ids().await.unwrap() {
        let bytes = node.saved_document(id.clone()).await.unwrap();
        let mut doc = AutoCommit::load(&bytes).unwrap();
        let mut heads = doc.get_heads();
        heads.sort();
        out.insert(id, heads);
    }
    out
}

async fn run(seed: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let devices = 2 + rng.gen_range(1..=2);
    let mut world = World {
        seed,
        rng,
        // The runtime's clock starts at the real time, as the invites' expiry does.
        now: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            .try_into()
            .unwrap(),
        devices: Vec::new(),
        links: BTreeSet::new(),
        queues: BTreeMap::new(),
        notes: BTreeMap::new(),
        join_requests: 0,
        used_ticket: None,
        replay_refused: false,
    };
    let founder_dir = tmp.path().join("d0");
    let founder = Node::init(&founder_dir, "Founder", "Acme").await.unwrap();
    let founder_id = founder.run(ops::Whoami {}).await.unwrap().member_id;
    world.devices.push(Device {
        dir: founder_dir,
        id: founder_id,
        node: None,
        allows: BTreeSet::new(),
        ticket: None,
    });
    for i in 1..devices {
        let invite = ops::CreateInvite {
            admin: false,
            seconds: None,
            addrs: vec!["/ip4/127.0.0.1/tcp/9".into()],
        };
        let ticket = founder.run(invite).await.unwrap().ticket;
        let dir = tmp.path().join(format!("d{i}"));
        let id = Node::init_device(&dir).unwrap();
        world.devices.push(Device {
            dir,
            id,
            node: None,
            allows: BTreeSet::new(),
            ticket: Some(ticket),
        });
    }
    world.start(0, founder).await;
    // The first newcomer joins at once; the others during the run.
    world.join(1).await;

    for _ in 0..60 {
        let live = world.live();
        let any = |w: &mut World| live[w.rng.gen_range(0..live.len())];
        match world.rng.gen_range(0..100) {
            0..=29 => {
                world.deliver().await;
            }
            30..=44 => {
                let i = any(&mut world);
                world.edit(i).await;
            }
            45..=59 => {
                let (a, b) = (any(&mut world), any(&mut world));
                world.connect(a, b).await;
            }
            60..=67 => {
                let (a, b) = (any(&mut world), any(&mut world));
                world.disconnect(a, b).await;
            }
            68..=81 => {
                let i = any(&mut world);
                world.step(i, Input::Tick).await;
            }
            82..=87 => {
                let i = any(&mut world);
                world.restart(i).await;
            }
            88..=94 => {
                let waiting: Vec<usize> = (0..world.devices.len())
                    .filter(|&i| world.devices[i].ticket.is_some())
                    .collect();
                if let Some(&i) = waiting.first() {
                    world.join(i).await;
                }
            }
            _ => {
                let dir = tmp.path().join(format!("intruder-{}", world.join_requests));
                world.replay(&dir).await;
            }
        }
    }

    // Healing: the newcomers still waiting join, everyone meets everyone, and ticks and
    // deliveries go on until nothing moves.
    for i in 0..world.devices.len() {
        world.join(i).await;
    }
    if !world.replay_refused {
        let dir = tmp.path().join("intruder-last");
        world.replay(&dir).await;
    }
    let all = world.live();
    for round in 0.. {
        assert!(
            round < 200,
            "RUNTIME_SEED={seed}: still syncing after 200 rounds"
        );
        for &a in &all {
            for &b in &all {
                world.connect(a, b).await;
            }
        }
        for &i in &all {
            world.step(i, Input::Tick).await;
        }
        let mut moved = 0;
        while world.deliver().await {
            moved += 1;
            assert!(
                moved < 100_000,
                "RUNTIME_SEED={seed}: frames keep flowing after healing"
            );
        }
        if moved == 0 {
            break;
        }
    }

    let nodes: Vec<Node> = all
        .iter()
        .map(|&i| world.devices[i].node.clone().unwrap())
        .collect();
    let first = holdings(&nodes[0]).await;
    for (k, node) in nodes.iter().enumerate().skip(1) {
        assert_eq!(
            holdings(node).await,
            first,
            "RUNTIME_SEED={seed}: device {} holds other documents or heads than the founder",
            all[k]
        );
    }
    for node in &nodes {
        let shown: BTreeMap<String, String> = node
            .run(ops::Notes {
                tag: None,
                skill: None,
            })
            .await
            .unwrap()
            .into_iter()
            .map(|n| (n.id, n.title))
            .collect();
        for (id, title) in &world.notes {
            let seen = shown.get(id);
            assert!(
                seen.is_some(),
                "RUNTIME_SEED={seed}: note {id} ({title}) is missing"
            );
        }
        for peer in node.run(ops::Peers {}).await.unwrap() {
            assert_eq!(
                peer.refused_changes, 0,
                "RUNTIME_SEED={seed}: an honest device's changes were refused: {peer:?}"
            );
        }
        assert!(
            node.run(ops::Doctor {
                rebuild_index: false
            })
            .await
            .unwrap()
            .ok,
            "RUNTIME_SEED={seed}: doctor"
        );
        let members = node.run(ops::Members {}).await.unwrap();
        assert_eq!(
            members.len(),
            world.devices.len(),
            "RUNTIME_SEED={seed}: members {members:?}"
        );
        assert!(
            members.iter().all(|m| m.name != "Mallory"),
            "RUNTIME_SEED={seed}: the replayed invite admitted someone"
        );
    }
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}

/// The seeds of part `part` of 4: `RUNTIME_SEED=n` alone, or the first `RUNTIME_SEEDS`.
fn seeds(part: u64) -> Vec<u64> {
    if let Some(one) = std::env::var("RUNTIME_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return if part == 0 { vec![one] } else { Vec::new() };
    }
    let count: u64 = std::env::var("RUNTIME_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    (0..count).filter(|s| s % 4 == part).collect()
}

fn part(part: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for seed in seeds(part) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(run(seed));
        }));
        if let Err(e) = result {
            eprintln!("replay with RUNTIME_SEED={seed}");
            std::panic::resume_unwind(e);
        }
    }
}

#[test]
fn the_runtime_converges_under_a_seeded_network_part_1() {
    part(0);
}

#[test]
fn the_runtime_converges_under_a_seeded_network_part_2() {
    part(1);
}

#[test]
fn the_runtime_converges_under_a_seeded_network_part_3() {
    part(2);
}

#[test]
fn the_runtime_converges_under_a_seeded_network_part_4() {
    part(3);
}
