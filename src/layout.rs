//! Output folders: normalising the `layout` keys, checking they are safe, and computing the
//! relative path from one folder to another (module `source` paths).
//!
//! Folders are plain relative paths with `/` separators. Anything that could leave the output
//! directory (`..`, absolute paths, drive letters, backslashes) or land in a hidden folder that
//! Terraform tooling skips is refused, so a spec can never make mlgen write outside `-o DIR`.

use serde::Serialize;

/// The three output folders, normalised (no `./`, no trailing `/`; the output root is `.`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// Shared module folder.
    pub shared: String,
    /// mlops module folder.
    pub mlops: String,
    /// Root module folder.
    pub main: String,
    /// Network module folder.
    pub network: String,
}

/// Default folders (contract §1).
pub(crate) const DEFAULT_SHARED: &str = "infrastructure/shared";
/// Default folders (contract §1).
pub(crate) const DEFAULT_MLOPS: &str = "infrastructure/mlops";
/// Default folders (contract §1).
pub(crate) const DEFAULT_MAIN: &str = "main";
/// Default folders (network module, rendered with private endpoints).
pub(crate) const DEFAULT_NETWORK: &str = "infrastructure/network";

/// A layout problem, naming the `layout` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayoutError {
    /// `shared`, `mlops`, `main` or `network`.
    pub field: &'static str,
    /// What is wrong (validation words it).
    pub problem: FolderProblem,
}

/// What is wrong with one output folder. Data only: the validator's diagnostics catalogue
/// words each kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FolderProblem {
    /// Empty or blank.
    Empty,
    /// `/x`, `~/x` or `C:x`.
    Absolute {
        /// The folder as written.
        folder: String,
    },
    /// A `\` anywhere.
    Backslash {
        /// The folder as written.
        folder: String,
    },
    /// A `..` part.
    LeavesOutput {
        /// The folder as written.
        folder: String,
    },
    /// A part starting with `.`.
    Hidden {
        /// The folder as written.
        folder: String,
        /// The hidden part.
        part: String,
    },
    /// A part Windows reserves for a device (`con`, `lpt1.txt`).
    Reserved {
        /// The folder as written.
        folder: String,
        /// The reserved part.
        part: String,
    },
    /// A character other than letters, digits, `.`, `_` and `-`.
    Characters {
        /// The folder as written.
        folder: String,
    },
    /// The same folder (case-insensitively) as another field's.
    Clash {
        /// The folder as written.
        folder: String,
        /// The field whose folder it is too.
        other: &'static str,
    },
}

impl Layout {
    /// The folders by field name, in a fixed order.
    pub fn fields(&self) -> [(&'static str, &str); 4] {
        [
            ("shared", &self.shared),
            ("mlops", &self.mlops),
            ("main", &self.main),
            ("network", &self.network),
        ]
    }
}

/// `./a//b/` → `a/b`; an empty path or `.` → `.`. Does not resolve `..` (that is refused).
pub(crate) fn normalize(raw: &str) -> String {
    let parts: Vec<&str> = raw
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// Every problem with the layout (raw values are checked, so `..` is seen before normalising).
pub(crate) fn check(layout: &Layout) -> Vec<LayoutError> {
    let mut errors = Vec::new();
    let mut usable: Vec<(&'static str, String)> = Vec::new();
    for (field, raw) in layout.fields() {
        if let Some(problem) = folder_problem(raw) {
            errors.push(LayoutError { field, problem });
            continue;
        }
        // Case-insensitive: on macOS and Windows `Infra` and `infra` are one folder.
        let folded = normalize(raw).to_lowercase();
        match usable.iter().find(|(_, f)| *f == folded) {
            Some((other, _)) => errors.push(LayoutError {
                field,
                problem: FolderProblem::Clash {
                    folder: raw.to_owned(),
                    other,
                },
            }),
            None => usable.push((field, folded)),
        }
    }
    errors
}

/// Names Windows reserves for devices, with or without an extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

fn folder_problem(raw: &str) -> Option<FolderProblem> {
    let folder = || raw.to_owned();
    if raw.trim().is_empty() {
        return Some(FolderProblem::Empty);
    }
    if raw.starts_with('/') || raw.starts_with('~') || raw.get(1..2) == Some(":") {
        return Some(FolderProblem::Absolute { folder: folder() });
    }
    if raw.contains('\\') {
        return Some(FolderProblem::Backslash { folder: folder() });
    }
    for part in raw.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if part == ".." {
            return Some(FolderProblem::LeavesOutput { folder: folder() });
        }
        if part.starts_with('.') {
            return Some(FolderProblem::Hidden {
                folder: folder(),
                part: part.to_owned(),
            });
        }
        let stem = part.split('.').next().unwrap_or(part).to_ascii_lowercase();
        if RESERVED.contains(&stem.as_str()) {
            return Some(FolderProblem::Reserved {
                folder: folder(),
                part: part.to_owned(),
            });
        }
        if !part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Some(FolderProblem::Characters { folder: folder() });
        }
    }
    None
}

/// `file` inside the normalised folder `folder`, as a path from the output root: `.` is the
/// output root itself, so `main.bicep` rather than `./main.bicep`.
pub(crate) fn join(folder: &str, file: &str) -> String {
    if folder == "." {
        file.to_owned()
    } else {
        format!("{folder}/{file}")
    }
}

/// The relative path from folder `from` to folder `to` (both normalised), always starting with
/// `./` or `../` as Terraform requires of local module sources.
pub(crate) fn relative_path(from: &str, to: &str) -> String {
    let split = |p: &str| -> Vec<String> {
        if p == "." {
            Vec::new()
        } else {
            p.split('/').map(str::to_owned).collect()
        }
    };
    let (from, to) = (split(from), split(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let ups = from.len() - common;
    let mut parts: Vec<String> = if ups == 0 {
        vec![".".to_owned()]
    } else {
        vec!["..".to_owned(); ups]
    };
    parts.extend(to[common..].iter().cloned());
    let path = parts.join("/");
    if path == "." || path == ".." {
        format!("{path}/")
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(shared: &str, mlops: &str, main: &str) -> Layout {
        Layout {
            shared: shared.into(),
            mlops: mlops.into(),
            main: main.into(),
            network: DEFAULT_NETWORK.into(),
        }
    }

    #[test]
    fn joined_paths_start_at_the_output_root() {
        assert_eq!(join("main", "main.bicep"), "main/main.bicep");
        assert_eq!(
            join("infra/live", "dev.bicepparam"),
            "infra/live/dev.bicepparam"
        );
        assert_eq!(join(".", "main.bicep"), "main.bicep");
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path("main", "infrastructure/shared"),
            "../infrastructure/shared"
        );
        assert_eq!(
            relative_path("infrastructure/main", "infrastructure/shared"),
            "../shared"
        );
        assert_eq!(
            relative_path(".", "infrastructure/mlops"),
            "./infrastructure/mlops"
        );
        assert_eq!(relative_path("a/b/c", "a/x"), "../../x");
        assert_eq!(relative_path("main", "."), "../");
        assert_eq!(relative_path("main", "main/mod"), "./mod");
    }

    #[test]
    fn normalizes() {
        assert_eq!(normalize("./infra//main/"), "infra/main");
        assert_eq!(normalize(""), ".");
    }

    #[test]
    fn refuses_escapes_and_duplicates() {
        let problems = |shared, mlops, main| -> Vec<FolderProblem> {
            check(&layout(shared, mlops, main))
                .into_iter()
                .map(|e| e.problem)
                .collect()
        };
        let folder = |f: &str| f.to_owned();
        assert_eq!(
            problems("../shared", "/abs", "a\\b"),
            [
                FolderProblem::LeavesOutput {
                    folder: folder("../shared")
                },
                FolderProblem::Absolute {
                    folder: folder("/abs")
                },
                FolderProblem::Backslash {
                    folder: folder("a\\b")
                },
            ]
        );
        assert_eq!(
            check(&layout("x", "./x/", "main")),
            vec![LayoutError {
                field: "mlops",
                problem: FolderProblem::Clash {
                    folder: folder("./x/"),
                    other: "shared"
                },
            }]
        );
        assert_eq!(
            check(&layout("Infra", "infra", "main")).len(),
            1,
            "case-insensitive"
        );
        assert_eq!(problems("", "b", "c"), [FolderProblem::Empty]);
        assert_eq!(
            problems("a/con", "b", "c"),
            [FolderProblem::Reserved {
                folder: folder("a/con"),
                part: folder("con")
            }]
        );
        assert!(
            check(&layout(
                "infrastructure/shared",
                "infrastructure/mlops",
                "main"
            ))
            .is_empty()
        );
        assert_eq!(
            problems(".git/x", "b", "c"),
            [FolderProblem::Hidden {
                folder: folder(".git/x"),
                part: folder(".git")
            }]
        );
    }
}
