//! How the command's output names the command.

use std::path::Path;

/// The name the command was run as (`fwsim`, or the binary of a repository that embeds it
/// with [`crate::main`]), for the commands the output tells the user to type.
pub(crate) fn program() -> String {
    let arg0 = std::env::args_os().next();
    arg0.as_deref()
        .map(Path::new)
        .and_then(Path::file_stem)
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("fwsim")
        .to_owned()
}
