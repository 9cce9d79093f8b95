//! The pinned-digest control: every image the repository builds from or runs is pinned to a digest.

use super::{ControlInfo, Reference, Snippet};

pub const INFO: ControlInfo = ControlInfo {
    id: "pinned-digest",
    title: "Pinned Digest",
    checks: r#"Every image reference the repository builds from or runs: each `FROM` that is neither
`scratch` nor the name of an earlier stage, each `COPY --from=` and `RUN --mount=from=` that
names an image, and each Compose `image:` of a service that has no `build:`. References are
read after variable expansion.

- pass: every reference carries `@sha256:` followed by 64 hexadecimal digits. A tag may
  stand before the digest (`alpine:3.20@sha256:…`).
- pass, with a note: an image whose only base is `scratch` has nothing to pin.
- fail: any reference without a digest. The finding names each one, and warns more
  strongly for `:latest` or a reference without a tag.
- review: a reference whose value depends on a variable that cannot be resolved."#,
    rationale: r#"A tag is a pointer that the publisher, or anyone who takes over the repository, can move
to other content, so the same Dockerfile can build a different image tomorrow. A digest
names exact bytes: builds become reproducible, a replaced upstream image cannot slip in
unnoticed, and updates arrive as reviewable changes to the digest."#,
    failing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM node:latest
WORKDIR /app
COPY --from=ghcr.io/example/assets:1.4 /assets ./public
COPY server.js ./
CMD ["node", "server.js"]"#,
    }],
    passing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"# Placeholder digests: look up the real ones with `docker buildx imagetools inspect`.
FROM node:22-slim@sha256:f314a0f99a999d8311e08d96c04202a41e58d54a83417ce88f18731020372817
WORKDIR /app
COPY --from=ghcr.io/example/assets:1.4@sha256:869520a386be6d1b6558d9d4d66d3685a9f7233ad9a693e8bd55f4e60b5d9da3 /assets ./public
COPY server.js ./
CMD ["node", "server.js"]"#,
    }],
    fix: r#"Append the digest to each reference (`image:tag@sha256:…`) and keep the tag for readers;
`docker buildx imagetools inspect image:tag` prints the digest. Let a dependency update bot
such as Renovate or Dependabot propose new digests, so updates stay deliberate."#,
    references: &[
        Reference {
            title: "Docker documentation: Building best practices, pin base image versions",
            url: "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
        },
        Reference {
            title: "Dockerfile reference: FROM",
            url: "https://docs.docker.com/reference/dockerfile/#from",
        },
        Reference {
            title: "OWASP Docker Security Cheat Sheet, rule 13: Enhance supply chain security",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html#rule-13---enhance-supply-chain-security",
        },
    ],
};
