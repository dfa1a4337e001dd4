//! Colleagues at home behind NAT, never on the same network, meet through the team's relay:
//! real processes in network namespaces the test builds itself (`ip netns`, veth pairs, a bridge
//! for the "internet", `iptables` MASQUERADE on each home router, which, like a home router,
//! drops what comes unsolicited from outside), as `scripts/setup.sh`
//! installs them. Alice and Bob each sit in their own home network; the relay (the workspace's
//! founder, `serve --relay`) is the only reachable host.
//!
//! - Behind ordinary NATs the relayed connection is upgraded by a hole punch (DCUtR), which
//!   `peers` reports, and syncing goes on after the relay restarts.
//! - Behind symmetric NATs (`MASQUERADE --random-fully`: a new port for every connection) the
//!   hole punch fails and they keep syncing through the relay, which `peers` reports.
//!
//! - In a meeting room (two namespaces on one LAN segment, mDNS between them), a newcomer joins
//!   with the code an admin's device shows: a guess and a mistyped code are refused, the right
//!   code admits them, and it cannot be used again.
//!
//! Namespaces need root (or CAP_NET_ADMIN) and `ip`/`iptables`: where they are not permitted the
//! tests say so and check nothing else.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::print_stderr)] // test failures, the skip notice

mod common;

use std::io::BufRead as _;
use std::process::{Command, Stdio};

use common::{Peer, Serve, has_note};

/// Runs `ip`/`iptables`/`sysctl` arguments; the error text if it fails.
fn sh(args: &[&str]) -> Result<(), String> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Runs inside a namespace.
fn in_ns(ns: &str, args: &[&str]) -> Result<(), String> {
    let mut all = vec!["ip", "netns", "exec", ns];
    all.extend_from_slice(args);
    sh(&all)
}

/// The namespaces of one scenario, removed on drop (which removes their interfaces too).
struct Lab {
    names: Vec<String>,
    /// The relay's host, Alice's and Bob's.
    relay: String,
    alice: String,
    bob: String,
    relay_ip: String,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in &self.names {
            let _ = sh(&["ip", "netns", "del", ns]);
        }
    }
}

impl Lab {
    /// Builds the "internet" (a bridge in its own namespace) with the relay's host on it, and two
    /// homes behind a NAT router each; `symmetric` NATs pick a new port for every connection.
    fn build(tag: &str, k: u8, symmetric: bool) -> Result<Lab, String> {
        let id = std::process::id() % 100_000;
        let name = |what: &str| format!("ep{id}{tag}{what}");
        let (wan, relay, alice, bob, nat_a, nat_b) = (
            name("w"),
            name("r"),
            name("a"),
            name("b"),
            name("na"),
            name("nb"),
        );
        let mut lab = Lab {
            names: Vec::new(),
            relay: relay.clone(),
            alice: alice.clone(),
            bob: bob.clone(),
            relay_ip: format!("10.{k}.0.1"),
        };
        for ns in [&wan, &relay, &alice, &bob, &nat_a, &nat_b] {
            sh(&["ip", "netns", "add", ns])?;
            lab.names.push(ns.clone());
            in_ns(ns, &["ip", "link", "set", "lo", "up"])?;
        }
        in_ns(&wan, &["ip", "link", "add", "br0", "type", "bridge"])?;
        in_ns(&wan, &["ip", "link", "set", "br0", "up"])?;
        // A veth pair from `ns` (named `dev` there, with `addr`) to the internet's bridge.
        let wire = |ns: &str, dev: &str, addr: &str, port: &str| -> Result<(), String> {
            sh(&[
                "ip", "link", "add", port, "netns", &wan, "type", "veth", "peer", "name", dev,
                "netns", ns,
            ])?;
            in_ns(&wan, &["ip", "link", "set", port, "master", "br0", "up"])?;
            in_ns(ns, &["ip", "addr", "add", addr, "dev", dev])?;
            in_ns(ns, &["ip", "link", "set", dev, "up"])
        };
        wire(&relay, "eth0", &format!("10.{k}.0.1/24"), "p-r")?;
        // Each home: a router with the internet on one side and the home on the other.
        for (home, nat, n) in [(&alice, &nat_a, 2u8), (&bob, &nat_b, 3u8)] {
            wire(nat, "wan", &format!("10.{k}.0.{n}/24"), &format!("p-{n}"))?;
            sh(&[
                "ip", "link", "add", "lan", "netns", nat, "type", "veth", "peer", "name", "eth0",
                "netns", home,
            ])?;
            let lan = format!("192.168.{n}.1");
            in_ns(
                nat,
                &["ip", "addr", "add", &format!("{lan}/24"), "dev", "lan"],
            )?;
            in_ns(nat, &["ip", "link", "set", "lan", "up"])?;
            in_ns(nat, &["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])?;
            let mut masquerade = vec![
                "iptables",
                "-t",
                "nat",
                "-A",
                "POSTROUTING",
                "-o",
                "wan",
                "-j",
                "MASQUERADE",
            ];
            if symmetric {
                masquerade.push("--random-fully");
            }
            in_ns(nat, &masquerade)?;
            // Like a home router, it answers nothing unsolicited from outside (a refusal would
            // cut short a hole punch whose other half is a moment late).
            in_ns(nat, &["iptables", "-A", "INPUT", "-i", "wan", "-j", "DROP"])?;
            in_ns(
                home,
                &[
                    "ip",
                    "addr",
                    "add",
                    &format!("192.168.{n}.2/24"),
                    "dev",
                    "eth0",
                ],
            )?;
            in_ns(home, &["ip", "link", "set", "eth0", "up"])?;
            in_ns(home, &["ip", "route", "add", "default", "via", &lan])?;
        }
        Ok(lab)
    }
}

/// Whether namespaces can be made here; the reason when not.
fn permitted() -> Result<(), String> {
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = format!("ep{}p{n}", std::process::id() % 100_000);
    sh(&["ip", "netns", "add", &probe])?;
    let nat = in_ns(&probe, &["iptables", "-t", "nat", "-L", "-n"]);
    let _ = sh(&["ip", "netns", "del", &probe]);
    nat
}

/// How `peer` last reached the colleague named `name`.
fn path_to(peer: &Peer, name: &str) -> Option<String> {
    peer.json(&["peers"])
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["path"].as_str().map(str::to_owned))
}

/// Waits (bounded, 60 s: hole punches and reservations take a few round trips) for `check`.
fn eventually(what: &str, check: impl Fn() -> bool) {
    common::eventually_within(std::time::Duration::from_secs(60), what, check);
}

/// Runs one scenario: the relay's host founds the workspace and names itself as its relay;
/// Alice and Bob join from home; Alice writes; Bob reads. Returns how they were connected.
fn scenario(lab: &Lab, after: impl FnOnce(&Peer, &Peer, &Serve, &Serve)) {
    let host = Peer::init("Relay host");
    let listen = format!("/ip4/{}/tcp/4001", lab.relay_ip);
    let relay = Serve::start_in(
        &host,
        &lab.relay,
        &["--listen", &listen, "--relay", "--no-mdns"],
    );
    host.ok(&["relay", "add", &relay.addr]);
    let join = |name: &str, ns: &str| {
        let peer = Peer::new();
        let ticket = common::ticket(&host);
        let out = peer
            .cmd_in(ns, &["join", &ticket, "--name", name, "--timeout", "30s"])
            .output()
            .unwrap();
        common::check_ok(&["join"], out);
        peer
    };
    let alice = join("Alice", &lab.alice);
    let bob = join("Bob", &lab.bob);
    let any = [
        "--listen",
        "/ip4/0.0.0.0/tcp/0",
        "--listen",
        "/ip4/0.0.0.0/udp/0/quic-v1",
    ];
    let alice_serves = Serve::start_in(&alice, &lab.alice, &any);
    let bob_serves = Serve::start_in(&bob, &lab.bob, &any);
    alice.ok(&[
        "note",
        "add",
        "--title",
        "From home",
        "--body",
        "behind NAT",
    ]);
    eventually("Alice's note reaches Bob", || has_note(&bob, "From home"));
    after(&alice, &bob, &alice_serves, &bob_serves);
    // The relay restarts at the same address; syncing goes on.
    drop(relay);
    let _relay = Serve::start_in(
        &host,
        &lab.relay,
        &["--listen", &listen, "--relay", "--no-mdns"],
    );
    common::note_reaches(&alice, &bob, "After the restart");
}

/// Whether the test can run here; says why not when it cannot.
fn can_run() -> bool {
    match permitted() {
        Ok(()) => true,
        Err(why) => {
            eprintln!(
                "SKIPPED: network namespaces with NAT are not permitted on this machine ({why}); \
                 run as root with ip and iptables (scripts/setup.sh installs them)"
            );
            false
        }
    }
}

/// Ordinary NATs keep a connection's port: the relayed connection is upgraded by a hole punch.
#[test]
fn behind_ordinary_nats_colleagues_meet_through_the_relay_then_punch_through() {
    if !can_run() {
        return;
    }
    let lab = Lab::build("c", 71, false).unwrap();
    scenario(&lab, |alice, bob, _, _| {
        eventually("the relayed connection is upgraded by a hole punch", || {
            path_to(alice, "Bob").as_deref() == Some("hole-punched")
                || path_to(bob, "Alice").as_deref() == Some("hole-punched")
        });
    });
}

/// Symmetric NATs give every connection a new port: the hole punch fails and the relay carries
/// the sync.
#[test]
fn behind_symmetric_nats_colleagues_keep_syncing_through_the_relay() {
    if !can_run() {
        return;
    }
    let lab = Lab::build("s", 72, true).unwrap();
    scenario(&lab, |alice, bob, alice_serves, bob_serves| {
        eventually("the hole punch is tried and fails", || {
            alice_serves.log_text().contains("hole punch failed")
                || bob_serves.log_text().contains("hole punch failed")
        });
        assert_eq!(path_to(alice, "Bob").as_deref(), Some("relayed"));
        assert_eq!(path_to(bob, "Alice").as_deref(), Some("relayed"));
    });
}

/// A meeting room: two namespaces on one LAN segment (a veth pair), removed on drop.
fn room(tag: &str) -> Result<Lab, String> {
    let id = std::process::id() % 100_000;
    let (admin, guests) = (format!("ep{id}{tag}a"), format!("ep{id}{tag}g"));
    let mut lab = Lab {
        names: Vec::new(),
        relay: String::new(),
        alice: admin.clone(),
        bob: guests.clone(),
        relay_ip: String::new(),
    };
    for ns in [&admin, &guests] {
        sh(&["ip", "netns", "add", ns])?;
        lab.names.push(ns.clone());
        in_ns(ns, &["ip", "link", "set", "lo", "up"])?;
    }
    sh(&[
        "ip", "link", "add", "eth0", "netns", &admin, "type", "veth", "peer", "name", "eth0",
        "netns", &guests,
    ])?;
    for (ns, addr) in [(&admin, "10.90.0.1/24"), (&guests, "10.90.0.2/24")] {
        in_ns(ns, &["ip", "addr", "add", addr, "dev", "eth0"])?;
        in_ns(ns, &["ip", "link", "set", "eth0", "up"])?;
    }
    Ok(lab)
}

/// `join --code CODE` from the guests' side; its standard output or its error line.
fn join_with(peer: &Peer, ns: &str, name: &str, code: &str) -> Result<String, String> {
    join_within(peer, ns, name, code, "20s")
}

/// [`join_with`], giving up after `timeout`.
fn join_within(
    peer: &Peer,
    ns: &str,
    name: &str,
    code: &str,
    timeout: &str,
) -> Result<String, String> {
    let out = peer
        .cmd_in(
            ns,
            &["join", "--code", code, "--name", name, "--timeout", timeout],
        )
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

#[test]
fn in_the_meeting_room_a_newcomer_joins_with_the_code_read_aloud_and_only_once() {
    if !can_run() {
        return;
    }
    let lab = room("m").unwrap();
    let alice = Peer::init("Alice");
    alice.ok(&[
        "note",
        "add",
        "--title",
        "Welcome",
        "--body",
        "read me first",
    ]);
    // The admin's device shows a code and answers it (mDNS on) until it is used.
    let mut shows = alice
        .cmd_in(&lab.alice, &["invite", "code"])
        .env("ENTREPAIRS_LOG", "info,libp2p=warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(shows.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let code = first
        .strip_prefix("Code: ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("a code: {first}"))
        .to_owned();
    let (number, words) = code.split_once('-').unwrap();
    // Someone who heard only the number guesses the words; then Bob mistypes one.
    let guess = if words == "acorn-acorn-acorn" {
        "amber-amber-amber"
    } else {
        "acorn-acorn-acorn"
    };
    let mallory = Peer::new();
    let refused =
        join_with(&mallory, &lab.bob, "Mallory", &format!("{number}-{guess}")).unwrap_err();
    assert!(
        refused.contains("the code was refused: the code does not match"),
        "{refused}"
    );
    assert!(
        !mallory.dir.join("entrepairs.db").exists(),
        "Mallory holds nothing"
    );
    let mistyped: Vec<&str> = words.split('-').collect();
    let other = if mistyped[2] == "zinc" {
        "zebra"
    } else {
        "zinc"
    };
    let refused = join_with(
        &Peer::new(),
        &lab.bob,
        "Bob",
        &format!("{number}-{}-{}-{other}", mistyped[0], mistyped[1]),
    )
    .unwrap_err();
    assert!(refused.contains("the code does not match"), "{refused}");
    // The right code, spoken in capitals with spaces: Bob is in, with Alice's note.
    let bob = Peer::new();
    let started = std::time::Instant::now();
    let joined = join_with(
        &bob,
        &lab.bob,
        "Bob",
        &code.to_uppercase().replace('-', " "),
    )
    .unwrap();
    let took = started.elapsed();
    assert!(
        joined.starts_with("Joined \"Acme\" as Bob (1 notes received)"),
        "{joined}"
    );
    eprintln!(
        "from typing the code to the first synced note: {} ms",
        took.as_millis()
    );
    let done = lines.next().unwrap().unwrap();
    assert_eq!(done, "Bob joined with the code");
    assert!(shows.wait().unwrap().success());
    // Used: Alice's device, serving again, no longer knows the code.
    let _serves = Serve::start_in(&alice, &lab.alice, &["--listen", "/ip4/0.0.0.0/tcp/0"]);
    // (The only answer it gets is that: it waits a few seconds for another.)
    let refused = join_within(&Peer::new(), &lab.bob, "Eve", &code, "4s").unwrap_err();
    assert!(refused.contains("no such code on this device"), "{refused}");
}
