//! The empty app is the desktop's reference only if it shows its page the way the desktop does:
//! the same window, content security policy and Tauri global script. (Building this test also
//! builds the app's binary, which the benchmark harness's test launches.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // test failures, with their location

use serde_json::Value;

fn config(path: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_empty_app_has_the_desktops_window_and_webview_settings() {
    let desktop = config("../../src-tauri/tauri.conf.json");
    let empty = config("tauri.conf.json");
    for pointer in [
        "/app/security",
        "/app/withGlobalTauri",
        "/app/windows/0/label",
        "/app/windows/0/width",
        "/app/windows/0/height",
        "/app/windows/0/minWidth",
        "/app/windows/0/minHeight",
    ] {
        let (ours, theirs) = (desktop.pointer(pointer), empty.pointer(pointer));
        assert!(
            ours.is_some(),
            "the desktop's configuration has no {pointer}"
        );
        assert_eq!(
            ours, theirs,
            "{pointer} differs between the desktop and the empty app"
        );
    }
    assert!(
        std::path::Path::new(env!("CARGO_BIN_EXE_empty-app")).exists(),
        "the empty app's binary was not built"
    );
}
