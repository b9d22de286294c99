//! Flowlab: OAuth 2.0 and OpenID Connect logins run live in the browser, every step shown.
//!
//! `protocol` is pure and tested natively; `browser`, `flows` and `ui` exist only in the wasm
//! build.

pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod flows;
#[cfg(target_arch = "wasm32")]
pub mod ui;

/// The allocator: talc is smaller in the wasm than the default dlmalloc, and faster.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
