//! The demo, opened from the first launch: a generated team to look around in (home and its
//! reminders, notes, the people screen with the skills map, suggested mentoring pairs,
//! recognition), clearly marked, left in one click, kept in its own folder; a cold start on
//! that folder opens it straight away (its time to interactive and the memory used are
//! reported).

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::app::{app_binary, launch, rss_kib, take_turn};
use crate::common::Peer;

/// Where the app keeps the demo: a folder beside the data folder, named after it.
fn demo_folder(data: &Path) -> PathBuf {
    let mut name = data.file_name().expect("a folder name").to_os_string();
    name.push("-demo");
    data.with_file_name(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_a_team_to_look_around_in_left_in_one_click_and_reopened_at_start() {
    let turn = take_turn().await;
    let newcomer = Peer::new();
    let data = &newcomer.dir;
    let ui = launch(&turn, data).await;

    // The demo: a generated team to look around in, clearly marked, left in one click.
    let demo_started = Instant::now();
    ui.click("#first-demo").await;
    ui.text_until(".demo-banner strong", "the demo is marked", |t| t == "Demo")
        .await;
    eprintln!(
        "e2e: demo built and opened in {} ms",
        demo_started.elapsed().as_millis()
    );
    ui.text_until("#home-title", "the demo greets its visitor", |t| {
        t == "Hello You"
    })
    .await;
    ui.any_text(".recent-note", "On-call handbook").await;
    ui.click("#nav-notes").await;
    ui.click("#note-skill-filter option[value='sql']").await;
    ui.list_until(".note-item .title", &["Monthly closing in SQL"])
        .await;
    ui.click("#nav-home").await;
    // Home reminds of what is due: Claire's mentoring (every 14 days, last met 17 days ago)
    // and today's flash session.
    ui.any_text(
        ".reminder",
        "Mentoring with Claire Dubois is due (last session 20",
    )
    .await;
    ui.any_text(
        ".reminder",
        "Today at 16:00 UTC: Window functions in 20 minutes",
    )
    .await;
    ui.shot("demo-home").await;
    ui.click("#nav-people").await;
    ui.type_into("#help-skill", "SQL").await;
    ui.click("#help-find").await;
    ui.text_until(".helper .name", "the demo's SQL referent first", |t| {
        t == "Thomas Moreau"
    })
    .await;
    // The directory (filtered), the skills map (skills × teams) and the skills at risk.
    ui.type_into("#directory-filter", "finance").await;
    ui.text_until(".profile .name", "the filtered directory", |t| {
        t == "Thomas Moreau"
    })
    .await;
    assert_eq!(ui.count(".profile").await, 1, "only Finance is left");
    ui.any_text(".profile .teaches", "SQL (Referent)").await;
    ui.text_until(
        "td[data-skill='rust'][data-team='Engineering'] .count",
        "three engineers hold Rust",
        |t| t == "3",
    )
    .await;
    // The best level is written in the cell too, not only shaded; the legend says how to read it.
    ui.text_until(
        "td[data-skill='rust'][data-team='Engineering'] .level",
        "the best level, in words",
        |t| t == "Referent",
    )
    .await;
    ui.any_text("#skills-map-legend .swatch", "4 Referent")
        .await;
    let cell = ui
        .find("td[data-skill='rust'][data-team='Engineering']")
        .await;
    assert_eq!(
        cell.attr("class").await.unwrap().as_deref(),
        Some("heat heat-4"),
        "shaded by the referent's level"
    );
    ui.any_text(
        ".risk[data-skill='security']",
        "only Julien Roux holds it at expert level or above",
    )
    .await;
    ui.scroll_to(".skills-map").await;
    ui.shot("skills-map").await;
    // Suggested mentoring pairs, reciprocal first, each with why; one is started from there.
    ui.click("#nav-mentoring").await;
    ui.text_until(
        ".suggestion.reciprocal strong",
        "the reciprocal pair first",
        |t| t == "Claire Dubois → Léa Fontaine · Rust",
    )
    .await;
    ui.any_text(
        ".suggestion.reciprocal .why",
        "reciprocal: Léa Fontaine can teach Design in return",
    )
    .await;
    // Claire already mentors the visitor: that pair is not suggested again.
    assert_eq!(
        ui.count(".suggestion[data-mentor='Claire Dubois'][data-mentee='You']")
            .await,
        0,
        "an existing relationship is suggested"
    );
    ui.click(".suggestion[data-mentor='You'][data-mentee='Sophie Laurent'] .suggest-start")
        .await;
    ui.any_text(".mentoring h3", "Sophie Laurent").await;
    ui.click("#nav-recognition").await;
    ui.any_text(".kudos .who", "Thomas Moreau → You").await;
    ui.click("#demo-leave").await;
    ui.text_until(".first-launch h1", "back to the first launch", |t| {
        t == "Welcome to Entrepairs"
    })
    .await;
    let demo = demo_folder(data);
    assert!(
        !data.join("entrepairs.db").exists(),
        "the demo lives in its own folder"
    );
    assert!(demo.join("entrepairs.db").exists());
    ui.close().await;

    // A cold start on the demo's folder: it opens as the demo, straight to the home screen.
    let started = Instant::now();
    let ui = launch(&turn, &demo).await;
    ui.text_until("#home-title", "the demo opens at start", |t| {
        t == "Hello You"
    })
    .await;
    ui.any_text(".recent-note", "On-call handbook").await;
    let interactive = started.elapsed();
    ui.find(".demo-banner").await;
    let exe = app_binary();
    let exe = exe.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    eprintln!(
        "e2e: cold start to interactive on the demo: {} ms; resident memory: app {} MiB, WebKit web process {} MiB",
        interactive.as_millis(),
        rss_kib(exe) / 1024,
        rss_kib("WebKitWebProcess") / 1024,
    );
    ui.close().await;
}
