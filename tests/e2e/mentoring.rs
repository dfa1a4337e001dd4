//! Mentoring: Bob, a colleague on the command line, mentors Alice. A relationship just started
//! is not due; a session is logged with an action past its due day, which Home shows until it
//! is done; the relationship and its log reach Bob (and only Bob: it is private to the two).

use crate::app::take_turn;
use crate::json_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mentoring_relationship_is_started_logged_and_its_action_reminded() {
    let turn = take_turn().await;
    let peers = crate::alice_joins_bob();
    let ui = crate::alice_at_home(&turn, &peers.alice.dir).await;

    // Mentoring: Bob mentors Alice. Home reminds her of the first session until she logs it;
    // the relationship and its log reach Bob (and only Bob: it is private to the two).
    ui.click("#nav-mentoring").await;
    ui.click_text("#mentoring-with option", "Bob").await;
    ui.click("#mentoring-role option[value='mentee']").await;
    ui.type_into("#mentoring-goals", "Write async Rust with confidence")
        .await;
    ui.click("#mentoring-start").await;
    ui.any_text(".mentoring h3", "Bob mentors Alice Martin")
        .await;
    ui.any_text(".goal", "Write async Rust with confidence")
        .await;
    // A relationship just started is not due yet: Home has nothing to remind.
    ui.click("#nav-home").await;
    ui.any_text(".home p", "Nothing due").await;
    ui.click("#nav-mentoring").await;
    ui.type_into(".log-minutes", "45").await;
    ui.type_into(".log-notes", "Walked through tokio tasks and channels")
        .await;
    ui.type_into(".log-topics", "tokio, async").await;
    ui.type_into(".log-actions", "Read the tokio tutorial @2020-01-15")
        .await;
    ui.click(".log-submit").await;
    ui.any_text(".logged", "45 min · logged by Alice Martin")
        .await;
    ui.any_text(".logged .notes", "Walked through tokio tasks")
        .await;
    ui.any_text(".action .text", "Read the tokio tutorial")
        .await;
    ui.any_text(".action .muted", "Alice Martin, due 2020-01-15")
        .await;
    ui.shot("mentoring").await;
    // The action is past its due day: Home says so until it is done.
    ui.click("#nav-home").await;
    ui.any_text(
        ".reminder",
        "Overdue since 2020-01-15: Read the tokio tutorial",
    )
    .await;
    ui.click(".reminder").await;
    ui.click(".action .action-done").await;
    ui.click("#nav-home").await;
    ui.any_text(".home p", "Nothing due").await;
    json_until(
        &peers.bob,
        &["mentoring", "list"],
        "the mentoring log reaches Bob",
        |list| list[0]["sessions"][0]["minutes"] == 45,
    )
    .await;
    ui.close().await;
}
