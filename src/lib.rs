//! mlgen turns one small YAML spec into a complete Terraform tree for an Azure Machine
//! Learning workspace and its associated resources.
//!
//! The pipeline is `load → validate → model → render → (write | diff)`; each stage takes the
//! previous stage's output and nothing global. Only [`run`] touches stdout, stderr and exit
//! codes. Library users (and the tests) call [`render_spec_file`] or [`validate_spec_file`].

mod app;
pub mod catalog;
pub mod cidr;
pub mod cli;
pub mod diag;
pub mod diff;
pub mod init;
pub mod journal;
pub mod layout;
pub mod load;
pub mod lock;
pub mod manifest;
pub mod model;
pub mod naming;
mod pipeline;
pub mod quote;
pub mod render;
pub mod report;
pub mod rules;
pub mod safe_fs;
pub mod schema;
pub mod spec;
pub mod templates;
mod timings;
pub mod tree;
pub mod validate;
pub mod watchdog;
pub mod write;

pub use app::run;
pub use pipeline::{
    RenderOptions, SpecInvalid, load_spec, render_spec, render_spec_file, render_spec_with,
    validate_spec_file,
};
pub use write::HandEdited;
