//! Which text of the content file (`content/en.json`) explains a parameter or a claim. The
//! texts themselves are content, not code: this maps a name to its key.

/// The content key of a request or response parameter's meaning, or a JWT claim's.
pub fn param_meaning(name: &str) -> &'static str {
    match name {
        "response_type" => "param/response_type",
        "response_mode" => "param/response_mode",
        "client_id" => "param/client_id",
        "redirect_uri" => "param/redirect_uri",
        "scope" => "param/scope",
        "state" => "param/state",
        "nonce" => "param/nonce",
        "code_challenge" => "param/code_challenge",
        "code_challenge_method" => "param/code_challenge_method",
        "code_verifier" => "param/code_verifier",
        "code" => "param/code",
        "iss" => "param/iss",
        "session_state" => "param/session_state",
        "error" => "param/error",
        "error_description" => "param/error_description",
        "error_uri" => "param/error_uri",
        "client_secret" => "param/client_secret",
        "client_assertion" => "param/client_assertion",
        "client_assertion_type" => "param/client_assertion_type",
        "username" => "param/username",
        "password" => "param/password",
        "grant_type" => "param/grant_type",
        "access_token" => "param/access_token",
        "id_token" => "param/id_token",
        "refresh_token" => "param/refresh_token",
        "token_type" => "param/token_type",
        "expires_in" => "param/expires_in",
        "prompt" => "param/prompt",
        "login_hint" => "param/login_hint",
        "audience" => "param/audience",
        "resource" => "param/resource",
        "max_age" => "param/max_age",
        "acr_values" => "param/acr_values",
        "ui_locales" => "param/ui_locales",
        "id_token_hint" => "param/id_token_hint",
        "post_logout_redirect_uri" => "param/post_logout_redirect_uri",
        "alg" => "param/alg",
        "kid" => "param/kid",
        "typ" => "param/typ",
        "sub" => "param/sub",
        "aud" => "param/aud",
        "azp" => "param/azp",
        "exp" => "param/exp",
        "iat" => "param/iat",
        "nbf" => "param/nbf",
        "jti" => "param/jti",
        "auth_time" => "param/auth_time",
        "at_hash" => "param/at_hash",
        "c_hash" => "param/c_hash",
        "sid" => "param/sid",
        "user_code" => "param/user_code",
        "verification_uri" => "param/verification_uri",
        "verification_uri_complete" => "param/verification_uri_complete",
        "acr" => "param/acr",
        "dpop_jkt" => "param/dpop_jkt",
        "request_uri" => "param/request_uri",
        "amr" => "param/amr",
        "name" | "given_name" | "family_name" | "preferred_username" | "email"
        | "email_verified" | "locale" | "updated_at" => "param/profile",
        _ => "param/other",
    }
}

/// The content key of what a check protects against, by the check's name.
pub fn check_meaning(name: &str) -> &'static str {
    match name {
        "CORS" => "check/cors",
        "HTTP 200" | "HTTP 200 with JSON" | "HTTP 2xx" | "JSON answer" | "JSON document"
        | "reachable" => "check/http",
        "OpenID Provider metadata" | "required members" => "check/metadata",
        "issuer matches" => "check/issuer",
        "endpoints use TLS" => "check/tls",
        "PKCE S256 supported" | "S256 challenge" | "code_verifier" => "check/pkce",
        "RSA key size"
        | "signing algorithms"
        | "a key for each algorithm"
        | "key set"
        | "signing keys"
        | "unique kid"
        | "use and alg"
        | "signing key" => "check/keys",
        "access_token" | "access_token present" | "token_type" | "token_type DPoP" => {
            "check/access-token"
        }
        "alg allowed" => "check/alg",
        "signature" => "check/signature",
        "well-formed JWT" | "ID token" | "id_token present" => "check/jwt",
        "iss"
        | "iss (RFC 9207)"
        | "RFC 9207 iss parameter"
        | "same iss"
        | "same iss as the front channel" => "check/iss",
        "aud" | "same aud" => "check/aud",
        "azp" => "check/azp",
        "exp" => "check/exp",
        "iat" | "nbf" => "check/time",
        "sub" | "same sub" | "same sub as the front channel" | "sub matches ID token" => {
            "check/sub"
        }
        "nonce" | "same nonce" => "check/nonce",
        "same auth_time" | "other claims agree" => "check/session",
        "at_hash" | "c_hash" | "s_hash" => "check/hash",
        "state" | "state matches a pending login" | "state entropy" => "check/state",
        "nonce entropy" => "check/nonce-entropy",
        "transaction fresh" | "claimed once" => "check/transaction",
        "code present" | "no error" => "check/answer",
        "no repeated parameters" => "check/repeated",
        "no token in the URL" => "check/url-token",
        "response mode" => "check/response-mode",
        "response_type supported"
        | "response_mode supported"
        | "grant type supported"
        | "client authentication supported"
        | "OpenID Connect"
        | "device endpoint"
        | "DPoP supported"
        | "PAR endpoint" => "check/support",
        "client assertion signed" | "client registered" => "check/client-key",
        "revoked" => "check/revoked",
        "rotation" => "check/rotation",
        "device_code, user_code, verification_uri" | "verification_uri" | "interval" | "poll" => {
            "check/device"
        }
        "cnf.jkt" | "DPoP proof" | "dpop_jkt" | "binding kept" => "check/dpop",
        "use_dpop_nonce" => "check/dpop-nonce",
        "Bearer replay refused" | "other key refused" => "check/dpop-steal",
        "request_uri" | "PAR required" => "check/par",
        "preset" | "endpoint from the preset" => "check/preset",
        "break-it" => "check/break-it",
        _ => "check/other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown() {
        assert_eq!(param_meaning("state"), "param/state");
        assert_eq!(param_meaning("given_name"), "param/profile");
        assert_eq!(param_meaning("x-custom"), "param/other");
    }
}
