//! The code model on a small corpus written in the OTIS idioms.

fn main() {}
