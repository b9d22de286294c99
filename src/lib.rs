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
