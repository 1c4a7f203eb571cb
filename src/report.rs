//! What the commands report, as text: the drift (a diff per file, optionally coloured for a
//! terminal; `--stat`; `--name-only`), a one-line summary, the command that fixes the drift,
//! and the JSON documents of `--format json` (drift, validation, error). Paths are shown
//! relative to the current directory (the output directory joined with the file's path).
//! Pure: builds strings, prints nothing.

use std::path::{Component, Path};

use anstyle::AnsiColor;
use serde_json::{Value, json};

use crate::diag::{Diagnostic, Severity};
use crate::diff::{Drift, FileDrift, FileState};

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

/// A file of the tree as the user reaches it from the current directory: `out` (already
/// relative to it where possible) joined with the tree path, without a leading `./`.
pub(crate) fn file_path(out: &Path, path: &str) -> String {
    let out: std::path::PathBuf = out
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    if out.as_os_str().is_empty() {
        path.to_owned()
    } else {
        out.join(path).display().to_string()
    }
}

/// What a state note adds to a file's line, for the states that need one.
fn note(state: FileState) -> &'static str {
    match state {
        FileState::Modified {
            never_written: true,
            ..
        } => " (exists but was not written by mlgen)",
        FileState::Modified { by_hand: true, .. } => " (edited by hand since mlgen wrote it)",
        FileState::Orphaned { by_hand: false } => " (generated earlier, no longer produced)",
        FileState::Orphaned { by_hand: true } => {
            " (generated earlier, no longer produced, edited by hand)"
        }
        _ => "",
    }
}

/// Every difference: a line naming the file and its state, then its unified diff; with
/// `verbose`, a line for each file in sync too.
pub(crate) fn drift_text(drift: &Drift, out: &Path, style: Style, verbose: bool) -> String {
    let mut text = String::new();
    for file in &drift.files {
        let shown = file_path(out, &file.path);
        if file.state == FileState::InSync {
            if verbose {
                text.push_str(&format!("in sync: {shown}\n"));
            }
            continue;
        }
        let note = note(file.state);
        text.push_str(&style.paint(FILE, &format!("{}: {shown}{note}", file.state.label())));
        text.push('\n');
        for (index, line) in file.diff.lines().enumerate() {
            // The first two lines are the `---`/`+++` header, which names the file relative to
            // `-o`; shown like every other path, relative to the current directory. Later lines
            // starting with `---` are content (a removed `-- …` line).
            if index < 2 && (line.starts_with("--- ") || line.starts_with("+++ ")) {
                let header = ["--- ", "+++ "].iter().find_map(|mark| {
                    let rest = line.strip_prefix(mark)?.strip_prefix(file.path.as_str())?;
                    Some(format!("{mark}{shown}{rest}"))
                });
                text.push_str(&style.paint(PATHS, header.as_deref().unwrap_or(line)));
                text.push('\n');
                continue;
            }
            let painted = match line.as_bytes().first() {
                Some(b'@') => style.paint(HUNK, line),
                Some(b'-') => style.paint(REMOVED, line),
                Some(b'+') => style.paint(ADDED, line),
                _ => line.to_owned(),
            };
            text.push_str(&painted);
            text.push('\n');
        }
    }
    text
}

/// `--stat`: one line per differing file (state, path, `+added -removed` lines), aligned;
/// with `verbose`, the files in sync too.
pub(crate) fn drift_stat(drift: &Drift, out: &Path, style: Style, verbose: bool) -> String {
    let rows: Vec<(&FileDrift, String)> = drift
        .files
        .iter()
        .filter(|f| verbose || f.state != FileState::InSync)
        .map(|f| (f, file_path(out, &f.path)))
        .collect();
    let width = rows
        .iter()
        .map(|(_, p)| p.chars().count())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for (file, shown) in rows {
        let label = format!("{:<8}", file.state.label());
        if file.state == FileState::InSync {
            text.push_str(&format!("{label} {shown}\n"));
            continue;
        }
        let (added, removed) = changed_lines(&file.diff);
        let counts = format!(
            "{} {}",
            style.paint(ADDED, &format!("+{added}")),
            style.paint(REMOVED, &format!("-{removed}"))
        );
        text.push_str(&format!(
            "{} {shown:width$}  {counts}{}\n",
            style.paint(FILE, &label),
            note(file.state)
        ));
    }
    text
}

/// `--name-only`: the path of each differing file, one per line.
pub(crate) fn drift_names(drift: &Drift, out: &Path) -> String {
    drift
        .files
        .iter()
        .filter(|f| f.state != FileState::InSync)
        .map(|f| file_path(out, &f.path) + "\n")
        .collect()
}

/// Lines added and removed by a unified diff (its `---`/`+++` header not counted).
pub(crate) fn changed_lines(diff: &str) -> (usize, usize) {
    let (mut added, mut removed) = (0, 0);
    for line in diff.lines().skip_while(|l| !l.starts_with("@@")) {
        match line.as_bytes().first() {
            Some(b'+') => added += 1,
            Some(b'-') => removed += 1,
            _ => {}
        }
    }
    (added, removed)
}

/// The first line of the rendered (new) content that a unified diff changes: the line an
/// addition lands on, or the line that follows a removal. `None` when nothing is rendered
/// (an orphan) or the diff is empty.
pub(crate) fn first_changed_line(diff: &str) -> Option<usize> {
    let mut lines = diff.lines().skip_while(|l| !l.starts_with("@@"));
    let header = lines.next()?;
    // `@@ -a,b +c,d @@`: the hunk starts at line c of the new content.
    let new = header.split_whitespace().nth(2)?.strip_prefix('+')?;
    let (start, count) = new.split_once(',').unwrap_or((new, "1"));
    if count == "0" {
        return None;
    }
    let (start, count): (usize, usize) = (start.parse().ok()?, count.parse().ok()?);
    let context = lines.take_while(|l| l.starts_with(' ')).count();
    // A removal at the end has no following line: the hunk's last line then.
    Some((start + context).min(start + count - 1))
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

/// The drift as one JSON document. Each file's `path` is relative to `out` (as in the
/// manifest), its `file` relative to the current directory.
pub(crate) fn drift_json(drift: &Drift, spec: &Path, out: &Path) -> String {
    let files: Vec<_> = drift
        .files
        .iter()
        .map(|f| {
            let (added, removed) = changed_lines(&f.diff);
            json!({
                "path": f.path,
                "file": file_path(out, &f.path),
                "state": f.state.label(),
                "edited_by_hand": f.state.is_hand_edit(),
                "written_by_mlgen": !matches!(f.state, FileState::Modified { never_written: true, .. }),
                "added": added,
                "removed": removed,
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
    pretty(&document)
}

/// One diagnostic as JSON: the one place a diagnostic becomes JSON (a severity goes here).
pub(crate) fn diagnostic_json(d: &Diagnostic) -> Value {
    json!({
        "severity": match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "file": d.path,
        "line": d.line,
        "column": d.column,
        "pointer": d.pointer,
        "message": d.message,
        "help": d.help,
    })
}

/// `validate --format json`, and any `--format json` command given an invalid spec: the spec,
/// whether it is valid (no error; warnings leave it valid), and every diagnostic.
pub(crate) fn validation_json(spec: &Path, diagnostics: &[Diagnostic]) -> String {
    pretty(&json!({
        "spec": spec.display().to_string(),
        "valid": diagnostics.iter().all(|d| d.severity != Severity::Error),
        "diagnostics": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    }))
}

/// Any other failure under `--format json`: `{"error": "…"}`.
pub(crate) fn error_json(message: &str) -> String {
    pretty(&json!({ "error": message }))
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values always serialize");
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
                    state: FileState::Modified {
                        by_hand: true,
                        never_written: false,
                    },
                    diff: "--- b\n+++ b\n@@ -1 +1 @@\n-x\n+y\n".into(),
                },
                FileDrift {
                    path: "c.tf".into(),
                    state: FileState::Orphaned { by_hand: false },
                    diff: "--- c\n+++ c\n@@ -1 +0,0 @@\n-c\n".into(),
                },
                FileDrift {
                    path: "d.tf".into(),
                    state: FileState::Modified {
                        by_hand: true,
                        never_written: true,
                    },
                    diff: "--- d\n+++ d\n@@ -1,5 +1,5 @@\n a\n b\n-c\n+C\n d\n e\n".into(),
                },
            ],
        }
    }

    #[test]
    fn diff_headers_name_the_file_as_the_user_reaches_it() {
        let drift = Drift {
            files: vec![FileDrift {
                path: "main/x.tf".into(),
                state: FileState::Modified {
                    by_hand: false,
                    never_written: false,
                },
                diff: "--- main/x.tf (on disk)\n+++ main/x.tf (rendered from spec)\n@@ -1 +1 @@\n\
                       --- main/x.tf (on disk)\n+b\n"
                    .into(),
            }],
        };
        assert_eq!(
            drift_text(&drift, Path::new("infra"), Style { color: false }, false),
            "modified: infra/main/x.tf\n--- infra/main/x.tf (on disk)\n\
             +++ infra/main/x.tf (rendered from spec)\n@@ -1 +1 @@\n--- main/x.tf (on disk)\n+b\n",
            "only the header is rewritten: a removed line reading `-- main/x.tf …` is content"
        );
    }

    #[test]
    fn text_names_states_and_colours_only_on_request() {
        let plain = drift_text(&drift(), Path::new("."), Style { color: false }, false);
        assert!(
            plain.starts_with("modified: b.tf (edited by hand since mlgen wrote it)\n--- b\n"),
            "{plain}"
        );
        assert!(
            plain.contains("orphaned: c.tf (generated earlier, no longer produced)\n--- c\n"),
            "{plain}"
        );
        assert!(
            plain.contains("modified: d.tf (exists but was not written by mlgen)\n"),
            "{plain}"
        );
        assert!(!plain.contains('\x1b'));
        assert!(
            drift_text(&drift(), Path::new("./out"), Style { color: false }, true)
                .starts_with("in sync: out/a.tf\nmodified: out/b.tf")
        );
        let coloured = drift_text(&drift(), Path::new(""), Style { color: true }, false);
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
            "mlgen: 1 in sync, 2 modified, 0 missing, 1 orphaned"
        );
        assert_eq!(
            fix_command(&drift(), Path::new("s.yaml"), Path::new("o")),
            "mlgen render s.yaml -o o --force"
        );
    }

    #[test]
    fn json_carries_every_file() {
        let value: serde_json::Value =
            serde_json::from_str(&drift_json(&drift(), Path::new("s.yaml"), Path::new("./o")))
                .unwrap();
        assert_eq!(value["in_sync"], false);
        assert_eq!(value["summary"]["orphaned"], 1);
        assert_eq!(value["files"][1]["state"], "modified");
        assert_eq!(value["files"][1]["edited_by_hand"], true);
        assert_eq!(value["fix"], "mlgen render s.yaml -o ./o --force");
        assert_eq!(value["files"][1]["path"], "b.tf");
        assert_eq!(value["files"][1]["file"], "o/b.tf");
        assert_eq!(value["files"][1]["written_by_mlgen"], true);
        assert_eq!(value["files"][3]["written_by_mlgen"], false);
        assert_eq!(
            (&value["files"][3]["added"], &value["files"][3]["removed"]),
            (&1.into(), &1.into())
        );
    }

    #[test]
    fn stat_and_names_list_only_what_differs() {
        let stat = drift_stat(&drift(), Path::new("infra"), Style { color: false }, false);
        assert_eq!(
            stat,
            "modified infra/b.tf  +1 -1 (edited by hand since mlgen wrote it)\n\
             orphaned infra/c.tf  +0 -1 (generated earlier, no longer produced)\n\
             modified infra/d.tf  +1 -1 (exists but was not written by mlgen)\n"
        );
        assert!(
            drift_stat(&drift(), Path::new("."), Style { color: false }, true)
                .starts_with("in sync  a.tf\n")
        );
        assert_eq!(
            drift_names(&drift(), Path::new("./infra")),
            "infra/b.tf\ninfra/c.tf\ninfra/d.tf\n"
        );
    }

    #[test]
    fn first_changed_line_skips_context_and_knows_orphans() {
        let files = drift().files;
        assert_eq!(first_changed_line(&files[1].diff), Some(1));
        assert_eq!(first_changed_line(&files[2].diff), None, "nothing rendered");
        assert_eq!(first_changed_line(&files[3].diff), Some(3));
        assert_eq!(
            first_changed_line("--- x\n+++ x\n@@ -0,0 +1,2 @@\n+a\n+b\n"),
            Some(1)
        );
        assert_eq!(first_changed_line(""), None);
        assert_eq!(
            first_changed_line("@@ -1,3 +1,2 @@\n a\n b\n-c\n"),
            Some(2),
            "at the end"
        );
        // A removal: the line after it in the new content.
        assert_eq!(
            first_changed_line("@@ -7,4 +7,3 @@\n x\n y\n-z\n w\n"),
            Some(9)
        );
    }

    #[test]
    fn diagnostics_become_json_with_every_field() {
        let d = Diagnostic {
            severity: Severity::Error,
            path: "s.yaml".into(),
            line: 3,
            column: 5,
            pointer: "/project/name".into(),
            message: "bad name".into(),
            help: Some("use lowercase".into()),
            source_line: None,
        };
        let value: serde_json::Value = serde_json::from_str(&validation_json(
            Path::new("s.yaml"),
            std::slice::from_ref(&d),
        ))
        .unwrap();
        assert_eq!(
            value,
            json!({"spec": "s.yaml", "valid": false, "diagnostics": [{"severity": "error",
                "file": "s.yaml", "line": 3, "column": 5, "pointer": "/project/name",
                "message": "bad name", "help": "use lowercase"}]})
        );
        // Warnings alone leave the spec valid.
        let warning = Diagnostic {
            severity: Severity::Warning,
            ..d
        };
        let value: serde_json::Value =
            serde_json::from_str(&validation_json(Path::new("s.yaml"), &[warning])).unwrap();
        assert_eq!(value["valid"], true);
        assert_eq!(value["diagnostics"][0]["severity"], "warning");
        let value: serde_json::Value = serde_json::from_str(&error_json("boom")).unwrap();
        assert_eq!(value, json!({"error": "boom"}));
    }
}
