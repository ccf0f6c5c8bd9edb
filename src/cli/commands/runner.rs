//! `crossflake runner --target T PROGRAM [ARGS...]`: the cargo runner (run/runner.rs).
use super::Here;
use crate::cli::flags::Split;
use crate::events::Event;
use crate::events::Sink;
use crate::failure::{Failure, Outcome};
use crate::plan::cargo_step::wrap_var;
use crate::plan::emulator::{self, RunnerRequest};
use crate::report::Reporter;
use crate::resolve::crate_meta::CrateMeta;
use crate::resolve::machine::HostEnv;

pub fn run(mut here: Here, split: Split, reporter: &Reporter) -> Outcome {
    let o = split.opts;
    let Some(target) = o.target else { return Err(Failure::usage("crossflake runner needs --target T")) };
    let mut rest = split.rest.into_iter();
    let Some(program) = rest.next() else {
        return Err(Failure::usage("crossflake runner needs the program to run")
            .next("crossflake runner --target T PROGRAM [ARGS...]"));
    };
    // `crossflake test` asking cargo how it starts each test binary (run/test_env.rs).
    if let Some(file) = std::env::var_os(crate::run::test_env::CAPTURE_ENV) {
        return Ok(crate::run::test_env::record(std::path::Path::new(&file), std::path::Path::new(&program))?);
    }
    let meta = CrateMeta::of_running_program()?;
    for d in o.targets_dirs.iter().chain(meta.targets_dir.as_ref()) {
        here.registry.add_dir(d)?;
    }
    let env = HostEnv::probe_programs();
    let spec = crate::resolve::open_world::resolve(&here.registry, &env, &target)?;
    let wrap = match std::env::var(wrap_var(&spec)) {
        Ok(j) => Some(
            serde_json::from_str::<Vec<String>>(&j)
                .map_err(|e| Failure::usage(format!("{} is not a JSON list of strings: {e}", wrap_var(&spec))))?,
        ),
        Err(_) => None,
    };
    let mut args: Vec<String> = rest.collect();
    args.extend(split.trailing.into_iter().flatten());
    let req = RunnerRequest {
        program: program.into(),
        args,
        timeout_secs: o.timeout,
        gdb: o.gdb,
        strace: o.strace,
        wrap,
        cpu: o.cpu,
        cpu_env: std::env::var("QEMU_CPU").ok().filter(|c| !c.is_empty()),
    };
    if o.dry_run {
        let step = emulator::step(&crate::run::runner::facts(&env), &spec, &req)?;
        let (step, _) = crate::run::defmt::decoding(&env, &spec, &req, step);
        reporter.event(Event::Stdout(format!("{}\n", step.shell_line()).into_bytes()));
        return Ok(());
    }
    crate::run::runner::run(&env, &spec, &req, reporter)
}
