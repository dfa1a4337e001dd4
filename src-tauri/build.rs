//! Declares the app's commands and the window's capability from the one list of operations
//! (`ipc::with_ops!`): every command the shell handles is declared, and the window may call
//! those meant for it (not the CLI's own) and nothing else (beside listening to the change
//! event).

use std::path::PathBuf;

fn main() {
    // The app embeds the built UI: a rebuilt `ui/dist` rebuilds the app.
    println!("cargo:rerun-if-changed=../ui/dist");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = out.join("capabilities");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let mut permissions = vec![
        "core:event:allow-listen".to_owned(),
        "core:event:allow-unlisten".to_owned(),
    ];
    permissions.extend(
        ipc::ops::LIST
            .iter()
            .filter(|op| op.for_window())
            .map(|op| ipc::ops::permission(op.name)),
    );
    let capability = serde_json::json!({
        "identifier": "main-window",
        "description": "The main window may call the app's own commands and listen to its \
            change event; nothing else (no file system, shell, opener, HTTP or \
            window-management access: links are opened by the shell's own open_link command).",
        "windows": ["main"],
        "permissions": permissions,
    });
    let file = dir.join("default.json");
    let text = serde_json::to_string_pretty(&capability).expect("a JSON value serializes");
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
    // tauri-build reads capabilities through a glob pattern, which takes `/` on every OS.
    let pattern = format!("{}/*.json", dir.display()).replace('\\', "/");
    let commands = tauri_build::AppManifest::new().commands(ipc::ops::NAMES);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(commands)
            .capabilities_path_pattern(Box::leak(pattern.into_boxed_str())),
    )
    .unwrap_or_else(|e| panic!("tauri build configuration: {e}"));
}
