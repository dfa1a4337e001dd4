//! Desktop notifications: a session Alice takes part in starts within 15 minutes, so the app
//! raises its notification as it opens — once: opened again, it looks and raises nothing. With
//! notifications switched off in Settings, nothing is raised for a new one either. (No
//! notification server runs under the test's display: the app's notice log is what is seen.)

use crate::app::{App, take_turn};
use crate::{alice_at_home, eventually};

/// Waits until the app has looked for notifications at least `looks` times; returns what it
/// raised.
async fn raised_after(ui: &App, looks: usize) -> Vec<String> {
    eventually("the app looks for notifications", async || {
        let lines = ui.notices();
        let looked = lines.iter().filter(|l| l.starts_with("looked ")).count();
        if looked >= looks {
            Ok(lines
                .into_iter()
                .filter(|l| l.starts_with("raised "))
                .collect())
        } else {
            Err(lines)
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_about_to_start_is_notified_once_and_not_when_switched_off() {
    let turn = take_turn().await;
    let alice = crate::common::Peer::init("Alice Martin");
    let in_ten = (chrono::Utc::now() + chrono::Duration::minutes(10)).to_rfc3339();
    let plan = |title: &str| {
        alice.ok(&[
            "session", "plan", "--format", "aar", "--title", title, "--at", &in_ten,
        ])
    };
    plan("Launch review");

    let ui = alice_at_home(&turn, &alice.dir).await;
    let raised = raised_after(&ui, 1).await;
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert!(
        raised[0].starts_with("raised session-soon:")
            && raised[0].ends_with("In 15 minutes: Launch review"),
        "{raised:?}"
    );
    ui.close().await;

    // Opened again: looked, and not raised again.
    let ui = alice_at_home(&turn, &alice.dir).await;
    assert_eq!(raised_after(&ui, 1).await, Vec::<String>::new());
    // Switched off in Settings (and the switch shows it).
    ui.click("#nav-settings").await;
    ui.find("#notifications-on:checked").await;
    ui.click("#notifications-on").await;
    ui.find("#notifications-on:not(:checked)").await;
    ui.close().await;

    // A new session about to start: nothing raised while switched off.
    plan("Retro");
    let ui = alice_at_home(&turn, &alice.dir).await;
    assert_eq!(raised_after(&ui, 1).await, Vec::<String>::new());
    ui.click("#nav-settings").await;
    ui.find("#notifications-on:not(:checked)").await;
    ui.close().await;
}
