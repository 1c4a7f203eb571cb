//! Fuzz target: any bytes as a spec. Loading, validation and (for valid specs) modelling and
//! rendering must never panic or hang; an invalid spec must yield at least one diagnostic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlgen::load::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let source = SourceFile { path: "fuzz.yaml".into(), text };
    match mlgen::validate::validate(&source) {
        Ok(spec) => {
            let model = mlgen::model::Model::from_spec(&spec);
            let templates = mlgen::templates::TemplateSet::builtin();
            let renderer = mlgen::render::Renderer::new(&templates).expect("built-in templates compile");
            let _ = renderer.render(&model, "fuzz.yaml");
        }
        Err(diagnostics) => assert!(!diagnostics.is_empty()),
    }
});
