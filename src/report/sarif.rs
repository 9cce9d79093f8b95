//! The SARIF 2.1.0 report, for GitHub code scanning: one run per repository, one result per
//! finding that is not a pass.
//!
//! - Results: failed and review findings of controls, blocker findings, `parse-error` findings
//!   and advisories. Advisories are results of level `note`, because they are located, fixable
//!   and worth seeing in code review even though they change no grade. Pass findings are left
//!   out: SARIF results are problems.
//! - Levels: fail and blockers are `error`, review is `warning`, advisory is `note`.
//! - Waivers: a finding of a waived control or blocker stays a result, with an `external`
//!   suppression that carries the waiver's reason and expiry, so the decision stays visible.
//!   The waiver covers the findings with the waived id; advisories inside the control keep
//!   their own ids and are not suppressed.
//! - Several repositories: each gets its own run. Each run gets `automationDetails.id`
//!   `dockgrade/<repository>/` when the scorecard has more than one repository or is the report
//!   of one shard. GitHub code scanning then files the results under separate categories rather
//!   than rejecting the upload for carrying several runs of one tool and category. A repository
//!   keeps its category when its shard contains only it. A scorecard of one repository
//!   (`dockgrade check .`) gets no id, so the upload action's `category` input applies.
//! - A shard's log (`scan --shard I/N`) names its shard in each run's `properties.shard`.
//! - A repository that could not be read has `executionSuccessful: false` and one error
//!   notification per problem in its invocation.

mod location;
mod log;
mod rules;

use crate::finding::{Finding, Outcome};
use crate::scorecard::{AppliedWaiver, RepoError, RepoReport, Scorecard};
use location::{FINGERPRINT_KEY, SOURCE_ROOT};
use log::{
    ArtifactLocation, Invocation, Level, Log, Message, Notification, ResultProperties, Run,
    RunAutomationDetails, RunProperties, SarifResult, Suppression, SuppressionProperties, Tool,
    ToolComponent,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The maximum number of runs GitHub code scanning accepts in one uploaded SARIF file: "Runs
/// per file", 20, in the hard limits of "About code scanning limits on SARIF results"
/// (<https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit>).
/// It rejects a file with more. A log has one run per repository.
pub const MAX_RUNS_PER_UPLOAD: usize = 20;

/// Returns a warning when the scorecard's log would have more runs than GitHub code scanning
/// accepts in one upload, with what to do instead. The log itself is still valid SARIF.
pub fn upload_limit_warning(scorecard: &Scorecard) -> Option<String> {
    let runs = scorecard.repos.len();
    if runs <= MAX_RUNS_PER_UPLOAD {
        return None;
    }
    Some(format!(
        "the SARIF log has {runs} runs, one per repository, and GitHub code scanning rejects an \
         upload of more than {MAX_RUNS_PER_UPLOAD} runs in one file. The log is written all the same.\n\
         help: grade each repository in its own workflow with `dockgrade check . --format sarif`, \
         or scan with `--shard I/N` and enough shards that each has at most \
         {MAX_RUNS_PER_UPLOAD} repositories, and upload each shard's log on its own"
    ))
}

/// Renders the scorecard as a SARIF log: pretty-printed JSON with a trailing newline, the same
/// bytes for the same scorecard.
pub fn render(scorecard: &Scorecard) -> serde_json::Result<String> {
    let mut json = serde_json::to_string_pretty(&build(scorecard))?;
    json.push('\n');
    Ok(json)
}

fn build(scorecard: &Scorecard) -> Log {
    let rules = rules::rules(&undocumented_ids(scorecard));
    let rule_index: HashMap<String, usize> = rules
        .iter()
        .enumerate()
        .map(|(index, rule)| (rule.id.clone(), index))
        .collect();
    let categorized = scorecard.repos.len() > 1 || scorecard.shard.is_some();
    let shard = scorecard
        .shard
        .as_ref()
        .map(|shard| format!("{}/{}", shard.index, shard.count));
    let runs = scorecard
        .repos
        .iter()
        .map(|repo| {
            let driver = ToolComponent {
                name: "dockgrade",
                version: scorecard.version.clone(),
                semantic_version: scorecard.version.clone(),
                information_uri: information_uri(),
                rules: rules.clone(),
            };
            run(repo, driver, &rule_index, categorized, shard.clone())
        })
        .collect();
    Log {
        schema: log::SCHEMA_URI,
        version: log::VERSION,
        runs,
    }
}

/// Builds the run of one repository. `categorized` gives it an `automationDetails.id`, and
/// `shard` is the `I/N` of a shard's log.
fn run(
    repo: &RepoReport,
    driver: ToolComponent,
    rule_index: &HashMap<String, usize>,
    categorized: bool,
    shard: Option<String>,
) -> Run {
    let source_root = ArtifactLocation {
        uri: None,
        uri_base_id: None,
        description: Some(Message {
            text: format!("The root of the repository {} ({})", repo.name, repo.source),
        }),
    };
    Run {
        tool: Tool { driver },
        automation_details: categorized.then(|| RunAutomationDetails {
            id: format!("dockgrade/{}/", repo.name),
        }),
        original_uri_base_ids: BTreeMap::from([(SOURCE_ROOT.to_string(), source_root)]),
        invocations: vec![invocation(&repo.errors)],
        results: results(repo, rule_index),
        properties: RunProperties {
            repository: repo.name.clone(),
            source: repo.source.clone(),
            commit: repo.commit.clone(),
            grade: repo.grade.clone(),
            shard,
        },
    }
}

/// Returns the project's address from Cargo.toml (`repository`, else `homepage`), if it has one.
fn information_uri() -> Option<&'static str> {
    // NOTE: Cargo.toml sets neither key yet, so the log has no `tool.driver.informationUri`.
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|uri| !uri.is_empty())
}

/// Returns the finding ids in the scorecard that this dockgrade does not document, sorted.
fn undocumented_ids(scorecard: &Scorecard) -> Vec<String> {
    let mut ids = BTreeSet::new();
    for repo in &scorecard.repos {
        for graded in graded_findings(repo) {
            if crate::controls::lookup(&graded.finding.id).is_none() {
                ids.insert(graded.finding.id.clone());
            }
        }
    }
    ids.into_iter().collect()
}

fn invocation(errors: &[RepoError]) -> Invocation {
    let notifications = errors
        .iter()
        .map(|error| {
            let location = error
                .path
                .as_deref()
                .and_then(|path| location::location(path, 0));
            let text = match (&error.path, &location) {
                (Some(path), None) => format!("{path}: {}", error.message),
                _ => error.message.clone(),
            };
            Notification {
                level: Level::Error,
                message: Message { text },
                locations: location.into_iter().collect(),
            }
        })
        .collect();
    Invocation {
        execution_successful: errors.is_empty(),
        tool_execution_notifications: notifications,
    }
}

/// A finding that becomes a result, with its level and the waiver that suppresses it.
struct Graded<'a> {
    finding: &'a Finding,
    level: Level,
    waiver: Option<&'a AppliedWaiver>,
}

/// Collects the findings of a repository that become results, sorted by file, line and id.
fn graded_findings(repo: &RepoReport) -> Vec<Graded<'_>> {
    let mut graded = Vec::new();
    for (id, result) in &repo.controls {
        collect(
            &mut graded,
            &result.findings,
            id,
            result.waiver.as_ref(),
            false,
        );
    }
    for blocker in &repo.blockers {
        collect(
            &mut graded,
            &blocker.findings,
            &blocker.id,
            blocker.waiver.as_ref(),
            true,
        );
    }
    collect(&mut graded, &repo.findings, "", None, false);
    // A stable sort, so that findings with equal keys keep the order of the scorecard.
    graded.sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
    graded
}

/// Adds the findings of one control or blocker (`owner`) that are not a pass. The owner's
/// `waiver` suppresses the findings that carry the owner's id.
fn collect<'a>(
    graded: &mut Vec<Graded<'a>>,
    findings: &'a [Finding],
    owner: &str,
    waiver: Option<&'a AppliedWaiver>,
    blocker: bool,
) {
    for finding in findings {
        let level = match finding.outcome {
            Outcome::Pass => continue,
            Outcome::Advisory => Level::Note,
            Outcome::Fail => Level::Error,
            Outcome::Review if blocker => Level::Error,
            Outcome::Review => Level::Warning,
        };
        graded.push(Graded {
            finding,
            level,
            waiver: waiver.filter(|_| finding.id == owner),
        });
    }
}

fn results(repo: &RepoReport, rule_index: &HashMap<String, usize>) -> Vec<SarifResult> {
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    graded_findings(repo)
        .into_iter()
        .map(|graded| {
            let finding = graded.finding;
            let hash = location::fingerprint_hash(&finding.id, &finding.path, &finding.quote);
            let occurrence = occurrences.entry(hash.clone()).or_insert(0);
            *occurrence += 1;
            SarifResult {
                rule_id: finding.id.clone(),
                // Every id found in the scorecard has a rule: see `undocumented_ids`.
                rule_index: rule_index[&finding.id],
                level: graded.level,
                message: Message {
                    text: message_text(finding),
                },
                locations: location::location(&finding.path, finding.line)
                    .into_iter()
                    .collect(),
                partial_fingerprints: BTreeMap::from([(
                    FINGERPRINT_KEY.to_string(),
                    format!("{hash}:{occurrence}"),
                )]),
                suppressions: graded.waiver.map(suppression).into_iter().collect(),
                properties: ResultProperties {
                    subject: finding.subject.clone(),
                },
            }
        })
        .collect()
}

/// Returns the finding's message followed by its fix. Both had their secrets masked when the
/// finding was made.
fn message_text(finding: &Finding) -> String {
    if finding.fix.is_empty() {
        finding.message.clone()
    } else {
        format!("{}\n\nHow to fix: {}", finding.message, finding.fix)
    }
}

// NOTE: Users of GitHub code scanning report that it opens an alert for a result with a
// suppression as for any other, so a waived finding may need dismissing there by hand.
fn suppression(waiver: &AppliedWaiver) -> Suppression {
    Suppression {
        kind: "external",
        status: "accepted",
        justification: waiver.reason.clone(),
        properties: SuppressionProperties {
            expires: waiver.expires.clone(),
        },
    }
}
