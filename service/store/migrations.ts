// Forward-only schema migrations. Never edit a shipped migration: append a new one. Each runs in a
// transaction together with its row in schema_migrations, so a kill -9 leaves either both or neither.
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE firmware (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        file_name TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        status TEXT NOT NULL,
        latest_job_id TEXT,
        analyzed_at TEXT,
        report_file TEXT,
        finding_count INTEGER NOT NULL DEFAULT 0,
        error_count INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX firmware_last_seen ON firmware(last_seen_at);
      CREATE TABLE provenance (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL REFERENCES firmware(sha256),
        source TEXT NOT NULL,
        tag TEXT,
        original_path TEXT,
        received_at TEXT NOT NULL,
        claimed_sha256 TEXT,
        device_id TEXT
      );
      CREATE INDEX provenance_sha ON provenance(sha256);
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL REFERENCES firmware(sha256),
        file_name TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        stage TEXT,
        progress REAL NOT NULL DEFAULT 0,
        error_code TEXT,
        error_message TEXT
      );
      CREATE INDEX jobs_status ON jobs(status, created_at);
      CREATE INDEX jobs_sha ON jobs(sha256);
      CREATE TABLE findings (
        sha256 TEXT NOT NULL REFERENCES firmware(sha256),
        finding_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        title TEXT NOT NULL,
        path TEXT,
        PRIMARY KEY (sha256, finding_id)
      );
      CREATE INDEX findings_kind ON findings(kind, severity);
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE alert_outbox (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        sink TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        delivered_at TEXT
      );
      CREATE INDEX alert_outbox_pending ON alert_outbox(delivered_at, next_attempt_at);
    `,
  },
];
