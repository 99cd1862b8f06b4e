//! Running a search: which connector version states are in scope (snapshot, connector, version, newest only), the
//! query over them, and a highlighted snippet for each hit shown, cut from the operation's JSON in the store.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;
use tantivy::collector::{Count, FilterCollector, TopDocs};
use tantivy::columnar::ColumnValues;
use tantivy::schema::Value as _;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocId, Score, SegmentReader, TantivyDocument};

use super::query::{self, QueryError};
use super::text::{OperationMeta, schema_fields};
use super::{IndexError, Manifest, Member, Result, SearchIndex, tokenizer};
use crate::model::Version;
use crate::store::{BlobId, Store};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 160;

/// Which versions of each connector a search looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionScope {
    /// Only the newest version of each connector (the default).
    Newest,
    /// Every version.
    All,
    /// Only this version.
    Exactly(Version),
}

/// One search.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    pub query: &'a str,
    /// A complete snapshot; `None` = the newest one the index covers.
    pub snapshot: Option<i64>,
    pub connector: Option<&'a str>,
    pub versions: VersionScope,
    pub limit: usize,
}

/// Text with the byte ranges that matched the query.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Highlighted {
    pub text: String,
    pub ranges: Vec<Range<usize>>,
}

/// One operation that matched.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    pub connector: String,
    pub version: String,
    pub operation: String,
    pub title: String,
    pub score: f32,
    pub snippet: Highlighted,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchResults {
    pub snapshot: i64,
    /// Every matching operation in scope, not only the hits returned.
    pub total: usize,
    /// Best first.
    pub hits: Vec<Hit>,
    /// The words of the query (as typed, lower-cased) that no operation in scope matches, even with the typo and
    /// prefix tolerance of the search: the hits match only the other words. Empty when every word matched. Words
    /// excluded with `-` and question words the search dropped are never listed.
    pub unmatched_terms: Vec<String>,
}

/// Checks a query's syntax without an index, so a bad query is reported before anything is opened.
pub fn check_query(text: &str) -> Result<(), QueryError> {
    query::parse(text).map(|_| ())
}

impl SearchIndex {
    /// Runs `request`. `store` supplies the membership of snapshots other than the newest indexed one and the
    /// text snippets are cut from.
    pub fn search(&self, store: &mut Store, request: &SearchRequest<'_>) -> Result<SearchResults> {
        let parsed = query::parse(request.query)?;
        let older;
        let manifest: &Manifest = match request.snapshot {
            None => &self.manifest,
            Some(id) if id == self.manifest.snapshot => &self.manifest,
            Some(id) => {
                if id > self.manifest.snapshot {
                    // Reports a missing or incomplete snapshot as such, before saying the index lags.
                    store.complete_snapshot(Some(id))?;
                    return Err(IndexError::NotCovered {
                        indexed: self.manifest.snapshot,
                        wanted: id,
                    });
                }
                older = Manifest::of(&store.catalog(id)?);
                &older
            }
        };
        let members = scope(manifest, request)?;
        let by_state: HashMap<u64, &Member> =
            members.iter().map(|m| (m.state() as u64, *m)).collect();
        let searcher = self.reader.searcher();
        let compiled = parsed
            .compile(&self.fields, &searcher)
            .map_err(self.tantivy_error())?;
        let Some(compiled) = compiled else {
            return Err(QueryError::Empty {
                query: request.query.to_owned(),
            }
            .into());
        };
        let allowed: Arc<HashSet<u64>> = Arc::new(by_state.keys().copied().collect());
        // Equal scores: the newest version first, then a fixed order, so results never depend on segment layout.
        let top =
            TopDocs::with_limit(request.limit.max(1)).tweak_score(|segment: &SegmentReader| {
                let column = |name: &str| {
                    segment
                        .fast_fields()
                        .u64(name)
                        .ok()
                        .map(|c| c.first_or_default_col(0))
                };
                let version_key = column("version_key");
                let state = column("state");
                let position = column("position");
                move |doc: DocId, score: Score| {
                    let value = |c: &Option<Arc<dyn ColumnValues<u64>>>| {
                        c.as_ref().map_or(0, |c| c.get_val(doc))
                    };
                    (
                        score,
                        value(&version_key),
                        value(&state),
                        u64::MAX - value(&position),
                    )
                }
            });
        let in_scope = allowed.clone();
        let collector = FilterCollector::new(
            "state".to_owned(),
            move |state: u64| allowed.contains(&state),
            (Count, top),
        );
        let (total, top_docs) = searcher
            .search(compiled.query.as_ref(), &collector)
            .map_err(self.tantivy_error())?;
        let unmatched_terms = self.unmatched(&searcher, &compiled.wanted, &in_scope)?;
        let mut snippets = Snippets::new(compiled.highlight);
        let mut hits = Vec::with_capacity(top_docs.len());
        for ((score, ..), address) in top_docs {
            hits.push(self.hit(&searcher, address, score, &by_state, store, &mut snippets)?);
        }
        Ok(SearchResults {
            snapshot: manifest.snapshot,
            total,
            hits,
            unmatched_terms,
        })
    }

    /// The wanted words that match nothing among the states in scope: one count per word, with the word's own
    /// query (its near-misses and prefix included), so a word counts as found exactly when the search could have
    /// matched it.
    fn unmatched(
        &self,
        searcher: &tantivy::Searcher,
        wanted: &[query::Wanted],
        allowed: &Arc<HashSet<u64>>,
    ) -> Result<Vec<String>> {
        let mut unmatched = Vec::new();
        for word in wanted {
            let allowed = allowed.clone();
            let in_scope = FilterCollector::new(
                "state".to_owned(),
                move |state: u64| allowed.contains(&state),
                Count,
            );
            let found = searcher
                .search(word.query.as_ref(), &in_scope)
                .map_err(self.tantivy_error())?;
            if found == 0 {
                unmatched.push(word.text.clone());
            }
        }
        Ok(unmatched)
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: Score,
        by_state: &HashMap<u64, &Member>,
        store: &mut Store,
        snippets: &mut Snippets,
    ) -> Result<Hit> {
        let doc: TantivyDocument = searcher.doc(address).map_err(self.tantivy_error())?;
        let f = &self.fields;
        let number = |field| doc.get_first(field).and_then(|v| v.as_u64());
        let corrupt = |what: &str| IndexError::Unusable {
            path: self.dir.clone(),
            why: format!("a document has no {what}"),
        };
        let state = number(f.state).ok_or_else(|| corrupt("state"))?;
        let member = by_state.get(&state).ok_or_else(|| corrupt("known state"))?;
        let blob = |field, what| {
            number(field)
                .map(|id| id as BlobId)
                .ok_or_else(|| corrupt(what))
        };
        let meta = blob(f.meta_blob, "meta blob")?;
        let input = blob(f.input_blob, "input schema blob")?;
        let output = blob(f.output_blob, "output schema blob")?;
        let (title, snippet) = snippets.describe(store, meta, input, output)?;
        Ok(Hit {
            connector: member.connector().to_owned(),
            version: member.version().to_owned(),
            operation: doc
                .get_first(f.operation_name)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned(),
            title,
            score,
            snippet,
        })
    }
}

/// The states a request may return, from the snapshot's members and the connector and version filters.
fn scope<'m>(manifest: &'m Manifest, request: &SearchRequest<'_>) -> Result<Vec<&'m Member>> {
    let mut members: Vec<&Member> = manifest.members.iter().collect();
    if let Some(name) = request.connector {
        members.retain(|m| m.connector() == name);
        if members.is_empty() {
            return Err(IndexError::UnknownConnector {
                snapshot: manifest.snapshot,
                name: name.to_owned(),
            });
        }
    }
    match &request.versions {
        VersionScope::All => {}
        VersionScope::Newest => members.retain(|m| m.latest()),
        VersionScope::Exactly(version) => {
            let known: Vec<&str> = {
                let mut v: Vec<&Member> = members.clone();
                v.sort_by_key(|m| m.version().parse::<Version>().ok());
                let mut seen = Vec::new();
                for m in v {
                    if !seen.contains(&m.version()) {
                        seen.push(m.version());
                    }
                }
                seen
            };
            members.retain(|m| m.version().parse::<Version>().ok().as_ref() == Some(version));
            if members.is_empty() {
                let what = match request.connector {
                    Some(name) => format!("version {version} of {name}"),
                    None => format!("connector at version {version}"),
                };
                let known = if known.len() > 20 {
                    format!("{} and {} more", known[..20].join(", "), known.len() - 20)
                } else {
                    known.join(", ")
                };
                return Err(IndexError::UnknownVersion {
                    snapshot: manifest.snapshot,
                    what,
                    known,
                });
            }
        }
    }
    Ok(members)
}

/// Builds snippets for hits: the candidate texts of an operation (its description, its schema fields, their
/// descriptions), and of those the one where the most query words matched.
struct Snippets {
    generator: SnippetGenerator,
    metas: HashMap<BlobId, OperationMeta>,
    schemas: HashMap<BlobId, Value>,
}

impl Snippets {
    fn new(highlight: BTreeMap<String, f32>) -> Snippets {
        // The field is only used by `snippet_from_doc`, which is not called.
        let unused_field = tantivy::schema::Field::from_field_id(0);
        Snippets {
            generator: SnippetGenerator::new(
                highlight,
                tokenizer::analyzer(),
                unused_field,
                SNIPPET_CHARS,
            ),
            metas: HashMap::new(),
            schemas: HashMap::new(),
        }
    }

    /// The operation's title, and the snippet where the most query words matched.
    fn describe(
        &mut self,
        store: &mut Store,
        meta: BlobId,
        input: BlobId,
        output: BlobId,
    ) -> Result<(String, Highlighted)> {
        let OperationMeta { title, description } = match self.metas.entry(meta) {
            Entry::Occupied(known) => known.get().clone(),
            Entry::Vacant(slot) => slot
                .insert(OperationMeta::from_json(&store.json(meta)?))
                .clone(),
        };
        let (mut best, mut best_words) = self.highlight(&description);
        for candidate in [Candidate::FieldNames, Candidate::FieldDocs] {
            let text = self.schema_text(store, candidate, input, output)?;
            let (snippet, words) = self.highlight(&text);
            if words > best_words {
                best = snippet;
                best_words = words;
            }
        }
        if best_words == 0 {
            best = Highlighted {
                text: truncate(&description, SNIPPET_CHARS),
                ranges: Vec::new(),
            };
        }
        Ok((title, best))
    }

    /// The best fragment of `text`, and how many different query words it shows.
    fn highlight(&self, text: &str) -> (Highlighted, usize) {
        let snippet = self.generator.snippet(text);
        let fragment = snippet.fragment();
        let words: HashSet<String> = snippet
            .highlighted()
            .iter()
            .filter_map(|r| fragment.get(r.clone()))
            .map(str::to_lowercase)
            .collect();
        let highlighted = Highlighted {
            text: fragment.to_owned(),
            ranges: merge_touching(fragment, snippet.highlighted()),
        };
        (highlighted, words.len())
    }

    fn schema(&mut self, store: &mut Store, blob: BlobId) -> Result<&Value> {
        Ok(match self.schemas.entry(blob) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(store.json(blob)?),
        })
    }

    fn schema_text(
        &mut self,
        store: &mut Store,
        candidate: Candidate,
        input: BlobId,
        output: BlobId,
    ) -> Result<String> {
        let mut parts = Vec::new();
        for (label, blob) in [("input", input), ("output", output)] {
            let fields = schema_fields(self.schema(store, blob)?);
            let items: Vec<String> = fields
                .into_iter()
                .filter_map(|field| match candidate {
                    Candidate::FieldNames => Some(match field.title {
                        Some(title) => format!("{} ({title})", field.path),
                        None => field.path,
                    }),
                    Candidate::FieldDocs => {
                        field.description.map(|d| format!("{}: {d}", field.path))
                    }
                })
                .collect();
            if !items.is_empty() {
                let separator = match candidate {
                    Candidate::FieldNames => ", ",
                    Candidate::FieldDocs => "; ",
                };
                parts.push(format!("{label} {}", items.join(separator)));
            }
        }
        Ok(parts.join(" | "))
    }
}

#[derive(Debug, Clone, Copy)]
enum Candidate {
    FieldNames,
    FieldDocs,
}

/// Highlights of the words of one identifier become one: `statement` + `Handle` of `statementHandle`, and
/// `external`, `id`, `field` of `external_id_field` (joined by `_`, `.` or `-` only).
fn merge_touching(text: &str, ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        let joined = |last: &Range<usize>| {
            last.end <= range.start
                && text
                    .get(last.end..range.start)
                    .is_some_and(|gap| gap.chars().all(|c| matches!(c, '_' | '.' | '-')))
        };
        match out.last_mut() {
            Some(last) if joined(last) => last.end = range.end,
            _ => out.push(range.clone()),
        }
    }
    out
}

/// At most `max` characters of `text`, cut at a word boundary with `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_of_one_identifier_merge() {
        let text = "statementHandle and external_id_field";
        assert_eq!(
            merge_touching(text, &[0..9, 9..15, 20..28, 29..31, 32..37]),
            vec![0..15, 20..37]
        );
        assert_eq!(merge_touching("a b", &[0..1, 2..3]), vec![0..1, 2..3]);
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        assert_eq!(truncate("send a message now", 12), "send a…");
        assert_eq!(truncate("short", 12), "short");
    }
}
