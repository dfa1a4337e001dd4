//! A codéveloppement session in the demo's team: planned with its roles, run through its six
//! steps (each with who speaks, a timer, the step in the reader's language), closed with
//! takeaways, a rating and an action.

use crate::app::{launch, take_turn};
use crate::common::Peer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_codev_session_is_planned_and_run_through_its_six_steps() {
    let turn = take_turn().await;
    let newcomer = Peer::new();
    let ui = launch(&turn, &newcomer.dir).await;
    // The session needs a team: the demo's, which only the app builds (the command line has no
    // demo), from the first launch.
    ui.click("#first-demo").await;
    ui.text_until("#home-title", "the demo is open", |t| t == "Hello You")
        .await;

    // A codéveloppement session planned and run through its six steps, in the demo's team.
    ui.click("#nav-sessions").await;
    ui.type_into("#session-title", "Taking over the billing service")
        .await;
    for (name, role) in [
        ("Karim Benali", "client"),
        ("Sophie Laurent", "consultant"),
        ("Thomas Moreau", "consultant"),
        ("Léa Fontaine", "consultant"),
        ("You", "facilitator"),
    ] {
        // Found by typing part of the name, accents left out.
        let typed: String = name.split(' ').next().unwrap().replace('é', "e");
        crate::add_participant(&ui, &typed, name, role).await;
    }
    ui.shot("session-plan").await;
    ui.click("#session-plan").await;
    ui.text_until("#session-status", "the session is planned", |t| {
        t == "planned"
    })
    .await;
    ui.click("#session-start").await;
    let steps = [
        ("Exposé", "The client"),
        ("Clarifying questions", "The consultants"),
        ("Contract", "The client"),
        ("Consultation", "The consultants"),
        ("Synthesis and action plan", "The client"),
        ("Learnings", "Everyone"),
    ];
    for (i, (name, speaker)) in steps.iter().enumerate() {
        let n = i + 1;
        let count = format!("Step {n} of 6");
        ui.text_until("#step-count", "the running step", |t| t == count)
            .await;
        ui.text_until("#step-name", "the step's name", |t| t == *name)
            .await;
        ui.text_until("#step-speaker", "who speaks", |t| t == *speaker)
            .await;
        if n == 2 {
            // The timer runs while the step does.
            ui.text_until("#step-timer", "the timer ticks", |t| {
                t != "0:00" && t.contains(':')
            })
            .await;
            ui.shot("session-run").await;
            ui.click("#lang-fr").await;
            ui.text_until("#step-name", "the step in French", |t| {
                t == "Questions de clarification"
            })
            .await;
            ui.text_until("#step-speaker", "who speaks, in French", |t| {
                t == "Les consultants"
            })
            .await;
            ui.click("#lang-en").await;
        }
        ui.type_into("#step-notes", &format!("notes of step {n}"))
            .await;
        ui.click("#step-next").await;
    }
    ui.type_into("#close-takeaways", "Ask for help before the deadline")
        .await;
    ui.click("#close-rating option[value='5']").await;
    ui.type_into("#close-actions", "Write the billing runbook")
        .await;
    ui.click("#session-close").await;
    ui.text_until("#session-status", "the session is closed", |t| {
        t == "closed"
    })
    .await;
    ui.any_text(".takeaways li", "Ask for help before the deadline")
        .await;
    ui.any_text(".action .text", "Write the billing runbook")
        .await;
    ui.any_text(".steps .notes", "notes of step 6").await;
    ui.text_until(".rating", "the rating", |t| t == "Rated 5/5")
        .await;
    ui.shot("session-closed").await;
    // Saved as a calendar file: the app says where, and the file is the session's event.
    ui.click(".calendar-save").await;
    let saved = ui
        .text_until(".calendar-saved", "where the calendar file went", |t| {
            t.contains(".ics")
        })
        .await;
    let path = saved
        .strip_prefix("Saved to ")
        .and_then(|rest| rest.split_once(".ics:"))
        .map(|(stem, _)| format!("{stem}.ics"))
        .unwrap_or_else(|| panic!("a path in {saved:?}"));
    // Long lines are folded (RFC 5545): unfolded before reading.
    let ics = std::fs::read_to_string(&path).unwrap().replace("\r\n ", "");
    std::fs::remove_file(&path).unwrap();
    assert!(
        ics.contains("BEGIN:VEVENT") && ics.contains("Taking over the billing service"),
        "{ics}"
    );
    ui.close().await;
}
