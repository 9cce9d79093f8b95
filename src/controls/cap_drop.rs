//! The cap-drop control: every Compose service drops all capabilities and adds back no dangerous one.

use super::evidence::Evidence;
use super::runtime;
use super::{ControlInfo, Reference, Snippet};
use crate::finding::Outcome;
use crate::model::{RepoModel, ServiceUnit};
use crate::scorecard::ControlResult;
use crate::source::Snapshot;

pub const INFO: ControlInfo = ControlInfo {
    id: "cap-drop",
    title: "Cap Drop",
    checks: r#"The runtime configuration in the repository: each Compose service. Kubernetes manifests are
not read yet.

- pass: every service has `cap_drop` containing `ALL`, in any letter case, and its `cap_add`,
  if any, contains only capabilities outside the dangerous set: `SYS_ADMIN`, `SYS_PTRACE`,
  `SYS_MODULE`, `NET_ADMIN`, `DAC_READ_SEARCH` and `ALL`. Capability names are compared as
  the engine reads them: in any letter case, with or without the `CAP_` prefix.
- fail: a service without `cap_drop: [ALL]`, or with a dangerous capability in `cap_add`.
- review: the repository has no runtime configuration, since a Dockerfile alone cannot drop
  capabilities.
- Advisory `no-new-privileges`: a Compose service that does not set `no-new-privileges` in
  `security_opt`. Repositories without Compose files never get it. The option is set by
  `no-new-privileges` alone, or by `no-new-privileges:V` or `no-new-privileges=V` where V is
  a value that Go's `strconv.ParseBool` reads as true (`1`, `t`, `T`, `TRUE`, `true`,
  `True`). A false value leaves it unset. So does a value the engine rejects, such as
  `no-new-privileges: true` with a space, and the finding then states that the container would
  fail to start."#,
    rationale: r#"Docker starts containers with a default set of Linux capabilities, among them `CHOWN`,
`DAC_OVERRIDE`, `SETUID`, `SETGID`, `NET_RAW` and `MKNOD`, which most services never use
and an attacker can. Dropping all of them and adding back only what a service needs closes
those paths to privilege escalation. The dangerous capabilities listed here come close to
root on the host: they allow mounting filesystems, tracing other processes, loading kernel
modules, reconfiguring the network or reading any file."#,
    failing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  api:
    build: .
    cap_add:
      - NET_ADMIN"#,
    }],
    passing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  api:
    build: .
    cap_drop: [ALL]
    security_opt:
      - no-new-privileges:true"#,
    }],
    fix: r#"Add `cap_drop: [ALL]` to every service, then list in `cap_add` only the capabilities it
needs, which is often none. Set `security_opt: ["no-new-privileges:true"]` as well. Where a
service truly needs a dangerous capability, record the reason in a waiver."#,
    references: &[
        Reference {
            title: "Compose file reference: cap_drop",
            url: "https://docs.docker.com/reference/compose-file/services/#cap_drop",
        },
        Reference {
            title: "Compose file reference: security_opt",
            url: "https://docs.docker.com/reference/compose-file/services/#security_opt",
        },
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 3: Limit capabilities",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-3---limit-capabilities-grant-only-specific-capabilities-needed-by-a-container",
        },
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 4: Prevent in-container privilege escalation",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-4---prevent-in-container-privilege-escalation",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 5.4: Ensure that Linux kernel capabilities are restricted within containers",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};

/// Capabilities that give a container a way out of its isolation.
const DANGEROUS: &[&str] = &[
    "SYS_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "NET_ADMIN",
    "DAC_READ_SEARCH",
    "ALL",
];

/// Grades every Compose service: `cap_drop` must contain `ALL` and `cap_add` only harmless
/// capabilities. Also adds the `no-new-privileges` advisory.
pub fn evaluate(model: &RepoModel, snapshot: &Snapshot) -> ControlResult {
    let mut evidence = Evidence::new(INFO.id, model, snapshot);
    if runtime::judge_runtime_presence(model, &mut evidence, "dropped capabilities") {
        for unit in &model.services {
            evaluate_service(model, unit, &mut evidence);
            no_new_privileges(model, unit, &mut evidence);
        }
    }
    evidence.finish()
}

/// Normalises a capability name: Compose and Docker accept `sys_admin` and `CAP_SYS_ADMIN` alike.
fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map(str::to_string)
        .unwrap_or(upper)
}

fn evaluate_service(model: &RepoModel, unit: &ServiceUnit, evidence: &mut Evidence) {
    let subject = model.service_subject(unit);
    let service = &unit.service;
    let mut failed = false;
    for added in &service.cap_add {
        let name = capability(&added.value);
        if DANGEROUS.contains(&name.as_str()) {
            failed = true;
            evidence.add(
                Outcome::Fail,
                &subject,
                &added.location(),
                format!("cap_add grants {name}, which lets a process escape or control the host's isolation"),
                format!("Remove {name} from cap_add; grant only the narrow capability the program needs (for example NET_BIND_SERVICE)."),
            );
        }
    }
    match service
        .cap_drop
        .iter()
        .find(|dropped| capability(&dropped.value) == "ALL")
    {
        Some(all) if !failed => evidence.add(
            Outcome::Pass,
            &subject,
            &all.location(),
            "cap_drop contains ALL, and cap_add adds no dangerous capability",
            "",
        ),
        Some(_) => {}
        None => {
            let location = service
                .cap_drop
                .first()
                .map(|dropped| dropped.location())
                .unwrap_or_else(|| service.location.clone());
            let message = if service.cap_drop.is_empty() {
                "no cap_drop, so the container keeps Docker's default capabilities".to_string()
            } else {
                "cap_drop does not contain ALL, so the container keeps the default capabilities it does not name".to_string()
            };
            evidence.add(
                Outcome::Fail,
                &subject,
                &location,
                message,
                "Add cap_drop: [ALL] to the service and add back only what it needs with cap_add.",
            );
        }
    }
}

/// Values of Go's `strconv.ParseBool`, which the Docker engine uses for this option.
const TRUE_VALUES: &[&str] = &["1", "t", "T", "TRUE", "true", "True"];
const FALSE_VALUES: &[&str] = &["0", "f", "F", "FALSE", "false", "False"];

/// The state of `no-new-privileges` in a service's `security_opt`.
enum NoNewPrivileges {
    Set,
    Unset,
    /// A value the engine rejects, so the container would not start.
    Invalid(String),
}

fn no_new_privileges_state(options: &[String]) -> NoNewPrivileges {
    let mut state = NoNewPrivileges::Unset;
    for option in options {
        let Some(rest) = option.strip_prefix("no-new-privileges") else {
            continue;
        };
        state = if rest.is_empty() {
            NoNewPrivileges::Set
        } else if let Some(value) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')) {
            if TRUE_VALUES.contains(&value) {
                NoNewPrivileges::Set
            } else if FALSE_VALUES.contains(&value) {
                NoNewPrivileges::Unset
            } else {
                NoNewPrivileges::Invalid(option.clone())
            }
        } else {
            NoNewPrivileges::Invalid(option.clone())
        };
    }
    state
}

fn no_new_privileges(model: &RepoModel, unit: &ServiceUnit, evidence: &mut Evidence) {
    let subject = model.service_subject(unit);
    let service = &unit.service;
    let options: Vec<String> = service
        .security_opt
        .iter()
        .map(|option| option.value.clone())
        .collect();
    let location = service
        .security_opt
        .iter()
        .find(|option| option.value.starts_with("no-new-privileges"))
        .map(|option| option.location())
        .unwrap_or_else(|| service.location.clone());
    let message = match no_new_privileges_state(&options) {
        NoNewPrivileges::Set => return,
        NoNewPrivileges::Unset => "no-new-privileges is not set, so setuid binaries can still raise privileges".to_string(),
        NoNewPrivileges::Invalid(option) => format!(
            "security_opt {option:?} is not a value the Docker engine accepts (it expects no-new-privileges, or :true/=true with no space), so the container would fail to start"
        ),
    };
    evidence.add_with_id(
        "no-new-privileges",
        Outcome::Advisory,
        &subject,
        &location,
        message,
        "Add security_opt: [\"no-new-privileges:true\"] to the service.",
    );
}
