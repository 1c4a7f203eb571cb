//! mlgen turns one small YAML spec into a complete Terraform (and Bicep) tree for an Azure
//! Machine Learning workspace and its associated resources.
//!
//! The pipeline is `load → validate → model → render → (write | diff)`; each stage takes the
//! previous stage's output and nothing global. Only [`run`] (the command line) touches stdout,
//! stderr and exit codes.
//!
//! The library API is small: [`render_spec_file`] / [`render_spec`] render a spec file into a
//! [`Tree`] of files (nothing is written), [`validate_spec_file`] validates one, and
//! [`render_spec_with`] renders many specs with one compiled [`Renderer`]. An invalid spec is
//! an error holding a [`SpecInvalid`] with every [`Diagnostic`]. The spec's types are in
//! [`spec`], the resolved model templates see in [`model`] (names in [`naming`]), and the
//! catalogs behind every rule, role and endpoint in [`rules`] and [`catalog`]. Everything else
//! is internal.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let spec = dir.path().join("mlgen.yaml");
//! std::fs::write(&spec, "version: 1\nproject: {name: churn, location: uksouth}\n")?;
//! let tree = mlgen::render_spec_file(&spec)?;
//! let main = tree.get("main/main.tf").expect("the root module");
//! assert!(main.contains("kv_id                            = module.shared.key_vault_id"));
//!
//! std::fs::write(&spec, "version: 1\nproject: {name: Churn}\n")?;
//! let err = mlgen::validate_spec_file(&spec).unwrap_err();
//! let invalid = err.downcast_ref::<mlgen::SpecInvalid>().expect("a spec error");
//! assert_eq!((invalid.diagnostics[0].line, invalid.diagnostics[0].column), (2, 17));
//! # Ok::<(), anyhow::Error>(())
//! ```

mod annotations;
mod app;
pub mod catalog;
mod cidr;
pub mod cli;
mod diag;
mod diff;
pub mod graph;
mod init;
mod journal;
mod layout;
mod load;
mod lock;
mod manifest;
pub mod model;
pub mod naming;
mod pipeline;
mod pointer;
mod quote;
mod render;
mod report;
pub mod rules;
mod safe_fs;
mod schema;
pub mod spec;
mod templates;
mod timings;
mod tree;
mod validate;
mod vm_sizes;
mod watchdog;
mod write;

pub use app::run;
pub use diag::{Diagnostic, Severity};
pub use pipeline::{
    RenderOptions, SpecInvalid, load_spec, render_spec, render_spec_file, render_spec_with,
    validate_spec_file,
};
pub use render::Renderer;
pub use schema::schema_text;
pub use templates::TemplateSet;
pub use tree::Tree;
pub use write::HandEdited;

/// Internals that mlgen's own integration tests drive directly (the validator on raw text,
/// the writer with injected faults, drift against a tree on disk). Not part of the API: hidden
/// from the docs, and free to change with any release.
#[doc(hidden)]
pub mod testing {
    pub use crate::diff::compare;
    pub use crate::journal::Known;
    pub use crate::load::{SourceFile, yaml_lines};
    pub use crate::quote::hcl as quote_hcl;
    pub use crate::render::{Syntax, format};
    pub use crate::templates::BUILTIN;
    pub use crate::validate::validate;
    pub use crate::write::{Fault, HEADER_MARK, WriteOptions, render_into};
}
