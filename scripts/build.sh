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
wasm_split_setup

# Dev and release sites live apart, so that a dev build never replaces the release bundle.
if [ -n "$release" ]; then site="${SITE_DIR:-$CARGO_TARGET_DIR/site-release}"; else site="${SITE_DIR:-$CARGO_TARGET_DIR/site}"; fi
mkdir -p "$site/pkg"

log "building the browser half (app, feature hydrate) for wasm32"
if [ -n "$release" ]; then wprofile=(--profile wasm-release); wdir=wasm-release; else wprofile=(); wdir=debug; fi
env "${WASM_ENV[@]}" "${WASM_CARGO[@]}" build -q -p app --lib --target wasm32-unknown-unknown \
  --no-default-features --features hydrate "${wprofile[@]}"
# Split at the lazy routes (app/src/lib.rs): a main module and one chunk per page (plus
# chunks the pages share), the loader and the manifest the server reads to preload the
# chunk of the page it renders. The wasm is linked with --emit-relocs for this
# (.cargo/config.toml). The code pages share is bundled by area, in the order users reach
# them: what the sign-in page shares, then the cluster list's, then the cluster pages'
# (so a cluster's tabs after the first load one module each), then the rest — a few
# modules, not hundreds. Stale chunks of an earlier build go first.
rm -f "$site/pkg/"*.wasm "$site/pkg/"*.js "$site/pkg/"*.br "$site/pkg/"*.gz "$site/pkg/__wasm_split_manifest.json"
"$WASM_SPLIT" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$wdir/app.wasm" "$site/pkg" polar-console \
  __sign_in_route __clusters_route __cluster_ >/dev/null \
  || die "splitting the wasm failed"
"$WASM_BINDGEN" --target web --no-typescript --keep-lld-exports --no-demangle \
  --out-dir "$site/pkg" --out-name polar-console "$site/pkg/polar-console_split.wasm"
rm -f "$site/pkg/polar-console_split.wasm"
# The name HydrationScripts asks for when LEPTOS_OUTPUT_NAME is set (as cargo-leptos does).
mv -f "$site/pkg/polar-console_bg.wasm" "$site/pkg/polar-console.wasm"
if [ -n "$release" ] && [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ] && command -v npm >/dev/null; then
  # Debian's binaryen (wasm-opt 108) breaks hydration; the npm build of binaryen 132 works.
  log "installing binaryen 132 (wasm-opt) into .tools/ (once)"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" binaryen@132 >/dev/null || log "binaryen not installed; the wasm stays unoptimised"
fi
if [ -n "$release" ] && [ -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
  log "optimising the main module and every chunk with binaryen's wasm-opt"
  find "$site/pkg" -maxdepth 1 -name '*.wasm' -print0 | xargs -0 -P "$(nproc)" -I{} sh -c \
    '"$0" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types \
       --enable-sign-ext --enable-mutable-globals --enable-multivalue -o "$1.opt" "$1" 2>/dev/null \
       && mv -f "$1.opt" "$1"' "$TOOLS/node_modules/.bin/wasm-opt" {}
fi
if [ -n "$release" ]; then
  # The release's stylesheet without comments and runs of white space.
  node "$ROOT/scripts/minify-css.mjs" "$ROOT/style/main.css" "$site/pkg/polar-console.css"
else
  cp "$ROOT/style/main.css" "$site/pkg/polar-console.css"
fi
cp -r "$ROOT/public/." "$site/"
if [ -n "$release" ]; then
  # Precompressed copies at the highest levels (brotli 11, gzip 9), which the server sends
  # to a browser that accepts them instead of compressing on the fly (Node's zlib).
  log "precompressing the site's pkg/ (brotli, gzip)"
  node -e '
    const fs = require("fs"), zlib = require("zlib"), path = require("path");
    const dir = process.argv[1];
    for (const f of fs.readdirSync(dir)) {
      if (!/\.(wasm|js|css|json)$/.test(f)) continue;
      const data = fs.readFileSync(path.join(dir, f));
      fs.writeFileSync(path.join(dir, f + ".br"), zlib.brotliCompressSync(data, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
      fs.writeFileSync(path.join(dir, f + ".gz"), zlib.gzipSync(data, { level: 9 }));
    }' "$site/pkg"
fi

log "building the server and the emulator"
if [ -n "$release" ]; then sprofile=(--release); else sprofile=(); fi
cargo build -q -p server -p emulator "${sprofile[@]}"
log "site in $site"
