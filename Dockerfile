# Polar Console container image: the one binary and the built site, nothing else.
#   docker build -t polar-console .
# The builder stage runs the same build script as development (release profile, wasm
# optimised with binaryen); the final stage is Debian slim, running as an unprivileged user.

# ---- build ----
FROM rust:1-bookworm AS build
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# SQLX_OFFLINE: the committed .sqlx/ lets the build run without a database.
ENV SQLX_OFFLINE=true CARGO_TARGET_DIR=/src/target
RUN scripts/build.sh --release \
 && mkdir -p /out \
 && cp target/release/polar-console /out/ \
 && cp -r target/site-release /out/site

# ---- run ----
FROM debian:bookworm-slim AS run
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin polar
WORKDIR /app
COPY --from=build /out/polar-console /app/polar-console
COPY --from=build /out/site /app/site
ENV POLAR_LISTEN=0.0.0.0:8080 \
    POLAR_SITE_ROOT=/app/site \
    POLAR_LOG_FORMAT=json
EXPOSE 8080
USER 10001:10001
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/polar-console"]
CMD ["serve"]
