//! The README's list of the HAL trait versions the board implements is the list this crate
//! depends on: a firmware author who copies it gets traits the board's handles accept.

use std::collections::BTreeMap;
use std::path::Path;

/// The versions in `name = "version"` (or `{ version = "…" }`) lines of a TOML table (`[table]` up to the next header), and
/// `name.workspace = true` read from `workspace`'s table.
fn versions(toml: &str, table: &str, workspace: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut inside = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == table;
            continue;
        }
        if !inside {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else { continue };
        let (name, value) = (name.trim(), value.trim());
        // `"1.0"`, or `{ package = "…", version = "0.2.7", … }`.
        let quoted = value.split_once("version = ").map_or(value, |(_, v)| v);
        if let Some(name) = name.strip_suffix(".workspace") {
            found.insert(name.to_owned(), workspace[name].clone());
        } else if let Some(version) = quoted.strip_prefix('"').and_then(|v| v.split('"').next()) {
            found.insert(name.to_owned(), version.to_owned());
        }
    }
    found
}

#[test]
fn the_readme_lists_the_trait_versions_the_board_implements() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let root = read(&here.join("../Cargo.toml"));
    let workspace = versions(&root, "[workspace.dependencies]", &BTreeMap::new());
    let board = versions(&read(&here.join("Cargo.toml")), "[dependencies]", &workspace);

    let readme = read(&here.join("../README.md"));
    let (_, after) = readme.split_once("implement these versions of the HAL traits").expect("the README's trait list");
    let block = after.split("```toml").nth(1).and_then(|b| b.split("```").next()).expect("its toml block");
    let listed = versions(&format!("[x]\n{block}"), "[x]", &workspace);

    assert!(listed.len() >= 5, "{listed:?}");
    for (name, version) in &listed {
        assert_eq!(board.get(name), Some(version), "the README lists {name} {version}; fwsim-hw depends on {board:?}");
    }
    for trait_crate in ["embedded-hal-async", "embedded-io", "embedded-io-async", "embedded-storage"] {
        assert!(listed.contains_key(trait_crate), "the README's list leaves out {trait_crate}");
    }
}
