//! The `--help` of every command is part of the contract: snapshot-tested, and each has a summary and an example.

use crate::common::Scratch;

const COMMANDS: &[&str] = &[
    "crawl",
    "snapshots",
    "export",
    "diff",
    "nightly",
    "report",
    "schema-diff",
    "audit",
    "search",
    "index",
    "prune",
    "history",
    "validate",
    "call",
    "completions",
    "man-pages",
];

fn help(args: &[&str]) -> String {
    let out = Scratch::new()
        .cmd()
        .args(args)
        .arg("--help")
        .env("COLUMNS", "120")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn top_level_help_lists_every_command() {
    let text = help(&[]);
    for command in COMMANDS {
        assert!(
            text.contains(&format!("  {command} ")),
            "{command} missing from --help:\n{text}"
        );
    }
    insta::assert_snapshot!("help", text);
}

#[test]
fn every_command_has_a_summary_and_an_example() {
    for command in COMMANDS {
        let text = help(&[command]);
        let summary = text.lines().next().unwrap_or_default();
        assert!(
            summary.len() > 10,
            "{command}: no one-line summary:\n{text}"
        );
        assert!(text.contains("Example"), "{command}: no example:\n{text}");
        assert!(
            text.contains(&format!("trayscope {command}")),
            "{command}: the example does not run it:\n{text}"
        );
        insta::assert_snapshot!(format!("help_{command}"), text);
    }
}
