//! The README's list of the HAL trait versions the board implements is the list this crate
//! depends on: a firmware author who copies it gets traits the board's handles accept.

use std::collections::BTreeMap;
use std::path::Path;

/// Each dependency of `table` that has a version: `name = "1.0"`, `name = { version = "1.0", … }`,
/// or `name.workspace = true`, read from `workspace` (a `path` dependency has none).
fn versions(table: &toml::Table, workspace: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let version = |(name, spec): (&String, &toml::Value)| {
        let version = match spec {
            toml::Value::String(v) => v.clone(),
            toml::Value::Table(t) if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) => {
                workspace.get(name)?.clone()
            }
            toml::Value::Table(t) => t.get("version")?.as_str()?.to_owned(),
            other => panic!("{name} = {other}: not a dependency"),
        };
        Some((name.clone(), version))
    };
    table.iter().filter_map(version).collect()
}

/// The table at `path` (`["workspace", "dependencies"]`) of the TOML document `text`.
fn table(text: &str, path: &[&str]) -> toml::Table {
    let mut table: toml::Table = text.parse().expect("TOML");
    for key in path {
        table = table.remove(*key).and_then(|v| v.as_table().cloned()).unwrap_or_else(|| panic!("no [{key}]"));
    }
    table
}

#[test]
fn the_readme_lists_the_trait_versions_the_board_implements() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let workspace =
        versions(&table(&read(&here.join("../Cargo.toml")), &["workspace", "dependencies"]), &BTreeMap::new());
    let board = versions(&table(&read(&here.join("Cargo.toml")), &["dependencies"]), &workspace);

    let readme = read(&here.join("../README.md"));
    let (_, after) = readme.split_once("implement these versions of the HAL traits").expect("the README's trait list");
    let block = after.split("```toml").nth(1).and_then(|b| b.split("```").next()).expect("its toml block");
    let listed = versions(&table(block, &[]), &workspace);

    assert!(listed.len() >= 5, "{listed:?}");
    for (name, version) in &listed {
        assert_eq!(board.get(name), Some(version), "the README lists {name} {version}; fwsim-hw depends on {board:?}");
    }
    for trait_crate in ["embedded-hal-async", "embedded-io", "embedded-io-async", "embedded-storage"] {
        assert!(listed.contains_key(trait_crate), "the README's list leaves out {trait_crate}");
    }
}
