//! Turns the data tables (`data/**/*.toml`, what people edit and review) into JSON in `OUT_DIR`,
//! which the binary embeds: a process spawned for one message decodes JSON several times faster than
//! TOML, and TOML parsing was most of a cold start. A file that is not valid TOML fails the build; the
//! tables' own rules are checked where they are loaded (see `tables.rs`).

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let data = Path::new("data");
    // A directory here makes Cargo rerun this script when any file under it changes or is added.
    println!("cargo::rerun-if-changed=data");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("Cargo sets OUT_DIR")).join("data");
    convert_tree(data, &out);
}

fn convert_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    let entries = fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{}: {e}", from.display())).path();
        if path.is_dir() {
            convert_tree(&path, &to.join(path.file_name().unwrap_or_default()));
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let table: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let json = serde_json::to_string(&table).expect("a TOML table is JSON");
            let target = to.join(path.with_extension("json").file_name().unwrap_or_default());
            fs::write(&target, json).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}
