//! Pure OAuth 2.0 and OpenID Connect: no web-sys, no Leptos, no I/O.
//!
//! Functions here build request descriptions and judge responses; the browser module performs
//! the I/O and injects randomness and time. Everything is tested with native `cargo test`.

pub mod assertion;
pub mod authorize;
pub mod callback;
pub mod config;
pub mod content;
pub mod device;
pub mod discovery;
pub mod dpop;
pub mod embed;
pub mod error;
pub mod explain;
pub mod grant;
pub mod http;
pub mod idtoken;
pub mod inspect;
pub mod json;
pub mod jwks;
pub mod jwt;
pub mod logout;
pub mod par;
pub mod pkce;
pub mod presets;
pub mod provider;
pub mod qr;
pub mod refresh;
pub mod revoke;
pub mod step;
pub mod support;
pub mod tamper;
pub mod token;
pub mod transaction;
pub mod transcript;
pub mod url;
