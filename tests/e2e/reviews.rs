//! Reviews, both ways with Bob on the command line: Alice asks Bob; Bob writes and submits;
//! Alice reads and acknowledges. Then Bob asks Alice; she writes, saves, submits. The time
//! Bob's review took him is credited once Alice confirms it; everything reaches Bob.

use crate::app::take_turn;
use crate::json_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_go_both_ways_and_the_reviewer_s_time_is_confirmed() {
    let turn = take_turn().await;
    let peers = crate::alice_joins_bob();
    let bob = &peers.bob;
    let ui = crate::alice_at_home(&turn, &peers.alice.dir).await;

    // Reviews, both ways with Bob on the command line: Alice asks Bob; Bob writes and submits;
    // Alice reads and acknowledges. Then Bob asks Alice; she writes, saves, submits.
    ui.click("#nav-reviews").await;
    ui.click_text("#review-reviewer option", "Bob").await;
    ui.type_into("#review-about", "My first pull request").await;
    ui.click("#review-template option[value='sbi']").await;
    ui.click("#review-request").await;
    ui.any_text("#review-asked .review h3", "My first pull request")
        .await;
    ui.any_text("#review-asked .status", "being written").await;
    let asked = json_until(
        bob,
        &["review", "list"],
        "the request reaches Bob",
        |list| {
            list.as_array()
                .is_some_and(|l| l.iter().any(|r| r["about"] == "My first pull request"))
        },
    )
    .await;
    let asked = asked
        .as_array()
        .and_then(|l| l.iter().find(|r| r["about"] == "My first pull request"))
        .and_then(|r| r["id"].as_str())
        .unwrap()
        .to_owned();
    bob.ok(&[
        "review",
        "write",
        &asked,
        "--answer",
        "situation=Your pull request on the sync cache",
        "--answer",
        "behaviour=You split it into small commits",
        "--answer",
        "impact=I could review it in ten minutes",
    ]);
    bob.ok(&["review", "submit", &asked, "--minutes", "20"]);
    ui.any_text(
        "#review-asked .answer-shown",
        "I could review it in ten minutes",
    )
    .await;
    ui.type_into(
        "#review-asked .review-reply",
        "Thanks, noted for the next one!",
    )
    .await;
    ui.click("#review-asked .review-ack").await;
    ui.any_text("#review-asked .status", "acknowledged").await;
    ui.any_text("#review-asked .reply", "Thanks, noted for the next one!")
        .await;
    bob.ok(&[
        "review",
        "request",
        "--reviewer",
        "Alice Martin",
        "--about",
        "The deploy script",
        "--template",
        "start-stop-continue",
    ]);
    ui.any_text("#review-inbox .review h3", "The deploy script")
        .await;
    for (key, text) in [
        ("start", "Logging each step"),
        ("stop", "Deploying on Fridays"),
        ("continue", "Dry runs first"),
    ] {
        ui.type_into(
            &format!("#review-inbox .answer[data-key='{key}'] .answer-text"),
            text,
        )
        .await;
    }
    ui.click("#review-inbox .review-save").await;
    ui.text_until("#review-inbox .saved", "the draft is saved", |t| {
        t == "Draft saved."
    })
    .await;
    ui.click("#review-inbox .review-submit").await;
    ui.any_text("#review-given .status", "submitted").await;
    ui.any_text("#review-given .answer-shown", "Deploying on Fridays")
        .await;
    ui.shot("reviews").await;
    // Bob's review took him 20 minutes: Alice confirms the time he gave her.
    ui.click("#nav-recognition").await;
    ui.any_text(".credit[data-kind='review'] .who", "Bob").await;
    ui.click(".credit[data-kind='review'] .credit-confirm")
        .await;
    ui.text_until("#balance", "the confirmed time counts", |t| {
        t.contains("received: 20 min")
    })
    .await;
    json_until(bob, &["review", "list"], "the review reaches Bob", |list| {
        list.as_array().is_some_and(|l| {
            l.iter().any(|r| {
                r["about"] == "The deploy script"
                    && r["status"] == "submitted"
                    && r["answers"][1]["text"] == "Deploying on Fridays"
            })
        })
    })
    .await;
    json_until(
        bob,
        &["review", "list"],
        "the acknowledgement reaches Bob",
        |list| {
            list.as_array().is_some_and(|l| {
                l.iter()
                    .any(|r| r["about"] == "My first pull request" && r["status"] == "acknowledged")
            })
        },
    )
    .await;
    ui.close().await;
}
