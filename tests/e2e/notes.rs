//! Notes: one written and edited in Markdown, rendered with what a sanitiser must drop gone;
//! its link opens in the system's browser while the window stays on the app, whatever the page
//! tries; quick search (Ctrl+K) finds it; the whole screen changes language.

use fantoccini::key::Key;

use crate::app::{eventually, take_turn};
use crate::common::Peer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_is_written_edited_linked_and_found() {
    let turn = take_turn().await;
    let alice = Peer::init("Alice Martin");
    let ui = crate::alice_at_home(&turn, &alice.dir).await;

    // Add a note, then edit it.
    ui.click("#nav-notes").await;
    ui.click("#note-new").await;
    ui.type_into("#note-title", "Onboarding checklist").await;
    ui.type_into(
        "#note-body",
        "Read the [[Style guide]].\nAsk for a **mentor**.<script>document.title='x'</script>",
    )
    .await;
    ui.type_into("#note-tags", "onboarding, rust").await;
    ui.click("#note-save").await;
    ui.text_until("#note-view-title", "the saved note", |t| {
        t == "Onboarding checklist"
    })
    .await;
    ui.text_until("#note-view-body", "its body", |t| {
        t.contains("Ask for a mentor.")
    })
    .await;
    // Markdown is rendered; what a sanitiser must drop is gone.
    ui.text_until("#note-view-body strong", "bold text", |t| t == "mentor")
        .await;
    assert_eq!(
        ui.count("#note-view-body script").await,
        0,
        "a script survived"
    );
    assert_eq!(ui.client.title().await.unwrap(), "Entrepairs");
    ui.click("#note-edit").await;
    ui.value_until("#note-title", "the editor shows the title", |v| {
        v == "Onboarding checklist"
    })
    .await;
    ui.value_until("#note-body", "the editor shows the Markdown", |v| {
        v.contains("Ask for a **mentor**.")
    })
    .await;
    ui.type_into(
        "#note-body",
        "Ask Bob for a mentor; pair on the first ticket. See [Example](https://example.com/).",
    )
    .await;
    ui.click("#note-save").await;
    ui.text_until("#note-view-body", "the edited body", |t| {
        t.contains("Ask Bob for a mentor")
    })
    .await;
    // A link in a note opens in the system's browser (here the harness's `BROWSER` script);
    // the window stays on the app, the note still shown.
    let app_url = ui.client.current_url().await.unwrap();
    assert_eq!(app_url.scheme(), "tauri", "{app_url}");
    ui.text_until("#note-view-body a", "the rendered link", |t| t == "Example")
        .await;
    ui.click("#note-view-body a").await;
    let opened_links = ui.opened_links();
    eventually("the link reaches the system's browser", async || {
        let text = std::fs::read_to_string(&opened_links).unwrap_or_default();
        if text.lines().any(|l| l == "https://example.com/") {
            Ok(())
        } else {
            Err(text)
        }
    })
    .await;
    assert_eq!(ui.client.current_url().await.unwrap(), app_url);
    ui.text_until("#note-view-title", "the note is still shown", |t| {
        t == "Onboarding checklist"
    })
    .await;
    // Whatever the page does, the shell keeps the window on the app and opens no other window.
    let opened = ui
        .client
        .execute(
            "const w = window.open('https://example.org/'); \
             window.location.href = 'https://example.org/'; return w === null;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(opened, serde_json::json!(true), "a new window was opened");
    ui.text_until("#note-view-title", "the app survives a navigation", |t| {
        t == "Onboarding checklist"
    })
    .await;
    assert_eq!(ui.client.current_url().await.unwrap(), app_url);
    // A link asking for a new window, clicked (a user's gesture, which a popup blocker lets
    // through), opens none either.
    ui.client
        .execute(
            "const a = document.createElement('a'); a.id = 'blank-link'; a.target = '_blank'; \
             a.href = 'https://example.org/blank'; a.textContent = 'elsewhere'; \
             Object.assign(a.style, {position: 'fixed', top: '0', left: '0', zIndex: '99'}); \
             document.body.append(a);",
            vec![],
        )
        .await
        .unwrap();
    ui.click("#blank-link").await;
    ui.client
        .execute("document.getElementById('blank-link').remove();", vec![])
        .await
        .unwrap();
    ui.shot("notes").await;

    // Quick search with Ctrl+K.
    ui.find("#nav-notes")
        .await
        .send_keys(&format!("{}k", char::from(Key::Control)))
        .await
        .unwrap();
    let focused = ui.client.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("search"));
    focused.send_keys("pair").await.unwrap();
    ui.any_text(".search-hit", "Onboarding checklist").await;
    ui.shot("search").await;
    ui.click(".search-hit").await;
    ui.text_until("#note-view-title", "the hit opens", |t| {
        t == "Onboarding checklist"
    })
    .await;
    assert_eq!(
        ui.client.current_url().await.unwrap(),
        app_url,
        "the window left the app"
    );
    assert_eq!(ui.client.windows().await.unwrap().len(), 1, "a new window");
    assert_eq!(
        std::fs::read_to_string(opened_links).unwrap(),
        "https://example.com/\n",
        "only the note's link went to the browser"
    );

    // The whole screen changes language.
    ui.click("#lang-fr").await;
    ui.text_until("#nav-home", "French navigation", |t| t == "Accueil")
        .await;
    ui.text_until("#note-edit", "French button", |t| t == "Modifier")
        .await;
    ui.shot("notes-fr").await;
    ui.click("#lang-en").await;
    ui.text_until("#nav-home", "English navigation", |t| t == "Home")
        .await;

    // Its skills and tags are edited in the app: Rust linked (a new skill joins the
    // catalogue), the "onboarding" tag taken off.
    ui.click("#note-edit").await;
    ui.value_until("#note-tags", "the editor shows the tags", |v| {
        v.contains("onboarding")
    })
    .await;
    ui.type_into("#note-tags", "rust").await;
    ui.type_into("#note-skills", "Rust").await;
    ui.click("#note-save").await;
    ui.text_until(".note-skills", "the linked skill", |t| t == "Rust")
        .await;
    ui.text_until(".note .tags", "the tags left", |t| t == "rust")
        .await;
    // Deleted, after a second click that says what it does.
    ui.click("#note-delete").await;
    ui.text_until("#note-delete", "the confirmation", |t| {
        t == "Delete for good"
    })
    .await;
    ui.click("#note-delete").await;
    eventually("the note leaves the list", async || {
        match ui.count(".note-item").await {
            0 => Ok(()),
            n => Err(n),
        }
    })
    .await;
    ui.close().await;
}

/// A workspace with more notes than two pages: the list holds the newest hundred and says how
/// many there are; "Show more", pressed from the keyboard, adds a page and keeps the focus for
/// the next; a tag filter asks the store, so it finds notes no page held, and starts again from
/// one page when it is taken off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_note_list_is_shown_a_page_at_a_time() {
    let turn = take_turn().await;
    let alice = Peer::init("Alice Martin");
    const NOTES: usize = 205;
    for i in 1..=NOTES {
        let title = format!("Note {i:03}");
        let mut args = vec!["note", "add", "--title", &title, "--body", "x"];
        // The oldest five carry a tag, so they are all past the second page.
        if i <= 5 {
            args.extend(["--tag", "archive"]);
        }
        alice.ok(&args);
    }
    let ui = crate::alice_at_home(&turn, &alice.dir).await;
    let items = async |want: usize| {
        eventually(&format!("{want} notes in the list"), async || {
            match ui.count(".note-item").await {
                n if n == want => Ok(()),
                n => Err(n),
            }
        })
        .await;
    };

    let asked = std::time::Instant::now();
    ui.click("#nav-notes").await;
    ui.find(".note-item").await;
    eprintln!(
        "e2e: {NOTES} notes: from the click to the first note: {} ms (WebDriver's round trips included)",
        asked.elapsed().as_millis()
    );
    ui.any_text(".note-item .title", "Note 205").await;
    items(100).await;
    ui.text_until("#note-more", "how many are shown", |t| {
        t == "Show more (100 of 205 shown)"
    })
    .await;

    let enter = char::from(Key::Enter).to_string();
    ui.find("#note-more").await.send_keys(&enter).await.unwrap();
    items(200).await;
    ui.text_until("#note-more", "the count moved on", |t| {
        t == "Show more (200 of 205 shown)"
    })
    .await;
    let focused = ui
        .client
        .execute("return document.activeElement.id", Vec::new())
        .await
        .unwrap();
    assert_eq!(focused, "note-more", "the focus stays on Show more");
    ui.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&enter)
        .await
        .unwrap();
    items(NOTES).await;
    ui.any_text(".note-item .title", "Note 001").await;
    eventually("nothing more to show", async || {
        match ui.count("#note-more").await {
            0 => Ok(()),
            n => Err(n),
        }
    })
    .await;

    // Filtered: the store finds the five, all past the second page; unfiltered again, one page.
    ui.click("#note-tag-filter option[value='archive']").await;
    eventually("the five tagged notes", async || {
        let mut titles = ui.texts(".note-item .title").await;
        titles.sort();
        let want: Vec<String> = (1..=5).map(|i| format!("Note {i:03}")).collect();
        if titles == want { Ok(()) } else { Err(titles) }
    })
    .await;
    assert_eq!(ui.count("#note-more").await, 0, "all five are shown");
    ui.click("#note-tag-filter option[value='']").await;
    items(100).await;
    ui.find("#note-more").await;
    ui.close().await;
}
