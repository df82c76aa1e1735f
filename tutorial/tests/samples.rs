//! Every Rust sample of `TUTORIAL.md` is the region of a test it names, unchanged; every YAML
//! sample is a whole shipped scenario (which the CLI's tests run).

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The lines between `// ANCHOR: name` and `// ANCHOR_END: name` in `file`, dedented.
fn region(file: &str, name: &str) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim() == format!("// ANCHOR: {name}"));
    let end = lines.iter().position(|l| l.trim() == format!("// ANCHOR_END: {name}"));
    let (Some(start), Some(end)) = (start, end) else { panic!("{file} has no region `{name}`") };
    let body = &lines[start + 1..end];
    let indent =
        body.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    body.iter().map(|l| if l.len() >= indent { &l[indent..] } else { l.trim_start() }).collect::<Vec<_>>().join("\n")
}

#[test]
fn every_sample_is_the_code_it_names() {
    let text = std::fs::read_to_string(root().join("TUTORIAL.md")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (mut rust, mut yaml) = (0, 0);
    let mut i = 0;
    while i < lines.len() {
        let fence = lines[i].trim_start();
        if fence == "```rust" || fence == "```yaml" {
            let close = (i + 1..lines.len()).find(|&j| lines[j].trim_start() == "```").expect("a closed code block");
            let block = lines[i + 1..close].join("\n");
            let marker = lines[..i].iter().rev().find(|l| !l.trim().is_empty()).copied().unwrap_or("");
            let source = marker
                .trim()
                .strip_prefix("<!-- sample: ")
                .and_then(|m| m.strip_suffix(" -->"))
                .unwrap_or_else(|| panic!("TUTORIAL.md:{}: a sample with no `<!-- sample: … -->` above it", i + 1));
            let expected = match source.split_once('#') {
                Some((file, name)) => {
                    rust += 1;
                    region(file, name)
                }
                None => {
                    yaml += 1;
                    std::fs::read_to_string(root().join(source))
                        .unwrap_or_else(|e| panic!("{source}: {e}"))
                        .trim_end()
                        .to_owned()
                }
            };
            assert_eq!(block, expected, "TUTORIAL.md:{}: the sample differs from {source}", i + 1);
            i = close;
        }
        i += 1;
    }
    assert!(rust >= 10 && yaml >= 1, "{rust} Rust and {yaml} YAML samples checked");
}
