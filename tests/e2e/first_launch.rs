//! The first launch, on a data folder that does not exist yet: in the language of the OS,
//! switchable at once; a bad invite is refused and creates nothing; a new workspace opens on
//! the home screen.

use ipc::ErrorKind;

use crate::app::{launch, take_turn};
use crate::common::Peer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_creates_a_workspace_in_the_language_of_their_choice() {
    let turn = take_turn().await;
    let newcomer = Peer::new();
    let data = &newcomer.dir;
    let ui = launch(&turn, data).await;

    // First launch, in the language of the OS, switchable at once.
    ui.text_until(".first-launch h1", "English first", |t| {
        t == "Welcome to Entrepairs"
    })
    .await;
    ui.click("#lang-fr").await;
    ui.text_until(".first-launch h1", "French title", |t| {
        t == "Bienvenue dans Entrepairs"
    })
    .await;
    ui.shot("first-launch-fr").await;
    ui.click("#lang-en").await;
    ui.text_until(".first-launch h1", "back to English", |t| {
        t == "Welcome to Entrepairs"
    })
    .await;

    ui.type_into("#first-name", "Alice Martin").await;
    // A bad invite is refused with a clear message, and nothing is created.
    ui.type_into("#first-ticket", "hello").await;
    ui.click("#first-join").await;
    ui.error_until(ErrorKind::Invalid, "the bad invite is refused", |t| {
        t.starts_with("Refused: ") && t.contains("not a valid Entrepairs invite")
    })
    .await;
    assert!(!data.join("entrepairs.db").exists());
    ui.type_into("#first-workspace", "Acme").await;
    ui.click("#first-create").await;
    ui.text_until("#home-title", "home greets Alice", |t| {
        t == "Hello Alice Martin"
    })
    .await;
    ui.shot("home").await;
    ui.close().await;
}
