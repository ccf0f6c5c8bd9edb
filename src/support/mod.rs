//! Small helpers with one job each, used by every layer.
pub mod fs;
pub mod hex;
pub mod paths;
pub mod version;
