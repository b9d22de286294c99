//! The grants that need no browser redirect: Client Credentials (RFC 6749 4.4), where the client
//! acts for itself, and the Resource Owner Password Credentials grant (RFC 6749 4.3), which RFC
//! 9700 2.4 says must not be used: the app sees the user's password.

use super::config::{Config, Flow};
use super::error::{ErrorCode, FlowError};
use super::step::Step;
use super::token::{grant_step, TokenRequest};
use crate::protocol::step::StepId;

const CLIENT_CREDENTIALS: &str = "step/token.client-credentials";

const PASSWORD: &str = "step/token.password";

fn missing(what: &str) -> FlowError {
    FlowError::new(ErrorCode::InvalidConfig, format!("Enter the {what} first."))
}

/// The token request and its step for a direct grant. The scope is sent as configured (with
/// `openid` added for the password grant, which signs a user in); extra parameters such as
/// `audience` or `resource` go along.
pub fn direct_grant(config: &Config, endpoint: &str) -> Result<(TokenRequest, Step), FlowError> {
    if config.client_id.trim().is_empty() {
        return Err(missing("client_id registered at the provider"));
    }
    if config.uses_secret() && config.client_secret.is_empty() {
        return Err(missing("client secret"));
    }
    let mut scope: Vec<&str> = config.scope.split_whitespace().collect();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let (title, explanation) = match config.flow {
        Flow::ClientCredentials => {
            pairs.push(("grant_type", "client_credentials"));
            ("Request a token for the client itself", CLIENT_CREDENTIALS)
        }
        Flow::Password => {
            if config.username.is_empty() || config.password.is_empty() {
                return Err(missing("username and password"));
            }
            if !scope.contains(&"openid") {
                scope.insert(0, "openid");
            }
            pairs.extend([
                ("grant_type", "password"),
                ("username", config.username.as_str()),
                ("password", config.password.as_str()),
            ]);
            ("Request tokens with the user's password", PASSWORD)
        }
        _ => {
            return Err(FlowError::new(
                ErrorCode::InvalidConfig,
                "This flow goes through the browser, not a direct token request.",
            ))
        }
    };
    let scope = scope.join(" ");
    if !scope.is_empty() {
        pairs.push(("scope", &scope));
    }
    for (k, v) in &config.extra {
        if !pairs.iter().any(|(name, _)| name == k) {
            pairs.push((k, v));
        }
    }
    let request = TokenRequest::to_token_endpoint(&pairs, config);
    let step = grant_step(StepId::Token, title, explanation, endpoint, &request);
    Ok((request, step))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(q: &str) -> Config {
        Config::defaults("http://a/").apply_query(q).0
    }

    #[test]
    fn client_credentials_request() {
        let mut c =
            config("flow=client-credentials&client_id=m2m&scope=&audience=https%3A%2F%2Fapi");
        assert_eq!(
            direct_grant(&c, "https://op/token").unwrap_err().code,
            ErrorCode::InvalidConfig
        );
        c.client_secret = "s".into();
        let (req, step) = direct_grant(&c, "https://op/token").unwrap();
        assert_eq!(
            req.body,
            "grant_type=client_credentials&audience=https%3A%2F%2Fapi"
        );
        assert!(req.headers.iter().any(|(k, _)| k == "Authorization"));
        assert_eq!(step.id, StepId::Token);
        assert_eq!(step.explanation, "step/token.client-credentials");
    }

    #[test]
    fn password_request_masks_the_password() {
        let mut c = config("flow=password&scope=profile");
        assert!(direct_grant(&c, "u")
            .unwrap_err()
            .message
            .contains("username"));
        c.username = "alice".into();
        c.password = "pa ss".into();
        let (req, step) = direct_grant(&c, "https://op/token").unwrap();
        assert_eq!(
            req.body,
            "grant_type=password&username=alice&password=pa+ss&scope=openid+profile&client_id=flowlab-demo"
        );
        assert_eq!(step.explanation, "step/token.password");
        let masked = format!("{:?}", step.masked());
        assert!(
            !masked.contains("pa+ss") && !masked.contains("pa ss"),
            "{masked}"
        );
        assert!(step.params.iter().any(|p| p.name == "password" && p.secret));
    }

    #[test]
    fn redirect_flows_are_not_direct() {
        assert!(direct_grant(&config("flow=pkce"), "u").is_err());
    }
}
