//! The environments cargo runs in: the host's own cross tools (`host`) or the
//! flake's dev shell (`nix`), and macOS SDKs registered for the flake (`sdk`).
pub mod host;
pub mod nix;
pub mod sdk;
