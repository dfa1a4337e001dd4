//! The benchmark's reference app: Tauri v2 showing an empty Leptos page, with the desktop's
//! window (size, content security policy, Tauri's global script) and no command, plugin or
//! state of its own. `cargo xtask bench` measures it beside the desktop, in the same Cargo
//! profile and under the same display, so that what the desktop costs beyond Tauri, WebKit and
//! Leptos themselves can be told apart.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![allow(clippy::print_stderr)] // its one error, where the desktop would log it

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("error: the empty app stopped: {e}");
        std::process::exit(1);
    }
}
