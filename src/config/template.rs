//! The commented repos.toml that `dockgrade init` writes, listing every key with its default.

/// Returns the repos.toml template: every key, its default and an example, with the optional
/// keys commented out. As written it grades the folder that contains the file.
pub fn init_template() -> &'static str {
    TEMPLATE
}

const TEMPLATE: &str = r##"# repos.toml: the repositories that dockgrade grades, and how.
# Paths are relative to the folder that holds this file. Lines starting with
# "# " followed by a key show an optional key with an example value.

[grading]
# The best grade a repository can get while it has a blocker (an unwaived
# critical finding such as a mounted Docker socket): A, B, C, D or F.
blocker_cap = "F"

[discovery]
# Folders that are not searched. A name matches a folder of that name at any
# depth; a path with "/" matches that folder from the repository root. Every
# skipped folder is listed in the report.
skip = [".git", "node_modules", "vendor", "third_party", "testdata", "fixtures"]

[github]
# The REST base URL of the GitHub API, for repositories read with github =
# "owner/name". For GitHub Enterprise Server write https://HOST/api/v3; GraphQL
# is then read at https://HOST/api/graphql. Default: https://api.github.com.
# The token comes from the GITHUB_TOKEN or GH_TOKEN environment variable.
# api_url = "https://github.example.com/api/v3"

# One [[repo]] table per repository.
[[repo]]
# Display name. Default: the folder's name, or owner/name for GitHub.
# name = "payments-api"

# Where to read the repository: exactly one of path and github.
# A local folder, relative to this file.
path = "."
# A GitHub repository as owner/name.
# github = "owner/name"
# The branch, tag or commit to read, only with github. Default: the default branch.
# ref = "main"

# Globs over repository paths: "*" stays inside one folder, "**" crosses folders.
# When include is not empty, only matching files are read. Default: [].
# include = ["services/**"]
# Matching files are left out. Default: [].
# exclude = ["legacy/**"]

# An image to grade as set here. Repeat the table for more images.
# dockerfile is required and relative to the repository root. context defaults
# to the Dockerfile's folder, and target to the last stage.
# [[repo.image]]
# dockerfile = "docker/api.Dockerfile"
# context = "."
# target = "runtime"

# A Compose project, loaded as `docker compose -f <first> -f <second> ...`.
# files is required. Repeat the table for more projects.
# [[repo.compose]]
# files = ["deploy/compose.yaml", "deploy/compose.prod.yaml"]

# A waiver turns the verdict of a control or blocker into "waived" through the
# expiry date. All three keys are required; expires is a TOML date or a
# "YYYY-MM-DD" string.
# Control ids: multi-stage, non-root, pinned-digest, healthcheck, dockerignore,
# cap-drop, read-only.
# Blocker ids: docker-socket, privileged, host-namespace, unconfined,
# secret-in-image.
# [[repo.waiver]]
# id = "pinned-digest"
# reason = "base image is rebuilt nightly"
# expires = 2027-06-30

# Every repository of a GitHub organization or user, each read at its default
# branch like a [[repo]] with a github key. Archived repositories and forks
# are left out unless archived or forks is true. include and exclude are globs
# over repository names. A repository also listed as a [[repo]] is read once,
# with that entry's settings. Remove the "#" at the start of each line to use it.
#[[org]]
#  name = "octo-org"
#  include = ["api-*", "*-service"]
#  exclude = ["*-sandbox"]
#  archived = false
#  forks = false
"##;

#[cfg(test)]
mod tests {
    use super::super::raw::TABLES;
    use super::super::{Config, DEFAULT_SKIP};
    use super::init_template;
    use crate::controls::{BLOCKERS, CONTROLS};
    use std::path::Path;

    /// Uncomments the example lines whose key is not in `keep_commented`.
    fn uncomment_examples(keep_commented: &[&str]) -> String {
        let mut lines = Vec::new();
        for line in init_template().lines() {
            let Some(example) = line.strip_prefix("# ") else {
                lines.push(line.to_string());
                continue;
            };
            let key = example.split(" = ").next().unwrap_or("");
            let is_table = example.starts_with("[[repo.");
            let is_key = example.contains(" = ") && !key.contains(' ');
            if (is_table || is_key) && !keep_commented.contains(&key) {
                lines.push(example.to_string());
            } else {
                lines.push(line.to_string());
            }
        }
        lines.join("\n")
    }

    #[test]
    fn template_parses_and_validates() {
        let config = Config::parse(init_template(), Path::new("/work/repos.toml"))
            .unwrap_or_else(|error| panic!("the template is invalid:\n{error}"));
        assert_eq!(config.repos.len(), 1);
        assert_eq!(config.discovery.skip, DEFAULT_SKIP);
    }

    #[test]
    fn template_examples_parse_with_path() {
        let text = uncomment_examples(&["github", "ref"]);
        let config = Config::parse(&text, Path::new("/work/repos.toml")).unwrap_or_else(|error| {
            panic!("the uncommented template is invalid:\n{error}\n{text}")
        });
        let repo = &config.repos[0];
        assert_eq!(repo.name, "payments-api");
        assert_eq!(repo.images.len(), 1);
        assert_eq!(repo.compose.len(), 1);
        assert_eq!(repo.waivers.len(), 1);
        assert_eq!(repo.include, ["services/**"]);
    }

    #[test]
    fn template_examples_parse_with_github() {
        let text = uncomment_examples(&[]).replace("\npath = \".\"", "\n# path = \".\"");
        let config = Config::parse(&text, Path::new("/work/repos.toml")).unwrap_or_else(|error| {
            panic!("the uncommented template is invalid:\n{error}\n{text}")
        });
        assert!(matches!(
            &config.repos[0].source,
            super::super::RepoSource::GitHub { repository, git_ref: Some(git_ref) }
                if repository == "owner/name" && git_ref == "main"
        ));
    }

    #[test]
    fn template_lists_every_key() {
        let template = init_template();
        for (table, keys) in TABLES {
            for key in *keys {
                let as_key = format!("{key} = ");
                let as_table = format!("[{key}]");
                let as_nested_table = format!("[[repo.{key}]]");
                let as_array_table = format!("[[{key}]]");
                let found = template.contains(&as_key)
                    || template.contains(&as_table)
                    || template.contains(&as_nested_table)
                    || template.contains(&as_array_table);
                assert!(found, "the template does not show `{key}` of {table}");
            }
        }
    }

    #[test]
    fn template_lists_every_waiver_id() {
        for id in CONTROLS.iter().chain(BLOCKERS.iter()).map(|info| info.id) {
            assert!(
                init_template().contains(id),
                "the template does not list `{id}`"
            );
        }
    }
}
