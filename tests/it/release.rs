//! What a release promises in writing agrees with `Cargo.toml`: the README's install command and
//! pre-commit snippet name the tag of this version, the changelog has a section for it, and the
//! licence file is the licence Cargo publishes.

use crate::common::root;

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn readme_and_changelog_name_this_version_and_its_tag() {
    let version = env!("CARGO_PKG_VERSION");
    let tag = format!("v{version}");
    let readme = read("README.md");
    let tags_named: Vec<&str> = readme
        .lines()
        .filter_map(|line| {
            let at = line
                .find("--tag ")
                .map(|i| i + "--tag ".len())
                .or_else(|| line.find("rev: ").map(|i| i + "rev: ".len()))?;
            line[at..].split_whitespace().next()
        })
        .collect();
    assert!(
        tags_named.len() >= 2,
        "README names no tag in an install command or a pre-commit rev: {tags_named:?}"
    );
    for named in tags_named {
        assert_eq!(
            named, tag,
            "the README names {named}; Cargo.toml's version is {version}"
        );
    }
    let changelog = read("CHANGELOG.md");
    assert!(
        changelog
            .lines()
            .any(|l| l.starts_with(&format!("## [{version}]"))),
        "CHANGELOG.md has no `## [{version}]` section"
    );
    assert!(changelog.contains("## [Unreleased]"));
}

#[test]
fn licence_file_is_the_licence_cargo_declares() {
    assert_eq!(env!("CARGO_PKG_LICENSE"), "MIT");
    assert!(read("LICENSE").starts_with("MIT License\n"));
}
