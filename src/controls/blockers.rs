//! The blockers: critical findings that cap a repository's grade, whatever the controls' verdicts.

use super::{ControlInfo, Reference, Snippet};

pub const DOCKER_SOCKET: ControlInfo = ControlInfo {
    id: "docker-socket",
    title: "Docker socket mounted",
    checks: r#"Each Compose service, after interpolation.

- blocker: a bind mount of the Docker or Podman socket (`/var/run/docker.sock`,
  `/run/docker.sock`, `/run/podman/podman.sock`, or any other path whose file name is
  `docker.sock` or `podman.sock`, such as a rootless engine's `/run/user/1000/docker.sock`), in
  short or long volume syntax, read-only or not.
- blocker: a bind whose target is one of those socket paths, unless its source provably is not
  a socket path (a named volume, or a path inside the repository).
- blocker: a bind of a host folder that contains the socket (`/`, `/var`, `/run`, `/var/run`,
  `/run/podman`), which hands the container the socket just the same.
- blocker: `use_api_socket: true`, which hands the container the engine's API socket.
- not a blocker: a single path in short syntax (`- /var/run/docker.sock`). That declares an
  anonymous volume at that path, not a bind mount."#,
    rationale: r#"Whoever can talk to the engine's socket can start a privileged container that mounts the
host's root filesystem, so the socket is root on the host. Mounting it read-only changes
nothing: `:ro` protects the socket file, not the API behind it."#,
    failing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  dashboard:
    image: example/dashboard:2.1
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro"#,
    }],
    passing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  dashboard:
    image: example/dashboard:2.1
    environment:
      # A socket proxy that allows only the read-only API calls the dashboard needs.
      DOCKER_HOST: tcp://socket-proxy:2375"#,
    }],
    fix: r#"Remove the socket mount. If the service must query the engine, put a socket proxy that
allows only the needed API calls between it and the socket, and grant it to that proxy
alone; otherwise record the reason in a waiver."#,
    references: &[
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 1: Do not expose the Docker daemon socket",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-1---do-not-expose-the-docker-daemon-socket-even-to-the-containers",
        },
        Reference {
            title: "Compose file reference: volumes",
            url: "https://docs.docker.com/reference/compose-file/services/#volumes",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 5.32: Ensure that the Docker socket is not mounted inside any containers",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};

pub const PRIVILEGED: ControlInfo = ControlInfo {
    id: "privileged",
    title: "Privileged container",
    checks: r#"Each Compose service.

- blocker: `privileged: true`."#,
    rationale: r#"A privileged container gets every capability, every host device, and no seccomp or
AppArmor confinement. Escaping it to the host takes no exploit, only a mount of the host's
disk."#,
    failing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  agent:
    build: .
    privileged: true"#,
    }],
    passing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  agent:
    build: .
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
    devices:
      - /dev/ttyUSB0:/dev/ttyUSB0"#,
    }],
    fix: r#"Remove `privileged: true`. Grant only the specific capabilities (`cap_add`) and devices
(`devices`) the service needs."#,
    references: &[
        Reference {
            title: "Compose file reference: privileged",
            url: "https://docs.docker.com/reference/compose-file/services/#privileged",
        },
        Reference {
            title: "Docker CLI reference: docker container run --privileged",
            url: "https://docs.docker.com/reference/cli/docker/container/run/#privileged",
        },
        Reference {
            title:
                "CIS Docker Benchmark v1.6.0, 5.5: Ensure that privileged containers are not used",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};

pub const HOST_NAMESPACE: ControlInfo = ControlInfo {
    id: "host-namespace",
    title: "Host namespace shared",
    checks: r#"Each Compose service.

- blocker: `network_mode: host`, `pid: host` or `ipc: host`."#,
    rationale: r#"Sharing a host namespace removes one layer of isolation. With the host's network the
container reaches every service bound to the host's loopback interface and can sniff or bind
any host port; with the host's PID namespace it sees and can signal every host process; with
the host's IPC namespace it can read the host's shared memory."#,
    failing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  exporter:
    image: example/exporter:1.0
    network_mode: host
    pid: host"#,
    }],
    passing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  exporter:
    image: example/exporter:1.0
    ports:
      - "127.0.0.1:9100:9100""#,
    }],
    fix: r#"Remove `network_mode: host`, `pid: host` and `ipc: host`. Publish the ports the service
needs, and share namespaces between the containers that need them (`pid: service:NAME`)
rather than with the host."#,
    references: &[
        Reference {
            title: "Compose file reference: network_mode",
            url: "https://docs.docker.com/reference/compose-file/services/#network_mode",
        },
        Reference {
            title: "Compose file reference: pid",
            url: "https://docs.docker.com/reference/compose-file/services/#pid",
        },
        Reference {
            title: "Compose file reference: ipc",
            url: "https://docs.docker.com/reference/compose-file/services/#ipc",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 5.10, 5.16 and 5.17: Ensure that the host's network, process and IPC namespaces are not shared",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};

pub const UNCONFINED: ControlInfo = ControlInfo {
    id: "unconfined",
    title: "Security profile disabled",
    checks: r#"Each Compose service.

- blocker: `security_opt` with `seccomp:unconfined`, `seccomp=unconfined`,
  `apparmor:unconfined` or `apparmor=unconfined`."#,
    rationale: r#"Docker's default seccomp profile blocks system calls that containers rarely need and that
kernel exploits often use, and its default AppArmor profile stops writes to sensitive parts
of `/proc` and `/sys`. Turning either off widens the attack surface of the shared kernel for
everything in the container."#,
    failing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  worker:
    build: .
    security_opt:
      - seccomp:unconfined"#,
    }],
    passing_example: &[Snippet {
        file: "compose.yaml",
        code: r#"services:
  worker:
    build: .
    security_opt:
      - no-new-privileges:true"#,
    }],
    fix: r#"Remove the `unconfined` option to keep the default profiles. If the service needs a system
call that the default seccomp profile blocks, write a custom profile that allows just that
call and pass it as `seccomp:PATH`."#,
    references: &[
        Reference {
            title: "Docker documentation: Seccomp security profiles for Docker",
            url: "https://docs.docker.com/engine/security/seccomp/",
        },
        Reference {
            title: "Docker documentation: AppArmor security profiles for Docker",
            url: "https://docs.docker.com/engine/security/apparmor/",
        },
        Reference {
            title: "Compose file reference: security_opt",
            url: "https://docs.docker.com/reference/compose-file/services/#security_opt",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 5.22: Ensure the default seccomp profile is not Disabled",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};

pub const SECRET_IN_IMAGE: ControlInfo = ControlInfo {
    id: "secret-in-image",
    title: "Secret in image",
    checks: r#"The stages the final image is built `FROM`, since an `ENV` or `ARG` of another stage does
not reach the final image. The evidence never prints the secret itself.

- blocker: an `ENV` or `ARG` whose name suggests a secret and whose value is a literal secret.
- A name suggests a secret when one of its words (split on `_` and `-`, in any case) is `PASSWORD`,
  `PASSWD`, `SECRET`, `TOKEN`, `APIKEY`, `CREDENTIAL` or `CREDENTIALS`, or when two adjacent
  words are `API KEY`, `PRIVATE KEY`, `ACCESS KEY` or `SECRET KEY`. `KEY` alone does not
  suggest a secret, nor does `PWD` (the working directory). A name whose last word marks a
  reference or a setting (`FILE`, `PATH`, `DIR`, `TTL`, `SECONDS`, `TIMEOUT`, `LENGTH`,
  `ENABLED`, `NAME`, `ID`, `TYPE`) does not suggest a secret either.
- A literal secret is a value that is not empty, not a boolean or a number, and not only a
  variable reference (`$X`, `${X}`).
- blocker: an `ENV` or `ARG` value, whatever its name, in a known credential format: an AWS
  access key id, a GitHub token (`ghp_`, `gho_`, `ghs_`, `ghu_`, `github_pat_`), a Slack
  token, a private key header, or a URL with a literal password (`scheme://user:password@host`).
- blocker: `COPY` or `ADD` of a secret file, named directly or brought in by a copy of a folder
  or glob (`COPY . .`, `COPY src/ /app/`) because the ignore file lets a real such file of the
  repository through. Secret files are the ones the dockerignore control looks for: `.env*`
  other than `.env.example`, `.env.sample` and `.env.template`; `*.pem`, `*.key`, `*.p12`,
  `*.pfx`; `id_rsa*` and `id_ed25519*` except the public `.pub` halves; and files under
  `secrets/` or `credentials/` folders at any depth.
- Advisory `secret-build-arg`, instead of the blocker: an `ARG` whose name suggests a secret
  but which has no value or an empty default, and an `ENV` that copies such a build argument into
  the image (`ENV NPM_TOKEN=${NPM_TOKEN}`)."#,
    rationale: r#"Everything in an image's layers, its configuration and its build history can be read by
anyone who can pull it, and registries, caches and laptops keep copies long after the
secret is rotated. A secret baked into an image has to be treated as leaked."#,
    failing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM node:22-slim
ENV DATABASE_PASSWORD=hunter2
COPY package.json package-lock.json ./
COPY certs/server.key ./certs/
RUN npm ci --omit=dev"#,
    }],
    passing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM node:22-slim
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci --omit=dev
# DATABASE_PASSWORD and the TLS key are provided at run time, as Compose secrets."#,
    }],
    fix: r#"Remove the secret from the Dockerfile and the build context, and rotate it, since every
copy of the image already holds it. Provide secrets at run time (Compose `secrets:`,
environment from the orchestrator), and use `RUN --mount=type=secret` for secrets a build
step needs."#,
    references: &[
        Reference {
            title: "Docker documentation: Build secrets",
            url: "https://docs.docker.com/build/building/secrets/",
        },
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 12: Utilize Docker secrets for sensitive data management",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-12---utilize-docker-secrets-for-sensitive-data-management",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 4.10: Ensure secrets are not stored in Dockerfiles",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};
