//! Tauri's build step: the window's configuration and the embedded page.

fn main() {
    // The app embeds the built page: a rebuilt page rebuilds the app.
    println!("cargo:rerun-if-changed=../empty-ui/dist");
    tauri_build::build();
}
