//! The code of `TUTORIAL.md`. Each Rust sample in the text is a region of a test in `tests/`
//! (between `// ANCHOR: name` and `// ANCHOR_END: name`), named by the comment
//! `<!-- sample: tests/FILE.rs#name -->` above it; `tests/samples.rs` fails when the text and
//! the code differ, and the tests themselves run every sample.
