//! What `check` and `render --dry-run` print: the drift as text (optionally coloured, for a
//! terminal) or as JSON (for CI), a one-line summary and the command that fixes the drift.
//! Pure: builds strings, prints nothing.

use std::path::Path;

use anstyle::AnsiColor;
use serde_json::json;

use crate::diff::{Drift, FileState};

/// The line naming a file that drifted.
const FILE: anstyle::Style = AnsiColor::Yellow.on_default().bold();
/// The `---`/`+++` lines of a diff.
const PATHS: anstyle::Style = anstyle::Style::new().bold();
/// `@@ -1 +1 @@`.
const HUNK: anstyle::Style = AnsiColor::Cyan.on_default();
const REMOVED: anstyle::Style = AnsiColor::Red.on_default();
const ADDED: anstyle::Style = AnsiColor::Green.on_default();

/// ANSI colours, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Style {
    /// Whether to emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    fn paint(self, style: anstyle::Style, text: &str) -> String {
        if self.color {
            // `{style:#}` is the reset.
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
}

/// Every difference: a line naming the file and its state, then its unified diff; with
/// `verbose`, a line for each file in sync too.
pub(crate) fn drift_text(drift: &Drift, style: Style, verbose: bool) -> String {
    let mut out = String::new();
    for file in &drift.files {
        if file.state == FileState::InSync {
            if verbose {
                out.push_str(&format!("in sync: {}\n", file.path));
            }
            continue;
        }
        let note = match file.state {
            FileState::Modified { by_hand: true } => " (edited by hand since mlgen wrote it)",
            FileState::Orphaned { by_hand: false } => " (generated earlier, no longer produced)",
            FileState::Orphaned { by_hand: true } => {
                " (generated earlier, no longer produced, edited by hand)"
            }
            _ => "",
        };
        out.push_str(&style.paint(
            FILE,
            &format!("{}: {}{note}", file.state.label(), file.path),
        ));
        out.push('\n');
        for line in file.diff.lines() {
            let painted = match line.as_bytes().first() {
                _ if line.starts_with("---") || line.starts_with("+++") => style.paint(PATHS, line),
                Some(b'@') => style.paint(HUNK, line),
                Some(b'-') => style.paint(REMOVED, line),
                Some(b'+') => style.paint(ADDED, line),
                _ => line.to_owned(),
            };
            out.push_str(&painted);
            out.push('\n');
        }
    }
    out
}

/// `mlgen: 9 in sync, 1 modified, 1 missing, 0 orphaned`.
pub(crate) fn summary(drift: &Drift) -> String {
    format!(
        "mlgen: {} in sync, {} modified, {} missing, {} orphaned",
        drift.count("in sync"),
        drift.count("modified"),
        drift.count("missing"),
        drift.count("orphaned")
    )
}

/// The command that brings the files in line with the spec.
pub(crate) fn fix_command(drift: &Drift, spec: &Path, out: &Path) -> String {
    let force = if drift.hand_edits().next().is_some() {
        " --force"
    } else {
        ""
    };
    format!(
        "mlgen render {} -o {}{force}",
        spec.display(),
        out.display()
    )
}

/// The drift as one JSON document.
pub(crate) fn drift_json(drift: &Drift, spec: &Path, out: &Path) -> String {
    let files: Vec<_> = drift
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path,
                "state": f.state.label(),
                "edited_by_hand": f.state.is_hand_edit(),
                "diff": f.diff,
            })
        })
        .collect();
    let document = json!({
        "spec": spec.display().to_string(),
        "out": out.display().to_string(),
        "in_sync": drift.is_clean(),
        "summary": {
            "in_sync": drift.count("in sync"),
            "modified": drift.count("modified"),
            "missing": drift.count("missing"),
            "orphaned": drift.count("orphaned"),
        },
        "files": files,
        "fix": if drift.is_clean() { None } else { Some(fix_command(drift, spec, out)) },
    });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values always serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::FileDrift;

    fn drift() -> Drift {
        Drift {
            files: vec![
                FileDrift {
                    path: "a.tf".into(),
                    state: FileState::InSync,
                    diff: String::new(),
                },
                FileDrift {
                    path: "b.tf".into(),
                    state: FileState::Modified { by_hand: true },
                    diff: "--- b\n+++ b\n@@ -1 +1 @@\n-x\n+y\n".into(),
                },
                FileDrift {
                    path: "c.tf".into(),
                    state: FileState::Orphaned { by_hand: false },
                    diff: "-c\n".into(),
                },
            ],
        }
    }

    #[test]
    fn text_names_states_and_colours_only_on_request() {
        let plain = drift_text(&drift(), Style { color: false }, false);
        assert!(
            plain.starts_with("modified: b.tf (edited by hand since mlgen wrote it)\n--- b\n"),
            "{plain}"
        );
        assert!(
            plain.contains("orphaned: c.tf (generated earlier, no longer produced)\n-c\n"),
            "{plain}"
        );
        assert!(!plain.contains('\x1b'));
        assert!(drift_text(&drift(), Style { color: false }, true).starts_with("in sync: a.tf\n"));
        let coloured = drift_text(&drift(), Style { color: true }, false);
        assert!(
            coloured.contains("\x1b[31m-x\x1b[0m") && coloured.contains("\x1b[32m+y\x1b[0m"),
            "{coloured}"
        );
        assert!(
            coloured.starts_with(
                "\x1b[1m\x1b[33mmodified: b.tf (edited by hand since mlgen wrote it)\x1b[0m\n\
                 \x1b[1m--- b\x1b[0m\n\x1b[1m+++ b\x1b[0m\n\x1b[36m@@ -1 +1 @@\x1b[0m\n"
            ),
            "{coloured:?}"
        );
        assert_eq!(
            summary(&drift()),
            "mlgen: 1 in sync, 1 modified, 0 missing, 1 orphaned"
        );
        assert_eq!(
            fix_command(&drift(), Path::new("s.yaml"), Path::new("o")),
            "mlgen render s.yaml -o o --force"
        );
    }

    #[test]
    fn json_carries_every_file() {
        let value: serde_json::Value =
            serde_json::from_str(&drift_json(&drift(), Path::new("s.yaml"), Path::new("o")))
                .unwrap();
        assert_eq!(value["in_sync"], false);
        assert_eq!(value["summary"]["orphaned"], 1);
        assert_eq!(value["files"][1]["state"], "modified");
        assert_eq!(value["files"][1]["edited_by_hand"], true);
        assert_eq!(value["fix"], "mlgen render s.yaml -o o --force");
    }
}
