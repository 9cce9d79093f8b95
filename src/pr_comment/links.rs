//! Links from a pull-request comment to files at the head commit on the GitHub web host.

use crate::report::links::CommitLinks;

/// Builds links to lines of files at one commit of one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobLinks {
    /// The repository's web page, or `None` when the API URL gives no web host.
    repository_url: Option<String>,
    commit: String,
    /// The graded folder inside the repository, with a trailing `/`, or empty.
    prefix: String,
}

impl BlobLinks {
    /// Links into `repository` (`owner/name`) on the web host of the API at `api_url` (see
    /// [`crate::scan::web_base`]), at `commit`. Finding paths are relative to the graded
    /// folder, which is `prefix` inside the repository.
    pub fn new(api_url: &str, repository: &str, commit: &str, prefix: &str) -> BlobLinks {
        BlobLinks {
            repository_url: crate::scan::web_base(api_url)
                .map(|base| format!("{base}/{repository}")),
            commit: commit.to_string(),
            prefix: prefix.to_string(),
        }
    }

    /// Returns the address of `line` of `path`, such as
    /// `https://github.com/acme/api/blob/0123.../deploy/Dockerfile#L4`, or `None` when the host
    /// or commit cannot be linked safely. A line of 0 (a finding about a whole file) links to
    /// the file.
    pub fn line(&self, path: &str, line: usize) -> Option<String> {
        let links = CommitLinks::new(self.repository_url.as_deref(), Some(&self.commit))?;
        Some(links.file(&format!("{}{path}", self.prefix), line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn line_link_has_prefix_and_host() {
        let links = BlobLinks::new("https://api.github.com", "acme/api", COMMIT, "svc/");
        assert_eq!(
            links.line("deploy/Dockerfile", 4).as_deref(),
            Some(
                format!("https://github.com/acme/api/blob/{COMMIT}/svc/deploy/Dockerfile#L4")
                    .as_str()
            )
        );
        let enterprise = BlobLinks::new("https://ghe.example.com/api/v3", "acme/api", COMMIT, "");
        assert_eq!(
            enterprise.line("my file.yaml", 0).as_deref(),
            Some(format!("https://ghe.example.com/acme/api/blob/{COMMIT}/my%20file.yaml").as_str())
        );
    }

    #[test]
    fn unknown_host_gives_no_link() {
        let links = BlobLinks::new("http://127.0.0.1:8080", "acme/api", COMMIT, "");
        assert_eq!(links.line("Dockerfile", 1), None);
    }
}
