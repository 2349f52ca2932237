//! The built-in data tables as the binary carries them. `data/**/*.toml` is the source; build.rs
//! converts each file to JSON, which decodes in a fraction of TOML's time (a cold start, spawned by
//! Thunderbird for one message, spent most of its time parsing TOML). Either form deserializes into
//! the same table types and goes through the same validation: `parse` functions take TOML (tests,
//! tables written by hand), `builtin` ones the embedded JSON.

use anyhow::{Context as _, Result};
use serde::Deserialize;

/// The embedded JSON form of `data/<name>.toml`, e.g. `builtin_json!("findings/links")`.
macro_rules! builtin_json {
    ($name:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/data/", $name, ".json"))
    };
}
pub(crate) use builtin_json;

/// The automata of the built-in brand names and lure phrases, laid out by build.rs (see
/// [`crate::matcher::Layout`]).
pub mod automata {
    use crate::matcher::{Matcher, State};

    include!(concat!(env!("OUT_DIR"), "/automata.rs"));
}

/// Decodes an embedded table; `file` names it in the error. A table type may borrow its strings
/// from the JSON (`&'static str` fields), which the binary holds: no allocation per string.
pub fn from_json<'j, T: Deserialize<'j>>(json: &'j str, file: &str) -> Result<T> {
    serde_json::from_str(json).with_context(|| format!("built-in {file} does not decode"))
}

/// Parses a table written in TOML; `file` names it in the error. Types that borrow their strings
/// need the text to last: see [`kept`].
pub fn from_toml<'t, T: Deserialize<'t>>(text: &'t str, file: &str) -> Result<T> {
    toml::from_str(text).with_context(|| format!("{file} does not parse"))
}

/// A table's TOML text, kept for the rest of the process so that the table can borrow its strings
/// as the built-in tables do from the binary. Only tables written by hand (tests) are parsed from
/// text, once each, so what is kept is bounded by them.
#[cfg(test)]
pub fn kept(text: &str) -> &'static str {
    Box::leak(text.into())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every data file, embedded as JSON, says exactly what its TOML says (floats to the bit): the
    /// build-time conversion loses nothing.
    #[test]
    fn embedded_json_is_the_toml() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let out = Path::new(env!("OUT_DIR")).join("data");
        let (mut folders, mut compared) = (vec![data.clone()], 0);
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                if path.extension().is_none_or(|ext| ext != "toml") {
                    continue;
                }
                let relative = path.strip_prefix(&data).unwrap().with_extension("json");
                let toml: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                let json: toml::Value = serde_json::from_str(&std::fs::read_to_string(out.join(&relative)).unwrap())
                    .unwrap_or_else(|e| panic!("{}: {e}", relative.display()));
                assert_eq!(json, toml, "{}", relative.display());
                compared += 1;
            }
        }
        assert!(compared >= 10, "only {compared} data files found");
    }
}
