//! The scan over real repositories' container files: the repos.toml of the shared reference
//! corpus checked out beside this repository.
//!
//! The tests check properties that must hold for every repository (a row each, located
//! parse errors, evidence behind every verdict, no printed secret, byte-identical reports) and a
//! table of verdicts checked by hand against docs/controls.md and the files themselves.
//! `cargo test --test corpus -- --nocapture` prints the corpus counts.

mod support;

use dockgrade::config::Config;
use dockgrade::finding::{Finding, Outcome};
use dockgrade::grade::Policy;
use dockgrade::model::{self, RepoModel};
use dockgrade::report::{render, Format};
use dockgrade::scan::{self, Job, JobLocation};
use dockgrade::scorecard::{RepoReport, Scorecard};
use dockgrade::source::local::{read_local, read_more};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Repositories whose row may have the grade `error`. Every corpus repository is a local folder
/// that exists, so the list is empty.
const EXPECTED_ERROR_ROWS: &[&str] = &[];

/// One verdict checked by hand.
///
/// `id` is a control id, a blocker or finding id, `grade`, or `skipped`. `at` narrows the check:
/// empty for the whole repository, `path:line` for the findings of a control at that line, or a
/// path for a blocker, a finding or a skipped file. `expected` is a verdict (`pass`, `review`,
/// `fail`, `n/a`), a grade, or `present` / `absent`.
struct Expectation {
    repo: &'static str,
    id: &'static str,
    at: &'static str,
    expected: &'static str,
    reason: &'static str,
}

const fn row(
    repo: &'static str,
    id: &'static str,
    at: &'static str,
    expected: &'static str,
    reason: &'static str,
) -> Expectation {
    Expectation {
        repo,
        id,
        at,
        expected,
        reason,
    }
}

/// Verdicts on real files that match docs/controls.md, each checked by reading the files.
#[rustfmt::skip]
const VERIFIED: &[Expectation] = &[
    row("CybercentreCanada/projector-docker", "non-root", "", "pass",
        "USER $PROJECTOR_USER_NAME:$PROJECTOR_USER_GID resolves through ENV and ARG defaults to projector-user:1000"),
    row("CybercentreCanada/projector-docker", "dockerignore", "", "pass",
        "Dockerfile.dockerignore applies, and its `**` with three re-included folders keeps every probe path out"),
    row("CybercentreCanada/projector-docker", "pinned-digest", "Dockerfile:67", "review",
        "FROM eclipse-temurin:${containerJdkVersion}-jdk-jammy depends on an ARG without a default"),
    row("LacledesLAN/gamesvr-tf2-blindfrag", "healthcheck", "", "fail",
        "HEALTHCHECK NONE in the only stage"),
    row("LacledesLAN/gamesvr-tf2-blindfrag", "non-root", "", "pass",
        "the last USER is TF2BlindFrag, and the ONBUILD USER root after it applies to child images only"),
    row("celo-org/health-checker-docker", "non-root", "", "pass",
        "USER 1000:1000 below a lowercase `from` line"),
    row("GoogleContainerTools/distroless", "non-root", "", "fail",
        "plain distroless tags such as static-debian12 run as root and no final stage sets USER"),
    row("ionos-cloud/octopinger", "non-root", "", "pass",
        "USER 65532:65532 on gcr.io/distroless/static:nonroot"),
    row("ossf/scorecard", "non-root", "Dockerfile:27", "pass",
        "cgr.dev/chainguard/static pinned by digest runs as non-root without a USER line"),
    row("ossf/scorecard", "pinned-digest", "", "pass",
        "every FROM of both Dockerfiles carries a tag and a sha256 digest"),
    row("docker/docker-bench-security", "dockerignore", "", "pass",
        "the allowlist `*` with `!` re-includes keeps every probe path out"),
    row("docker/docker-bench-security", "healthcheck", "", "pass",
        "HEALTHCHECK CMD exit 0 on an alpine base that has a shell"),
    row("docker/docker-bench-security", "host-namespace", "docker-compose.yml:14", "present",
        "pid: host"),
    row("docker/docker-bench-security", "docker-socket", "docker-compose.yml:19", "present",
        "a read-only bind of /var/run/docker.sock still hands over the engine"),
    row("wollomatic/socket-proxy", "cap-drop", "", "pass",
        "every service drops ALL, and `no-new-privileges` alone sets the option"),
    row("wollomatic/socket-proxy", "read-only", "", "pass",
        "every service sets read_only: true"),
    row("wollomatic/traefik-hardened", "cap-drop", "", "fail",
        "only the socket proxy drops ALL, the traefik service drops nothing"),
    row("wollomatic/traefik-hardened", "non-root", "", "pass",
        "user: 65534:<<docker-gid>> and user: \"2000:2000\" are both non-root users"),
    row("astral-sh/uv-docker-example", "non-root", "compose.yml:16", "fail",
        "the Compose user: root overrides USER nonroot of the Dockerfile it builds"),
    row("netbox-community/netbox-docker", "non-root", "Dockerfile:49", "review",
        "FROM ${FROM} has no default, so the base image's user is not known"),
    row("netbox-community/netbox-docker", "multi-stage", "", "pass",
        "the main stage copies the venv from the builder stage and installs no -dev package"),
    row("getsentry/self-hosted", "non-root", "cron/Dockerfile:3", "fail",
        "USER 0 in the only stage of the cron image"),
    row("getsentry/self-hosted", "read-only", "", "fail",
        "read_only: true appears only on long-syntax bind mounts, never on a service"),
    row("frappe/frappe_docker", "docker-socket", "overrides/compose.traefik.yaml:38", "present",
        "the traefik override binds /var/run/docker.sock read-only"),
    row("frappe/frappe_docker", "multi-stage", "images/production/Containerfile:13", "fail",
        "libpq-dev is installed in the base stage that the final erpnext stage is built FROM"),
    row("mailcow/mailcow-dockerized", "privileged", "docker-compose.yml:512", "present",
        "privileged: true on netfilter-mailcow"),
    row("mailcow/mailcow-dockerized", "skipped", "data/web/inc/lib/vendor", "present",
        "the vendored minify copy sits under vendor/, which discovery skips and lists"),
    row("paperless-ngx/paperless-ngx", "dockerignore", "", "fail",
        ".dockerignore lets the real file docker/compose/.env into the root build context"),
    row("nginx-proxy/nginx-proxy", "docker-socket", "docker-compose.yml:8", "present",
        "the socket bound at /tmp/docker.sock is still the engine's socket"),
    row("docker/awesome-compose:nginx-golang-postgres", "multi-stage", "", "fail",
        "build.target: builder selects the golang stage that runs go build"),
    row("docker/awesome-compose:nginx-golang-postgres", "read-only", "", "fail",
        "read_only: true on a bind mount of the proxy is not the service's read_only"),
    row("docker/awesome-compose:nginx-wsgi-flask", "healthcheck", "", "pass",
        "both services define healthcheck.test in Compose"),
    row("docker/awesome-compose:pihole-cloudflared-DoH", "cap-drop", "compose.yaml:44", "fail",
        "cap_add NET_ADMIN, written with a trailing comment, is dangerous"),
    row("docker/awesome-compose:angular", "pinned-digest", "", "fail",
        "only the builder target's FROM counts, and node:17.0.1-bullseye-slim has no digest"),
    row("docker/awesome-compose:react-express-mongodb", "grade", "", "—",
        "an ignore file alone gives nothing to grade"),
    row("linuxserver/docker-socket-proxy", "secret-in-image", "", "absent",
        "ENV SECRETS=0 and LIBPOD_SECRETS=0 are numbers, not literal secrets"),
    row("minio/minio", "secret-in-image", "", "absent",
        "ENV MINIO_SECRET_KEY_FILE and its siblings end in FILE, so they name references"),
    row("louislam/uptime-kuma", "secret-build-arg", "docker/dockerfile:103", "present",
        "ARG GITHUB_TOKEN without a value in the upload-artifact stage"),
    row("moby/buildkit", "pinned-digest", "", "review",
        "the final FROM buildkit-$TARGETOS${BUILDKIT_DEBUG:+-debug} depends on TARGETOS"),
    row("dani-garcia/vaultwarden", "skipped", "Dockerfile", "present",
        "the root Dockerfile holds only `docker/Dockerfile.debian`, a symbolic link stored as text, and is graded as that file"),
    row("dani-garcia/vaultwarden", "skipped", "docker/Dockerfile.j2", "present",
        "a Dockerfile.<x> name left out as a template must be listed, not dropped silently"),
    row("paperless-ngx/paperless-ngx", "multi-stage", "", "fail",
        ".devcontainer/Dockerfile installs ${BUILD_PACKAGES}, whose ARG default lists build-essential and libpq-dev"),
    row("docker/awesome-compose:react-java-mysql", "multi-stage", "", "review",
        "both services build images whose Dockerfiles are missing: not n/a, since the repository builds images"),
    row("docker/awesome-compose:react-java-mysql", "dockerignore", "", "review",
        "both services build images whose Dockerfiles are missing: not n/a, since the repository builds images"),
    row("docker/awesome-compose:react-java-mysql", "healthcheck", "compose.yaml:3", "review",
        "backend builds from a missing Dockerfile; it does not run an image built elsewhere"),
    row("docker/awesome-compose:nginx-flask-mysql", "healthcheck", "compose.yaml:28", "review",
        "backend builds from a missing Dockerfile; it does not run an image built elsewhere"),
    row("ionos-cloud/octopinger", "dockerignore", "", "review",
        "COPY ${BINARY} /main depends on an ARG without a default, so it is not known to copy the whole context"),
    row("frappe/frappe_docker", "parse-error", "overrides/compose.mariadb-secrets.yaml", "present",
        "loaded alone, service db has neither image nor build, which docker compose rejects"),
    row("nginx-proxy/nginx-proxy", "parse-error", "test/test_ssl/compose.base.override.yml", "present",
        "loaded alone, service nginx-proxy has neither image nor build, which docker compose rejects"),
];

/// Literal secrets that corpus Compose files set and that no report may print.
const COMPOSE_SECRETS: &[(&str, &str)] = &[
    ("docker/awesome-compose:wasmedge-kafka-mysql", "whalehello"),
    (
        "docker/awesome-compose:react-rust-postgres",
        "mysecretpassword",
    ),
    ("docker/awesome-compose:wordpress-mysql", "somewordpress"),
    ("mailcow/mailcow-dockerized", "SOGoSuperSecret0"),
    ("docker/awesome-compose:aspnet-mssql", "example_123"),
];

/// The scanned corpus, shared by the tests so that it is graded once per test binary.
struct Corpus {
    config_path: PathBuf,
    config: Config,
    jobs: Vec<Job>,
    policy: Policy,
    scorecard: Scorecard,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let config_path = support::shared_dir("corpus").join("repos.toml");
        let config = Config::load(&config_path)
            .unwrap_or_else(|error| panic!("failed to load the corpus repos.toml: {error}"));
        let jobs = scan::jobs_for_config(&config, &config_path);
        let blocker_cap = config
            .grading
            .blocker_cap
            .as_str()
            .chars()
            .next()
            .expect("a grade has one letter");
        let policy = Policy {
            blocker_cap,
            today: support::test_policy().today,
        };
        let scorecard = scan::build_scorecard(&jobs, &policy);
        Corpus {
            config_path,
            config,
            jobs,
            policy,
            scorecard,
        }
    })
}

fn report_of<'a>(scorecard: &'a Scorecard, name: &str) -> &'a RepoReport {
    scorecard
        .repos
        .iter()
        .find(|report| report.name == name)
        .unwrap_or_else(|| panic!("the scorecard has no row for {name}"))
}

/// Reads a corpus repository the way the scan does and builds its repo model.
fn model_of(job: &Job) -> RepoModel {
    let JobLocation::Local { root, options } = &job.location else {
        panic!("{} is not a local folder, so it cannot be read", job.name);
    };
    let mut snapshot = read_local(root, options)
        .unwrap_or_else(|error| panic!("failed to read {}: {error}", root.display()));
    let unread = model::unread_dockerfiles(&snapshot, &job.settings.link);
    read_more(root, options, &mut snapshot, &unread);
    model::build(&snapshot, &job.settings.link)
}

/// Collects every finding of a report: control findings, blocker findings and the others.
fn all_findings(report: &RepoReport) -> Vec<&Finding> {
    let controls = report
        .controls
        .values()
        .flat_map(|result| result.findings.iter());
    let blockers = report
        .blockers
        .iter()
        .flat_map(|blocker| blocker.findings.iter());
    controls
        .chain(blockers)
        .chain(report.findings.iter())
        .collect()
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Review => "review",
        Outcome::Fail => "fail",
        Outcome::Advisory => "advisory",
    }
}

/// Tells whether a finding lies at `at`: a `path:line`, or a path alone.
fn is_at(finding: &Finding, at: &str) -> bool {
    match at.rsplit_once(':') {
        Some((path, line)) if line.parse::<usize>().is_ok() => {
            finding.path == path && finding.line.to_string() == line
        }
        _ => finding.path == at,
    }
}

/// Compares one expectation with the scorecard and describes the mismatch, if any.
fn mismatch(scorecard: &Scorecard, expectation: &Expectation) -> Option<String> {
    let report = report_of(scorecard, expectation.repo);
    let actual = if let Some(result) = report.controls.get(expectation.id) {
        if expectation.at.is_empty() {
            result.verdict.as_str().to_string()
        } else {
            let outcomes: BTreeSet<&str> = result
                .findings
                .iter()
                .filter(|finding| finding.outcome != Outcome::Advisory)
                .filter(|finding| is_at(finding, expectation.at))
                .map(|finding| outcome_name(finding.outcome))
                .collect();
            match outcomes.len() {
                0 => "(no finding there)".to_string(),
                _ => outcomes.into_iter().collect::<Vec<_>>().join(" and "),
            }
        }
    } else if expectation.id == "grade" {
        report.grade.clone()
    } else if expectation.id == "skipped" {
        let listed = report
            .skipped
            .iter()
            .any(|entry| entry.starts_with(&format!("{}:", expectation.at)));
        if listed { "present" } else { "absent" }.to_string()
    } else {
        let found = all_findings(report).into_iter().any(|finding| {
            finding.id == expectation.id
                && (expectation.at.is_empty() || is_at(finding, expectation.at))
        });
        if found { "present" } else { "absent" }.to_string()
    };
    (actual != expectation.expected).then(|| {
        format!(
            "{} {} {}: expected {}, got {} ({})",
            expectation.repo,
            expectation.id,
            expectation.at,
            expectation.expected,
            actual,
            expectation.reason
        )
    })
}

/// Returns the values an `ENV` or `ARG` line assigns: `NAME=value` pairs, or the legacy
/// `ENV NAME value` form. Quotes around a value are dropped.
fn assigned_values(line: &str) -> Vec<String> {
    let mut words = line.split_whitespace();
    let keyword = words.next().unwrap_or("").to_ascii_uppercase();
    if keyword != "ENV" && keyword != "ARG" {
        return Vec::new();
    }
    let rest: Vec<&str> = words.collect();
    let unquote = |value: &str| value.trim_matches(|c| c == '"' || c == '\'').to_string();
    if rest.first().is_some_and(|first| !first.contains('=')) {
        return vec![unquote(&rest[1..].join(" "))];
    }
    rest.iter()
        .filter_map(|pair| pair.split_once('='))
        .map(|(_, value)| unquote(value))
        .collect()
}

#[test]
fn every_repository_has_a_row() {
    let corpus = corpus();
    let listed: Vec<&str> = corpus
        .config
        .repos
        .iter()
        .map(|entry| entry.name.as_str())
        .collect();
    let rows: Vec<&str> = corpus
        .scorecard
        .repos
        .iter()
        .map(|report| report.name.as_str())
        .collect();
    assert!(
        !listed.is_empty(),
        "the corpus repos.toml lists no repository"
    );
    assert_eq!(rows.len(), listed.len(), "one row per repos.toml entry");
    let missing: Vec<&&str> = listed.iter().filter(|name| !rows.contains(name)).collect();
    assert!(
        missing.is_empty(),
        "repositories without a row: {missing:?}"
    );
}

#[test]
fn no_unexpected_error_rows() {
    let errors: Vec<String> = corpus()
        .scorecard
        .repos
        .iter()
        .filter(|report| report.grade == "error")
        .filter(|report| !EXPECTED_ERROR_ROWS.contains(&report.name.as_str()))
        .map(|report| format!("{}: {:?}", report.name, report.errors))
        .collect();
    assert!(errors.is_empty(), "unexpected error rows: {errors:#?}");
}

#[test]
fn parse_errors_have_line_and_message() {
    for report in &corpus().scorecard.repos {
        for finding in report.findings.iter().filter(|f| f.id == "parse-error") {
            assert!(
                finding.line >= 1,
                "{}: parse error in {} has line 0",
                report.name,
                finding.path
            );
            assert!(
                !finding.message.trim().is_empty(),
                "{}: parse error at {}:{} has no message",
                report.name,
                finding.path,
                finding.line
            );
            assert!(
                !finding.path.is_empty(),
                "{}: parse error without a path",
                report.name
            );
        }
    }
}

/// Every Dockerfile and Compose project that the loaders reject shows up as a parse-error
/// finding at the line the loader gave.
#[test]
fn unloadable_files_become_parse_errors() {
    let corpus = corpus();
    for job in &corpus.jobs {
        let model = model_of(job);
        let report = report_of(&corpus.scorecard, &job.name);
        let parse_errors: Vec<(&str, usize)> = report
            .findings
            .iter()
            .filter(|finding| finding.id == "parse-error")
            .map(|finding| (finding.path.as_str(), finding.line))
            .collect();
        for dockerfile in &model.dockerfiles {
            if let Err(error) = &dockerfile.parsed {
                // A Dockerfile that a Compose build names but that cannot be read is reported
                // at the Compose line that names it.
                let expected = match &dockerfile.declared_at {
                    Some(declared) => (declared.path.as_str(), declared.line),
                    None => (dockerfile.path.as_str(), error.line.max(1)),
                };
                assert!(
                    parse_errors.contains(&expected),
                    "{}: {} does not parse ({}) but has no parse-error finding at line {}",
                    job.name,
                    dockerfile.path,
                    error.message,
                    expected.1
                );
            }
        }
        for project in &model.projects {
            if let Err(error) = &project.loaded {
                let expected = (error.path.as_str(), error.line.max(1));
                assert!(
                    parse_errors.contains(&expected),
                    "{}: the Compose project {:?} does not load ({}) but has no parse-error finding",
                    job.name,
                    project.files,
                    error.message
                );
            }
        }
    }
}

#[test]
fn every_verdict_has_evidence() {
    for report in &corpus().scorecard.repos {
        for (id, result) in &report.controls {
            if result.verdict.as_str() == "n/a" {
                continue;
            }
            assert!(
                !result.findings.is_empty(),
                "{}: {id} is {} without a finding",
                report.name,
                result.verdict.as_str()
            );
        }
        for blocker in &report.blockers {
            assert!(
                !blocker.findings.is_empty(),
                "{}: blocker {} has no finding",
                report.name,
                blocker.id
            );
        }
    }
}

#[test]
fn flagged_secrets_are_not_printed() {
    let corpus = corpus();
    let markdown = render(&corpus.scorecard, Format::Markdown).expect("the Markdown renders");
    let json = render(&corpus.scorecard, Format::Json).expect("the JSON renders");
    let corpus_root = corpus
        .config_path
        .parent()
        .expect("repos.toml has a folder");

    let mut flagged = 0;
    for job in &corpus.jobs {
        let JobLocation::Local { root, .. } = &job.location else {
            continue;
        };
        let report = report_of(&corpus.scorecard, &job.name);
        for finding in report
            .blockers
            .iter()
            .filter(|blocker| blocker.id == "secret-in-image")
            .flat_map(|blocker| blocker.findings.iter())
        {
            let text = std::fs::read_to_string(root.join(&finding.path)).unwrap_or_default();
            let line = text
                .lines()
                .nth(finding.line.saturating_sub(1))
                .unwrap_or("");
            for value in assigned_values(line).into_iter().filter(|v| v.len() >= 4) {
                flagged += 1;
                assert!(
                    !markdown.contains(&value),
                    "{}: the secret set at {}:{} appears in the Markdown report",
                    job.name,
                    finding.path,
                    finding.line
                );
                assert!(
                    !json.contains(&value),
                    "{}: the secret set at {}:{} appears in the JSON report",
                    job.name,
                    finding.path,
                    finding.line
                );
            }
        }
    }
    eprintln!(
        "secret values flagged by secret-in-image in {}: {flagged}",
        corpus_root.display()
    );

    for (repo, secret) in COMPOSE_SECRETS {
        assert!(
            !markdown.contains(secret),
            "{repo}: a literal secret of its Compose file appears in the Markdown report"
        );
        assert!(
            !json.contains(secret),
            "{repo}: a literal secret of its Compose file appears in the JSON report"
        );
    }
}

#[test]
fn reports_are_byte_identical() {
    let corpus = corpus();
    for format in [Format::Markdown, Format::Json] {
        let first = render(&corpus.scorecard, format).expect("the report renders");
        let second = render(&corpus.scorecard, format).expect("the report renders");
        assert_eq!(
            first.as_bytes(),
            second.as_bytes(),
            "two renders of one scorecard differ"
        );

        let rescanned = scan::build_scorecard(&corpus.jobs, &corpus.policy);
        let third = render(&rescanned, format).expect("the report renders");
        assert_eq!(
            first.as_bytes(),
            third.as_bytes(),
            "two scans of the corpus render differently"
        );
    }
}

#[test]
fn verified_verdicts_hold() {
    let scorecard = &corpus().scorecard;
    let problems: Vec<String> = VERIFIED
        .iter()
        .filter_map(|expectation| mismatch(scorecard, expectation))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Prints the corpus counts: repositories, files loaded, and parse errors by reason.
#[test]
fn corpus_summary() {
    let corpus = corpus();
    let mut dockerfiles_read = 0;
    let mut dockerfiles_parsed = 0;
    let mut compose_files = BTreeSet::new();
    let mut projects_total = 0;
    let mut projects_loaded = 0;
    let mut ignore_files = 0;
    for job in &corpus.jobs {
        let model = model_of(job);
        dockerfiles_read += model.dockerfiles.len();
        dockerfiles_parsed += model
            .dockerfiles
            .iter()
            .filter(|dockerfile| dockerfile.parsed.is_ok())
            .count();
        projects_total += model.projects.len();
        projects_loaded += model
            .projects
            .iter()
            .filter(|project| project.loaded.is_ok())
            .count();
        for project in &model.projects {
            for file in &project.files {
                compose_files.insert(format!("{}/{file}", job.name));
            }
        }
        ignore_files += model.ignore_files.len();
    }

    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for finding in corpus
        .scorecard
        .repos
        .iter()
        .flat_map(|report| report.findings.iter())
        .filter(|finding| finding.id == "parse-error")
    {
        let reason = if finding
            .message
            .ends_with("does not exist in the repository")
        {
            "a Dockerfile that Compose names is missing".to_string()
        } else {
            finding.message.clone()
        };
        *reasons.entry(reason).or_default() += 1;
    }

    let graded = corpus
        .scorecard
        .repos
        .iter()
        .filter(|report| report.grade != "error" && report.grade != "—")
        .count();
    eprintln!("corpus: {}", corpus.config_path.display());
    eprintln!(
        "repositories: {} listed, {} rows, {graded} graded",
        corpus.config.repos.len(),
        corpus.scorecard.repos.len()
    );
    eprintln!("Dockerfiles: {dockerfiles_read} read, {dockerfiles_parsed} parsed");
    eprintln!(
        "Compose files: {} in {projects_total} projects, {projects_loaded} projects loaded",
        compose_files.len()
    );
    eprintln!("ignore files: {ignore_files}");
    eprintln!("parse errors by reason:");
    for (reason, count) in &reasons {
        eprintln!("  {count:3}  {reason}");
    }
    assert!(
        dockerfiles_read > 0,
        "no Dockerfile was read from the corpus, so the scan graded nothing"
    );
}
