//! Properties of the SARIF report: rules, levels, suppressions, locations, fingerprints,
//! escaping and runs, on the sample scorecard and small variations of it.

mod common;

use common::{empty_repo, finding, sample_scorecard, scorecard_of};
use dockgrade::finding::Outcome;
use dockgrade::report::{render, Format};
use dockgrade::scorecard::{ControlResult, RepoReport, Scorecard, Verdict};
use serde_json::Value;

fn sarif(scorecard: &Scorecard) -> String {
    render(scorecard, Format::Sarif).expect("the scorecard renders as SARIF")
}

fn log(scorecard: &Scorecard) -> Value {
    serde_json::from_str(&sarif(scorecard)).expect("the SARIF log is JSON")
}

/// Returns the results of the first run.
fn results(log: &Value) -> Vec<Value> {
    log["runs"][0]["results"]
        .as_array()
        .expect("a run has results")
        .clone()
}

/// Returns the results of the first run with this rule id.
fn results_of(log: &Value, rule_id: &str) -> Vec<Value> {
    results(log)
        .into_iter()
        .filter(|result| result["ruleId"] == rule_id)
        .collect()
}

fn only_result(log: &Value, rule_id: &str) -> Value {
    let found = results_of(log, rule_id);
    assert_eq!(found.len(), 1, "results of {rule_id}: {found:?}");
    found[0].clone()
}

/// Builds a scorecard of one repository whose only control has the given findings.
fn one_control(findings: Vec<dockgrade::finding::Finding>) -> Scorecard {
    let mut repo = empty_repo("app", "C");
    repo.controls.insert(
        "non-root".to_string(),
        ControlResult {
            verdict: Verdict::Fail,
            findings,
            waiver: None,
        },
    );
    scorecard_of(vec![repo])
}

fn uri(result: &Value) -> &str {
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .expect("a result has a URI")
}

#[test]
fn log_header_names_schema_and_tool() {
    let log = log(&sample_scorecard());
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "dockgrade");
    assert_eq!(driver["version"], "0.1.0");
}

#[test]
fn rules_cover_every_id() {
    let log = log(&sample_scorecard());
    for run in log["runs"].as_array().expect("runs") {
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let ids: Vec<&str> = rules
            .iter()
            .map(|rule| rule["id"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(ids, dockgrade::controls::all_ids());
        for rule in rules {
            let id = &rule["id"];
            for key in ["name", "shortDescription", "fullDescription", "help"] {
                assert!(!rule[key].is_null(), "rule {id} has no {key}");
            }
            assert!(
                rule["help"]["markdown"].is_string(),
                "rule {id} has no Markdown help"
            );
            let tags = rule["properties"]["tags"].as_array().expect("tags");
            assert!(tags.contains(&Value::from("docker")), "rule {id}: {tags:?}");
        }
    }
}

#[test]
fn undocumented_id_gets_a_rule() {
    let scorecard = one_control(vec![finding(
        "from-the-future",
        Outcome::Fail,
        "Dockerfile",
        2,
        "USER root",
        "A finding of a newer dockgrade.",
        "",
    )]);
    let log = log(&scorecard);
    let result = only_result(&log, "from-the-future");
    let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
        "from-the-future"
    );
}

#[test]
fn levels_follow_outcomes() {
    let log = log(&sample_scorecard());
    let cases = [
        ("pinned-digest", "error"),
        ("non-root", "warning"),
        ("healthcheck-tool-missing", "note"),
        ("secret-build-arg", "note"),
        ("docker-socket", "error"),
        ("privileged", "error"),
    ];
    for (rule_id, level) in cases {
        for result in results_of(&log, rule_id) {
            assert_eq!(result["level"], level, "{rule_id}");
        }
    }
    let parse_errors: Vec<Value> = log["runs"][1]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|result| result["ruleId"] == "parse-error")
        .cloned()
        .collect();
    assert_eq!(parse_errors.len(), 1);
    assert_eq!(parse_errors[0]["level"], "warning");
}

#[test]
fn pass_findings_are_left_out() {
    let log = log(&sample_scorecard());
    assert!(results_of(&log, "multi-stage").is_empty());
    // read-only passes; only its advisory is a result.
    assert!(results_of(&log, "read-only").is_empty());
    assert_eq!(results_of(&log, "read-only-no-tmp").len(), 1);
    assert_eq!(results_of(&log, "pinned-digest").len(), 2);
}

#[test]
fn waivers_become_external_suppressions() {
    let log = log(&sample_scorecard());
    let waived = only_result(&log, "dockerignore");
    assert_eq!(
        waived["suppressions"],
        serde_json::json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "Context is generated by CI; no secrets | ever",
            "properties": {"expires": "2030-01-31"}
        }])
    );
    assert_eq!(waived["level"], "warning", "keeps the level of its outcome");

    let blocker = only_result(&log, "privileged");
    assert_eq!(
        blocker["suppressions"][0]["justification"],
        "Docker-in-Docker runner for CI"
    );
    assert_eq!(
        blocker["suppressions"][0]["properties"]["expires"],
        "2030-12-31"
    );

    for rule_id in ["docker-socket", "pinned-digest", "healthcheck-tool-missing"] {
        for result in results_of(&log, rule_id) {
            assert!(
                result.get("suppressions").is_none(),
                "{rule_id} is not waived"
            );
        }
    }
}

#[test]
fn uris_are_relative_and_encoded() {
    let scorecard = one_control(vec![
        finding(
            "non-root",
            Outcome::Fail,
            "my app/Dockerfile",
            3,
            "USER root",
            "m",
            "",
        ),
        finding(
            "non-root",
            Outcome::Fail,
            "./svc/../web/Dockerfile#1",
            4,
            "USER 0",
            "m",
            "",
        ),
    ]);
    let log = log(&scorecard);
    let mut uris: Vec<String> = results(&log)
        .iter()
        .map(|result| uri(result).to_string())
        .collect();
    uris.sort();
    assert_eq!(uris, ["my%20app/Dockerfile", "web/Dockerfile%231"]);
    for result in results(&log) {
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }
    assert!(
        log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]
            .as_str()
            .is_some_and(|text| text.contains("app"))
    );
}

#[test]
fn sample_uris_have_no_dot_segments() {
    let log = log(&sample_scorecard());
    for run in log["runs"].as_array().expect("runs") {
        for result in run["results"].as_array().expect("results") {
            let uri = uri(result);
            assert!(!uri.starts_with('/'), "{uri}");
            assert!(
                uri.split('/')
                    .all(|segment| segment != ".." && segment != "."),
                "{uri}"
            );
            assert!(!uri.contains(' '), "{uri}");
        }
    }
}

#[test]
fn path_outside_root_has_no_location() {
    let scorecard = one_control(vec![finding(
        "non-root",
        Outcome::Fail,
        "../elsewhere/Dockerfile",
        3,
        "USER root",
        "m",
        "",
    )]);
    let result = only_result(&log(&scorecard), "non-root");
    assert!(result.get("locations").is_none(), "{result}");
}

#[test]
fn start_line_absent_for_line_zero() {
    let log = log(&sample_scorecard());
    let whole_file = only_result(&log, "dockerignore");
    let physical = &whole_file["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], ".dockerignore");
    assert!(physical.get("region").is_none(), "{physical}");

    let socket = only_result(&log, "docker-socket");
    assert_eq!(
        socket["locations"][0]["physicalLocation"]["region"]["startLine"],
        11
    );
}

#[test]
fn fingerprint_stable_when_finding_moves() {
    let at = |line| {
        let scorecard = one_control(vec![finding(
            "non-root",
            Outcome::Fail,
            "Dockerfile",
            line,
            "USER root",
            "The final stage runs as root.",
            "",
        )]);
        only_result(&log(&scorecard), "non-root")["partialFingerprints"].clone()
    };
    assert_eq!(at(7), at(12));

    let changed = one_control(vec![finding(
        "non-root",
        Outcome::Fail,
        "Dockerfile",
        7,
        "USER 0",
        "The final stage runs as root.",
        "",
    )]);
    assert_ne!(
        at(7),
        only_result(&log(&changed), "non-root")["partialFingerprints"]
    );
}

#[test]
fn fingerprints_of_identical_lines_differ() {
    let scorecard = one_control(vec![
        finding(
            "non-root",
            Outcome::Fail,
            "Dockerfile",
            3,
            "USER root",
            "first",
            "",
        ),
        finding(
            "non-root",
            Outcome::Fail,
            "Dockerfile",
            9,
            "USER root",
            "second",
            "",
        ),
    ]);
    let fingerprints: Vec<String> = results(&log(&scorecard))
        .iter()
        .map(|result| {
            result["partialFingerprints"]["dockgradeFindingHash/v1"]
                .as_str()
                .expect("a fingerprint")
                .to_string()
        })
        .collect();
    assert_eq!(fingerprints.len(), 2);
    assert!(fingerprints[0].ends_with(":1"), "{fingerprints:?}");
    assert!(fingerprints[1].ends_with(":2"), "{fingerprints:?}");
    assert_eq!(
        fingerprints[0].split(':').next(),
        fingerprints[1].split(':').next()
    );
}

#[test]
fn hostile_text_is_only_escaped() {
    let message = "quote \" backslash \\ newline\nescape \u{1b}[31m </script> ${{ secrets.TOKEN }} \u{2028} 🐳";
    let fix = "`rm -rf /` & <b>bold</b>";
    let scorecard = one_control(vec![finding(
        "non-root",
        Outcome::Fail,
        "Dockerfile",
        1,
        "USER root",
        message,
        fix,
    )]);
    let text = sarif(&scorecard);
    assert!(
        text.contains("\\u001b[31m"),
        "control characters are JSON escapes"
    );
    let result = only_result(&serde_json::from_str(&text).expect("JSON"), "non-root");
    assert_eq!(
        result["message"]["text"],
        format!("{message}\n\nHow to fix: {fix}")
    );
}

#[test]
fn unreadable_repository_is_a_failed_invocation() {
    let log = log(&sample_scorecard());
    let unreadable = &log["runs"][2];
    assert_eq!(unreadable["properties"]["repository"], "acme/gone");
    let invocation = &unreadable["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert!(notification["message"]["text"]
        .as_str()
        .is_some_and(|text| text.contains("404 Not Found")));
    assert_eq!(unreadable["results"], serde_json::json!([]));

    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn several_repositories_get_categories() {
    let log = log(&sample_scorecard());
    let ids: Vec<&str> = log["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|run| run["automationDetails"]["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(
        ids,
        [
            "dockgrade/acme/api_server/",
            "dockgrade/local/odd|name`s <repo>/",
            "dockgrade/acme/gone/",
            "dockgrade/acme/docs/",
        ]
    );
}

#[test]
fn single_repository_has_no_category() {
    let scorecard = scorecard_of(vec![empty_repo("app", "—")]);
    let log = log(&scorecard);
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
    assert!(log["runs"][0].get("automationDetails").is_none());
}

#[test]
fn sarif_is_deterministic_with_one_newline() {
    let first = sarif(&sample_scorecard());
    assert_eq!(first.as_bytes(), sarif(&sample_scorecard()).as_bytes());
    assert!(first.ends_with("}\n"));
    assert!(!first.ends_with("\n\n"));
}

/// Shortens each rule to one line of id, name, level and tags: the long texts come from the
/// control metadata and are tested above, and the snapshot shows the structure of the log.
fn with_short_rules(mut log: Value) -> Value {
    for run in log["runs"].as_array_mut().expect("runs") {
        let rules = run["tool"]["driver"]["rules"]
            .as_array_mut()
            .expect("rules");
        for rule in rules.iter_mut() {
            let line = format!(
                "{} {}: {}, tags {}",
                rule["id"].as_str().unwrap_or(""),
                rule["name"].as_str().unwrap_or(""),
                rule["defaultConfiguration"]["level"].as_str().unwrap_or(""),
                rule["properties"]["tags"]
            );
            *rule = Value::from(line);
        }
    }
    log
}

#[test]
fn sarif_snapshot() {
    let log = with_short_rules(log(&sample_scorecard()));
    insta::assert_json_snapshot!(log);
}

#[test]
fn repository_name_is_unchanged_in_properties() {
    let mut repo: RepoReport = empty_repo("a \"quoted\" name", "—");
    repo.source = "../up/there".to_string();
    let log = log(&scorecard_of(vec![repo]));
    assert_eq!(
        log["runs"][0]["properties"]["repository"],
        "a \"quoted\" name"
    );
    assert_eq!(log["runs"][0]["properties"]["source"], "../up/there");
}
