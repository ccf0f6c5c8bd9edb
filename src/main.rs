//! The `crossflake` binary: parse, run, print the error chain, exit with its code.
use clap::Parser;

fn main() {
    let cli = crossflake::cli::Cli::parse();
    let code = crossflake::app::run(cli).unwrap_or_else(|err| {
        eprintln!("crossflake: error: {err:#}");
        crossflake::exit::code_for(&err)
    });
    std::process::exit(code);
}
