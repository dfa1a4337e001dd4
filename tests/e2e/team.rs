//! The team: an invite made in the app (text and QR code, listed with its expiry); a colleague
//! on the command line joins with it and writes a note, which appears in the open app by
//! itself and is linked from a new note (`[[` completion, preview, backlinks); Home says when
//! the app last synced; the team screen shows the colleague's device, the used invite, a new
//! one revoked, and roles changed; then, with no network between them, changes carried on a file
//! each way ("Save changes for a colleague", "Open changes from a colleague").

use fantoccini::Locator;
use fantoccini::key::Key;

use crate::app::{eventually, take_turn};
use crate::common::{Peer, Serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleague_joins_with_an_invite_from_the_app_and_his_note_appears_by_itself() {
    let turn = take_turn().await;
    // A note of Alice's to filter the list by its tag.
    let alice = crate::alice_with_checklist();
    let ui = crate::alice_at_home(&turn, &alice.dir).await;

    // An invite made in the app (text and QR code); a colleague on the command line joins
    // with it and writes a note: it appears in the open app by itself.
    ui.click("#nav-team").await;
    ui.any_text(".member", "Alice Martin").await;
    let mut asked = false;
    let ticket = eventually("the app makes an invite", async || {
        if let Ok(field) = ui.client.find(Locator::Css("#invite-ticket")).await
            && let Ok(Some(text)) = field.prop("value").await
            && text.starts_with("ep1")
        {
            return Ok(text);
        }
        // Until the app has bound its address there is none to put in a ticket: the app
        // refuses, and is asked again.
        let refused = ui.texts(".error").await;
        if !asked || !refused.is_empty() {
            ui.click("#invite-create").await;
            asked = true;
        }
        Err(refused)
    })
    .await;
    // Copied with one click: the ticket is selected whole, then on the clipboard (or, where
    // the webview may not write it, left selected for Ctrl+C, as the app then says).
    ui.click("#invite-copy").await;
    ui.text_until("#invite-copied", "the copy's outcome", |t| {
        t == "Copied to the clipboard." || t == "Selected: press Ctrl+C to copy."
    })
    .await;
    let selected = ui
        .client
        .execute(
            "const t = document.getElementById('invite-ticket'); \
             return t.value.substring(t.selectionStart, t.selectionEnd);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(selected.as_str(), Some(ticket.as_str()), "the whole ticket");
    // The invite is listed as open, its expiry to the minute.
    ui.any_text(".invite-item[data-status='open'] .invite-status", "open")
        .await;
    let expiry = ui
        .text_until(
            ".invite-item[data-status='open'] .invite-expiry",
            "the invite's expiry",
            |t| t.starts_with("expires "),
        )
        .await;
    assert_eq!(expiry.matches(':').count(), 1, "no seconds: {expiry}");
    // A code to read aloud in the room: a number and three words, single use, its expiry shown.
    ui.click("#invite-code").await;
    let code = ui
        .text_until("#invite-code-text", "the code", |t| {
            let parts: Vec<&str> = t.split('-').collect();
            parts.len() == 4
                && parts[0].parse::<u16>().is_ok()
                && parts[1..]
                    .iter()
                    .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
        })
        .await;
    ui.text_until(".code-shown .muted", "the code's help", |t| {
        t.starts_with("Read it aloud") && t.ends_with("3 tries left.")
    })
    .await;
    assert!(!code.is_empty());
    ui.shot("team").await;
    let bob = Peer::new();
    bob.ok(&["join", &ticket, "--name", "Bob", "--timeout", "30s"]);
    bob.ok(&[
        "note",
        "add",
        "--title",
        "Written by Bob",
        "--body",
        "from the command line",
    ]);
    // Bob's device dials the addresses its ticket gave it, i.e. the app.
    let bob_serves = Serve::start(&bob);
    ui.click("#nav-notes").await;
    ui.any_text(".note-item", "Written by Bob").await;
    // A note linking Bob's with `[[` completion (chosen with the keyboard), previewed, saved:
    // Bob's note lists it among its backlinks.
    ui.click("#note-new").await;
    ui.type_into("#note-title", "Reading list").await;
    ui.type_into("#note-body", "Start with [[writ").await;
    ui.any_text(".link-choice", "Written by Bob").await;
    ui.find("#note-body")
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    ui.value_until("#note-body", "the link is completed", |v| {
        v == "Start with [[Written by Bob]]"
    })
    .await;
    ui.find("#note-body")
        .await
        .send_keys(" today.")
        .await
        .unwrap();
    ui.type_into("#note-tags", "reading").await;
    ui.click("#note-preview").await;
    ui.text_until("#note-preview-body", "the preview", |t| {
        t.contains("Start with [[Written by Bob]] today.")
    })
    .await;
    ui.click("#note-save").await;
    ui.text_until("#note-view-title", "the saved note", |t| {
        t == "Reading list"
    })
    .await;
    ui.click_text(".note-item", "Written by Bob").await;
    ui.any_text(".backlinks button", "Reading list").await;
    // The list filtered by a tag.
    ui.click("#note-tag-filter option[value='onboarding']")
        .await;
    ui.list_until(".note-item .title", &["Onboarding checklist"])
        .await;
    ui.click("#note-tag-filter option[value='']").await;
    ui.click("#nav-home").await;
    ui.any_text(".recent-note", "Written by Bob").await;
    ui.text_until("#home-sync", "Home says when it last synced", |t| {
        t.starts_with("Last synced") && t.ends_with("1 colleague's device seen")
    })
    .await;
    ui.click("#nav-team").await;
    ui.any_text(".member", "Bob").await;
    ui.any_text(".peer", "Bob").await;
    assert_eq!(
        ui.count(".peer .refused").await,
        0,
        "an honest device is flagged"
    );
    // Bob's invite is used; a new one is open until Alice revokes it.
    ui.any_text(".invite-item[data-status='redeemed']", "used")
        .await;
    let open = ui.count(".invite-item[data-status='open']").await;
    ui.click("#invite-create").await;
    eventually("the new invite is listed", async || {
        match ui.count(".invite-item[data-status='open']").await {
            listed if listed == open + 1 => Ok(()),
            listed => Err(listed),
        }
    })
    .await;
    // The newest first.
    ui.click(".invite-item[data-status='open'] .invite-revoke")
        .await;
    ui.any_text(".invite-item[data-status='revoked']", "revoked")
        .await;
    assert_eq!(ui.count(".invite-item[data-status='open']").await, open);
    // Admins make an admin and demote one.
    ui.click(".member[data-name='Bob'] .member-promote").await;
    ui.text_until(".member[data-name='Bob'] .role", "Bob is an admin", |t| {
        t == "admin"
    })
    .await;
    ui.click(".member[data-name='Bob'] .member-demote").await;
    ui.text_until(
        ".member[data-name='Bob'] .role",
        "Bob is a member again",
        |t| t == "member",
    )
    .await;

    // With no network between them, changes travel on a file: Bob, offline, writes a note and
    // saves it for Alice; she opens the file in the app and the note is there. She saves her
    // changes for Bob, who opens them on the command line.
    drop(bob_serves);
    bob.ok(&[
        "note",
        "add",
        "--title",
        "Carried on a file",
        "--body",
        "offline",
    ]);
    let carried = bob.dir.join("for-alice.epbundle");
    let saved = bob.ok(&[
        "bundle",
        "create",
        "--for",
        "Alice Martin",
        "--out",
        carried.to_str().unwrap(),
    ]);
    assert!(saved.starts_with("Saved "), "{saved}");
    ui.type_into("#bundle-file", carried.to_str().unwrap())
        .await;
    ui.click("#bundle-open").await;
    ui.text_until("#bundle-applied", "the bundle is opened", |t| {
        t.starts_with("Opened changes from Bob:")
    })
    .await;
    ui.click("#nav-notes").await;
    ui.any_text(".note-item", "Carried on a file").await;
    ui.click("#nav-team").await;
    ui.click("#bundle-for option[data-name='Bob']").await;
    let folder = bob.dir.join("from-alice");
    ui.find("#bundle-dir").await.clear().await.unwrap();
    ui.type_into("#bundle-dir", folder.to_str().unwrap()).await;
    ui.click("#bundle-save").await;
    let line = ui
        .text_until("#bundle-saved", "the bundle is saved", |t| {
            t.contains(" for Bob ")
        })
        .await;
    ui.shot("team-bundles").await;
    let file = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "epbundle"))
        .unwrap_or_else(|| panic!("no bundle in {}: {line}", folder.display()));
    let applied = bob.ok(&["bundle", "apply", file.to_str().unwrap()]);
    assert!(
        applied.starts_with("Applied changes from Alice Martin:"),
        "{applied}"
    );
    ui.close().await;
}
