//! The benchmark's reference page: the least a Leptos app in the Tauri window can be. It mounts
//! one heading and records when it was painted, as the desktop's UI does for its first screen
//! (`window.entrepairsPainted`), so that `cargo xtask bench` can set the desktop's cold start
//! beside this one's.

use leptos::prelude::*;

/// The page's clock (milliseconds since the Unix epoch) at the frame after the one that first
/// showed the heading, kept in `window.entrepairsPainted` if nothing is there yet.
fn mark_painted() {
    request_animation_frame(|| {
        request_animation_frame(|| {
            let Some(window) = web_sys::window() else {
                return;
            };
            let key = wasm_bindgen::JsValue::from_str("entrepairsPainted");
            if js_sys::Reflect::get(&window, &key).is_ok_and(|v| v.is_undefined()) {
                let _ = js_sys::Reflect::set(&window, &key, &js_sys::Date::now().into());
            }
        });
    });
}

#[component]
fn Empty() -> impl IntoView {
    Effect::new(|_| mark_painted());
    view! { <h1 id="empty-title">"Empty"</h1> }
}

fn main() {
    leptos::mount::mount_to_body(Empty);
}
