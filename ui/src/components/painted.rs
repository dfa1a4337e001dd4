//! When the first screen was painted with its content: `window.entrepairsPainted`, the page's
//! clock (milliseconds since the Unix epoch) at the frame after the one that first showed it.
//! `cargo xtask bench` reads it to time a cold start from the app's process start, without
//! counting WebDriver's own start; the benchmark's empty app (`crates/empty-ui`) records the
//! same.

use leptos::prelude::request_animation_frame;

/// Records the time now that the content is in the page, unless a time is recorded already:
/// two frames on, so that the frame showing the content has been painted.
pub(crate) fn mark() {
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
