//! The `entrepairs` CLI contract, driven through the real binary in temporary data
//! directories: every command, its `--json` shape, and clean failures on bad input.

#![allow(clippy::unwrap_used)] // a failed unwrap is a test failure, with its location

mod common;

use std::collections::BTreeSet;

use common::{Peer, Serve, check_fail, check_ok, files, id_of, joined};
use serde_json::{Value, json};

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .expect("a JSON object")
        .keys()
        .cloned()
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn init_and_whoami_give_the_stable_json_shape() {
    let peer = Peer::new();
    let out = peer.json(&["init", "--name", "Alice Martin", "--workspace", "Acme"]);
    let me = peer.json(&["whoami"]);
    assert_eq!(out, me, "init prints who you now are");
    assert_eq!(
        keys(&me),
        set(&[
            "member_id",
            "name",
            "workspace_id",
            "workspace_name",
            "role"
        ])
    );
    assert_eq!(me["name"], "Alice Martin");
    assert_eq!(me["workspace_name"], "Acme");
    assert_eq!(me["role"], "admin");
    assert!(
        me["member_id"].as_str().unwrap().starts_with("12D3KooW"),
        "an ed25519 PeerId: {me}"
    );

    // --json is accepted before the subcommand too, and the data dir can come from the env.
    let before = check_ok(
        &[],
        peer.cmd(&[]).arg("--json").arg("whoami").output().unwrap(),
    );
    assert_eq!(serde_json::from_str::<Value>(&before).unwrap(), me);
    let mut by_env = std::process::Command::new(common::bin());
    by_env
        .env("ENTREPAIRS_DATA_DIR", &peer.dir)
        .args(["whoami", "--json"]);
    let by_env = check_ok(&["whoami (env)"], by_env.output().unwrap());
    assert_eq!(serde_json::from_str::<Value>(&by_env).unwrap(), me);

    let text = peer.ok(&["whoami"]);
    assert!(
        text.contains("Alice Martin (admin)") && text.contains("Acme"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn the_data_directory_its_key_and_its_database_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let peer = Peer::init("Alice");
    peer.ok(&["note", "add", "--title", "Private", "--body", "x"]);
    assert_eq!(mode(&peer.dir), 0o700, "the data directory");
    let mut files = 0;
    for entry in std::fs::read_dir(&peer.dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        files += 1;
    }
    // The key, the database and (in WAL mode) its journal files.
    assert!(files >= 2, "{files} files");
    // Also for a device that joined by a ticket (its directory made by `join`).
    let serve = Serve::start(&peer);
    let bob = joined(&peer, "Bob");
    drop(serve);
    assert_eq!(mode(&bob.dir), 0o700);
    assert_eq!(mode(&bob.dir.join("entrepairs.db")), 0o600);
}

#[test]
fn init_refuses_an_existing_workspace_or_a_foreign_directory() {
    let peer = Peer::init("Alice");
    let err = peer.fail(&["init", "--name", "Again"]);
    assert!(
        err.contains("already holds an Entrepairs workspace"),
        "{err}"
    );
    assert_eq!(
        peer.json(&["whoami"])["name"],
        "Alice",
        "the first workspace is intact"
    );

    let foreign = Peer::new();
    std::fs::create_dir_all(&foreign.dir).unwrap();
    std::fs::write(foreign.dir.join("thesis.txt"), "precious").unwrap();
    let err = foreign.fail(&["init", "--name", "Bob"]);
    assert!(err.contains("is not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(foreign.dir.join("thesis.txt")).unwrap(),
        "precious"
    );
    let err = foreign.fail(&["whoami"]);
    assert!(err.contains("is not an Entrepairs data directory"), "{err}");

    let err = foreign.fail(&["init", "--name", "  "]);
    assert!(err.contains("name must not be empty"), "{err}");
}

#[test]
fn profiles_are_set_and_shown() {
    let peer = Peer::init("Alice");
    peer.ok(&[
        "profile",
        "set",
        "--title",
        "Data engineer",
        "--team",
        "Platform",
        "--location",
        "Lyon",
        "--languages",
        "fr,en",
        "--hours-per-month",
        "6",
        "--open-to-mentoring",
        "true",
    ]);
    let p = peer.json(&["profile", "show"]);
    assert_eq!(
        keys(&p),
        set(&[
            "member_id",
            "name",
            "role",
            "title",
            "team",
            "location",
            "languages",
            "hours_per_month",
            "open_to_mentoring",
            "devices",
            "joined_at",
            "updated_at",
            "skills",
            "endorsements",
        ])
    );
    assert_eq!(p["title"], "Data engineer");
    assert_eq!(p["team"], "Platform");
    assert_eq!(p["location"], "Lyon");
    assert_eq!(p["languages"], json!(["fr", "en"]));
    assert_eq!(p["hours_per_month"], 6);
    assert_eq!(p["open_to_mentoring"], true);
    assert!(chrono::DateTime::parse_from_rfc3339(p["updated_at"].as_str().unwrap()).is_ok());

    // A partial update leaves the other fields alone.
    peer.ok(&["profile", "set", "--team", "Data"]);
    let p2 = peer.json(&["profile", "show", "Alice"]);
    assert_eq!(p2["team"], "Data");
    assert_eq!(p2["title"], "Data engineer");

    let err = peer.fail(&["profile", "set", "--open-to-mentoring", "maybe"]);
    assert!(err.contains("maybe"), "{err}");
    let err = peer.fail(&["profile", "set", "--hours-per-month", "-3"]);
    assert!(
        err.contains("-3") || err.contains("unexpected argument"),
        "{err}"
    );
    let err = peer.fail(&["profile", "set", "--languages", "fr,12"]);
    assert!(err.contains("invalid language"), "{err}");
    let err = peer.fail(&["profile", "show", "Nobody"]);
    assert!(err.contains("no member"), "{err}");
}

/// Two peers whose data meet through export/import, so that there are colleagues to endorse
/// and rank (sync comes with its own issue).
/// Alice's workspace, which Bob joined (with a ticket) and where his profile and skills arrived
/// by a sync: only Bob writes Bob's profile.
fn alice_and_bob() -> (Peer, Peer, String) {
    let alice = Peer::init("Alice");
    let serve = Serve::start(&alice);
    let bob = joined(&alice, "Bob");
    bob.ok(&["profile", "set", "--hours-per-month", "4"]);
    bob.ok(&["skill", "claim", "SQL", "--level", "3", "--can-teach"]);
    bob.ok(&["skill", "claim", "Rust", "--level", "1", "--wants-to-learn"]);
    bob.ok(&["sync", "--peer", &serve.addr, "--timeout", "30s"]);
    drop(serve);
    let bob_id = bob.json(&["whoami"])["member_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (alice, bob, bob_id)
}

#[test]
fn skills_are_claimed_listed_endorsed_and_ranked() {
    let (alice, _bob, bob_id) = alice_and_bob();
    let id = id_of(&alice.ok(&["skill", "claim", "Rust", "--level", "4", "--can-teach"]));
    assert_eq!(id, "rust");
    assert_eq!(
        alice.json(&["skill", "claim", "sql", "--level", "2"]),
        json!({"id": "sql"})
    );

    let list = alice.json(&["skill", "list"]);
    let rust = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "rust")
        .unwrap();
    assert_eq!(
        keys(rust),
        set(&["id", "label_fr", "label_en", "synonyms", "holders"])
    );
    let holders: Vec<(&str, u64)> = rust["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap(), h["level"].as_u64().unwrap()))
        .collect();
    assert_eq!(holders, [("Alice", 4), ("Bob", 1)]);

    let e = id_of(&alice.ok(&[
        "skill",
        "endorse",
        "Bob",
        "SQL",
        "--comment",
        "saved our migration",
    ]));
    assert!(!e.is_empty());
    let p = alice.json(&["profile", "show", &bob_id]);
    assert_eq!(p["endorsements"][0]["comment"], "saved our migration");
    assert_eq!(p["endorsements"][0]["from_name"], "Alice");
    let sql = p["skills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["skill"] == "sql")
        .unwrap();
    assert_eq!(sql["endorsements"], 1);

    let err = alice.fail(&["skill", "endorse", "Bob", "SQL"]);
    assert!(err.contains("already endorsed"), "{err}");
    let err = alice.fail(&["skill", "endorse", "Alice", "Rust"]);
    assert!(err.contains("your own skill"), "{err}");
    let err = alice.fail(&["skill", "endorse", "Bob", "Cobol"]);
    assert!(err.contains("no skill named 'Cobol'"), "{err}");

    // Bob is an expert who teaches SQL, endorsed; Alice (the asker) is excluded.
    let helpers = alice.json(&["who-can-help", "sql"]);
    let helpers = helpers.as_array().unwrap();
    assert_eq!(helpers.len(), 1);
    assert_eq!(helpers[0]["name"], "Bob");
    // The same shape as the app's (`ipc::views::HelperView`).
    assert_eq!(helpers[0]["member_id"], bob_id.as_str());
    assert_eq!(helpers[0]["level"], 3);
    assert_eq!(
        helpers[0]["why"],
        "expert (3/4), can teach, 1 endorsement, 4 h/month offered"
    );
    let text = alice.ok(&["who-can-help", "SQL"]);
    assert!(text.starts_with("1. Bob — expert"), "{text}");
    // Bob only has notions of Rust and does not teach it: nobody can help Alice's colleagues
    // but Alice, who is the asker here.
    assert_eq!(alice.json(&["who-can-help", "rust"]), json!([]));
    let err = alice.fail(&["who-can-help", "cobol"]);
    assert!(err.contains("no skill named"), "{err}");
}

#[test]
fn skills_are_merged_labelled_and_found_by_any_name() {
    let (alice, bob, _) = alice_and_bob();
    alice.ok(&[
        "skill",
        "claim",
        "Structured Query Language",
        "--level",
        "4",
        "--can-teach",
    ]);
    alice.ok(&[
        "note",
        "add",
        "--title",
        "Indexes",
        "--body",
        "Composite ones first.",
        "--skill",
        "Structured Query Language",
    ]);
    let err = bob.fail(&["skill", "merge", "rust", "sql"]);
    assert!(err.contains("only an admin can merge skills"), "{err}");
    assert_eq!(
        alice.json(&["skill", "merge", "structured query language", "SQL"]),
        json!({"id": "sql"})
    );
    // The duplicate is gone from the catalogue; its claim counts for SQL; its old name finds it.
    let list = alice.json(&["skill", "list"]);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"structured-query-language"), "{ids:?}");
    let sql = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "sql")
        .unwrap();
    let holders: Vec<(&str, u64)> = sql["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap(), h["level"].as_u64().unwrap()))
        .collect();
    assert_eq!(holders, [("Alice", 4), ("Bob", 3)]);
    let notes = alice.json(&["note", "list", "--skill", "sql"]);
    assert_eq!(notes[0]["title"], "Indexes");
    assert_eq!(notes[0]["skills"], json!(["sql"]));
    // Labels and aliases: who-can-help finds the skill by any of them, accents and case aside.
    alice.ok(&["skill", "label", "sql", "--fr", "Langage SQL"]);
    alice.ok(&["skill", "alias", "sql", "Requêtes"]);
    for name in ["langage sql", "REQUETES", "structured query language"] {
        let helpers = alice.json(&["who-can-help", name]);
        assert_eq!(helpers[0]["name"], "Bob", "{name}: {helpers}");
    }
    // Search finds the colleagues who hold it by its alias too (Bob's SQL, Alice's merged one).
    let hits = alice.json(&["search", "requetes"]);
    let mut found: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "profile")
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    found.sort();
    assert_eq!(found, ["Alice", "Bob"], "{hits}");
    let err = alice.fail(&["skill", "alias", "rust", "requetes"]);
    assert!(err.contains("'requetes' already names the skill"), "{err}");
    let err = alice.fail(&["skill", "label", "sql"]);
    assert!(
        err.contains("give an English label, a French one, or both"),
        "{err}"
    );
}

#[test]
fn notes_are_added_listed_shown_edited_and_deleted() {
    let peer = Peer::init("Alice");
    let git = id_of(&peer.ok(&[
        "note",
        "add",
        "--title",
        "Git tips",
        "--body",
        "Rebase often.",
        "--tag",
        "git",
    ]));
    let body_file = peer.path("onboarding.md");
    std::fs::write(
        &body_file,
        "# Welcome\nRead [[Git tips]] and [[Missing page]].\n",
    )
    .unwrap();
    let onboarding = id_of(&peer.ok(&[
        "note",
        "add",
        "--title",
        "Onboarding",
        "--body-file",
        body_file.to_str().unwrap(),
        "--tag",
        "#HowTo",
        "--tag",
        "git",
        "--skill",
        "Rust",
    ]));
    let stdin = check_ok(
        &["note add from stdin"],
        peer.run_with_stdin(
            &[
                "note",
                "add",
                "--title",
                "From stdin",
                "--body-file",
                "-",
                "--scope",
                "personal",
            ],
            "piped body",
        ),
    );
    let piped = id_of(&stdin);

    let all = peer.json(&["note", "list"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(
        keys(&all[0]),
        set(&[
            "id",
            "title",
            "scope",
            "author",
            "author_name",
            "tags",
            "skills",
            "created_at",
            "updated_at"
        ])
    );
    let tagged: Vec<String> = peer
        .json(&["note", "list", "--tag", "git"])
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        tagged.iter().collect::<BTreeSet<_>>(),
        [&git, &onboarding].into_iter().collect()
    );
    let by_skill = peer.json(&["note", "list", "--skill", "rust"]);
    assert_eq!(by_skill.as_array().unwrap().len(), 1);
    assert_eq!(by_skill[0]["tags"], json!(["git", "howto"]));
    assert_eq!(by_skill[0]["skills"], json!(["rust"]));

    let shown = peer.json(&["note", "show", &git]);
    assert_eq!(shown["body"], "Rebase often.");
    assert_eq!(
        shown["backlinks"],
        json!([{"id": onboarding, "title": "Onboarding"}])
    );
    let ob = peer.json(&["note", "show", &onboarding[..8]]);
    assert_eq!(
        ob["links"],
        json!([{"title": "Git tips", "id": git}, {"title": "Missing page", "id": null}])
    );
    let personal = peer.json(&["note", "show", &piped]);
    assert_eq!(personal["body"], "piped body");
    assert!(
        personal["scope"]
            .as_str()
            .unwrap()
            .starts_with("personal:12D3KooW")
    );
    let text = peer.ok(&["note", "show", &git]);
    assert!(
        text.contains("# Git tips") && text.contains("Linked from:") && text.contains("Onboarding"),
        "{text}"
    );

    // Edits: title, body, tags; the backlink follows the title.
    let edited = peer.json(&[
        "note",
        "edit",
        &git,
        "--title",
        "Git handbook",
        "--body",
        "Rebase often. Squash rarely.",
        "--add-tag",
        "vcs",
        "--remove-tag",
        "git",
    ]);
    assert_eq!(edited["title"], "Git handbook");
    assert_eq!(edited["tags"], json!(["vcs"]));
    assert_eq!(edited["backlinks"], json!([]));
    peer.ok(&[
        "note",
        "edit",
        &onboarding,
        "--body",
        "Read [[git handbook]].",
    ]);
    assert_eq!(
        peer.json(&["note", "show", &git])["backlinks"][0]["id"],
        onboarding.as_str()
    );
    let err = peer.fail(&["note", "edit", &git]);
    assert!(err.contains("nothing to change"), "{err}");
    let err = peer.fail(&["note", "edit", &git, "--remove-tag", "nope"]);
    assert!(err.contains("no tag 'nope'"), "{err}");
    let err = peer.fail(&["note", "edit", &git, "--title", ""]);
    assert!(err.contains("title must not be empty"), "{err}");
    assert_eq!(
        peer.json(&["note", "show", &git])["title"],
        "Git handbook",
        "a refused edit changes nothing"
    );

    assert_eq!(peer.json(&["note", "delete", &piped]), json!({"ok": true}));
    assert_eq!(peer.json(&["note", "list"]).as_array().unwrap().len(), 2);
    let err = peer.fail(&["note", "show", &piped]);
    assert!(err.contains("deleted"), "{err}");
    let err = peer.fail(&["note", "delete", &piped]);
    assert!(err.contains("already deleted"), "{err}");
}

#[test]
fn communities_and_threads() {
    let peer = Peer::init("Alice");
    let data = id_of(&peer.ok(&["community", "create", "Data & BI"]));
    let err = peer.fail(&["community", "create", "data & bi"]);
    assert!(err.contains("already exists"), "{err}");
    let list = peer.json(&["community", "list"]);
    assert_eq!(
        keys(&list[0]),
        set(&[
            "id",
            "name",
            "created_by",
            "created_at",
            "members",
            "joined",
            "threads"
        ])
    );
    assert_eq!(list[0]["id"], data.as_str());
    let me = peer.json(&["whoami"])["member_id"].clone();
    assert_eq!(list[0]["members"], serde_json::json!([me]));
    assert_eq!(list[0]["joined"], true);
    let err = peer.fail(&["community", "join", "Data & BI"]);
    assert!(err.contains("already in that community"), "{err}");
    let err = peer.fail(&["community", "join", "Nowhere"]);
    assert!(err.contains("no community 'Nowhere'"), "{err}");
    peer.ok(&["community", "leave", "Data & BI"]);
    assert_eq!(peer.json(&["community", "list"])[0]["joined"], false);
    let err = peer.fail(&["community", "leave", "Data & BI"]);
    assert!(err.contains("is not in that community"), "{err}");
    peer.ok(&["community", "join", &data]);
    assert_eq!(peer.json(&["community", "list"])[0]["joined"], true);

    let thread = peer.json(&[
        "thread",
        "post",
        "Data & BI",
        "--title",
        "Which BI tool?",
        "--body",
        "Metabase or Superset?",
    ])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = id_of(&peer.ok(&[
        "thread",
        "reply",
        &thread,
        "--body",
        "Metabase, for a start.",
    ]));
    peer.ok(&[
        "thread",
        "reply",
        &thread[..6],
        "--body",
        "Superset scales better.",
    ]);
    let shown = peer.json(&["thread", "accept", &thread, &reply]);
    assert_eq!(shown["accepted"], reply.as_str());

    let listed = peer.json(&["thread", "list", &data]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["replies"], 2);
    assert_eq!(listed[0]["accepted"], reply.as_str());
    assert_eq!(peer.json(&["community", "list"])[0]["threads"], 1);

    let t = peer.json(&["thread", "show", &thread]);
    assert_eq!(
        keys(&t),
        set(&[
            "id",
            "community",
            "community_name",
            "title",
            "body",
            "author",
            "author_name",
            "accepted",
            "created_at",
            "updated_at",
            "posts",
        ])
    );
    assert_eq!(t["community_name"], "Data & BI");
    let posts = t["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0]["accepted"], true);
    assert_eq!(posts[1]["body"], "Superset scales better.");

    let note = id_of(&peer.ok(&[
        "note",
        "add",
        "--title",
        "BI glossary",
        "--body",
        "x",
        "--scope",
        &format!("community:{data}"),
    ]));
    assert_eq!(
        peer.json(&["note", "show", &note])["scope"],
        format!("community:{data}")
    );

    for (args, want) in [
        (
            vec!["thread", "post", "Nowhere", "--title", "t", "--body", "b"],
            "no community 'Nowhere'",
        ),
        (
            vec!["thread", "reply", &thread, "--body", "  "],
            "body must not be empty",
        ),
        (vec!["thread", "accept", &thread, "nope"], "no reply 'nope'"),
        (vec!["thread", "show", "0000000"], "no thread"),
        (
            vec![
                "note", "add", "--title", "x", "--body", "y", "--scope", "team:1",
            ],
            "invalid scope",
        ),
        (
            vec![
                "note",
                "add",
                "--title",
                "x",
                "--body",
                "y",
                "--scope",
                "community:zzz",
            ],
            "no community",
        ),
    ] {
        let err = peer.fail(&args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn search_finds_notes_threads_and_profiles_with_snippets() {
    let peer = Peer::init("Alice");
    peer.ok(&[
        "profile",
        "set",
        "--title",
        "Kubernetes référente",
        "--team",
        "Platform",
    ]);
    let note = id_of(&peer.ok(&[
        "note",
        "add",
        "--title",
        "Déploiement",
        "--body",
        "Nous déployons avec Helm sur le cluster de recette.",
    ]));
    peer.ok(&["community", "create", "Ops"]);
    let thread = id_of(&peer.ok(&[
        "thread",
        "post",
        "Ops",
        "--title",
        "Helm charts",
        "--body",
        "Where do charts live?",
    ]));

    let hits = peer.json(&["search", "helm"]);
    let found: BTreeSet<(String, String)> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["kind"].as_str().unwrap().to_owned(),
                h["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("note".to_owned(), note.clone()),
            ("thread".to_owned(), thread)
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(keys(&hits[0]), set(&["kind", "id", "title", "snippet"]));
    let note_hit = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "note")
        .unwrap();
    assert!(
        note_hit["snippet"].as_str().unwrap().contains("[Helm]"),
        "{note_hit}"
    );

    // Accents do not matter, prefixes match, FTS syntax is just text.
    assert_eq!(
        peer.json(&["search", "deploiement"])[0]["id"],
        note.as_str()
    );
    assert_eq!(peer.json(&["search", "kubern"])[0]["kind"], "profile");
    assert_eq!(peer.json(&["search", "NEAR(", "OR", "\"*"]), json!([]));
    let err = peer.fail(&["search", "\"\""]);
    assert!(err.contains("at least one word"), "{err}");
    let text = peer.ok(&["search", "nothing-like-this"]);
    assert_eq!(text.trim(), "Nothing found.");
}

fn threads_of(peer: &Peer) -> Vec<Value> {
    let mut out = Vec::new();
    for c in peer.json(&["community", "list"]).as_array().unwrap() {
        for t in peer
            .json(&["thread", "list", c["id"].as_str().unwrap()])
            .as_array()
            .unwrap()
        {
            out.push(peer.json(&["thread", "show", t["id"].as_str().unwrap()]));
        }
    }
    out.sort_by_key(|t| t["id"].as_str().unwrap().to_owned());
    out
}

#[test]
fn export_then_import_reproduces_notes_skills_profiles_and_threads() {
    let (alice, _bob, bob_id) = alice_and_bob();
    let alice_id = alice.json(&["whoami"])["member_id"]
        .as_str()
        .unwrap()
        .to_owned();
    alice.ok(&[
        "profile",
        "set",
        "--title",
        "Architect",
        "--languages",
        "fr,en",
        "--hours-per-month",
        "3",
    ]);
    alice.ok(&["skill", "claim", "Rust", "--level", "4", "--can-teach"]);
    alice.ok(&["skill", "endorse", "Bob", "SQL", "--comment", "solid"]);
    let a = id_of(&alice.ok(&[
        "note",
        "add",
        "--title",
        "Ownership",
        "--body",
        "Borrowing rules, see [[Lifetimes]].",
        "--tag",
        "rust",
        "--skill",
        "Rust",
    ]));
    alice.ok(&[
        "note",
        "add",
        "--title",
        "Lifetimes",
        "--body",
        "'a means…\n\n- one\n- two",
    ]);
    alice.ok(&[
        "note",
        "add",
        "--title",
        "Draft",
        "--body",
        "private thoughts",
        "--scope",
        "personal",
    ]);
    alice.ok(&["note", "edit", &a, "--add-tag", "memory"]);
    alice.ok(&["community", "create", "Rustaceans"]);
    let t = id_of(&alice.ok(&[
        "thread",
        "post",
        "Rustaceans",
        "--title",
        "Async?",
        "--body",
        "tokio or smol?",
    ]));
    let r = id_of(&alice.ok(&["thread", "reply", &t, "--body", "tokio"]));
    alice.ok(&["thread", "accept", &t, &r]);

    let out = alice.path("backup");
    let summary = alice.json(&["export", "--out", out.to_str().unwrap()]);
    assert_eq!(summary["exported"]["notes"], 3);
    assert_eq!(summary["exported"]["threads"], 1);
    assert!(out.join("entrepairs-export.json").is_file());
    let markdown: Vec<_> = std::fs::read_dir(out.join("notes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(markdown.len(), 3);
    let ownership = markdown
        .iter()
        .find(|p| p.to_string_lossy().contains("ownership-"))
        .expect("ownership-*.md");
    let text = std::fs::read_to_string(ownership).unwrap();
    assert!(
        text.starts_with("---\nid: ")
            && text.contains("title: \"Ownership\"")
            && text.contains("Borrowing rules"),
        "{text}"
    );

    // Carol, in a workspace of her own, imports Alice's export. Nothing is written in
    // Alice's or Bob's name: their profiles, claims and endorsements are not imported; the
    // notes and the thread they wrote for everyone become Carol's, their author named at the
    // top; the catalogue and the community become Carol's additions.
    let fresh = Peer::init("Carol");
    let carol_id = fresh.json(&["whoami"])["member_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let imported = fresh.json(&["import", "--from", out.to_str().unwrap()]);
    assert_eq!(imported["added"]["notes"], 3);
    assert_eq!(imported["added"]["threads"], 1);
    assert_eq!(imported["added"]["members"], 0);
    assert_eq!(imported["added"]["claims"], 0);
    assert_eq!(imported["added"]["endorsements"], 0);
    assert_eq!(imported["added"]["communities"], 1);
    assert_eq!(imported["not_theirs"]["members"], 2);
    assert_eq!(imported["not_theirs"]["claims"], 3);
    assert_eq!(imported["not_theirs"]["endorsements"], 1);
    assert_eq!(imported["not_theirs"]["notes"], 3);
    assert_eq!(imported["not_theirs"]["threads"], 1);
    let err = fresh.fail(&["profile", "show", &alice_id]);
    assert!(err.contains("no member with id or name"), "{err}");
    let err = fresh.fail(&["profile", "show", &bob_id]);
    assert!(err.contains("no member with id or name"), "{err}");
    let note = |p: &Peer, title: &str| -> Value {
        let id = p
            .json(&["note", "list"])
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["title"] == title)
            .unwrap()["id"]
            .clone();
        p.json(&["note", "show", id.as_str().unwrap()])
    };
    let (theirs, mine) = (note(&alice, "Ownership"), note(&fresh, "Ownership"));
    // The importer created it: its id ends with the importer's tag instead of Alice's.
    let uuid = |v: &Value| {
        v["id"]
            .as_str()
            .unwrap()
            .rsplit_once('-')
            .unwrap()
            .0
            .to_owned()
    };
    assert_eq!(uuid(&mine), uuid(&theirs));
    assert_ne!(mine["id"], theirs["id"]);
    assert_eq!(mine["author"], carol_id.as_str());
    assert_eq!(
        mine["body"],
        format!(
            "*Imported from Alice.*\n\n{}",
            theirs["body"].as_str().unwrap()
        )
    );
    assert_eq!(mine["tags"], theirs["tags"]);
    // The link resolves to the imported copy of the note it names.
    assert_eq!(mine["links"][0]["title"], theirs["links"][0]["title"]);
    assert_eq!(uuid(&mine["links"][0]), uuid(&theirs["links"][0]));
    assert_eq!(fresh.json(&["search", "borrowing"])[0]["id"], mine["id"]);
    let thread = &threads_of(&fresh)[0];
    assert_eq!(thread["author"], carol_id.as_str());
    assert!(
        thread["body"]
            .as_str()
            .unwrap()
            .starts_with("*Imported from Alice.*"),
        "{thread}"
    );
    assert_eq!(thread["posts"][0]["author"], carol_id.as_str());
    assert_eq!(thread["accepted"], threads_of(&alice)[0]["accepted"]);
    let skills: BTreeSet<String> = fresh
        .json(&["skill", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(skills, set(&["rust", "sql"]));

    // A second import finds everything already there.
    let again = fresh.json(&["import", "--from", out.to_str().unwrap()]);
    assert_eq!(
        again["added"],
        json!({"members": 0, "skills": 0, "claims": 0, "endorsements": 0, "communities": 0, "notes": 0, "threads": 0, "mentoring": 0, "reviews": 0, "sessions": 0})
    );
    assert_eq!(again["skipped"]["notes"], 3);

    // Exporting again into the same directory replaces the previous export; a directory with
    // other files is refused.
    alice.ok(&["export", "--out", out.to_str().unwrap()]);
    let other = alice.path("elsewhere");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let err = alice.fail(&["export", "--out", other.to_str().unwrap()]);
    assert!(err.contains("is not empty"), "{err}");
}

#[test]
fn malformed_imports_are_refused_and_change_nothing() {
    let peer = Peer::init("Alice");
    peer.ok(&["note", "add", "--title", "Keep me", "--body", "safe"]);
    let good = Peer::init("Bob");
    good.ok(&["note", "add", "--title", "Bob's", "--body", "b"]);
    let dir = good.path("export");
    good.ok(&["export", "--out", dir.to_str().unwrap()]);
    let original = std::fs::read_to_string(dir.join("entrepairs-export.json")).unwrap();
    let before = peer.json(&["note", "list"]);

    let mutate = |f: &dyn Fn(&mut Value)| {
        let mut v: Value = serde_json::from_str(&original).unwrap();
        f(&mut v);
        serde_json::to_string(&v).unwrap()
    };
    let cases: Vec<(String, &str)> = vec![
        ("{ not json".into(), "is not a valid export"),
        (
            original[..original.len() / 2].into(),
            "is not a valid export",
        ),
        (
            mutate(&|v| v["version"] = json!(99)),
            "version 99 is not supported",
        ),
        (mutate(&|v| v["format"] = json!("zip")), "format is 'zip'"),
        (
            mutate(&|v| v["notes"][0]["title"] = json!("")),
            "title must not be empty",
        ),
        (
            mutate(&|v| v["notes"][0]["id"] = json!("../../etc")),
            "invalid id",
        ),
        (
            mutate(&|v| v["notes"][0]["skills"] = json!(["ghost"])),
            "unknown skill 'ghost'",
        ),
        (
            mutate(&|v| v["notes"][0]["created_at"] = json!("yesterday")),
            "invalid time",
        ),
        (
            mutate(
                &|v| v["workspace"]["claims"] = json!([{"member": "nobody", "skill": "x", "level": 2, "wants_to_learn": false, "can_teach": false, "updated_at": "2026-01-01T00:00:00Z"}]),
            ),
            "unknown member",
        ),
        (
            mutate(&|v| v["notes"].as_array_mut().unwrap().push(json!({"id": "x1"}))),
            "missing field",
        ),
    ];
    for (i, (content, want)) in cases.iter().enumerate() {
        let bad = peer.path(&format!("bad{i}"));
        std::fs::create_dir_all(&bad).unwrap();
        std::fs::write(bad.join("entrepairs-export.json"), content).unwrap();
        let err = peer.fail(&["import", "--from", bad.to_str().unwrap()]);
        assert!(err.contains(want), "case {i}: {err}");
    }
    let err = peer.fail(&["import", "--from", peer.path("nowhere").to_str().unwrap()]);
    assert!(err.contains("holds no entrepairs-export.json"), "{err}");
    assert_eq!(peer.json(&["note", "list"]), before);
    assert_eq!(peer.json(&["doctor"])["ok"], true);
}

#[test]
fn bad_input_gives_one_clear_line_and_loses_nothing() {
    let peer = Peer::init("Alice");
    let kept = id_of(&peer.ok(&[
        "note", "add", "--title", "Kept", "--body", "safe", "--tag", "t",
    ]));
    peer.ok(&["skill", "claim", "Rust", "--level", "2"]);
    let notes = peer.json(&["note", "list"]);
    let skills = peer.json(&["skill", "list"]);

    for (args, want) in [
        (
            vec!["note", "show", "does-not-exist"],
            "no note with id 'does-not-exist'",
        ),
        (
            vec!["note", "edit", "nope", "--title", "x"],
            "no note with id 'nope'",
        ),
        (vec!["note", "delete", "nope"], "no note"),
        (vec!["thread", "reply", "nope", "--body", "x"], "no thread"),
        (
            vec!["note", "add", "--title", "", "--body", "x"],
            "title must not be empty",
        ),
        (
            vec!["note", "add", "--title", "two\nlines", "--body", "x"],
            "single line",
        ),
        (
            vec!["note", "add", "--title", "no body"],
            "give the note's body",
        ),
        (
            vec![
                "note",
                "add",
                "--title",
                "t",
                "--body-file",
                "/no/such/file",
            ],
            "cannot read /no/such/file",
        ),
        (
            vec!["skill", "claim", "Rust", "--level", "5"],
            "invalid level 5",
        ),
        (
            vec!["skill", "claim", "Rust", "--level", "guru"],
            "invalid level 'guru'",
        ),
        (
            vec!["skill", "claim", "!!!", "--level", "2"],
            "at least one letter or digit",
        ),
        (
            vec!["note", "list", "--skill", "cobol"],
            "no skill named 'cobol'",
        ),
        (vec!["frobnicate"], "unrecognized subcommand"),
        (vec!["note", "add", "--title"], "a value is required"),
    ] {
        let err = peer.fail(&args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let bad_utf8 = peer.path("latin1.txt");
    std::fs::write(&bad_utf8, b"caf\xe9").unwrap();
    let err = peer.fail(&[
        "note",
        "add",
        "--title",
        "t",
        "--body-file",
        bad_utf8.to_str().unwrap(),
    ]);
    assert!(err.contains("is not UTF-8 text"), "{err}");

    assert_eq!(peer.json(&["note", "list"]), notes);
    assert_eq!(peer.json(&["skill", "list"]), skills);
    assert_eq!(peer.json(&["note", "show", &kept])["body"], "safe");

    let missing = Peer::new();
    let err = missing.fail(&["whoami"]);
    assert!(
        err.contains("does not exist") && err.contains("entrepairs init"),
        "{err}"
    );
    assert!(
        !missing.dir.exists(),
        "a read command does not create the data directory"
    );
}

#[test]
fn a_corrupted_database_is_reported_and_left_untouched() {
    for (case, damage) in [
        (
            "garbage",
            &(|b: &mut Vec<u8>| b.iter_mut().for_each(|x| *x = 0x5a)) as &dyn Fn(&mut Vec<u8>),
        ),
        ("truncated", &|b: &mut Vec<u8>| b.truncate(50)),
        ("zeroed header", &|b: &mut Vec<u8>| b[..100].fill(0)),
    ] {
        let peer = Peer::init("Alice");
        peer.ok(&["note", "add", "--title", "n", "--body", "b"]);
        let db = peer.dir.join("entrepairs.db");
        let mut bytes = std::fs::read(&db).unwrap();
        damage(&mut bytes);
        std::fs::write(&db, &bytes).unwrap();
        let before = files(&peer.dir);
        for args in [
            vec!["whoami"],
            vec!["note", "list"],
            vec!["note", "add", "--title", "x", "--body", "y"],
            vec!["doctor"],
        ] {
            let err = peer.fail(&args);
            assert!(
                err.contains("corrupted or unreadable") || err.contains("is not an Entrepairs"),
                "{case} {args:?}: {err}"
            );
        }
        assert_eq!(
            files(&peer.dir),
            before,
            "{case}: the damaged files are left as they were"
        );
    }

    // Another program's SQLite database is not ours.
    let peer = Peer::init("Alice");
    let db = peer.dir.join("entrepairs.db");
    std::fs::remove_file(&db).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    let err = peer.fail(&["note", "list"]);
    assert!(err.contains("is not an Entrepairs data directory"), "{err}");
}

#[test]
fn doctor_checks_everything_and_rebuilds_the_index() {
    let peer = Peer::init("Alice");
    let n = id_of(&peer.ok(&[
        "note",
        "add",
        "--title",
        "Indexed",
        "--body",
        "findable words",
    ]));
    peer.ok(&["community", "create", "C"]);
    peer.ok(&["thread", "post", "C", "--title", "T", "--body", "B"]);
    let report = peer.json(&["doctor"]);
    assert_eq!(
        keys(&report),
        set(&[
            "ok",
            "integrity",
            "documents",
            "bad_documents",
            "stale_index",
            "rebuilt"
        ])
    );
    assert_eq!(report["ok"], true);
    assert_eq!(report["documents"], 3);

    // Damage the derived index only: doctor notices and fails; --rebuild-index repairs it.
    let conn = rusqlite::Connection::open(peer.dir.join("entrepairs.db")).unwrap();
    conn.execute_batch("DELETE FROM note_index; DELETE FROM search;")
        .unwrap();
    drop(conn);
    assert_eq!(peer.json(&["note", "list"]), json!([]));
    let out = peer.run(&["doctor", "--json"]);
    assert!(!out.status.success(), "doctor fails on a stale index");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert!(
        report["stale_index"].as_array().unwrap().len() >= 2,
        "{report}"
    );
    let fixed = peer.json(&["doctor", "--rebuild-index"]);
    assert_eq!(fixed["ok"], true);
    assert_eq!(fixed["rebuilt"], 3);
    assert_eq!(peer.json(&["note", "list"])[0]["id"], n.as_str());
    assert_eq!(peer.json(&["search", "findable"])[0]["id"], n.as_str());
    assert_eq!(peer.json(&["doctor"])["stale_index"], json!([]));

    // A damaged document chunk is reported by id, and the command fails.
    let conn = rusqlite::Connection::open(peer.dir.join("entrepairs.db")).unwrap();
    conn.execute(
        "UPDATE chunks SET bytes = x'00112233' WHERE doc_id = ?1",
        [&n],
    )
    .unwrap();
    drop(conn);
    let out = peer.run(&["doctor", "--json"]);
    assert!(!out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["bad_documents"][0]["id"], n.as_str());
    let err = check_fail(&["doctor"], peer.run(&["doctor"]));
    assert!(err.contains("doctor found problems"), "{err}");
    let err = peer.fail(&["note", "show", &n]);
    assert!(err.contains(&n) && err.contains("not valid"), "{err}");
}

/// How one `--json` answer must look: `T` is the view the app gets for the same operation, and
/// the answer is exactly it (every field the view has, none it lacks).
fn shaped<T: serde::de::DeserializeOwned + serde::Serialize>(what: &str, answer: &Value) {
    let typed: T = serde_json::from_value(answer.clone())
        .unwrap_or_else(|e| panic!("{what}: not the view's shape ({e}):\n{answer:#}"));
    assert_eq!(
        &serde_json::to_value(&typed).unwrap(),
        answer,
        "{what}: fields the view does not have"
    );
}

/// `{"id": ...}`, what a creating command prints.
#[derive(serde::Serialize, serde::Deserialize)]
struct Created {
    id: String,
}

/// `{"ok": true}`, what a command that changes something without creating it prints.
#[derive(serde::Serialize, serde::Deserialize)]
struct Done {
    ok: bool,
}

/// `{"ok": true}`: the view, and true.
fn done(what: &str, answer: &Value) {
    shaped::<Done>(what, answer);
    assert_eq!(answer["ok"], true, "{what}");
}

/// `report contributions`: the file written and the report's data.
#[derive(serde::Serialize, serde::Deserialize)]
struct Written {
    file: String,
    report: ipc::views::ContributionReport,
}

/// `sync`'s summary: per peer, what went each way.
#[derive(serde::Serialize, serde::Deserialize)]
struct Synced {
    peers: std::collections::BTreeMap<String, Value>,
}

/// `join`: who this device now is, how many notes arrived, and the first sync.
#[derive(serde::Serialize, serde::Deserialize)]
struct Joined {
    member_id: String,
    workspace_id: String,
    workspace_name: String,
    notes: usize,
    sync: Synced,
}

/// The commands `entrepairs --help` lists (and, for a command with subcommands, each of them
/// as `command subcommand`).
fn every_command() -> BTreeSet<String> {
    let listed = |args: &[&str]| -> Vec<String> {
        let help = check_ok(
            args,
            std::process::Command::new(common::bin())
                .args(args)
                .arg("--help")
                .output()
                .unwrap(),
        );
        help.lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .filter(|c| c != "help")
            .collect()
    };
    let mut all = BTreeSet::new();
    for command in listed(&[]) {
        let subcommands = listed(&[command.as_str()]);
        if subcommands.is_empty() {
            all.insert(command);
        } else {
            all.extend(subcommands.into_iter().map(|s| format!("{command} {s}")));
        }
    }
    all
}

/// Every command's `--json`, in one table: who runs it, its arguments (`{name}` stands for an id
/// an earlier row saved), the view its answer must be, and what to save from the answer. The app
/// gets the same views for the same operations, so the two cannot drift apart.
#[test]
fn every_commands_json_is_the_view_the_app_gets() {
    use ipc::views::*;

    type Check = fn(&str, &Value);
    type Save = Option<(&'static str, fn(&Value) -> String)>;
    fn id(v: &Value) -> String {
        v["id"].as_str().unwrap().to_owned()
    }
    fn first_id(v: &Value) -> String {
        v[0]["id"].as_str().unwrap().to_owned()
    }
    fn ticket(v: &Value) -> String {
        v["ticket"].as_str().unwrap().to_owned()
    }
    fn post(v: &Value) -> String {
        v["posts"][0]["id"].as_str().unwrap().to_owned()
    }
    fn relay_at(v: &Value) -> String {
        format!(
            "/ip4/127.0.0.1/tcp/9/p2p/{}",
            v["member_id"].as_str().unwrap()
        )
    }
    fn bundle_file(v: &Value) -> String {
        v["file"].as_str().unwrap().to_owned()
    }
    fn given_by_bob(v: &Value) -> String {
        let list = v.as_array().unwrap();
        let bobs = list.iter().find(|c| c["giver"]["name"] == "Bob").unwrap();
        bobs["id"].as_str().unwrap().to_owned()
    }

    // A session logged a month ago: with a weekly cadence, the next one is due.
    let a_month_ago = (chrono::Utc::now() - chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let alice = Peer::new();
    let bob = Peer::new();
    let fresh = Peer::init("Carol");
    let export = alice.path("export");
    let report = alice.path("report.md");
    let bundle = alice.path("for-bob.epbundle");
    let (export, report, bundle) = (
        export.to_str().unwrap(),
        report.to_str().unwrap(),
        bundle.to_str().unwrap(),
    );
    let mut serve = None;
    let mut saved: std::collections::BTreeMap<&str, String> = Default::default();
    let mut covered = BTreeSet::new();
    let commands = every_command();
    // (who, arguments, view, save): `None` as who starts Alice's `serve` and keeps its address
    // as `{addr}`.
    let rows: Vec<(Option<&Peer>, Vec<&str>, Check, Save)> = vec![
        (
            Some(&alice),
            vec!["init", "--name", "Alice", "--workspace", "Acme"],
            shaped::<WhoAmI>,
            None,
        ),
        (Some(&alice), vec!["whoami"], shaped::<WhoAmI>, None),
        (
            Some(&alice),
            vec!["profile", "set", "--title", "Engineer"],
            shaped::<ProfileView>,
            None,
        ),
        (
            Some(&alice),
            vec!["profile", "show"],
            shaped::<ProfileView>,
            None,
        ),
        (
            Some(&alice),
            vec!["skill", "claim", "Rust", "--level", "4", "--can-teach"],
            shaped::<Created>,
            None,
        ),
        (None, vec![], shaped::<Value>, None),
        (
            Some(&alice),
            vec!["invite", "create", "--expires", "10m"],
            shaped::<ipc::Invite>,
            Some(("ticket", ticket)),
        ),
        (
            Some(&bob),
            vec!["join", "{ticket}", "--name", "Bob", "--timeout", "30s"],
            shaped::<Joined>,
            None,
        ),
        (
            Some(&bob),
            vec!["skill", "claim", "Rust", "--level", "1", "--wants-to-learn"],
            shaped::<Created>,
            None,
        ),
        (
            Some(&bob),
            vec!["skill", "claim", "SQL", "--level", "3", "--can-teach"],
            shaped::<Created>,
            None,
        ),
        (
            Some(&bob),
            vec!["sync", "--peer", "{addr}", "--timeout", "30s"],
            shaped::<Synced>,
            None,
        ),
        (
            Some(&alice),
            vec!["skill", "list"],
            shaped::<Vec<SkillView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["skill", "endorse", "Bob", "SQL"],
            shaped::<Created>,
            None,
        ),
        (
            Some(&alice),
            vec!["who-can-help", "SQL"],
            shaped::<Vec<HelperView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["match", "suggest"],
            shaped::<Vec<SuggestionView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["skills", "at-risk"],
            shaped::<Vec<SkillAtRiskView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["invite", "create", "--expires", "1h"],
            shaped::<ipc::Invite>,
            None,
        ),
        (
            Some(&alice),
            vec!["invite", "list"],
            shaped::<Vec<InviteView>>,
            Some(("invite", first_id)),
        ),
        (
            Some(&alice),
            vec!["invite", "revoke", "{invite}"],
            done,
            None,
        ),
        (
            Some(&alice),
            vec!["member", "list"],
            shaped::<Vec<MemberView>>,
            None,
        ),
        (Some(&alice), vec!["member", "promote", "Bob"], done, None),
        (Some(&alice), vec!["member", "demote", "Bob"], done, None),
        (
            Some(&alice),
            vec![
                "note",
                "add",
                "--title",
                "Runbook",
                "--body",
                "Restart [[Deploys]].",
                "--tag",
                "ops",
            ],
            shaped::<Created>,
            Some(("note", id)),
        ),
        (
            Some(&alice),
            vec!["note", "list"],
            shaped::<Vec<NoteSummary>>,
            None,
        ),
        (
            Some(&alice),
            vec!["note", "show", "{note}"],
            shaped::<NoteView>,
            None,
        ),
        (
            Some(&alice),
            vec!["note", "edit", "{note}", "--title", "Runbook v2"],
            shaped::<NoteView>,
            None,
        ),
        (
            Some(&alice),
            vec!["community", "create", "Guild"],
            shaped::<Created>,
            None,
        ),
        (
            Some(&alice),
            vec!["community", "list"],
            shaped::<Vec<CommunityView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["community", "leave", "Guild"],
            done,
            None,
        ),
        (Some(&alice), vec!["community", "join", "Guild"], done, None),
        (
            Some(&alice),
            vec![
                "thread",
                "post",
                "Guild",
                "--title",
                "Backups?",
                "--body",
                "How often?",
            ],
            shaped::<Created>,
            Some(("thread", id)),
        ),
        (
            Some(&alice),
            vec!["thread", "reply", "{thread}", "--body", "Daily."],
            shaped::<Created>,
            None,
        ),
        (
            Some(&alice),
            vec!["thread", "show", "{thread}"],
            shaped::<ThreadView>,
            Some(("post", post)),
        ),
        (
            Some(&alice),
            vec!["thread", "accept", "{thread}", "{post}"],
            shaped::<ThreadView>,
            None,
        ),
        (
            Some(&alice),
            vec!["thread", "list", "Guild"],
            shaped::<Vec<ThreadSummary>>,
            None,
        ),
        (
            Some(&alice),
            vec!["search", "runbook"],
            shaped::<Vec<SearchHitView>>,
            None,
        ),
        (
            Some(&alice),
            vec![
                "mentoring",
                "start",
                "--with",
                "Bob",
                "--as",
                "mentor",
                "--goal",
                "Ship a crate",
            ],
            shaped::<Created>,
            Some(("mentoring", id)),
        ),
        (
            Some(&alice),
            vec!["mentoring", "list"],
            shaped::<Vec<MentoringView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["mentoring", "goal", "{mentoring}", "--progress", "1", "50"],
            shaped::<MentoringView>,
            None,
        ),
        (
            Some(&alice),
            vec![
                "mentoring",
                "log",
                "{mentoring}",
                "--minutes",
                "45",
                "--date",
                &a_month_ago,
                "--notes",
                "Lifetimes",
                "--action",
                "Read the book",
            ],
            shaped::<MentoringView>,
            None,
        ),
        (
            Some(&alice),
            vec!["remind"],
            shaped::<Vec<ReminderView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["mentoring", "show", "{mentoring}"],
            shaped::<MentoringView>,
            None,
        ),
        (
            Some(&alice),
            vec!["mentoring", "ics", "{mentoring}"],
            shaped::<IcsFile>,
            None,
        ),
        (
            Some(&alice),
            vec!["action", "list"],
            shaped::<Vec<ActionView>>,
            Some(("action", first_id)),
        ),
        (Some(&alice), vec!["action", "done", "{action}"], done, None),
        (
            Some(&alice),
            vec![
                "review",
                "request",
                "--reviewer",
                "Bob",
                "--about",
                "my RFC",
                "--template",
                "sbi",
            ],
            shaped::<Created>,
            Some(("review", id)),
        ),
        (
            Some(&bob),
            vec!["sync", "--peer", "{addr}", "--timeout", "30s"],
            shaped::<Synced>,
            None,
        ),
        (
            Some(&bob),
            vec![
                "review",
                "write",
                "{review}",
                "--answer",
                "situation=The RFC",
                "--answer",
                "behaviour=Clear",
                "--answer",
                "impact=Fast review",
            ],
            shaped::<ReviewView>,
            None,
        ),
        (
            Some(&bob),
            vec!["review", "submit", "{review}", "--minutes", "20"],
            shaped::<ReviewView>,
            None,
        ),
        (
            Some(&bob),
            vec!["sync", "--peer", "{addr}", "--timeout", "30s"],
            shaped::<Synced>,
            None,
        ),
        (
            Some(&alice),
            vec!["review", "ack", "{review}", "--reply", "Thanks"],
            shaped::<ReviewView>,
            None,
        ),
        (
            Some(&alice),
            vec!["review", "list"],
            shaped::<Vec<ReviewView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["review", "show", "{review}"],
            shaped::<ReviewView>,
            None,
        ),
        (
            Some(&alice),
            vec![
                "session",
                "plan",
                "--format",
                "flash",
                "--title",
                "Borrowing",
                "--at",
                "2030-01-07T12:00:00Z",
                "--participant",
                "Bob:participant",
            ],
            shaped::<Created>,
            Some(("session", id)),
        ),
        (
            Some(&alice),
            vec!["session", "start", "{session}"],
            shaped::<StepProgress>,
            None,
        ),
        (
            Some(&alice),
            vec![
                "session",
                "step",
                "{session}",
                "--notes",
                "What is a borrow?",
            ],
            shaped::<StepProgress>,
            None,
        ),
        (
            Some(&alice),
            vec![
                "session",
                "step",
                "{session}",
                "--notes",
                "Shown with examples",
            ],
            shaped::<StepProgress>,
            None,
        ),
        (
            Some(&alice),
            vec![
                "session",
                "step",
                "{session}",
                "--notes",
                "One page written",
            ],
            shaped::<StepProgress>,
            None,
        ),
        (
            Some(&alice),
            vec![
                "session",
                "close",
                "{session}",
                "--takeaway",
                "Borrow, don't clone",
                "--rating",
                "5",
            ],
            shaped::<SessionView>,
            None,
        ),
        (
            Some(&alice),
            vec!["session", "list"],
            shaped::<Vec<SessionView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["session", "show", "{session}"],
            shaped::<SessionView>,
            None,
        ),
        (
            Some(&alice),
            vec!["session", "ics", "{session}"],
            shaped::<IcsFile>,
            None,
        ),
        (
            Some(&alice),
            vec!["kudos", "give", "Bob", "--message", "Great review"],
            shaped::<Created>,
            None,
        ),
        (
            Some(&alice),
            vec!["kudos", "list"],
            shaped::<Vec<KudosView>>,
            None,
        ),
        (
            Some(&alice),
            vec!["credit", "list", "--member", "Bob"],
            shaped::<Vec<CreditView>>,
            Some(("credit", given_by_bob)),
        ),
        (
            Some(&alice),
            vec!["credit", "confirm", "{credit}"],
            done,
            None,
        ),
        (Some(&alice), vec!["balance"], shaped::<BalanceView>, None),
        (
            Some(&alice),
            vec!["skill", "label", "Rust", "--fr", "Rust (langage)"],
            shaped::<Created>,
            None,
        ),
        (
            Some(&alice),
            vec!["skill", "alias", "Rust", "Rouille"],
            shaped::<Created>,
            None,
        ),
        (
            Some(&alice),
            vec!["skill", "claim", "Rust language", "--level", "2"],
            shaped::<Created>,
            None,
        ),
        (
            Some(&alice),
            vec!["skill", "merge", "Rust language", "rouille"],
            shaped::<Created>,
            None,
        ),
        (
            Some(&alice),
            vec!["programme", "--since", "2026-01-01"],
            shaped::<ProgrammeView>,
            None,
        ),
        (
            Some(&alice),
            vec!["sharing", "Bob"],
            shaped::<SharingRecord>,
            None,
        ),
        (
            Some(&alice),
            vec!["report", "contributions", "--out", report],
            shaped::<Written>,
            None,
        ),
        (
            Some(&bob),
            vec!["whoami"],
            shaped::<WhoAmI>,
            Some(("relay", relay_at)),
        ),
        (Some(&alice), vec!["relay", "add", "{relay}"], done, None),
        (
            Some(&alice),
            vec!["relay", "list"],
            shaped::<Vec<String>>,
            None,
        ),
        (Some(&alice), vec!["relay", "remove", "{relay}"], done, None),
        (
            Some(&alice),
            vec!["bundle", "create", "--for", "Bob", "--out", bundle],
            shaped::<BundleSaved>,
            Some(("bundle", bundle_file)),
        ),
        (
            Some(&bob),
            vec!["bundle", "apply", "{bundle}"],
            shaped::<BundleApplied>,
            None,
        ),
        (Some(&alice), vec!["peers"], shaped::<Vec<PeerView>>, None),
        (Some(&alice), vec!["status"], shaped::<Vec<DocStatus>>, None),
        (
            Some(&alice),
            vec!["export", "--out", export],
            shaped::<ExportSummary>,
            None,
        ),
        (
            Some(&fresh),
            vec!["import", "--from", export],
            shaped::<ImportSummary>,
            None,
        ),
        (Some(&alice), vec!["doctor"], shaped::<DoctorReport>, None),
        (Some(&alice), vec!["note", "delete", "{note}"], done, None),
        (Some(&alice), vec!["member", "remove", "Bob"], done, None),
    ];
    for (who, args, check, save) in rows {
        let Some(peer) = who else {
            // `serve --json` prints each address it listens on as `{"listening": ...}`.
            let started = Serve::start_json(&alice);
            let line: Value = serde_json::from_str(&started.first_line).unwrap();
            shaped::<std::collections::BTreeMap<String, String>>("serve", &line);
            assert_eq!(keys(&line), set(&["listening"]));
            saved.insert("addr", started.addr.clone());
            covered.insert("serve".to_owned());
            serve = Some(started);
            continue;
        };
        let args: Vec<String> = args
            .iter()
            .map(
                |a| match a.strip_prefix('{').and_then(|a| a.strip_suffix('}')) {
                    Some(name) => saved[name].clone(),
                    None => (*a).to_owned(),
                },
            )
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let answer = peer.json(&args);
        let what = args.join(" ");
        check(&what, &answer);
        if let Some(list) = answer.as_array() {
            assert!(!list.is_empty(), "{what}: an empty list shows no shape");
        }
        if let Some((name, take)) = save {
            saved.insert(name, take(&answer));
        }
        let command = match commands.contains(args[0]) {
            true => args[0].to_owned(),
            false => format!("{} {}", args[0], args[1]),
        };
        covered.insert(command);
    }
    drop(serve);
    // `invite code --json` prints the code as its first line, then answers it until it is used.
    let mut shows = fresh
        .cmd(&[
            "invite",
            "code",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(shows.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let _ = shows.kill();
    let _ = shows.wait();
    shaped::<CodeInvite>("invite code", &serde_json::from_str(&first).unwrap());
    covered.insert("invite code".to_owned());
    let missing: Vec<_> = commands.difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "commands whose JSON no row checks: {missing:?}"
    );
}
