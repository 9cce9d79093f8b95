//! Tests of the Compose loader: focused cases on in-memory repositories, the test inputs of
//! compose-go (the reference loader), and the Compose files of the reference corpus.

use dockgrade::compose::{
    load_project, parse_dotenv, Environment, LoadError, Project, Service, VolumeKind,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Loads `order` from an in-memory repository made of `(path, text)` pairs.
fn load(files: &[(&str, &str)], order: &[&str]) -> Result<Project, LoadError> {
    let repository: BTreeMap<String, String> = files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    let read = move |path: &str| repository.get(path).cloned();
    let order: Vec<String> = order.iter().map(|path| path.to_string()).collect();
    load_project(&order, &read)
}

fn load_ok(files: &[(&str, &str)], order: &[&str]) -> Project {
    match load(files, order) {
        Ok(project) => project,
        Err(error) => panic!("project {order:?} failed to load: {error}"),
    }
}

fn service<'a>(project: &'a Project, name: &str) -> &'a Service {
    project
        .services
        .iter()
        .find(|service| service.name == name)
        .unwrap_or_else(|| panic!("service `{name}` missing; services: {:?}", names(project)))
}

fn names(project: &Project) -> Vec<&str> {
    project
        .services
        .iter()
        .map(|service| service.name.as_str())
        .collect()
}

fn strings(values: &[dockgrade::compose::Located<String>]) -> Vec<&str> {
    values.iter().map(|value| value.value.as_str()).collect()
}

/// Returns the reference data folder beside the worktree. Tests that need it fail with a clear
/// message when it is missing, instead of passing without checking anything.
fn reference_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        dir.join("corpus").is_dir(),
        "reference data not found at {}; these tests read the compose-go inputs and the corpus from there",
        dir.display()
    );
    dir
}

/// Returns a reader over a folder on disk, addressed by repository-relative paths.
fn disk_reader(root: PathBuf) -> impl Fn(&str) -> Option<String> {
    move |path: &str| std::fs::read_to_string(root.join(path)).ok()
}

fn yaml_files_under(root: &Path, dir: &Path, found: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files_under(root, &path, found);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml") | Some("yml")
        ) {
            let relative = path.strip_prefix(root).expect("path under root");
            found.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// YAML: merge keys, anchors, keys
// ---------------------------------------------------------------------------------------------

#[test]
fn merge_key_list_precedence() {
    let compose = "\
x-hardening: &hardening
  read_only: true
  cap_drop: [ALL]
  user: \"1000\"
x-debug: &debug
  privileged: true
  user: root
services:
  web:
    <<: *hardening
    image: web:1
  worker:
    <<: [*hardening, *debug]
    image: worker:1
    read_only: false
";
    let project = load_ok(&[("compose.yaml", compose)], &["compose.yaml"]);

    let worker = service(&project, "worker");
    let read_only = worker.read_only.as_ref().expect("read_only set");
    assert!(!read_only.value, "the local key wins over merged ones");
    assert_eq!(read_only.line, 15);
    let privileged = worker
        .privileged
        .as_ref()
        .expect("privileged merged from the second source");
    assert!(privileged.value);
    assert_eq!(privileged.line, 6, "a merged value points at its anchor");
    assert_eq!(
        worker.user.as_ref().unwrap().value,
        "1000",
        "an earlier merge source wins"
    );
    assert_eq!(strings(&worker.cap_drop), ["ALL"]);

    let web = service(&project, "web");
    assert!(web.read_only.as_ref().unwrap().value);
    assert!(web.privileged.is_none());
}

#[test]
fn quoted_numeric_service_names() {
    let compose = "\
services:
  php:
    build:
      context: .
      args:
        version: cli
  '8.0':
    extends: php
    build:
      args:
        version: 8.0-cli
  \"7.4\":
    extends:
      service: php
";
    let project = load_ok(
        &[("vendor/lib/docker-compose.yml", compose)],
        &["vendor/lib/docker-compose.yml"],
    );
    assert_eq!(names(&project), ["7.4", "8.0", "php"]);

    let eight = service(&project, "8.0");
    let build = eight
        .build
        .as_ref()
        .expect("build inherited through extends");
    assert_eq!(
        build.args.get("version"),
        Some(&Some("8.0-cli".to_string()))
    );
    assert_eq!(build.context_dir.as_deref(), Some("vendor/lib"));
    assert_eq!(
        build.dockerfile_path.as_deref(),
        Some("vendor/lib/Dockerfile")
    );
    assert_eq!(
        service(&project, "7.4")
            .build
            .as_ref()
            .unwrap()
            .args
            .get("version"),
        Some(&Some("cli".to_string()))
    );
}

#[test]
fn unquoted_numeric_keys_stay_as_written() {
    let compose = "services:\n  8.0:\n    image: php:8.0\n  10:\n    image: php:10\n";
    let project = load_ok(&[("compose.yaml", compose)], &["compose.yaml"]);
    assert_eq!(names(&project), ["10", "8.0"]);
}

// ---------------------------------------------------------------------------------------------
// Interpolation and .env
// ---------------------------------------------------------------------------------------------

#[test]
fn interpolation_forms() {
    let env = "\
# settings
export TAG=1.2
EMPTY=
QUOTED=\"quoted value\" # comment
SINGLE='$TAG'
DERIVED=${TAG}-derived
";
    let compose = "\
services:
  app:
    image: registry.example.com/app:${TAG}
    user: ${MISSING_USER}
    network_mode: ${NET:-bridge}
    pid: ${EMPTY-host}
    ipc: ${EMPTY:-private}
    security_opt:
      - label=${QUOTED}
      - seccomp=${SINGLE}
      - apparmor=${DERIVED}
      - x=${TAG:+alt}${MISSING+never}
      - literal=$$HOME and $${TAG}
      - nested=${NOPE:-${ALSO_NOPE:-deep}}
      - required=${SECRET:?set SECRET}
";
    let project = load_ok(
        &[("deploy/.env", env), ("deploy/compose.yaml", compose)],
        &["deploy/compose.yaml"],
    );
    let app = service(&project, "app");

    assert_eq!(
        app.image.as_ref().unwrap().value,
        "registry.example.com/app:1.2"
    );
    assert!(app.image.as_ref().unwrap().unset.is_empty());

    let user = app.user.as_ref().unwrap();
    assert_eq!(user.value, "");
    assert_eq!(user.unset, ["MISSING_USER"]);

    assert_eq!(app.network_mode.as_ref().unwrap().value, "bridge");
    assert_eq!(
        app.pid.as_ref().unwrap().value,
        "",
        "`-` keeps a set but empty value"
    );
    assert_eq!(
        app.ipc.as_ref().unwrap().value,
        "private",
        "`:-` replaces an empty value"
    );

    assert_eq!(
        strings(&app.security_opt),
        [
            "label=quoted value",
            "seccomp=$TAG",
            "apparmor=1.2-derived",
            "x=alt",
            "literal=$HOME and ${TAG}",
            "nested=deep",
            "required=",
        ]
    );
    assert_eq!(
        app.security_opt[6].unset,
        ["SECRET"],
        "`:?` on an unset variable is recorded"
    );
    assert!(app.security_opt[5].unset.is_empty());
}

#[test]
fn dotenv_only_from_project_directory() {
    let project = load_ok(
        &[
            (".env", "TAG=root\n"),
            (
                "deploy/compose.yaml",
                "services:\n  app:\n    image: app:${TAG:-default}\n",
            ),
        ],
        &["deploy/compose.yaml"],
    );
    assert_eq!(
        service(&project, "app").image.as_ref().unwrap().value,
        "app:default"
    );
}

#[test]
fn keys_and_extension_fields_are_not_interpolated() {
    let compose = "\
x-note: price is 5$
services:
  app:
    image: app
    labels:
      \"$KEY\": value
    x-local: also 5$
";
    let project = load_ok(&[("compose.yaml", compose)], &["compose.yaml"]);
    assert_eq!(project.json["services"]["app"]["labels"]["$KEY"], "value");
    assert_eq!(project.json["x-note"], "price is 5$");
}

#[test]
fn invalid_interpolation_is_an_error() {
    let error = load(
        &[(
            "compose.yaml",
            "services:\n  app:\n    image: app:${TAG/a/b}\n",
        )],
        &["compose.yaml"],
    )
    .unwrap_err();
    assert_eq!(error.path, "compose.yaml");
    assert_eq!(error.line, 3);
    assert!(
        error.message.contains("invalid interpolation"),
        "{}",
        error.message
    );
}

/// Returns `.env` lines `A0=x` and `A<n>=${A<n-1>}${A<n-1>}` up to `last`, so `A<n>` is 2^n bytes.
fn doubling_dotenv(last: usize) -> String {
    let mut text = String::from("A0=x\n");
    for index in 1..=last {
        let previous = index - 1;
        text.push_str(&format!("A{index}=${{A{previous}}}${{A{previous}}}\n"));
    }
    text
}

#[test]
fn doubling_dotenv_chain_is_an_error() {
    let compose = "services:\n  app:\n    image: alpine\n    user: $A30\n";
    let dotenv = doubling_dotenv(30);
    let error = load(
        &[(".env", dotenv.as_str()), ("compose.yaml", compose)],
        &["compose.yaml"],
    )
    .unwrap_err();
    assert_eq!(error.path, ".env");
    // A17 is exactly 128 KiB, so A18 on line 19 is the first value over the limit.
    assert_eq!(error.line, 19);
    assert!(
        error
            .message
            .contains("interpolated value exceeds 131072 bytes"),
        "{}",
        error.message
    );
}

#[test]
fn deep_interpolation_nesting_is_an_error() {
    let depth = 50_000;
    let user = format!("{}root{}", "${X:-".repeat(depth), "}".repeat(depth));
    let compose = format!("services:\n  app:\n    image: alpine\n    user: \"{user}\"\n");
    let error = load(&[("compose.yaml", compose.as_str())], &["compose.yaml"]).unwrap_err();
    assert_eq!(error.path, "compose.yaml");
    assert_eq!(error.line, 4);
    assert!(
        error.message.contains("nesting exceeds 64 levels"),
        "{}",
        error.message
    );
}

#[test]
fn many_long_interpolated_values_are_an_error() {
    // 200 copies of the 128 KiB A17 would add 25 MiB, over the 16 MiB budget of one file.
    let mut compose = String::from("services:\n  app:\n    image: alpine\n    command:\n");
    compose.push_str(&"      - $A17\n".repeat(200));
    let dotenv = doubling_dotenv(17);
    let error = load(
        &[
            (".env", dotenv.as_str()),
            ("compose.yaml", compose.as_str()),
        ],
        &["compose.yaml"],
    )
    .unwrap_err();
    assert_eq!(error.path, "compose.yaml");
    assert!(error.line > 5, "line {}", error.line);
    assert!(
        error
            .message
            .contains("interpolated values exceed 16777216 bytes in total"),
        "{}",
        error.message
    );
}

#[test]
fn long_interpolated_value_within_limit_loads() {
    // A16 is 64 KiB and the image name repeats it once: 128 KiB, the maximum.
    let compose = "services:\n  app:\n    image: alpine\n    user: ${A16}${A16}\n";
    let dotenv = doubling_dotenv(16);
    let project = load_ok(
        &[(".env", dotenv.as_str()), ("compose.yaml", compose)],
        &["compose.yaml"],
    );
    let user = service(&project, "app").user.as_ref().expect("user is set");
    assert_eq!(user.value.len(), 128 * 1024);
}

#[test]
fn booleans_from_yaml_and_interpolated_strings() {
    let compose = "\
services:
  a:
    read_only: ${RO}
    privileged: \"false\"
    use_api_socket: true
  b:
    read_only: ${NOT_SET:-yes}
";
    let project = load_ok(
        &[(".env", "RO=true\n"), ("compose.yaml", compose)],
        &["compose.yaml"],
    );
    let a = service(&project, "a");
    assert!(a.read_only.as_ref().unwrap().value);
    assert!(!a.privileged.as_ref().unwrap().value);
    assert!(a.use_api_socket.as_ref().unwrap().value);
    assert!(service(&project, "b").read_only.as_ref().unwrap().value);
}

#[test]
fn boolean_of_wrong_form_names_line() {
    let compose = "services:\n  app:\n    image: app\n    privileged: sometimes\n";
    let error = load(&[("compose.yaml", compose)], &["compose.yaml"]).unwrap_err();
    assert_eq!(error.line, 4);
    assert!(
        error.message.contains("`privileged` must be true or false"),
        "{}",
        error.message
    );
}

#[test]
fn boolean_from_unset_variable_names_variable() {
    let compose = "services:\n  app:\n    privileged: ${PRIV}\n";
    let error = load(&[("compose.yaml", compose)], &["compose.yaml"]).unwrap_err();
    assert_eq!(error.line, 3);
    assert!(error.message.contains("PRIV"), "{}", error.message);
}

// ---------------------------------------------------------------------------------------------
// extends, overrides, !reset and !override
// ---------------------------------------------------------------------------------------------

#[test]
fn reset_in_override_clears_list_built_by_extends() {
    let base = "\
services:
  app:
    extends:
      file: common-services.yaml
      service: app-base
    image: app:4
    cap_drop: [NET_RAW]
";
    let common = "services:\n  app-base:\n    read_only: true\n    cap_drop: [ALL]\n";
    let overrides = "services:\n  app:\n    read_only: !reset null\n    cap_drop: !reset []\n";
    let files = [
        ("compose.yaml", base),
        ("common-services.yaml", common),
        ("compose.override.yaml", overrides),
    ];

    let without_override = load_ok(&files, &["compose.yaml"]);
    let app = service(&without_override, "app");
    assert_eq!(
        strings(&app.cap_drop),
        ["ALL", "NET_RAW"],
        "extends appends the local list"
    );
    assert_eq!(app.cap_drop[0].path, "common-services.yaml");
    assert_eq!(app.read_only.as_ref().unwrap().path, "common-services.yaml");

    let with_override = load_ok(&files, &["compose.yaml", "compose.override.yaml"]);
    let app = service(&with_override, "app");
    assert!(
        app.cap_drop.is_empty(),
        "!reset clears the list: {:?}",
        strings(&app.cap_drop)
    );
    assert!(app.read_only.is_none());
    assert_eq!(app.image.as_ref().unwrap().value, "app:4");
    assert_eq!(app.location.path, "compose.override.yaml");
}

#[test]
fn reset_applies_to_extends_in_same_file() {
    let compose = "\
services:
  init:
    image: alpine
    command: sleep infinity
    user: root
  base:
    extends: { service: init }
    command: !reset
    user: !reset null
";
    let project = load_ok(&[("compose.yaml", compose)], &["compose.yaml"]);
    assert!(service(&project, "base").user.is_none());
    assert!(project.json["services"]["base"].get("command").is_none());
    assert!(project.json["services"]["base"].get("extends").is_none());
    assert_eq!(project.json["services"]["base"]["image"], "alpine");
}

#[test]
fn override_tag_replaces_list() {
    let base = "services:\n  app:\n    image: app\n    cap_add: [NET_ADMIN, SYS_TIME]\n    security_opt: [a]\n";
    let overrides = "services:\n  app:\n    cap_add: !override [CHOWN]\n    security_opt: [b, a]\n";
    let project = load_ok(
        &[("compose.yaml", base), ("compose.override.yaml", overrides)],
        &["compose.yaml", "compose.override.yaml"],
    );
    let app = service(&project, "app");
    assert_eq!(strings(&app.cap_add), ["CHOWN"]);
    assert_eq!(app.cap_add[0].path, "compose.override.yaml");
    assert_eq!(
        strings(&app.security_opt),
        ["a", "b"],
        "duplicates are dropped"
    );
}

#[test]
fn override_file_values_carry_their_origin() {
    let base = "services:\n  app:\n    image: app:1\n    user: root\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 5s\n";
    let overrides = "services:\n\n  app:\n    user: \"1001\"\n    healthcheck:\n      test: curl -f http://localhost\n";
    let project = load_ok(
        &[("compose.yaml", base), ("compose.prod.yaml", overrides)],
        &["compose.yaml", "compose.prod.yaml"],
    );
    let app = service(&project, "app");

    let user = app.user.as_ref().unwrap();
    assert_eq!(
        (user.value.as_str(), user.path.as_str(), user.line),
        ("1001", "compose.prod.yaml", 4)
    );
    let image = app.image.as_ref().unwrap();
    assert_eq!((image.path.as_str(), image.line), ("compose.yaml", 3));

    let healthcheck = app.healthcheck.as_ref().unwrap();
    let test = healthcheck.test.as_ref().unwrap();
    assert_eq!(
        test.value,
        ["CMD-SHELL", "curl -f http://localhost"],
        "healthcheck.test is replaced"
    );
    assert_eq!(test.path, "compose.prod.yaml");
    assert_eq!(
        project.json["services"]["app"]["healthcheck"]["interval"],
        "5s"
    );
    assert_eq!(app.location.path, "compose.prod.yaml");
    assert_eq!(app.location.line, 3);
}

#[test]
fn override_paths_from_project_directory() {
    // Compose evaluates every path of an override file relative to the first file's folder.
    let overrides = "services:\n  app:\n    build: ./app\n";
    let project = load_ok(
        &[
            ("compose.yaml", "services:\n  app:\n    image: app\n"),
            ("overrides/dev.yaml", overrides),
        ],
        &["compose.yaml", "overrides/dev.yaml"],
    );
    let build = service(&project, "app").build.clone().unwrap();
    assert_eq!(build.context_dir.as_deref(), Some("app"));
    assert_eq!(build.location.path, "overrides/dev.yaml");
}

#[test]
fn several_documents_merge_in_order() {
    let compose = "services:\n  app:\n    image: one\n    cap_drop: [ALL]\n---\nservices:\n  app:\n    image: two\n    cap_drop: !reset []\n";
    let project = load_ok(&[("compose.yaml", compose)], &["compose.yaml"]);
    let app = service(&project, "app");
    assert_eq!(app.image.as_ref().unwrap().value, "two");
    assert_eq!(app.image.as_ref().unwrap().line, 8);
    assert!(app.cap_drop.is_empty());
}

#[test]
fn extends_across_files_resolves_paths_from_extended_file() {
    let compose = "\
services:
  web:
    extends:
      file: ../common/base.yaml
      service: base
    user: app
";
    let common = "\
services:
  base:
    build:
      context: ./web
      dockerfile: docker/Dockerfile.prod
    extends:
      file: nested/root.yaml
      service: root
";
    let root = "services:\n  root:\n    image: root-image\n    cap_drop: [ALL]\n";
    let project = load_ok(
        &[
            ("deploy/compose.yaml", compose),
            ("common/base.yaml", common),
            ("common/nested/root.yaml", root),
        ],
        &["deploy/compose.yaml"],
    );
    let web = service(&project, "web");
    let build = web.build.as_ref().unwrap();
    assert_eq!(build.context.value, "./web");
    assert_eq!(build.context_dir.as_deref(), Some("common/web"));
    assert_eq!(
        build.dockerfile_path.as_deref(),
        Some("common/web/docker/Dockerfile.prod")
    );
    assert_eq!(web.image.as_ref().unwrap().path, "common/nested/root.yaml");
    assert_eq!(strings(&web.cap_drop), ["ALL"]);
    assert_eq!(web.user.as_ref().unwrap().value, "app");
}

#[test]
fn extends_cycle_names_file_and_line() {
    let compose = "services:\n  a:\n    extends: b\n  b:\n    extends:\n      file: other.yaml\n      service: c\n";
    let other = "services:\n  c:\n    extends:\n      file: compose.yaml\n      service: a\n";
    let error = load(
        &[("compose.yaml", compose), ("other.yaml", other)],
        &["compose.yaml"],
    )
    .unwrap_err();
    assert!(error.message.contains("extends cycle"), "{}", error.message);
    assert!(
        error.message.contains("compose.yaml:a") && error.message.contains("other.yaml:c"),
        "{}",
        error.message
    );
    assert!(!error.path.is_empty());
    assert!(error.line > 0);
}

#[test]
fn extends_of_self_is_a_cycle() {
    let error = load(
        &[("compose.yaml", "services:\n  a:\n    extends: a\n")],
        &["compose.yaml"],
    )
    .unwrap_err();
    assert_eq!((error.path.as_str(), error.line), ("compose.yaml", 3));
    assert!(error.message.contains("extends cycle"), "{}", error.message);
}

#[test]
fn extends_missing_file_or_service() {
    let compose = "services:\n  a:\n    extends:\n      file: missing.yaml\n      service: x\n";
    let error = load(&[("compose.yaml", compose)], &["compose.yaml"]).unwrap_err();
    assert_eq!((error.path.as_str(), error.line), ("compose.yaml", 3));
    assert!(
        error.message.contains("missing.yaml") && error.message.contains("not found"),
        "{}",
        error.message
    );

    let error = load(
        &[("compose.yaml", "services:\n  a:\n    extends: nowhere\n")],
        &["compose.yaml"],
    )
    .unwrap_err();
    assert!(
        error.message.contains("`nowhere` not found"),
        "{}",
        error.message
    );
}

// ---------------------------------------------------------------------------------------------
// include
// ---------------------------------------------------------------------------------------------

#[test]
fn include_short_and_long_syntax() {
    let compose = "\
include:
  - tools/compose.yaml
  - path: [db/compose.yaml, db/compose.override.yaml]
    env_file: db/db.env
services:
  web:
    image: web:${TAG:-latest}
";
    let tools = "services:\n  tools:\n    build: .\n    image: tools:${TOOLS_TAG}\n    volumes:\n      - ./cache:/cache\n";
    let tools_env = "TOOLS_TAG=from-included\nTAG=ignored\n";
    let db = "services:\n  db:\n    image: postgres:${PG}\n";
    let db_override = "services:\n  db:\n    read_only: true\n";
    let project = load_ok(
        &[
            ("compose.yaml", compose),
            (".env", "TAG=2\n"),
            ("tools/compose.yaml", tools),
            ("tools/.env", tools_env),
            ("db/compose.yaml", db),
            ("db/compose.override.yaml", db_override),
            ("db/db.env", "PG=16\n"),
        ],
        &["compose.yaml"],
    );
    assert_eq!(names(&project), ["db", "tools", "web"]);

    let tools = service(&project, "tools");
    assert_eq!(tools.image.as_ref().unwrap().value, "tools:from-included");
    assert_eq!(tools.image.as_ref().unwrap().path, "tools/compose.yaml");
    assert_eq!(
        tools.build.as_ref().unwrap().context_dir.as_deref(),
        Some("tools")
    );
    assert_eq!(tools.volumes[0].source.as_deref(), Some("./cache"));

    let db = service(&project, "db");
    assert_eq!(db.image.as_ref().unwrap().value, "postgres:16");
    assert!(db.read_only.as_ref().unwrap().value);
    assert_eq!(
        service(&project, "web").image.as_ref().unwrap().value,
        "web:2"
    );
    assert!(project.json.get("include").is_none());
}

#[test]
fn including_project_variables_win() {
    let compose = "include:\n  - sub/compose.yaml\n";
    let sub = "services:\n  sub:\n    image: sub:${TAG}\n";
    let project = load_ok(
        &[
            ("compose.yaml", compose),
            (".env", "TAG=parent\n"),
            ("sub/compose.yaml", sub),
            ("sub/.env", "TAG=child\n"),
        ],
        &["compose.yaml"],
    );
    assert_eq!(
        service(&project, "sub").image.as_ref().unwrap().value,
        "sub:parent"
    );
}

#[test]
fn include_with_project_directory() {
    let compose = "include:\n  - project_directory: ../shared-dir\n    path: ./dir/compose.yaml\n";
    let included = "services:\n  svc:\n    build: ./app\n";
    let project = load_ok(
        &[
            ("deploy/compose.yaml", compose),
            ("deploy/dir/compose.yaml", included),
        ],
        &["deploy/compose.yaml"],
    );
    let build = service(&project, "svc").build.as_ref().unwrap();
    assert_eq!(build.context_dir.as_deref(), Some("shared-dir/app"));
}

#[test]
fn include_cycle_is_an_error() {
    let compose = "include:\n  - other.yaml\nservices:\n  a:\n    image: a\n";
    let other = "include:\n  - compose.yaml\n";
    let error = load(
        &[("compose.yaml", compose), ("other.yaml", other)],
        &["compose.yaml"],
    )
    .unwrap_err();
    assert!(error.message.contains("include cycle"), "{}", error.message);
    assert_eq!((error.path.as_str(), error.line), ("other.yaml", 2));
}

#[test]
fn include_conflicting_service_is_an_error() {
    let compose = "include:\n  - other.yaml\nservices:\n  a:\n    image: a\n";
    let other = "services:\n  a:\n    image: b\n";
    let error = load(
        &[("compose.yaml", compose), ("other.yaml", other)],
        &["compose.yaml"],
    )
    .unwrap_err();
    assert_eq!((error.path.as_str(), error.line), ("compose.yaml", 2));
    assert!(error.message.contains("services `a`"), "{}", error.message);
}

#[test]
fn include_missing_file_is_an_error() {
    let error = load(
        &[("compose.yaml", "include:\n  - nope.yaml\n")],
        &["compose.yaml"],
    )
    .unwrap_err();
    assert_eq!((error.path.as_str(), error.line), ("compose.yaml", 2));
    assert!(error.message.contains("not found"), "{}", error.message);
}

// ---------------------------------------------------------------------------------------------
// Short and long syntax
// ---------------------------------------------------------------------------------------------

#[test]
fn long_syntax_docker_socket_bind_read_only() {
    let compose = "\
services:
  runner:
    image: runner:3
    volumes:
      - type: bind
        source: /run/docker.sock
        target: /var/run/docker.sock
        read_only: true
      - ./cache:/cache
";
    let project = load_ok(&[("compose.yaml", compose)], &["compose.yaml"]);
    let volumes = &service(&project, "runner").volumes;
    assert_eq!(volumes.len(), 2);
    assert_eq!(volumes[0].kind, VolumeKind::Bind);
    assert_eq!(volumes[0].source.as_deref(), Some("/run/docker.sock"));
    assert_eq!(volumes[0].target, "/var/run/docker.sock");
    assert!(volumes[0].read_only);
    assert_eq!(volumes[0].location.line, 5);
    assert_eq!(volumes[1].kind, VolumeKind::Bind);
    assert!(!volumes[1].read_only);
}

#[test]
fn short_syntax_volumes() {
    let compose = "\
services:
  app:
    volumes:
      - /data
      - db-data:/var/lib/db
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - ~/config:/config:z
      - ${UPLOADS}:/uploads
      - type: tmpfs
        target: /tmp
";
    let project = load_ok(&[("compose.yaml", compose)], &["compose.yaml"]);
    let volumes = &service(&project, "app").volumes;

    assert_eq!(
        volumes[0].kind,
        VolumeKind::Volume,
        "a lone path is an anonymous volume"
    );
    assert_eq!(volumes[0].source, None);
    assert_eq!(volumes[0].target, "/data");
    assert_eq!(volumes[1].kind, VolumeKind::Volume);
    assert_eq!(volumes[1].source.as_deref(), Some("db-data"));
    assert_eq!(volumes[2].kind, VolumeKind::Bind);
    assert!(volumes[2].read_only);
    assert_eq!(volumes[3].kind, VolumeKind::Bind);
    assert!(!volumes[3].read_only);
    assert_eq!(volumes[4].unset, ["UPLOADS"]);
    assert_eq!(volumes[4].target, "/uploads");
    assert_eq!(volumes[5].kind, VolumeKind::Tmpfs);
}

#[test]
fn long_syntax_volume_without_type_is_an_error() {
    let compose = "services:\n  app:\n    volumes:\n      - source: ./a\n        target: /a\n";
    let error = load(&[("compose.yaml", compose)], &["compose.yaml"]).unwrap_err();
    assert_eq!(error.line, 4);
    assert!(error.message.contains("needs `type`"), "{}", error.message);
}

#[test]
fn healthcheck_forms() {
    let compose = "\
services:
  shell:
    healthcheck:
      test: curl -f http://localhost || exit 1
  exec:
    healthcheck:
      test: [\"CMD\", \"/bin/check\", 3]
  off:
    healthcheck:
      disable: true
  none:
    healthcheck:
      test: [\"NONE\"]
";
    let project = load_ok(&[("compose.yaml", compose)], &["compose.yaml"]);
    let test_of = |name: &str| {
        service(&project, name)
            .healthcheck
            .as_ref()
            .unwrap()
            .test
            .as_ref()
            .map(|t| t.value.clone())
    };
    assert_eq!(
        test_of("shell").unwrap(),
        ["CMD-SHELL", "curl -f http://localhost || exit 1"]
    );
    assert_eq!(test_of("exec").unwrap(), ["CMD", "/bin/check", "3"]);
    assert_eq!(test_of("none").unwrap(), ["NONE"]);
    assert!(test_of("off").is_none());
    let off = service(&project, "off").healthcheck.as_ref().unwrap();
    assert!(off.disable.as_ref().unwrap().value);
    assert_eq!(off.location.line, 9);
}

#[test]
fn scalar_fields() {
    let compose = "\
services:
  app:
    user: 1000
    cap_add: [NET_ADMIN]
    cap_drop:
      - ALL
    tmpfs: /run:size=64m
    network_mode: host
    pid: host
    ipc: service:other
  other:
    user: 1000:1000
    tmpfs:
      - /tmp
      - /var/cache:mode=755
";
    let project = load_ok(&[("compose.yaml", compose)], &["compose.yaml"]);
    let app = service(&project, "app");
    assert_eq!(app.user.as_ref().unwrap().value, "1000");
    assert_eq!(strings(&app.cap_add), ["NET_ADMIN"]);
    assert_eq!(strings(&app.cap_drop), ["ALL"]);
    assert_eq!(app.cap_drop[0].line, 6);
    assert_eq!(strings(&app.tmpfs), ["/run"]);
    assert_eq!(app.network_mode.as_ref().unwrap().value, "host");
    assert_eq!(app.pid.as_ref().unwrap().value, "host");
    assert_eq!(app.ipc.as_ref().unwrap().value, "service:other");

    let other = service(&project, "other");
    assert_eq!(other.user.as_ref().unwrap().value, "1000:1000");
    assert_eq!(strings(&other.tmpfs), ["/tmp", "/var/cache"]);
}

#[test]
fn build_paths() {
    let compose = "\
services:
  plain:
    build: ./app
  dockerfile:
    build:
      context: ..
      dockerfile: docker/Dockerfile
      target: runtime
      args:
        - VERSION=1
        - FLAG
  default-context:
    build:
      dockerfile: Containerfile
  outside:
    build: ../../elsewhere
  absolute-dockerfile:
    build:
      context: .
      dockerfile: /abs/Dockerfile
  remote:
    build: https://github.com/docker/compose.git
  inline:
    build:
      dockerfile_inline: FROM scratch
";
    let project = load_ok(
        &[("deploy/compose.yaml", compose)],
        &["deploy/compose.yaml"],
    );
    let build = |name: &str| service(&project, name).build.clone().expect("build");

    assert_eq!(build("plain").context_dir.as_deref(), Some("deploy/app"));
    assert_eq!(
        build("plain").dockerfile_path.as_deref(),
        Some("deploy/app/Dockerfile")
    );

    let dockerfile = build("dockerfile");
    assert_eq!(dockerfile.context_dir.as_deref(), Some(""));
    assert_eq!(
        dockerfile.dockerfile_path.as_deref(),
        Some("docker/Dockerfile")
    );
    assert_eq!(dockerfile.target.as_ref().unwrap().value, "runtime");
    assert_eq!(dockerfile.args.get("VERSION"), Some(&Some("1".to_string())));
    assert_eq!(dockerfile.args.get("FLAG"), Some(&None));

    let default_context = build("default-context");
    assert_eq!(default_context.context.value, ".");
    assert_eq!(default_context.context.line, 13);
    assert_eq!(
        default_context.dockerfile_path.as_deref(),
        Some("deploy/Containerfile")
    );

    assert_eq!(build("outside").context_dir, None);
    assert_eq!(build("outside").dockerfile_path, None);
    assert_eq!(
        build("absolute-dockerfile").context_dir.as_deref(),
        Some("deploy")
    );
    assert_eq!(build("absolute-dockerfile").dockerfile_path, None);
    assert_eq!(build("remote").context_dir, None);
    assert_eq!(build("inline").dockerfile_path, None);
    assert_eq!(
        build("inline").dockerfile_inline.as_ref().unwrap().value,
        "FROM scratch"
    );
}

// ---------------------------------------------------------------------------------------------
// Project, JSON and errors
// ---------------------------------------------------------------------------------------------

#[test]
fn services_sorted_and_json_deterministic() {
    let compose = "\
services:
  zeta:
    image: z
    environment:
      B: 2
      A: 1
  alpha:
    image: a
    deploy:
      replicas: 2
networks:
  front: {}
";
    let files = [("compose.yaml", compose)];
    let first = load_ok(&files, &["compose.yaml"]);
    let second = load_ok(&files, &["compose.yaml"]);
    assert_eq!(names(&first), ["alpha", "zeta"]);
    assert_eq!(first.files, ["compose.yaml"]);

    let text = serde_json::to_string(&first.json).unwrap();
    assert_eq!(text, serde_json::to_string(&second.json).unwrap());
    assert!(
        text.find("\"A\"").unwrap() < text.find("\"B\"").unwrap(),
        "keys are sorted: {text}"
    );
    assert_eq!(first.json["services"]["alpha"]["deploy"]["replicas"], 2);
    assert!(first.json["networks"]["front"].is_object());
}

#[test]
fn structural_errors_name_file_and_line() {
    let cases: [(&str, usize, &str); 5] = [
        ("- just\n- a list\n", 1, "top level"),
        ("services: [a, b]\n", 1, "`services` must be a mapping"),
        ("services:\n  web: nginx\n", 2, "must be a mapping"),
        (
            "services:\n  web:\n    image: a\n   bad indent: b\n",
            4,
            "invalid YAML",
        ),
        ("services:\n  web:\n    cap_add: ALL\n", 3, "must be a list"),
    ];
    for (text, line, fragment) in cases {
        let error = load(&[("compose.yaml", text)], &["compose.yaml"]).unwrap_err();
        assert_eq!(error.path, "compose.yaml", "input {text:?}");
        assert_eq!(error.line, line, "input {text:?}: {error}");
        assert!(error.message.contains(fragment), "input {text:?}: {error}");
    }
}

#[test]
fn crlf_and_byte_order_mark() {
    let compose = "\u{feff}services:\r\n  app:\r\n    image: app:1\r\n    user: \"1000\"\r\n";
    let project = load_ok(
        &[("compose.yaml", compose), (".env", "A=1\r\nB=2\r\n")],
        &["compose.yaml"],
    );
    let app = service(&project, "app");
    assert_eq!(app.image.as_ref().unwrap().value, "app:1");
    assert_eq!(app.user.as_ref().unwrap().line, 4);
}

#[test]
fn empty_file_is_an_empty_project() {
    let project = load_ok(&[("compose.yaml", "# nothing yet\n")], &["compose.yaml"]);
    assert!(project.services.is_empty());
}

#[test]
fn missing_file_and_no_files() {
    let error = load(&[], &["compose.yaml"]).unwrap_err();
    assert_eq!(error.path, "compose.yaml");
    assert!(error.message.contains("not found"), "{}", error.message);
    assert!(load(&[], &[]).is_err());
}

#[test]
fn alias_bomb_is_rejected() {
    let mut text = String::from("x-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..9 {
        let items = vec![format!("*a{}", level - 1); 9].join(", ");
        text.push_str(&format!("x-{level}: &a{level} [{items}]\n"));
    }
    text.push_str("services:\n  app:\n    image: a\n");
    let error = load(&[("compose.yaml", &text)], &["compose.yaml"]).unwrap_err();
    assert!(error.message.contains("nodes"), "{}", error.message);
}

#[test]
fn endless_include_paths_stop() {
    // Every path exists, as through a directory symlink loop, and each file includes two more.
    let read = |path: &str| {
        path.ends_with("compose.yaml")
            .then(|| "include:\n  - a/compose.yaml\n  - b/compose.yaml\n".to_string())
    };
    let error = load_project(&["compose.yaml".to_string()], &read).unwrap_err();
    assert!(
        error.message.contains("more than") || error.message.contains("deeper than"),
        "{}",
        error.message
    );
}

#[test]
fn endless_extends_paths_stop() {
    let read = |path: &str| {
        path.ends_with("x.yaml").then(|| {
            "services:\n  s:\n    extends:\n      file: sub/x.yaml\n      service: s\n".to_string()
        })
    };
    let error = load_project(&["x.yaml".to_string()], &read).unwrap_err();
    assert!(
        error.message.contains("extends chain longer"),
        "{}",
        error.message
    );
}

/// Feeds many malformed and random inputs to the loader; any panic fails the test.
#[test]
fn arbitrary_input_never_panics() {
    let fragments = [
        "services:",
        "\n",
        "  ",
        "    ",
        "web:",
        "image: x",
        "- ",
        "&a ",
        "*a",
        "<<: ",
        "!reset ",
        "!override ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "\"",
        "'",
        "${",
        "}",
        "$$",
        "$",
        ":",
        "#",
        "build:",
        "context: ..",
        "extends: ",
        "include:",
        "volumes:",
        "/data:/data:ro",
        "type: bind",
        "healthcheck:",
        "test: ",
        "true",
        "null",
        "~",
        "8.0",
        "---\n",
        "? ",
        "|\n",
        ">\n",
        "\t",
        "é",
        "\\",
        "privileged: ",
        "file: ../x.yaml",
        "service: web",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let length = (next() % 40) as usize;
        let text: String = (0..length)
            .map(|_| fragments[(next() % fragments.len() as u64) as usize])
            .collect();
        let files = [
            ("compose.yaml", text.as_str()),
            ("x.yaml", text.as_str()),
            (".env", "A=$\n"),
        ];
        let _ = load(&files, &["compose.yaml", "x.yaml"]);
    }
}

// ---------------------------------------------------------------------------------------------
// compose-go test inputs
// ---------------------------------------------------------------------------------------------

/// compose-go inputs that Compose itself rejects, with the reason and a fragment of our error.
const COMPOSE_GO_EXPECTED_FAILURES: [(&str, &str, &str); 5] = [
    ("loader/testdata/compose-include-cycle.yaml", "the file includes itself", "include cycle"),
    (
        "loader/testdata/remote/cycle/compose.yaml",
        "extends a `remote:` file that only compose-go's test resource loader provides",
        "not found",
    ),
    (
        "loader/testdata/remote/cycle/compose-cycle.yaml",
        "extends a `remote:` file that only compose-go's test resource loader provides",
        "not found",
    ),
    (
        "loader/testdata/remote/nested/compose.yaml",
        "extends a `remote:` file that only compose-go's test resource loader provides",
        "not found",
    ),
    (
        "schema/using-variables.yaml",
        "VARIABLE is unset, so `privileged: ${VARIABLE}` is an empty string, which is not a boolean",
        "must be true or false",
    ),
];

/// compose-go inputs that Compose rejects at start-up for reasons outside what the loader reads:
/// the `depends_on` graph is not checked, because it has no bearing on hardening.
const COMPOSE_GO_LOADS_DESPITE_COMPOSE: [&str; 2] = [
    "loader/testdata/compose-depends-on-cycle.yaml",
    "loader/testdata/compose-depends-on-self.yaml",
];

#[test]
fn compose_go_inputs_load() {
    let root = reference_dir().join("corpus/peer-tests/compose-go");
    assert!(
        root.is_dir(),
        "compose-go inputs not found at {}",
        root.display()
    );
    let read = disk_reader(root.clone());

    let mut files = Vec::new();
    yaml_files_under(&root, &root, &mut files);
    assert!(
        files.len() >= 40,
        "expected the compose-go inputs, found {} files",
        files.len()
    );

    let mut loaded = 0;
    let mut failed = 0;
    for file in &files {
        let result = load_project(std::slice::from_ref(file), &read);
        match COMPOSE_GO_EXPECTED_FAILURES
            .iter()
            .find(|(path, _, _)| path == file)
        {
            Some((_, reason, fragment)) => {
                let error = result
                    .err()
                    .unwrap_or_else(|| panic!("{file} loaded, but should fail: {reason}"));
                assert!(
                    error.message.contains(fragment),
                    "{file}: expected `{fragment}` ({reason}), got: {error}"
                );
                failed += 1;
            }
            None => {
                if let Err(error) = result {
                    panic!("{file} failed to load: {error}");
                }
                loaded += 1;
            }
        }
    }
    for (path, _, _) in COMPOSE_GO_EXPECTED_FAILURES {
        assert!(
            files.iter().any(|file| file == path),
            "expected failure {path} is not among the inputs"
        );
    }
    for path in COMPOSE_GO_LOADS_DESPITE_COMPOSE {
        assert!(
            files.iter().any(|file| file == path),
            "{path} is not among the inputs"
        );
    }
    assert_eq!(failed, COMPOSE_GO_EXPECTED_FAILURES.len());
    assert_eq!(loaded + failed, files.len());
}

#[test]
fn compose_go_projects_resolve() {
    let root = reference_dir().join("corpus/peer-tests/compose-go");
    let read = disk_reader(root);
    let load_files = |files: &[&str]| {
        let files: Vec<String> = files.iter().map(|file| file.to_string()).collect();
        load_project(&files, &read).unwrap_or_else(|error| panic!("{files:?}: {error}"))
    };

    let project = load_files(&[
        "cli/testdata/simple/compose.yaml",
        "cli/testdata/simple/compose-with-overrides.yaml",
    ]);
    assert_eq!(
        service(&project, "simple").image.as_ref().unwrap().value,
        "haproxy"
    );

    let project = load_files(&["loader/testdata/combined/compose.yaml"]);
    let build = service(&project, "service").build.clone().unwrap();
    assert_eq!(
        build.context_dir.as_deref(),
        Some("loader/testdata/combined/dir")
    );

    let project = load_files(&["loader/testdata/compose-test-extends.yaml"]);
    let importer = service(&project, "importer");
    assert_eq!(importer.image.as_ref().unwrap().value, "nginx");
    assert_eq!(importer.volumes[0].source.as_deref(), Some("/opt/data"));
    assert_eq!(
        project.json["services"]["importer"]["container_name"],
        "imported"
    );

    let project = load_files(&["loader/testdata/compose-include.yaml"]);
    assert_eq!(names(&project), ["bar", "imported"]);
    assert_eq!(
        project.json["services"]["imported"]["container_name"], "imported",
        "extra.env is an env_file for the container, not the included project's .env"
    );

    let project = load_files(&["loader/testdata/extends/withdir/compose.yaml"]);
    assert_eq!(
        service(&project, "test").image.as_ref().unwrap().value,
        "hello-world"
    );

    let project = load_files(&["loader/testdata/extends/base.yaml"]);
    let with_build = service(&project, "with-build").build.clone().unwrap();
    assert_eq!(
        with_build.context_dir.as_deref(),
        Some("loader/testdata/extends")
    );
    assert_eq!(
        service(&project, "another").image.as_ref().unwrap().value,
        "base"
    );

    let project = load_files(&["loader/testdata/include/project-directory.yaml"]);
    assert!(project.json["services"]["service"]["build"]["dockerfile_inline"].is_string());

    let project = load_files(&["loader/testdata/compose-test-extends-with-context-url.yaml"]);
    let build = service(&project, "importer-with-https-url")
        .build
        .clone()
        .unwrap();
    assert_eq!(build.context.value, "https://github.com/docker/compose.git");
    assert_eq!(build.context_dir, None);

    let project = load_files(&["cli/testdata/env-file/compose-with-env-files.yaml"]);
    assert_eq!(project.json["services"]["simple"]["ports"][0], "8000:80");

    let project = load_files(&["cli/testdata/simple/compose-with-paths.yaml"]);
    let volumes = &service(&project, "test").volumes;
    assert_eq!(volumes[0].source.as_deref(), Some("C:\\docker\\project"));
    assert_eq!(volumes[2].source.as_deref(), Some("./relative2"));
}

#[test]
fn compose_go_env_files_parse() {
    let root = reference_dir().join("corpus/peer-tests/compose-go");
    let env_files = [
        "cli/testdata/env-file/.env",
        "cli/testdata/env-file/override.env",
        "cli/testdata/env-file/second-env",
        "cli/testdata/env-file/simple-env",
        "cli/testdata/simple/.env",
        "loader/testdata/remote/env",
        "loader/testdata/subdir/extra.env",
    ];
    for path in env_files {
        let text = std::fs::read_to_string(root.join(path))
            .unwrap_or_else(|error| panic!("{path}: {error}"));
        let variables = parse_dotenv(path, &text, &Environment::new())
            .unwrap_or_else(|error| panic!("{error}"));
        assert!(!variables.is_empty(), "{path} defines no variable");
    }
}

// ---------------------------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------------------------

/// One Compose file of the corpus: the folder that stands for its repository, and its path in it.
struct CorpusFile {
    repository_root: PathBuf,
    path: String,
}

fn corpus_compose_files() -> Vec<CorpusFile> {
    let shared = reference_dir();
    let manifest = std::fs::read_to_string(shared.join("corpus/MANIFEST.tsv"))
        .expect("corpus manifest is readable");
    let mut files = Vec::new();
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let [local_path, _, path_in_repo, _, _, features] = columns[..] else {
            panic!("manifest line with an unexpected column count: {line}");
        };
        let is_compose = features.split(',').any(|feature| feature == "kind:compose");
        if !is_compose || local_path.starts_with("corpus/peer-tests/compose-go/") {
            continue;
        }
        // Most files keep their repository layout under the corpus; the others were copied
        // into a folder of their own, which then stands for the repository.
        let file = match local_path.strip_suffix(path_in_repo) {
            Some(repository) => CorpusFile {
                repository_root: shared.join(repository),
                path: path_in_repo.to_string(),
            },
            None => {
                let (folder, name) = local_path
                    .rsplit_once('/')
                    .expect("manifest paths have folders");
                CorpusFile {
                    repository_root: shared.join(folder),
                    path: name.to_string(),
                }
            }
        };
        files.push(file);
    }
    files
}

#[test]
fn corpus_compose_files_load() {
    let files = corpus_compose_files();
    assert!(
        files.len() >= 50,
        "expected the corpus Compose files, found {}",
        files.len()
    );
    for file in &files {
        let read = disk_reader(file.repository_root.clone());
        if let Err(error) = load_project(std::slice::from_ref(&file.path), &read) {
            panic!(
                "{}/{} failed to load: {error}",
                file.repository_root.display(),
                file.path
            );
        }
    }
}

#[test]
fn corpus_override_pairs_load() {
    let corpus = reference_dir().join("corpus/apps");
    let pairs: [(&str, &[&str]); 4] = [
        ("netbox-community__netbox-docker", &["docker-compose.test.yml", "docker-compose.test.override.yml"]),
        ("nginx-proxy__nginx-proxy", &["test/compose.base.yml", "test/test_ssl/compose.base.override.yml"]),
        (
            "mailcow__mailcow-dockerized",
            &["docker-compose.yml", "helper-scripts/docker-compose.override.yml.d/BUILD_FLAGS/docker-compose.override.yml"],
        ),
        (
            "frappe__frappe_docker",
            &["compose.yaml", "overrides/compose.mariadb.yaml", "overrides/compose.mariadb-secrets.yaml"],
        ),
    ];
    for (repository, files) in pairs {
        let read = disk_reader(corpus.join(repository));
        let files: Vec<String> = files.iter().map(|file| file.to_string()).collect();
        let project = load_project(&files, &read)
            .unwrap_or_else(|error| panic!("{repository} {files:?}: {error}"));
        assert!(!project.services.is_empty(), "{repository}: no services");
    }
}

#[test]
fn corpus_frappe_merge_key_list_and_reset() {
    let read = disk_reader(reference_dir().join("corpus/apps/frappe__frappe_docker"));
    let files = [
        "compose.yaml".to_string(),
        "overrides/compose.mariadb.yaml".to_string(),
        "overrides/compose.mariadb-secrets.yaml".to_string(),
    ];
    let project = load_project(&files, &read).unwrap_or_else(|error| panic!("{error}"));

    let websocket = service(&project, "websocket");
    let image = websocket.image.as_ref().unwrap();
    assert_eq!(
        image.value, "frappe/erpnext:",
        "nested default with an unset variable"
    );
    assert_eq!(image.unset, ["ERPNEXT_VERSION"]);
    assert_eq!(
        project.json["services"]["frontend"]["environment"]["FRAPPE_SITE_NAME_HEADER"],
        "$host"
    );
    let db_environment = &project.json["services"]["db"]["environment"];
    assert!(
        db_environment.get("MYSQL_ROOT_PASSWORD").is_none(),
        "!reset removed it: {db_environment}"
    );
    assert_eq!(
        db_environment["MYSQL_ROOT_PASSWORD_FILE"],
        "/run/secrets/db_password"
    );
}

#[test]
fn corpus_sentry_merge_key_list() {
    let read = disk_reader(reference_dir().join("corpus/apps/getsentry__self-hosted"));
    let project = load_project(&["docker-compose.yml".to_string()], &read)
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(project.services.len() > 10);
    assert!(project
        .services
        .iter()
        .any(|service| service.healthcheck.is_some()));
}

// ---------------------------------------------------------------------------------------------
// Reference cases
// ---------------------------------------------------------------------------------------------

fn load_case(case: &str, files: &[&str]) -> Project {
    let root = reference_dir().join("cases").join(case);
    assert!(root.is_dir(), "case folder {} not found", root.display());
    let files: Vec<String> = files.iter().map(|file| file.to_string()).collect();
    load_project(&files, &disk_reader(root)).unwrap_or_else(|error| panic!("{case}: {error}"))
}

#[test]
fn case_merge_list_privileged() {
    let project = load_case("br18-merge-list-privileged", &["compose.yaml"]);
    let worker = service(&project, "worker");
    assert!(worker.privileged.as_ref().unwrap().value);
    assert!(!worker.read_only.as_ref().unwrap().value);
    assert!(service(&project, "web").privileged.is_none());
}

#[test]
fn case_socket_long_syntax() {
    let project = load_case("br21-socket-long-syntax-readonly", &["compose.yaml"]);
    let volume = &service(&project, "ci-runner").volumes[0];
    assert_eq!(
        (volume.kind, volume.source.as_deref(), volume.read_only),
        (VolumeKind::Bind, Some("/run/docker.sock"), true)
    );
}

#[test]
fn case_reset_in_override() {
    let project = load_case(
        "br22-reset-in-override",
        &["compose.yaml", "compose.override.yaml"],
    );
    let app = service(&project, "app");
    assert!(app.read_only.is_none());
    assert!(app.cap_drop.is_empty());
    assert_eq!(strings(&app.security_opt), ["no-new-privileges:true"]);
}

#[test]
fn case_compose_user_root() {
    let project = load_case("br05-compose-user-root", &["compose.yaml"]);
    let edge = service(&project, "edge");
    assert_eq!(edge.user.as_ref().unwrap().value, "root");
    assert_eq!(
        edge.build.as_ref().unwrap().dockerfile_path.as_deref(),
        Some("Dockerfile")
    );
}
