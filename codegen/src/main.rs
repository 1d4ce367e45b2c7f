//! `obakit-codegen generate|check`: the command-line front of the generator.
fn main() {}
