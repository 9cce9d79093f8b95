//! Rules that recognise secrets: variable names that name a secret, literal credential formats, and
//! files that look like keys or environment files.

use regex::Regex;
use std::sync::OnceLock;

/// Words that make a variable name say secret on their own.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
];

/// Adjacent word pairs that name a secret (`API_KEY`, `AWS_SECRET_ACCESS_KEY`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("PRIVATE", "KEY"),
    ("ACCESS", "KEY"),
    ("SECRET", "KEY"),
];

/// Last words that make the name a reference to a secret or a setting about it, not the secret.
const REFERENCE_WORDS: &[&str] = &[
    "FILE", "PATH", "DIR", "TTL", "SECONDS", "TIMEOUT", "LENGTH", "ENABLED", "NAME", "ID", "TYPE",
];

/// Tells whether a variable name says secret: one of its words (split on `_` and `-`, any case)
/// is a secret word, or two adjacent words form a secret pair, unless the last word marks a
/// reference or a setting. `KEY` alone and `PWD` (the working directory) are not secret words.
pub fn name_says_secret(name: &str) -> bool {
    let words: Vec<String> = name
        .split(['_', '-'])
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    let Some(last) = words.last() else {
        return false;
    };
    if REFERENCE_WORDS.contains(&last.as_str()) {
        return false;
    }
    let has_word = words
        .iter()
        .any(|word| SECRET_WORDS.contains(&word.as_str()));
    let has_pair = words.windows(2).any(|pair| {
        SECRET_PAIRS
            .iter()
            .any(|(first, second)| pair[0] == *first && pair[1] == *second)
    });
    has_word || has_pair
}

/// Tells whether a value is only a variable reference such as `$X` or `${X}` (or `${X:-}`).
pub fn is_variable_reference(value: &str) -> bool {
    static REFERENCE: OnceLock<Regex> = OnceLock::new();
    let pattern = REFERENCE.get_or_init(|| {
        Regex::new(r"^(\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*([:]?[-+?=][^}]*)?\})$")
            .expect("valid")
    });
    pattern.is_match(value.trim())
}

/// Tells whether a value is a literal secret: not empty, not a boolean or number, and not only
/// a variable reference.
pub fn is_literal_secret(value: &str) -> bool {
    let trimmed = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if trimmed.is_empty() || is_variable_reference(trimmed) {
        return false;
    }
    let lowered = trimmed.to_ascii_lowercase();
    if matches!(
        lowered.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off"
    ) {
        return false;
    }
    trimmed.parse::<f64>().is_err()
}

/// Names the credential format a value matches, whatever the variable is called.
pub fn credential_format(value: &str) -> Option<&'static str> {
    static FORMATS: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    let formats = FORMATS.get_or_init(|| {
        [
            (
                "an AWS access key id",
                r"\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b",
            ),
            ("a GitHub token", r"\b(ghp|gho|ghs|ghu)_[A-Za-z0-9]{20,}"),
            (
                "a GitHub fine-grained token",
                r"\bgithub_pat_[A-Za-z0-9_]{20,}",
            ),
            ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
            ("a private key", r"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----"),
            (
                "a URL with a literal password",
                r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@$]+:[^/\s@$]+@[^\s/]",
            ),
        ]
        .into_iter()
        .map(|(name, pattern)| (name, Regex::new(pattern).expect("valid")))
        .collect()
    });
    formats
        .iter()
        .find(|(_, pattern)| pattern.is_match(value))
        .map(|(name, _)| *name)
}

/// Masks secrets in a line of text before a report prints it: values in a credential format,
/// values after a password flag (`-p`, `-P`, `--password`, `--pass`), and literal values of
/// `NAME=value` or `NAME: value` pairs whose name says secret. Variable references stay.
pub fn redact(text: &str) -> String {
    static FLAG: OnceLock<Regex> = OnceLock::new();
    static PAIR: OnceLock<Regex> = OnceLock::new();
    let flag = FLAG.get_or_init(|| {
        Regex::new(r#"(?P<flag>(?:^|\s)(?:-p|-P|--password|--pass|--passwd)(?:=|\s+))(?P<value>"[^"]*"|'[^']*'|[^\s"']+)"#)
            .expect("valid")
    });
    // `:` separates a pair only when a space follows, so `http://host/?token=x` is read as the
    // pair `token=x` and not as a pair named `http`.
    let pair = PAIR.get_or_init(|| {
        Regex::new(r#"(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?P<separator>\s*=\s*|:\s+)(?P<value>"[^"]*"|'[^']*'|[^\s"',}\]&]+)"#)
            .expect("valid")
    });
    // Credentials that command lines pass in their own ways: an HTTP authorization header,
    // curl's `-u user:password`, a MySQL password glued to `-p`, and redis-cli's `-a`.
    static COMMAND: OnceLock<Regex> = OnceLock::new();
    let command = COMMAND.get_or_init(|| {
        Regex::new(concat!(
            r#"(?P<keep>(?i:authorization:\s*(?:bearer|basic|token)\s+))(?P<value>[^\s"',\]]+)"#,
            r#"|(?P<keep2>(?:^|\s)(?:-u|--user)\s+[^:\s"']+:)(?P<value2>[^\s"',\]]+)"#,
            r#"|(?P<keep3>(?:^|\s)-p)(?P<value3>[^\s"',\]$-][^\s"',\]]*)"#,
            r#"|(?P<keep4>redis-cli\b[^|;&]*?\s-a\s+)(?P<value4>[^\s"',\]]+)"#,
        ))
        .expect("valid")
    });

    let text = command
        .replace_all(text, |captures: &regex::Captures| {
            let keep = ["keep", "keep2", "keep3", "keep4"]
                .iter()
                .find_map(|name| captures.name(name))
                .map_or("", |found| found.as_str());
            let value = ["value", "value2", "value3", "value4"]
                .iter()
                .find_map(|name| captures.name(name))
                .map_or("", |found| found.as_str());
            if is_variable_reference(value) {
                captures[0].to_string()
            } else {
                format!("{keep}<redacted>")
            }
        })
        .into_owned();
    let mut redacted = flag
        .replace_all(&text, |captures: &regex::Captures| {
            let value = &captures["value"];
            if is_variable_reference(value.trim_matches(|c| c == '"' || c == '\'')) {
                captures[0].to_string()
            } else {
                format!("{}<redacted>", &captures["flag"])
            }
        })
        .into_owned();
    redacted = pair
        .replace_all(&redacted, |captures: &regex::Captures| {
            let value = captures["value"].trim_matches(|c| c == '"' || c == '\'');
            if name_says_secret(&captures["name"]) && is_literal_secret(value) {
                format!("{}{}<redacted>", &captures["name"], &captures["separator"])
            } else {
                captures[0].to_string()
            }
        })
        .into_owned();
    while let Some(found) = credential_match(&redacted) {
        redacted.replace_range(found, "<redacted>");
    }
    redacted
}

/// Returns the byte range of the first credential-format match in `text`.
fn credential_match(text: &str) -> Option<std::ops::Range<usize>> {
    credential_format(text)?;
    static ANY: OnceLock<Regex> = OnceLock::new();
    let any = ANY.get_or_init(|| {
        Regex::new(
            r"\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b|\b(ghp|gho|ghs|ghu)_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}|-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----(?s:.*?)(-----END ([A-Z0-9]+ )*PRIVATE KEY-----|$)|[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@$]+:[^/\s@$]+@",
        )
        .expect("valid")
    });
    any.find(text).map(|found| found.range())
}

/// Example environment files that hold no secrets by convention.
const ENV_EXAMPLES: &[&str] = &[".env.example", ".env.sample", ".env.template"];

/// Tells whether a repository file looks like a secret: `.env*` (other than the examples),
/// `*.pem`, `*.key`, `*.p12`, `*.pfx`, `id_rsa*`, `id_ed25519*` (public `.pub` halves excluded),
/// or a file under a `secrets/` or `credentials/` folder.
pub fn is_secret_file(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    let Some(name) = parts.pop() else {
        return false;
    };
    if parts.iter().any(|folder| {
        matches!(
            folder.to_ascii_lowercase().as_str(),
            "secrets" | "credentials"
        )
    }) {
        return true;
    }
    let lowered = name.to_ascii_lowercase();
    if lowered.starts_with(".env") {
        return (lowered == ".env" || lowered.starts_with(".env."))
            && !ENV_EXAMPLES.contains(&lowered.as_str());
    }
    if lowered.starts_with("id_rsa") || lowered.starts_with("id_ed25519") {
        return !lowered.ends_with(".pub");
    }
    [".pem", ".key", ".p12", ".pfx"]
        .iter()
        .any(|extension| lowered.ends_with(extension))
}

/// Paths that every ignore file must keep out of the build context, relative to the context.
pub const PROBE_PATHS: &[&str] = &[
    ".env",
    ".env.production",
    "app/.env",
    "key.pem",
    "certs/tls.key",
    "id_rsa",
    ".git/config",
    "secrets/db.txt",
    ".aws/credentials",
    ".ssh/id_ed25519",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_recognised() {
        for name in [
            "DB_PASSWORD",
            "db-passwd",
            "NPM_TOKEN",
            "API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "PRIVATE_KEY",
            "GITHUB_APIKEY",
            "CREDENTIALS",
        ] {
            assert!(name_says_secret(name), "{name} should say secret");
        }
    }

    #[test]
    fn reference_and_plain_names_are_not_secret() {
        for name in [
            "KEY",
            "PWD",
            "PASSWORD_FILE",
            "TOKEN_TTL",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "SIGNING_KEY",
            "MONKEY",
        ] {
            assert!(!name_says_secret(name), "{name} should not say secret");
        }
    }

    #[test]
    fn literal_secret_excludes_booleans_numbers_and_references() {
        assert!(is_literal_secret("hunter2"));
        assert!(!is_literal_secret(""));
        assert!(!is_literal_secret("true"));
        assert!(!is_literal_secret("3600"));
        assert!(!is_literal_secret("${NPM_TOKEN}"));
        assert!(!is_literal_secret("$NPM_TOKEN"));
    }

    #[test]
    fn credential_formats_are_recognised() {
        assert!(credential_format("AKIAABCDEFGHIJKLMNOP").is_some());
        assert!(credential_format(&format!("ghp_{}", "a1".repeat(18))).is_some());
        assert!(credential_format("postgres://app:s3cret@db:5432/app").is_some());
        assert!(credential_format("postgres://app:${DB_PASSWORD}@db/app").is_none());
        assert!(credential_format("https://example.com/path").is_none());
    }

    #[test]
    fn redact_masks_flags_pairs_and_credentials() {
        assert_eq!(
            redact("sqlcmd -S localhost -U sa -P hunter2pw -Q 'SELECT 1'"),
            "sqlcmd -S localhost -U sa -P <redacted> -Q 'SELECT 1'"
        );
        assert_eq!(
            redact("mysqladmin ping --password=$MYSQL_PASSWORD"),
            "mysqladmin ping --password=$MYSQL_PASSWORD"
        );
        assert_eq!(redact("DB_PASSWORD: s3cret"), "DB_PASSWORD: <redacted>");
        assert_eq!(
            redact("ENV API_TOKEN=abc123 MODE=prod"),
            "ENV API_TOKEN=<redacted> MODE=prod"
        );
        assert_eq!(
            redact("url: postgres://app:pw@db/app"),
            "url: <redacted>db/app"
        );
        assert_eq!(redact("USER app:app"), "USER app:app");
        assert_eq!(
            redact("curl -u admin:pw77 http://x"),
            "curl -u admin:<redacted> http://x"
        );
        assert_eq!(
            redact("curl -H \"Authorization: Bearer tok9\" x"),
            "curl -H \"Authorization: Bearer <redacted>\" x"
        );
        assert_eq!(
            redact("mysqladmin ping -pMyPw55"),
            "mysqladmin ping -p<redacted>"
        );
        assert_eq!(
            redact("redis-cli -a pw77 ping"),
            "redis-cli -a <redacted> ping"
        );
        assert_eq!(
            redact("curl http://localhost/?token=q11"),
            "curl http://localhost/?token=<redacted>"
        );
        assert_eq!(redact("image: nginx:1.27"), "image: nginx:1.27");
        assert_eq!(
            redact("K=\"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\""),
            "K=\"<redacted>\""
        );
    }

    #[test]
    fn secret_files_are_recognised() {
        for path in [
            ".env",
            "app/.env.production",
            "certs/server.pem",
            "tls.key",
            "id_rsa",
            "secrets/db.txt",
            "deploy/credentials/gcp.json",
        ] {
            assert!(is_secret_file(path), "{path} should look secret");
        }
        for path in [
            ".env.example",
            "id_rsa.pub",
            "src/main.rs",
            ".envrc-notes/readme",
            "keys.txt",
        ] {
            assert!(!is_secret_file(path), "{path} should not look secret");
        }
    }
}
