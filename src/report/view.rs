//! How a diff report is laid out for people, shared by the Markdown, HTML and text renderers so that they show the
//! same counts under the same labels, the same sections, and the same grouping and folding:
//!
//! - the headline counts and each section's count come from the report's [`Summary`], defined once here;
//! - within a section, changes are grouped by connector, most severe connector first;
//! - one schema change (same direction, kind, pointer, old and new value) found in many operations, in one
//!   version or several, is one entry naming every place; operations added or removed from one version are one
//!   entry; identical text diffs are shown once.
//!
//! This module arranges; it never decides a verdict (those are in [`crate::diff`]).

use std::collections::{BTreeMap, HashMap};

use crate::diff::{Change, Code, Direction, Report, SchemaChange, Severity, Summary, Sunset};
use crate::policy::Replacement;

/// One headline number, with the label every view shows for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    /// The key of the number in the JSON `summary`.
    pub key: &'static str,
    /// The label for any number but one (`operations changed`).
    pub label: &'static str,
    /// The label for one (`operation changed`).
    pub one: &'static str,
    pub n: u64,
    /// A breakdown shown next to the number (`77 breaking`), when there is one.
    pub detail: Option<String>,
}

/// The headline: every count a report shows, in display order. The Markdown headline, the HTML cards and chart,
/// the section headings and `index.html` rows all take their numbers from here.
pub fn headline(summary: &Summary) -> Vec<Count> {
    let count = |code: Code| summary.count(code);
    let changed = count(Code::OperationChanged);
    vec![
        Count {
            key: "breaking_changes",
            label: "breaking changes",
            one: "breaking change",
            n: summary.breaking_changes,
            detail: None,
        },
        Count {
            key: "operation-changed",
            label: "operations changed",
            one: "operation changed",
            n: changed,
            detail: (changed > 0).then(|| format!("{} breaking", summary.breaking)),
        },
        Count {
            key: "operation-removed",
            label: "operations removed",
            one: "operation removed",
            n: count(Code::OperationRemoved),
            detail: None,
        },
        Count {
            key: "operation-added",
            label: "operations added",
            one: "operation added",
            n: count(Code::OperationAdded),
            detail: None,
        },
        Count {
            key: "connector-added",
            label: "new connectors",
            one: "new connector",
            n: count(Code::ConnectorAdded),
            detail: None,
        },
        Count {
            key: "connector-version-added",
            label: "new versions",
            one: "new version",
            n: count(Code::ConnectorVersionAdded),
            detail: None,
        },
        Count {
            key: "service-version-added",
            label: "new service versions",
            one: "new service version",
            n: count(Code::ServiceVersionAdded),
            detail: None,
        },
        Count {
            key: "connector-version-deprecated",
            label: "deprecated versions",
            one: "deprecated version",
            n: count(Code::ConnectorVersionDeprecated),
            detail: None,
        },
        Count {
            key: "connector-version-removed",
            label: "retired versions",
            one: "retired version",
            n: count(Code::ConnectorVersionRemoved),
            detail: None,
        },
        Count {
            key: "connector-removed",
            label: "retired connectors",
            one: "retired connector",
            n: count(Code::ConnectorRemoved),
            detail: None,
        },
    ]
}

impl Count {
    /// The label that goes with the number: `1 operation changed`, `2 operations changed`.
    pub fn label_for_n(&self) -> &'static str {
        if self.n == 1 { self.one } else { self.label }
    }
}

/// `12 operations changed (3 breaking)`, or `1 operation removed`.
pub fn count_text(count: &Count) -> String {
    match &count.detail {
        Some(detail) => format!("{} {} ({detail})", count.n, count.label_for_n()),
        None => format!("{} {}", count.n, count.label_for_n()),
    }
}

/// The sections of a report, in the order every format uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionId {
    Breaking,
    Services,
    Deprecated,
    Retired,
    New,
    Other,
}

impl SectionId {
    pub const ALL: [SectionId; 6] = [
        SectionId::Breaking,
        SectionId::Services,
        SectionId::Deprecated,
        SectionId::Retired,
        SectionId::New,
        SectionId::Other,
    ];

    pub fn id(self) -> &'static str {
        match self {
            SectionId::Breaking => "breaking",
            SectionId::Services => "services",
            SectionId::Deprecated => "deprecated",
            SectionId::Retired => "retired",
            SectionId::New => "new",
            SectionId::Other => "other",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SectionId::Breaking => "Breaking changes",
            SectionId::Services => "New service versions",
            SectionId::Deprecated => "Deprecated connector versions",
            SectionId::Retired => "Retired connectors and versions",
            SectionId::New => "New connectors and versions",
            SectionId::Other => "Other changes",
        }
    }

    /// Whether `change` belongs in this section. Each change belongs in exactly one.
    pub fn holds(self, change: &Change) -> bool {
        match self {
            SectionId::Breaking => change.is_breaking_change(),
            SectionId::Services => change.code == Code::ServiceVersionAdded,
            SectionId::Deprecated => change.code == Code::ConnectorVersionDeprecated,
            SectionId::Retired => matches!(
                change.code,
                Code::ConnectorRemoved | Code::ConnectorVersionRemoved
            ),
            SectionId::New => matches!(
                change.code,
                Code::ConnectorAdded | Code::ConnectorVersionAdded
            ),
            SectionId::Other => {
                change.code == Code::OperationAdded
                    || (change.code == Code::OperationChanged && !change.is_breaking_change())
            }
        }
    }

    /// The section's total and its breakdown, in the headline's labels, from the summary.
    pub fn counts(self, summary: &Summary) -> (u64, Vec<String>) {
        let n = |code: Code| summary.count(code);
        let parts: Vec<(u64, &str, &str)> = match self {
            SectionId::Breaking => vec![
                (
                    summary.breaking,
                    "operation changed in a breaking way",
                    "operations changed in a breaking way",
                ),
                (
                    n(Code::OperationRemoved),
                    "operation removed",
                    "operations removed",
                ),
            ],
            SectionId::Services => vec![(
                n(Code::ServiceVersionAdded),
                "new service version",
                "new service versions",
            )],
            SectionId::Deprecated => vec![(
                n(Code::ConnectorVersionDeprecated),
                "deprecated version",
                "deprecated versions",
            )],
            SectionId::Retired => vec![
                (
                    n(Code::ConnectorVersionRemoved),
                    "retired version",
                    "retired versions",
                ),
                (
                    n(Code::ConnectorRemoved),
                    "retired connector",
                    "retired connectors",
                ),
            ],
            SectionId::New => vec![
                (n(Code::ConnectorAdded), "new connector", "new connectors"),
                (
                    n(Code::ConnectorVersionAdded),
                    "new version",
                    "new versions",
                ),
            ],
            SectionId::Other => vec![
                (
                    n(Code::OperationChanged).saturating_sub(summary.breaking),
                    "operation changed without breaking",
                    "operations changed without breaking",
                ),
                (
                    n(Code::OperationAdded),
                    "operation added",
                    "operations added",
                ),
            ],
        };
        let total = parts.iter().map(|(n, _, _)| n).sum();
        let breakdown = parts
            .iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
            .collect();
        (total, breakdown)
    }
}

/// The policy's sunsets as every format shows them: a section of its own, not a change (nothing changed in the
/// catalog), placed where deprecations are read: after breaking changes and new service versions, before the
/// deprecated versions (or where they would be).
#[derive(Debug)]
pub struct SunsetsView<'a> {
    /// `Sunsets within 30 days (2)`.
    pub heading: String,
    /// `2 policy entries of deprecations.toml, as of 2027-02-15.`
    pub note: String,
    pub sunsets: &'a [Sunset],
}

/// The sunsets section's anchor in HTML.
pub const SUNSETS_ID: &str = "sunsets";

/// The sunsets section of `report`, when it has sunsets to show (a policy in effect with none near shows nothing,
/// like a section without changes).
pub fn sunsets(report: &Report) -> Option<SunsetsView<'_>> {
    let policy = report.policy.as_ref()?;
    if report.sunsets.is_empty() {
        return None;
    }
    let days = if policy.sunset_within == 1 {
        "1 day".to_owned()
    } else {
        format!("{} days", policy.sunset_within)
    };
    Some(SunsetsView {
        heading: format!("Sunsets within {days} ({})", report.sunsets.len()),
        note: format!(
            "{} of {}, as of {}.",
            match report.sunsets.len() {
                1 => "1 policy entry".to_owned(),
                n => format!("{n} policy entries"),
            },
            policy.file,
            policy.today
        ),
        sunsets: &report.sunsets,
    })
}

/// Whether the sunsets section comes before `section`.
pub fn sunsets_go_before(section: SectionId) -> bool {
    !matches!(section, SectionId::Breaking | SectionId::Services)
}

/// `14 days left`, `1 day left`, `today`.
pub fn days_left_text(days_left: i64) -> String {
    match days_left {
        0 => "today".to_owned(),
        1 => "1 day left".to_owned(),
        n => format!("{n} days left"),
    }
}

/// `sheets-next 1.0`: where to move.
pub fn replacement_text(replacement: &Replacement) -> String {
    format!("{} {}", replacement.connector, replacement.version)
}

/// A policy's `source` when it is a plain `http(s)` URL that can be made a link as it is (no space, quote, bracket,
/// parenthesis or backslash for a renderer to get wrong); anything else is shown as text.
pub fn link_target(source: &str) -> Option<&str> {
    let scheme_ok = source.starts_with("https://") || source.starts_with("http://");
    let chars_ok = source
        .chars()
        .all(|c| c.is_ascii_graphic() && !"()<>[]{}\\`\"'".contains(c));
    (scheme_ok && chars_ok).then_some(source)
}

/// Where a folded change was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place<'a> {
    pub version: &'a str,
    pub operation: &'a str,
}

/// One line of a connector's changes in a section.
#[derive(Debug)]
pub enum Entry<'a> {
    /// A change shown as it is: a connector or version added, deprecated or retired, a new service version.
    Change(&'a Change),
    /// Operations of one version added or removed, named together.
    Operations {
        code: Code,
        severity: Severity,
        version: &'a str,
        operations: Vec<&'a str>,
    },
    /// One schema change, found in every one of its places.
    Schema(SchemaFold<'a>),
    /// Operations that changed without a schema change (title, description, …), with the fields that changed.
    Fields {
        fields: &'a [String],
        breaking: bool,
        places: Vec<Place<'a>>,
    },
}

impl Entry<'_> {
    /// Breaking entries first.
    fn rank(&self) -> u8 {
        match self {
            Entry::Operations { code, .. } if *code == Code::OperationRemoved => 0,
            Entry::Schema(fold) if fold.change.breaking => 0,
            Entry::Fields { breaking: true, .. } => 0,
            Entry::Change(change) if change.severity == Severity::Error => 0,
            _ => 1,
        }
    }
}

/// One schema change (the same direction, kind, values and message) and everywhere it was found: the operations,
/// and the pointers (one schema definition shared by many operations is often reached by different paths).
#[derive(Debug)]
pub struct SchemaFold<'a> {
    /// The first record of the change.
    pub change: &'a SchemaChange,
    /// Distinct pointers, in the order found.
    pub pointers: Vec<&'a str>,
    /// Distinct places, in the order found.
    pub places: Vec<Place<'a>>,
}

/// Folds schema changes: one [`SchemaFold`] per distinct change, in the order each was first found.
pub fn fold_schema_changes<'a>(
    items: impl IntoIterator<Item = (Place<'a>, &'a SchemaChange)>,
) -> Vec<SchemaFold<'a>> {
    let mut folds: Vec<SchemaFold<'a>> = Vec::new();
    let mut index: HashMap<SchemaKey<'a>, usize> = HashMap::new();
    for (place, change) in items {
        let i = *index.entry(SchemaKey::of(change)).or_insert_with(|| {
            folds.push(SchemaFold {
                change,
                pointers: Vec::new(),
                places: Vec::new(),
            });
            folds.len() - 1
        });
        let fold = &mut folds[i];
        if !fold.pointers.contains(&change.pointer.as_str()) {
            fold.pointers.push(&change.pointer);
        }
        if !fold.places.contains(&place) {
            fold.places.push(place);
        }
    }
    folds
}

/// The "N operations changed (K breaking)" label of an upgrade summary and the operations' names, or `None` when it
/// changes none.
pub fn upgrade_changed(upgrade: &crate::diff::Upgrade) -> Option<(String, Vec<String>)> {
    if upgrade.operations_changed.is_empty() {
        return None;
    }
    let names: Vec<String> = upgrade
        .operations_changed
        .iter()
        .map(|op| op.operation.clone())
        .collect();
    let breaking = upgrade
        .operations_changed
        .iter()
        .filter(|op| op.breaking)
        .count();
    let label = format!(
        "{} changed ({breaking} breaking)",
        super::plural(names.len() as u64, "operation")
    );
    Some((label, names))
}

/// The schema changes of an upgrade summary, folded (places name the operations; the version is the upgrade's).
pub fn fold_upgrade(upgrade: &crate::diff::Upgrade) -> Vec<SchemaFold<'_>> {
    fold_schema_changes(upgrade.operations_changed.iter().flat_map(|op| {
        op.schema_changes.iter().map(move |change| {
            (
                Place {
                    version: "",
                    operation: &op.operation,
                },
                change,
            )
        })
    }))
}

/// A text diff of one schema, and every operation whose diff is exactly this text.
#[derive(Debug)]
pub struct TextDiffGroup<'a> {
    pub direction: Direction,
    pub unified: &'a str,
    pub places: Vec<Place<'a>>,
}

/// One connector's changes in one section.
#[derive(Debug)]
pub struct ConnectorGroup<'a> {
    pub connector: &'a str,
    /// The most severe change's severity.
    pub worst: Severity,
    /// Changes of this connector in the section (before folding).
    pub changes: usize,
    /// Of them, breaking changes.
    pub breaking: usize,
    /// The versions concerned, in order.
    pub versions: Vec<&'a str>,
    pub entries: Vec<Entry<'a>>,
    pub text_diffs: Vec<TextDiffGroup<'a>>,
}

/// A section with its changes grouped by connector.
#[derive(Debug)]
pub struct SectionView<'a> {
    pub section: SectionId,
    pub total: u64,
    /// `77 operations changed, 6 operations removed`.
    pub breakdown: Vec<String>,
    pub connectors: Vec<ConnectorGroup<'a>>,
}

impl SectionView<'_> {
    pub fn heading(&self) -> String {
        format!("{} ({})", self.section.title(), self.total)
    }
}

/// Every non-empty section of `report`, its changes grouped by connector and folded.
pub fn sections(report: &Report) -> Vec<SectionView<'_>> {
    SectionId::ALL
        .into_iter()
        .filter_map(|section| {
            let changes: Vec<&Change> =
                report.changes.iter().filter(|c| section.holds(c)).collect();
            if changes.is_empty() {
                return None;
            }
            let (total, breakdown) = section.counts(&report.summary);
            Some(SectionView {
                section,
                total,
                breakdown,
                connectors: by_connector(&changes),
            })
        })
        .collect()
}

fn by_connector<'a>(changes: &[&'a Change]) -> Vec<ConnectorGroup<'a>> {
    let mut groups: BTreeMap<&'a str, Vec<&'a Change>> = BTreeMap::new();
    for change in changes {
        groups.entry(&change.connector).or_default().push(change);
    }
    let mut out: Vec<ConnectorGroup<'a>> = groups
        .into_iter()
        .map(|(connector, changes)| group(connector, &changes))
        .collect();
    out.sort_by(|a, b| {
        (b.worst, b.breaking, b.changes)
            .cmp(&(a.worst, a.breaking, a.changes))
            .then(a.connector.cmp(b.connector))
    });
    out
}

fn group<'a>(connector: &'a str, changes: &[&'a Change]) -> ConnectorGroup<'a> {
    let mut entries: Vec<Entry<'a>> = Vec::new();
    let mut operations: BTreeMap<(Code, &'a str), (Severity, Vec<&'a str>)> = BTreeMap::new();
    // Schema changes, folded below by what they are; the first place found decides the order.
    let mut schema: Vec<(Place<'a>, &'a SchemaChange)> = Vec::new();
    let mut fields: Vec<(&'a [String], bool, Vec<Place<'a>>)> = Vec::new();
    let mut diffs: Vec<TextDiffGroup<'a>> = Vec::new();
    let mut diff_index: HashMap<(Direction, &'a str), usize> = HashMap::new();
    let mut versions: Vec<&'a str> = Vec::new();
    for change in changes {
        let version = change.version.as_deref().unwrap_or("");
        if !version.is_empty() && !versions.contains(&version) {
            versions.push(version);
        }
        let place = Place {
            version,
            operation: change.operation.as_deref().unwrap_or(""),
        };
        match change.code {
            Code::OperationAdded | Code::OperationRemoved => {
                let entry = operations
                    .entry((change.code, version))
                    .or_insert((change.severity, Vec::new()));
                entry.0 = entry.0.max(change.severity);
                entry.1.push(place.operation);
            }
            Code::OperationChanged => {
                if change.schema_changes.is_empty() {
                    let breaking = change.breaking == Some(true);
                    match fields
                        .iter_mut()
                        .find(|(f, b, _)| *f == change.fields.as_slice() && *b == breaking)
                    {
                        Some((_, _, places)) => places.push(place),
                        None => fields.push((&change.fields, breaking, vec![place])),
                    }
                }
                for schema_change in &change.schema_changes {
                    schema.push((place, schema_change));
                }
                for diff in &change.text_diffs {
                    match diff_index.get(&(diff.direction, diff.unified.as_str())) {
                        Some(&i) => diffs[i].places.push(place),
                        None => {
                            diff_index.insert((diff.direction, &diff.unified), diffs.len());
                            diffs.push(TextDiffGroup {
                                direction: diff.direction,
                                unified: &diff.unified,
                                places: vec![place],
                            });
                        }
                    }
                }
            }
            _ => entries.push(Entry::Change(change)),
        }
    }
    for ((code, version), (severity, operations)) in operations {
        entries.push(Entry::Operations {
            code,
            severity,
            version,
            operations,
        });
    }
    for fold in fold_schema_changes(schema) {
        entries.push(Entry::Schema(fold));
    }
    for (fields, breaking, places) in fields {
        entries.push(Entry::Fields {
            fields,
            breaking,
            places,
        });
    }
    // Stable: within a rank, the order the changes came in (connector, version, code, operation).
    entries.sort_by_key(Entry::rank);
    ConnectorGroup {
        connector,
        worst: changes
            .iter()
            .map(|c| c.severity)
            .max()
            .unwrap_or(Severity::Note),
        changes: changes.len(),
        breaking: changes.iter().filter(|c| c.is_breaking_change()).count(),
        versions,
        entries,
        text_diffs: diffs,
    }
}

/// What makes two schema changes the same change: everything but the pointer (the place is what folding lists).
/// For a change that breaks nothing, the values are left out too: "`description` changed" at 40 places is one
/// entry, whatever the 40 descriptions say (the JSON report keeps every one).
#[derive(Debug, PartialEq, Eq, Hash)]
struct SchemaKey<'a> {
    direction: Direction,
    kind: String,
    breaking: bool,
    old: Option<String>,
    new: Option<String>,
    message: &'a str,
}

impl<'a> SchemaKey<'a> {
    fn of(change: &'a SchemaChange) -> SchemaKey<'a> {
        SchemaKey {
            direction: change.direction,
            kind: change.kind.to_string(),
            breaking: change.breaking,
            old: change
                .old
                .as_ref()
                .filter(|_| change.breaking)
                .map(ToString::to_string),
            new: change
                .new
                .as_ref()
                .filter(|_| change.breaking)
                .map(ToString::to_string),
            message: &change.message,
        }
    }
}

/// `document_classify (1.0)` style names for places: the version is named only when the places span several.
pub fn place_names<'a>(places: &[Place<'a>]) -> Vec<String> {
    let one_version = places.windows(2).all(|w| w[0].version == w[1].version);
    places
        .iter()
        .map(|p| {
            if one_version || p.version.is_empty() {
                p.operation.to_owned()
            } else {
                format!("{} ({})", p.operation, p.version)
            }
        })
        .collect()
}

/// What comes before the names of the places: `in 65 operations of 1.0:`, `in 3 operations of 1.0 and 2.0:`, or
/// for one place just `in`.
pub fn places_phrase(places: &[Place<'_>]) -> String {
    let mut versions: Vec<&str> = places.iter().map(|p| p.version).collect();
    versions.dedup();
    versions.sort_unstable();
    versions.dedup();
    let of = match versions.as_slice() {
        [] | [""] => String::new(),
        [one] => format!(" of {one}"),
        many => format!(" of {}", join_and(many)),
    };
    match places {
        [_] => "in".to_owned(),
        many => format!("in {} operations{of}:", many.len()),
    }
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A message split into text and `code` parts: the diff writes names between backticks, which Markdown shows as
/// code spans and HTML as `<code>`. A message with an odd number of backticks is all text.
pub fn message_parts(message: &str) -> Vec<(bool, &str)> {
    if message.matches('`').count() % 2 == 1 {
        return vec![(false, message)];
    }
    message
        .split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| (i % 2 == 1, part))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_split_into_text_and_code() {
        assert_eq!(
            message_parts("property `a` removed"),
            [(false, "property "), (true, "a"), (false, " removed")]
        );
        assert_eq!(message_parts("odd ` tick"), [(false, "odd ` tick")]);
    }

    #[test]
    fn places_are_phrased_by_how_many_and_which_versions() {
        let p = |version, operation| Place { version, operation };
        assert_eq!(places_phrase(&[p("1.0", "a")]), "in");
        assert_eq!(
            places_phrase(&[p("1.0", "a"), p("1.0", "b")]),
            "in 2 operations of 1.0:"
        );
        assert_eq!(
            places_phrase(&[p("1.0", "a"), p("2.0", "a"), p("1.0", "b")]),
            "in 3 operations of 1.0 and 2.0:"
        );
        assert_eq!(place_names(&[p("1.0", "a"), p("1.0", "b")]), ["a", "b"]);
        assert_eq!(
            place_names(&[p("1.0", "a"), p("2.0", "a")]),
            ["a (1.0)", "a (2.0)"]
        );
    }
}
