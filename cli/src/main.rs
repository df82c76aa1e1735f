//! The `fwsim` binary over the built-in demo apps. See the crate docs of `fwsim-cli`.

fn main() -> std::process::ExitCode {
    fwsim_cli::main(&fwsim_cli::apps::builtin())
}
