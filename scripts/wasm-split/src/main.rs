//! `lockstep-wasm-split IN.wasm PKG_DIR OUT_NAME`: splits IN.wasm (built with `--emit-relocs`)
//! at its `#[lazy]` split points, like `cargo leptos build --split` (cargo-leptos'
//! `wasm_split_tools`), so that leptos finds what it expects:
//! - PKG_DIR/OUT_NAME_split.wasm: the main module, for wasm-bindgen (`--keep-lld-exports`);
//! - PKG_DIR/<chunk>.wasm: one per split point, plus shared chunks;
//! - PKG_DIR/__wasm_split.______________________.js: the loader the main module imports;
//! - PKG_DIR/__wasm_split_manifest.json: split point -> the chunks it needs, from which the
//!   server writes `<link rel="preload">` for the current page's chunks.
//!
//! It prints the chunk files it wrote, one per line.
//!
//! scripts/setup.sh builds it against wasm_split_cli_support with `main-if-shared.patch`: code
//! that three or more split points share goes into the main module rather than a chunk of its
//! own, so a page fetches a few files instead of dozens (README "Page weight").
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg_dir, out_name] = args.as_slice() else {
        eprintln!("usage: lockstep-wasm-split IN.wasm PKG_DIR OUT_NAME");
        return ExitCode::from(2);
    };
    match run(input, &PathBuf::from(pkg_dir), out_name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lockstep-wasm-split: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &str, pkg_dir: &std::path::Path, out_name: &str) -> Result<(), Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input).map_err(|e| format!("reading {input}: {e}"))?;
    let main_out = pkg_dir.join(format!("{out_name}_split.wasm"));
    let main_module = format!("./{out_name}.js");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&wasm);
        opts.output_dir = pkg_dir;
        opts.main_out_path = &main_out;
        opts.main_module = &main_module;
        opts.link_name = "./__wasm_split.______________________.js";
        opts
    })
    .map_err(|e| format!("splitting {input}: {e:#}"))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)?;
    std::fs::write(pkg_dir.join("__wasm_split_manifest.json"), manifest)?;
    for chunk in split.split_modules {
        println!("{}", chunk.display());
    }
    Ok(())
}
