//! The multi-stage control: the final image carries no build tools and takes its files from a build stage.

use super::{ControlInfo, Reference, Snippet};

pub const INFO: ControlInfo = ControlInfo {
    id: "multi-stage",
    title: "Multi-Stage",
    checks: r#"The final image of each Dockerfile the repository builds: the target stage together with
the stages it is built `FROM`. Stages the target does not depend on are never built, so they
are not looked at.

- pass: the Dockerfile has two or more stages, the final stage takes files from an earlier
  stage or another image (`COPY --from`, `RUN --mount=from=`), and the final image installs
  no build tools.
- fail: the final image carries build tools or builds the program, whether the Dockerfile has
  one stage or several. Tools installed and builds run in the stages the final stage is built
  `FROM` count too.
- Build tools are compilers and build systems installed by a package manager (gcc, g++,
  clang, make, cmake, build-essential, build-base, `*-dev` and `*-devel` packages, maven,
  gradle, golang, rustup, cargo) and toolchain base images (golang, rust, gcc, maven, gradle,
  buildpack-deps, any `-jdk` variant, the dotnet `sdk`).
- Building means commands such as `go build`, `cargo build`, `mvn package`, `gradle build`,
  `npm run build` or `make`. Installing runtime dependencies (`npm ci --omit=dev`,
  `pip install`, `bundle install`) is not building.
- review: the final image builds nothing and carries no build tools, but takes no files from
  another stage either: a single stage (a prebuilt binary copied onto a small base, for
  example), or several stages whose final stage copies nothing from the others or is only
  `FROM` an earlier stage.
- n/a: the repository builds no image."#,
    rationale: r#"Compilers, build systems and development headers are needed only while the program is
built. Shipped in the final image they make it larger, add packages that need security
updates, and give an attacker who gets into the container the tools to build and run their
own code. A build stage whose output alone is copied into a small runtime stage leaves all of
that behind."#,
    failing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM golang:1.22
WORKDIR /src
COPY go.mod go.sum ./
COPY cmd/ ./cmd/
RUN go build -o /usr/local/bin/app ./cmd/app
CMD ["app"]"#,
    }],
    passing_example: &[Snippet {
        file: "Dockerfile",
        code: r#"FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY cmd/ ./cmd/
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]"#,
    }],
    fix: r#"Compile and package in a build stage (`FROM golang:1.22 AS build`), start the final stage
from a runtime-only base, and bring in only the built artifacts with `COPY --from=build`.
Install runtime dependencies in the final stage without their development packages."#,
    references: &[
        Reference {
            title: "Docker documentation: Multi-stage builds",
            url: "https://docs.docker.com/build/building/multi-stage/",
        },
        Reference {
            title: "Docker documentation: Building best practices, use multi-stage builds",
            url: "https://docs.docker.com/build/building/best-practices/#use-multi-stage-builds",
        },
        Reference {
            title: "CIS Docker Benchmark v1.6.0, 4.3: Ensure that unnecessary packages are not installed in the container",
            url: "https://www.cisecurity.org/benchmark/docker",
        },
    ],
};
