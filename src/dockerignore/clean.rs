//! Lexical cleaning of `/`-separated paths, with the rules of Go's `path/filepath.Clean` on Unix.

/// Returns the shortest path equivalent to `path` by lexical processing alone.
///
/// Docker cleans every `.dockerignore` pattern this way before matching, so `./x`, `x/`, `x//y` and
/// `x/../x` all name `x`. The rules are Go's (<https://pkg.go.dev/path/filepath#Clean>): repeated
/// separators collapse, `.` elements go, `..` removes the element before it, `..` right after the
/// root is dropped, and an empty result becomes `.`. A `..` at the start of a relative path stays.
pub fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();

    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            _ => parts.push(part),
        }
    }

    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::clean_path;

    #[test]
    fn clean_path_matches_go_rules() {
        let cases = [
            ("", "."),
            (".", "."),
            ("./", "."),
            ("./x", "x"),
            ("x/", "x"),
            ("x//y", "x/y"),
            ("x/./y", "x/y"),
            ("x/../y", "y"),
            ("x/..", "."),
            ("../x", "../x"),
            ("x/../../y", "../y"),
            ("../..", "../.."),
            ("/", "/"),
            ("//x", "/x"),
            ("/..", "/"),
            ("/../x", "/x"),
            ("!../..", "."),
            ("**/", "**"),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_path(input), expected, "clean_path({input:?})");
        }
    }
}
