//! The deprecation policy (`deprecations.toml`): deprecations Tray *announces* (release notes, emails, docs pages),
//! written down by a team with the date each one bites.
//!
//! ```toml
//! [[deprecation]]
//! connector   = "google-sheets"
//! versions    = "<10.0"              # or service_versions = "<4"; "*" is every version
//! sunset      = 2027-03-01           # after this date the versions are treated as retired
//! announced   = 2026-11-01           # optional: before this date the entry is not in force
//! reason      = "Google Sheets API v3 shutdown"
//! source      = "https://…"          # optional: where Tray announced it
//! replacement = { connector = "google-sheets", version = "10.0" }   # optional
//! ```
//!
//! Tray publishes no deprecation flag, so the catalog alone can only infer deprecation ([`crate::model::standings`]);
//! this file adds what people were told. The audit, `history` and the reports read it; this module only parses,
//! checks and answers "which entry is about this version, and when does it bite". It never decides a finding's
//! code or severity (the audit does), and it must never let an entry widen silently: an unknown key, a bad
//! requirement or a malformed date makes the whole file an error, every problem listed at once.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::toml_kind;
use crate::excerpt::{LineIndex, MAX_QUOTED_CHARS, cut, cut_lines};
use crate::files::{read_text_file, show_path};
use crate::model::Version;

/// The file looked for in the home directory when neither `--deprecations` nor `deprecations` in `trayscope.toml`
/// names one.
pub const FILE_NAME: &str = "deprecations.toml";

/// A policy is a few dozen entries; anything this large is not one.
const MAX_POLICY_FILE_BYTES: u64 = 16 << 20;

/// How many problems one error lists.
const PROBLEMS_SHOWN: usize = 20;

const KEYS: &[&str] = &[
    "connector",
    "versions",
    "service_versions",
    "sunset",
    "announced",
    "reason",
    "source",
    "replacement",
];

/// Why a policy file could not be used. Every variant means exit 2.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("deprecation policy {path}: {message}")]
    Read { path: String, message: String },
    #[error("deprecation policy {path}: not valid TOML: {message}")]
    Toml { path: String, message: String },
    #[error("deprecation policy {path}: {} problem{}:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" },
            problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid { path: String, problems: Vec<String> },
}

pub type Result<T, E = PolicyError> = std::result::Result<T, E>;

/// One comparison of a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

/// A requirement over versions: comma-separated comparators (`<10.0`, `>=8.0, <8.7`, `=9.1`), all of which must
/// hold, or `*` (every version). Versions compare numerically, like everywhere in trayscope ("10.0" > "9.1").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    text: String,
    /// Empty for `*`.
    comparators: Vec<(Op, Version)>,
}

impl Requirement {
    /// The requirement as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `version` meets every comparator.
    pub fn matches(&self, version: &Version) -> bool {
        self.comparators.iter().all(|(op, bound)| {
            let order = version.cmp_numeric(bound);
            match op {
                Op::Lt => order == Ordering::Less,
                Op::Le => order != Ordering::Greater,
                Op::Gt => order == Ordering::Greater,
                Op::Ge => order != Ordering::Less,
                Op::Eq => order == Ordering::Equal,
            }
        })
    }

    /// Parses a requirement over service versions, whose bounds are whole numbers (`<4`, `>=2, <4`).
    fn parse_service(text: &str) -> std::result::Result<Requirement, String> {
        let requirement: Requirement = text.parse()?;
        match requirement
            .comparators
            .iter()
            .find(|(_, v)| v.as_str().contains('.'))
        {
            Some((_, v)) => Err(format!(
                "service versions are whole numbers, found {:?} in {:?} (expected e.g. \"<4\" or \">=2, <4\")",
                v.as_str(),
                cut(text, MAX_QUOTED_CHARS)
            )),
            None => Ok(requirement),
        }
    }
}

impl FromStr for Requirement {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Requirement, String> {
        let expected =
            "expected \"*\" or comparators such as \"<10.0\", \"=9.1\" or \">=8.0, <8.7\"";
        let shown = cut(text, MAX_QUOTED_CHARS);
        if text.trim() == "*" {
            return Ok(Requirement {
                text: text.trim().to_owned(),
                comparators: Vec::new(),
            });
        }
        let mut comparators = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(format!("{shown:?} has an empty comparator; {expected}"));
            }
            let (op, rest) = if let Some(rest) = part.strip_prefix("<=") {
                (Op::Le, rest)
            } else if let Some(rest) = part.strip_prefix(">=") {
                (Op::Ge, rest)
            } else if let Some(rest) = part.strip_prefix('<') {
                (Op::Lt, rest)
            } else if let Some(rest) = part.strip_prefix('>') {
                (Op::Gt, rest)
            } else if let Some(rest) = part.strip_prefix('=') {
                (Op::Eq, rest)
            } else {
                return Err(format!(
                    "{:?} in {shown:?} has no comparison (<, <=, >, >=, =); {expected}",
                    cut(part, MAX_QUOTED_CHARS)
                ));
            };
            let version: Version = rest.trim().parse().map_err(|_| {
                format!(
                    "{:?} in {shown:?} is not a \"major.minor\" version; {expected}",
                    cut(rest.trim(), MAX_QUOTED_CHARS)
                )
            })?;
            comparators.push((op, version));
        }
        Ok(Requirement {
            text: text.trim().to_owned(),
            comparators,
        })
    }
}

/// Which versions of the connector an entry is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `versions`: the connector versions ("9.1").
    Versions(Requirement),
    /// `service_versions`: the versions of the service the connector version talks to (4).
    ServiceVersions(Requirement),
}

impl Target {
    /// `versions <10.0` or `service versions <4`.
    pub fn describe(&self) -> String {
        match self {
            Target::Versions(r) => format!("versions {}", r.as_str()),
            Target::ServiceVersions(r) => format!("service versions {}", r.as_str()),
        }
    }
}

/// Where a deprecated version should move to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Replacement {
    pub connector: String,
    pub version: String,
}

/// One `[[deprecation]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based position in the file.
    pub index: usize,
    /// 1-based line where the entry starts.
    pub line: usize,
    pub connector: String,
    pub target: Target,
    /// After this date the versions are treated as retired.
    pub sunset: NaiveDate,
    /// Before this date the entry is not in force.
    pub announced: Option<NaiveDate>,
    pub reason: String,
    /// Where Tray announced it (a URL, as written).
    pub source: Option<String>,
    pub replacement: Option<Replacement>,
}

impl Entry {
    /// In force on `today`: announced (or no announcement date given).
    pub fn is_active(&self, today: NaiveDate) -> bool {
        self.announced.is_none_or(|announced| today >= announced)
    }

    /// The sunset has passed: the versions are treated as retired.
    pub fn is_past_sunset(&self, today: NaiveDate) -> bool {
        today > self.sunset
    }

    /// Days from `today` to the sunset (0 on the day, negative after it).
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.sunset - today).num_days()
    }

    /// Whether the entry is about `connector` at `version`; `service_version` is the version's service version,
    /// when known (a version gone from the catalog has none, and no `service_versions` entry matches it).
    pub fn matches(
        &self,
        connector: &str,
        version: &Version,
        service_version: Option<i64>,
    ) -> bool {
        if connector != self.connector {
            return false;
        }
        match &self.target {
            Target::Versions(requirement) => requirement.matches(version),
            Target::ServiceVersions(requirement) => service_version
                .and_then(|n| n.to_string().parse::<Version>().ok())
                .is_some_and(|service| requirement.matches(&service)),
        }
    }
}

/// A parsed, checked policy file.
#[derive(Debug, Clone)]
pub struct Policy {
    pub path: PathBuf,
    /// The path as shown in findings and messages.
    pub display: String,
    pub entries: Vec<Entry>,
}

impl Policy {
    /// Reads and checks the policy file at `path`; a missing file is an error.
    pub fn load(path: &Path, display: &str) -> Result<Policy> {
        let fail = |message: String| PolicyError::Read {
            path: display.to_owned(),
            message,
        };
        let text = read_text_file(path, MAX_POLICY_FILE_BYTES).map_err(fail)?;
        Ok(Policy {
            path: path.to_owned(),
            display: display.to_owned(),
            entries: parse(display, &text)?,
        })
    }

    /// The policy in force: `explicit` (`--deprecations`, or `deprecations` in `trayscope.toml`; it must exist),
    /// else [`FILE_NAME`] in `home` when it exists, else none. Paths are shown relative to `base`.
    pub fn find(explicit: Option<&Path>, home: &Path, base: &Path) -> Result<Option<Policy>> {
        let show = |path: &Path| show_path(path, base);
        match explicit {
            Some(path) => Policy::load(path, &show(path)).map(Some),
            None => {
                let default = home.join(FILE_NAME);
                if default.is_file() {
                    Policy::load(&default, &show(&default)).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// The entry in force on `today` that decides about `connector` at `version`: of those that match, the one
    /// with the earliest sunset (the first in the file on a tie).
    pub fn entry_for(
        &self,
        connector: &str,
        version: &Version,
        service_version: Option<i64>,
        today: NaiveDate,
    ) -> Option<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.is_active(today) && e.matches(connector, version, service_version))
            .min_by_key(|e| (e.sunset, e.index))
    }

    /// Every entry about `connector`, in file order.
    pub fn entries_for<'a>(&'a self, connector: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.connector == connector)
    }
}

/// The deprecation policy a report or an audit used, as its JSON names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyReport {
    pub file: String,
    pub entries: usize,
    /// The date the policy's announcements and sunsets were compared with.
    pub today: String,
    /// `--sunset-within`: in an audit, a policy-deprecated pin this close to its sunset is raised to `error`; in a
    /// diff report, the window of the "Sunsets within N days" section.
    pub sunset_within: i64,
}

impl Policy {
    /// The policy as a report names it, on `today` with a window of `sunset_within` days.
    pub fn report(&self, today: NaiveDate, sunset_within: i64) -> PolicyReport {
        PolicyReport {
            file: self.display.clone(),
            entries: self.entries.len(),
            today: today.to_string(),
            sunset_within,
        }
    }
}

/// One policy entry as `history` and the reports show it: its dates on a given day, and the versions of a catalog
/// it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declared {
    /// 1-based index in the policy file.
    pub entry: usize,
    pub connector: String,
    /// `versions <10.0` or `service versions <4`.
    pub versions: String,
    pub announced: Option<String>,
    pub sunset: String,
    /// Days to the sunset (0 on the day, negative after it).
    pub days_left: i64,
    /// In force (announced, or no announcement date).
    pub active: bool,
    pub reason: String,
    pub source: Option<String>,
    pub replacement: Option<Replacement>,
    /// The catalog's versions it matches, oldest first.
    pub affected: Vec<String>,
}

impl Policy {
    /// The entries about `connector` (every entry when `None`), as of `today`, with the versions of `catalog` each
    /// matches; by sunset, then file order.
    pub fn declared(
        &self,
        catalog: &crate::store::Catalog,
        connector: Option<&str>,
        today: NaiveDate,
    ) -> Vec<Declared> {
        let mut out: Vec<Declared> = self
            .entries
            .iter()
            .filter(|e| connector.is_none_or(|c| e.connector == c))
            .map(|e| {
                let mut affected: Vec<&Version> = catalog
                    .versions_of(&e.connector)
                    .filter(|v| e.matches(&v.name, &v.version, Some(v.service.version)))
                    .map(|v| &v.version)
                    .collect();
                affected.sort();
                Declared {
                    entry: e.index,
                    connector: e.connector.clone(),
                    versions: e.target.describe(),
                    announced: e.announced.map(|d| d.to_string()),
                    sunset: e.sunset.to_string(),
                    days_left: e.days_left(today),
                    active: e.is_active(today),
                    reason: e.reason.clone(),
                    source: e.source.clone(),
                    replacement: e.replacement.clone(),
                    affected: affected.iter().map(|v| v.as_str().to_owned()).collect(),
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.sunset, a.entry).cmp(&(&b.sunset, b.entry)));
        out
    }

    /// The entries in force whose sunset is `within` days away or less (not past) and that match a version of
    /// `catalog`: what the reports' "Sunsets within N days" section lists.
    pub fn sunsets_within(
        &self,
        catalog: &crate::store::Catalog,
        within: i64,
        today: NaiveDate,
    ) -> Vec<Declared> {
        self.declared(catalog, None, today)
            .into_iter()
            .filter(|d| d.active && (0..=within).contains(&d.days_left) && !d.affected.is_empty())
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    deprecation: Vec<toml::Spanned<toml::Table>>,
}

/// Parses and checks the text of a policy file; every problem is reported at once, each naming the entry
/// (`deprecation[2]`, counted from 1 like the findings that cite it), its line and the key.
pub fn parse(display: &str, text: &str) -> Result<Vec<Entry>> {
    let document: Document = toml::from_str(text).map_err(|e| PolicyError::Toml {
        path: display.to_owned(),
        message: cut_lines(e.to_string().trim_end(), MAX_QUOTED_CHARS),
    })?;
    let lines = LineIndex::new(text);
    let mut entries = Vec::with_capacity(document.deprecation.len());
    let mut problems = Vec::new();
    for (i, spanned) in document.deprecation.into_iter().enumerate() {
        let index = i + 1;
        let line = lines.line_of(spanned.span().start);
        let table = spanned.into_inner();
        if let Some(entry) = parse_entry(index, line, &table, &mut problems) {
            entries.push(entry);
        }
    }
    if problems.is_empty() {
        return Ok(entries);
    }
    if problems.len() > PROBLEMS_SHOWN {
        let more = problems.len() - PROBLEMS_SHOWN;
        problems.truncate(PROBLEMS_SHOWN);
        problems.push(format!("… and {more} more"));
    }
    Err(PolicyError::Invalid {
        path: display.to_owned(),
        problems,
    })
}

/// One entry, or `None` after pushing its problems.
fn parse_entry(
    index: usize,
    line: usize,
    table: &toml::Table,
    problems: &mut Vec<String>,
) -> Option<Entry> {
    let before = problems.len();
    let key = |name: &str| format!("`deprecation[{index}].{name}` (line {line})");
    for name in table.keys() {
        if !KEYS.contains(&name.as_str()) {
            problems.push(format!(
                "{}: unknown key (known keys: {})",
                key(&cut(name, MAX_QUOTED_CHARS)),
                KEYS.join(", ")
            ));
        }
    }
    let text = |name: &str, required: bool, problems: &mut Vec<String>| -> Option<String> {
        match table.get(name) {
            None if required => {
                problems.push(format!("{}: missing (it is required)", key(name)));
                None
            }
            None => None,
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(toml::Value::String(_)) => {
                problems.push(format!("{}: is empty", key(name)));
                None
            }
            Some(other) => {
                problems.push(format!(
                    "{}: expected a string, found {}",
                    key(name),
                    toml_kind(other)
                ));
                None
            }
        }
    };
    let connector = text("connector", true, problems);
    let reason = text("reason", true, problems);
    let source = text("source", false, problems);
    let versions = text("versions", false, problems);
    let service_versions = text("service_versions", false, problems);
    let target = match (versions, service_versions) {
        (Some(v), None) => match v.parse() {
            Ok(r) => Some(Target::Versions(r)),
            Err(why) => {
                problems.push(format!("{}: {why}", key("versions")));
                None
            }
        },
        (None, Some(v)) => match Requirement::parse_service(&v) {
            Ok(r) => Some(Target::ServiceVersions(r)),
            Err(why) => {
                problems.push(format!("{}: {why}", key("service_versions")));
                None
            }
        },
        (Some(_), Some(_)) => {
            problems.push(format!(
                "{}: give `versions` or `service_versions`, not both (use two entries)",
                key("versions")
            ));
            None
        }
        (None, None)
            if !table.contains_key("versions") && !table.contains_key("service_versions") =>
        {
            problems.push(format!(
                "{}: missing: give `versions` (e.g. \"<10.0\", or \"*\" for every version) or `service_versions` \
                 (e.g. \"<4\")",
                key("versions")
            ));
            None
        }
        (None, None) => None,
    };
    let mut date = |name: &str, required: bool| -> Option<NaiveDate> {
        match table.get(name) {
            None if required => {
                problems.push(format!(
                    "{}: missing (it is required; a date like 2027-03-01)",
                    key(name)
                ));
                None
            }
            None => None,
            Some(value) => match date_of(value) {
                Some(date) => Some(date),
                None => {
                    problems.push(format!(
                        "{}: expected a date like 2027-03-01, found {}",
                        key(name),
                        cut(&value.to_string(), MAX_QUOTED_CHARS)
                    ));
                    None
                }
            },
        }
    };
    let sunset = date("sunset", true);
    let announced = date("announced", false);
    if let (Some(sunset), Some(announced)) = (sunset, announced)
        && announced > sunset
    {
        problems.push(format!(
            "{}: {announced} is after the sunset {sunset}",
            key("announced")
        ));
    }
    let replacement = match table.get("replacement") {
        None => None,
        Some(toml::Value::Table(t)) => replacement_of(t, &key("replacement"), problems),
        Some(other) => {
            problems.push(format!(
                "{}: expected a table {{ connector = \"…\", version = \"…\" }}, found {}",
                key("replacement"),
                toml_kind(other)
            ));
            None
        }
    };
    if problems.len() > before {
        return None;
    }
    Some(Entry {
        index,
        line,
        connector: connector?,
        target: target?,
        sunset: sunset?,
        announced,
        reason: reason?,
        source,
        replacement,
    })
}

fn replacement_of(
    table: &toml::Table,
    key: &str,
    problems: &mut Vec<String>,
) -> Option<Replacement> {
    let before = problems.len();
    for name in table.keys() {
        if name != "connector" && name != "version" {
            problems.push(format!(
                "{key}: unknown key `{}` (known keys: connector, version)",
                cut(name, MAX_QUOTED_CHARS)
            ));
        }
    }
    let connector = match table.get("connector") {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        other => {
            problems.push(format!(
                "{key}: `connector` must be a non-empty string, found {}",
                other.map_or("nothing", toml_kind)
            ));
            None
        }
    };
    let version = match table.get("version") {
        Some(toml::Value::String(s)) if s.parse::<Version>().is_ok() => Some(s.clone()),
        Some(toml::Value::String(s)) => {
            problems.push(format!(
                "{key}: `version` {:?} is not a \"major.minor\" version",
                cut(s, MAX_QUOTED_CHARS)
            ));
            None
        }
        other => {
            problems.push(format!(
                "{key}: `version` must be a string such as \"10.0\", found {}",
                other.map_or("nothing", toml_kind)
            ));
            None
        }
    };
    if problems.len() > before {
        return None;
    }
    Some(Replacement {
        connector: connector?,
        version: version?,
    })
}

/// A TOML local date (`2027-03-01`), or a string spelling one.
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

/// `--today` / `TRAYSCOPE_TODAY`: a date as `YYYY-MM-DD` (for tests and for rehearsing a date ahead).
pub fn parse_today(text: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date: expected YYYY-MM-DD, such as 2027-03-01"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    fn req(s: &str) -> Requirement {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn requirements_compare_versions_numerically() {
        let below_ten = req("<10.0");
        assert!(below_ten.matches(&v("9.1")));
        assert!(below_ten.matches(&v("9.10")));
        assert!(!below_ten.matches(&v("10.0")));
        assert!(!below_ten.matches(&v("10.1")));
        assert!(req(">9.9").matches(&v("9.10")));
        assert!(req("=9.1").matches(&v("9.1")));
        assert!(!req("=9.1").matches(&v("9.10")));
        assert!(req("=9.0").matches(&v("9.00")), "one number, two spellings");
        assert!(req("<=8.7").matches(&v("8.7")));
        assert!(req(">=8.7").matches(&v("8.7")));
        assert!(req("*").matches(&v("1.0")) && req(" * ").matches(&v("99.9")));
    }

    #[test]
    fn every_comparator_of_a_range_must_hold() {
        let range = req(">=8.0, <8.7");
        assert!(range.matches(&v("8.0")));
        assert!(range.matches(&v("8.6")));
        assert!(!range.matches(&v("8.7")));
        assert!(!range.matches(&v("7.9")));
        assert_eq!(range.as_str(), ">=8.0, <8.7");
    }

    #[test]
    fn a_bad_requirement_says_what_was_expected() {
        for bad in [
            "",
            "10.0",
            "<",
            "<ten",
            "<10.0,",
            "~10.0",
            "<10.0; >8",
            "**",
            ">= 8.0 <9",
        ] {
            let err = bad.parse::<Requirement>().unwrap_err();
            assert!(
                err.contains("expected \"*\" or comparators"),
                "{bad:?}: {err}"
            );
        }
        assert!(
            Requirement::parse_service("<4.5")
                .unwrap_err()
                .contains("whole numbers")
        );
        assert!(Requirement::parse_service(">=2, <4").is_ok());
    }

    const GOOD: &str = r#"
[[deprecation]]
connector = "google-sheets"
versions = "<10.0"
sunset = 2027-03-01
announced = 2026-11-01
reason = "Google Sheets API v3 shutdown"
source = "https://tray.io/documentation/release-notes"
replacement = { connector = "google-sheets-v4", version = "1.0" }

[[deprecation]]
connector = "twilio-output"
service_versions = "<4"
sunset = "2027-06-30"
reason = "Twilio API 2010 retired"
"#;

    #[test]
    fn a_full_file_parses() {
        let entries = parse("d.toml", GOOD).unwrap();
        assert_eq!(entries.len(), 2);
        let sheets = &entries[0];
        assert_eq!((sheets.index, sheets.line), (1, 2));
        assert_eq!(sheets.sunset, day("2027-03-01"));
        assert_eq!(sheets.announced, Some(day("2026-11-01")));
        assert_eq!(
            sheets.replacement,
            Some(Replacement {
                connector: "google-sheets-v4".into(),
                version: "1.0".into()
            })
        );
        assert!(sheets.matches("google-sheets", &v("9.1"), Some(3)));
        assert!(!sheets.matches("google-sheets", &v("10.0"), Some(3)));
        assert!(!sheets.matches("google-sheets-v4", &v("9.1"), Some(3)));
        let twilio = &entries[1];
        assert_eq!(twilio.line, 11);
        assert!(twilio.matches("twilio-output", &v("2.1"), Some(3)));
        assert!(!twilio.matches("twilio-output", &v("2.1"), Some(4)));
        assert!(
            !twilio.matches("twilio-output", &v("2.1"), None),
            "a version gone from the catalog has no service version to match"
        );
    }

    #[test]
    fn an_entry_is_in_force_from_its_announcement_and_retires_after_its_sunset() {
        let entries = parse("d.toml", GOOD).unwrap();
        let sheets = &entries[0];
        assert!(!sheets.is_active(day("2026-10-31")));
        assert!(sheets.is_active(day("2026-11-01")));
        assert_eq!(sheets.days_left(day("2027-02-27")), 2);
        assert!(!sheets.is_past_sunset(day("2027-03-01")));
        assert_eq!(sheets.days_left(day("2027-03-01")), 0);
        assert!(sheets.is_past_sunset(day("2027-03-02")));
        assert_eq!(sheets.days_left(day("2027-03-02")), -1);
        assert!(
            entries[1].is_active(day("2000-01-01")),
            "no announcement: always in force"
        );
    }

    #[test]
    fn the_earliest_sunset_among_active_entries_decides() {
        let text = r#"
[[deprecation]]
connector = "slack"
versions = "*"
sunset = 2028-01-01
reason = "late"
[[deprecation]]
connector = "slack"
versions = "<9.0"
sunset = 2027-01-01
reason = "early"
[[deprecation]]
connector = "slack"
versions = "<9.0"
sunset = 2026-01-01
announced = 2025-12-01
reason = "not announced yet in the test"
"#;
        let policy = Policy {
            path: "d.toml".into(),
            display: "d.toml".into(),
            entries: parse("d.toml", text).unwrap(),
        };
        let at = |version: &str, today: &str| {
            policy
                .entry_for("slack", &v(version), Some(1), day(today))
                .map(|e| e.reason.as_str())
        };
        assert_eq!(at("8.1", "2025-06-01"), Some("early"));
        assert_eq!(
            at("8.1", "2025-12-01"),
            Some("not announced yet in the test")
        );
        assert_eq!(at("9.1", "2025-06-01"), Some("late"));
        assert_eq!(
            policy.entry_for("jira", &v("1.0"), None, day("2025-06-01")),
            None
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_naming_entry_and_key() {
        let text = r#"
[[deprecation]]
connector = "slack"
versions = "~9"
sunset = "2027-02-30"
reason = "r"
colour = "red"

[[deprecation]]
versions = "<2.0"
service_versions = "<3"
reason = ""
announced = 2027-05-01
sunset = 2027-01-01

[[deprecation]]
connector = "jira"
service_versions = "<3.5"
replacement = { connector = "jira-cloud", version = "latest", extra = 1 }
"#;
        let err = parse("d.toml", text).unwrap_err().to_string();
        for needle in [
            "deprecation policy d.toml: 12 problems",
            "`deprecation[1].versions` (line 2): \"~9\" in \"~9\" has no comparison",
            "`deprecation[1].sunset` (line 2): expected a date like 2027-03-01, found \"2027-02-30\"",
            "`deprecation[1].colour` (line 2): unknown key",
            "`deprecation[2].connector` (line 9): missing",
            "`deprecation[2].reason` (line 9): is empty",
            "`deprecation[2].versions` (line 9): give `versions` or `service_versions`, not both",
            "`deprecation[2].announced` (line 9): 2027-05-01 is after the sunset 2027-01-01",
            "`deprecation[3].service_versions` (line 16): service versions are whole numbers",
            "`deprecation[3].sunset` (line 16): missing",
            "`deprecation[3].reason` (line 16): missing",
            "`deprecation[3].replacement` (line 16): unknown key `extra`",
        ] {
            assert!(err.contains(needle), "{needle:?} missing from:\n{err}");
        }
    }

    #[test]
    fn a_version_requirement_is_required_and_unknown_tables_are_refused() {
        let err = parse(
            "d.toml",
            "[[deprecation]]\nconnector = \"a\"\nsunset = 2027-01-01\nreason = \"r\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`deprecation[1].versions` (line 1): missing"),
            "{err}"
        );
        let err = parse("d.toml", "[[deprecations]]\nconnector = \"a\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not valid TOML") && err.contains("deprecations"),
            "{err}"
        );
    }

    #[test]
    fn today_parses_a_plain_date_only() {
        assert_eq!(parse_today("2027-03-01"), Ok(day("2027-03-01")));
        assert!(parse_today("2027-3-1x").is_err());
        assert!(parse_today("tomorrow").unwrap_err().contains("YYYY-MM-DD"));
    }
}
