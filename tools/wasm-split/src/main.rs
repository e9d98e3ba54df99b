//! `polar-wasm-split INPUT.wasm OUT_DIR NAME`: splits a wasm module (linked with
//! `--emit-relocs`) at its `wasm_split` points into a main module `OUT_DIR/NAME_split.wasm`
//! (for wasm-bindgen) and one module per split point plus shared chunks in `OUT_DIR`,
//! with the loader `__wasm_split.______________________.js` and the prefetch manifest
//! `__wasm_split_manifest.json` under the names Leptos' `HydrationScripts` looks for.
//! The same calls as cargo-leptos' `wasm_split_tools` (cargo-leptos 0.3, `--split`).
//!
//! `AREA...` after those (prefixes of split module names, in the order users reach them)
//! bundle the shared chunks by area (`chunk-areas.patch`): a chunk goes to the first area
//! one of whose splits needs it, and each area's chunks become one module. Without them the
//! library makes one chunk per set of splits sharing code: hundreds of small requests.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, name, areas @ ..] = args.as_slice() else {
        eprintln!("usage: polar-wasm-split INPUT.wasm OUT_DIR NAME [AREA...]");
        return ExitCode::from(2);
    };
    let out_dir = PathBuf::from(out_dir);
    let input_wasm = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("polar-wasm-split: cannot read {input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let main_out = out_dir.join(format!("{name}_split.wasm"));
    let main_module = format!("./{name}.js");
    let mut opts = wasm_split_cli_support::Options::new(&input_wasm);
    opts.output_dir = &out_dir;
    opts.main_out_path = &main_out;
    opts.main_module = &main_module;
    opts.link_name = "./__wasm_split.______________________.js";
    opts.chunk_areas = areas;
    let split = match wasm_split_cli_support::transform(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("polar-wasm-split: {e:?}");
            return ExitCode::FAILURE;
        }
    };
    let manifest = serde_json::to_string_pretty(&split.prefetch_map).expect("a map of strings");
    if let Err(e) = std::fs::write(out_dir.join("__wasm_split_manifest.json"), manifest) {
        eprintln!("polar-wasm-split: cannot write the manifest: {e}");
        return ExitCode::FAILURE;
    }
    for m in &split.split_modules {
        println!("{}", m.display());
    }
    ExitCode::SUCCESS
}
