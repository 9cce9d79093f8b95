//! Tests of container-file discovery: Dockerfile, Compose and ignore file names, and Compose groups.

use dockgrade::discover::{compose_groups, is_compose_file, is_dockerfile, is_ignore_file};

#[test]
fn dockerfile_names() {
    let cases = [
        ("Dockerfile", true),
        ("Containerfile", true),
        ("services/api/Dockerfile", true),
        ("dockerfile", true),
        ("docker/dockerfile", true),
        ("DOCKERFILE", true),
        ("containerfile", true),
        ("Dockerfile.alpine", true),
        ("docker/Dockerfile.debian", true),
        ("Dockerfile.dev-self-contained", true),
        ("Containerfile.prod", true),
        ("api.Dockerfile", true),
        ("docker/api.Dockerfile", true),
        ("builder-go.dockerfile", true),
        (".gitpod.Dockerfile", true),
        ("lint.DockerFile", true),
        // Not Dockerfiles.
        (".Dockerfile", false),
        ("Dockerfile.", false),
        ("Dockerfile.dockerignore", false),
        ("docker/api.Dockerfile.dockerignore", false),
        (".dockerignore", false),
        ("Dockerfile.j2", false),
        ("Dockerfile.debian.template", false),
        ("Dockerfile.bak", false),
        ("Dockerfile.md", false),
        ("Dockerfiles", false),
        ("Dockerfile-dev", false),
        ("my-dockerfile", false),
        ("docs/Dockerfile/README.md", false),
        ("compose.yaml", false),
    ];
    for (path, expected) in cases {
        assert_eq!(is_dockerfile(path), expected, "is_dockerfile({path:?})");
    }
}

#[test]
fn compose_file_names() {
    let cases = [
        ("compose.yaml", true),
        ("compose.yml", true),
        ("docker-compose.yaml", true),
        ("docker-compose.yml", true),
        ("deploy/compose.yaml", true),
        ("compose.override.yaml", true),
        ("docker-compose.override.yml", true),
        ("docker-compose.prod.yml", true),
        ("overrides/compose.mariadb.yaml", true),
        ("compose.mariadb-secrets.yaml", true),
        ("docker-compose-dev.yml", true),
        ("docker-compose.test.override.yml", true),
        // Not Compose files.
        ("compose.json", false),
        ("composer.yaml", false),
        ("compose-.yaml", false),
        ("compose..yaml", false),
        ("docker-compose.yml.example", false),
        ("Compose.yaml", false),
        ("my-compose.yaml", false),
        ("compose", false),
        ("docker-compose.override.yml.d/readme.txt", false),
    ];
    for (path, expected) in cases {
        assert_eq!(is_compose_file(path), expected, "is_compose_file({path:?})");
    }
}

#[test]
fn ignore_file_names() {
    assert!(is_ignore_file(".dockerignore"));
    assert!(is_ignore_file("services/api/.dockerignore"));
    assert!(is_ignore_file("docker/api.Dockerfile.dockerignore"));
    assert!(is_ignore_file("Dockerfile.dockerignore"));
    assert!(!is_ignore_file(".gitignore"));
    assert!(!is_ignore_file(".dockerignore.bak"));
    assert!(!is_ignore_file("Dockerfile"));
}

#[test]
fn compose_base_with_override() {
    let groups = compose_groups(["compose.yaml", "compose.override.yaml", "README.md"]);
    assert_eq!(groups, [vec!["compose.yaml", "compose.override.yaml"]]);
}

#[test]
fn compose_base_alone() {
    let groups = compose_groups(["docker-compose.yml", "Dockerfile"]);
    assert_eq!(groups, [vec!["docker-compose.yml"]]);
}

#[test]
fn compose_base_lookup_order() {
    let groups = compose_groups(["compose.yml", "compose.yaml"]);
    assert_eq!(groups, [vec!["compose.yaml"], vec!["compose.yml"]]);

    // Compose looks for docker-compose.yml before docker-compose.yaml.
    let groups = compose_groups(["docker-compose.yaml", "docker-compose.yml"]);
    assert_eq!(
        groups,
        [vec!["docker-compose.yml"], vec!["docker-compose.yaml"]]
    );
}

#[test]
fn compose_override_pairs_with_any_base() {
    let groups = compose_groups(["compose.yaml", "docker-compose.override.yml"]);
    assert_eq!(
        groups,
        [vec!["compose.yaml", "docker-compose.override.yml"]]
    );
}

#[test]
fn compose_second_override_loads_as_variant() {
    let groups = compose_groups([
        "compose.yaml",
        "compose.override.yml",
        "compose.override.yaml",
    ]);
    assert_eq!(
        groups,
        [
            vec!["compose.yaml", "compose.override.yml"],
            vec!["compose.yaml", "compose.override.yaml"],
        ]
    );
}

#[test]
fn compose_variants_load_with_base() {
    let groups = compose_groups([
        "docker-compose.yml",
        "docker-compose.test.yml",
        "docker-compose.test.override.yml",
        "docker-compose-separate-containers.yml",
    ]);
    assert_eq!(
        groups,
        [
            vec!["docker-compose.yml"],
            vec![
                "docker-compose.yml",
                "docker-compose-separate-containers.yml"
            ],
            vec!["docker-compose.yml", "docker-compose.test.override.yml"],
            vec!["docker-compose.yml", "docker-compose.test.yml"],
        ]
    );
}

#[test]
fn compose_variants_without_base_load_alone() {
    let groups = compose_groups([
        "overrides/compose.traefik.yaml",
        "overrides/compose.mariadb.yaml",
        "overrides/compose.override.yaml",
    ]);
    assert_eq!(
        groups,
        [
            vec!["overrides/compose.mariadb.yaml"],
            vec!["overrides/compose.override.yaml"],
            vec!["overrides/compose.traefik.yaml"],
        ]
    );
}

#[test]
fn compose_groups_per_folder() {
    let groups = compose_groups([
        "test/test_ssl/compose.base.override.yml",
        "compose.yaml",
        "test/compose.base.yml",
        "deploy/compose.yaml",
        "deploy/compose.prod.yaml",
        "deploy/compose.override.yaml",
    ]);
    assert_eq!(
        groups,
        [
            vec!["compose.yaml"],
            vec!["deploy/compose.yaml", "deploy/compose.override.yaml"],
            vec!["deploy/compose.yaml", "deploy/compose.prod.yaml"],
            vec!["test/compose.base.yml"],
            vec!["test/test_ssl/compose.base.override.yml"],
        ]
    );
}

#[test]
fn compose_groups_ignore_duplicates_and_order() {
    let forward = compose_groups(["b/compose.yaml", "a/compose.yaml", "a/compose.yaml"]);
    let backward = compose_groups(["a/compose.yaml", "b/compose.yaml"]);
    assert_eq!(forward, backward);
    assert_eq!(forward, [vec!["a/compose.yaml"], vec!["b/compose.yaml"]]);
}

#[test]
fn compose_groups_empty_without_compose_files() {
    let groups = compose_groups(["Dockerfile", "src/main.rs"]);
    assert!(groups.is_empty());
}
