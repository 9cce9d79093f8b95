# The dockgrade command-line tool as an image: the release binary is built in the Rust image
# and shipped alone on a distroless base that carries the C runtime the binary links against
# (glibc, libgcc), CA certificates and a non-root user, but no shell or package manager.
#
# Both bases are pinned by the digest of their multi-platform index, so a rebuild uses the same
# bytes. To move to a newer release, look the digest up with
# `docker buildx imagetools inspect IMAGE:TAG` and change tag and digest together.
#
# NOTE: no CI job runs `docker build` on this file yet; only its grade is tested
# (tests/self_grade.rs).
FROM rust:1.98.0-slim-bookworm@sha256:1469a27c125cb5a3aebfa4f4e4665d935b02fb72cc093b2c974b3d740e43f157 AS build
WORKDIR /src
# Only the paths the build reads; .dockerignore keeps everything else out of the context.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY templates ./templates
RUN cargo build --release --locked \
    && mkdir -p /out/cache \
    && cp target/release/dockgrade /out/dockgrade

# distroless cc: Debian 12 (bookworm), the same glibc as the build stage.
FROM gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f
COPY --from=build /out/dockgrade /usr/local/bin/dockgrade
# The GitHub cache folder, owned by the runtime user so that a volume mounted there is writable.
COPY --from=build --chown=65532:65532 /out/cache /var/cache/dockgrade
# 65532 is the base image's `nonroot` user; numeric so that Kubernetes can verify runAsNonRoot.
USER 65532:65532
WORKDIR /work
# dockgrade is a command that runs and exits, not a server: the check only proves that the
# binary starts and links. Exec form, because the base has no /bin/sh for the shell form.
HEALTHCHECK --interval=5m --timeout=10s --retries=1 CMD ["/usr/local/bin/dockgrade", "--version"]
ENTRYPOINT ["/usr/local/bin/dockgrade"]
CMD ["--help"]
