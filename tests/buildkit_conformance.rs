//! Conformance with BuildKit's own test vectors: parser dumps, rejected inputs, word expansion and word splitting.
//!
//! The vectors are read from the shared reference data next to the crate. Every test fails with
//! a message naming the missing path when that data is absent.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use dockgrade::dockerfile::{dump_buildkit, parse, Lexer};

fn vectors_dir() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/peer-tests/buildkit-parser");
    assert!(
        dir.is_dir(),
        "BuildKit test vectors not found at {}; the shared reference data must sit next to the crate",
        dir.display()
    );
    dir
}

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn parser_dumps_match_results() {
    let cases = subdirectories(&vectors_dir().join("testfiles"));
    assert!(!cases.is_empty(), "no parser test vectors found");

    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected = read(&case.join("result"));
        match parse(&read(&case.join("Dockerfile"))) {
            Ok(dockerfile) => {
                let actual = dump_buildkit(&dockerfile);
                if actual != expected {
                    failures.push(format!(
                        "{name}:\n--- expected\n{expected}--- actual\n{actual}"
                    ));
                }
            }
            Err(error) => failures.push(format!("{name}: rejected: {error}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} parser vectors differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn parser_rejects_negative_vectors() {
    let cases = subdirectories(&vectors_dir().join("testfiles-negative"));
    assert!(!cases.is_empty(), "no negative parser test vectors found");

    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        match parse(&read(&case.join("Dockerfile"))) {
            Ok(dockerfile) => {
                failures.push(format!("{name}: accepted:\n{}", dump_buildkit(&dockerfile)))
            }
            Err(error) if error.line == 0 => {
                failures.push(format!("{name}: error names no line: {error}"))
            }
            Err(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "negative vectors not rejected:\n{}",
        failures.join("\n")
    );
}

/// Returns the environment BuildKit's expansion vectors are written for: `NULL` is set but
/// empty, and every other name is unset.
fn expansion_environment() -> BTreeMap<String, String> {
    [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect()
}

#[test]
fn expansion_matches_env_var_vectors() {
    let path = vectors_dir().join("shell/envVarTest");
    let environment = expansion_environment();
    let lexer = Lexer::new('\\');

    let mut checked = 0;
    let mut failures = Vec::new();
    for (index, line) in read(&path).lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('|').collect();
        assert_eq!(
            fields.len(),
            3,
            "line {} of {} has no three fields",
            index + 1,
            path.display()
        );
        let (platform, input, expected) = (fields[0].trim(), fields[1].trim(), fields[2].trim());
        // W lines describe Windows, where names are case-insensitive.
        if platform == "W" {
            continue;
        }
        assert!(
            platform == "A" || platform == "U",
            "line {}: unknown platform {platform:?}",
            index + 1
        );

        checked += 1;
        let result = lexer.expand(input, &environment);
        let ok = match (&result, expected) {
            (Err(_), "error") => true,
            (Ok(expansion), expected) => expected != "error" && expansion.value == expected,
            (Err(_), _) => false,
        };
        if !ok {
            failures.push(format!(
                "line {}: {input:?} expected {expected:?}, got {result:?}",
                index + 1
            ));
        }
    }
    assert!(
        checked > 200,
        "only {checked} expansion vectors read from {}",
        path.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} expansion vectors differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn word_splitting_matches_words_vectors() {
    let path = vectors_dir().join("shell/wordsTest");
    let lexer = Lexer::new('\\');
    let mut environment = BTreeMap::new();

    let mut checked = 0;
    let mut failures = Vec::new();
    for (index, line) in read(&path).lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(assignment) = line.strip_prefix("ENV ") {
            let assignment = assignment.trim_start_matches(' ');
            let (name, value) = assignment.split_once('=').unwrap_or((assignment, ""));
            environment.insert(name.to_string(), value.to_string());
            continue;
        }
        let fields: Vec<&str> = line.split('|').collect();
        assert_eq!(
            fields.len(),
            2,
            "line {} of {} has no single |",
            index + 1,
            path.display()
        );
        let input = fields[0].trim();
        let expected: Vec<&str> = fields[1].trim_start_matches(' ').split(',').collect();

        checked += 1;
        let words = lexer
            .expand_words(input, &environment)
            .unwrap_or_else(|_| vec!["error".to_string()]);
        if words != expected {
            failures.push(format!(
                "line {}: {input:?} expected {expected:?}, got {words:?}",
                index + 1
            ));
        }
    }
    assert!(
        checked > 20,
        "only {checked} word vectors read from {}",
        path.display()
    );
    assert!(
        failures.is_empty(),
        "word vectors differ:\n{}",
        failures.join("\n")
    );
}

/// The testfile-line input spreads three instructions over 35 lines with blank lines, comments
/// and continuations. BuildKit's line-information test expects these start and end lines.
#[test]
fn line_numbers_of_spread_out_file() {
    let text = read(&vectors_dir().join("testfile-line/Dockerfile"));
    let dockerfile = parse(&text).expect("testfile-line parses");

    let lines: Vec<(usize, usize)> = dockerfile
        .instructions
        .iter()
        .map(|instruction| (instruction.line, instruction.end_line))
        .collect();
    assert_eq!(lines, [(5, 5), (11, 12), (17, 31)]);

    let directive = &dockerfile.directives[0];
    assert_eq!(
        (
            directive.name.as_str(),
            directive.value.as_str(),
            directive.line
        ),
        ("escape", "\\", 1)
    );
}
