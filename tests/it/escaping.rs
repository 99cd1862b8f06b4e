//! Text from exports, catalogs and servers is untrusted: whatever control characters it holds, nothing trayscope
//! prints lets it move a terminal's cursor, retitle a window, or start a GitHub Actions workflow command of its own.

use std::path::Path;

use serde_json::json;

use crate::common::{Scratch, stderr};

const HOSTILE_STEP: &str = "ghost\n::error file=evil.json::pwned";
const HOSTILE_TITLE: &str = "Sync \u{1b}]0;owned\u{7}\u{1b}[2J";

fn export(steps_has_the_step: bool) -> serde_json::Value {
    let mut steps = serde_json::Map::new();
    if steps_has_the_step {
        steps.insert(
            HOSTILE_STEP.into(),
            json!({"title": "x", "connector": {"name": "evil\u{1b}[31mconnector", "version": "1.0"},
                   "operation": "op\u{9b}2J", "properties": {}}),
        );
    }
    json!({"tray_export_version": 4, "export_type": "workflow", "projects": [],
           "workflows": [{"id": "w1", "title": HOSTILE_TITLE, "project_id": "p",
                          "steps_structure": [{"name": HOSTILE_STEP, "type": "normal", "content": {}}],
                          "steps": steps}]})
}

/// No control character but newlines (or, for formats with an escaping syntax of their own, no C0 control, which
/// is what JSON and XML must escape), and no line that GitHub Actions would run as a command unless trayscope
/// wrote it on purpose (the `github` format's own `::warning file=hostile.json,…` lines).
fn assert_safe(text: &str, what: &str) {
    let structured = matches!(what, "json" | "sarif" | "junit");
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && (c < ' ' || (!structured && c.is_control()))),
        "{what}: control characters reached the output: {text:?}"
    );
    for line in text.lines() {
        let line = line.trim_start();
        assert!(
            !line.starts_with("::") || line.contains("file=hostile.json"),
            "{what}: a workflow command from the export: {line:?}"
        );
    }
}

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalog/2026-11-26")
}

#[test]
fn hostile_names_in_an_export_are_escaped_in_every_audit_output() {
    let s = Scratch::new();
    s.crawl_dir(&examples());
    let file = s.path("hostile.json");
    std::fs::write(&file, serde_json::to_vec(&export(true)).unwrap()).unwrap();
    for format in ["human", "github", "json", "sarif", "junit"] {
        let out = s
            .cmd()
            .args([
                "--color",
                "never",
                "audit",
                "--fail-on",
                "never",
                "--format",
                format,
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        // JSON, SARIF and JUnit escape in their own syntax; human and github must do it themselves.
        assert_safe(&text, format);
        assert_safe(&stderr(&out), format);
        if format == "human" || format == "github" {
            assert!(
                text.contains("ghost"),
                "{format}: the step is still named: {text}"
            );
        }
    }
}

#[test]
fn hostile_names_in_an_error_message_are_escaped() {
    let s = Scratch::new();
    s.crawl_dir(&examples());
    let file = s.path("hostile.json");
    std::fs::write(&file, serde_json::to_vec(&export(false)).unwrap()).unwrap();
    let out = s.cmd().arg("audit").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("has no entry"), "{err}");
    assert_safe(&err, "error message");
}
