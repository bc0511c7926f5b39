// A new migration file must never be silently left out of a build.
fn main() {
    println!("cargo:rerun-if-changed=sql");
}
