//! People & skills: Alice lists a skill of hers, finds who can help her with Rust (Bob, a
//! colleague on the command line whose claim came with the sync), endorses him, and reads why
//! he is suggested in either language.

use crate::app::take_turn;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skill_is_claimed_and_the_colleague_who_can_help_is_found_and_endorsed() {
    let turn = take_turn().await;
    let peers = crate::alice_joins_bob();
    peers
        .bob
        .ok(&["skill", "claim", "Rust", "--level", "3", "--can-teach"]);
    let ui = crate::alice_at_home(&turn, &peers.alice.dir).await;

    // People & skills: Alice lists a skill of hers, then finds who can help her with Rust
    // (Bob, whose claim came with the sync) and endorses him.
    ui.click("#nav-people").await;
    ui.type_into("#skill-name", "Kubernetes").await;
    ui.click("#skill-level option[value='3']").await;
    ui.click("#skill-teach").await;
    ui.click("#skill-claim").await;
    ui.text_until(".people .saved", "the claim is saved", |t| {
        t == "Added to your skills."
    })
    .await;
    ui.any_text(".skill", "Kubernetes").await;
    ui.any_text(".holder.mine", "Alice Martin").await;
    ui.any_text(".skill", "Rust").await;
    ui.type_into("#help-skill", "rust").await;
    ui.click("#help-find").await;
    ui.any_text(".helper .name", "Bob").await;
    ui.text_until(".helper .why", "why Bob is suggested", |t| {
        t == "Expert · can teach"
    })
    .await;
    ui.click(".helper .endorse").await;
    ui.text_until(".helper .why", "the endorsement counts", |t| {
        t == "Expert · can teach · endorsements: 1"
    })
    .await;
    ui.text_until(".helper .endorse", "the button says it is done", |t| {
        t == "Endorsed"
    })
    .await;
    ui.click("#lang-fr").await;
    ui.text_until(".helper .why", "the reason in French", |t| {
        t == "Expert·e · peut enseigner · recommandations : 1"
    })
    .await;
    ui.click("#lang-en").await;
    ui.shot("people").await;
    ui.close().await;
}
