//! The ignore file (`.trayscope-ignore.toml`): known findings a team has decided to live with, each with a reason,
//! optionally until a date.
//!
//! ```toml
//! [[ignore]]
//! connector = "slack"                        # required
//! version = "8.1"                            # optional: only this pinned version
//! code = "deprecated-connector-version"      # optional: only this code
//! workflow = "Inbound lead routing"          # optional: workflow id or title
//! step = "slack-1"                           # optional: step name
//! reason = "Moving with the Q1 rewrite"      # required
//! until = 2027-01-31                         # optional: suppresses through this date (UTC), then expires
//! ```
//!
//! An entry whose `until` has passed stops suppressing and is reported (`ignore-expired`); an entry that matched no
//! finding is reported too (`ignore-stale`). This module must never let an entry widen silently: unknown keys, an
//! unknown code, a missing reason or a malformed date make the whole file an error.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use strum::IntoEnumIterator;

use super::{AuditError, Code, Finding, Result, Suppressed, fingerprint, show_path};
use crate::excerpt::{LineIndex, MAX_QUOTED_CHARS, cut, cut_lines};
use crate::files::read_text_file;

/// The file looked for in the current directory when `--ignore-file` is not given.
pub const DEFAULT_IGNORE_FILE: &str = ".trayscope-ignore.toml";

/// The largest ignore file read (100,000 entries take about 15 MB).
const MAX_IGNORE_FILE_BYTES: u64 = 64 << 20;

/// How many of an ignore file's problems one error lists.
const PROBLEMS_SHOWN: usize = 20;

/// A parsed, checked ignore file.
#[derive(Debug, Clone)]
pub struct IgnoreFile {
    pub path: PathBuf,
    pub display: String,
    pub entries: Vec<IgnoreEntry>,
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// 1-based position in the file.
    pub index: usize,
    /// 1-based line of the entry.
    pub line: usize,
    pub connector: String,
    pub version: Option<String>,
    pub code: Option<Code>,
    /// A workflow id or title.
    pub workflow: Option<String>,
    pub step: Option<String>,
    pub reason: String,
    pub until: Option<NaiveDate>,
}

/// What became of an entry in one audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IgnoreStatus {
    /// In force and matched at least one finding.
    Active,
    /// Its `until` date has passed: it suppresses nothing.
    Expired,
    /// In force but matched nothing.
    Stale,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryStatus {
    pub entry: usize,
    pub line: usize,
    pub connector: String,
    pub version: Option<String>,
    pub code: Option<Code>,
    pub workflow: Option<String>,
    pub step: Option<String>,
    pub reason: String,
    pub until: Option<String>,
    pub status: IgnoreStatus,
    /// Findings the entry matched (suppressed, unless it expired).
    pub matched: u64,
}

/// Findings after the ignore file: the active ones (ignore-file findings appended), the suppressed ones, and each
/// entry's standing.
#[derive(Debug, Clone)]
pub struct Applied {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub entries: Vec<EntryStatus>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    ignore: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    connector: Option<String>,
    version: Option<String>,
    code: Option<String>,
    workflow: Option<String>,
    step: Option<String>,
    reason: Option<String>,
    until: Option<toml::Value>,
}

impl IgnoreFile {
    /// Reads and checks the ignore file at `path`; a missing file is an error.
    pub fn load(path: &Path, base: &Path) -> Result<IgnoreFile> {
        let display = show_path(path, base);
        let text =
            read_text_file(path, MAX_IGNORE_FILE_BYTES).map_err(|message| AuditError::Ignore {
                path: display.clone(),
                message,
            })?;
        let entries = parse(&display, &text)?;
        Ok(IgnoreFile {
            path: path.to_owned(),
            display,
            entries,
        })
    }

    /// The ignore file an audit uses: `explicit` (which must exist), else [`DEFAULT_IGNORE_FILE`] in `base` when it
    /// exists, else none.
    pub fn find(explicit: Option<&Path>, base: &Path) -> Result<Option<IgnoreFile>> {
        match explicit {
            Some(path) => IgnoreFile::load(path, base).map(Some),
            None => {
                let default = base.join(DEFAULT_IGNORE_FILE);
                if default.is_file() {
                    IgnoreFile::load(&default, base).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// Suppresses the step findings an entry in force matches; reports expired and stale entries as findings.
    pub fn apply(&self, findings: Vec<Finding>, today: NaiveDate) -> Applied {
        let expired: Vec<bool> = self
            .entries
            .iter()
            .map(|e| e.until.is_some_and(|until| today > until))
            .collect();
        let mut matched = vec![0u64; self.entries.len()];
        let mut active = Vec::with_capacity(findings.len());
        let mut suppressed = Vec::new();
        for finding in findings {
            let mut by = None;
            for (i, entry) in self.entries.iter().enumerate() {
                if entry.matches(&finding) {
                    matched[i] += 1;
                    if by.is_none() && !expired[i] {
                        by = Some(i);
                    }
                }
            }
            match by {
                Some(i) => suppressed.push(Suppressed {
                    finding,
                    ignore_entry: self.entries[i].index,
                    reason: self.entries[i].reason.clone(),
                }),
                None => active.push(finding),
            }
        }
        let mut statuses = Vec::with_capacity(self.entries.len());
        for (i, entry) in self.entries.iter().enumerate() {
            let status = if expired[i] {
                IgnoreStatus::Expired
            } else if matched[i] == 0 {
                IgnoreStatus::Stale
            } else {
                IgnoreStatus::Active
            };
            if status != IgnoreStatus::Active {
                active.push(self.finding_about(entry, status, matched[i]));
            }
            statuses.push(EntryStatus {
                entry: entry.index,
                line: entry.line,
                connector: entry.connector.clone(),
                version: entry.version.clone(),
                code: entry.code,
                workflow: entry.workflow.clone(),
                step: entry.step.clone(),
                reason: entry.reason.clone(),
                until: entry.until.map(|d| d.to_string()),
                status,
                matched: matched[i],
            });
        }
        Applied {
            findings: active,
            suppressed,
            entries: statuses,
        }
    }

    fn finding_about(&self, entry: &IgnoreEntry, status: IgnoreStatus, matched: u64) -> Finding {
        let (code, message) = match (status, entry.until) {
            (IgnoreStatus::Expired, Some(until)) if matched > 0 => (
                Code::IgnoreExpired,
                format!(
                    "ignore entry {} ({}) expired on {until}: the {matched} finding(s) it matches are reported \
                     again. Fix them, or renew the entry with a new date and reason",
                    entry.index,
                    entry.describe()
                ),
            ),
            (IgnoreStatus::Expired, Some(until)) => (
                Code::IgnoreExpired,
                format!(
                    "ignore entry {} ({}) expired on {until} and matches no finding any more; remove it",
                    entry.index,
                    entry.describe()
                ),
            ),
            _ => (
                Code::IgnoreStale,
                format!(
                    "ignore entry {} ({}) matched no finding; remove it",
                    entry.index,
                    entry.describe()
                ),
            ),
        };
        let fingerprint = fingerprint(&[
            code.as_str(),
            &self.display,
            &entry.connector,
            entry.version.as_deref().unwrap_or(""),
            entry.code.map_or("", Code::as_str),
            entry.workflow.as_deref().unwrap_or(""),
            entry.step.as_deref().unwrap_or(""),
        ]);
        Finding {
            step: entry.step.clone(),
            version: entry.version.clone(),
            ..Finding::about_entry(
                code,
                &self.display,
                entry.line,
                &entry.connector,
                message,
                fingerprint,
            )
        }
    }
}

impl IgnoreEntry {
    /// Whether this entry is about `finding` (dates aside).
    pub fn matches(&self, finding: &Finding) -> bool {
        finding.code.is_about_a_step()
            && finding.connector == self.connector
            && self
                .version
                .as_ref()
                .is_none_or(|v| finding.version.as_ref() == Some(v))
            && self.code.is_none_or(|c| finding.code == c)
            && self.workflow.as_ref().is_none_or(|w| {
                finding
                    .workflow
                    .as_ref()
                    .is_some_and(|f| &f.id == w || &f.title == w)
            })
            && self
                .step
                .as_ref()
                .is_none_or(|s| finding.step.as_ref() == Some(s))
    }

    fn describe(&self) -> String {
        let mut parts = vec![format!("connector {}", self.connector)];
        if let Some(v) = &self.version {
            parts.push(format!("version {v}"));
        }
        if let Some(c) = self.code {
            parts.push(format!("code {}", c.as_str()));
        }
        if let Some(w) = &self.workflow {
            parts.push(format!("workflow {w:?}"));
        }
        if let Some(s) = &self.step {
            parts.push(format!("step {s}"));
        }
        parts.join(", ")
    }
}

/// Parses and checks the text of an ignore file; every problem is reported at once.
pub fn parse(display: &str, text: &str) -> Result<Vec<IgnoreEntry>> {
    let fail = |message: String| AuditError::Ignore {
        path: display.to_owned(),
        message,
    };
    // The parser's message quotes the offending line, which can be any length.
    let document: Document = toml::from_str(text)
        .map_err(|e| fail(cut_lines(e.to_string().trim_end(), MAX_QUOTED_CHARS)))?;
    let mut entries = Vec::with_capacity(document.ignore.len());
    let mut problems = Vec::new();
    let lines = LineIndex::new(text);
    for (i, spanned) in document.ignore.into_iter().enumerate() {
        let index = i + 1;
        let line = lines.line_of(spanned.span().start);
        let raw = spanned.into_inner();
        let place = format!("entry {index} (line {line})");
        let connector = match raw.connector {
            Some(c) if !c.trim().is_empty() => c,
            _ => {
                problems.push(format!("{place}: needs a `connector`"));
                String::new()
            }
        };
        let reason = match raw.reason {
            Some(r) if !r.trim().is_empty() => r,
            _ => {
                problems.push(format!(
                    "{place}: needs a `reason` saying why it is safe to ignore"
                ));
                String::new()
            }
        };
        let code = match raw.code.as_deref() {
            None => None,
            Some(text) => match text.parse::<Code>().ok().filter(|c| c.is_about_a_step()) {
                Some(code) => Some(code),
                None => {
                    let known: Vec<&str> = Code::iter()
                        .filter(|c| c.is_about_a_step())
                        .map(|c| c.as_str())
                        .collect();
                    problems.push(format!(
                        "{place}: unknown code {:?} (one of: {})",
                        cut(text, MAX_QUOTED_CHARS),
                        known.join(", ")
                    ));
                    None
                }
            },
        };
        let until = match raw.until {
            None => None,
            Some(value) => match date_of(&value) {
                Some(date) => Some(date),
                None => {
                    problems.push(format!(
                        "{place}: `until` must be a date like 2027-01-31, not {}",
                        cut(&value.to_string(), MAX_QUOTED_CHARS)
                    ));
                    None
                }
            },
        };
        for (field, value) in [
            ("version", &raw.version),
            ("workflow", &raw.workflow),
            ("step", &raw.step),
        ] {
            if value.as_ref().is_some_and(|v| v.trim().is_empty()) {
                problems.push(format!(
                    "{place}: `{field}` is empty (leave it out to match any)"
                ));
            }
        }
        entries.push(IgnoreEntry {
            index,
            line,
            connector,
            version: raw.version,
            code,
            workflow: raw.workflow,
            step: raw.step,
            reason,
            until,
        });
    }
    if problems.len() > PROBLEMS_SHOWN {
        let more = problems.len() - PROBLEMS_SHOWN;
        problems.truncate(PROBLEMS_SHOWN);
        problems.push(format!("… and {more} more"));
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(fail(problems.join("; ")))
    }
}

fn date_of(value: &toml::Value) -> Option<NaiveDate> {
    match value {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        toml::Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Severity, WorkflowRef};

    fn finding(code: Code, connector: &str, version: &str, step: &str) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            file: "a.json".into(),
            line: Some(3),
            workflow: Some(WorkflowRef {
                id: "w1".into(),
                title: "Sync".into(),
            }),
            step: Some(step.into()),
            location: Some(String::new()),
            connector: connector.into(),
            version: Some(version.into()),
            latest: Some("10.0".into()),
            operation: Some("send_message".into()),
            inputs: Vec::new(),
            pointer: None,
            schema_pointer: None,
            deprecation: None,
            message: String::new(),
            fingerprint: String::new(),
            gating: false,
        }
    }

    fn file(text: &str) -> IgnoreFile {
        IgnoreFile {
            path: "i.toml".into(),
            display: "i.toml".into(),
            entries: parse("i.toml", text).unwrap(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn entries_match_on_every_field_they_give() {
        let f = file(
            r#"
[[ignore]]
connector = "slack"
version = "8.1"
code = "deprecated-connector-version"
workflow = "Sync"
step = "slack-1"
reason = "r"
"#,
        );
        let e = &f.entries[0];
        assert_eq!(e.line, 2);
        assert!(e.matches(&finding(
            Code::DeprecatedConnectorVersion,
            "slack",
            "8.1",
            "slack-1"
        )));
        assert!(!e.matches(&finding(
            Code::OutdatedConnectorVersion,
            "slack",
            "8.1",
            "slack-1"
        )));
        assert!(!e.matches(&finding(
            Code::DeprecatedConnectorVersion,
            "slack",
            "9.1",
            "slack-1"
        )));
        assert!(!e.matches(&finding(
            Code::DeprecatedConnectorVersion,
            "slack",
            "8.1",
            "slack-2"
        )));
        assert!(!e.matches(&finding(
            Code::DeprecatedConnectorVersion,
            "jira",
            "8.1",
            "slack-1"
        )));
        let by_id = file("[[ignore]]\nconnector = \"slack\"\nworkflow = \"w1\"\nreason = \"r\"\n");
        assert!(by_id.entries[0].matches(&finding(
            Code::OutdatedConnectorVersion,
            "slack",
            "9.1",
            "x"
        )));
    }

    #[test]
    fn active_expired_and_stale_entries() {
        let f = file(
            r#"
[[ignore]]
connector = "slack"
reason = "moving next quarter"
until = 2999-12-31

[[ignore]]
connector = "hubspot"
reason = "was fine once"
until = "2000-01-01"

[[ignore]]
connector = "jira"
reason = "nothing matches me"
"#,
        );
        let applied = f.apply(
            vec![
                finding(Code::DeprecatedConnectorVersion, "slack", "8.1", "s"),
                finding(Code::DeprecatedConnectorVersion, "hubspot", "3.1", "h"),
            ],
            day("2026-11-26"),
        );
        assert_eq!(applied.suppressed.len(), 1);
        assert_eq!(applied.suppressed[0].finding.connector, "slack");
        assert_eq!(applied.suppressed[0].reason, "moving next quarter");
        let codes: Vec<Code> = applied.findings.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            [
                Code::DeprecatedConnectorVersion,
                Code::IgnoreExpired,
                Code::IgnoreStale
            ]
        );
        assert_eq!(applied.findings[1].line, Some(7));
        assert_eq!(applied.findings[1].severity, Severity::Warning);
        let statuses: Vec<IgnoreStatus> = applied.entries.iter().map(|e| e.status).collect();
        assert_eq!(
            statuses,
            [
                IgnoreStatus::Active,
                IgnoreStatus::Expired,
                IgnoreStatus::Stale
            ]
        );
        assert_eq!(applied.entries[1].matched, 1);
    }

    #[test]
    fn an_entry_suppresses_through_its_until_day() {
        let f = file("[[ignore]]\nconnector = \"slack\"\nreason = \"r\"\nuntil = 2026-11-26\n");
        let on_the_day = f.apply(
            vec![finding(Code::OutdatedConnectorVersion, "slack", "9.1", "s")],
            day("2026-11-26"),
        );
        assert_eq!(on_the_day.suppressed.len(), 1);
        let day_after = f.apply(
            vec![finding(Code::OutdatedConnectorVersion, "slack", "9.1", "s")],
            day("2026-11-27"),
        );
        assert!(day_after.suppressed.is_empty());
    }

    #[test]
    fn every_problem_in_an_ignore_file_is_reported() {
        let err = parse(
            "i.toml",
            "[[ignore]]\nconnector = \"slack\"\n\n[[ignore]]\nconnector = \"jira\"\nreason = \"r\"\ncode = \"deprecated\"\nuntil = \"soon\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("entry 1 (line 1): needs a `reason`"), "{err}");
        assert!(
            err.contains("entry 2 (line 4): unknown code \"deprecated\""),
            "{err}"
        );
        assert!(err.contains("`until` must be a date"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused_rather_than_widening_an_entry() {
        let err = parse(
            "i.toml",
            "[[ignore]]\nconnector = \"slack\"\nverison = \"8.1\"\nreason = \"r\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("verison"), "{err}");
    }

    /// `n` entries of 3 lines each, a blank line and a comment before every third, as a generated file might have.
    pub(crate) fn many_entries(n: usize) -> (String, Vec<usize>) {
        let mut text = String::from("# generated\n");
        let mut lines = Vec::with_capacity(n);
        let mut line = 2;
        for i in 0..n {
            if i % 3 == 0 {
                text.push_str("\n# a comment\n");
                line += 2;
            }
            lines.push(line);
            text.push_str(&format!(
                "[[ignore]]\nconnector = \"c{i}\"\nreason = \"r\"\n"
            ));
            line += 3;
        }
        (text, lines)
    }

    #[test]
    fn a_hundred_thousand_entries_get_their_own_lines() {
        let (text, lines) = many_entries(100_000);
        let entries = parse("big.toml", &text).unwrap();
        assert_eq!(entries.len(), 100_000);
        for i in [0, 1, 2, 3, 50_000, 99_998, 99_999] {
            assert_eq!(entries[i].index, i + 1);
            assert_eq!(entries[i].line, lines[i], "entry {i}");
            assert_eq!(entries[i].connector, format!("c{i}"));
        }
        let last = entries.last().unwrap();
        assert_eq!(
            text.lines().nth(last.line - 1),
            Some("[[ignore]]"),
            "the last entry's line is its header"
        );
    }

    #[test]
    fn a_file_full_of_problems_lists_the_first_ones() {
        let text = "[[ignore]]\nconnector = \"slack\"\n".repeat(1_000);
        let err = parse("i.toml", &text).unwrap_err().to_string();
        assert!(err.contains("entry 20 (line 39)"), "{err}");
        assert!(!err.contains("entry 21 "), "{err}");
        assert!(err.ends_with("… and 980 more"), "{err}");
    }
}
