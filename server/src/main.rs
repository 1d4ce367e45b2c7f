//! `obakit`: the partner server's command line.
fn main() {}
