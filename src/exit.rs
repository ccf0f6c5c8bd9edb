//! Exit codes and the errors that carry them.
use crate::host::MissingTool;
use crate::targets::UnknownTarget;

pub const OK: i32 = 0;
pub const ERROR: i32 = 1;
pub const USAGE: i32 = 2;
pub const MISSING_TOOL: i32 = 3;

/// A usage error (exit 2) with a message.
#[derive(Debug)]
pub struct Usage(pub String);
impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Usage {}

pub fn usage(msg: &str) -> anyhow::Error {
    Usage(msg.into()).into()
}

/// The exit code an error maps to.
pub fn code_for(err: &anyhow::Error) -> i32 {
    if err.downcast_ref::<UnknownTarget>().is_some() || err.downcast_ref::<Usage>().is_some() {
        USAGE
    } else if err.downcast_ref::<MissingTool>().is_some() {
        MISSING_TOOL
    } else {
        ERROR
    }
}
