//! The `crossflake` binary: parse, run, print the error chain, exit with its code.
fn main() {
    if let Some(code) = crossflake::run::test_env::act_as_rustdoc() {
        std::process::exit(code);
    }
    let invocation = match crossflake::cli::parse(std::env::args().collect()) {
        Ok(i) => i,
        Err(e) => {
            let code = if e.use_stderr() { crossflake::exit::USAGE } else { crossflake::exit::OK };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = crossflake::cli::commands::run(invocation).unwrap_or_else(|err| {
        eprintln!("crossflake: error: {err:#}");
        crossflake::exit::code_for(&err)
    });
    std::process::exit(code);
}
