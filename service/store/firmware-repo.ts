import type { Db } from './database.js';
import type { FirmwareRecord, FirmwareStatus, Page, Provenance } from './types.js';

interface FirmwareRow {
  sha256: string;
  size: number;
  file_name: string;
  first_seen_at: string;
  last_seen_at: string;
  status: FirmwareStatus;
  latest_job_id: string | null;
  analyzed_at: string | null;
  report_file: string | null;
  finding_count: number;
  error_count: number;
}

interface ProvenanceRow {
  source: string;
  tag: string | null;
  original_path: string | null;
  received_at: string;
  claimed_sha256: string | null;
  device_id: string | null;
}

export class FirmwareRepo {
  constructor(private readonly db: Db) {}

  /**
   * Record that bytes arrived from a source. Returns isNew=false when the same sha256 was stored before:
   * the provenance is still kept (the same image from two sources is one firmware with two provenances).
   */
  recordArrival(input: { sha256: string; size: number; fileName: string; provenance: Provenance }): { isNew: boolean } {
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT sha256 FROM firmware WHERE sha256 = ?').get(input.sha256);
      const at = input.provenance.receivedAt;
      if (existing) {
        this.db.prepare('UPDATE firmware SET last_seen_at = ? WHERE sha256 = ?').run(at, input.sha256);
      } else {
        this.db
          .prepare(
            `INSERT INTO firmware (sha256, size, file_name, first_seen_at, last_seen_at, status)
             VALUES (?, ?, ?, ?, ?, 'queued')`,
          )
          .run(input.sha256, input.size, input.fileName, at, at);
      }
      const p = input.provenance;
      this.db
        .prepare(
          `INSERT INTO provenance (sha256, source, tag, original_path, received_at, claimed_sha256, device_id)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(input.sha256, p.source, p.tag, p.originalPath, p.receivedAt, p.claimedSha256, p.deviceId);
      return { isNew: !existing };
    })();
  }

  setStatus(sha256: string, status: FirmwareStatus, latestJobId?: string): void {
    if (latestJobId) {
      this.db.prepare('UPDATE firmware SET status = ?, latest_job_id = ? WHERE sha256 = ?').run(status, latestJobId, sha256);
    } else {
      this.db.prepare('UPDATE firmware SET status = ? WHERE sha256 = ?').run(status, sha256);
    }
  }

  markAnalyzed(sha256: string, info: { reportFile: string; findingCount: number; errorCount: number; at: string }): void {
    this.db
      .prepare(
        `UPDATE firmware SET status = 'analyzed', analyzed_at = ?, report_file = ?, finding_count = ?, error_count = ?
         WHERE sha256 = ?`,
      )
      .run(info.at, info.reportFile, info.findingCount, info.errorCount, sha256);
  }

  /** The job failed for good; its failure report is still the report users see. */
  markFailed(sha256: string, info: { reportFile: string; errorCount: number; at: string }): void {
    this.db
      .prepare(`UPDATE firmware SET status = 'failed', analyzed_at = ?, report_file = ?, error_count = ? WHERE sha256 = ?`)
      .run(info.at, info.reportFile, info.errorCount, sha256);
  }

  reportFile(sha256: string): string | null {
    const row = this.db.prepare('SELECT report_file FROM firmware WHERE sha256 = ?').get(sha256) as
      | { report_file: string | null }
      | undefined;
    return row?.report_file ?? null;
  }

  get(sha256: string): FirmwareRecord | undefined {
    const row = this.db.prepare('SELECT * FROM firmware WHERE sha256 = ?').get(sha256) as FirmwareRow | undefined;
    return row ? this.toRecord(row) : undefined;
  }

  list(page: Page & { status?: FirmwareStatus | undefined }): { items: FirmwareRecord[]; total: number } {
    const where = page.status ? 'WHERE status = ?' : '';
    const args = page.status ? [page.status] : [];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM firmware ${where}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM firmware ${where} ORDER BY last_seen_at DESC, sha256 LIMIT ? OFFSET ?`)
      .all(...args, page.limit, page.offset) as FirmwareRow[];
    return { items: rows.map((r) => this.toRecord(r)), total };
  }

  private toRecord(row: FirmwareRow): FirmwareRecord {
    const prov = this.db
      .prepare('SELECT * FROM provenance WHERE sha256 = ? ORDER BY id')
      .all(row.sha256) as ProvenanceRow[];
    return {
      sha256: row.sha256,
      size: row.size,
      fileName: row.file_name,
      firstSeenAt: row.first_seen_at,
      lastSeenAt: row.last_seen_at,
      status: row.status,
      latestJobId: row.latest_job_id,
      analyzedAt: row.analyzed_at,
      findingCount: row.finding_count,
      errorCount: row.error_count,
      provenance: prov.map((p) => ({
        source: p.source,
        tag: p.tag,
        originalPath: p.original_path,
        receivedAt: p.received_at,
        claimedSha256: p.claimed_sha256,
        deviceId: p.device_id,
      })),
    };
  }
}
