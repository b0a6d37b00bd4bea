//! Embeds the migration files (`migrations/{sqlite,postgres}/NNNN_description.sql`) as
//! `$OUT_DIR/migrations.rs`: one `&[(file name, SQL)]` per backend, in version order, read
//! by `src/migrate.rs`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // The package's directory when the script runs, not when it was compiled: a build
    // cache shared by several checkouts reuses one compiled script for all of them.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut out = String::new();
    for backend in ["sqlite", "postgres"] {
        let sub = dir.join(backend);
        println!("cargo:rerun-if-changed={}", sub.display());
        let mut files: Vec<_> = std::fs::read_dir(&sub)
            .unwrap_or_else(|e| panic!("{}: {e}", sub.display()))
            .map(|e| e.unwrap_or_else(|e| panic!("{}: {e}", sub.display())).path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        let _ = writeln!(
            out,
            "pub(crate) static {}: &[(&str, &str)] = &[",
            backend.to_uppercase()
        );
        for f in files {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let _ = writeln!(out, "    ({name:?}, include_str!({:?})),", f.display().to_string());
        }
        out.push_str("];\n");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("migrations.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}
