//! docs/controls.md, rendered from the control, blocker and finding metadata.

use super::templates;
use crate::controls::{advisories, ControlInfo, FindingInfo, Reference, BLOCKERS, CONTROLS};
use serde::Serialize;

/// Renders the whole of docs/controls.md: verdicts and grade, the finding ids, then each
/// control, each blocker and each other finding with the same parts.
pub fn render_controls_doc() -> String {
    let view = DocView {
        controls: CONTROLS.iter().map(|info| EntryView::new(info)).collect(),
        blockers: BLOCKERS.iter().map(|info| EntryView::new(info)).collect(),
        findings: advisories::FINDINGS.to_vec(),
    };
    // The templates and the metadata are both compiled in, and the docs test renders them,
    // so a failure here is a bug in this crate, not a problem of the caller.
    let tera = templates::load().expect("embedded templates are valid");
    let context = tera::Context::from_serialize(&view).expect("control metadata serializes");
    tera.render("controls.md.tera", &context)
        .expect("controls.md.tera renders the control metadata")
}

/// Renders the section of docs/controls.md about each of `infos`: what it checks, why, a
/// failing and a passing example, the fix and references, under a level-3 heading.
pub(crate) fn render_entries(infos: &[&ControlInfo]) -> Vec<String> {
    // As above, the templates and the metadata are compiled in and tested.
    let mut tera = templates::load().expect("embedded templates are valid");
    infos
        .iter()
        .map(|info| {
            let mut context = tera::Context::new();
            context.insert("entry", &EntryView::new(info));
            tera.render_str(
                r#"{% import "macros.md.tera" as m %}{{ m::doc_entry(e=entry) }}"#,
                &context,
            )
            .expect("the doc_entry macro renders the control metadata")
        })
        .collect()
}

#[derive(Serialize)]
struct DocView {
    controls: Vec<EntryView>,
    blockers: Vec<EntryView>,
    findings: Vec<&'static FindingInfo>,
}

/// A control or blocker with its examples' code fence languages resolved.
#[derive(Serialize)]
struct EntryView {
    id: &'static str,
    title: &'static str,
    checks: &'static str,
    rationale: &'static str,
    failing: Vec<SnippetView>,
    passing: Vec<SnippetView>,
    fix: &'static str,
    references: &'static [Reference],
}

#[derive(Serialize)]
struct SnippetView {
    file: &'static str,
    language: &'static str,
    code: &'static str,
}

impl EntryView {
    fn new(info: &ControlInfo) -> Self {
        let snippets = |snippets: &'static [crate::controls::Snippet]| {
            snippets
                .iter()
                .map(|snippet| SnippetView {
                    file: snippet.file,
                    language: snippet.language(),
                    code: snippet.code,
                })
                .collect()
        };
        EntryView {
            id: info.id,
            title: info.title,
            checks: info.checks,
            rationale: info.rationale,
            failing: snippets(info.failing_example),
            passing: snippets(info.passing_example),
            fix: info.fix,
            references: info.references,
        }
    }
}
