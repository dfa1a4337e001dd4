//! Settings: the data folder shown, the theme (following the system until one is chosen), the
//! profile colleagues see, an export of the workspace and its import.

use crate::app::take_turn;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_theme_the_profile_and_an_export_are_set_in_settings() {
    let turn = take_turn().await;
    // One note, for the export to count.
    let alice = crate::alice_with_checklist();
    let data = &alice.dir;
    let ui = crate::alice_at_home(&turn, data).await;

    // Settings: the theme follows the system until one is chosen.
    ui.click("#nav-settings").await;
    ui.text_until("#data-dir", "the data folder", |t| {
        t == data.display().to_string()
    })
    .await;
    for (button, want) in [
        ("#theme-dark", serde_json::json!("dark")),
        ("#theme-light", serde_json::json!("light")),
        ("#theme-system", serde_json::Value::Null),
    ] {
        ui.click(button).await;
        let theme = ui
            .client
            .execute(
                "return document.documentElement.getAttribute('data-theme');",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(theme, want, "{button}");
        if button == "#theme-dark" {
            ui.shot("settings-dark").await;
        }
    }
    // The profile colleagues see, then an export of the workspace and its import.
    ui.value_until("#profile-name", "the profile is filled in", |v| {
        v == "Alice Martin"
    })
    .await;
    ui.type_into("#profile-title", "Platform engineer").await;
    ui.type_into("#profile-team", "Engineering").await;
    ui.type_into("#profile-hours", "3").await;
    ui.click("#profile-open").await;
    ui.click("#profile-save").await;
    ui.text_until(".profile-form .saved", "the profile is saved", |t| {
        t == "Profile saved."
    })
    .await;
    let export = alice.path("export");
    ui.type_into("#transfer-dir", &export.display().to_string())
        .await;
    ui.click("#export").await;
    ui.text_until("#export-done", "the export", |t| {
        t.starts_with("Exported to") && t.contains("notes: 1")
    })
    .await;
    assert!(export.join("entrepairs-export.json").exists());
    ui.click("#import").await;
    ui.text_until("#import-done", "the import of the same folder", |t| {
        t.starts_with("Imported: nothing.") && t.contains("notes: 1")
    })
    .await;
    ui.close().await;
}
