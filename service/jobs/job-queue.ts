import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBus } from '../bus.js';
import { ErrorCodes, errorCode, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { reportErrorCount } from '../analyze/pipeline.js';
import { failureReport } from '../report/empty-report.js';
import type { Report } from '../report/report-types.js';
import type { Store } from '../store/store.js';
import type { JobRecord } from '../store/types.js';

export type JobRunner = (
  job: JobRecord & { imagePath: string; workDir: string },
  signal: AbortSignal,
  onProgress: (stage: string, fraction: number, message?: string) => void,
) => Promise<Report>;

export interface JobQueueOptions {
  store: Store;
  bus: EventBus;
  logger: Logger;
  concurrency: number;
  maxAttempts: number;
  keepWorkDir: boolean;
  run: JobRunner;
}

/** Crashes may be transient (a native decoder tripping on memory pressure); timeouts and OOMs repeat. */
const RETRYABLE = new Set<string>([ErrorCodes.JOB_CRASHED]);

/**
 * The persisted job queue. The jobs table is the queue: a job is claimed in a transaction, so a restart after
 * kill -9 finds the ones that were running and runs them again (requeueInterrupted).
 */
export class JobQueue {
  private readonly running = new Map<string, AbortController>();
  private stopping = false;
  private pumping = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: JobQueueOptions) {}

  start(): void {
    const { requeued, abandoned } = this.opts.store.jobs.requeueInterrupted(this.opts.maxAttempts);
    for (const j of requeued) this.opts.logger.warn({ jobId: j.id, sha256: j.sha256 }, 'resuming a job interrupted by a restart');
    for (const j of abandoned) {
      this.opts.logger.error({ jobId: j.id, sha256: j.sha256 }, 'giving up on a job that was interrupted too often');
      this.recordFailure(j, { code: ErrorCodes.JOB_ABANDONED, message: j.errorMessage ?? 'interrupted too often' });
    }
    this.pump();
  }

  /** Queue an analysis of stored bytes, unless one is already queued or running for them. */
  submit(sha256: string, fileName: string): JobRecord {
    const open = this.opts.store.jobs.openJobFor(sha256);
    if (open) return open;
    const job = this.opts.store.jobs.enqueue(sha256, fileName);
    this.opts.store.firmware.setStatus(sha256, 'queued', job.id);
    this.opts.bus.emit('jobQueued', { jobId: job.id, sha256, fileName });
    this.pump();
    return job;
  }

  get activeCount(): number {
    return this.running.size;
  }

  /** Resolves when nothing is running and nothing is queued (tests, `backup`). */
  whenIdle(): Promise<void> {
    if (this.running.size === 0 && this.opts.store.jobs.counts().queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const waits = [...this.running.values()].map((c) => {
      c.abort();
      return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    });
    if (waits.length) await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 5000))]);
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.stopping && this.running.size < this.opts.concurrency) {
        const job = this.opts.store.jobs.claimNext();
        if (!job) break;
        const controller = new AbortController();
        this.running.set(job.id, controller);
        void this.execute(job, controller).finally(() => {
          this.running.delete(job.id);
          this.pump();
          this.notifyIdle();
        });
      }
    } finally {
      this.pumping = false;
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.running.size > 0) return;
    if (!this.stopping && this.opts.store.jobs.counts().queued > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async execute(job: JobRecord, controller: AbortController): Promise<void> {
    const { store, bus, logger } = this.opts;
    const workDir = join(store.layout.jobs, job.id);
    store.firmware.setStatus(job.sha256, 'analyzing', job.id);
    bus.emit('jobStarted', { jobId: job.id, sha256: job.sha256, attempt: job.attempts });
    logger.info({ jobId: job.id, sha256: job.sha256, attempt: job.attempts }, 'analysis started');
    try {
      if (!store.blobs.has(job.sha256)) {
        throw Object.assign(new Error(`stored image ${job.sha256} is missing from the blob store`), {
          code: ErrorCodes.BLOB_NOT_FOUND,
        });
      }
      mkdirSync(workDir, { recursive: true, mode: 0o700 });
      let lastWrite = 0;
      const report = await this.opts.run(
        { ...job, imagePath: store.blobs.pathOf(job.sha256), workDir },
        controller.signal,
        (stage, fraction, message) => {
          bus.emit('analysisProgress', { jobId: job.id, sha256: job.sha256, stage, percent: Math.round(fraction * 100), message });
          const now = Date.now();
          if (now - lastWrite > 500) {
            lastWrite = now;
            store.jobs.progress(job.id, stage, fraction);
          }
        },
      );
      const file = store.reports.write(job.sha256, job.id, report);
      const at = new Date().toISOString();
      store.db.transaction(() => {
        store.firmware.markAnalyzed(job.sha256, {
          reportFile: file,
          findingCount: report.findings.length,
          errorCount: reportErrorCount(report),
          at,
        });
        store.findings.replaceFor(job.sha256, report.findings);
        store.jobs.finish(job.id, 'done');
      })();
      bus.emit('analysisDone', {
        jobId: job.id,
        sha256: job.sha256,
        durationMs: report.analysis.durationMs,
        errorCount: reportErrorCount(report),
        findingCount: report.findings.length,
      });
      logger.info({ jobId: job.id, sha256: job.sha256, durationMs: report.analysis.durationMs }, 'analysis done');
    } catch (err) {
      const code = errorCode(err);
      const message = errorMessage(err);
      if (this.stopping && code === ErrorCodes.JOB_ABANDONED) {
        store.jobs.releaseForShutdown(job.id);
        logger.info({ jobId: job.id }, 'analysis interrupted by shutdown; it will resume on the next start');
        return;
      }
      const willRetry = RETRYABLE.has(code) && job.attempts < this.opts.maxAttempts;
      bus.emit('jobFailed', { jobId: job.id, sha256: job.sha256, code, message, willRetry });
      if (willRetry) {
        logger.warn({ jobId: job.id, code, err: message }, 'analysis failed; retrying');
        store.jobs.requeue(job.id, { code, message });
      } else {
        logger.error({ jobId: job.id, code, err: message }, 'analysis failed');
        this.recordFailure(job, { code, message });
      }
    } finally {
      if (!this.opts.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    }
  }

  /** The failure goes into a report, so GET /report shows why there are no results. */
  private recordFailure(job: JobRecord, error: { code: string; message: string }): void {
    const { store } = this.opts;
    const size = store.firmware.get(job.sha256)?.size ?? 0;
    const report = failureReport({ sha256: job.sha256, size, fileName: job.fileName }, { ...error, stage: 'job' });
    const file = store.reports.write(job.sha256, job.id, report);
    store.db.transaction(() => {
      store.firmware.markFailed(job.sha256, { reportFile: file, errorCount: 1, at: new Date().toISOString() });
      store.jobs.finish(job.id, 'failed', error);
    })();
  }
}
