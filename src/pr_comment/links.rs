//! Links from a pull-request comment to files at the head commit on the GitHub web host.

/// Returns the web address of the GitHub host whose REST API is at `api_url`.
///
/// github.com serves its API at `https://api.github.com`, and GitHub Enterprise Cloud with data
/// residency at `https://api.SUBDOMAIN.ghe.com`, so a leading `api.` is dropped from the host.
/// GitHub Enterprise Server serves it at `https://HOST/api/v3`, so that path is dropped. Any
/// other address (a proxy, or a test server) is kept as it is.
pub fn web_url(api_url: &str) -> String {
    let trimmed = api_url.trim_end_matches('/');
    let without_path = trimmed
        .strip_suffix("/api/v3")
        .unwrap_or(trimmed)
        .to_string();
    let Some((scheme, rest)) = without_path.split_once("://") else {
        return without_path;
    };
    match rest.strip_prefix("api.") {
        Some(host) if !host.contains('/') => format!("{scheme}://{host}"),
        _ => without_path,
    }
}

/// Builds links to lines of files at one commit of one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobLinks {
    web_url: String,
    repository: String,
    commit: String,
    /// The graded folder inside the repository, with a trailing `/`, or empty.
    prefix: String,
}

impl BlobLinks {
    /// Links into `repository` (`owner/name`) at `commit`. Finding paths are relative to the
    /// graded folder, which is `prefix` inside the repository.
    pub fn new(api_url: &str, repository: &str, commit: &str, prefix: &str) -> BlobLinks {
        BlobLinks {
            web_url: web_url(api_url),
            repository: repository.to_string(),
            commit: commit.to_string(),
            prefix: prefix.to_string(),
        }
    }

    /// Returns the address of `line` of `path`, such as
    /// `https://github.com/acme/api/blob/0123.../deploy/Dockerfile#L4`; a line of 0 (a finding
    /// about a whole file) links to the file.
    pub fn line(&self, path: &str, line: usize) -> String {
        let full = format!("{}{path}", self.prefix);
        let encoded = encode_path(&full);
        let anchor = if line == 0 {
            String::new()
        } else {
            format!("#L{line}")
        };
        format!(
            "{}/{}/blob/{}/{encoded}{anchor}",
            self.web_url, self.repository, self.commit
        )
    }
}

/// Percent-encodes a repository path for a URL, keeping `/` and the characters RFC 3986 leaves
/// unreserved, so that a space, `#`, `?` or `)` in a file name cannot end the link early.
fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'.' | b'_' | b'~');
        if keep {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_url_for_each_host() {
        assert_eq!(web_url("https://api.github.com"), "https://github.com");
        assert_eq!(web_url("https://api.github.com/"), "https://github.com");
        assert_eq!(
            web_url("https://ghe.example.com/api/v3"),
            "https://ghe.example.com"
        );
        assert_eq!(web_url("https://api.octo.ghe.com"), "https://octo.ghe.com");
        assert_eq!(web_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn line_link_encodes_path() {
        let links = BlobLinks::new("https://api.github.com", "acme/api", "abc123", "svc/");
        assert_eq!(
            links.line("deploy/Dockerfile", 4),
            "https://github.com/acme/api/blob/abc123/svc/deploy/Dockerfile#L4"
        );
        assert_eq!(
            links.line("my file(1).yaml", 0),
            "https://github.com/acme/api/blob/abc123/svc/my%20file%281%29.yaml"
        );
    }
}
