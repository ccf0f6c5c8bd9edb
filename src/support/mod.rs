//! Small helpers with one job each, used by every layer.
pub mod fs;
pub mod hex;
pub mod macho;
pub mod paths;
pub mod version;
