//! Which files a command line names, and how input errors are shown.

use std::path::PathBuf;

use fwsim_scenario::InputError;

/// Expands paths, directories (their `.yaml`/`.yml` files, sorted) and glob patterns, in the
/// order given. A name that matches nothing is an error.
pub fn expand(args: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for arg in args {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&path)
                .map_err(|e| format!("cannot read directory {arg}: {e}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!("{arg}: no .yaml scenario in this directory"));
            }
            out.extend(found);
        } else if arg.contains(['*', '?', '[']) {
            let paths = glob::glob(arg).map_err(|e| format!("bad glob pattern `{arg}`: {e}"))?;
            let mut found: Vec<PathBuf> = paths.filter_map(Result::ok).filter(|p| p.is_file()).collect();
            found.sort();
            if found.is_empty() {
                return Err(format!("{arg}: the pattern matches no file"));
            }
            out.extend(found);
        } else if path.is_file() {
            out.push(path);
        } else {
            return Err(format!("{arg}: no such file; expected a scenario file, a directory or a glob"));
        }
    }
    Ok(out)
}

/// An input error with its source lines.
pub fn render(e: &InputError) -> String {
    match &e.snippet {
        Some(s) => format!("error: {e}\n{s}"),
        None => format!("error: {e}"),
    }
}
