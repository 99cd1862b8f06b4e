//! Every public code in one place: diff change codes, audit finding codes (with their default severities) and
//! history event codes. They are part of the contract (JSON, SARIF rule ids, `[severity]` keys), so this snapshot
//! shows a reviewer any code added, renamed or re-levelled.

use strum::IntoEnumIterator;
use trayscope::findings::{AuditCode, Code, DiffCode};
use trayscope::history::EventCode;

#[test]
fn every_public_code_is_listed_once() {
    let mut text = String::from("diff codes (default severity: not breaking / breaking):\n");
    for code in DiffCode::iter() {
        text.push_str(&format!(
            "  {:<30} {} / {}\n",
            code.as_str(),
            code.default_severity(false).as_diff_str(),
            code.default_severity(true).as_diff_str()
        ));
    }
    text.push_str("audit codes (default severity):\n");
    for code in AuditCode::iter() {
        text.push_str(&format!("  {:<30} {}\n", code.as_str(), code.severity()));
    }
    text.push_str("history event codes:\n");
    for code in EventCode::iter() {
        text.push_str(&format!("  {}\n", code.as_str()));
    }
    let names: Vec<&str> = Code::all().map(Code::as_str).collect();
    let unique: std::collections::BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(names.len(), unique.len(), "a code name is used twice");
    insta::assert_snapshot!("public_codes", text);
}
