//! The `crossflake` binary: run the command line, exit with its code.
fn main() {
    // Started as the capture run's rustdoc (run/test_env.rs), it is not the launcher.
    if let Some(result) = crossflake::run::test_env::act_as_rustdoc() {
        std::process::exit(result.map_or_else(|f| crossflake::cli::report_failure(&f), |()| 0));
    }
    std::process::exit(crossflake::cli::main(std::env::args().collect()));
}
