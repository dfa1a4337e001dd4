//! Recognition: kudos to a colleague, which reach his device; the time balance; the
//! contribution report saved as Markdown into a folder.

use crate::app::take_turn;
use crate::json_until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kudos_reach_the_colleague_and_the_contribution_report_is_saved() {
    let turn = take_turn().await;
    let peers = crate::alice_joins_bob();
    let ui = crate::alice_at_home(&turn, &peers.alice.dir).await;

    // Recognition: kudos to Bob; they reach Bob's device.
    ui.click("#nav-recognition").await;
    ui.click_text("#kudos-to option", "Bob").await;
    ui.type_into("#kudos-message", "Thanks for the Rust pairing!")
        .await;
    ui.click("#kudos-give").await;
    ui.any_text(".kudos .who", "Alice Martin → Bob").await;
    ui.any_text(".kudos .message", "Thanks for the Rust pairing!")
        .await;
    ui.text_until("#balance", "the time balance", |t| {
        t.starts_with("Given: 0 min")
    })
    .await;
    ui.shot("recognition").await;
    // The contribution report, saved as Markdown into a folder.
    let reports = peers.alice.path("reports");
    ui.type_into("#report-dir", &reports.display().to_string())
        .await;
    ui.click("#report-save").await;
    ui.text_until("#report-done", "the report is saved", |t| {
        t.starts_with("Saved to")
    })
    .await;
    let report = std::fs::read_dir(reports)
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("contributions-")
        })
        .expect("a contributions-DATE.md file");
    let text = std::fs::read_to_string(report.path()).unwrap();
    assert!(text.contains("Alice Martin"), "{text}");
    json_until(
        &peers.bob,
        &["kudos", "list"],
        "the kudos reach Bob",
        |list| {
            list.as_array().is_some_and(|l| {
                l.iter()
                    .any(|k| k["message"] == "Thanks for the Rust pairing!")
            })
        },
    )
    .await;
    ui.close().await;
}
