//! The one-line Mach-O summary for dist and matrix tables (the files
//! themselves are read in tests/emulated/macho.rs, from real builds).
use crossflake::ship::macho::{Dylib, MachO, Slice};
use crossflake::support::version::Version;

fn slice(arch: &str, min: &str, dylibs: &[&str]) -> Slice {
    let dylibs =
        dylibs.iter().map(|p| Dylib { path: p.to_string(), system: p.starts_with("/usr/lib/"), weak: false }).collect();
    Slice { arch: arch.into(), kind: "executable".into(), min_macos: Some(min.into()), sdk: None, dylibs }
}

#[test]
fn summaries_name_each_architecture_and_the_oldest_macos() {
    let sys = "/usr/lib/libSystem.B.dylib";
    let same = MachO { universal: true, slices: vec![slice("arm64", "11.0", &[sys]), slice("x86_64", "11.0", &[sys])] };
    assert_eq!(same.summary(), "macos arm64+x86_64 >= 11.0");
    let apart =
        MachO { universal: true, slices: vec![slice("x86_64", "10.12", &[sys]), slice("arm64", "11.0", &[sys])] };
    assert_eq!(apart.summary(), "macos x86_64 >= 10.12, arm64 >= 11.0");
    assert_eq!(apart.min_macos(), Some(Version(11, 0, 0)), "the file as a whole needs the newest");
    let lib = "@rpath/libfoo.dylib";
    let foreign =
        MachO { universal: true, slices: vec![slice("x86_64", "11.0", &[sys, lib]), slice("arm64", "11.0", &[lib])] };
    assert_eq!(foreign.foreign_dylibs(), [lib], "named once");
}
