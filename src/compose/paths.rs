//! Repository-relative paths: joining a path written in a Compose file onto a folder, and normalizing it.

/// Returns the folder of a repository-relative file path (`""` for a file at the root).
pub(crate) fn parent_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(index) => path[..index].to_string(),
        None => String::new(),
    }
}

/// Returns true for a path that does not start from the folder of the file that contains it: a
/// Unix absolute path, a home-relative path, or a Windows drive or UNC path.
pub(crate) fn is_absolute(path: &str) -> bool {
    path.starts_with('/')
        || path.starts_with('~')
        || path.starts_with('\\')
        || has_drive_letter(path)
}

/// Returns true for `C:\...` or `C:/...`.
pub(crate) fn has_drive_letter(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && (bytes[2] == b'\\' || bytes[2] == b'/')
}

/// Returns true for a build context that Compose fetches instead of reading from disk: a URL with a
/// scheme, or the `git@` and `github.com/` forms that Docker treats as Git repositories.
pub(crate) fn is_remote(path: &str) -> bool {
    if path.starts_with("git@") || path.starts_with("github.com/") {
        return true;
    }
    match path.find("://") {
        Some(index) if index > 0 => path[..index]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'),
        _ => false,
    }
}

/// Joins `relative` onto the repository folder `dir` and normalizes `.` and `..` segments.
///
/// Returns `None` when `relative` is absolute or remote, or when `..` climbs above the repository
/// root, because such a path names nothing inside the repository.
pub(crate) fn join(dir: &str, relative: &str) -> Option<String> {
    if is_absolute(relative) || is_remote(relative) {
        return None;
    }

    let mut segments: Vec<&str> = Vec::new();
    for segment in dir.split('/').chain(relative.split('/')) {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            other => segments.push(other),
        }
    }
    Some(segments.join("/"))
}

/// Normalizes a repository-relative path: drops `./` and empty segments and resolves `..`.
pub(crate) fn normalize(path: &str) -> Option<String> {
    join("", path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_dir_of_nested_and_root_files() {
        assert_eq!(parent_dir("deploy/compose.yaml"), "deploy");
        assert_eq!(parent_dir("compose.yaml"), "");
    }

    #[test]
    fn join_resolves_dots() {
        assert_eq!(join("deploy", "./app").as_deref(), Some("deploy/app"));
        assert_eq!(join("deploy", "..").as_deref(), Some(""));
        assert_eq!(join("deploy/a", "../b/./c").as_deref(), Some("deploy/b/c"));
        assert_eq!(join("", ".").as_deref(), Some(""));
    }

    #[test]
    fn join_rejects_escapes_and_absolute_paths() {
        assert_eq!(join("deploy", "../.."), None);
        assert_eq!(join("", "/srv/app"), None);
        assert_eq!(join("", "~/app"), None);
        assert_eq!(join("", "C:\\docker\\project"), None);
        assert_eq!(join("", "https://github.com/docker/compose.git"), None);
    }

    #[test]
    fn remote_contexts() {
        assert!(is_remote("https://github.com/docker/compose.git"));
        assert!(is_remote("git@github.com:docker/compose.git"));
        assert!(is_remote("github.com/docker/compose"));
        assert!(!is_remote("./app"));
        assert!(!is_remote("remote:cycle/compose.yaml"));
    }
}
