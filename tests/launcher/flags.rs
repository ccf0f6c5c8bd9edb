//! The command line, from the one option table: crossflake's own options
//! taken out wherever they stand before `--` (the rest kept verbatim and in
//! order for cargo), other commands refusing options they do not have,
//! `+TOOLCHAIN`, what crossflake peeks at, and the help and exit-code table
//! matching the code and the README.
use crossflake::cli::flags::{self, Cmd, FLAGS};
use crossflake::cli::{self, COMMANDS};
use crossflake::exit;
use crossflake::report::Format;
use crossflake::request::{peek, BackendChoice, RunnerMode};

fn split(line: &[String]) -> Result<flags::Split, crossflake::failure::Failure> {
    flags::split(Cmd::Cargo, "test", line)
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

#[test]
fn own_options_are_taken_anywhere_before_the_double_dash() {
    let s = split(&words(
        "--workspace --target aarch64 --locked --timeout=9 -p app --backend host --no-fail-fast --runner crossflake \
         --dry-run -j 2 --strace -Zbuild-std --option cores 2 -- --nocapture --timeout 3",
    ))
    .unwrap();
    assert_eq!(s.rest, words("--workspace --locked -p app --no-fail-fast -j 2 -Zbuild-std"));
    assert_eq!(s.trailing, Some(words("--nocapture --timeout 3")), "after `--` nothing is crossflake's");
    assert_eq!(s.opts.target.as_deref(), Some("aarch64"));
    assert_eq!(s.opts.timeout, Some(9));
    assert_eq!(s.opts.backend, Some(BackendChoice::Host));
    assert_eq!(s.opts.runner, Some(RunnerMode::Crossflake));
    assert!(s.opts.dry_run && s.opts.strace);
    assert_eq!(s.opts.nix.option, ["cores", "2"]);
    // Short and attached forms; `--gdb` takes a port only when one follows.
    let s = split(&words("-taarch64 --gdb --release")).unwrap();
    assert_eq!((s.opts.target.as_deref(), s.opts.gdb), (Some("aarch64"), Some(1234)));
    assert_eq!(s.rest, ["--release"]);
    let s = split(&words("-t rv64 --gdb 4321 --bin x")).unwrap();
    assert_eq!((s.opts.target.as_deref(), s.opts.gdb, s.rest.clone()), (Some("rv64"), Some(4321), words("--bin x")));
    assert_eq!(split(&words("--target x")).unwrap().trailing, None, "no `--`, no trailing arguments");
    assert_eq!(split(&words("--target x --")).unwrap().trailing, Some(vec![]));
}

#[test]
fn bad_own_options_are_usage_errors() {
    for (line, says) in [
        ("--target", "--target needs a value"),
        ("--timeout soon", "expected a whole number"),
        ("--backend docker", "expected host or nix"),
        ("--runner qemu", "expected wrap or crossflake"),
        ("--target a --target b", "--target given twice"),
        ("--dry-run=yes", "takes no value"),
        ("--target -- x", "--target needs a value"),
    ] {
        let err = split(&words(line)).unwrap_err();
        assert_eq!(err.exit_code(), exit::USAGE, "{line}");
        assert!(err.to_string().contains(says), "{line}: {err}");
    }
}

#[test]
fn peek_reads_cargo_options_without_taking_them() {
    let p = peek(&words(
        "--manifest-path a/Cargo.toml --target-dir=/t -rj4 -p one --package=two --no-run --config build.x=1 \
         --features --release --message-format json",
    ));
    assert_eq!(p.manifest_path.as_deref(), Some(std::path::Path::new("a/Cargo.toml")));
    assert_eq!(p.target_dir.as_deref(), Some(std::path::Path::new("/t")));
    assert_eq!((p.profile.as_deref(), p.jobs, p.no_run), (Some("release"), Some(4), true));
    assert_eq!(p.packages, ["one", "two"]);
    assert_eq!(p.configs, ["build.x=1"]);
    assert_eq!(p.message_format, ["json"]);
    // A valued option's value is never read as an option (`--features --release` names a feature).
    let p = peek(&words("--features --release --profile ci"));
    assert_eq!(p.profile.as_deref(), Some("ci"));
}

#[test]
fn argv_splits_at_the_command_and_takes_plus_toolchain() {
    let argv = |s: &str| std::iter::once("crossflake".to_string()).chain(words(s)).collect::<Vec<_>>();
    let inv = cli::parse(argv("+1.95.0 --message-format json test --target aarch64 --message-format short")).unwrap();
    assert_eq!(inv.global.toolchain.as_deref(), Some("1.95.0"));
    assert_eq!(inv.command.name, "test");
    assert_eq!(inv.global.format, Format::Json, "before the command: ours");
    assert_eq!(inv.words, words("--target aarch64 --message-format short"));
    let s = split(&inv.words).unwrap();
    assert_eq!(s.rest, words("--message-format short"), "after a cargo command: cargo's");
    let inv = cli::parse(argv("--manifest-path x/Cargo.toml cargo nextest run --target rv64 -- t1")).unwrap();
    assert_eq!(inv.command.name, "cargo");
    assert_eq!(inv.global.manifest_path.as_deref(), Some(std::path::Path::new("x/Cargo.toml")));
    // Other commands take the global options after them too, and refuse what they lack.
    let s = flags::split(Cmd::Matrix, "matrix", &words("--targets a,b -j 2 --message-format json --release")).unwrap();
    assert_eq!(
        (s.opts.targets.clone(), s.opts.jobs, s.opts.message_format),
        (words("a b"), Some(2), Some(Format::Json))
    );
    assert_eq!(s.rest, ["--release"], "matrix hands cargo what it does not own");
    let err = flags::split(Cmd::Doctor, "doctor", &words("--bogus")).unwrap_err();
    assert!(err.exit_code() == exit::USAGE && err.to_string().contains("doctor --help"), "{err}");
    // The runner's program takes every word after it.
    let s = flags::split(Cmd::Runner, "runner", &words("--target a prog --target b -q")).unwrap();
    assert_eq!((s.opts.target.as_deref(), s.rest.clone()), (Some("a"), words("prog --target b -q")));
}

#[test]
fn help_lists_every_option_of_the_command_and_the_exit_codes() {
    for d in COMMANDS {
        let h = flags::help(d.cmd, d.name, d.about, d.usage);
        for f in FLAGS.iter().filter(|f| f.on.contains(&d.cmd)) {
            assert!(h.contains(&format!("--{}", f.long)), "{} --help lacks --{}", d.name, f.long);
        }
        for (code, _) in exit::TABLE {
            assert!(h.contains(code), "{} --help lacks exit code {code}", d.name);
        }
    }
}

/// The README's exit-code table is the code's table, row for row.
#[test]
fn readme_exit_codes_match_the_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("| exit | meaning |").expect("README has the exit-code table");
    let rows: Vec<(String, String)> = readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells[0].trim_matches('`').to_string(), cells[1].to_string())
        })
        .collect();
    let table: Vec<(String, String)> = exit::TABLE.iter().map(|(c, m)| (c.to_string(), m.to_string())).collect();
    assert_eq!(rows, table);
}
