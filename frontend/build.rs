//! Keeps the linker's relocations in the browser's wasm (`--emit-relocs`): wasm-split needs them
//! to cut the wasm into one chunk per lazily loaded page (scripts/build-site.sh, README "Page
//! weight"). Only this crate's cdylib link gets the flag, so the dependencies' builds (shared
//! with the server's and clippy's) are not invalidated as a RUSTFLAGS change would.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-link-arg-cdylib=--emit-relocs");
    }
}
