//! Real processes on 127.0.0.1, driven through the CLI: a workspace is created, colleagues join
//! with tickets, notes converge, a private review reaches only its two participants, a device
//! that was never invited gets nothing, a removed member gets nothing new, a restarted peer
//! catches up, and an edit made by another command while `serve` runs reaches the others.
//! mDNS is off: nothing leaves the loopback interface.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::print_stderr)] // test failures, with their location and logs

mod common;

use common::{Peer, Serve, eventually, has_note, id_of, ticket};

/// Every byte of the files of a data directory.
fn raw_bytes(peer: &Peer) -> Vec<u8> {
    common::files(&peer.dir)
        .into_iter()
        .flat_map(|(path, _, _)| std::fs::read(path).unwrap())
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn colleagues_sync_exactly_what_they_are_entitled_to() {
    let a = Peer::init("Alice");
    a.ok(&[
        "note",
        "add",
        "--title",
        "Before anyone joined",
        "--body",
        "x",
    ]);
    let serve_a = Serve::start(&a);

    // B and C join with single-use tickets; a ticket cannot be used twice.
    let (b, c) = (Peer::new(), Peer::new());
    let t = ticket(&a);
    assert!(t.len() <= 400 && !t.contains(char::is_whitespace), "{t}");
    let joined = b.json(&["join", &t, "--name", "Bob", "--timeout", "30s"]);
    assert_eq!(joined["workspace_name"], "Acme");
    assert!(
        has_note(&b, "Before anyone joined"),
        "B holds what it is entitled to after join"
    );
    let reuse = Peer::new();
    let err = reuse.fail(&["join", &t, "--name", "Eve", "--timeout", "30s"]);
    assert!(err.contains("already used"), "{err}");
    c.ok(&["join", &ticket(&a), "--name", "Carol", "--timeout", "30s"]);
    let members: Vec<String> = a
        .json(&["member", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(members, ["Alice", "Bob", "Carol"]);

    let serve_b = Serve::start(&b);
    let serve_c = Serve::start(&c);

    // An edit made by another command while A serves reaches both.
    a.ok(&[
        "note",
        "add",
        "--title",
        "Live from Alice",
        "--body",
        "hello",
    ]);
    eventually("B and C get Alice's note", || {
        has_note(&b, "Live from Alice") && has_note(&c, "Live from Alice")
    });
    b.ok(&["note", "add", "--title", "Bob writes back", "--body", "hi"]);
    eventually("A and C get Bob's note", || {
        has_note(&a, "Bob writes back") && has_note(&c, "Bob writes back")
    });

    // A private review between A and B never reaches C.
    let b_id = b.json(&["whoami"])["member_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret_topic = "quarterly-secret-topic-7f3a";
    let review = id_of(&a.ok(&[
        "review",
        "request",
        "--reviewer",
        &b_id,
        "--about",
        secret_topic,
        "--template",
        "sbi",
    ]));
    eventually("B gets the review", || {
        b.run(&["review", "show", &review]).status.success()
    });
    a.ok(&["note", "add", "--title", "After the review", "--body", "x"]);
    eventually("C gets the later note", || has_note(&c, "After the review"));
    assert!(c.fail(&["review", "show", &review]).contains("no review"));
    let c_bytes = raw_bytes(&c);
    assert!(
        !contains(&c_bytes, &review) && !contains(&c_bytes, secret_topic),
        "C's files hold no byte of the review"
    );

    // A community's threads reach the members who joined it (a signed entry of their own), and
    // nobody else.
    let circle = id_of(&a.ok(&["community", "create", "Inner circle"]));
    // A thread from before B joined reaches B once B joins, while both keep serving.
    a.ok(&[
        "thread",
        "post",
        &circle,
        "--title",
        "Posted before Bob joined",
        "--body",
        "x",
    ]);
    eventually("B sees the new community", || {
        b.json(&["community", "list"])
            .as_array()
            .is_some_and(|l| l.iter().any(|c| c["id"] == circle.as_str()))
    });
    b.ok(&["community", "join", "Inner circle"]);
    let err = b.fail(&["community", "join", &circle]);
    assert!(err.contains("already in"), "{err}");
    eventually("A sees B in the community", || {
        a.json(&["community", "list"])[0]["members"]
            .as_array()
            .is_some_and(|m| m.len() == 2)
    });
    let circle_topic = "circle-only-topic-91c2";
    a.ok(&[
        "thread",
        "post",
        &circle,
        "--title",
        circle_topic,
        "--body",
        "x",
    ]);
    eventually("B gets both community threads", || {
        b.json(&["thread", "list", &circle])
            .as_array()
            .is_some_and(|t| t.len() == 2)
    });
    a.ok(&["note", "add", "--title", "After the thread", "--body", "x"]);
    eventually("C gets the later note", || has_note(&c, "After the thread"));
    assert_eq!(c.json(&["thread", "list", &circle]), serde_json::json!([]));
    assert_eq!(c.json(&["community", "list"])[0]["joined"], false);
    assert!(
        !contains(&raw_bytes(&c), circle_topic),
        "C's files hold no byte of the community thread"
    );

    // A device that was never invited gets nothing, not even a document id.
    let d = Peer::init("Dave");
    let err = d.fail(&["sync", "--peer", &serve_a.addr, "--timeout", "5s"]);
    assert!(
        err.contains("no exchange") || err.contains("timed out"),
        "{err}"
    );
    assert!(!has_note(&d, "Live from Alice"));
    assert!(!contains(&raw_bytes(&d), "Live from Alice"));

    // After C is removed, new notes no longer reach C.
    let c_id = c.json(&["whoami"])["member_id"]
        .as_str()
        .unwrap()
        .to_owned();
    a.ok(&["member", "remove", &c_id]);
    a.ok(&[
        "note",
        "add",
        "--title",
        "After removing Carol",
        "--body",
        "x",
    ]);
    eventually("B gets the note written after the removal", || {
        has_note(&b, "After removing Carol")
    });
    b.ok(&[
        "note",
        "add",
        "--title",
        "Bob after the removal",
        "--body",
        "x",
    ]);
    eventually("A gets Bob's later note", || {
        has_note(&a, "Bob after the removal")
    });
    assert!(!has_note(&c, "After removing Carol") && !has_note(&c, "Bob after the removal"));

    // A peer killed and restarted catches up.
    serve_b.kill();
    a.ok(&[
        "note",
        "add",
        "--title",
        "While Bob was down",
        "--body",
        "x",
    ]);
    let _serve_b = Serve::start(&b);
    eventually("B catches up after a restart", || {
        has_note(&b, "While Bob was down")
    });
    assert_eq!(b.json(&["doctor"])["ok"], true);
    assert_eq!(a.json(&["doctor"])["ok"], true);
    let status = a.json(&["status"]);
    assert!(
        status
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["state"] == "in-sync"),
        "{status}"
    );
    let peers = a.json(&["peers"]);
    assert!(
        peers
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Bob" && p["member"] == true),
        "{peers}"
    );
    drop(serve_c);
}

#[test]
fn one_off_sync_and_bad_tickets() {
    let a = Peer::init("Alice");
    let serve_a = Serve::start(&a);
    let b = Peer::new();
    b.ok(&["join", &ticket(&a), "--name", "Bob"]);
    drop(serve_a);
    a.ok(&[
        "note",
        "add",
        "--title",
        "Offline edit",
        "--body",
        "made while nobody listened",
    ]);
    // This time over QUIC.
    let serve_a = Serve::start_on(&a, "/ip4/127.0.0.1/udp/0/quic-v1");
    assert!(serve_a.addr.contains("/udp/") && serve_a.addr.contains("/quic-v1/"));
    let report = b.json(&["sync", "--peer", &serve_a.addr, "--timeout", "20s"]);
    assert!(
        report["peers"]
            .as_object()
            .unwrap()
            .values()
            .any(|p| p["bytes_received"].as_u64().unwrap() > 0),
        "{report}"
    );
    assert!(has_note(&b, "Offline edit"));

    for (bad, want) in [
        ("hello", "not a valid Entrepairs invite"),
        ("ep1AAAA", "not a valid"),
        (&*"ep1A".repeat(120), "longer than 400"),
    ] {
        let fresh = Peer::new();
        let err = fresh.fail(&["join", bad, "--name", "X"]);
        assert!(err.contains(want), "{bad}: {err}");
    }
    let err = b.fail(&["invite", "create"]);
    assert!(err.contains("admin"), "{err}");
    let err = a.fail(&["invite", "create", "--expires", "soon"]);
    assert!(err.contains("invalid duration"), "{err}");
}

/// What `peer` knows of the colleague named `name`'s device (`peers --json`).
fn peer_row(peer: &Peer, name: &str) -> Option<serde_json::Value> {
    peer.json(&["peers"])
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
}

/// Colleagues whose devices cannot dial each other meet through the team's relay: an admin
/// names a member's always-on device (`serve --relay`) as the workspace's relay; it travels
/// with the workspace; Bob, who has only a stale address of Alice's, reaches her through it,
/// and syncing goes on after the relay restarts. (Which path a connection takes behind real
/// NATs is shown in `tests/reach.rs`.)
#[test]
fn colleagues_who_cannot_dial_each_other_meet_through_the_teams_relay() {
    let alice = Peer::init("Alice");
    let first = Serve::start(&alice);
    let host = common::joined(&alice, "Relay host");
    let relay = Serve::start_relay(&host, "/ip4/127.0.0.1/tcp/0");
    // Only a member's device may be named, at an address ending in its id.
    let err = alice.fail(&["relay", "add", "/ip4/127.0.0.1/tcp/9"]);
    assert!(err.contains("does not end with the relay's id"), "{err}");
    let stranger = Peer::init("Mallory");
    let theirs = format!(
        "/ip4/127.0.0.1/tcp/9/p2p/{}",
        stranger.json(&["whoami"])["member_id"].as_str().unwrap()
    );
    let err = alice.fail(&["relay", "add", &theirs]);
    assert!(err.contains("is not a member's device"), "{err}");
    let err = host.fail(&["relay", "add", &relay.addr]);
    assert!(err.contains("only an admin can add a relay"), "{err}");
    alice.ok(&["relay", "add", &relay.addr]);
    assert_eq!(
        alice.json(&["relay", "list"]),
        serde_json::json!([relay.addr])
    );
    // Bob joins: the workspace he receives names the relay.
    let bob = common::joined(&alice, "Bob");
    assert_eq!(
        bob.json(&["relay", "list"]),
        serde_json::json!([relay.addr])
    );
    // Alice moves to another port: Bob's address for her is stale.
    drop(first);
    let _second = Serve::start(&alice);
    let _bob_serves = Serve::start(&bob);
    alice.ok(&[
        "note",
        "add",
        "--title",
        "Met through the relay",
        "--body",
        "hello",
    ]);
    // Through the relay (its address for Alice goes through it); on loopback the connection
    // may then go direct, by a hole punch or by the address Alice told over the relayed one.
    let through = format!("{}/p2p-circuit", relay.addr);
    eventually("Bob reaches Alice through the relay", || {
        peer_row(&bob, "Alice").is_some_and(|p| {
            p["path"].is_string()
                && p["addrs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a.as_str().unwrap().starts_with(&through))
        })
    });
    eventually("Alice's note reaches Bob", || {
        has_note(&bob, "Met through the relay")
    });
    // The relay restarts at the same address; syncing goes on.
    let port = relay
        .addr
        .split('/')
        .skip_while(|p| *p != "tcp")
        .nth(1)
        .unwrap()
        .to_owned();
    drop(relay);
    let _relay = Serve::start_relay(&host, &format!("/ip4/127.0.0.1/tcp/{port}"));
    common::note_reaches(&alice, &bob, "After the restart");
}
