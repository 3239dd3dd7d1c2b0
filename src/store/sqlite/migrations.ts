/**
 * Versioned schema. A migration is appended, never edited; `user_version` records how far a store went.
 * Events are stored in blocks of up to 256 consecutive lines of one source and file: the raw lines
 * joined by LF plus a packed array of (time, line, offset, template id) per line. One row per block
 * instead of per line makes ingest about twice as fast; time, source and retention work on whole blocks.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    source TEXT NOT NULL,
    dev TEXT NOT NULL,
    ino TEXT NOT NULL,
    fp TEXT NOT NULL,
    fp_len INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    line INTEGER NOT NULL,
    skipping INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL,
    last_read INTEGER NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX files_path ON files(path);
  CREATE TABLE templates (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    template TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    evicted INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX templates_source ON templates(source);
  CREATE TABLE sources (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE event_blocks (
    id INTEGER PRIMARY KEY,
    first_event INTEGER NOT NULL,
    n INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    file_id INTEGER,
    ingest_ts INTEGER NOT NULL,
    min_ts INTEGER NOT NULL,
    max_ts INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    meta BLOB NOT NULL,
    raw TEXT NOT NULL
  );
  CREATE TABLE series (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    start INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (source, key, start)
  ) WITHOUT ROWID;
  CREATE TABLE anomalies (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    created INTEGER NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    file TEXT,
    line INTEGER,
    offset INTEGER,
    grade REAL NOT NULL,
    detector TEXT NOT NULL,
    detectors TEXT NOT NULL,
    reason TEXT NOT NULL,
    window_start INTEGER,
    window_end INTEGER,
    template_id INTEGER,
    raw TEXT,
    explain TEXT
  );
  CREATE INDEX anomalies_ts ON anomalies(ts);
  CREATE TABLE model_state (key TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT NOT NULL, updated INTEGER NOT NULL);
  CREATE TABLE counters (component TEXT PRIMARY KEY, value TEXT NOT NULL, updated INTEGER NOT NULL);
  `,
  // 2: session anomalies name their session key
  `
  ALTER TABLE anomalies ADD COLUMN session TEXT;
  `,
  // 3: feedback on anomalies (issue 5); indexes for the HTTP API's lists and the raw-line context
  `
  ALTER TABLE anomalies ADD COLUMN status TEXT NOT NULL DEFAULT 'new';
  ALTER TABLE anomalies ADD COLUMN signature TEXT NOT NULL DEFAULT '';
  CREATE INDEX anomalies_ts_id ON anomalies(ts, id);
  CREATE INDEX anomalies_signature ON anomalies(signature);
  CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    anomaly_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    signature TEXT NOT NULL,
    by TEXT NOT NULL,
    note TEXT,
    created INTEGER NOT NULL,
    until INTEGER
  );
  CREATE INDEX feedback_anomaly ON feedback(anomaly_id);
  CREATE INDEX event_blocks_source_ts ON event_blocks(source_id, max_ts);
  `,
  // 4: model versions (issue 6): every refit of a source's learned models, one of them active
  `
  CREATE TABLE model_versions (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    created INTEGER NOT NULL,
    range_from INTEGER,
    range_to INTEGER,
    records INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX model_versions_source ON model_versions(source, id);
  `,
  // 5: incidents (issue 12): anomalies close in time grouped by the pipeline, kept so a restart continues them
  `
  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    sources TEXT NOT NULL,
    grade REAL NOT NULL,
    anomalies INTEGER NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    kinds TEXT NOT NULL,
    detectors TEXT NOT NULL,
    updated INTEGER NOT NULL
  );
  CREATE INDEX incidents_start ON incidents(start, id);
  CREATE INDEX incidents_status ON incidents(status);
  ALTER TABLE anomalies ADD COLUMN incident_id INTEGER;
  CREATE INDEX anomalies_incident ON anomalies(incident_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
