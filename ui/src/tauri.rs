//! Calls into the Tauri shell through `window.__TAURI__` (the app sets `withGlobalTauri`):
//! typed commands answered with `ipc` types, and the change event.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], catch)]
    async fn listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>)
    -> Result<JsValue, JsValue>;
}

/// Runs command `cmd` with `args` (an object whose fields are the command's parameters).
pub(crate) async fn call<A: Serialize, R: DeserializeOwned>(
    cmd: &str,
    args: &A,
) -> Result<R, ipc::Error> {
    let args = args
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| ipc::Error::new("internal", e.to_string()))?;
    match invoke(cmd, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value)
            .map_err(|e| ipc::Error::new("internal", format!("unexpected answer: {e}"))),
        Err(value) => Err(serde_wasm_bindgen::from_value::<ipc::Error>(value.clone())
            .unwrap_or_else(|_| {
                ipc::Error::new(
                    "internal",
                    value
                        .as_string()
                        .unwrap_or_else(|| "the app did not answer".into()),
                )
            })),
    }
}

/// No arguments.
#[derive(Serialize)]
pub(crate) struct NoArgs {}

/// The one argument `id` (a document, an action, a contribution).
#[derive(Serialize)]
pub(crate) struct ById {
    pub(crate) id: String,
}

/// Calls `on_change` whenever the shell says a document changed. The listener lives as long as
/// the page.
pub(crate) fn on_change(on_change: impl FnMut() + 'static) {
    let mut on_change = on_change;
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| on_change());
    wasm_bindgen_futures::spawn_local(async move {
        if listen(ipc::CHANGED, &handler).await.is_ok() {
            // The page keeps the listener until it unloads.
            handler.forget();
        }
    });
}
