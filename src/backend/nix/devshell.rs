//! One target's dev shell: its flake attribute and cache slot, and the
//! questions asked of Nix about it (does it exist? what is its environment?
//! what is its derivation?), each answered from the cache when it can be.
use super::cache::{cache_root, key, program_identity, sha256_hex, Entry, Key, KeyInputs, FORMAT};
use super::devenv::{process_env, DevEnv};
use super::flake::{dev_shell_attr, nix_system, Flake};
use super::slots::{now, Lookup, Slots};
use super::tool::{eval_timeout, explain, version_verdict, Nix, NixFailure};
use crate::events::Sink;
use crate::failure::Failure;
use crate::request::NixArgs;
use crate::resolve::machine::HostEnv;
use crate::step::Step;
use crate::targets::TargetSpec;
use anyhow::{anyhow, bail, Context, Result};
use std::path::Path;

/// Set to a non-empty value to ignore cached answers (they are rewritten).
pub const REFRESH_ENV: &str = "CROSSFLAKE_NIX_REFRESH";

#[derive(Debug, Clone)]
pub struct DevShell {
    pub target: String,
    pub flake: Flake,
    pub system: String,
    pub attr: String,
    pub nix: Nix,
    pub slots: Slots,
    pub key: Key,
    /// Whether environments get a GC root (only in the default local store).
    pub rooted: bool,
    /// nix's path, size and mtime: its version's verdict is cached for the machine.
    pub nix_identity: String,
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Cached,
    Evaluated,
}

impl DevShell {
    /// Resolves everything that needs no nix process: nix's path, the flake, the attribute, the key.
    pub fn new(env: &HostEnv, spec: &TargetSpec, args: &NixArgs, start: &Path) -> Result<DevShell> {
        let nix = Nix::locate(env, args)?;
        let flake = Flake::resolve(args.flake.as_deref(), start)?;
        let system = nix_system(args);
        let attr = dev_shell_attr(&system, spec);
        let root = cache_root(process_env).ok_or_else(|| {
            Failure::error("no cache directory").next("set CROSSFLAKE_CACHE_DIR (or HOME, or XDG_CACHE_HOME)")
        })?;
        let identity = program_identity(&nix.program);
        let inputs = KeyInputs {
            flake: &flake,
            attr: &attr,
            store: args.store.as_deref(),
            options: &args.option,
            nix_identity: &identity,
        };
        let key = key(&inputs)?;
        let rooted = args.store.is_none();
        Ok(DevShell {
            target: spec.name.clone(),
            flake,
            system,
            attr,
            nix,
            slots: Slots::new(&root),
            key,
            rooted,
            nix_identity: identity,
        })
    }

    pub fn installable(&self) -> String {
        self.flake.installable(&self.attr)
    }

    /// `nix print-dev-env --json [--profile P] <flake>#devShells.<system>.<name>`.
    pub fn print_dev_env_step(&self) -> Step {
        let mut rest = vec!["--json".to_string()];
        if self.rooted {
            rest.extend(["--profile".to_string(), self.slots.profile_path(&self.key).display().to_string()]);
        }
        rest.push(self.installable());
        self.nix.step("nix dev environment", &["print-dev-env"], &rest)
    }

    /// `nix eval --raw <flake>#devShells.<system>.<name>.drvPath` (instantiates, builds nothing).
    pub fn eval_drv_step(&self) -> Step {
        self.nix.step("nix eval", &["eval", "--raw"], &[format!("{}.drvPath", self.installable())])
    }

    /// The cached entry for the current key, if any and sound (a corrupt one is reported and ignored).
    pub fn cached(&self, sink: &dyn Sink) -> Option<Entry> {
        if std::env::var_os(REFRESH_ENV).is_some_and(|v| !v.is_empty()) {
            return None;
        }
        match self.slots.lookup(&self.key) {
            Lookup::Hit(e) => Some(*e),
            Lookup::Miss { stale: true } => {
                sink.info(&format!(
                    "the flake's inputs changed: the cached environment of {} is out of date",
                    self.attr
                ));
                None
            }
            Lookup::Miss { stale: false } => None,
            Lookup::Corrupt(why) => {
                sink.warn(&format!("the cached environment of {} is corrupt ({why}); rebuilding it", self.attr));
                None
            }
        }
    }

    fn fresh_entry(&self) -> Entry {
        Entry {
            format: FORMAT,
            key: self.key.key.clone(),
            flake: self.flake.reference.clone(),
            attr: self.attr.clone(),
            created: now(),
            ..Entry::default()
        }
    }

    fn unusable(&self, why: &str) -> anyhow::Error {
        Failure::missing(format!("{why} (cached answer; set {REFRESH_ENV}=1 to ask Nix again)")).into()
    }

    /// Where this nix's version verdict is kept for the whole machine (every target, every
    /// crate of the same flake kind): a new nix binary is a new file.
    fn version_file(&self) -> std::path::PathBuf {
        let id = format!("{}|{}", self.nix_identity, self.flake.own);
        self.slots.dir.join(format!("nix-version-{}.txt", crate::support::hex::short_digest(id.as_bytes(), 12)))
    }

    /// The cached verdict that this nix is too old, if it was given before.
    pub fn version_refused(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.version_file()).ok()?;
        text.strip_prefix("refused\n").map(str::to_string)
    }

    /// Checks nix's version; a too-old Nix is a stable answer and is cached, for this slot
    /// and for the machine.
    fn check_version(&self) -> Result<()> {
        let text = self.nix.version_text()?;
        let verdict = version_verdict(&text, self.flake.own);
        let record = match &verdict {
            Ok(_) => "ok\n".to_string(),
            Err(e) => format!("refused\n{e:#}"),
        };
        let _ = crate::support::fs::write_replacing(&self.version_file(), record.as_bytes(), None);
        if let Err(e) = verdict {
            self.slots.store(&self.key, &Entry { unusable: Some(format!("{e:#}")), ..self.fresh_entry() })?;
            return Err(e);
        }
        Ok(())
    }

    fn missing_shell(&self) -> String {
        format!(
            "the flake {} has no dev shell for {} ({}). Next: add it to the flake, pass --flake with another flake, or use --backend host",
            self.flake.reference, self.target, self.attr
        )
    }

    /// Runs a nix step, caching a "no such shell" answer; Ok(stdout) on success. Bounded
    /// evaluations run quietly; unbounded ones (builds) show nix's progress.
    fn evaluate(
        &self,
        step: &Step,
        timeout: Option<std::time::Duration>,
        what: &str,
        sink: &dyn Sink,
    ) -> Result<String> {
        let show = timeout.is_none();
        let out = self.nix.capture(step, timeout, show.then_some(sink))?;
        if out.success {
            return Ok(out.stdout);
        }
        match explain(&out, what, &self.missing_shell(), show) {
            NixFailure::Missing(m) => {
                self.slots.store(&self.key, &Entry { unusable: Some(m.clone()), ..self.fresh_entry() })?;
                Err(Failure::missing(m).into())
            }
            NixFailure::Other(m) if out.timed_out => bail!(
                "{m} ({} s). Next: run once with --backend nix (no limit; the first evaluation may download nixpkgs), \
                 or raise CROSSFLAKE_NIX_TIMEOUT",
                timeout.map_or(0, |t| t.as_secs())
            ),
            NixFailure::Other(m) => bail!(m),
        }
    }

    /// Ok when the flake has the shell. Cached answers (yes or no) cost no nix process;
    /// otherwise nix evaluates, bounded by `CROSSFLAKE_NIX_TIMEOUT`.
    pub fn check_usable(&self, sink: &dyn Sink) -> Result<()> {
        match self.cached(sink) {
            Some(e) if e.usable() => return Ok(()),
            Some(Entry { unusable: Some(why), .. }) => return Err(self.unusable(&why)),
            _ => {}
        }
        self.check_version()?;
        sink.info(&format!("evaluating {} (the answer is cached)", self.installable()));
        let what = format!("evaluating {}", self.installable());
        let drv = self.evaluate(&self.eval_drv_step(), Some(eval_timeout()), &what, sink)?;
        self.slots.store(&self.key, &Entry { drv_path: Some(drv.trim().to_string()), ..self.fresh_entry() })
    }

    /// The shell's environment: cached, or made once with `nix print-dev-env` (built and rooted).
    pub fn dev_env(&self, sink: &dyn Sink) -> Result<(DevEnv, Entry, Source)> {
        let prior = self.cached(sink);
        match &prior {
            Some(Entry { unusable: Some(why), .. }) => return Err(self.unusable(why)),
            Some(e @ Entry { dev_env: Some(text), .. }) => {
                return Ok((DevEnv::parse(text)?, e.clone(), Source::Cached))
            }
            _ => {}
        }
        self.check_version()?;
        std::fs::create_dir_all(&self.slots.dir)
            .with_context(|| format!("cannot create the cache {}", self.slots.dir.display()))?;
        sink.info(&format!("making the dev environment {} (once; then cached)", self.installable()));
        let what = format!("nix print-dev-env {}", self.installable());
        let text = self.evaluate(&self.print_dev_env_step(), None, &what, sink)?;
        let env = DevEnv::parse(&text).map_err(|e| anyhow!("{what} printed no usable environment: {e:#}"))?;
        let profile = self.slots.profile_path(&self.key);
        let entry = Entry {
            drv_path: prior.and_then(|p| p.drv_path),
            dev_env_sha256: Some(sha256_hex(&text)),
            dev_env: Some(text),
            root: (self.rooted && profile.exists()).then_some(profile),
            ..self.fresh_entry()
        };
        self.slots.store(&self.key, &entry)?;
        self.slots.prune_generations(&self.key);
        Ok((env, entry, Source::Evaluated))
    }

    /// The shell's derivation path: cached while the file exists, else `nix eval` (None on a dry run).
    pub fn drv_path(&self, dry_run: bool, sink: &dyn Sink) -> Result<Option<String>> {
        let prior = self.cached(sink);
        if let Some(Entry { unusable: Some(why), .. }) = &prior {
            return Err(self.unusable(why));
        }
        if let Some(d) = prior.as_ref().and_then(|e| e.drv_path.clone()).filter(|d| Path::new(d).is_file()) {
            return Ok(Some(d));
        }
        if dry_run {
            return Ok(None);
        }
        self.check_version()?;
        let what = format!("evaluating {}", self.installable());
        let drv = self.evaluate(&self.eval_drv_step(), Some(eval_timeout()), &what, sink)?.trim().to_string();
        let entry = Entry { drv_path: Some(drv.clone()), ..prior.unwrap_or_else(|| self.fresh_entry()) };
        self.slots.store(&self.key, &entry)?;
        Ok(Some(drv))
    }
}
