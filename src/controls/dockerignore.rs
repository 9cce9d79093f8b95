//! The dockerignore control: the ignore file of each build context keeps secrets out of it.

use super::{ControlInfo, Reference, Snippet};

pub const INFO: ControlInfo = ControlInfo {
    id: "dockerignore",
    title: ".dockerignore",
    checks: r#"For each image, the ignore file that applies to its build context:
`<Dockerfile name>.dockerignore` beside the Dockerfile, else `.dockerignore` at the root of
the context (BuildKit's order). The patterns are evaluated, not read as text: comments, `!`
exceptions where the last matching line wins, `**`, `?`, `[...]`, and matching against each
path and each of its parent folders. `*` followed by `!src/` passes when nothing sensitive
sits under `src/`.

Sensitive paths are the probe paths `.env`, `.env.production`, `app/.env`, `key.pem`,
`certs/tls.key`, `id_rsa`, `.git/config`, `secrets/db.txt`, `.aws/credentials` and
`.ssh/id_ed25519`, and, where the repository's file list is known, every file of the
repository that looks like a secret: `.env*` other than `.env.example`, `.env.sample` and
`.env.template`; `*.pem`, `*.key`, `*.p12`, `*.pfx`; `id_rsa*`, `id_ed25519*`; and files
under `secrets/` or `credentials/`.

- pass: the ignore file exists and keeps every sensitive path out of the build context.
- fail: there is no ignore file and the Dockerfile copies the whole context (`COPY . <dest>`,
  `ADD . <dest>`, or a glob over the context root).
- fail: the ignore file lets a real secret file of the repository through. The finding names
  the file.
- review: the ignore file lets one or more probe paths through, but no real secret file. The
  finding names the probe paths.
- review: there is no ignore file, and the Dockerfile copies only named paths from the
  context, or nothing.
- n/a: the repository builds no image."#,
    rationale: r#"The build context is sent to the builder, and `COPY . .` puts all of it into a layer. A
`.env` file, a private key or `.git/config` copied this way can be read by anyone who can
pull the image, even when a later instruction deletes it, because the earlier layer keeps
it. Excluding such files also keeps the context small and the build cache stable."#,
    failing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"# No .dockerignore beside this Dockerfile or at the root of the build context.
FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
CMD ["node", "server.js"]"#,
    }],
    passing_example: &[Snippet {
        file: ".dockerignore",
        code: r#".git
**/.env*
!**/.env.example
**/*.pem
**/*.key
**/*.p12
**/*.pfx
**/id_rsa*
**/id_ed25519*
**/secrets/
**/credentials/
.aws/
.ssh/
node_modules/"#,
    }],
    fix: r#"Add a `.dockerignore` at the root of the build context, or `<Dockerfile name>.dockerignore`
beside the Dockerfile, that excludes `.git`, environment files, keys and credential folders.
Start patterns with `**/` so that copies in subfolders are excluded too. An allow-list (`*`,
then one `!` line per path the build needs) is the strictest form. Where you can, copy named
paths instead of the whole context."#,
    references: &[
        Reference {
            title: "Docker documentation: Build context, .dockerignore files",
            url: "https://docs.docker.com/build/concepts/context/#dockerignore-files",
        },
        Reference {
            title: "Docker documentation: Building best practices, exclude with .dockerignore",
            url: "https://docs.docker.com/build/building/best-practices/#exclude-with-dockerignore",
        },
        Reference {
            title:
                "CIS Docker Benchmark v1.6.0, 4.10: Ensure secrets are not stored in Dockerfiles",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};
