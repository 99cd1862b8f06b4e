-- trayscope catalog store, schema version 1 (PRAGMA user_version).
--
-- A fresh database gets this whole file in one IMMEDIATE transaction. An older database is upgraded by the steps in
-- src/store/migrate.rs; a database with a newer user_version than the binary knows is refused.
--
-- Content is addressed: every schema and every element is stored once, as compressed canonical JSON, in `blobs`,
-- and a `connector_versions` row is one distinct *state* of a (name, version) — its element plus its operations. A
-- snapshot is the list of states it saw (`snapshot_members`), so a night in which nothing changed adds one
-- `snapshots` row and one small membership row per connector version, nothing else.
--
-- Readers only ever look at snapshots whose status is 'complete'. A crawl writes its content and flips its
-- snapshot to 'complete' in the same transaction, so a crawl that fails or is killed leaves nothing visible.

CREATE TABLE snapshots (
    id                 INTEGER PRIMARY KEY,
    status             TEXT    NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
    started_at         TEXT    NOT NULL,          -- RFC 3339, UTC
    finished_at        TEXT,                      -- RFC 3339, UTC; set when complete or failed
    source             TEXT    NOT NULL,          -- the API base URL or the directory crawled (never a token)
    trayscope_version  TEXT    NOT NULL,
    connectors         INTEGER,                   -- distinct connector names
    connector_versions INTEGER,
    operations         INTEGER,
    requests           INTEGER,
    retries            INTEGER,
    error              TEXT                       -- why a failed snapshot failed
);

-- References to blobs are checked at commit (DEFERRABLE): the first crawl holds fresh blobs back until it has
-- trained a compression dictionary on them, so rows may name a blob id a moment before the blob is written.
--
-- Canonical JSON (object keys sorted, no insignificant whitespace), compressed.
-- codec 0 = stored as is, 1 = zstd, 2 = zstd with the dictionary `dict_id`.
CREATE TABLE blobs (
    id      INTEGER PRIMARY KEY,
    hash    BLOB    NOT NULL UNIQUE,              -- first 16 bytes of BLAKE3 of the canonical JSON
    raw_len INTEGER NOT NULL,                     -- canonical JSON length in bytes
    codec   INTEGER NOT NULL CHECK (codec IN (0, 1, 2)),
    dict_id INTEGER REFERENCES zstd_dicts (id),
    data    BLOB    NOT NULL
);

-- zstd dictionaries trained on the catalog's own JSON; kept forever because blobs refer to them.
CREATE TABLE zstd_dicts (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    data       BLOB NOT NULL
);

CREATE TABLE services (
    id         INTEGER PRIMARY KEY,
    service_id TEXT    NOT NULL,                  -- Tray's id (a UUID)
    name       TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    UNIQUE (service_id, name, version)
);

-- One distinct state of a connector version: the same (name, version) gets a new row only when its element or any
-- of its operations changed.
CREATE TABLE connector_versions (
    id              INTEGER PRIMARY KEY,
    content_hash    BLOB    NOT NULL UNIQUE,      -- BLAKE3 over the element and every operation, in order
    name            TEXT    NOT NULL,
    version         TEXT    NOT NULL,             -- "major.minor" as served
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    service         INTEGER NOT NULL REFERENCES services (id),
    element         INTEGER NOT NULL REFERENCES blobs (id) DEFERRABLE INITIALLY DEFERRED, -- the element as served, unknown fields included
    declared_deprecated INTEGER NOT NULL DEFAULT 0, -- the element said "deprecated": true (Tray has no such flag yet)
    operation_count INTEGER NOT NULL
);
CREATE INDEX connector_versions_by_name ON connector_versions (name, version);

-- Operations of one connector version state, in the order served. Title, description, hasDynamicOutput, authScopes
-- and any field Tray adds live in the `meta` blob (the element minus its two schemas).
CREATE TABLE operations (
    connector_version INTEGER NOT NULL REFERENCES connector_versions (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    meta              INTEGER NOT NULL REFERENCES blobs (id) DEFERRABLE INITIALLY DEFERRED,
    input_schema      INTEGER NOT NULL REFERENCES blobs (id) DEFERRABLE INITIALLY DEFERRED,
    output_schema     INTEGER NOT NULL REFERENCES blobs (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (connector_version, position)
) WITHOUT ROWID;

-- Which connector version states a snapshot saw, in listing order. Deliberately no index by state: it would double
-- what an unchanged night adds, and only pruning asks that question.
CREATE TABLE snapshot_members (
    snapshot          INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    connector_version INTEGER NOT NULL REFERENCES connector_versions (id),
    PRIMARY KEY (snapshot, position)
) WITHOUT ROWID;
