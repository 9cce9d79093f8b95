//! The `diff` command: reads two JSON reports, compares them and writes the change.

use super::write_output;
use crate::cli::{self, DiffArgs, DiffFormat};
use crate::diff::{self, LinkTarget, MarkdownOptions};
use crate::report::links::CommitLinks;
use crate::scorecard::Scorecard;
use std::collections::HashMap;
use std::path::Path;

/// Compares the two reports, writes the change and returns the exit code. It is 0 whether or
/// not anything changed, and 2 for a report that cannot be read. It is 1 when the output cannot
/// be written, and 3 when `--fail-on-worse` is given and the change made a repository worse.
pub fn run(args: &DiffArgs) -> u8 {
    let (old, new) = match (read_report(&args.old), read_report(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            for error in [old.err(), new.err()].into_iter().flatten() {
                eprintln!("error: {error}");
            }
            return cli::EXIT_USAGE;
        }
    };

    // A shard's report lists only part of the fleet, so every repository of the other shards
    // would show as added or removed.
    for (path, report) in [(&args.old, &old), (&args.new, &new)] {
        if let Some(shard) = &report.shard {
            eprintln!(
                "warning: {} covers shard {}/{} only, so repositories of the other shards show as \
                 added or removed\nhelp: compare the reports of `dockgrade merge` instead",
                path.display(),
                shard.index,
                shard.count
            );
        }
    }

    let change = diff::compare(&old, &new);
    // New findings link to the file at the commit the new report graded, for repositories that
    // report read from GitHub (their `web_url`). Local folders have no web address.
    let web_urls: HashMap<(&str, &str), &str> = new
        .repos
        .iter()
        .filter_map(|repo| {
            Some((
                (repo.name.as_str(), repo.source.as_str()),
                repo.web_url.as_deref()?,
            ))
        })
        .collect();
    let links = |target: &LinkTarget| {
        let web_url = web_urls.get(&(target.repo, target.source)).copied();
        CommitLinks::new(web_url, target.commit).map(|links| links.file(target.path, target.line))
    };
    let rendered = match args.format {
        DiffFormat::Markdown => {
            diff::markdown::render(&change, &MarkdownOptions::new().with_links(&links))
        }
        DiffFormat::Json => diff::json::render(&change).map_err(Into::into),
    };
    let rendered = match rendered {
        Ok(rendered) => rendered,
        Err(error) => {
            eprintln!("error: cannot render the change: {error}");
            return cli::EXIT_INTERNAL;
        }
    };
    if let Err(error) = write_output(args.output.as_deref(), &rendered) {
        eprintln!("error: {error}");
        return cli::EXIT_INTERNAL;
    }

    if args.fail_on_worse {
        let worsenings = change.worsenings();
        if !worsenings.is_empty() {
            // Printed whatever the log level, because it is the reason for the exit code.
            eprintln!(
                "the change made {} {} worse:",
                worsenings.len(),
                if worsenings.len() == 1 {
                    "thing"
                } else {
                    "things"
                }
            );
            for worsening in &worsenings {
                eprintln!("  {worsening}");
            }
            return cli::EXIT_BELOW_THRESHOLD;
        }
    }
    cli::EXIT_OK
}

/// Reads one JSON report. The error names the file as given on the command line.
fn read_report(path: &Path) -> Result<Scorecard, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("{}: cannot read the file: {error}", path.display()))?;
    Scorecard::from_json(&text).map_err(|error| format!("{}: {error}", path.display()))
}
