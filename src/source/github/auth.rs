//! Credentials for the GitHub API. The token never appears in `Debug` output, logs or errors.

use std::fmt;

/// The environment variables read for a token, in order: the Actions runner sets `GITHUB_TOKEN`,
/// and the GitHub CLI reads `GH_TOKEN`.
pub const TOKEN_VARIABLES: [&str; 2] = ["GITHUB_TOKEN", "GH_TOKEN"];

/// A personal access token or installation token.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token, without surrounding whitespace such as the trailing newline of a file.
    pub fn new(token: impl Into<String>) -> Token {
        Token(token.into().trim().to_string())
    }

    /// Reads the first non-empty variable of [`TOKEN_VARIABLES`].
    pub fn from_env() -> Option<Token> {
        TOKEN_VARIABLES.iter().find_map(|variable| {
            std::env::var(variable)
                .ok()
                .filter(|value| !value.trim().is_empty())
                .map(Token::new)
        })
    }

    /// Returns the secret, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Token(<redacted>)")
    }
}

/// The credentials that requests authenticate with.
#[derive(Debug, Clone, Default)]
pub enum Credentials {
    /// No `Authorization` header: public repositories only, 60 requests per hour per address
    /// (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
    #[default]
    Anonymous,
    /// A bearer token sent with every request.
    Token(Token),
    /// A GitHub App: one installation token per repository owner, minted on first use and
    /// renewed by octocrab 30 seconds before it expires (tokens last one hour,
    /// https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app).
    App(AppCredentials),
}

/// A GitHub App id and its private key in PEM form.
#[derive(Clone, PartialEq, Eq)]
pub struct AppCredentials {
    pub app_id: u64,
    private_key: Vec<u8>,
}

impl AppCredentials {
    pub fn new(app_id: u64, private_key_pem: Vec<u8>) -> AppCredentials {
        AppCredentials {
            app_id,
            private_key: private_key_pem,
        }
    }

    /// Reads the private key from a PEM file.
    pub fn from_key_file(app_id: u64, path: &std::path::Path) -> Result<AppCredentials, String> {
        std::fs::read(path)
            .map(|pem| AppCredentials::new(app_id, pem))
            .map_err(|error| format!("cannot read the GitHub App key {}: {error}", path.display()))
    }

    pub(crate) fn private_key(&self) -> &[u8] {
        &self.private_key
    }
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// Reads a token from the environment, or returns [`Credentials::Anonymous`].
    pub fn from_env() -> Credentials {
        Token::from_env().map_or(Credentials::Anonymous, Credentials::Token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_token() {
        let token = Token::new("ghp_secretvalue\n");
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
        let credentials = Credentials::Token(token.clone());
        assert!(!format!("{credentials:?}").contains("secret"));
        assert_eq!(token.expose(), "ghp_secretvalue");

        let app = Credentials::App(AppCredentials::new(7, b"-----BEGIN KEY-----".to_vec()));
        assert!(!format!("{app:?}").contains("BEGIN"));
    }
}
