//! SARIF rules: one reporting descriptor per control, blocker and other finding id, with the
//! help text taken from the control metadata.

use super::log::{
    Level, MultiformatMessageString, ReportingConfiguration, ReportingDescriptor, RuleProperties,
};
use crate::controls::{self, ControlInfo, FindingInfo, Info, BLOCKERS, CONTROLS};
use crate::report::controls_doc;
use crate::report::explain::render_explain;
use std::collections::HashMap;

/// Returns the rules of every documented id, in the order of `controls::all_ids`, followed by
/// `extra_ids` in the given order. Those are ids found in the scorecard that this dockgrade does
/// not document, such as those of a JSON report written by a newer version.
pub fn rules(extra_ids: &[String]) -> Vec<ReportingDescriptor> {
    let entries: Vec<&ControlInfo> = CONTROLS.iter().chain(BLOCKERS.iter()).copied().collect();
    let mut markdown: HashMap<&str, String> = entries
        .iter()
        .map(|info| info.id)
        .zip(controls_doc::render_entries(&entries))
        .collect();

    let documented = controls::all_ids().into_iter().filter_map(controls::lookup);
    let mut rules: Vec<ReportingDescriptor> = documented
        .map(|info| {
            let help_markdown = match info {
                Info::Finding(finding) => finding_markdown(finding),
                Info::Control(_) | Info::Blocker(_) => markdown
                    .remove(info.id())
                    .expect("all_ids lists the ids of CONTROLS and BLOCKERS once each"),
            };
            rule(info, help_markdown)
        })
        .collect();
    rules.extend(extra_ids.iter().map(|id| undocumented_rule(id)));
    rules
}

/// Returns the level a rule's results have by default: the level of a failed control or a
/// blocker, of a file that does not parse, or of an advisory.
pub fn default_level(info: Info) -> Level {
    match info {
        Info::Control(_) | Info::Blocker(_) => Level::Error,
        Info::Finding(finding) if finding.advisory => Level::Note,
        Info::Finding(_) => Level::Warning,
    }
}

/// Builds the rule of `info`, with `help_markdown` as the Markdown form of its help.
fn rule(info: Info, help_markdown: String) -> ReportingDescriptor {
    let (title, full_description, tags) = match info {
        Info::Control(control) => entry_parts(control, "control"),
        Info::Blocker(blocker) => entry_parts(blocker, "blocker"),
        Info::Finding(finding) => finding_parts(finding),
    };
    ReportingDescriptor {
        id: info.id().to_string(),
        name: pascal_case(info.id()),
        short_description: plain(title.to_string()),
        full_description: plain(full_description),
        default_configuration: ReportingConfiguration {
            level: default_level(info),
        },
        help: MultiformatMessageString {
            text: render_explain(info),
            markdown: Some(help_markdown),
        },
        properties: RuleProperties { tags },
    }
}

fn entry_parts(
    info: &ControlInfo,
    kind: &'static str,
) -> (&'static str, String, Vec<&'static str>) {
    let tags = vec!["security", "docker", kind];
    (info.title, unwrap_lines(info.rationale), tags)
}

fn finding_markdown(info: &FindingInfo) -> String {
    format!(
        "### {} (`{}`)\n\n{}\n\n#### How to fix\n\n{}\n",
        info.title, info.id, info.summary, info.fix
    )
}

fn finding_parts(info: &FindingInfo) -> (&'static str, String, Vec<&'static str>) {
    // A file that does not parse is a correctness problem, not a security one: GitHub code
    // scanning lists rules tagged `security` among the security alerts.
    let tags = if info.advisory {
        vec!["security", "docker", "advisory"]
    } else {
        vec!["docker", "correctness"]
    };
    (info.title, unwrap_lines(info.summary), tags)
}

/// Builds a rule for a finding id with no metadata, so that every result still names a rule.
fn undocumented_rule(id: &str) -> ReportingDescriptor {
    let text =
        format!("dockgrade finding {id}; this dockgrade version has no documentation for it.");
    ReportingDescriptor {
        id: id.to_string(),
        name: pascal_case(id),
        short_description: plain(format!("dockgrade finding {id}")),
        full_description: plain(text.clone()),
        default_configuration: ReportingConfiguration {
            level: Level::Warning,
        },
        help: MultiformatMessageString {
            text,
            markdown: None,
        },
        properties: RuleProperties {
            tags: vec!["docker"],
        },
    }
}

fn plain(text: String) -> MultiformatMessageString {
    MultiformatMessageString {
        text,
        markdown: None,
    }
}

/// Joins the hard-wrapped lines of metadata prose into one line per paragraph.
fn unwrap_lines(prose: &str) -> String {
    prose
        .split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Turns a kebab-case id into the identifier-like `name` that SARIF rules carry:
/// `non-root` becomes `NonRoot`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_of_ids() {
        assert_eq!(pascal_case("non-root"), "NonRoot");
        assert_eq!(pascal_case("dockerignore"), "Dockerignore");
        assert_eq!(
            pascal_case("healthcheck-tool-missing"),
            "HealthcheckToolMissing"
        );
    }

    #[test]
    fn unwrap_lines_keeps_paragraphs() {
        assert_eq!(unwrap_lines("one\ntwo\n\nthree"), "one two\n\nthree");
    }

    #[test]
    fn rule_help_comes_from_metadata() {
        let rules = rules(&[]);
        let rule = &rules[1];
        assert_eq!(rule.id, "non-root");
        let markdown = rule.help.markdown.as_deref().expect("help has Markdown");
        assert!(
            markdown.starts_with("### Non-Root (`non-root`)"),
            "{markdown}"
        );
        assert!(markdown.contains("#### How to fix"));
        assert!(rule.help.text.contains("How to fix"));
        assert_eq!(rule.short_description.text, "Non-Root");
        assert!(!rule.full_description.text.contains('\n'));
    }

    #[test]
    fn default_levels_by_kind() {
        let level = |id| default_level(controls::lookup(id).expect("a documented id"));
        assert_eq!(level("cap-drop"), Level::Error);
        assert_eq!(level("privileged"), Level::Error);
        assert_eq!(level("parse-error"), Level::Warning);
        assert_eq!(level("system-uid"), Level::Note);
    }
}
