//! Mounts the app; nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    // The reactive root (an owner that lives as long as the page, holding the app's context)
    // and the task executor; `ui::app` mounts the view under it.
    flowlab::browser::mark("wasm-started");
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = leptos::prelude::Owner::new();
    owner.with(flowlab::ui::app);
    std::mem::forget(owner);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "Flowlab runs in the browser: build it with `trunk build --release` (see README.md)."
    );
}
