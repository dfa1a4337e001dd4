//! The learning programme, end to end: Alice plans a flash-learning session in the app with
//! Bob, the referent who answers, and Carol, who asks (both found by typing part of their
//! name); runs it and closes it; the takeaway becomes a note linked to the session's skill.
//! Carol, on her own device, confirms Bob's time; the Programme screen and Bob's card in the
//! directory then show it, in English and in French.

use crate::app::take_turn;
use crate::common::joined;
use crate::{add_participant, alice_at_home, alice_joins_bob, eventually};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referent_is_credited_and_the_programme_shows_it() {
    let turn = take_turn().await;
    let team = alice_joins_bob();
    let carol = joined(&team.bob, "Carol");
    let ui = alice_at_home(&turn, &team.alice.dir).await;

    ui.click("#nav-sessions").await;
    ui.click("#session-format option[value='flash']").await;
    ui.type_into("#session-title", "Reading a query plan").await;
    // Carol joined after Alice: she is offered once her entry has come through Bob.
    add_participant(&ui, "bo", "Bob", "referent").await;
    add_participant(&ui, "CAR", "Carol", "participant").await;
    ui.type_into("#session-skills", "SQL").await;
    ui.shot("session-plan-flash").await;
    ui.click("#lang-fr").await;
    ui.text_until("#session-plan", "the form in French", |t| {
        t == "Planifier la séance"
    })
    .await;
    ui.shot("session-plan-fr").await;
    ui.click("#lang-en").await;
    ui.click("#session-plan").await;
    ui.text_until("#session-status", "the session is planned", |t| {
        t == "planned"
    })
    .await;
    ui.click("#session-start").await;
    let page = "Run EXPLAIN ANALYZE before adding an index.";
    for (n, notes) in [
        (1, "How do I read a plan?"),
        (2, "Bottom up, by cost."),
        (3, page),
    ] {
        let count = format!("Step {n} of 3");
        ui.text_until("#step-count", "the running step", |t| t == count)
            .await;
        ui.type_into("#step-notes", notes).await;
        ui.click("#step-next").await;
    }
    // Everyone planned came: a ticked box each.
    eventually("a box for each participant", async || {
        match ui.count(".attended").await {
            2 => Ok(()),
            n => Err(n),
        }
    })
    .await;
    ui.click("#session-close").await;
    ui.text_until("#session-status", "the session is closed", |t| {
        t == "closed"
    })
    .await;
    // The takeaway is a note of its own.
    ui.click("#session-takeaway-note").await;
    ui.text_until("#note-view-title", "the takeaway note", |t| {
        t == "Takeaway: Reading a query plan"
    })
    .await;
    ui.text_until("#note-view-body", "the one page", |t| t.contains(page))
        .await;

    // Found again by quick search, a hit opens the session itself.
    ui.click("#nav-home").await;
    ui.type_into("#search", "query plan").await;
    ui.click_text(".search-hit[data-kind='session']", "Reading a query plan")
        .await;
    ui.text_until(".session h2", "the hit opens the session", |t| {
        t.ends_with("Reading a query plan")
    })
    .await;
    ui.text_until("#session-status", "the session's status", |t| t == "closed")
        .await;

    // Carol, on her device, receives the session through Bob and confirms Bob's time.
    let bob_at = team._bob_serves.addr.clone();
    let credit = eventually("Carol receives Bob's time to confirm", async || {
        // A sync that fails is tried again, like any other probe.
        let synced = carol.run(&["sync", "--peer", &bob_at, "--timeout", "10s"]);
        let list = carol.json(&["credit", "list"]);
        let bobs = list.as_array().and_then(|l| {
            l.iter()
                .find(|c| c["giver"]["name"] == "Bob" && c["kind"] == "session-presented")
        });
        match bobs {
            Some(c) => Ok(c["id"].as_str().unwrap_or_default().to_owned()),
            None => Err((synced.status, list)),
        }
    })
    .await;
    carol.ok(&["credit", "confirm", &credit]);
    carol.ok(&["sync", "--peer", &bob_at, "--timeout", "10s"]);

    // It reaches Alice through Bob: the programme counts Bob's 30 minutes, given and confirmed.
    ui.click("#nav-programme").await;
    ui.text_until(
        "#programme-sharing tr[data-name='Bob'] td:nth-child(5)",
        "Bob's confirmed minutes",
        |t| t == "30",
    )
    .await;
    ui.find("#programme-reciprocity g.person[data-name='Carol']")
        .await;
    ui.text_until(
        "#programme-months g.bar:last-child",
        "this month's bar",
        |t| t.contains('1'),
    )
    .await;
    ui.shot("programme").await;
    ui.click("#lang-fr").await;
    ui.text_until(".programme h1", "the screen in French", |t| {
        t == "Programme d’apprentissage"
    })
    .await;
    ui.shot("programme-fr").await;
    ui.click("#lang-en").await;
    ui.click("#nav-people").await;
    ui.text_until(
        ".profile[data-name='Bob'] .sharing-record",
        "Bob's sharing record",
        |t| t.contains("sessions given: 1") && t.contains("minutes given and confirmed: 30"),
    )
    .await;
    ui.scroll_to(".profile[data-name='Bob']").await;
    ui.shot("profile-sharing").await;
    ui.click("#lang-fr").await;
    ui.text_until(
        ".profile[data-name='Bob'] .sharing-record",
        "Bob's sharing record in French",
        |t| t.contains("minutes données et confirmées : 30"),
    )
    .await;
    ui.scroll_to(".profile[data-name='Bob']").await;
    ui.shot("profile-sharing-fr").await;
    ui.click("#lang-en").await;
    ui.close().await;
}
