//! Option values shared by the command line and the layers below it (the Nix
//! backend's options, the backend and message format choices), as plain
//! data; clap only derives its parsers for them here.
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendChoice {
    Host,
    Nix,
}

impl BackendChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendChoice::Host => "host",
            BackendChoice::Nix => "nix",
        }
    }
}

/// Options of the Nix backend.
#[derive(Debug, Args, Clone, Default)]
pub struct NixArgs {
    /// The flake to use (default: the nearest flake.nix upward from the crate, else crossflake's own).
    #[arg(long, value_name = "REF")]
    pub flake: Option<String>,
    /// Passed to nix: remote builders (`--builders`).
    #[arg(long, value_name = "SPEC")]
    pub builders: Option<String>,
    /// Passed to nix: the store to use (`--store`).
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Passed to nix: `--option NAME VALUE` (repeatable).
    #[arg(long = "option", value_names = ["NAME", "VALUE"], num_args = 2, action = clap::ArgAction::Append)]
    pub option: Vec<String>,
}
