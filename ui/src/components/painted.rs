//! When the UI's code started (`window.entrepairsStarted`) and when the first screen was
//! painted with its content (`window.entrepairsPainted`, at the frame after the one that first
//! showed it), on the page's clock (milliseconds since the Unix epoch). `cargo xtask bench`
//! reads them to time a cold start from the app's process start, without counting WebDriver's
//! own start; the benchmark's empty app (`crates/empty-ui`) includes this file, so both are
//! measured by the same code.

use leptos::prelude::request_animation_frame;

/// Whether `window[key]` holds nothing yet.
fn unrecorded(key: &str) -> bool {
    web_sys::window().is_some_and(|window| {
        js_sys::Reflect::get(&window, &wasm_bindgen::JsValue::from_str(key))
            .is_ok_and(|v| v.is_undefined())
    })
}

/// Keeps the time now in `window[key]`, unless a time is kept there already.
fn record(key: &str) {
    if let Some(window) = web_sys::window()
        && unrecorded(key)
    {
        let key = wasm_bindgen::JsValue::from_str(key);
        let _ = js_sys::Reflect::set(&window, &key, &js_sys::Date::now().into());
    }
}

/// Records that the UI's code is running.
pub(crate) fn started() {
    record("entrepairsStarted");
}

/// Records the time now that the content is in the page, unless a time is recorded already:
/// two frames on, so that the frame showing the content has been painted.
/// Once recorded, later calls (each refresh of the screen) ask for no frame at all.
pub(crate) fn mark() {
    if unrecorded("entrepairsPainted") {
        request_animation_frame(|| request_animation_frame(|| record("entrepairsPainted")));
    }
}
