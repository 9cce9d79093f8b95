//! The value of a `RUN --mount=...` flag: comma-separated `key=value` fields.

use super::scope::literal_word;
use super::stage::Mount;

/// Parses a `--mount` value such as `type=cache,target=/root/.cache,from=builder`.
///
/// BuildKit reads the value as one CSV record, so a field may be double-quoted to contain a
/// comma. Keys are case-insensitive and the type defaults to `bind`. The `from=` value is kept
/// as written, because BuildKit picks the stage or image for it before expanding variables.
pub(crate) fn parse_mount(value: &str) -> Mount {
    let fields =
        csv_fields(value).unwrap_or_else(|| value.split(',').map(str::to_string).collect());
    let mut mount = Mount {
        kind: "bind".to_string(),
        from: None,
    };
    for field in fields {
        let (key, value) = field.split_once('=').unwrap_or((field.as_str(), ""));
        match key.to_lowercase().as_str() {
            "type" => mount.kind = value.to_lowercase(),
            "from" => mount.from = Some(literal_word(value)),
            _ => {}
        }
    }
    mount
}

/// Splits one CSV record as Go's `encoding/csv` does with its defaults; `None` when the record
/// is malformed, such as a quote inside an unquoted field.
fn csv_fields(record: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut chars = record.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => break,
                    ch => field.push(ch),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Some(fields);
                }
                Some(',') => fields.push(field),
                Some(_) => return None,
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Some(fields);
                    }
                    Some(',') => break,
                    Some('"') => return None,
                    Some(ch) => field.push(ch),
                }
            }
            fields.push(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_type_defaults_to_bind() {
        let mount = parse_mount("target=/src,from=builder");
        assert_eq!(mount.kind, "bind");
        assert_eq!(mount.from.unwrap().value, "builder");
    }

    #[test]
    fn mount_keys_are_case_insensitive() {
        let mount = parse_mount("Type=Cache,FROM=base");
        assert_eq!(mount.kind, "cache");
        assert_eq!(mount.from.unwrap().value, "base");
    }

    #[test]
    fn quoted_field_may_contain_comma() {
        assert_eq!(
            csv_fields("type=secret,\"id=a,b\",x").unwrap(),
            ["type=secret", "id=a,b", "x"]
        );
        assert!(csv_fields("a\"b").is_none());
    }
}
