//! The full-text search index: a tantivy index over every operation of every connector version state, kept in
//! `<home>/index/`.
//!
//! It exists so that "which connector can send an SMS?" is answered in milliseconds, best match first, without
//! reading the catalog's schemas. It is a cache: everything in it can be rebuilt from the SQLite store, and it must
//! never hold anything the store does not, nor be treated as the source of truth about what a snapshot contains.
//!
//! One document per (connector version state, operation): a state is one distinct content of a (name, version)
//! (`connector_versions` row), so an unchanged connector version keeps its documents from night to night and a
//! re-crawl that changed nothing adds nothing. A snapshot is a set of states; which states the latest indexed
//! snapshot holds (and which are the newest version of their connector) travels in the commit payload, so a search
//! of the latest snapshot needs no catalog read. Only ids and short display fields are stored; long text is indexed,
//! not stored, and snippets are cut from the JSON in the store for the few hits shown.

mod build;
mod freshness;
mod live;
mod query;
mod search;
mod text;
pub mod tokenizer;

use std::path::{Path, PathBuf};

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, ReloadPolicy};

pub use build::{ForgetSummary, UpdateSummary, forget_states, rebuild, remove_leftovers, update};
pub use freshness::{
    AfterPrune, CurrentIndex, FreshnessError, Refresh, SEARCH_LOCK_WAIT, after_prune, open_current,
};
pub use live::{Committing, Feeder, LiveIndex};
pub use query::QueryError;
pub use search::{Highlighted, Hit, SearchRequest, SearchResults, VersionScope, check_query};
pub use text::{OperationMeta, SchemaField, schema_fields};

use crate::store::{Catalog, SnapshotInfo, StoreError};

/// Bumped whenever the schema, the tokenizer or the meaning of a field changes: an index of another format is
/// rebuilt, never read. 2: schema text follows percent-encoded and chained `$ref`s, and deeper nesting.
pub const FORMAT: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(
        "no search index at {path}; it is built by `trayscope crawl`, or run `trayscope index --rebuild`"
    )]
    Missing { path: PathBuf },
    #[error("the search index at {path} cannot be used ({why}); run `trayscope index --rebuild`")]
    Unusable { path: PathBuf, why: String },
    #[error("search index {path}: {source}")]
    Tantivy {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("snapshot {snapshot} has no connector named {name:?}")]
    UnknownConnector { snapshot: i64, name: String },
    #[error("snapshot {snapshot} has no {what} (versions there: {known})")]
    UnknownVersion {
        snapshot: i64,
        what: String,
        known: String,
    },
    #[error(
        "the search index covers snapshots up to {indexed}, not snapshot {wanted}; run `trayscope index` to bring it up to date"
    )]
    NotCovered { indexed: i64, wanted: i64 },
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;

/// The index schema, built once. Text fields are indexed, not stored (snippets come from the store); the stored
/// fields are the document's identity and the blob ids of its JSON; `state`, `position` and `version_key` are fast
/// fields for filtering and ordering.
///
/// A document's identity is (`state`, `operation_name`): one operation of one connector version state. A state's
/// operations never change (new content is a new state), so the unit of update is the state: `delete_term` on it,
/// then its documents added again.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    schema: Schema,
    /// The `connector_versions` row id.
    pub state: Field,
    /// The operation's position in its connector version, the last tie-break between equal scores.
    pub position: Field,
    /// `major << 16 | minor`, so that of equal scores the newest version comes first.
    pub version_key: Field,
    pub operation_name: Field,
    pub meta_blob: Field,
    pub input_blob: Field,
    pub output_blob: Field,
    /// The version string as one token (`9.1`), for `version:9.1` and queries that look like a version.
    pub version: Field,
    /// Searchable: connector name, title and service name.
    pub connector: Field,
    /// Searchable: operation name (split on `_`) and title.
    pub operation: Field,
    /// Searchable: the operation's description.
    pub description: Field,
    /// Searchable: input and output schema field paths and titles.
    pub field_names: Field,
    /// Searchable: schema field descriptions. The bulk of the text, so indexed without positions or frequencies
    /// (a phrase there matches as all of its words; a word repeated across a long schema counts once).
    pub field_docs: Field,
}

impl Fields {
    pub fn new() -> Fields {
        let mut builder = Schema::builder();
        let indexing = |option| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer::NAME)
                    .set_index_option(option),
            )
        };
        let words = indexing(IndexRecordOption::WithFreqsAndPositions);
        let state = builder.add_u64_field("state", INDEXED | FAST | STORED);
        let position = builder.add_u64_field("position", FAST);
        let version_key = builder.add_u64_field("version_key", FAST);
        let operation_name = builder.add_text_field("operation_name", STORED);
        let meta_blob = builder.add_u64_field("meta_blob", STORED);
        let input_blob = builder.add_u64_field("input_blob", STORED);
        let output_blob = builder.add_u64_field("output_blob", STORED);
        let version = builder.add_text_field("version", STRING);
        let connector = builder.add_text_field("connector", words.clone());
        let operation = builder.add_text_field("operation", words.clone());
        let description = builder.add_text_field("description", words.clone());
        let field_names = builder.add_text_field("fields", words);
        let field_docs = builder.add_text_field("field_docs", indexing(IndexRecordOption::Basic));
        Fields {
            schema: builder.build(),
            state,
            position,
            version_key,
            operation_name,
            meta_blob,
            input_blob,
            output_blob,
            version,
            connector,
            operation,
            description,
            field_names,
            field_docs,
        }
    }

    pub fn schema(&self) -> Schema {
        self.schema.clone()
    }
}

/// What the index covers, saved as the payload of every commit (so it changes atomically with the documents).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The newest complete snapshot indexed; every complete snapshot up to it is indexed too.
    pub snapshot: i64,
    /// That snapshot's start time: a database rebuilt from scratch reuses snapshot ids, this tells them apart.
    pub started_at: String,
    /// The snapshot's connector versions, in listing order.
    pub members: Vec<Member>,
}

/// A connector version state in a snapshot: `[state, connector, version, latest]` in the payload.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Member(pub i64, pub String, pub String, pub bool);

impl Member {
    pub fn state(&self) -> i64 {
        self.0
    }
    pub fn connector(&self) -> &str {
        &self.1
    }
    pub fn version(&self) -> &str {
        &self.2
    }
    /// The newest version of its connector in the snapshot.
    pub fn latest(&self) -> bool {
        self.3
    }
}

impl Manifest {
    pub fn of(catalog: &Catalog) -> Manifest {
        let members = catalog
            .entries
            .iter()
            .zip(catalog.standings())
            .map(|(e, standing)| {
                Member(
                    e.state,
                    e.name.clone(),
                    e.version.as_str().to_owned(),
                    standing.latest,
                )
            })
            .collect();
        Manifest {
            format: FORMAT,
            snapshot: catalog.snapshot.id,
            started_at: catalog.snapshot.started_at.clone(),
            members,
        }
    }

    /// Whether this manifest was written for `snapshot` of the same database.
    pub fn is_of(&self, snapshot: &SnapshotInfo) -> bool {
        self.snapshot == snapshot.id && self.started_at == snapshot.started_at
    }
}

/// An open index, ready to search.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    manifest: Manifest,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .field("snapshot", &self.manifest.snapshot)
            .finish()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`. `Missing` when there is none; `Unusable` when it is of another format, has no
    /// manifest, or tantivy cannot read it.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        if !dir.join("meta.json").is_file() {
            return Err(IndexError::Missing {
                path: dir.to_owned(),
            });
        }
        let unusable = |why: String| IndexError::Unusable {
            path: dir.to_owned(),
            why,
        };
        let index = Index::open_in_dir(dir).map_err(|e| unusable(e.to_string()))?;
        let fields = Fields::new();
        if index.schema() != fields.schema {
            return Err(unusable("it was built by another trayscope version".into()));
        }
        index
            .tokenizers()
            .register(tokenizer::NAME, tokenizer::analyzer());
        let metas = index.load_metas().map_err(|e| unusable(e.to_string()))?;
        let manifest: Manifest = metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| unusable("it has no trayscope manifest".into()))?;
        if manifest.format != FORMAT {
            return Err(unusable(format!(
                "index format {}, this trayscope reads {FORMAT}",
                manifest.format
            )));
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| unusable(e.to_string()))?;
        Ok(SearchIndex {
            dir: dir.to_owned(),
            index,
            reader,
            fields,
            manifest,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Whether the index covers `latest`, the newest complete snapshot of the store (and so every older one).
    pub fn is_current(&self, latest: &SnapshotInfo) -> bool {
        self.manifest.is_of(latest)
    }

    /// Documents in the index (one per operation per connector version state).
    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn tantivy_error(&self) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
        move |source| IndexError::Tantivy {
            path: self.dir.clone(),
            source,
        }
    }
}

/// Bytes the files in `dir` take (not recursive: a tantivy index is flat).
pub fn size_on_disk(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
