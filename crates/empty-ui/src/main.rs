//! The benchmark's reference page: the least a Leptos app in the Tauri window can be. It mounts
//! one heading and records when it was painted, as the desktop's UI does for its first screen
//! (`window.entrepairsPainted`), so that `cargo xtask bench` can set the desktop's cold start
//! beside this one's.

use leptos::prelude::*;

/// Keeps the page's clock (milliseconds since the Unix epoch) in `window[key]`, unless a time
/// is kept there already.
fn record(key: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = wasm_bindgen::JsValue::from_str(key);
    if js_sys::Reflect::get(&window, &key).is_ok_and(|v| v.is_undefined()) {
        let _ = js_sys::Reflect::set(&window, &key, &js_sys::Date::now().into());
    }
}

#[component]
fn Empty() -> impl IntoView {
    // Two frames on: the frame that showed the heading has been painted.
    Effect::new(|_| {
        request_animation_frame(|| request_animation_frame(|| record("entrepairsPainted")));
    });
    view! { <h1 id="empty-title">"Empty"</h1> }
}

fn main() {
    record("entrepairsStarted");
    leptos::mount::mount_to_body(Empty);
}
