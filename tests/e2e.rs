//! End to end, in the real app: the built `entrepairs-app` binary in WebKitGTK under Xvfb,
//! driven through tauri-driver and WebKitWebDriver, through the UI only. One scenario per
//! screen or flow, each in its own module under `tests/e2e/` and on its own data folder,
//! prepared with the `entrepairs` command line when the scenario does not test how it is set
//! up; `cargo test --test e2e NAME` runs one alone. They share the harness of
//! `tests/common/app.rs` (one launch, one way to wait) and take turns: one app at a time.
//!
//! Needs what `tests/common/app.rs` lists on PATH and the UI built into `ui/dist` before the
//! app is compiled (`scripts/test.sh` does); the command line is built by
//! `cargo test --workspace`. Screenshots of the screens the scenarios visit are written to
//! `docs/screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)] // test code

#[path = "common/app.rs"]
mod app;
mod common;
// Shared with the benchmark, which starts the app the same way.
#[path = "../crates/xtask/src/procs.rs"]
mod procs;

#[path = "e2e/communities.rs"]
mod communities;
#[path = "e2e/demo.rs"]
mod demo;
#[path = "e2e/first_launch.rs"]
mod first_launch;
#[path = "e2e/mentoring.rs"]
mod mentoring;
#[path = "e2e/notes.rs"]
mod notes;
#[path = "e2e/notices.rs"]
mod notices;
#[path = "e2e/people.rs"]
mod people;
#[path = "e2e/programme.rs"]
mod programme;
#[path = "e2e/recognition.rs"]
mod recognition;
#[path = "e2e/reviews.rs"]
mod reviews;
#[path = "e2e/sessions.rs"]
mod sessions;
#[path = "e2e/settings.rs"]
mod settings;
#[path = "e2e/team.rs"]
mod team;

use std::path::Path;

use serde_json::Value;

use app::{App, Turn, eventually, launch};
use common::{Peer, Serve, ticket};

/// Alice Martin with Bob, a colleague on the command line: Bob made the workspace ("Acme")
/// and serves it; Alice joined with his invite, from the command line too. Her device holds
/// Bob's address from the invite, so the app, launched on her data folder (`alice.dir`),
/// dials him as it starts: what either of them does reaches the other while the app runs.
struct WithBob {
    alice: Peer,
    // Before `bob`: his `serve` stops before his folder (where its log is) goes.
    _bob_serves: Serve,
    bob: Peer,
}

fn alice_joins_bob() -> WithBob {
    let bob = Peer::init("Bob");
    let bob_serves = Serve::start(&bob);
    let alice = Peer::new();
    alice.ok(&[
        "join",
        &ticket(&bob),
        "--name",
        "Alice Martin",
        "--timeout",
        "30s",
    ]);
    WithBob {
        alice,
        _bob_serves: bob_serves,
        bob,
    }
}

/// Launches the app on Alice Martin's data folder and waits until Home greets her.
async fn alice_at_home(turn: &Turn, data: &Path) -> App {
    let ui = launch(turn, data).await;
    ui.text_until("#home-title", "home greets Alice", |t| {
        t == "Hello Alice Martin"
    })
    .await;
    ui
}

/// Alice Martin's own workspace holding one note of hers, tagged "onboarding" and "rust".
fn alice_with_checklist() -> Peer {
    let alice = Peer::init("Alice Martin");
    alice.ok(&[
        "note",
        "add",
        "--title",
        "Onboarding checklist",
        "--body",
        "Ask Bob for a mentor; pair on the first ticket.",
        "--tag",
        "onboarding",
        "--tag",
        "rust",
    ]);
    alice
}

/// Adds `name` to the session being planned, found by typing `typed`, with `role`.
async fn add_participant(ui: &App, typed: &str, name: &str, role: &str) {
    ui.type_into("#participant-search", typed).await;
    ui.click(&format!(
        "#participant-search ~ .matches .pick[data-name='{name}']"
    ))
    .await;
    ui.click(&format!(
        "select.participant-role[data-name='{name}'] option[value='{role}']"
    ))
    .await;
}

/// Runs `entrepairs ARGS --json` on `peer` until its answer satisfies `check`; returns it.
async fn json_until(
    peer: &Peer,
    args: &[&str],
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    eventually(what, async || {
        let answer = peer.json(args);
        if check(&answer) {
            Ok(answer)
        } else {
            Err(answer)
        }
    })
    .await
}
