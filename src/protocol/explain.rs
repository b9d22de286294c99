//! What each protocol parameter means, in plain words, for the panels.

/// The meaning of a request or response parameter, or a JWT claim.
pub fn param_meaning(name: &str) -> &'static str {
    match name {
        "response_type" => "What the app asks for: \"code\" means a one-time authorization code, exchanged later over the back channel.",
        "response_mode" => "How the provider returns the answer: in the query, the fragment, or a POSTed form.",
        "client_id" => "Who the app is, as registered at the provider.",
        "redirect_uri" => "Where the provider sends the browser back. It must match a registered URI exactly.",
        "scope" => "What access is requested. \"openid\" makes it an OpenID Connect login; profile and email ask for those claims.",
        "state" => "A random value the app checks on return: an answer that does not carry it was not started here (CSRF).",
        "nonce" => "A random value the provider copies into the ID token, so a token from another login is refused.",
        "code_challenge" => "SHA-256 of the secret code verifier. The provider keeps it and checks the verifier later.",
        "code_challenge_method" => "How the challenge was derived: S256 (SHA-256). \"plain\" is never used.",
        "code_verifier" => "The secret behind the challenge. Only this app knows it; it proves the code is redeemed by whoever asked for it.",
        "code" => "The one-time authorization code: short-lived, bound to this client, redirect URI and challenge.",
        "iss" => "RFC 9207: the provider names itself in the answer, so a response from another provider (mix-up) is caught.",
        "session_state" => "The provider's session marker, used by session management; not checked here.",
        "error" => "An OAuth error code from the provider.",
        "error_description" => "The provider's explanation of the error (text from the provider).",
        "error_uri" => "A page about the error; linked only when it is https.",
        "client_secret" => "The client's secret: it proves the request comes from the registered client.",
        "client_assertion" => "A JWT signed with the client's private key (private_key_jwt): proof of the client without a shared secret.",
        "client_assertion_type" => "Says client_assertion is a JWT (RFC 7523).",
        "username" => "The user's name, typed into the app (password grant).",
        "password" => "The user's password, typed into the app: the reason the password grant is not recommended.",
        "grant_type" => "Which grant the token request uses: authorization_code redeems a code; refresh_token renews tokens without the user; client_credentials is the client acting for itself; password sends the user's password.",
        "access_token" => "The credential for calling APIs. Opaque to the app; sent as a Bearer token.",
        "id_token" => "A signed JWT that tells the app who signed in, when, and for which client.",
        "refresh_token" => "A long-lived credential for getting new access tokens without the user.",
        "token_type" => "How to use the access token: Bearer means whoever holds it may use it.",
        "expires_in" => "Seconds until the access token expires.",
        "prompt" => "Whether the provider must show login (login), consent (consent), or nothing (none).",
        "login_hint" => "Pre-fills the user name on the provider's login page.",
        "audience" => "The API the access token is for (a provider-specific parameter, e.g. Auth0).",
        "resource" => "RFC 8707: the API the access token is for.",
        "max_age" => "Maximum seconds since the user last signed in; older sessions must sign in again.",
        "acr_values" => "Requested authentication strength (e.g. multi-factor).",
        "ui_locales" => "Preferred languages for the provider's pages.",
        "id_token_hint" => "A previous ID token, telling the provider which session is meant.",
        "post_logout_redirect_uri" => "Where the provider sends the browser after signing out.",
        "alg" => "Header: the signature algorithm. Only RS256, PS256, ES256 and EdDSA are accepted.",
        "kid" => "Header: which of the provider's published keys signed the token.",
        "typ" => "Header: the token's media type.",
        "sub" => "Subject: the user's stable identifier at this provider.",
        "aud" => "Audience: the client(s) the token is meant for.",
        "azp" => "Authorized party: the client that obtained the token.",
        "exp" => "Expiry time (seconds since 1970).",
        "iat" => "Issue time (seconds since 1970).",
        "nbf" => "Not before: the token is not valid until this time (seconds since 1970).",
        "jti" => "A unique identifier for this token, so a replay can be recognised.",
        "auth_time" => "When the user actually authenticated.",
        "at_hash" => "Half of the access token's hash: binds the access token to this ID token.",
        "c_hash" => "Half of the code's hash: binds the code to this ID token.",
        "sid" => "The provider's session id.",
        "acr" => "How strongly the user authenticated.",
        "amr" => "Which methods the user authenticated with.",
        "name" | "given_name" | "family_name" | "preferred_username" | "email" | "email_verified" | "locale" | "updated_at" => {
            "A profile claim about the user, released because of the requested scopes."
        }
        _ => "A provider-specific parameter, passed as given.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown() {
        assert!(param_meaning("state").contains("CSRF"));
        assert!(param_meaning("x-custom").contains("provider-specific"));
    }
}
