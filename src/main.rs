//! Mounts the app; nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(flowlab::ui::app);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "Flowlab runs in the browser: build it with `trunk build --release` (see README.md)."
    );
}
