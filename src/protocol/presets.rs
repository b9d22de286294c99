//! Provider presets: data, not code paths. A preset fills in what is standard for a provider
//! (the issuer's form, parameters it wants, endpoints its discovery document leaves out, the
//! sign-out request it takes) and lists its known quirks with the console setting to change.
//!
//! `preset=<id>` in the query (the automation contract) or the form's *Provider preset* applies
//! one. The flows read a preset only through [`Preset::supplement`] (endpoints) and the
//! configuration it filled in; nothing else in the app knows a provider by name.

use super::config::LogoutMethod;
use super::discovery::ProviderMetadata;
use super::step::{Actor, Check, Param, Step, StepKind};
use crate::protocol::step::StepId;

/// A console setting the provider needs, and why. `value` may name `{origin}` (where Flowlab
/// is served from), `{redirect_uri}` or `{base}` (its base URL), filled in when shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quirk {
    pub setting: &'static str,
    pub value: &'static str,
    pub why: &'static str,
}

/// One provider's preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    pub id: &'static str,
    pub name: &'static str,
    /// The issuer's form, `{...}` marking what the user fills in.
    pub issuer_form: &'static str,
    /// A ready issuer (a local provider), or empty when the user must fill in the form.
    pub issuer: &'static str,
    /// A ready client id (a local provider), or empty.
    pub client_id: &'static str,
    /// Extra authorization parameters the provider wants, with a placeholder value.
    pub extra: &'static [(&'static str, &'static str)],
    /// How Sign out reaches this provider.
    pub logout: LogoutMethod,
    /// Endpoints the provider has but its discovery document leaves out: (member, path after
    /// the issuer).
    pub endpoints: &'static [(&'static str, &'static str)],
    pub quirks: &'static [Quirk],
}

const ORIGIN: &str = "{origin}";
const REDIRECT: &str = "{redirect_uri}";
const BASE: &str = "{base}";

/// What a hosted provider's preset leaves as it is: no ready issuer or client, no extra
/// parameters, the token-free sign-out, no endpoints beyond discovery.
const HOSTED: Preset = Preset {
    id: "",
    name: "",
    issuer_form: "",
    issuer: "",
    client_id: "",
    extra: &[],
    logout: LogoutMethod::TokenFree,
    endpoints: &[],
    quirks: &[],
};

/// Every preset Flowlab ships.
pub const PRESETS: [Preset; 7] = [
    Preset {
        id: "bundled",
        name: "Bundled demo provider (oidc-provider)",
        issuer_form: "http://127.0.0.1:9000",
        issuer: "http://127.0.0.1:9000",
        client_id: "flowlab-demo",
        quirks: &[Quirk {
            setting: "Clients",
            value: "flowlab-demo, flowlab-confidential, flowlab-m2m, flowlab-device",
            why: "Registered at start by tests/idp/server.mjs (scripts/demo.sh runs it); the README lists their secrets.",
        }],
        ..HOSTED
    },
    Preset {
        id: "auth0",
        name: "Auth0",
        issuer_form: "https://{tenant}.{region}.auth0.com/",
        extra: &[("audience", "https://{your-api-identifier}")],
        quirks: &[
            Quirk {
                setting: "Application type",
                value: "Single Page Application",
                why: "A public client with PKCE; a Regular Web Application has a secret and needs the code flow with a secret.",
            },
            Quirk {
                setting: "Allowed Callback URLs",
                value: REDIRECT,
                why: "Auth0 refuses any redirect_uri not listed exactly.",
            },
            Quirk {
                setting: "Allowed Web Origins",
                value: ORIGIN,
                why: "Without it the token endpoint refuses this origin (CORS).",
            },
            Quirk {
                setting: "Allowed Logout URLs",
                value: BASE,
                why: "post_logout_redirect_uri must be listed for Sign out to come back.",
            },
            Quirk {
                setting: "audience (extra parameter)",
                value: "your API's identifier",
                why: "Without an audience Auth0 issues an opaque access token good for /userinfo only; with one, a JWT for your API.",
            },
            Quirk {
                setting: "Tenant settings > Advanced > RP-Initiated Logout End Session Endpoint Discovery",
                value: "on",
                why: "Only then does discovery name end_session_endpoint (/oidc/logout).",
            },
            Quirk {
                setting: "Refresh Token Rotation",
                value: "on (and offline_access in the scope)",
                why: "Auth0 gives a browser app refresh tokens only with rotation.",
            },
        ],
        ..HOSTED
    },
    Preset {
        id: "okta",
        name: "Okta",
        issuer_form: "https://{yourOktaDomain}/oauth2/default",
        // Okta's logout endpoint requires id_token_hint and takes it by GET.
        logout: LogoutMethod::GetHint,
        quirks: &[
            Quirk {
                setting: "Application type",
                value: "Single-Page Application (OIDC)",
                why: "A public client with PKCE required.",
            },
            Quirk {
                setting: "Sign-in redirect URIs",
                value: REDIRECT,
                why: "Exact match.",
            },
            Quirk {
                setting: "Security > API > Trusted Origins",
                value: "{origin} (CORS)",
                why: "Without it every fetch from this page to the token and userinfo endpoints is refused.",
            },
            Quirk {
                setting: "Sign-out redirect URIs",
                value: BASE,
                why: "Okta's /logout also needs id_token_hint: the preset picks the GET form with the hint, whose cost the panel names.",
            },
            Quirk {
                setting: "Issuer",
                value: "/oauth2/default (a custom authorization server)",
                why: "The org server (the bare domain) issues access tokens only for Okta's own APIs.",
            },
        ],
        ..HOSTED
    },
    Preset {
        id: "entra",
        name: "Microsoft Entra ID",
        issuer_form: "https://login.microsoftonline.com/{tenant-id}/v2.0",
        quirks: &[
            Quirk {
                setting: "Authentication > Platform",
                value: "Single-page application, redirect URI {redirect_uri}",
                why: "Under the Web platform the token endpoint refuses cross-origin redemption (AADSTS9002326).",
            },
            Quirk {
                setting: "Issuer",
                value: "the v2.0 endpoint of your tenant id",
                why: "The common and organizations documents name {tenantid} as their issuer, which can never match.",
            },
            Quirk {
                setting: "Scope",
                value: "openid profile email offline_access",
                why: "offline_access for a refresh token; an API's scope (api://.../read) for an access token meant for your API.",
            },
            Quirk {
                setting: "Front-channel logout URL / post-logout",
                value: BASE,
                why: "Listed under the SPA platform's redirect URIs for Sign out to come back.",
            },
        ],
        ..HOSTED
    },
    Preset {
        id: "google",
        name: "Google",
        issuer_form: "https://accounts.google.com",
        issuer: "https://accounts.google.com",
        quirks: &[
            Quirk {
                setting: "Client type",
                value: "Web application, then the code flow with a secret",
                why: "Google's token endpoint wants the client secret even with PKCE for web clients: use the code flow with a secret (popup).",
            },
            Quirk {
                setting: "Authorized JavaScript origins",
                value: ORIGIN,
                why: "CORS for the token endpoint.",
            },
            Quirk {
                setting: "Authorized redirect URIs",
                value: REDIRECT,
                why: "Exact match.",
            },
            Quirk {
                setting: "Sign out",
                value: "none",
                why: "Google publishes no end_session_endpoint: Sign out revokes the tokens and forgets them here only.",
            },
            Quirk {
                setting: "Refresh",
                value: "access_type=offline and prompt=consent (extra parameters)",
                why: "Google's way of asking for a refresh token instead of offline_access.",
            },
        ],
        ..HOSTED
    },
    Preset {
        id: "keycloak",
        name: "Keycloak",
        issuer_form: "https://{host}/realms/{realm}",
        quirks: &[
            Quirk {
                setting: "Client authentication",
                value: "Off (a public client)",
                why: "With it on, the client is confidential and needs a secret.",
            },
            Quirk {
                setting: "Valid redirect URIs",
                value: REDIRECT,
                why: "Exact match.",
            },
            Quirk {
                setting: "Web origins",
                value: "{origin} (or + for the redirect URIs' origins)",
                why: "Keycloak's CORS setting for the token and userinfo endpoints.",
            },
            Quirk {
                setting: "Valid post logout redirect URIs",
                value: BASE,
                why: "Keycloak 18+ ends the session from client_id and this URI, or asks the user to confirm.",
            },
            Quirk {
                setting: "Advanced > Proof Key for Code Exchange Code Challenge Method",
                value: "S256",
                why: "Makes PKCE required for this client.",
            },
        ],
        ..HOSTED
    },
    Preset {
        id: "django-oauth-toolkit",
        name: "django-oauth-toolkit",
        issuer_form: "https://{host}/o",
        // Its discovery document names neither, though both exist (oauth2_provider.urls).
        endpoints: &[
            ("revocation_endpoint", "/revoke_token/"),
            ("device_authorization_endpoint", "/device-authorization/"),
        ],
        quirks: &[
            Quirk {
                setting: "Application: authorization grant type",
                value: "one per application",
                why: "Each application has a single grant: register one for the code flow, another for implicit, hybrid (openid-hybrid), client credentials, the device flow.",
            },
            Quirk {
                setting: "Application: redirect uris",
                value: REDIRECT,
                why: "Exact match (ALLOWED_REDIRECT_URI_SCHEMES must include http for a loopback app).",
            },
            Quirk {
                setting: "CORS (django-cors-headers CORS_ALLOWED_ORIGINS)",
                value: ORIGIN,
                why: "Without it the token and userinfo endpoints refuse this origin.",
            },
            Quirk {
                setting: "OAUTH2_PROVIDER OIDC_RP_INITIATED_LOGOUT_ENABLED",
                value: "True",
                why: "Off by default: then discovery has no end_session_endpoint. The logout page asks the user to confirm, and refuses a POST without Django's CSRF token.",
            },
            Quirk {
                setting: "Response mode",
                value: "query or fragment",
                why: "It does not offer form_post (response_modes_supported is absent).",
            },
            Quirk {
                setting: "Cross-Origin-Opener-Policy",
                value: "same-origin (Django's default)",
                why: "Cuts the popup's link to this page; Flowlab's relay carries the answer on a BroadcastChannel instead.",
            },
            Quirk {
                setting: "Device grant",
                value: "oauthlib 3.3.1",
                why: "With oauthlib 4.0.1 the device authorization endpoint answers 500. The password grant returns no ID token.",
            },
        ],
        ..HOSTED
    },
];

impl Preset {
    /// The preset named `id`.
    pub fn find(id: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.id == id)
    }

    /// Adds the endpoints discovery left out, each named by a check on the discovery panel.
    pub fn supplement(&self, meta: &mut ProviderMetadata) -> Vec<Check> {
        let mut checks = Vec::new();
        for (member, path) in self.endpoints {
            let url = format!("{}{path}", meta.issuer.trim_end_matches('/'));
            let slot = match *member {
                "revocation_endpoint" => &mut meta.revocation_endpoint,
                "device_authorization_endpoint" => &mut meta.device_authorization_endpoint,
                _ => continue,
            };
            if slot.is_none() {
                checks.push(
                    Check::warn(
                        "endpoint from the preset",
                        format!(
                            "The discovery document has no {member}; the {} preset supplies {url}, which the \
                             provider serves though it does not publish it.",
                            self.name
                        ),
                        "OIDC Discovery 3; RFC 8414 2",
                    )
                );
                *slot = Some(url);
            }
        }
        checks
    }

    /// The preset's panel: what to set in the provider's console, with this app's values.
    pub fn step(&self, origin: &str, base: &str, redirect_uri: &str) -> Step {
        let mut step = Step::new(
            StepId::Preset,
            "What the provider needs",
            StepKind::Local,
            Actor::User,
            Actor::AuthorizationServer,
            "step/preset",
        );
        step.params = self
            .quirks
            .iter()
            .map(|q| Param {
                name: q.setting.into(),
                value: q
                    .value
                    .replace(ORIGIN, origin)
                    .replace(REDIRECT, redirect_uri)
                    .replace(BASE, base),
                meaning: q.why,
                secret: false,
            })
            .collect();
        step.checks.push(Check::skip(
            "preset",
            format!("{}: issuer of the form {}.", self.name, self.issuer_form),
            "Flowlab presets",
        ));
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::config::Config;

    #[test]
    fn presets_are_unique_and_complete() {
        for (i, p) in PRESETS.iter().enumerate() {
            assert!(PRESETS[..i].iter().all(|q| q.id != p.id), "{}", p.id);
            assert!(
                !p.quirks.is_empty() && !p.issuer_form.is_empty(),
                "{}",
                p.id
            );
            assert_eq!(Preset::find(p.id), Some(p));
        }
        assert!(Preset::find("nope").is_none());
    }

    #[test]
    fn supplies_what_discovery_leaves_out_and_says_so() {
        let p = Preset::find("django-oauth-toolkit").unwrap();
        let mut m = ProviderMetadata {
            issuer: "https://op/o".into(),
            revocation_endpoint: Some("https://op/o/revoke".into()),
            ..ProviderMetadata::default()
        };
        let checks = p.supplement(&mut m);
        assert_eq!(checks.len(), 1);
        assert_eq!(
            m.revocation_endpoint.as_deref(),
            Some("https://op/o/revoke")
        );
        assert_eq!(
            m.device_authorization_endpoint.as_deref(),
            Some("https://op/o/device-authorization/")
        );
        assert!(checks[0].detail.contains("does not publish it"));
    }

    #[test]
    fn a_preset_fills_the_configuration_and_its_panel() {
        let (c, ignored) = Config::defaults("https://app/")
            .apply_query("preset=okta&issuer=https%3A%2F%2Fx.okta.com%2Foauth2%2Fdefault");
        assert!(ignored.is_empty());
        assert_eq!(c.logout, LogoutMethod::GetHint);
        assert_eq!(c.issuer, "https://x.okta.com/oauth2/default");
        let (c, _) = Config::defaults("https://app/").apply_query("preset=auth0");
        assert!(c.extra.iter().any(|(k, _)| k == "audience"));
        let step = Preset::find("auth0").unwrap().step(
            "https://app",
            "https://app/",
            "https://app/callback.html",
        );
        assert!(step
            .params
            .iter()
            .any(|p| p.value == "https://app" && p.name == "Allowed Web Origins"));
        assert_eq!(
            Config::defaults("https://app/")
                .apply_query("preset=nope")
                .1
                .len(),
            1
        );
    }
}
