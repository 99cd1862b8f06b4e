//! Writing the index: bringing it up to date after a crawl (only connector version states it has not seen), or
//! rebuilding it from the store into a new directory that then replaces the old one.
//!
//! Every change is one tantivy commit whose payload is the new [`Manifest`], so a reader sees either the old index
//! or the new one. Callers hold the home's writer lock; this module does not take it.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

use serde_json::Value;
use tantivy::indexer::NoMergePolicy;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::text::{OperationMeta, schema_fields};
use super::{Fields, IndexError, Manifest, Result, SearchIndex, size_on_disk, tokenizer};
use crate::model::{ConnectorVersion, Operation, Version};
use crate::store::{BlobId, Catalog, CatalogEntry, Status, Store};

/// Indexing memory, shared by the writer's threads (tantivy wants at least 15 MB per thread).
const MEMORY_PER_THREAD: usize = 40 << 20;
const MAX_THREADS: usize = 4;

/// What an update or a rebuild did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UpdateSummary {
    /// The newest snapshot the index now covers.
    pub snapshot: i64,
    /// Whether the index was built from scratch (it was missing, unusable, or of another database).
    pub rebuilt: bool,
    /// Connector version states newly indexed.
    pub added_states: u64,
    pub added_documents: u64,
    /// Documents in the index afterwards.
    pub documents: u64,
    /// Bytes of the index directory afterwards.
    pub bytes: u64,
    pub duration_ms: u64,
}

/// Brings the index in `dir` up to date with the store's newest complete snapshot: indexes the connector version
/// states of every complete snapshot it has not seen yet. An index that is missing, unusable or built from another
/// database is rebuilt instead.
pub fn update(dir: &Path, store: &mut Store) -> Result<UpdateSummary> {
    let started = Instant::now();
    remove_leftovers(dir);
    let latest = store.complete_snapshot(None)?;
    let existing = match SearchIndex::open(dir) {
        Ok(existing) => existing,
        Err(IndexError::Missing { .. }) => return rebuild(dir, store),
        Err(IndexError::Unusable { why, .. }) => {
            tracing::info!("rebuilding the search index at {}: {why}", dir.display());
            return rebuild(dir, store);
        }
        Err(other) => return Err(other),
    };
    if existing.is_current(&latest) {
        return Ok(UpdateSummary {
            snapshot: latest.id,
            rebuilt: false,
            added_states: 0,
            added_documents: 0,
            documents: existing.documents(),
            bytes: size_on_disk(dir),
            duration_ms: started.elapsed().as_millis() as u64,
        });
    }
    let indexed = existing.manifest().snapshot;
    let same_database = store
        .snapshot(indexed)
        .is_ok_and(|s| s.status == Status::Complete && existing.manifest().is_of(&s));
    if !same_database || indexed > latest.id {
        tracing::info!(
            "the search index at {} was built from another catalog; rebuilding it",
            dir.display()
        );
        drop(existing);
        return rebuild(dir, store);
    }
    let ids: Vec<i64> = store
        .complete_snapshot_ids()?
        .into_iter()
        .filter(|&id| id > indexed)
        .collect();
    let searcher = existing.reader.searcher();
    let fields = existing.fields.clone();
    let at = |source| IndexError::Tantivy {
        path: dir.to_owned(),
        source,
    };
    let mut writer = new_writer(&existing.index).map_err(at)?;
    let mut batch = Batch::new(&fields);
    let mut newest: Option<Catalog> = None;
    for id in ids {
        let catalog = store.catalog(id)?;
        for entry in &catalog.entries {
            let term = Term::from_field_u64(fields.state, entry.state as u64);
            if batch.done.contains(&entry.state) || live_documents(&searcher, term).map_err(at)? > 0
            {
                continue;
            }
            batch
                .add_state(&writer, store, entry)
                .map_err(|e| e.at(dir))?;
        }
        newest = Some(catalog);
    }
    let manifest = match newest {
        Some(catalog) => Manifest::of(&catalog),
        None => Manifest::of(&store.catalog(latest.id)?),
    };
    commit(&mut writer, &manifest).map_err(at)?;
    writer.wait_merging_threads().map_err(at)?;
    drop(existing);
    let reopened = SearchIndex::open(dir)?;
    Ok(UpdateSummary {
        snapshot: manifest.snapshot,
        rebuilt: false,
        added_states: batch.states,
        added_documents: batch.documents,
        documents: reopened.documents(),
        bytes: size_on_disk(dir),
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

/// What [`forget_states`] did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ForgetSummary {
    /// `false` when there was no usable index to change (the next search or crawl builds one).
    pub updated: bool,
    /// Whether the index was rebuilt instead (it covered a snapshot that is gone).
    pub rebuilt: bool,
    pub removed_documents: u64,
    /// Documents in the index afterwards.
    pub documents: u64,
    pub duration_ms: u64,
}

/// Drops the documents of connector version states the store no longer has (after a prune), in one commit whose
/// manifest is written afresh from the store. Row ids of deleted states can be given out again by a later crawl, so
/// their documents must not outlive them: a new state with an old id would otherwise be taken as already indexed.
///
/// An index that is missing or unusable is left alone (it is rebuilt before it is next read). One whose manifest
/// names a snapshot the store no longer has is rebuilt, as [`update`] would do anyway.
pub fn forget_states(dir: &Path, store: &mut Store, states: &[i64]) -> Result<ForgetSummary> {
    let started = Instant::now();
    remove_leftovers(dir);
    let existing = match SearchIndex::open(dir) {
        Ok(existing) => existing,
        Err(IndexError::Missing { .. } | IndexError::Unusable { .. }) => {
            return Ok(ForgetSummary {
                updated: false,
                rebuilt: false,
                removed_documents: 0,
                documents: 0,
                duration_ms: started.elapsed().as_millis() as u64,
            });
        }
        Err(other) => return Err(other),
    };
    let indexed = existing.manifest().snapshot;
    let still_there = store
        .snapshot(indexed)
        .is_ok_and(|s| s.status == Status::Complete && existing.manifest().is_of(&s));
    if !still_there {
        let before = existing.documents();
        drop(existing);
        let summary = rebuild(dir, store)?;
        return Ok(ForgetSummary {
            updated: true,
            rebuilt: true,
            removed_documents: before.saturating_sub(summary.documents),
            documents: summary.documents,
            duration_ms: started.elapsed().as_millis() as u64,
        });
    }
    let at = |source| IndexError::Tantivy {
        path: dir.to_owned(),
        source,
    };
    let fields = existing.fields.clone();
    let searcher = existing.reader.searcher();
    let mut removed_documents = 0;
    let mut writer = new_writer(&existing.index).map_err(at)?;
    for &state in states {
        let term = Term::from_field_u64(fields.state, state as u64);
        removed_documents += live_documents(&searcher, term.clone()).map_err(at)?;
        writer.delete_term(term);
    }
    let manifest = Manifest::of(&store.catalog(indexed)?);
    commit(&mut writer, &manifest).map_err(at)?;
    writer.wait_merging_threads().map_err(at)?;
    drop(searcher);
    drop(existing);
    let reopened = SearchIndex::open(dir)?;
    Ok(ForgetSummary {
        updated: true,
        rebuilt: false,
        removed_documents,
        documents: reopened.documents(),
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

/// Builds the index from scratch from every complete snapshot in the store, in a new directory beside `dir`, and
/// then puts it in `dir`'s place. Readers of the old index keep reading it until they close it.
pub fn rebuild(dir: &Path, store: &mut Store) -> Result<UpdateSummary> {
    let started = Instant::now();
    let latest = store.complete_snapshot(None)?;
    remove_leftovers(dir);
    let (parent, name) = parent_and_name(dir);
    let fresh = parent.join(format!("{name}.new-{}", std::process::id()));
    std::fs::create_dir_all(&fresh).map_err(|source| IndexError::Io {
        path: fresh.clone(),
        source,
    })?;
    let built = build_into(&fresh, store, latest.id);
    let (added_states, added_documents) = match built {
        Ok(counts) => counts,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&fresh);
            return Err(error);
        }
    };
    replace_dir(&fresh, dir, parent, &name)?;
    let opened = SearchIndex::open(dir)?;
    Ok(UpdateSummary {
        snapshot: opened.manifest().snapshot,
        rebuilt: true,
        added_states,
        added_documents,
        documents: opened.documents(),
        bytes: size_on_disk(dir),
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

fn build_into(path: &Path, store: &mut Store, latest: i64) -> Result<(u64, u64)> {
    let started = Instant::now();
    let at = |source| IndexError::Tantivy {
        path: path.to_owned(),
        source,
    };
    let fields = Fields::new();
    let index = Index::create_in_dir(path, fields.schema()).map_err(at)?;
    index
        .tokenizers()
        .register(tokenizer::NAME, tokenizer::analyzer());
    let mut writer = new_writer(&index).map_err(at)?;
    // One segment at the end, merged once, rather than merges of merges while building.
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let mut batch = Batch::new(&fields);
    let mut newest: Option<Catalog> = None;
    for id in store.complete_snapshot_ids()? {
        let catalog = store.catalog(id)?;
        for entry in &catalog.entries {
            if !batch.done.contains(&entry.state) {
                batch
                    .add_state(&writer, store, entry)
                    .map_err(|e| e.at(path))?;
            }
        }
        if id == latest {
            newest = Some(catalog);
        }
    }
    let manifest = match newest {
        Some(catalog) => Manifest::of(&catalog),
        None => Manifest::of(&store.catalog(latest)?),
    };
    tracing::debug!(
        "index build: {} documents handed to tantivy in {:.2}s",
        batch.documents,
        started.elapsed().as_secs_f64()
    );
    commit(&mut writer, &manifest).map_err(at)?;
    tracing::debug!(
        "index build: committed at {:.2}s",
        started.elapsed().as_secs_f64()
    );
    let segments = index.searchable_segment_ids().map_err(at)?;
    if segments.len() > 1 {
        writer.merge(&segments).wait().map_err(at)?;
    }
    writer.wait_merging_threads().map_err(at)?;
    tracing::debug!(
        "index build: {} segments merged at {:.2}s",
        segments.len(),
        started.elapsed().as_secs_f64()
    );
    Ok((batch.states, batch.documents))
}

/// Documents holding `term` that are not deleted. (`Searcher::doc_freq` counts deleted ones too, until a merge
/// drops them, and a state whose documents a prune deleted must count as not indexed: its id may come back.)
pub(super) fn live_documents(searcher: &tantivy::Searcher, term: Term) -> tantivy::Result<u64> {
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    searcher
        .search(&query, &tantivy::collector::Count)
        .map(|n| n as u64)
}

pub(super) fn new_writer(index: &Index) -> tantivy::Result<IndexWriter> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_THREADS);
    index.writer_with_num_threads(threads, threads * MEMORY_PER_THREAD)
}

pub(super) fn commit(writer: &mut IndexWriter, manifest: &Manifest) -> tantivy::Result<()> {
    let payload = serde_json::to_string(manifest).map_err(|e| {
        tantivy::TantivyError::InternalError(format!("cannot write the manifest: {e}"))
    })?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

/// Moves `fresh` to `dir`, removing the old `dir` once it is out of the way.
pub(super) fn replace_dir(fresh: &Path, dir: &Path, parent: &Path, name: &str) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| IndexError::Io { path, source }
    };
    if dir.exists() {
        let old = parent.join(format!("{name}.old-{}", std::process::id()));
        std::fs::rename(dir, &old).map_err(io(dir))?;
        std::fs::rename(fresh, dir).map_err(io(dir))?;
        if let Err(e) = std::fs::remove_dir_all(&old) {
            tracing::warn!("could not remove the old index {}: {e}", old.display());
        }
    } else {
        std::fs::rename(fresh, dir).map_err(io(dir))?;
    }
    Ok(())
}

/// The directory an index lives in, and its name there (`index`).
pub(super) fn parent_and_name(dir: &Path) -> (&Path, String) {
    let parent = dir.parent().unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".into());
    (parent, name)
}

/// Removes the `<index>.new-<pid>` and `<index>.old-<pid>` directories that a rebuild or a crawl killed midway
/// leaves beside the index `dir`. Called at the start of every index write, with the home's writer lock held: only
/// the lock holder ever makes such directories, so every one found belongs to a process that is gone (or to this
/// one, from an earlier step that failed). Whether that PID is alive says nothing (PIDs are reused); the lock does.
/// Anything else beside the index (other names, files, `index.new-x`) is left alone.
pub fn remove_leftovers(dir: &Path) {
    let (parent, name) = parent_and_name(dir);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let is_leftover = |file_name: &str| {
        [".new-", ".old-"].iter().any(|infix| {
            file_name
                .strip_prefix(name.as_str())
                .and_then(|rest| rest.strip_prefix(infix))
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        // `file_type` does not follow symlinks: a link named like a leftover is not ours, and is not followed.
        if is_leftover(&file_name) && entry.file_type().is_ok_and(|t| t.is_dir()) {
            tracing::info!("removing the leftover index directory {file_name}");
            if let Err(e) = std::fs::remove_dir_all(entry.path()) {
                tracing::warn!("could not remove {}: {e}", entry.path().display());
            }
        }
    }
}

/// The indexed text of one schema blob.
struct SchemaText {
    /// Field paths and titles.
    names: Vec<String>,
    /// Field descriptions.
    docs: Vec<String>,
}

pub(super) enum AddError {
    Store(crate::store::StoreError),
    Tantivy(tantivy::TantivyError),
}

impl AddError {
    pub fn at(self, path: &Path) -> IndexError {
        match self {
            AddError::Store(e) => IndexError::Store(e),
            AddError::Tantivy(source) => IndexError::Tantivy {
                path: PathBuf::from(path),
                source,
            },
        }
    }
}

/// Documents being added in one commit, with the extracted text of each blob cached: the same schema is shared by
/// many versions of a connector, and is parsed once.
pub(super) struct Batch<'f> {
    fields: &'f Fields,
    /// States handled in this batch, including those without operations (which have no documents to find later).
    pub done: HashSet<i64>,
    /// States that got documents.
    pub states: u64,
    pub documents: u64,
    metas: HashMap<BlobId, Rc<OperationMeta>>,
    schemas: HashMap<BlobId, Rc<SchemaText>>,
}

/// The connector version state a document belongs to.
pub(super) struct StateOf<'e> {
    pub state: i64,
    pub name: &'e str,
    pub version: &'e Version,
    pub title: &'e str,
    pub service: &'e str,
}

impl<'e> StateOf<'e> {
    pub fn of_entry(entry: &'e CatalogEntry) -> StateOf<'e> {
        StateOf {
            state: entry.state,
            name: &entry.name,
            version: &entry.version,
            title: &entry.title,
            service: &entry.service.name,
        }
    }

    pub fn of_crawled(state: i64, connector: &'e ConnectorVersion) -> StateOf<'e> {
        StateOf {
            state,
            name: &connector.name,
            version: &connector.version,
            title: &connector.title,
            service: &connector.service.name,
        }
    }
}

impl<'f> Batch<'f> {
    pub fn new(fields: &'f Fields) -> Batch<'f> {
        Batch {
            fields,
            done: HashSet::new(),
            states: 0,
            documents: 0,
            metas: HashMap::new(),
            schemas: HashMap::new(),
        }
    }

    /// Replaces the documents of one connector version state, reading its operations' JSON from the store.
    pub fn add_state(
        &mut self,
        writer: &IndexWriter,
        store: &mut Store,
        entry: &CatalogEntry,
    ) -> std::result::Result<(), AddError> {
        let of = StateOf::of_entry(entry);
        self.start_state(writer, &of);
        for (position, op) in entry.operations.iter().enumerate() {
            let load =
                |store: &mut Store, blob| store.json(blob).map(Cow::Owned).map_err(AddError::Store);
            let meta = self.meta(op.meta, || load(store, op.meta))?;
            let input = self.schema(op.input_schema, || load(store, op.input_schema))?;
            let output = self.schema(op.output_schema, || load(store, op.output_schema))?;
            let blobs = [op.meta, op.input_schema, op.output_schema];
            self.add_document(
                writer, &of, position, &op.name, blobs, &meta, &input, &output,
            )?;
        }
        self.end_state(&of, entry.operations.len());
        Ok(())
    }

    /// Replaces the documents of one connector version state from its operations as crawled (the JSON is in
    /// memory; `blobs` are the (meta, input, output) blobs the store gave each operation).
    pub fn add_crawled(
        &mut self,
        writer: &IndexWriter,
        of: &StateOf<'_>,
        operations: &[Operation],
        blobs: &[[BlobId; 3]],
    ) -> std::result::Result<(), AddError> {
        self.start_state(writer, of);
        for (position, (op, &blobs)) in operations.iter().zip(blobs).enumerate() {
            let [meta_blob, input_blob, output_blob] = blobs;
            let meta = self.meta(meta_blob, || Ok(Cow::Borrowed(&op.meta)))?;
            let input = self.schema(input_blob, || Ok(Cow::Borrowed(&op.input_schema)))?;
            let output = self.schema(output_blob, || Ok(Cow::Borrowed(&op.output_schema)))?;
            self.add_document(
                writer, of, position, &op.name, blobs, &meta, &input, &output,
            )?;
        }
        self.end_state(of, operations.len().min(blobs.len()));
        Ok(())
    }

    /// `delete_term` on the state: its documents are replaced, never doubled.
    fn start_state(&mut self, writer: &IndexWriter, of: &StateOf<'_>) {
        writer.delete_term(Term::from_field_u64(self.fields.state, of.state as u64));
    }

    fn end_state(&mut self, of: &StateOf<'_>, operations: usize) {
        self.done.insert(of.state);
        if operations > 0 {
            self.states += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_document(
        &mut self,
        writer: &IndexWriter,
        of: &StateOf<'_>,
        position: usize,
        operation: &str,
        [meta_blob, input_blob, output_blob]: [BlobId; 3],
        meta: &OperationMeta,
        input: &SchemaText,
        output: &SchemaText,
    ) -> std::result::Result<(), AddError> {
        let f = self.fields;
        let version_key = (of.version.major().min(0xFFFF) << 16) | of.version.minor().min(0xFFFF);
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.state, of.state as u64);
        doc.add_u64(f.position, position as u64);
        doc.add_u64(f.version_key, version_key);
        doc.add_text(f.operation_name, operation);
        doc.add_u64(f.meta_blob, meta_blob as u64);
        doc.add_u64(f.input_blob, input_blob as u64);
        doc.add_u64(f.output_blob, output_blob as u64);
        doc.add_text(f.version, of.version.as_str());
        doc.add_text(f.connector, of.name);
        doc.add_text(f.connector, of.title);
        doc.add_text(f.connector, of.service);
        doc.add_text(f.operation, operation);
        doc.add_text(f.operation, &meta.title);
        doc.add_text(f.description, &meta.description);
        for text in input.names.iter().chain(&output.names) {
            doc.add_text(f.field_names, text);
        }
        for text in input.docs.iter().chain(&output.docs) {
            doc.add_text(f.field_docs, text);
        }
        writer.add_document(doc).map_err(AddError::Tantivy)?;
        self.documents += 1;
        Ok(())
    }

    fn meta<'v>(
        &mut self,
        blob: BlobId,
        load: impl FnOnce() -> std::result::Result<Cow<'v, Value>, AddError>,
    ) -> std::result::Result<Rc<OperationMeta>, AddError> {
        if let Some(meta) = self.metas.get(&blob) {
            return Ok(meta.clone());
        }
        let value = load()?;
        let meta = Rc::new(OperationMeta::from_json(&value));
        self.metas.insert(blob, meta.clone());
        Ok(meta)
    }

    fn schema<'v>(
        &mut self,
        blob: BlobId,
        load: impl FnOnce() -> std::result::Result<Cow<'v, Value>, AddError>,
    ) -> std::result::Result<Rc<SchemaText>, AddError> {
        if let Some(text) = self.schemas.get(&blob) {
            return Ok(text.clone());
        }
        let value = load()?;
        let mut names = Vec::new();
        let mut docs = Vec::new();
        for field in schema_fields(&value) {
            // A title that only respells the field's name ("Statement handle" for `statementHandle`) adds nothing.
            if let Some(title) = field.title {
                let name = field.path.rsplit('.').next().unwrap_or(&field.path);
                if squashed(&title) != squashed(name) {
                    names.push(title);
                }
            }
            names.push(field.path);
            docs.extend(field.description);
        }
        let text = Rc::new(SchemaText { names, docs });
        self.schemas.insert(blob, text.clone());
        Ok(text)
    }
}

/// Letters and digits only, lower case: `Statement handle` and `statementHandle` squash to the same.
fn squashed(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
