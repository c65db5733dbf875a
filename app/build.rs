//! Generates the `i18n` module (the `Locale` enum, `use_i18n`, `I18nContextProvider`, the keys
//! the `t!`/`td_string!` macros check) from the locale files, with leptos_i18n's code generator.
//!
//! Locales: `en` (the default, used when neither the cookie nor the browser's Accept-Language
//! names a supported language) and `ko`. The files are `app/locales/en.json` and
//! `app/locales/ko.json`; both must have exactly the same keys (leptos_i18n only warns about a
//! missing one and shows the English text; the tests in `src/i18n_tests.rs` fail).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");

    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // `interpolate_display`: texts with `{{ values }}` can also be made plain strings
    // (`td_string!`/`t_string!`), as `tr_with`, attributes and `window.confirm` need.
    let options = ParseOptions::default().interpolate_display(true);
    let cfg = Config::new("en")?.add_locale("ko")?.locales_path("locales").parse_options(options);
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}
