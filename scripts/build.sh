#!/usr/bin/env bash
# Builds the site (wasm + JS + CSS + assets into target/site) and the binaries.
#   scripts/build.sh            dev profile (what the tests use)
#   scripts/build.sh --release  release profile, size-optimised wasm (what run.sh uses)
# Chooses the wasm32 route by itself (see wasm_setup in scripts/lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

release=""
[ "${1:-}" = "--release" ] && release=1
# (the release site is target/site-release, the dev site target/site)

wasm_setup
wasm_bindgen_setup

# Dev and release sites live apart, so that a dev build never replaces the release bundle.
if [ -n "$release" ]; then site="${SITE_DIR:-$CARGO_TARGET_DIR/site-release}"; else site="${SITE_DIR:-$CARGO_TARGET_DIR/site}"; fi
mkdir -p "$site/pkg"

log "building the browser half (app, feature hydrate) for wasm32"
if [ -n "$release" ]; then wprofile=(--profile wasm-release); wdir=wasm-release; else wprofile=(); wdir=debug; fi
env "${WASM_ENV[@]}" "${WASM_CARGO[@]}" build -q -p app --lib --target wasm32-unknown-unknown \
  --no-default-features --features hydrate "${wprofile[@]}"
"$WASM_BINDGEN" --target web --no-typescript --out-dir "$site/pkg" --out-name polar-console \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$wdir/app.wasm"
# The name HydrationScripts asks for when LEPTOS_OUTPUT_NAME is set (as cargo-leptos does).
mv -f "$site/pkg/polar-console_bg.wasm" "$site/pkg/polar-console.wasm"
if [ -n "$release" ] && [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ] && command -v npm >/dev/null; then
  # Debian's binaryen (wasm-opt 108) breaks hydration; the npm build of binaryen 132 works.
  log "installing binaryen 132 (wasm-opt) into .tools/ (once)"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" binaryen@132 >/dev/null || log "binaryen not installed; the wasm stays unoptimised"
fi
if [ -n "$release" ] && [ -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
  log "optimising the wasm with binaryen's wasm-opt"
  "$TOOLS/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-reference-types --enable-sign-ext --enable-mutable-globals --enable-multivalue \
    -o "$site/pkg/polar-console.opt.wasm" "$site/pkg/polar-console.wasm" \
    && mv -f "$site/pkg/polar-console.opt.wasm" "$site/pkg/polar-console.wasm"
fi
cp "$ROOT/style/main.css" "$site/pkg/polar-console.css"
cp -r "$ROOT/public/." "$site/"

log "building the server and the emulator"
if [ -n "$release" ]; then sprofile=(--release); else sprofile=(); fi
cargo build -q -p server -p emulator "${sprofile[@]}"
log "site in $site"
