//! Every integration test, in one binary. Each file directly under `tests/` would be a crate
//! of its own, linked against the whole dependency graph (Tera, jsonschema, hcl-rs, proptest):
//! eleven links cost minutes of a cold `cargo test` and gigabytes of `target/`. One binary links
//! once; the modules below are what used to be the separate test crates.

mod common;

mod architecture;
mod azure;
mod blocks;
mod cli;
mod examples;
mod graph;
mod invalid;
mod parity;
mod pipelines;
mod properties;
mod release;
mod rules;
mod schema;
mod templates;
