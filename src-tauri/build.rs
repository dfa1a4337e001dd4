//! Declares the app's own commands so that capabilities can grant them one by one.

fn main() {
    let commands = tauri_build::AppManifest::new().commands(&[
        "app_state",
        "create_workspace",
        "join_workspace",
        "notes",
        "note",
        "note_page",
        "add_note",
        "edit_note",
        "search",
        "members",
        "peers",
        "create_invite",
        "remove_member",
        "promote_member",
        "skills",
        "claim_skill",
        "who_can_help",
        "endorse",
        "kudos",
        "give_kudos",
        "balance",
        "open_demo",
        "leave_demo",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
        .unwrap_or_else(|e| panic!("tauri build configuration: {e}"));
}
