//! Link settings that must travel with the package (`cargo install`, CI, any RUSTFLAGS): on
//! Linux with glibc, pack the relative relocations of the binaries (DT_RELR). A 15 MB PIE carries
//! ~40k of them; packed, their table shrinks from ~950 KB to ~12 KB and the binary by ~1 MB.
//! ASLR is kept (still PIE). Only when the target's glibc can load them (2.36+, which defines
//! GLIBC_ABI_DT_RELR): the linker then records that need, so an older glibc refuses the binary
//! with a clear message instead of crashing.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && glibc_loads_relr()
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the libc.so.6 that the linker driver (rustc's default `cc`, or the target's configured
/// linker) links against defines GLIBC_ABI_DT_RELR.
fn glibc_loads_relr() -> bool {
    let linker = std::env::var("RUSTC_LINKER").unwrap_or_else(|_| "cc".to_string());
    let Ok(out) = Command::new(linker)
        .arg("-print-file-name=libc.so.6")
        .output()
    else {
        return false;
    };
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    match std::fs::read(path) {
        Ok(bytes) => bytes.windows(17).any(|w| w == b"GLIBC_ABI_DT_RELR"),
        Err(_) => false,
    }
}
