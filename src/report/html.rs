//! The HTML report: one self-contained page with the sortable, filterable matrix, a grade chart
//! and every repository's findings.
//!
//! The layout lives in templates/report.html.tera, its style sheet and script beside it. Tera
//! escapes every value the template prints, and nothing from a repository is marked safe. The
//! page loads nothing from the network: its Content-Security-Policy allows only the inline style
//! sheet and script, by their SHA-256 hashes.

use super::links::CommitLinks;
use super::markdown::{error_reason, location, outcome_rank, ERROR_GRADE};
use crate::controls::{self, ControlInfo, Info, CONTROLS};
use crate::finding::{Finding, Outcome};
use crate::scorecard::{BlockerResult, RepoReport, Scorecard, ShardInfo, Verdict, WaiverReport};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use tera::{Tera, Value};

const PAGE_TEMPLATE: &str = "report.html.tera";
const STYLE: &str = include_str!("../../templates/report.css");
const SCRIPT: &str = include_str!("../../templates/report.js");

/// The grades in the order of the chart and the grade filter.
const GRADES: [&str; 7] = ["A", "B", "C", "D", "F", "—", ERROR_GRADE];

/// The CSS class of each of [`GRADES`].
const GRADE_CLASSES: [&str; 7] = ["a", "b", "c", "d", "f", "none", "error"];

/// Verdicts in the order of the verdict filter.
const VERDICTS: [Verdict; 5] = [
    Verdict::Pass,
    Verdict::Review,
    Verdict::Fail,
    Verdict::NotApplicable,
    Verdict::Waived,
];

/// The width of the longest bar of the grade chart, in SVG user units.
const CHART_BAR_WIDTH: usize = 240;

pub fn render(scorecard: &Scorecard) -> tera::Result<String> {
    let mut tera = Tera::default();
    // Tera escapes `& < > " ' /` in every printed value of a template whose name ends with one
    // of these suffixes, which covers both element text and quoted attribute values.
    tera.autoescape_on(vec![".html.tera"]);
    tera.add_raw_templates([
        (
            "macros.html.tera",
            include_str!("../../templates/macros.html.tera"),
        ),
        (
            PAGE_TEMPLATE,
            include_str!("../../templates/report.html.tera"),
        ),
        ("report.css", STYLE),
        ("report.js", SCRIPT),
    ])?;
    tera.register_filter("inline_code", InlineCode);

    let view = PageView::new(scorecard);
    tera.render(PAGE_TEMPLATE, &tera::Context::from_serialize(&view)?)
}

/// Returns the CSP hash source that allows an inline element with this text: `'sha256-`, the
/// base64 of the SHA-256 digest of the text, then `'` (MDN, "Content-Security-Policy:
/// script-src", hash values).
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
    format!("'sha256-{encoded}'")
}

#[derive(Serialize)]
struct PageView<'a> {
    tool: &'a str,
    version: &'a str,
    /// The shard of a `scan --shard` report, named in a note because the page covers only it.
    shard: Option<&'a ShardInfo>,
    style_hash: String,
    script_hash: String,
    columns: Vec<Column>,
    grades: [&'static str; 7],
    verdicts: Vec<&'static str>,
    chart: Chart,
    repos: Vec<RepoView<'a>>,
}

#[derive(Serialize)]
struct Column {
    id: &'static str,
    title: &'static str,
}

/// The grade distribution as bars of an SVG chart.
#[derive(Serialize)]
struct Chart {
    bars: Vec<Bar>,
    /// A sentence with every count, for readers that cannot see the chart.
    summary: String,
}

#[derive(Serialize)]
struct Bar {
    grade: &'static str,
    class: &'static str,
    count: usize,
    /// The bar's length in SVG user units; 0 for no repository.
    width: usize,
    /// The bar's row, from 0 at the top.
    row: usize,
}

#[derive(Serialize)]
struct RepoView<'a> {
    /// 1-based position in the scorecard; the details element's id is `repo-{index}`.
    index: usize,
    name: &'a str,
    source: &'a str,
    commit: Option<&'a str>,
    tree_url: Option<String>,
    grade: &'a str,
    /// The grade as a CSS class: `a` to `f`, `none` or `error`.
    grade_class: &'static str,
    /// The grade's place in [`GRADES`], for sorting.
    grade_rank: usize,
    /// `passed/applicable`, or empty when no control applies.
    score: String,
    /// Passed controls per thousand applicable ones, or -1 without a score, for sorting.
    score_rank: i64,
    /// The reason shown across the control cells of a repository that could not be read.
    error: Option<String>,
    cells: Vec<Cell>,
    badges: Vec<Badge>,
    notes: &'a [String],
    subjects: &'a [String],
    errors: Vec<String>,
    blockers: Vec<Section<'a>>,
    controls: Vec<Section<'a>>,
    waivers: Vec<WaiverRow<'a>>,
    findings: Vec<FindingView<'a>>,
    skipped: &'a [String],
}

#[derive(Serialize)]
struct Cell {
    control: &'static str,
    title: &'static str,
    verdict: &'static str,
    mark: Mark,
}

/// The display of a verdict or outcome: a symbol, and a CSS class for its colour. The templates
/// print the verdict's name beside the symbol, so neither colour nor symbol carries it alone.
#[derive(Serialize)]
struct Mark {
    symbol: &'static str,
    class: &'static str,
}

fn verdict_mark(verdict: Verdict) -> Mark {
    let (symbol, class) = match verdict {
        Verdict::Pass => ("✅", "pass"),
        Verdict::Review => ("⚠️", "review"),
        Verdict::Fail => ("❌", "fail"),
        Verdict::NotApplicable => ("–", "na"),
        Verdict::Waived => ("✅", "waived"),
    };
    Mark { symbol, class }
}

fn outcome_mark(outcome: Outcome) -> Mark {
    let (symbol, class) = match outcome {
        Outcome::Pass => ("✅", "pass"),
        Outcome::Review => ("⚠️", "review"),
        Outcome::Fail => ("❌", "fail"),
        Outcome::Advisory => ("ℹ️", "advisory"),
    };
    Mark { symbol, class }
}

/// A marker in the matrix row: a blocker, a waiver or a parse error.
#[derive(Serialize)]
struct Badge {
    /// `blocker`, `blocker-waived`, `waiver-applied`, `waiver-expired`, `waiver-unused` or
    /// `parse-error`, used as a CSS class.
    kind: &'static str,
    text: String,
    /// The full explanation, shown as a tooltip and read by screen readers.
    title: String,
}

/// A control or blocker of one repository with its metadata and findings.
#[derive(Serialize)]
struct Section<'a> {
    id: &'a str,
    title: &'a str,
    verdict: &'static str,
    mark: Mark,
    /// The control's rationale and fix, set for a fail, review or waived verdict.
    rationale: Option<&'static str>,
    fix: Option<&'static str>,
    /// The expiry, the replaced verdict and the reason of the waiver of a control or blocker.
    waiver: Option<String>,
    findings: Vec<FindingView<'a>>,
}

#[derive(Serialize)]
struct WaiverRow<'a> {
    id: &'a str,
    status: &'a str,
    expires: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct FindingView<'a> {
    id: &'a str,
    /// False when the id is the one of the control or blocker the finding is listed under.
    show_id: bool,
    outcome: Outcome,
    mark: Mark,
    subject: &'a str,
    /// `path:line`, or the path alone for a finding about a whole file.
    location: String,
    /// The file at the graded commit, for a repository read from GitHub.
    href: Option<String>,
    quote: &'a str,
    message: &'a str,
    fix: &'a str,
    /// The documentation of the finding id, for findings outside any control (parse errors,
    /// secret build arguments).
    summary: Option<&'static str>,
}

impl<'a> PageView<'a> {
    fn new(scorecard: &'a Scorecard) -> Self {
        let repos: Vec<RepoView> = scorecard
            .repos
            .iter()
            .enumerate()
            .map(|(position, repo)| RepoView::new(position + 1, repo))
            .collect();
        PageView {
            tool: &scorecard.tool,
            version: &scorecard.version,
            shard: scorecard.shard.as_ref(),
            style_hash: csp_hash(STYLE),
            script_hash: csp_hash(SCRIPT),
            columns: CONTROLS
                .iter()
                .map(|info| Column {
                    id: info.id,
                    title: info.title,
                })
                .collect(),
            grades: GRADES,
            verdicts: VERDICTS.iter().map(|verdict| verdict.as_str()).collect(),
            chart: Chart::new(&scorecard.repos),
            repos,
        }
    }
}

impl Chart {
    fn new(repos: &[RepoReport]) -> Self {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for repo in repos {
            *counts.entry(grade_bucket(&repo.grade)).or_default() += 1;
        }
        let max_count = counts.values().copied().max().unwrap_or(0).max(1);
        let bars: Vec<Bar> = GRADES
            .iter()
            .enumerate()
            .map(|(row, grade)| {
                let count = counts.get(grade).copied().unwrap_or(0);
                Bar {
                    grade,
                    class: GRADE_CLASSES[row],
                    count,
                    width: count * CHART_BAR_WIDTH / max_count,
                    row,
                }
            })
            .collect();
        let parts: Vec<String> = bars
            .iter()
            .map(|bar| format!("{} {}", bar.grade, bar.count))
            .collect();
        Chart {
            summary: format!("Repositories per grade: {}.", parts.join(", ")),
            bars,
        }
    }
}

/// Returns the chart bar a grade belongs to: itself when it is one of [`GRADES`], else `error`.
fn grade_bucket(grade: &str) -> &'static str {
    GRADES
        .iter()
        .find(|known| **known == grade)
        .copied()
        .unwrap_or(ERROR_GRADE)
}

impl<'a> RepoView<'a> {
    fn new(index: usize, repo: &'a RepoReport) -> Self {
        let links = CommitLinks::new(repo.web_url.as_deref(), repo.commit.as_deref());
        let grade_rank = GRADES
            .iter()
            .position(|grade| *grade == grade_bucket(&repo.grade))
            .unwrap_or(GRADES.len() - 1);
        let (score, score_rank) = match repo.score {
            Some(score) if score.applicable > 0 => (
                format!("{}/{}", score.passed, score.applicable),
                (score.passed * 1000 / score.applicable) as i64,
            ),
            _ => (String::new(), -1),
        };
        let cells = CONTROLS
            .iter()
            .map(|info| {
                let verdict = verdict_of(repo, info.id);
                Cell {
                    control: info.id,
                    title: info.title,
                    verdict: verdict.as_str(),
                    mark: verdict_mark(verdict),
                }
            })
            .collect();
        let controls = CONTROLS
            .iter()
            .filter_map(|info| control_section(repo, info, links.as_ref()))
            .collect();

        RepoView {
            index,
            name: &repo.name,
            source: &repo.source,
            commit: repo.commit.as_deref(),
            tree_url: links.map(|links| links.tree()),
            grade: &repo.grade,
            grade_class: GRADE_CLASSES[grade_rank],
            grade_rank,
            score,
            score_rank,
            error: error_reason(repo),
            cells,
            badges: badges(repo),
            notes: &repo.notes,
            subjects: &repo.subjects,
            errors: repo
                .errors
                .iter()
                .map(|error| match &error.path {
                    Some(path) => format!("{path}: {}", error.message),
                    None => error.message.clone(),
                })
                .collect(),
            blockers: repo
                .blockers
                .iter()
                .map(|blocker| blocker_section(blocker, links.as_ref()))
                .collect(),
            controls,
            waivers: repo
                .waivers
                .iter()
                .map(|waiver| WaiverRow {
                    id: &waiver.id,
                    status: &waiver.status,
                    expires: &waiver.expires,
                    reason: &waiver.reason,
                })
                .collect(),
            findings: finding_views(&repo.findings, "", links.as_ref()),
            skipped: &repo.skipped,
        }
    }
}

fn verdict_of(repo: &RepoReport, control: &str) -> Verdict {
    repo.controls
        .get(control)
        .map_or(Verdict::NotApplicable, |result| result.verdict)
}

/// Builds the details of one control, or `None` for a control that does not apply and has no
/// findings, which would only repeat the matrix cell.
fn control_section<'a>(
    repo: &'a RepoReport,
    info: &'static ControlInfo,
    links: Option<&CommitLinks>,
) -> Option<Section<'a>> {
    let result = repo.controls.get(info.id)?;
    if result.verdict == Verdict::NotApplicable && result.findings.is_empty() {
        return None;
    }
    let needs_action = matches!(
        result.verdict,
        Verdict::Fail | Verdict::Review | Verdict::Waived
    );
    Some(Section {
        id: info.id,
        title: info.title,
        verdict: result.verdict.as_str(),
        mark: verdict_mark(result.verdict),
        rationale: needs_action.then_some(info.rationale),
        fix: needs_action.then_some(info.fix),
        waiver: result.waiver.as_ref().map(|waiver| {
            format!(
                "Waived until {}, without the waiver {}. Reason: {}",
                waiver.expires,
                waiver.original.as_str(),
                waiver.reason
            )
        }),
        findings: finding_views(&result.findings, info.id, links),
    })
}

fn blocker_section<'a>(blocker: &'a BlockerResult, links: Option<&CommitLinks>) -> Section<'a> {
    let info = controls::BLOCKERS
        .iter()
        .find(|info| info.id == blocker.id)
        .copied();
    let verdict = if blocker.waiver.is_some() {
        Verdict::Waived
    } else {
        Verdict::Fail
    };
    Section {
        id: &blocker.id,
        title: info.map_or(blocker.id.as_str(), |info| info.title),
        verdict: verdict.as_str(),
        mark: verdict_mark(verdict),
        rationale: info.map(|info| info.rationale),
        fix: info.map(|info| info.fix),
        waiver: blocker.waiver.as_ref().map(|waiver| {
            format!(
                "Waived until {}, so it does not cap the grade. Reason: {}",
                waiver.expires, waiver.reason
            )
        }),
        findings: finding_views(&blocker.findings, &blocker.id, links),
    }
}

/// Lists findings fail first, then review, pass and advisories, each group in the scorecard's
/// order, as the Markdown report does.
fn finding_views<'a>(
    findings: &'a [Finding],
    group_id: &str,
    links: Option<&CommitLinks>,
) -> Vec<FindingView<'a>> {
    let mut views: Vec<FindingView> = findings
        .iter()
        .map(|finding| FindingView {
            id: &finding.id,
            show_id: finding.id != group_id,
            outcome: finding.outcome,
            mark: outcome_mark(finding.outcome),
            subject: if finding.subject == finding.path {
                ""
            } else {
                &finding.subject
            },
            location: location(finding),
            href: links.map(|links| links.file(&finding.path, finding.line)),
            quote: &finding.quote,
            message: &finding.message,
            fix: &finding.fix,
            summary: match controls::lookup(&finding.id) {
                Some(Info::Finding(info)) if group_id.is_empty() => Some(info.summary),
                _ => None,
            },
        })
        .collect();
    views.sort_by_key(|view| outcome_rank(view.outcome));
    views
}

/// Builds the markers of a matrix row: each blocker, each waiver with its status, and a file
/// that does not parse.
fn badges(repo: &RepoReport) -> Vec<Badge> {
    let mut badges = Vec::new();
    for blocker in &repo.blockers {
        let badge = match &blocker.waiver {
            None => Badge {
                kind: "blocker",
                text: format!("⛔ {}", blocker.id),
                title: format!("Blocker {}: caps the grade", blocker.id),
            },
            Some(waiver) => Badge {
                kind: "blocker-waived",
                text: format!("⛔ {} (waived)", blocker.id),
                title: format!(
                    "Blocker {}, waived until {}: does not cap the grade",
                    blocker.id, waiver.expires
                ),
            },
        };
        badges.push(badge);
    }
    for waiver in &repo.waivers {
        badges.push(waiver_badge(waiver));
    }
    let parse_error = repo
        .findings
        .iter()
        .chain(repo.controls.values().flat_map(|result| &result.findings))
        .any(|finding| finding.id == controls::advisories::PARSE_ERROR.id);
    if parse_error {
        badges.push(Badge {
            kind: "parse-error",
            text: "parse error".to_string(),
            title: "A container file does not parse; the controls that need it answer review"
                .to_string(),
        });
    }
    badges
}

fn waiver_badge(waiver: &WaiverReport) -> Badge {
    let (kind, meaning) = match waiver.status.as_str() {
        "applied" => ("waiver-applied", "applied"),
        "expired" => ("waiver-expired", "expired, so it is ignored"),
        _ => ("waiver-unused", "unused: there is nothing to waive"),
    };
    Badge {
        kind,
        text: format!("waiver {}: {}", waiver.id, waiver.status),
        title: format!(
            "Waiver for {}, expires {}, {meaning}. Reason: {}",
            waiver.id, waiver.expires, waiver.reason
        ),
    }
}

/// The `inline_code` filter: escapes text for HTML, joins its lines, and sets each `code`
/// span of the Markdown in control metadata in a `<code>` element. Its output is marked safe
/// because the filter escapes every character of the input itself.
struct InlineCode;

impl tera::Filter for InlineCode {
    fn filter(&self, value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
        let text = value.as_str().unwrap_or_default();
        let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut html = String::with_capacity(joined.len() + 32);
        for (index, part) in joined.split('`').enumerate() {
            // Odd parts lie between two backticks. An unpaired last backtick opens no span.
            let in_code = index % 2 == 1 && joined.split('`').count() > index + 1;
            if in_code {
                html.push_str("<code>");
                html.push_str(&tera::escape_html(part));
                html.push_str("</code>");
            } else {
                if index % 2 == 1 {
                    html.push('`');
                }
                html.push_str(&tera::escape_html(part));
            }
        }
        Ok(Value::String(html))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Filter;

    fn inline_code(text: &str) -> String {
        let value = InlineCode
            .filter(&Value::String(text.to_string()), &HashMap::new())
            .unwrap();
        value.as_str().unwrap().to_string()
    }

    #[test]
    fn inline_code_sets_code_spans() {
        assert_eq!(
            inline_code("Add `USER 10001`\nto the\n  image."),
            "Add <code>USER 10001</code> to the image."
        );
    }

    #[test]
    fn inline_code_escapes_everything() {
        assert_eq!(
            inline_code("a <b> `<i>&` c"),
            "a &lt;b&gt; <code>&lt;i&gt;&amp;</code> c"
        );
        assert_eq!(inline_code("odd ` <x>"), "odd ` &lt;x&gt;");
    }

    #[test]
    fn csp_hashes_match_inline_elements() {
        let text = render(&Scorecard::new(Vec::new())).unwrap();
        let style = between(&text, "<style>", "</style>");
        let script = between(&text, "<script>", "</script>");
        assert_eq!(style, STYLE, "the style sheet is rendered unchanged");
        assert_eq!(script, SCRIPT, "the script is rendered unchanged");
        // The policy is an attribute value, so its quotes and slashes are written as entities.
        assert!(text.contains(&tera::escape_html(&csp_hash(STYLE))));
        assert!(text.contains(&tera::escape_html(&csp_hash(SCRIPT))));
    }

    fn between<'t>(text: &'t str, start: &str, end: &str) -> &'t str {
        let from = text.find(start).expect("start tag") + start.len();
        let to = from + text[from..].find(end).expect("end tag");
        &text[from..to]
    }

    #[test]
    fn chart_counts_unknown_grade_as_error() {
        let mut repo = crate::pipeline::error_report("a", "a", "gone".to_string());
        repo.grade = "Z".to_string();
        let chart = Chart::new(&[repo]);
        let error = chart.bars.iter().find(|bar| bar.grade == "error").unwrap();
        assert_eq!(error.count, 1);
        assert_eq!(error.width, CHART_BAR_WIDTH);
    }
}
