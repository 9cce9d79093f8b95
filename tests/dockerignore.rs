//! Tests of the `.dockerignore` matcher against moby's rules, and of finding the ignore file of a build.

use dockgrade::dockerignore::{ignore_file_for, IgnoreFile};
use dockgrade::source::Snapshot;
use std::path::{Path, PathBuf};

/// One case: the ignore file, then each path with whether Docker leaves it out of the context.
struct Case {
    name: &'static str,
    ignore: &'static str,
    paths: &'static [(&'static str, bool)],
}

const CASES: &[Case] = &[
    Case {
        name: "allow list: star then a folder exception",
        ignore: "*\n!src/\n",
        paths: &[
            ("src/main.rs", false),
            ("src", false),
            ("src/deep/lib.rs", false),
            ("README.md", true),
            (".env", true),
            ("docs/guide.md", true),
            ("srcx/file", true),
        ],
    },
    Case {
        name: "double star before a name matches at every depth",
        ignore: "**/.env\n",
        paths: &[
            (".env", true),
            ("app/.env", true),
            ("a/b/c/.env", true),
            ("app/x.env", false),
            (".env.production", false),
        ],
    },
    Case {
        name: "a name without slash matches only at the root",
        ignore: ".env\n*.pem\nsecrets\n",
        paths: &[
            (".env", true),
            ("app/.env", false),
            ("key.pem", true),
            ("certs/server.pem", false),
            ("secrets/db.txt", true),
            ("app/secrets/db.txt", false),
        ],
    },
    Case {
        name: "a folder pattern excludes everything under it",
        ignore: "secrets\n",
        paths: &[
            ("secrets", true),
            ("secrets/db.txt", true),
            ("secrets/a/b/c.txt", true),
            ("secretsx", false),
        ],
    },
    Case {
        name: "exception after exclusion keeps the file",
        ignore: "*.md\n!README*.md\nREADME-secret.md\n",
        paths: &[
            ("README.md", false),
            ("README-secret.md", true),
            ("CHANGES.md", true),
        ],
    },
    Case {
        name: "the last matching pattern wins",
        ignore: "*.md\nREADME-secret.md\n!README*.md\n",
        paths: &[("README-secret.md", false), ("CHANGES.md", true)],
    },
    Case {
        name: "exclusion after exception excludes again",
        ignore: "*\n!log/\nlog/*\n",
        paths: &[("log", false), ("log/app.log", true), ("main.sh", true)],
    },
    Case {
        name: "exception below an excluded folder",
        ignore: ".git\n!.git/HEAD\n",
        paths: &[(".git/config", true), (".git/HEAD", false)],
    },
    Case {
        name: "leading dot slash and slash are stripped",
        ignore: "./docker\n/private\n//data\n",
        paths: &[
            ("docker", true),
            ("docker/Dockerfile", true),
            ("private/key", true),
            ("data", true),
            ("app/docker", false),
            ("app/private", false),
        ],
    },
    Case {
        name: "patterns are cleaned like paths",
        ignore: "logs/\nbuild//out\ntmp/../cache\n",
        paths: &[
            ("logs/a.txt", true),
            ("build/out/x", true),
            ("cache/y", true),
            ("tmp/z", false),
        ],
    },
    Case {
        name: "a single star stays inside one folder",
        ignore: "*/temp*\n",
        paths: &[
            ("somedir/temporary.txt", true),
            ("somedir/temp", true),
            ("temp", false),
            ("a/b/temp", false),
        ],
    },
    Case {
        name: "question mark matches one character but not a slash",
        ignore: "temp?\n",
        paths: &[
            ("tempa", true),
            ("temp", false),
            ("tempab", false),
            ("temp/", false),
        ],
    },
    Case {
        name: "character classes",
        ignore: "**/[Dd]ockerfile*\n[^a]bc\n[!x]yz\nfile[0-9].txt\n",
        paths: &[
            ("docker/dockerfile", true),
            ("Dockerfile.alpine", true),
            ("xockerfile", false),
            ("xbc", true),
            ("abc", false),
            ("!yz", true),
            ("qyz", false),
            ("file7.txt", true),
            ("filex.txt", false),
        ],
    },
    Case {
        name: "backslash escapes a wildcard",
        ignore: "\\*.txt\nq\\?\n",
        paths: &[
            ("*.txt", true),
            ("a.txt", false),
            ("q?", true),
            ("qa", false),
        ],
    },
    Case {
        name: "trailing double star needs something after the folder",
        ignore: "foo/**\n",
        paths: &[
            ("foo/bar", true),
            ("foo/a/b", true),
            ("foo", false),
            ("foobar", false),
        ],
    },
    Case {
        name: "double star in the middle spans zero or more folders",
        ignore: "a/**/b\n",
        paths: &[
            ("a/b", true),
            ("a/x/y/b", true),
            ("a/b/c", true),
            ("ab", false),
            ("a/xb", false),
        ],
    },
    Case {
        name: "leading double star without wildcards compares by suffix",
        ignore: "**.env\n",
        paths: &[("app/x.env", true), (".env", true), ("x.envy", false)],
    },
    Case {
        name: "double star alone excludes everything but its exceptions",
        ignore: "# allow list\n\n**\n\n!/static/**\n!/.work/**\n",
        paths: &[
            ("static/app.js", false),
            (".work/build/x", false),
            (".env", true),
            ("src/main.py", true),
            ("static", true),
        ],
    },
    Case {
        name: "comments only at the start of a line",
        ignore: "# .env\n.git\n # .npmrc\n",
        paths: &[
            (".env", false),
            (".git/config", true),
            ("# .npmrc", true),
            (".npmrc", false),
        ],
    },
    Case {
        name: "double slash lines are patterns",
        ignore: "// Ignore everything\n*\n",
        paths: &[("Ignore everything", true), ("src/main.rs", true)],
    },
    Case {
        name: "surrounding whitespace and spaced exceptions",
        ignore: "  .env  \n*.key\n!  public.key\n\t\n",
        paths: &[(".env", true), ("private.key", true), ("public.key", false)],
    },
    Case {
        name: "spaces exposed by cleaning are trimmed",
        ignore: "./ spaced\n*\n! keep /\n/ **/deep\n",
        paths: &[
            ("spaced", true),
            ("keep", false),
            ("keep/file", false),
            ("keep/deep", true),
            ("other", true),
        ],
    },
    Case {
        name: "byte order mark and carriage returns",
        ignore: "\u{feff}.env\r\n.git\r\n",
        paths: &[(".env", true), (".git/config", true), ("src", false)],
    },
    Case {
        name: "root and dot patterns match nothing",
        ignore: "/\n.\n./\n..\n",
        paths: &[("a", false), ("a/b", false), (".env", false)],
    },
    Case {
        name: "paths given with dot slash or leading slash",
        ignore: "secrets\n",
        paths: &[
            ("./secrets/db.txt", true),
            ("/secrets/db.txt", true),
            (".", false),
        ],
    },
];

#[test]
fn moby_cases_table() {
    for case in CASES {
        let file = IgnoreFile::parse(case.ignore);
        assert!(
            file.invalid.is_empty(),
            "{}: unexpected invalid patterns {:?}",
            case.name,
            file.invalid
        );
        for (path, expected) in case.paths {
            assert_eq!(
                file.is_excluded(path),
                *expected,
                "{}: is_excluded({path:?}) with ignore file {:?}",
                case.name,
                case.ignore
            );
        }
    }
}

#[test]
fn decisive_pattern_cites_line() {
    let file = IgnoreFile::parse("# keep docs\n*.md\n\n!README.md\nsecrets\n");

    let readme = file
        .decisive_pattern("README.md")
        .expect("README.md is matched");
    assert_eq!(readme.line, 4);
    assert!(readme.is_exception);
    assert_eq!(readme.text, "!README.md");
    assert_eq!(readme.pattern, "README.md");

    let secret = file
        .decisive_pattern("secrets/db.txt")
        .expect("secrets/db.txt is matched");
    assert_eq!(secret.line, 5);
    assert!(!secret.is_exception);

    let guide = file.decisive_pattern("docs/guide.md");
    assert!(guide.is_none(), "*.md matches only at the root: {guide:?}");
}

#[test]
fn parse_keeps_cleaned_patterns() {
    let file = IgnoreFile::parse("./a/b/\n! /c\n/d//e\n");
    let patterns: Vec<(&str, bool, usize)> = file
        .patterns
        .iter()
        .map(|pattern| (pattern.pattern.as_str(), pattern.is_exception, pattern.line))
        .collect();
    assert_eq!(
        patterns,
        [("a/b", false, 1), ("c", true, 2), ("d/e", false, 3)]
    );
}

#[test]
fn invalid_patterns_recorded_with_line() {
    let text = "ok\n[abc\n!\nabc\\\n[]a]\n[z-a]\n[a-]\nfine\n";
    let file = IgnoreFile::parse(text);

    let lines: Vec<usize> = file.invalid.iter().map(|invalid| invalid.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6, 7]);
    for invalid in &file.invalid {
        assert!(
            !invalid.message.is_empty(),
            "line {} has no message",
            invalid.line
        );
    }
    assert_eq!(file.invalid[0].text, "[abc");

    let valid: Vec<&str> = file.patterns.iter().map(|p| p.pattern.as_str()).collect();
    assert_eq!(valid, ["ok", "fine"]);
    assert!(file.is_excluded("ok"));
    assert!(file.is_excluded("fine"));
}

#[test]
fn empty_file_excludes_nothing() {
    let file = IgnoreFile::parse("");
    assert!(file.patterns.is_empty());
    assert!(!file.is_excluded(".env"));
    assert!(file.decisive_pattern(".env").is_none());
}

fn snapshot_of(paths: &[&str]) -> Snapshot {
    let mut paths: Vec<String> = paths.iter().map(|path| path.to_string()).collect();
    paths.sort();
    Snapshot {
        paths,
        ..Snapshot::default()
    }
}

#[test]
fn ignore_file_beside_dockerfile_wins() {
    let snapshot = snapshot_of(&[
        ".dockerignore",
        "docker/api.Dockerfile",
        "docker/api.Dockerfile.dockerignore",
    ]);
    let found = ignore_file_for("docker/api.Dockerfile", ".", &snapshot);
    assert_eq!(found.as_deref(), Some("docker/api.Dockerfile.dockerignore"));
}

#[test]
fn ignore_file_falls_back_to_context_root() {
    let snapshot = snapshot_of(&[
        ".dockerignore",
        "docker/api.Dockerfile",
        "docker/.dockerignore",
        "services/api/.dockerignore",
    ]);
    assert_eq!(
        ignore_file_for("docker/api.Dockerfile", ".", &snapshot).as_deref(),
        Some(".dockerignore")
    );
    assert_eq!(
        ignore_file_for("docker/api.Dockerfile", "./services/api/", &snapshot).as_deref(),
        Some("services/api/.dockerignore")
    );
    // The folder of the Dockerfile does not matter unless it is the context.
    assert_eq!(
        ignore_file_for("docker/api.Dockerfile", "services", &snapshot),
        None
    );
}

#[test]
fn ignore_file_for_root_dockerfile() {
    let snapshot = snapshot_of(&["Dockerfile", "Dockerfile.dockerignore"]);
    assert_eq!(
        ignore_file_for("./Dockerfile", ".", &snapshot).as_deref(),
        Some("Dockerfile.dockerignore")
    );
}

#[test]
fn ignore_file_outside_repository_is_none() {
    let snapshot = snapshot_of(&[".dockerignore", "Dockerfile"]);
    assert_eq!(ignore_file_for("Dockerfile", "..", &snapshot), None);
    assert_eq!(ignore_file_for("Dockerfile", "../other", &snapshot), None);
    assert_eq!(ignore_file_for("Dockerfile", "/abs/path", &snapshot), None);
    assert_eq!(
        ignore_file_for("Dockerfile", "https://github.com/owner/repo.git", &snapshot),
        None
    );
}

/// Returns the corpus of real repositories' container files, and fails when it is missing.
fn corpus_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        root.is_dir(),
        "the corpus of real container files is missing at {}",
        root.display()
    );
    root
}

fn find_ignore_files(folder: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()));
    for entry in entries {
        let path = entry.expect("readable folder entry").path();
        if path.is_dir() {
            find_ignore_files(&path, found);
        } else if path.to_string_lossy().ends_with(".dockerignore") {
            found.push(path);
        }
    }
}

fn read_corpus_ignore(relative: &str) -> IgnoreFile {
    let path = corpus_root().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    IgnoreFile::parse(&text)
}

#[test]
fn corpus_ignore_files_parse() {
    let mut files = Vec::new();
    find_ignore_files(&corpus_root(), &mut files);
    assert!(
        files.len() >= 20,
        "expected at least 20 real ignore files, found {}",
        files.len()
    );

    for path in files {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let file = IgnoreFile::parse(&text);
        assert!(
            file.invalid.is_empty(),
            "{}: invalid patterns {:?}",
            path.display(),
            file.invalid
        );
        assert!(!file.patterns.is_empty(), "{}: no patterns", path.display());
        for probe in [
            ".env",
            "app/.env",
            ".git/config",
            "secrets/db.txt",
            "src/main.rs",
        ] {
            // Only a panic fails here, because the outcome depends on the file.
            let _ = file.is_excluded(probe);
        }
    }
}

#[test]
fn corpus_allow_list_with_slash_lines() {
    let file = read_corpus_ignore("apps/dani-garcia__vaultwarden/.dockerignore");
    assert!(file.is_excluded(".env"));
    assert!(file.is_excluded("docker/Dockerfile.debian"));
    assert!(!file.is_excluded("src/main.rs"));
    assert!(!file.is_excluded("docker/healthcheck.sh"));
    // `!.git` takes the whole Git folder back into the context.
    assert!(!file.is_excluded(".git/config"));
    let decisive = file
        .decisive_pattern(".git/config")
        .expect(".git/config is matched");
    assert_eq!(decisive.text, "!.git");
}

#[test]
fn corpus_double_star_allow_list() {
    let file =
        read_corpus_ignore("index/CybercentreCanada__projector-docker/Dockerfile.dockerignore");
    assert!(file.is_excluded(".env"));
    assert!(file.is_excluded("Dockerfile"));
    assert!(!file.is_excluded("static/index.html"));
    assert!(!file.is_excluded("library-scripts/setup.sh"));
}

#[test]
fn corpus_dot_slash_patterns() {
    let file = read_corpus_ignore("tools/hadolint__hadolint/.dockerignore");
    assert!(file.is_excluded("docker/Dockerfile"));
    assert!(file.is_excluded("docs/README.md"));
    assert!(!file.is_excluded("src/Hadolint.hs"));
}

#[test]
fn corpus_exclude_after_reinclude() {
    let file = read_corpus_ignore("tools/docker__docker-bench-security/.dockerignore");
    assert!(!file.is_excluded("docker-bench-security.sh"));
    assert!(!file.is_excluded("functions/helper_lib.sh"));
    assert!(file.is_excluded("log/output.log"));
    assert!(file.is_excluded("README.md"));
}

#[test]
fn corpus_root_anchored_env() {
    let file = read_corpus_ignore("apps/louislam__uptime-kuma/.dockerignore");
    assert!(file.is_excluded(".env"));
    assert!(!file.is_excluded("server/.env"));
    assert!(file.is_excluded("server/.git/config"));
    assert!(file.is_excluded("docker/dockerfile"));
}
