//! Links from the HTML report to a file at the exact commit that was graded on GitHub.
//!
//! Every address is assembled here from parts that are checked first, so that text from a
//! repository or a hand-edited JSON report can never become a `javascript:` or other link.

/// The web page of a repository and the commit it was read at, both checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitLinks<'a> {
    web_url: &'a str,
    commit: &'a str,
}

impl<'a> CommitLinks<'a> {
    /// Returns links for a repository whose `web_url` is an https address of plain URL
    /// characters and whose `commit` is a Git object id, or `None` otherwise.
    pub fn new(web_url: Option<&'a str>, commit: Option<&'a str>) -> Option<Self> {
        let web_url = web_url?.trim_end_matches('/');
        let commit = commit?;
        if !is_https_address(web_url) || !is_object_id(commit) {
            return None;
        }
        Some(CommitLinks { web_url, commit })
    }

    /// Returns the address of the repository's file tree at the commit.
    pub fn tree(&self) -> String {
        format!("{}/tree/{}", self.web_url, self.commit)
    }

    /// Returns the address of `path` at the commit, scrolled to `line` when it is not 0. GitHub
    /// marks line N of a file view with the fragment `#LN`.
    pub fn file(&self, path: &str, line: usize) -> String {
        let mut address = format!(
            "{}/blob/{}/{}",
            self.web_url,
            self.commit,
            encode_path(path)
        );
        if line > 0 {
            address.push_str(&format!("#L{line}"));
        }
        address
    }
}

/// Tells whether `address` is `https://HOST[/PATH]` made only of letters, digits and
/// `-._~/:%`, which needs no escaping in an attribute and cannot carry a second scheme.
fn is_https_address(address: &str) -> bool {
    let Some(rest) = address.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or_default();
    !host.is_empty()
        && rest.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '/' | ':' | '%')
        })
}

/// Tells whether `commit` is a full Git object id: 40 hex digits for SHA-1 repositories, 64 for
/// SHA-256 ones.
fn is_object_id(commit: &str) -> bool {
    matches!(commit.len(), 40 | 64) && commit.chars().all(|c| c.is_ascii_hexdigit())
}

/// Percent-encodes each segment of a repository path. RFC 3986 section 2.3 leaves letters,
/// digits and `-._~` unreserved; every other byte of the UTF-8 form is written as `%XX`.
fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
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

    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn file_link_points_at_line() {
        let links = CommitLinks::new(Some("https://github.com/acme/api"), Some(COMMIT)).unwrap();
        assert_eq!(
            links.file("deploy/Dockerfile", 12),
            format!("https://github.com/acme/api/blob/{COMMIT}/deploy/Dockerfile#L12")
        );
        assert_eq!(
            links.file(".dockerignore", 0),
            format!("https://github.com/acme/api/blob/{COMMIT}/.dockerignore")
        );
        assert_eq!(
            links.tree(),
            format!("https://github.com/acme/api/tree/{COMMIT}")
        );
    }

    #[test]
    fn file_link_encodes_path() {
        let links = CommitLinks::new(Some("https://ghe.example.com/a/b/"), Some(COMMIT)).unwrap();
        assert_eq!(
            links.file("my app/Dockerfile\"#x?y<é", 1),
            format!("https://ghe.example.com/a/b/blob/{COMMIT}/my%20app/Dockerfile%22%23x%3Fy%3C%C3%A9#L1")
        );
    }

    #[test]
    fn unsafe_web_url_gives_no_links() {
        for web_url in [
            "javascript:alert(1)",
            "http://github.com/acme/api",
            "https://",
            "https:///acme",
            "https://github.com/acme/api\" onclick=\"x",
            "https://github.com/acme/<script>",
            " https://github.com/acme/api",
            "data:text/html,<b>",
        ] {
            assert_eq!(
                CommitLinks::new(Some(web_url), Some(COMMIT)),
                None,
                "{web_url}"
            );
        }
    }

    #[test]
    fn non_object_id_commit_gives_no_links() {
        let web_url = Some("https://github.com/acme/api");
        for commit in ["main", "0123456", "../../x", &"g".repeat(40)] {
            assert_eq!(CommitLinks::new(web_url, Some(commit)), None, "{commit}");
        }
        assert_eq!(CommitLinks::new(web_url, None), None);
        assert!(CommitLinks::new(web_url, Some(&"a".repeat(64))).is_some());
    }
}
