//! Placeholder until the Redis store benchmark is written.
fn main() {}
