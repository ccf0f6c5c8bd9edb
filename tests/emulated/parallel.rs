//! The parallel test runner, for real under qemu-aarch64: several test binaries
//! at once, their output whole and in cargo's order, cargo's exit codes and
//! messages when one fails, and a timeout in one of several concurrent binaries.
use crate::common::*;

fn run(extra: &[&str]) -> std::process::Output {
    require_tool("qemu-aarch64");
    let td = shared_target_dir();
    let mut args = vec!["test", "--target", "aarch64", "--backend", "host", "--target-dir", td.to_str().unwrap()];
    args.extend_from_slice(extra);
    crossflake(&args, &root().join("tests/fixtures/many-bins"))
}

/// The `Running` lines in the order printed (stderr).
fn running(o: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Running "))
        .map(|l| l.split(" (").next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn binaries_run_together_and_print_in_cargos_order() {
    let o = run(&["-j", "3", "--", "--nocapture"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert_eq!(
        running(&o),
        [
            "unittests src/lib.rs",
            "tests/alpha.rs",
            "tests/beta.rs",
            "tests/delta.rs",
            "tests/epsilon.rs",
            "tests/gamma.rs"
        ],
        "{out}"
    );
    assert!(
        out.contains("note: test binaries run under the target's runner after one build, up to 3 at once"),
        "{out}"
    );
    // Each binary's lines stay together, in order: between the first and the last line
    // that names a binary, no line names another. (Within one binary libtest's own
    // threads may put "test alpha_two ... " before a printed line, as under cargo.)
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    let names = ["alpha", "beta", "gamma", "delta", "epsilon", "fib_small"];
    let lines: Vec<&str> = stdout.lines().collect();
    for name in names {
        let mine: Vec<usize> = (0..lines.len()).filter(|i| lines[*i].contains(name)).collect();
        let (Some(&first), Some(&last)) = (mine.first(), mine.last()) else {
            panic!("{name}'s tests printed nothing: {stdout}")
        };
        let foreign = (first..=last).find(|i| names.iter().any(|n| *n != name && lines[*i].contains(n)));
        assert!(foreign.is_none(), "{name}'s output was interleaved with another binary's: {stdout}");
    }
    for name in ["alpha", "gamma", "epsilon"] {
        let printed: Vec<&str> = stdout.matches(&format!("{name}-line-")).collect();
        assert_eq!(printed.len(), 3, "{name}: {stdout}");
        let order: Vec<usize> = (0..3).map(|k| stdout.find(&format!("{name}-line-{k}")).unwrap()).collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{name}'s lines in order: {stdout}");
    }
    // Six binaries, then the doctests, as cargo runs them.
    assert_eq!(stdout.matches("test result: ok.").count(), 7, "{stdout}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("Doc-tests many_bins"), "{out}");
}

#[test]
fn one_failing_binary_fails_the_run_and_the_others_are_reported() {
    let o = run(&["--features", "fail", "--no-fail-fast"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(101), "{out}");
    assert!(out.contains("beta fails on purpose"), "{out}");
    assert!(out.contains("test beta_checks ... FAILED"), "{out}");
    assert_eq!(running(&o).len(), 6, "every binary ran with --no-fail-fast: {out}");
    assert!(out.contains("error: test failed, to rerun pass `--test beta`"), "{out}");
    assert!(out.contains("crossflake: cargo test: failed (exit 101)"), "the summary line tells the truth: {out}");
    for other in ["alpha_one", "gamma_one", "epsilon_one", "tests::fib_small"] {
        assert!(out.contains(&format!("test {other} ... ok")), "{other}: {out}");
    }
    // Without --no-fail-fast the failure is still 101 and named.
    let o = run(&["--features", "fail", "-j", "1"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(101), "{out}");
    assert!(out.contains("to rerun pass `--test beta`"), "{out}");
    assert!(!out.contains("Running tests/gamma.rs"), "-j 1 stops after the failure, as cargo: {out}");
}

#[test]
fn a_timeout_in_one_of_several_binaries_is_reported_and_the_others_finish() {
    let o = run(&["--features", "hang", "--no-fail-fast", "--timeout", "4", "-j", "2"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(124), "{out}");
    assert!(out.contains("delta-") && out.contains("timed out after 4 s and was killed"), "{out}");
    for other in ["alpha_one", "gamma_one", "epsilon_one"] {
        assert!(out.contains(&format!("test {other} ... ok")), "{other}: {out}");
    }
    // The hung binary (this feature set's own build of tests/delta.rs) is gone; the
    // other tests of this file run the other builds meanwhile.
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    let delta = err
        .lines()
        .find_map(|l| l.trim().strip_prefix("Running tests/delta.rs (")?.strip_suffix(')'))
        .expect("delta ran");
    assert_eq!(processes_matching(delta), Vec::<String>::new(), "nothing left running");
}
