//! How the command's output names the command and counts things.

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

/// `n` and the noun, singular for one: `1 scenario`, `3 scenarios`.
pub(crate) fn counted(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(counted(0u32, "failure"), "0 failures");
        assert_eq!(counted(1u32, "execution"), "1 execution");
        assert_eq!(counted(22u64, "scenario"), "22 scenarios");
    }
}
