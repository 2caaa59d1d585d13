import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';
import type { JobRecord, JobStatus, Page } from './types.js';

interface JobRow {
  id: string;
  sha256: string;
  file_name: string;
  status: JobStatus;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  stage: string | null;
  progress: number;
  error_code: string | null;
  error_message: string | null;
}

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    sha256: r.sha256,
    fileName: r.file_name,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    stage: r.stage,
    progress: r.progress,
    errorCode: r.error_code,
    errorMessage: r.error_message,
  };
}

/** The persisted job queue: the table is the queue, so a restart sees exactly what was pending. */
export class JobRepo {
  constructor(private readonly db: Db) {}

  enqueue(sha256: string, fileName: string): JobRecord {
    const id = randomUUID();
    const now = new Date().toISOString();
    this.db
      .prepare(`INSERT INTO jobs (id, sha256, file_name, status, created_at) VALUES (?, ?, ?, 'queued', ?)`)
      .run(id, sha256, fileName, now);
    return this.get(id)!;
  }

  /** An open (queued or running) job for these bytes, so a second arrival does not queue a second analysis. */
  openJobFor(sha256: string): JobRecord | undefined {
    const row = this.db
      .prepare(`SELECT * FROM jobs WHERE sha256 = ? AND status IN ('queued','running') ORDER BY created_at LIMIT 1`)
      .get(sha256) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Atomically take the oldest queued job and mark it running. */
  claimNext(): JobRecord | undefined {
    return this.db.transaction(() => {
      const row = this.db
        .prepare(`SELECT * FROM jobs WHERE status = 'queued' ORDER BY created_at, rowid LIMIT 1`)
        .get() as JobRow | undefined;
      if (!row) return undefined;
      const now = new Date().toISOString();
      this.db
        .prepare(
          `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, stage = 'starting', progress = 0
           WHERE id = ?`,
        )
        .run(now, row.id);
      return this.get(row.id);
    })();
  }

  /** Jobs that were running when the process died go back to the queue (or fail when out of attempts). */
  requeueInterrupted(maxAttempts: number): { requeued: JobRecord[]; abandoned: JobRecord[] } {
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE status = 'running'`).all() as JobRow[];
    const requeued: JobRecord[] = [];
    const abandoned: JobRecord[] = [];
    for (const r of rows) {
      if (r.attempts >= maxAttempts) {
        this.finish(r.id, 'failed', {
          code: 'FW_ERR_JOB_ABANDONED',
          message: `interrupted ${r.attempts} times (the daemon stopped while it ran); not retried`,
        });
        abandoned.push(this.get(r.id)!);
      } else {
        this.db.prepare(`UPDATE jobs SET status = 'queued', stage = NULL, progress = 0 WHERE id = ?`).run(r.id);
        requeued.push(this.get(r.id)!);
      }
    }
    return { requeued, abandoned };
  }

  /** A graceful stop interrupted this job: back to the queue without counting the attempt against it. */
  releaseForShutdown(id: string): void {
    this.db
      .prepare(`UPDATE jobs SET status = 'queued', attempts = max(attempts - 1, 0), stage = NULL, progress = 0 WHERE id = ?`)
      .run(id);
  }

  progress(id: string, stage: string, progress: number): void {
    this.db.prepare('UPDATE jobs SET stage = ?, progress = ? WHERE id = ?').run(stage, progress, id);
  }

  requeue(id: string, error: { code: string; message: string }): void {
    this.db
      .prepare(`UPDATE jobs SET status = 'queued', stage = NULL, progress = 0, error_code = ?, error_message = ? WHERE id = ?`)
      .run(error.code, error.message, id);
  }

  finish(id: string, status: 'done' | 'failed', error?: { code: string; message: string }): void {
    this.db
      .prepare(
        `UPDATE jobs SET status = ?, finished_at = ?, progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END,
         error_code = ?, error_message = ? WHERE id = ?`,
      )
      .run(status, new Date().toISOString(), status, error?.code ?? null, error?.message ?? null, id);
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(opts: Page & { status?: JobStatus | undefined; sha256?: string | undefined }): { items: JobRecord[]; total: number } {
    const clauses: string[] = [];
    const args: unknown[] = [];
    if (opts.status) {
      clauses.push('status = ?');
      args.push(opts.status);
    }
    if (opts.sha256) {
      clauses.push('sha256 = ?');
      args.push(opts.sha256);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM jobs ${where}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`)
      .all(...args, opts.limit, opts.offset) as JobRow[];
    return { items: rows.map(toRecord), total };
  }

  counts(): Record<JobStatus, number> {
    const out: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of this.db.prepare('SELECT status, count(*) AS n FROM jobs GROUP BY status').all() as Array<{
      status: JobStatus;
      n: number;
    }>) {
      out[r.status] = r.n;
    }
    return out;
  }
}
