//! The benchmark's reference page: the least a Leptos app in the Tauri window can be. It mounts
//! one heading and records when its code started and when it was painted with the desktop UI's
//! own code (`ui/src/components/painted.rs`, included), so that `cargo xtask bench` sets the
//! desktop's cold start beside this one's, measured the same way.

use leptos::prelude::*;

#[path = "../../../ui/src/components/painted.rs"]
mod painted;

#[component]
fn Empty() -> impl IntoView {
    Effect::new(|_| painted::mark());
    view! { <h1 id="empty-title">"Empty"</h1> }
}

fn main() {
    painted::started();
    leptos::mount::mount_to_body(Empty);
}
