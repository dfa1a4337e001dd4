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
#[path = "../crates/xtask/src/netns.rs"]
mod netns;

use std::io::BufRead as _;
use std::process::Stdio;

use common::{Peer, Serve, has_note};
use netns::Lab;

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
    match netns::unavailable() {
        None => true,
        Some(why) => {
            eprintln!("SKIPPED: {why}");
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
    let lab = Lab::room("m").unwrap();
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
