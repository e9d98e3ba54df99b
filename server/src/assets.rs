//! The browser's files under `/pkg/` (the wasm main module and its chunks, the JS glue, the
//! split loader and its manifest, the stylesheet). A release build (`scripts/build.sh
//! --release`) writes brotli (quality 11) and gzip (level 9) copies beside each: a browser
//! that accepts one gets it as is, and the response compression layer leaves an encoded
//! answer alone; without a copy (the dev build) the file is compressed on the fly.

use std::path::Path;

use tower_http::services::ServeDir;

/// Serves `site_root/pkg`, precompressed copies first.
pub fn pkg(site_root: &Path) -> ServeDir {
    ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip()
}
