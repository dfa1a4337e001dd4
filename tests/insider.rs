//! An insider who is already a member, against real processes on 127.0.0.1: what they write
//! in someone else's name never shows anywhere, and the membership log holds against them.
//!
//! - the import forgery: an export edited to hold an endorsement "from Alice" and a note "by
//!   Alice" leaves nothing in Alice's name on any device;
//! - a modified build (here: a database written past the app, as a modified client would) that
//!   sends a change in someone else's name is refused, and flagged in `peers` and `status`;
//! - a removed admin's backdated removal of the founder changes nothing;
//! - a revoked invite, and an invite whose issuer was removed, admit nobody.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::print_stderr)] // test failures, with their location and logs

mod common;

use std::path::Path;

use automerge::AutoCommit;
use common::{Peer, Serve, eventually, joined, ticket};
use domain::signing::sign_change;
use domain::{Endorsement, Keypair, Workspace};
use serde_json::Value;
use sync::membership::{Entry, Op, SignedEntry};

fn member_id(peer: &Peer) -> String {
    peer.json(&["whoami"])["member_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn key_of(peer: &Peer) -> Keypair {
    Keypair::from_protobuf_encoding(&std::fs::read(peer.dir.join("identity.key")).unwrap()).unwrap()
}

fn db(peer: &Peer) -> rusqlite::Connection {
    rusqlite::Connection::open(peer.dir.join("entrepairs.db")).unwrap()
}

fn workspace_id(peer: &Peer) -> String {
    peer.json(&["whoami"])["workspace_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// What a modified build would do: write a change to the workspace document straight into the
/// device's database, past every rule, signed by `signer` (the device's own key), with `actor`
/// naming whoever it pretends wrote it. The real app then syncs it as it would its own.
fn write_past_the_app(
    peer: &Peer,
    signer: &Keypair,
    actor: &str,
    edit: impl FnOnce(&mut Workspace),
) {
    let ws = workspace_id(peer);
    let conn = db(peer);
    let (chunk, bytes): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT id, bytes FROM chunks WHERE doc_id = ?1 ORDER BY id DESC LIMIT 1",
            [&ws],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut doc = AutoCommit::load(&bytes)
        .unwrap()
        .with_actor(domain::actor_for(&actor.parse().unwrap()));
    let before = doc.get_heads();
    let mut model: Workspace = autosurgeon::hydrate(&doc).unwrap();
    edit(&mut model);
    autosurgeon::reconcile(&mut doc, &model).unwrap();
    let new: Vec<_> = doc
        .get_changes_meta(&before)
        .iter()
        .map(|c| c.hash)
        .collect();
    assert!(!new.is_empty(), "the forgery changed nothing");
    let heads: Vec<u8> = doc.get_heads().iter().flat_map(|h| h.0).collect();
    conn.execute(
        "UPDATE chunks SET bytes = ?1 WHERE id = ?2",
        rusqlite::params![doc.save(), chunk],
    )
    .unwrap();
    conn.execute(
        "UPDATE documents SET heads = ?1 WHERE id = ?2",
        rusqlite::params![heads, ws],
    )
    .unwrap();
    for h in new {
        let sig = sign_change(signer, &ws, &h).unwrap();
        conn.execute(
            "INSERT INTO change_sigs(doc_id, hash, sig) VALUES (?1, ?2, ?3)",
            rusqlite::params![ws, h.0.as_slice(), sig.as_slice()],
        )
        .unwrap();
    }
}

/// A membership entry signed by `peer`'s key with the given parents, written straight into its
/// log (as a modified build would, past the app's own check that it takes effect).
fn append_past_the_app(peer: &Peer, prev: Vec<String>, op: Op) {
    let entry = Entry {
        prev,
        author: member_id(peer),
        at: chrono::Utc::now().timestamp_millis(),
        op,
    };
    let signed = SignedEntry::sign(&key_of(peer), entry).unwrap();
    db(peer)
        .execute(
            "INSERT INTO membership_log(hash, entry) VALUES (?1, ?2)",
            rusqlite::params![signed.hash(), signed.encode()],
        )
        .unwrap();
}

fn entries(peer: &Peer) -> Vec<(String, SignedEntry)> {
    let conn = db(peer);
    let mut stmt = conn
        .prepare("SELECT hash, entry FROM membership_log ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(|r| {
            let (h, e) = r.unwrap();
            (h, SignedEntry::decode(&e).unwrap())
        })
        .collect()
}

fn endorsements_of(viewer: &Peer, member: &str) -> Vec<Value> {
    viewer.json(&["profile", "show", member])["endorsements"]
        .as_array()
        .unwrap()
        .clone()
}

fn notes_by(viewer: &Peer, author: &str) -> Vec<String> {
    viewer
        .json(&["note", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["author"] == author)
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

fn sync_with(peer: &Peer, serve: &Serve) {
    peer.ok(&["sync", "--peer", &serve.addr, "--timeout", "30s"]);
}

#[test]
fn an_edited_export_writes_nothing_in_another_members_name() {
    let alice = Peer::init("Alice");
    alice.ok(&["note", "add", "--title", "Alice's own", "--body", "mine"]);
    let serve = Serve::start(&alice);
    let chloe = joined(&alice, "Chloe");
    let bob = joined(&alice, "Bob");
    let alice_id = member_id(&alice);
    let chloe_id = member_id(&chloe);
    chloe.ok(&["skill", "claim", "Negociation", "--level", "3"]);
    assert_eq!(
        notes_by(&chloe, &alice_id),
        ["Alice's own"],
        "joining syncs the notes"
    );

    // Chloe exports, adds an endorsement "from Alice" of her own skill and a note by Alice.
    let out = chloe.path("export");
    chloe.ok(&["export", "--out", out.to_str().unwrap()]);
    let file = out.join("entrepairs-export.json");
    let mut export: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    export["workspace"]["endorsements"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": "forged-endorsement",
            "from": alice_id,
            "to": chloe_id,
            "skill": "negociation",
            "comment": "Chloe negotiated our best contract",
            "created_at": "2026-11-01T10:00:00Z",
        }));
    let mut note = export["notes"][0].clone();
    note["id"] = "forged-note".into();
    note["title"] = "Salary grid (confidential)".into();
    note["author"] = alice_id.clone().into();
    export["notes"].as_array_mut().unwrap().push(note);
    std::fs::write(&file, serde_json::to_string(&export).unwrap()).unwrap();
    let imported = chloe.json(&["import", "--from", out.to_str().unwrap()]);
    assert_eq!(imported["not_theirs"]["endorsements"], 1, "{imported}");
    assert_eq!(imported["not_theirs"]["notes"], 1, "{imported}");
    // Alice's own note, which Chloe still holds, is not copied again.
    assert_eq!(imported["skipped"]["notes"], 1, "{imported}");
    assert_eq!(imported["added"]["notes"], 1, "{imported}");

    sync_with(&chloe, &serve);
    sync_with(&bob, &serve);
    for (who, viewer) in [("Alice", &alice), ("Bob", &bob), ("Chloe", &chloe)] {
        assert!(
            endorsements_of(viewer, &chloe_id).is_empty(),
            "{who}'s device shows an endorsement of Chloe"
        );
        assert_eq!(
            notes_by(viewer, &alice_id),
            ["Alice's own"],
            "{who}'s device shows a note by Alice she never wrote"
        );
    }
    // The note Chloe imported is hers, with Alice named only in its text.
    let forged = bob.json(&["note", "show", "forged-note"]);
    assert_eq!(forged["author"], chloe_id.as_str());
    assert!(
        forged["body"]
            .as_str()
            .unwrap()
            .starts_with("*Imported from Alice.*"),
        "{forged}"
    );
}

#[test]
fn a_change_sent_in_someone_elses_name_is_refused_and_flagged() {
    let alice = Peer::init("Alice");
    let serve = Serve::start(&alice);
    let mallory = joined(&alice, "Mallory");
    let bob = joined(&alice, "Bob");
    let (alice_id, mallory_id) = (member_id(&alice), member_id(&mallory));
    mallory.ok(&["skill", "claim", "Rust", "--level", "2"]);
    sync_with(&mallory, &serve);
    eventually("Mallory's claim reached Alice", || {
        alice.json(&["profile", "show", &mallory_id])["skills"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    });

    // Mallory's modified build writes an endorsement "from Alice" and signs it with Mallory's
    // own key, then syncs it with Alice as the app would.
    let key = key_of(&mallory);
    write_past_the_app(&mallory, &key, &mallory_id, |ws| {
        ws.endorsements.insert(
            "forged".into(),
            Endorsement {
                id: "forged".into(),
                from: alice_id.clone(),
                to: mallory_id.clone(),
                skill: "rust".into(),
                comment: "the best".into(),
                created_at: 0,
            },
        );
    });
    let _ = mallory.run(&["sync", "--peer", &serve.addr, "--timeout", "10s"]);
    eventually("Alice flagged Mallory's device", || {
        alice
            .json(&["peers"])
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["peer"] == mallory_id.as_str() && p["refused_changes"].as_u64() >= Some(1))
    });
    let peers = alice.json(&["peers"]);
    let flagged = peers
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["peer"] == mallory_id.as_str())
        .unwrap();
    assert_eq!(
        flagged["last_refusal"], "an endorsement must be given in its giver's own name",
        "{flagged}"
    );
    assert!(
        alice
            .json(&["status"])
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["peer"] == mallory_id.as_str() && s["refused"].as_u64() >= Some(1)),
        "status shows the refused change"
    );
    assert!(endorsements_of(&alice, &mallory_id).is_empty());
    let text = alice.ok(&["peers"]);
    assert!(text.contains("refused change"), "{text}");

    // The same build now writes a change under Alice's own actor, signed with Mallory's key.
    write_past_the_app(&mallory, &key, &alice_id, |ws| {
        if let Some(m) = ws.members.get_mut(&alice_id) {
            m.title = "Intern".into();
        }
    });
    let _ = mallory.run(&["sync", "--peer", &serve.addr, "--timeout", "10s"]);
    let flagged = || -> Value {
        alice
            .json(&["peers"])
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["peer"] == mallory_id.as_str())
            .unwrap()
            .clone()
    };
    eventually("Alice refused the change under her own name", || {
        flagged()["refused_changes"].as_u64() >= Some(2)
    });
    // Built on the refused endorsement, it is refused with it (and its signature is not
    // Alice's in any case).
    assert!(
        [
            "it depends on a refused change",
            "the change's signature does not match its author's key"
        ]
        .contains(&flagged()["last_refusal"].as_str().unwrap()),
        "{}",
        flagged()
    );
    // Honest devices never hold, so never relay, what was refused.
    sync_with(&bob, &serve);
    for viewer in [&alice, &bob] {
        assert!(endorsements_of(viewer, &mallory_id).is_empty());
        assert_eq!(viewer.json(&["profile", "show", &alice_id])["title"], "");
    }
    assert_eq!(alice.json(&["doctor"])["ok"], true);
}

#[test]
fn a_removed_admins_backdated_removal_of_the_founder_changes_nothing() {
    let alice = Peer::init("Alice");
    let serve = Serve::start(&alice);
    let admin_ticket = alice.json(&["invite", "create", "--role", "admin"])["ticket"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob = Peer::new();
    bob.ok(&["join", &admin_ticket, "--name", "Bob", "--timeout", "30s"]);
    let carol = joined(&alice, "Carol");
    let (alice_id, bob_id) = (member_id(&alice), member_id(&bob));
    assert_eq!(bob.json(&["whoami"])["role"], "admin");
    // The heads of the log as Bob holds them, before Alice removes him.
    let before_removal: Vec<String> = {
        let log = entries(&bob);
        let followed: Vec<&String> = log.iter().flat_map(|(_, e)| &e.entry.prev).collect();
        log.iter()
            .filter(|(h, _)| !followed.contains(&h))
            .map(|(h, _)| h.clone())
            .collect()
    };
    alice.ok(&["member", "remove", &bob_id]);

    // Bob, removed, signs a removal of the founder whose parents predate his removal. No honest
    // device syncs with him any more; here it reaches Carol's anyway (as it would through a
    // device that had not yet learnt of his removal), and from hers, Alice's.
    append_past_the_app(
        &bob,
        before_removal,
        Op::Remove {
            member: alice_id.clone(),
        },
    );
    let bob_log: Vec<String> = entries(&bob).into_iter().map(|(_, e)| e.encode()).collect();
    for e in &bob_log {
        db(&carol)
            .execute(
                "INSERT OR IGNORE INTO membership_log(hash, entry) VALUES (?1, ?2)",
                rusqlite::params![SignedEntry::decode(e).unwrap().hash(), e],
            )
            .unwrap();
    }
    sync_with(&carol, &serve);
    for viewer in [&alice, &carol] {
        let members = viewer.json(&["member", "list"]);
        let roles: Vec<(String, String)> = members
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["name"].as_str().unwrap().to_owned(),
                    m["role"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(
            roles.contains(&("Alice".into(), "admin".into())),
            "{roles:?}"
        );
        assert!(!roles.iter().any(|(n, _)| n == "Bob"), "{roles:?}");
    }
    // Alice still acts as the founder.
    alice.ok(&["member", "promote", "Carol"]);
    drop(serve);
}

#[test]
fn a_revoked_invite_and_an_invite_whose_issuer_was_removed_admit_nobody() {
    let alice = Peer::init("Alice");
    let serve = Serve::start(&alice);
    let t = ticket(&alice);
    let listed = alice.json(&["invite", "list"]);
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed[0]["status"], "open");
    alice.ok(&["invite", "revoke", &id]);
    assert_eq!(alice.json(&["invite", "list"])[0]["status"], "revoked");
    let eve = Peer::new();
    let err = eve.fail(&["join", &t, "--name", "Eve", "--timeout", "20s"]);
    assert!(err.contains("this invite was revoked"), "{err}");

    // Bob, an admin, issues an invite; Alice removes him before it is used.
    let admin_ticket = alice.json(&["invite", "create", "--role", "admin"])["ticket"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob = Peer::new();
    bob.ok(&["join", &admin_ticket, "--name", "Bob", "--timeout", "30s"]);
    let bob_serve = Serve::start(&bob);
    let bobs = ticket(&bob);
    alice.ok(&["member", "remove", "Bob"]);
    // Bob's device learns it was removed when its log catches up (here, from a file: Alice no
    // longer syncs with it).
    let alice_log: Vec<String> = entries(&alice)
        .into_iter()
        .map(|(_, e)| e.encode())
        .collect();
    let conn = db(&bob);
    for e in &alice_log {
        conn.execute(
            "INSERT OR IGNORE INTO membership_log(hash, entry) VALUES (?1, ?2)",
            rusqlite::params![SignedEntry::decode(e).unwrap().hash(), e],
        )
        .unwrap();
    }
    drop(conn);
    let frank = Peer::new();
    let err = frank.fail(&["join", &bobs, "--name", "Frank", "--timeout", "20s"]);
    assert!(
        err.contains("no longer a member") || err.contains("this invite was revoked"),
        "{err}"
    );
    assert!(!Path::new(&frank.dir.join("entrepairs.db")).exists());
    drop(bob_serve);
    drop(serve);
}
