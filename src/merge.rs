//! Merge: combines the JSON reports of `scan --shard I/N` runs into the scorecard that one
//! unsharded scan of the same repos.toml would have written.

use crate::scorecard::{ReadError, RepoReport, Scorecard, ShardInfo};
use crate::shard::{shard_index, Shard};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One input report and the file it came from.
#[derive(Debug)]
pub struct ShardReport {
    pub path: PathBuf,
    pub scorecard: Scorecard,
}

/// A reason the shard reports cannot be merged. Every variant names the files involved, and
/// every one is an input the user must fix, so `merge` exits with code 2 for all of them.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("cannot read {path}: {source}\nhelp: pass the JSON report that `dockgrade scan --shard I/N --format json --output FILE` wrote", path = .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {error}", path = .path.display())]
    Invalid { path: PathBuf, error: ReadError },
    #[error("{path} is not the report of a shard\nhelp: write each shard with `dockgrade scan --shard I/N --format json --output FILE`", path = .0.display())]
    NotAShard(PathBuf),
    #[error("{path} has an invalid shard header {index}/{count}: {problem}\nhelp: the file was changed after `scan --shard` wrote it, so scan that shard again", path = .path.display())]
    InvalidShard {
        path: PathBuf,
        index: u32,
        count: u32,
        problem: String,
    },
    #[error("{path} is shard {index}/{count} but lists repository {name} ({repo_source}), which belongs to shard {belongs}/{count}\nhelp: a repository's shard depends only on its source, so the file was changed after `scan --shard` wrote it. Scan shard {index}/{count} again", path = .path.display())]
    ForeignRepository {
        path: PathBuf,
        index: u32,
        count: u32,
        name: String,
        repo_source: String,
        belongs: u32,
    },
    #[error("{path} is shard {index}/{count} but {first} is shard {first_index}/{first_count}\nhelp: pass the reports of one run, scanned with the same shard count", path = .path.display(), first = .first.display())]
    CountMismatch {
        path: PathBuf,
        index: u32,
        count: u32,
        first: PathBuf,
        first_index: u32,
        first_count: u32,
    },
    #[error("{path} and {first} were scanned with different repos.toml files (SHA-256 {config} and {first_config})\nhelp: scan every shard from the same commit of repos.toml", path = .path.display(), first = .first.display())]
    ConfigMismatch {
        path: PathBuf,
        config: String,
        first: PathBuf,
        first_config: String,
    },
    #[error("{path} checked waivers against {today} but {first} against {first_today}\nhelp: pass the same --today to every shard, or scan them on the same day", path = .path.display(), first = .first.display())]
    TodayMismatch {
        path: PathBuf,
        today: String,
        first: PathBuf,
        first_today: String,
    },
    #[error("{path} was written by dockgrade {version} but {first} by dockgrade {first_version}\nhelp: scan every shard with the same dockgrade version", path = .path.display(), first = .first.display())]
    VersionMismatch {
        path: PathBuf,
        version: String,
        first: PathBuf,
        first_version: String,
    },
    #[error("{path} and {first} are both shard {index}/{count}\nhelp: pass each shard's report once", path = .path.display(), first = .first.display())]
    RepeatedShard {
        path: PathBuf,
        first: PathBuf,
        index: u32,
        count: u32,
    },
    #[error("{} missing: {}\nhelp: pass every shard's report, or --allow-partial to merge the shards there are", if .missing.len() == 1 { "a shard is" } else { "shards are" }, .missing.join(", "))]
    MissingShards { missing: Vec<String> },
}

/// The merged scorecard, and the shards missing from it (empty unless partial merges are
/// allowed), each as `I/N`.
#[derive(Debug)]
pub struct Merged {
    pub scorecard: Scorecard,
    pub missing: Vec<String>,
}

/// Reads a JSON report that `scan --shard I/N --format json` wrote.
pub fn read_report(path: &Path) -> Result<ShardReport, MergeError> {
    let text = std::fs::read_to_string(path).map_err(|source| MergeError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let scorecard = Scorecard::from_json(&text).map_err(|error| MergeError::Invalid {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(ShardReport {
        path: path.to_path_buf(),
        scorecard,
    })
}

/// Merges shard reports into one scorecard, sorted as `scan` sorts it and without shard
/// information, so that its reports are the bytes an unsharded scan writes.
///
/// Each report's shard header must be a valid shard, and every repository in it must belong
/// to that shard. The reports must come from one run, so they must have the same shard count,
/// repos.toml fingerprint, date and dockgrade version. No shard may appear twice. Every shard
/// from 1 to the count must be present unless `allow_partial` is set.
///
/// Two reports of one run never share a repository: each repository is checked to belong to
/// its report's shard, and no shard appears twice.
pub fn merge(reports: Vec<ShardReport>, allow_partial: bool) -> Result<Merged, MergeError> {
    let mut shards: Vec<(ShardReport, ShardInfo)> = Vec::with_capacity(reports.len());
    for report in reports {
        let Some(info) = report.scorecard.shard.clone() else {
            return Err(MergeError::NotAShard(report.path));
        };
        let shard =
            Shard::new(info.index, info.count).map_err(|problem| MergeError::InvalidShard {
                path: report.path.clone(),
                index: info.index,
                count: info.count,
                problem,
            })?;
        if let Some((first, first_info)) = shards.first() {
            check_same_run(first, first_info, &report, &info)?;
        }
        check_membership(&report, shard)?;
        shards.push((report, info));
    }
    let Some((first, first_info)) = shards.first() else {
        return Ok(Merged {
            scorecard: Scorecard::new(Vec::new()),
            missing: Vec::new(),
        });
    };
    let count = first_info.count;
    let version = first.scorecard.version.clone();

    let mut paths_by_index: BTreeMap<u32, &Path> = BTreeMap::new();
    for (report, info) in &shards {
        if let Some(first) = paths_by_index.insert(info.index, &report.path) {
            return Err(MergeError::RepeatedShard {
                path: report.path.clone(),
                first: first.to_path_buf(),
                index: info.index,
                count,
            });
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|index| !paths_by_index.contains_key(index))
        .map(|index| format!("{index}/{count}"))
        .collect();
    if !missing.is_empty() && !allow_partial {
        return Err(MergeError::MissingShards { missing });
    }

    // Within each report the rows are already in scan order, so taking the reports by shard
    // index and sorting stably keeps repeated entries in the order an unsharded scan has.
    shards.sort_by_key(|(_, info)| info.index);
    let mut repos: Vec<RepoReport> = shards
        .into_iter()
        .flat_map(|(report, _)| report.scorecard.repos)
        .collect();
    crate::scan::sort_reports(&mut repos);
    Ok(Merged {
        scorecard: Scorecard {
            version,
            ..Scorecard::new(repos)
        },
        missing,
    })
}

/// Checks that every repository in the report belongs to its shard, recomputed from the
/// repository's source with the function `scan --shard` selects repositories by. One report
/// may list a source twice: two repos.toml entries can name the same folder with different
/// settings.
fn check_membership(report: &ShardReport, shard: Shard) -> Result<(), MergeError> {
    let Some(repo) = report
        .scorecard
        .repos
        .iter()
        .find(|repo| !shard.contains(&repo.source))
    else {
        return Ok(());
    };
    Err(MergeError::ForeignRepository {
        path: report.path.clone(),
        index: shard.index,
        count: shard.count,
        name: repo.name.clone(),
        repo_source: repo.source.clone(),
        belongs: shard_index(&repo.source, shard.count),
    })
}

fn check_same_run(
    first: &ShardReport,
    first_info: &ShardInfo,
    report: &ShardReport,
    info: &ShardInfo,
) -> Result<(), MergeError> {
    if info.count != first_info.count {
        return Err(MergeError::CountMismatch {
            path: report.path.clone(),
            index: info.index,
            count: info.count,
            first: first.path.clone(),
            first_index: first_info.index,
            first_count: first_info.count,
        });
    }
    if report.scorecard.version != first.scorecard.version {
        return Err(MergeError::VersionMismatch {
            path: report.path.clone(),
            version: report.scorecard.version.clone(),
            first: first.path.clone(),
            first_version: first.scorecard.version.clone(),
        });
    }
    if info.config_sha256 != first_info.config_sha256 {
        return Err(MergeError::ConfigMismatch {
            path: report.path.clone(),
            config: info.config_sha256.clone(),
            first: first.path.clone(),
            first_config: first_info.config_sha256.clone(),
        });
    }
    if info.today != first_info.today {
        return Err(MergeError::TodayMismatch {
            path: report.path.clone(),
            today: info.today.clone(),
            first: first.path.clone(),
            first_today: first_info.today.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap as Map;

    fn repo(name: &str, source: &str) -> RepoReport {
        RepoReport {
            name: name.to_string(),
            source: source.to_string(),
            commit: None,
            web_url: None,
            grade: "A".to_string(),
            score: None,
            notes: Vec::new(),
            controls: Map::new(),
            blockers: Vec::new(),
            findings: Vec::new(),
            subjects: Vec::new(),
            skipped: Vec::new(),
            errors: Vec::new(),
            waivers: Vec::new(),
        }
    }

    /// Returns the first of `x/<name>`, `x/<name>-1`, `x/<name>-2`, ... that belongs to shard
    /// `index` of `count`.
    fn source_in(name: &str, index: u32, count: u32) -> String {
        std::iter::once(format!("x/{name}"))
            .chain((1..).map(|number| format!("x/{name}-{number}")))
            .find(|source| shard_index(source, count) == index)
            .expect("some source falls into every shard")
    }

    /// Returns a repository named `name` whose source belongs to shard `index` of `count`.
    fn repo_in(name: &str, index: u32, count: u32) -> RepoReport {
        repo(name, &source_in(name, index, count))
    }

    fn info(index: u32, count: u32) -> ShardInfo {
        ShardInfo {
            index,
            count,
            config_sha256: "abc".to_string(),
            today: "2026-06-01".to_string(),
        }
    }

    fn shard(path: &str, info: ShardInfo, repos: Vec<RepoReport>) -> ShardReport {
        ShardReport {
            path: PathBuf::from(path),
            scorecard: Scorecard {
                shard: Some(info),
                ..Scorecard::new(repos)
            },
        }
    }

    fn names(scorecard: &Scorecard) -> Vec<&str> {
        scorecard
            .repos
            .iter()
            .map(|repo| repo.name.as_str())
            .collect()
    }

    fn first_line(error: &MergeError) -> String {
        error.to_string().lines().next().unwrap_or("").to_string()
    }

    #[test]
    fn merges_and_sorts_like_scan() {
        let merged = merge(
            vec![
                shard(
                    "2.json",
                    info(2, 2),
                    vec![repo_in("b", 2, 2), repo_in("d", 2, 2)],
                ),
                shard(
                    "1.json",
                    info(1, 2),
                    vec![repo_in("a", 1, 2), repo_in("c", 1, 2)],
                ),
            ],
            false,
        )
        .expect("the shards merge");
        assert_eq!(names(&merged.scorecard), vec!["a", "b", "c", "d"]);
        assert_eq!(merged.scorecard.shard, None);
        assert!(merged.missing.is_empty());
    }

    #[test]
    fn same_name_sorts_by_source() {
        let first = source_in("api", 1, 2);
        let second = source_in("api", 2, 2);
        let merged = merge(
            vec![
                shard("1.json", info(1, 2), vec![repo("api", &first)]),
                shard("2.json", info(2, 2), vec![repo("api", &second)]),
            ],
            false,
        )
        .expect("the shards merge");
        let mut expected = vec![first, second];
        expected.sort();
        let sources: Vec<&str> = merged
            .scorecard
            .repos
            .iter()
            .map(|repo| repo.source.as_str())
            .collect();
        assert_eq!(sources, expected);
    }

    #[test]
    fn keeps_inputs_version() {
        let mut report = shard("1.json", info(1, 1), vec![repo("a", "x/a")]);
        report.scorecard.version = "0.0.7".to_string();
        let merged = merge(vec![report], false).expect("the shard merges");
        assert_eq!(merged.scorecard.version, "0.0.7");
    }

    #[test]
    fn repeated_source_within_one_shard_is_kept() {
        let merged = merge(
            vec![shard(
                "1.json",
                info(1, 1),
                vec![repo("a", "x/a"), repo("a", "x/a")],
            )],
            false,
        )
        .expect("the shard merges");
        assert_eq!(merged.scorecard.repos.len(), 2);
    }

    #[test]
    fn rejects_unsharded_report() {
        let report = ShardReport {
            path: PathBuf::from("full.json"),
            scorecard: Scorecard::new(Vec::new()),
        };
        let error = merge(vec![report], false).unwrap_err();
        assert!(matches!(error, MergeError::NotAShard(_)), "{error:?}");
        assert!(error
            .to_string()
            .starts_with("full.json is not the report of a shard"));
    }

    #[test]
    fn rejects_zero_count_header() {
        let error = merge(vec![shard("a.json", info(2, 0), Vec::new())], false).unwrap_err();
        assert!(
            matches!(error, MergeError::InvalidShard { .. }),
            "{error:?}"
        );
        assert_eq!(
            first_line(&error),
            "a.json has an invalid shard header 2/0: the shard count must be at least 1, such as 1/1"
        );
    }

    #[test]
    fn rejects_zero_count_header_with_allow_partial() {
        let error = merge(vec![shard("a.json", info(0, 0), Vec::new())], true).unwrap_err();
        assert!(
            matches!(error, MergeError::InvalidShard { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn rejects_index_above_count_header() {
        let error = merge(
            vec![
                shard("a.json", info(1, 4), Vec::new()),
                shard("c.json", info(3, 4), Vec::new()),
                shard("d.json", info(4, 4), Vec::new()),
                shard("e.json", info(5, 4), Vec::new()),
            ],
            false,
        )
        .unwrap_err();
        assert_eq!(
            first_line(&error),
            "e.json has an invalid shard header 5/4: the index counts from 1 to the shard count, so expected 1/4 to 4/4"
        );
    }

    #[test]
    fn rejects_index_zero_header() {
        let error = merge(vec![shard("a.json", info(0, 1), Vec::new())], false).unwrap_err();
        assert!(
            matches!(error, MergeError::InvalidShard { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("help: "), "{error}");
    }

    #[test]
    fn rejects_different_counts() {
        let error = merge(
            vec![
                shard("a.json", info(1, 4), Vec::new()),
                shard("b.json", info(2, 3), Vec::new()),
            ],
            false,
        )
        .unwrap_err();
        assert_eq!(
            first_line(&error),
            "b.json is shard 2/3 but a.json is shard 1/4"
        );
    }

    #[test]
    fn rejects_different_configs() {
        let mut other = info(2, 2);
        other.config_sha256 = "def".to_string();
        let error = merge(
            vec![
                shard("a.json", info(1, 2), Vec::new()),
                shard("b.json", other, Vec::new()),
            ],
            false,
        )
        .unwrap_err();
        assert!(
            matches!(error, MergeError::ConfigMismatch { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("b.json and a.json"));
    }

    #[test]
    fn rejects_different_dates() {
        let mut other = info(2, 2);
        other.today = "2026-06-02".to_string();
        let error = merge(
            vec![
                shard("a.json", info(1, 2), Vec::new()),
                shard("b.json", other, Vec::new()),
            ],
            false,
        )
        .unwrap_err();
        assert!(
            matches!(error, MergeError::TodayMismatch { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn rejects_different_versions() {
        let mut other = shard("b.json", info(2, 2), Vec::new());
        other.scorecard.version = "0.0.7".to_string();
        let error = merge(vec![shard("a.json", info(1, 2), Vec::new()), other], false).unwrap_err();
        assert!(error
            .to_string()
            .starts_with("b.json was written by dockgrade 0.0.7 but a.json by dockgrade"));
    }

    #[test]
    fn rejects_repeated_shard() {
        let error = merge(
            vec![
                shard("a.json", info(1, 2), Vec::new()),
                shard("b.json", info(1, 2), Vec::new()),
                shard("c.json", info(2, 2), Vec::new()),
            ],
            false,
        )
        .unwrap_err();
        assert_eq!(first_line(&error), "b.json and a.json are both shard 1/2");
    }

    #[test]
    fn rejects_repository_of_other_shard() {
        let moved = source_in("api", 2, 2);
        let error = merge(
            vec![
                shard("a.json", info(1, 2), vec![repo("api", &moved)]),
                shard("b.json", info(2, 2), Vec::new()),
            ],
            false,
        )
        .unwrap_err();
        assert!(
            matches!(error, MergeError::ForeignRepository { .. }),
            "{error:?}"
        );
        assert_eq!(
            first_line(&error),
            format!("a.json is shard 1/2 but lists repository api ({moved}), which belongs to shard 2/2")
        );
    }

    #[test]
    fn rejects_repository_in_two_shards() {
        let api = repo_in("api", 1, 2);
        let error = merge(
            vec![
                shard("a.json", info(1, 2), vec![api.clone()]),
                shard("b.json", info(2, 2), vec![api]),
            ],
            false,
        )
        .unwrap_err();
        assert!(first_line(&error).starts_with("b.json is shard 2/2 but lists repository api"));
    }

    #[test]
    fn rejects_repository_of_other_shard_with_allow_partial() {
        let error = merge(
            vec![shard("c.json", info(3, 4), vec![repo_in("api", 1, 4)])],
            true,
        )
        .unwrap_err();
        assert!(
            first_line(&error).ends_with("which belongs to shard 1/4"),
            "{error}"
        );
    }

    #[test]
    fn rejects_missing_shard() {
        let error = merge(
            vec![
                shard("a.json", info(1, 4), Vec::new()),
                shard("c.json", info(3, 4), Vec::new()),
            ],
            false,
        )
        .unwrap_err();
        assert_eq!(first_line(&error), "shards are missing: 2/4, 4/4");
    }

    #[test]
    fn allow_partial_lists_missing_shards() {
        let merged = merge(
            vec![shard("c.json", info(3, 4), vec![repo_in("a", 3, 4)])],
            true,
        )
        .expect("a partial merge is allowed");
        assert_eq!(merged.missing, vec!["1/4", "2/4", "4/4"]);
        assert_eq!(merged.scorecard.repos.len(), 1);
    }

    #[test]
    fn read_report_names_file() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("shard-1.json");
        std::fs::write(&path, "{\"tool\": \"other\"}").expect("write the test file");
        let error = read_report(&path).unwrap_err();
        assert!(matches!(error, MergeError::Invalid { .. }), "{error:?}");
        assert!(error.to_string().contains("shard-1.json"), "{error}");
    }

    #[test]
    fn read_report_missing_file_is_read_error() {
        let error = read_report(Path::new("/nonexistent/shard-1.json"))
            .map(|_| ())
            .unwrap_err();
        assert!(matches!(error, MergeError::Read { .. }), "{error:?}");
        assert!(error
            .to_string()
            .starts_with("cannot read /nonexistent/shard-1.json"));
    }
}
