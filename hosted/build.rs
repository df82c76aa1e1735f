//! The integration tests host defmt-logging firmware: link them with fwsim-defmt's linker
//! script (which adds the `.defmt` table to the host's default layout) and without PIE, so that
//! defmt's interned-string indices stay plain numbers.
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../defmt-host");
    println!("cargo:rustc-link-arg-tests=-T{}", dir.join("defmt-host.x").display());
    println!("cargo:rustc-link-arg-tests=-no-pie");
    println!("cargo:rerun-if-changed=../defmt-host/defmt-host.x");
}
