//! Turns the data tables (`data/**/*.toml`, what people edit and review) into what the binary embeds:
//! - each table as JSON in `OUT_DIR`: a process spawned for one message decodes JSON several times
//!   faster than TOML, and TOML parsing was most of a cold start;
//! - the Aho-Corasick automata of the brand names and lure phrases, laid out by `matcher.rs` from the
//!   keys `knowledge/keys.rs` and `checks/content/fold.rs` compute (the same files the binary runs),
//!   as Rust statics in `OUT_DIR/automata.rs`: laying them out was most of what remained; and the
//!   folded brand names those keys start from.
//!
//! A file that is not valid TOML, or a pattern no automaton can hold, fails the build; the tables' own
//! rules are checked where they are loaded (see `tables.rs`), and a test per table shows that the
//! automata laid out here are the ones its loader would lay out at run time.

use std::fs;
use std::path::{Path, PathBuf};

// Only the construction side of these modules runs here.
#[allow(dead_code)]
#[path = "src/matcher.rs"]
mod matcher;
#[allow(dead_code)]
#[path = "src/knowledge/keys.rs"]
mod name_keys;
#[allow(dead_code)]
#[path = "src/checks/content/fold.rs"]
mod phrase_fold;

fn main() {
    let data = Path::new("data");
    // A directory here makes Cargo rerun this script when any file under it changes or is added.
    println!("cargo::rerun-if-changed=data");
    for module in ["src/matcher.rs", "src/checks/content/fold.rs", "src/knowledge/keys.rs"] {
        println!("cargo::rerun-if-changed={module}");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("Cargo sets OUT_DIR"));
    convert_tree(data, &out.join("data"));
    write_automata(data, &out.join("automata.rs"));
}

fn convert_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    let entries = fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{}: {e}", from.display())).path();
        if path.is_dir() {
            convert_tree(&path, &to.join(path.file_name().unwrap_or_default()));
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            let json = serde_json::to_string(&read_table(&path)).expect("a TOML table is JSON");
            let target = to.join(path.with_extension("json").file_name().unwrap_or_default());
            fs::write(&target, json).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}

fn read_table(path: &Path) -> toml::Table {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The strings of `table[key]` (an array of strings), in order.
fn strings<'t>(table: &'t toml::Table, key: &str, file: &str) -> impl Iterator<Item = &'t str> {
    let array = table.get(key).and_then(toml::Value::as_array);
    let array = array.unwrap_or_else(|| panic!("{file}: `{key}` must be an array of strings"));
    array.iter().map(move |v| v.as_str().unwrap_or_else(|| panic!("{file}: `{key}` must hold strings")))
}

/// The tables of `table[key]` (an array of tables, or one table), in order.
fn tables<'t>(table: &'t toml::Table, key: &str, file: &str) -> Vec<&'t toml::Table> {
    match table.get(key) {
        Some(toml::Value::Table(one)) => vec![one],
        Some(toml::Value::Array(many)) => {
            many.iter().map(|v| v.as_table().unwrap_or_else(|| panic!("{file}: `{key}` must hold tables"))).collect()
        }
        _ => panic!("{file}: `{key}` must be a table or an array of tables"),
    }
}

/// The patterns of each automaton in the order the loaders list them (`Knowledge::from_tables`,
/// `Lures::from_table`), laid out and written as statics.
fn write_automata(data: &Path, target: &Path) {
    let (brands_file, lures_file) = ("brands.toml", "lures.toml");
    let brands = read_table(&data.join(brands_file));
    let (mut names, mut lookalike_names, mut tokens) = (Vec::new(), Vec::new(), Vec::new());
    for brand in tables(&brands, "brand", brands_file) {
        for name in strings(brand, "names", brands_file) {
            let folded = name_keys::fold(name);
            if name_keys::is_lookalike_searched(&folded) {
                lookalike_names.push(name_keys::lookalike_key(name));
            }
            names.push(folded);
        }
        if brand.contains_key("tokens") {
            tokens.extend(strings(brand, "tokens", brands_file).map(str::to_string));
        }
    }

    let lures = read_table(&data.join(lures_file));
    let folded_phrases = |key| -> Vec<String> {
        let lists = tables(&lures, key, lures_file).into_iter();
        lists
            .flat_map(|list| {
                // A lure's `weak` phrases follow its own, as `Lures::from_table` lists them.
                let weak = list.contains_key("weak").then(|| strings(list, "weak", lures_file));
                strings(list, "phrases", lures_file).chain(weak.into_iter().flatten())
            })
            .map(|p| phrase_fold::fold(p).text)
            .collect()
    };
    let body: Vec<String> = ["lure", "urgency", "machine_translated", "bulk_footer", "callback"]
        .into_iter()
        .flat_map(folded_phrases)
        .collect();
    let subject = folded_phrases("urgent_subject");

    let mut source = String::from("// Laid out by build.rs from data/brands.toml and data/lures.toml.\n");
    for (name, patterns, file) in [
        ("BRAND_NAMES", &names, brands_file),
        ("BRAND_LOOKALIKE_NAMES", &lookalike_names, brands_file),
        ("BRAND_TOKENS", &tokens, brands_file),
        ("LURE_BODY", &body, lures_file),
        ("LURE_SUBJECT", &subject, lures_file),
    ] {
        let matcher = matcher::Matcher::new(patterns).unwrap_or_else(|e| panic!("{file}: {name}: {e}"));
        source.push_str(&matcher.write_rust(name));
    }
    // The folded brand names themselves: what the loader reads them by (folding every non-ASCII
    // name through NFKC was the dearest part of loading the table).
    source.push_str(&format!("pub static BRAND_FOLDED_NAMES: &[&str] = &{names:?};\n"));
    // Which ends of each phrase must fall on word boundaries: what the loader would fold them for.
    for (name, patterns) in [("LURE_BODY_BOUNDS", &body), ("LURE_SUBJECT_BOUNDS", &subject)] {
        let bounds: Vec<(bool, bool)> = patterns.iter().map(|p| phrase_fold::word_bounded_ends(p)).collect();
        source.push_str(&format!("pub static {name}: &[(bool, bool)] = &{bounds:?};\n"));
    }
    fs::write(target, source).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
