//! Communities: Alice starts one and asks a question; Bob, on the command line, joins it and
//! answers; Alice accepts his answer, which reaches him. Quick search finds the thread, and a
//! person, who opens in the directory.

use crate::app::take_turn;
use crate::json_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_in_a_community_is_answered_accepted_and_found_by_search() {
    let turn = take_turn().await;
    let peers = crate::alice_joins_bob();
    let bob = &peers.bob;
    // Alice's job title, for quick search to find her by it.
    peers
        .alice
        .ok(&["profile", "set", "--title", "Platform engineer"]);
    let ui = crate::alice_at_home(&turn, &peers.alice.dir).await;

    // Communities: Alice starts one and asks a question; Bob joins it on the command line and
    // answers; Alice accepts his answer. Quick search finds the thread.
    ui.click("#nav-communities").await;
    ui.type_into("#community-name", "Rust guild").await;
    ui.click("#community-create").await;
    ui.click(".community[data-name='Rust guild'] .community-open")
        .await;
    ui.type_into("#thread-title", "How do you structure error types?")
        .await;
    ui.type_into("#thread-body", "One enum per crate, or **one per module**?")
        .await;
    ui.click("#thread-post").await;
    ui.text_until("#thread-view-title", "the new thread", |t| {
        t == "How do you structure error types?"
    })
    .await;
    ui.text_until(".thread .markdown strong", "its Markdown", |t| {
        t == "one per module"
    })
    .await;
    bob.ok(&["community", "join", "Rust guild"]);
    let threads = json_until(
        bob,
        &["thread", "list", "Rust guild"],
        "the thread reaches Bob once he joined",
        |list| list.as_array().is_some_and(|l| !l.is_empty()),
    )
    .await;
    let thread = threads[0]["id"].as_str().unwrap().to_owned();
    bob.ok(&[
        "thread",
        "reply",
        &thread,
        "--body",
        "One enum per crate, with `thiserror`.",
    ]);
    ui.any_text(".post .markdown", "One enum per crate, with thiserror.")
        .await;
    ui.click(".post .accept").await;
    ui.any_text(".post .accepted-badge", "accepted answer")
        .await;
    ui.shot("communities").await;
    json_until(
        bob,
        &["thread", "show", &thread],
        "the accepted answer reaches Bob",
        |t| t["accepted"].is_string(),
    )
    .await;
    ui.click("#nav-home").await;
    ui.type_into("#search", "error types").await;
    ui.click_text(".search-hit", "How do you structure error types?")
        .await;
    ui.text_until("#thread-view-title", "the hit opens the thread", |t| {
        t == "How do you structure error types?"
    })
    .await;
    // A person found by quick search opens in the directory.
    ui.type_into("#search", "Platform engineer").await;
    ui.click_text(".search-hit", "Alice Martin").await;
    ui.value_until("#directory-filter", "the directory shows the person", |v| {
        v == "Alice Martin"
    })
    .await;
    ui.any_text(".profile .name", "Alice Martin").await;
    // Alice leaves the community: it is offered to join again.
    ui.click("#nav-communities").await;
    ui.click(".community-open").await;
    ui.click("#community-leave").await;
    ui.find(".community-join").await;
    ui.close().await;
}
