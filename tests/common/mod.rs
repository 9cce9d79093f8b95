//! A hand-built scorecard that exercises every cell, marker and section of the reports.

use dockgrade::finding::{Finding, Outcome};
use dockgrade::scorecard::{
    AppliedWaiver, BlockerResult, ControlResult, RepoError, RepoReport, Score, Scorecard, Verdict,
    WaiverReport,
};
use std::collections::BTreeMap;

pub fn finding(
    id: &str,
    outcome: Outcome,
    path: &str,
    line: usize,
    quote: &str,
    message: &str,
    fix: &str,
) -> Finding {
    Finding {
        id: id.to_string(),
        outcome,
        subject: "Dockerfile (stage runtime)".to_string(),
        path: path.to_string(),
        line,
        quote: quote.to_string(),
        message: message.to_string(),
        fix: fix.to_string(),
    }
}

fn result(verdict: Verdict, findings: Vec<Finding>) -> ControlResult {
    ControlResult {
        verdict,
        findings,
        waiver: None,
    }
}

/// Builds a repository with no controls, findings or waivers.
pub fn empty_repo(name: &str, grade: &str) -> RepoReport {
    RepoReport {
        name: name.to_string(),
        source: name.to_string(),
        commit: None,
        web_url: None,
        grade: grade.to_string(),
        score: None,
        notes: Vec::new(),
        controls: BTreeMap::new(),
        blockers: Vec::new(),
        findings: Vec::new(),
        subjects: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
        waivers: Vec::new(),
    }
}

fn waiver_report(id: &str, reason: &str, expires: &str, status: &str) -> WaiverReport {
    WaiverReport {
        id: id.to_string(),
        reason: reason.to_string(),
        expires: expires.to_string(),
        status: status.to_string(),
    }
}

/// Builds a repository with every verdict, a blocker, advisories, waivers of every status, and
/// quotes that would break naive Markdown: a pipe, backticks and line breaks.
fn mixed_repo() -> RepoReport {
    let mut controls = BTreeMap::new();
    controls.insert(
        "multi-stage".to_string(),
        result(
            Verdict::Pass,
            vec![finding(
                "multi-stage",
                Outcome::Pass,
                "Dockerfile",
                14,
                "COPY --from=build /out/app /app",
                "The final stage copies its files from stage build and installs no build tools.",
                "",
            )],
        ),
    );
    controls.insert(
        "non-root".to_string(),
        result(
            Verdict::Review,
            vec![finding(
                "non-root",
                Outcome::Review,
                "Dockerfile",
                16,
                "USER ${APP_USER}",
                "The user comes from ${APP_USER}, which has no default.",
                "Give APP_USER a default such as 10001, or use a literal USER.",
            )],
        ),
    );
    controls.insert(
        "pinned-digest".to_string(),
        result(
            Verdict::Fail,
            vec![
                finding(
                    "pinned-digest",
                    Outcome::Fail,
                    "Dockerfile",
                    1,
                    "FROM golang:1.22 AS build",
                    "golang:1.22 is not pinned to a digest.",
                    "Append @sha256:<digest> to golang:1.22.",
                ),
                finding(
                    "pinned-digest",
                    Outcome::Fail,
                    "Dockerfile",
                    9,
                    "FROM alpine",
                    "alpine has no tag and no digest: it follows latest.",
                    "Pin alpine to a tag and a digest.",
                ),
            ],
        ),
    );
    controls.insert(
        "healthcheck".to_string(),
        result(
            Verdict::Fail,
            vec![
                finding(
                    "healthcheck",
                    Outcome::Fail,
                    "Dockerfile",
                    17,
                    "HEALTHCHECK CMD wget -qO- http://localhost:8080/health | grep `echo ok`",
                    "Shell-form HEALTHCHECK on a base without a shell: it can never succeed.",
                    "Use the exec form: HEALTHCHECK CMD [\"/app\", \"healthcheck\"].",
                ),
                finding(
                    "healthcheck-tool-missing",
                    Outcome::Advisory,
                    "Dockerfile",
                    17,
                    "HEALTHCHECK CMD wget -qO- http://localhost:8080/health | grep `echo ok`",
                    "wget is not part of a distroless base.",
                    "Probe with the program itself.",
                ),
            ],
        ),
    );
    controls.insert(
        "dockerignore".to_string(),
        ControlResult {
            verdict: Verdict::Waived,
            findings: vec![finding(
                "dockerignore",
                Outcome::Review,
                ".dockerignore",
                0,
                "",
                "The ignore file lets the probe path .env.production through.",
                "Add **/.env* to .dockerignore.",
            )],
            waiver: Some(AppliedWaiver {
                reason: "Context is generated by CI; no secrets | ever".to_string(),
                expires: "2030-01-31".to_string(),
                original: Verdict::Review,
            }),
        },
    );
    controls.insert(
        "cap-drop".to_string(),
        result(
            Verdict::Fail,
            vec![
                finding(
                    "cap-drop",
                    Outcome::Fail,
                    "compose.yaml",
                    7,
                    "cap_add: [\"SYS_ADMIN\"]",
                    "Service api adds the dangerous capability SYS_ADMIN.",
                    "Remove SYS_ADMIN from cap_add.",
                ),
                finding(
                    "no-new-privileges",
                    Outcome::Advisory,
                    "compose.yaml",
                    8,
                    "- no-new-privileges: true",
                    "no-new-privileges: true has a space after the colon: the engine rejects it\nand the container would fail to start.",
                    "Write no-new-privileges:true without the space.",
                ),
            ],
        ),
    );
    controls.insert(
        "read-only".to_string(),
        result(
            Verdict::Pass,
            vec![
                finding(
                    "read-only",
                    Outcome::Pass,
                    "compose.yaml",
                    5,
                    "read_only: true",
                    "Service api sets read_only: true.",
                    "",
                ),
                finding(
                    "read-only-no-tmp",
                    Outcome::Advisory,
                    "compose.yaml",
                    5,
                    "read_only: true",
                    "Service api has no tmpfs or volume at /tmp.",
                    "Add tmpfs: [/tmp].",
                ),
            ],
        ),
    );

    RepoReport {
        name: "acme/api_server".to_string(),
        source: "acme/api_server".to_string(),
        commit: Some("0123456789abcdef0123456789abcdef01234567".to_string()),
        web_url: Some("https://github.com/acme/api_server".to_string()),
        grade: "F".to_string(),
        score: Some(Score {
            passed: 3,
            applicable: 7,
        }),
        notes: vec![
            "the waiver for read-only expired on 2024-06-30 and was ignored".to_string(),
            "the waiver for unconfined is unused: there is nothing to waive".to_string(),
            "grade capped at F by the blocker docker-socket (the controls alone give C)".to_string(),
        ],
        controls,
        blockers: vec![
            BlockerResult {
                id: "docker-socket".to_string(),
                findings: vec![Finding {
                    subject: "service api".to_string(),
                    ..finding(
                        "docker-socket",
                        Outcome::Fail,
                        "compose.yaml",
                        11,
                        "- /var/run/docker.sock:/var/run/docker.sock:ro",
                        "Service api bind-mounts the Docker socket; :ro does not protect the API.",
                        "Remove the mount, or put a socket proxy in between.",
                    )
                }],
                waiver: None,
            },
            BlockerResult {
                id: "privileged".to_string(),
                findings: vec![Finding {
                    subject: "service dind".to_string(),
                    ..finding(
                        "privileged",
                        Outcome::Fail,
                        "compose.yaml",
                        20,
                        "privileged: true",
                        "Service dind runs privileged.",
                        "Remove privileged: true.",
                    )
                }],
                waiver: Some(AppliedWaiver {
                    reason: "Docker-in-Docker runner for CI".to_string(),
                    expires: "2030-12-31".to_string(),
                    original: Verdict::Fail,
                }),
            },
        ],
        findings: vec![finding(
            "secret-build-arg",
            Outcome::Advisory,
            "Dockerfile",
            3,
            "ARG NPM_TOKEN",
            "Build argument NPM_TOKEN names a secret; its value is recorded in the image history.",
            "Use RUN --mount=type=secret,id=npm_token instead.",
        )],
        subjects: vec![
            "image Dockerfile: target stage runtime, build context . (from compose), ignore file .dockerignore".to_string(),
            "service api (compose.yaml): builds Dockerfile (target runtime)".to_string(),
        ],
        skipped: vec![
            "node_modules/pkg/Dockerfile: inside node_modules/, skipped by default".to_string(),
        ],
        errors: Vec::new(),
        waivers: vec![
            waiver_report(
                "dockerignore",
                "Context is generated by CI; no secrets | ever",
                "2030-01-31",
                "applied",
            ),
            waiver_report(
                "privileged",
                "Docker-in-Docker runner for CI",
                "2030-12-31",
                "applied",
            ),
            waiver_report(
                "read-only",
                "Writes its cache to <root>/var/cache",
                "2024-06-30",
                "expired",
            ),
            waiver_report(
                "unconfined",
                "Kept from before the *seccomp* profile",
                "2030-06-30",
                "unused",
            ),
        ],
    }
}

/// Builds a repository whose only Dockerfile does not parse, with a name that needs escaping.
fn parse_error_repo() -> RepoReport {
    let review = |id: &str| {
        result(
            Verdict::Review,
            vec![Finding {
                subject: "Dockerfile".to_string(),
                ..finding(
                    id,
                    Outcome::Review,
                    "Dockerfile",
                    4,
                    "RUN <<EOF",
                    "Dockerfile does not parse, so this cannot be decided.",
                    "",
                )
            }],
        )
    };
    let mut repo = empty_repo("local/odd|name`s <repo>", "D");
    repo.source = "../odd|name".to_string();
    repo.score = Some(Score {
        passed: 1,
        applicable: 5,
    });
    for id in ["multi-stage", "non-root", "pinned-digest", "healthcheck"] {
        repo.controls.insert(id.to_string(), review(id));
    }
    repo.controls.insert(
        "dockerignore".to_string(),
        result(
            Verdict::Pass,
            vec![finding(
                "dockerignore",
                Outcome::Pass,
                ".dockerignore",
                1,
                "*",
                "The ignore file keeps every sensitive path out of the context.",
                "",
            )],
        ),
    );
    for id in ["cap-drop", "read-only"] {
        repo.controls
            .insert(id.to_string(), result(Verdict::NotApplicable, Vec::new()));
    }
    repo.findings = vec![finding(
        "parse-error",
        Outcome::Review,
        "Dockerfile",
        4,
        "RUN <<EOF",
        "Heredoc EOF is never closed\r\nbefore the end of the file.",
        "Close the heredoc with a line holding only EOF.",
    )];
    repo.subjects = vec![
        "image Dockerfile: not parsed, build context . (from Dockerfile folder), ignore file .dockerignore"
            .to_string(),
    ];
    repo.skipped = vec!["- draft/Dockerfile: not valid UTF-8".to_string()];
    repo
}

fn error_repo() -> RepoReport {
    let mut repo = empty_repo("acme/gone", "error");
    repo.errors = vec![RepoError {
        path: None,
        message:
            "GitHub returned 404 Not Found for acme/gone | check the name and the token's access"
                .to_string(),
    }];
    repo
}

fn no_container_files_repo() -> RepoReport {
    let mut repo = empty_repo("acme/docs", "—");
    repo.commit = Some("fedcba9876543210fedcba9876543210fedcba98".to_string());
    repo.notes = vec!["no container files found".to_string()];
    repo
}

/// Wraps repositories in a scorecard of dockgrade 0.1.0.
pub fn scorecard_of(repos: Vec<RepoReport>) -> Scorecard {
    Scorecard {
        schema_version: dockgrade::scorecard::SCHEMA_VERSION,
        tool: "dockgrade".to_string(),
        version: "0.1.0".to_string(),
        shard: None,
        repos,
    }
}

pub fn sample_scorecard() -> Scorecard {
    scorecard_of(vec![
        mixed_repo(),
        parse_error_repo(),
        error_repo(),
        no_container_files_repo(),
    ])
}
