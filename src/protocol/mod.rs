//! Pure OAuth 2.0 and OpenID Connect: no web-sys, no Leptos, no I/O.
//!
//! Functions here build request descriptions and judge responses; the browser module performs
//! the I/O and injects randomness and time. Everything is tested with native `cargo test`.

/// A closed set of named choices: each variant has the name the query string, the form or the
/// page uses (`ALL`, `as_str`, `parse`, `Display`).
macro_rules! choices {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name in the query string and the form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

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
