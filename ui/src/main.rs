//! The Entrepairs desktop UI: Leptos 0.8 rendered in the browser (wasm32) inside the Tauri
//! window. It talks to the shell only through typed commands and the change event (`tauri.rs`),
//! and every visible string comes from the French and English catalogues (`i18n.rs`).

mod app;
mod components;
mod i18n;
mod screens;
mod tauri;

fn main() {
    components::painted::started();
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
