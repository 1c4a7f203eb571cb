//! GitHub Actions annotations: spec diagnostics and drifted files as `::error` (or, for a
//! spec warning, `::warning`) workflow
//! commands (`::error file=…,line=…,col=…,title=…::message`), which GitHub shows on the
//! pull request's files. The caller decides when (`GITHUB_ACTIONS=true`) and prints them.
//! Pure: builds strings, prints nothing.
//!
//! Escaping follows GitHub's runner (`ActionCommand`): in the message `%`, `\r` and `\n`
//! become `%25`, `%0D` and `%0A`; in a property value `:` and `,` too (`%3A`, `%2C`), since
//! they separate the properties.

use std::path::Path;

use crate::diag::{Diagnostic, Severity};
use crate::diff::{FileDrift, FileState};
use crate::report;

/// The message part of a workflow command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a workflow command.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `::{level} file=…,line=…,col=…,title=…::message` (`level` is `error` or `warning`);
/// `line` and `col` only when known.
fn command(
    level: &str,
    file: &str,
    line: Option<usize>,
    col: Option<usize>,
    title: &str,
    message: &str,
) -> String {
    let mut properties = vec![format!("file={}", escape_property(file))];
    properties.extend(line.map(|l| format!("line={l}")));
    properties.extend(col.map(|c| format!("col={c}")));
    properties.push(format!("title={}", escape_property(title)));
    format!(
        "::{level} {}::{}\n",
        properties.join(","),
        escape_data(message)
    )
}

/// One spec diagnostic: the one place a diagnostic becomes an annotation (a severity goes
/// here). The help, when there is one, follows the message on its own line.
pub(crate) fn diagnostic(d: &Diagnostic) -> String {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let (level, title) = match d.severity {
        Severity::Error => ("error", "mlgen: invalid spec"),
        Severity::Warning => ("warning", "mlgen: spec warning"),
    };
    command(
        level,
        &d.path,
        Some(d.line),
        Some(d.column),
        title,
        &message,
    )
}

/// One drifted file, at the first line of what the spec renders that differs (none for an
/// orphan): what drifted, and the command that fixes it. `out` is the output directory as
/// shown to the user.
pub(crate) fn drift(file: &FileDrift, out: &Path, spec: &Path, fix: &str) -> String {
    let shown = report::file_path(out, &file.path);
    let spec = spec.display();
    let what = match file.state {
        FileState::Modified {
            never_written: true,
            ..
        } => format!(
            "{shown} exists but was not written by mlgen, and differs from what {spec} renders"
        ),
        FileState::Modified { by_hand: true, .. } => {
            format!(
                "{shown} was edited by hand since mlgen wrote it, and differs from what {spec} renders"
            )
        }
        FileState::Modified { .. } => format!("{shown} differs from what {spec} renders"),
        FileState::Missing => format!("{shown} is rendered from {spec} but missing on disk"),
        FileState::Orphaned { .. } => {
            format!("{shown} was generated earlier and is no longer rendered from {spec}")
        }
        FileState::InSync => format!("{shown} is in sync"),
    };
    command(
        "error",
        &shown,
        report::first_changed_line(&file.diff),
        None,
        &format!("mlgen: {}", file.state.label()),
        &format!("{what}. Run `{fix}` to update the generated files."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_escape_data_and_properties() {
        let d = Diagnostic {
            severity: Severity::Error,
            path: "dir,a:b/100%.yaml".into(),
            line: 4,
            column: 9,
            pointer: "/project/name".into(),
            message: "50% off\r\nsecond line".into(),
            help: Some("use a, b: c".into()),
            source_line: None,
        };
        assert_eq!(
            diagnostic(&d),
            "::error file=dir%2Ca%3Ab/100%25.yaml,line=4,col=9,title=mlgen%3A invalid spec\
             ::50%25 off%0D%0Asecond line%0Ahelp: use a, b: c\n"
        );
        let warning = Diagnostic {
            severity: Severity::Warning,
            help: None,
            ..d
        };
        assert_eq!(
            diagnostic(&warning),
            "::warning file=dir%2Ca%3Ab/100%25.yaml,line=4,col=9,title=mlgen%3A spec warning\
             ::50%25 off%0D%0Asecond line\n"
        );
    }

    #[test]
    fn drift_names_the_file_line_and_fix() {
        let file = FileDrift {
            path: "main/main.tf".into(),
            state: FileState::Modified {
                by_hand: false,
                never_written: false,
            },
            diff: "--- a\n+++ b\n@@ -2,4 +2,4 @@\n x\n-y\n+z\n w\n".into(),
        };
        let fix = "mlgen render mlgen.yaml -o infra";
        assert_eq!(
            drift(&file, Path::new("infra"), Path::new("mlgen.yaml"), fix),
            "::error file=infra/main/main.tf,line=3,title=mlgen%3A modified::infra/main/main.tf \
             differs from what mlgen.yaml renders. Run `mlgen render mlgen.yaml -o infra` to \
             update the generated files.\n"
        );
        let orphan = FileDrift {
            path: "main/dev.tfvars".into(),
            state: FileState::Orphaned { by_hand: false },
            diff: "--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n".into(),
        };
        assert!(
            drift(&orphan, Path::new("."), Path::new("mlgen.yaml"), fix)
                .starts_with("::error file=main/dev.tfvars,title=mlgen%3A orphaned::"),
        );
    }
}
