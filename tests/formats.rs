//! The peer-learning formats through the `entrepairs` binary: a full codéveloppement session,
//! mentoring, reviews, kudos, credit, suggestions, skills at risk, reminders and the report, and
//! every illegal move refused with one clear line and nothing changed.

#![allow(clippy::unwrap_used)] // a failed unwrap is a test failure, with its location

mod common;

use common::{Peer, Serve, id_of, joined};
use serde_json::{Value, json};

/// A workspace that `others` joined with tickets, each writing their own profile, which
/// reached the admin by a sync.
fn workspace_with(others: &[&str]) -> (Peer, Vec<String>) {
    let admin = Peer::init("Admin");
    let serve = Serve::start(&admin);
    let mut ids = Vec::new();
    for name in others {
        let p = joined(&admin, name);
        p.ok(&["sync", "--peer", &serve.addr, "--timeout", "30s"]);
        ids.push(
            p.json(&["whoami"])["member_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    (admin, ids)
}

fn rfc3339(v: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
        .unwrap()
}

#[test]
fn a_full_codev_session_through_the_cli() {
    let (admin, ids) = workspace_with(&["Client", "Con1", "Con2", "Con3", "Facil"]);
    let participant = |i: usize, role: &str| format!("{}:{role}", ids[i]);
    let args = [
        "session",
        "plan",
        "--format",
        "codev",
        "--title",
        "Onboarding juniors",
        "--at",
        "2026-12-01T09:00:00Z",
        "--participant",
        &participant(0, "client"),
        "--participant",
        &participant(1, "consultant"),
        "--participant",
        &participant(2, "consultant"),
        "--participant",
        "Con3",
        "--participant",
        &participant(4, "facilitator"),
        "--skill",
        "Management",
    ];
    let s = id_of(&admin.ok(&args));

    let first = admin.json(&["session", "start", &s]);
    assert_eq!(first["next"]["name"], "Exposé");
    assert_eq!(first["next"]["time_box"], "5–10 min");
    assert_eq!(first["next"]["speaker"], "client");
    let names = [
        "Clarifying questions",
        "Contract",
        "Consultation",
        "Synthesis and action plan",
        "Learnings",
    ];
    for (i, notes) in [
        "Two juniors, no buddy.",
        "Q: who onboards today?",
        "Help wanted: a 30-day plan.",
        "Buddy system; checklists.",
        "Plan: buddy + checklist.",
        "Timebox the exposé.",
    ]
    .iter()
    .enumerate()
    {
        let step = admin.json(&["session", "step", &s, "--notes", notes]);
        match names.get(i) {
            Some(next) => {
                assert_eq!(step["next"]["name"], *next, "after step {}", i + 1);
                assert!(step["next"]["prompt"].as_str().unwrap().len() > 10);
            }
            None => assert_eq!(step["next"], Value::Null),
        }
    }
    let err = admin.fail(&["session", "step", &s, "--notes", "one too many"]);
    assert!(err.contains("every step is done"), "{err}");
    let err = admin.fail(&["session", "close", &s, "--rating", "9"]);
    assert!(err.contains("rating 9"), "{err}");
    let closed = admin.json(&[
        "session",
        "close",
        &s,
        "--takeaway",
        "Pairing works",
        "--rating",
        "4",
        "--action",
        "Assign a buddy",
        "--action",
        "Write the checklist",
    ]);
    assert_eq!(closed["status"], "closed");

    let shown = admin.json(&["session", "show", &s]);
    let steps = shown["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 6);
    let mut previous_end = rfc3339(&steps[0]["started_at"]);
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step["number"], i + 1);
        let (start, end) = (rfc3339(&step["started_at"]), rfc3339(&step["ended_at"]));
        assert!(
            start >= previous_end && end >= start,
            "step {} times are in order",
            i + 1
        );
        previous_end = end;
        assert!(!step["notes"].as_str().unwrap().is_empty());
    }
    assert_eq!(steps[2]["notes"], "Help wanted: a 30-day plan.");
    assert_eq!(shown["takeaways"], json!(["Pairing works"]));
    assert_eq!(shown["rating"], 4);
    let actions = shown["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 2);
    assert!(
        actions
            .iter()
            .all(|a| a["owner"]["member_id"] == ids[0].as_str()),
        "the client's action plan"
    );
    let roles: Vec<&str> = shown["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "client",
            "consultant",
            "consultant",
            "consultant",
            "facilitator"
        ]
    );

    let err = admin.fail(&["session", "step", &s, "--notes", "late"]);
    assert!(err.contains("closed"), "{err}");
    let listed = admin.json(&["session", "list"]);
    assert_eq!(listed[0]["id"], s.as_str());
    assert_eq!(
        admin.json(&["session", "list", "--upcoming"]),
        json!([]),
        "closed sessions are not upcoming"
    );
    assert_eq!(admin.json(&["search", "checklist"])[0]["kind"], "session");

    // The host's time awaits a participant's confirmation; the host cannot confirm it.
    let credits = admin.json(&["credit", "list"]);
    let host_credit = credits
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "session-hosted")
        .unwrap();
    let err = admin.fail(&["credit", "confirm", host_credit["id"].as_str().unwrap()]);
    assert!(
        err.contains("cannot confirm your own contribution"),
        "{err}"
    );
    assert_eq!(admin.json(&["balance"])["pending_minutes"], 90);

    for (args, want) in [
        (
            vec![
                "session",
                "plan",
                "--format",
                "codev",
                "--title",
                "t",
                "--at",
                "2026-12-01T09:00:00Z",
                "--participant",
                "Con1",
            ],
            "1 client",
        ),
        (
            vec![
                "session",
                "plan",
                "--format",
                "aar",
                "--title",
                "t",
                "--at",
                "2026-12-01T09:00:00Z",
                "--participant",
                "Nobody",
            ],
            "is not a member",
        ),
        (
            vec![
                "session",
                "plan",
                "--format",
                "retro",
                "--title",
                "t",
                "--at",
                "2026-12-01T09:00:00Z",
            ],
            "unknown format",
        ),
        (
            vec![
                "session", "plan", "--format", "aar", "--title", "t", "--at", "tomorrow",
            ],
            "invalid time",
        ),
        (vec!["session", "start", "nope"], "no session"),
    ] {
        let err = admin.fail(&args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn mentoring_reviews_kudos_and_views_through_the_cli() {
    let (admin, ids) = workspace_with(&["Bea", "Cyril"]);
    let bea = &ids[0];
    let m = id_of(&admin.ok(&[
        "mentoring",
        "start",
        "--with",
        "Bea",
        "--as",
        "mentor",
        "--goal",
        "Lead a review",
        "--cadence-days",
        "7",
    ]));
    let shown = admin.json(&["mentoring", "goal", &m, "--add", "Present at the guild"]);
    assert_eq!(shown["goals"].as_array().unwrap().len(), 2);
    assert_eq!(
        admin.json(&["mentoring", "goal", &m, "--progress", "1", "60"])["goals"][0]["progress"],
        60
    );
    assert_eq!(
        admin.json(&["mentoring", "goal", &m, "--done", "2"])["goals"][1]["done"],
        true
    );
    let logged = admin.json(&[
        "mentoring",
        "log",
        &m,
        "--minutes",
        "45",
        "--date",
        "2026-01-05",
        "--notes",
        "First steps",
        "--action",
        "Shadow a review",
    ]);
    assert_eq!(logged["sessions"][0]["minutes"], 45);
    assert_eq!(
        logged["due"], true,
        "the last session is long past a 7-day cadence"
    );
    assert_eq!(logged["actions"][0]["owner"]["member_id"], bea.as_str());
    let listed = admin.json(&["mentoring", "list"]);
    assert_eq!(listed[0]["mentee"]["name"], "Bea");
    let reminders = admin.json(&["remind"]);
    assert!(
        reminders
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "mentoring-due" && r["doc"] == m.as_str()),
        "{reminders}"
    );
    let actions = admin.json(&["action", "list"]);
    let action = actions[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        admin.json(&["action", "list", "--mine"]),
        json!([]),
        "the action is Bea's"
    );
    admin.ok(&["action", "done", &action]);
    assert_eq!(admin.json(&["action", "list"])[0]["done"], true);
    let err = admin.fail(&["action", "done", &action]);
    assert!(err.contains("already done"), "{err}");

    for (args, want) in [
        (
            vec!["mentoring", "start", "--with", "Nobody", "--as", "mentor"],
            "no member",
        ),
        (
            vec!["mentoring", "start", "--with", "Admin", "--as", "mentor"],
            "cannot mentor yourself",
        ),
        (
            vec!["mentoring", "start", "--with", "Bea", "--as", "boss"],
            "invalid --as",
        ),
        (
            vec!["mentoring", "goal", &m, "--progress", "1", "150"],
            "give 0 to 100",
        ),
        (vec!["mentoring", "goal", &m], "required"),
        (
            vec!["mentoring", "log", &m, "--minutes", "0", "--notes", "x"],
            "give 1 to 1440",
        ),
        (
            vec![
                "mentoring",
                "log",
                &m,
                "--minutes",
                "10",
                "--notes",
                "x",
                "--date",
                "05/01/2026",
            ],
            "invalid date",
        ),
    ] {
        let err = admin.fail(&args);
        assert!(err.contains(want), "{args:?}: {err}");
    }

    // A review requested by the admin: the admin cannot write or submit it (Bea is the reviewer).
    let r = id_of(&admin.ok(&[
        "review",
        "request",
        "--reviewer",
        "Bea",
        "--about",
        "my RFC",
        "--template",
        "rubric",
        "--criteria",
        "Clarity,Depth",
    ]));
    let err = admin.fail(&["review", "write", &r, "--rating", "Clarity=4"]);
    assert!(err.contains("only the reviewer"), "{err}");
    let err = admin.fail(&["review", "submit", &r]);
    assert!(err.contains("only the reviewer"), "{err}");
    let err = admin.fail(&["review", "ack", &r]);
    assert!(err.contains("not been submitted"), "{err}");
    let shown = admin.json(&["review", "show", &r]);
    assert_eq!(shown["status"], "requested");
    assert_eq!(shown["answers"].as_array().unwrap().len(), 2);
    assert_eq!(admin.json(&["review", "list"])[0]["id"], r.as_str());
    for (args, want) in [
        (
            vec![
                "review",
                "request",
                "--reviewer",
                "Bea",
                "--about",
                "x",
                "--template",
                "rubric",
            ],
            "needs criteria",
        ),
        (
            vec![
                "review",
                "request",
                "--reviewer",
                "Bea",
                "--about",
                "x",
                "--template",
                "360",
            ],
            "unknown template",
        ),
        (
            vec![
                "review",
                "request",
                "--reviewer",
                "Admin",
                "--about",
                "x",
                "--template",
                "sbi",
            ],
            "not yourself",
        ),
        (
            vec!["review", "write", &r, "--rating", "Clarity"],
            "expected KEY=VALUE",
        ),
    ] {
        let err = admin.fail(&args);
        assert!(err.contains(want), "{args:?}: {err}");
    }

    // Kudos, skills and derived views.
    let k = admin.json(&[
        "kudos",
        "give",
        "Cyril",
        "--message",
        "Unblocked the release",
    ]);
    assert!(k["id"].is_string());
    assert_eq!(admin.json(&["kudos", "list"])[0]["to"]["name"], "Cyril");
    let err = admin.fail(&["kudos", "give", "Admin", "--message", "me"]);
    assert!(err.contains("not to yourself"), "{err}");
    let err = admin.fail(&[
        "kudos",
        "give",
        "Cyril",
        "--message",
        "x",
        "--skill",
        "Cobol",
    ]);
    assert!(err.contains("no skill named"), "{err}");

    admin.ok(&["skill", "claim", "Terraform", "--level", "4", "--can-teach"]);
    admin.ok(&["skill", "claim", "Go", "--level", "1", "--wants-to-learn"]);
    let at_risk = admin.json(&["skills", "at-risk"]);
    let terraform = at_risk
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["skill"] == "terraform")
        .unwrap();
    assert_eq!(terraform["holders"][0]["name"], "Admin");
    assert!(
        admin
            .ok(&["skills", "at-risk"])
            .contains("Terraform — only Admin")
    );
    assert_eq!(
        admin.json(&["match", "suggest"]),
        json!([]),
        "nobody else teaches Go or wants Terraform"
    );
    assert_eq!(admin.json(&["match", "suggest", "--for", "Bea"]), json!([]));

    let report = admin.path("report.md");
    let out = admin.json(&[
        "report",
        "contributions",
        "--since",
        "2026-01-01",
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out["report"]["pending_minutes"], 45);
    assert_eq!(
        out["report"]["credited_minutes"], 0,
        "nothing confirmed yet"
    );
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.starts_with("# Contributions of Admin") && md.contains("Bea: 1 session(s), 0h45"),
        "{md}"
    );
    let err = admin.fail(&["report", "contributions", "--out", "/no/such/dir/r.md"]);
    assert!(err.contains("cannot write"), "{err}");
    assert_eq!(admin.json(&["doctor"])["ok"], true);

    // Export holds the relationships and reviews too; import says it does not re-create them.
    let dir = admin.path("backup");
    let exported = admin.json(&["export", "--out", dir.to_str().unwrap()]);
    assert_eq!(
        (
            exported["exported"]["mentoring"].as_u64(),
            exported["exported"]["reviews"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("entrepairs-export.json")).unwrap())
            .unwrap();
    assert_eq!(file["mentoring"][0]["goals"][0]["text"], "Lead a review");
    assert_eq!(file["reviews"][0]["about"], "my RFC");
    let fresh = Peer::init("Fresh");
    let imported = fresh.json(&["import", "--from", dir.to_str().unwrap()]);
    assert_eq!(imported["not_imported"], 2);
    assert!(
        fresh
            .ok(&["import", "--from", dir.to_str().unwrap()])
            .contains("were not imported")
    );
}
