import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EventBus, type BusEnvelope } from '../../service/bus.js';
import { FirmwardenError, ErrorCodes } from '../../service/errors.js';
import { JobQueue, type JobRunner } from '../../service/jobs/job-queue.js';
import { emptyReport } from '../../service/report/empty-report.js';
import { openStore, type Store } from '../../service/store/store.js';
import { expectValidReport } from '../helpers/report-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir();
let n = 0;

async function setup(run: JobRunner, opts: { concurrency?: number; maxAttempts?: number } = {}) {
  const store = await openStore(join(root, `d${n++}`));
  const bus = new EventBus();
  const events: BusEnvelope[] = [];
  bus.onAny((e) => events.push(e));
  const queue = new JobQueue({
    store,
    bus,
    logger: pino({ level: 'silent' }),
    concurrency: opts.concurrency ?? 1,
    maxAttempts: opts.maxAttempts ?? 3,
    keepWorkDir: false,
    run,
  });
  return { store, bus, queue, events };
}

async function addImage(store: Store, content: string) {
  const put = await store.blobs.putBuffer(Buffer.from(content));
  store.firmware.recordArrival({
    sha256: put.sha256,
    size: put.size,
    fileName: `${content}.bin`,
    provenance: { source: 'test', tag: null, originalPath: null, receivedAt: new Date().toISOString(), claimedSha256: null, deviceId: null },
  });
  return put;
}

const okRunner: JobRunner = async (job) => emptyReport({ sha256: job.sha256, size: 1, fileName: job.fileName });

describe('job queue', () => {
  it('runs no more jobs at once than its concurrency and finishes them all', async () => {
    let active = 0;
    let peak = 0;
    const { store, queue } = await setup(
      async (job) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 30));
        active--;
        return okRunner(job, new AbortController().signal, () => {});
      },
      { concurrency: 2 },
    );
    queue.start();
    for (let i = 0; i < 6; i++) {
      const put = await addImage(store, `image-${i}`);
      queue.submit(put.sha256, `image-${i}.bin`);
    }
    await queue.whenIdle();
    expect(peak).toBe(2);
    expect(store.jobs.counts()).toMatchObject({ done: 6, queued: 0, running: 0 });
    for (const f of store.firmware.list({ limit: 10, offset: 0 }).items) expect(f.status).toBe('analyzed');
  });

  it('submitting the same image twice while queued gives the same job', async () => {
    const { store, queue } = await setup(okRunner);
    const put = await addImage(store, 'dup');
    const a = queue.submit(put.sha256, 'dup.bin');
    const b = queue.submit(put.sha256, 'dup.bin');
    expect(b.id).toBe(a.id);
  });

  it('retries a crashed analysis, then succeeds', async () => {
    let calls = 0;
    const { store, queue, events } = await setup(async (job, s, p) => {
      calls++;
      if (calls === 1) throw new FirmwardenError(ErrorCodes.JOB_CRASHED, 'native decoder died');
      return okRunner(job, s, p);
    });
    queue.start();
    const put = await addImage(store, 'flaky');
    const job = queue.submit(put.sha256, 'flaky.bin');
    await queue.whenIdle();
    expect(store.jobs.get(job.id)).toMatchObject({ status: 'done', attempts: 2 });
    expect(events.find((e) => e.type === 'jobFailed')?.data).toMatchObject({ willRetry: true, code: 'FW_ERR_JOB_CRASHED' });
  });

  it('a timeout is not retried; the failure is written into the report users see', async () => {
    const { store, queue, events } = await setup(async () => {
      throw new FirmwardenError(ErrorCodes.JOB_TIMEOUT, 'analysis exceeded its time limit of 1 s');
    });
    queue.start();
    const put = await addImage(store, 'slow');
    const job = queue.submit(put.sha256, 'slow.bin');
    await queue.whenIdle();
    expect(store.jobs.get(job.id)).toMatchObject({ status: 'failed', attempts: 1, errorCode: 'FW_ERR_JOB_TIMEOUT' });
    const file = store.firmware.reportFile(put.sha256)!;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expectValidReport(report);
    expect(report.analysis.errors[0]).toMatchObject({ code: 'FW_ERR_JOB_TIMEOUT', stage: 'job' });
    expect(store.firmware.get(put.sha256)?.status).toBe('failed');
    expect(events.find((e) => e.type === 'jobFailed')?.data).toMatchObject({ willRetry: false });
  });

  it('a graceful stop puts the running job back without using up an attempt, and removes its work dir', async () => {
    let workDir = '';
    const { store, queue } = await setup(
      (job, signal) =>
        new Promise((_, reject) => {
          workDir = job.workDir;
          signal.addEventListener('abort', () => reject(new FirmwardenError(ErrorCodes.JOB_ABANDONED, 'stopping')));
        }),
    );
    queue.start();
    const put = await addImage(store, 'long');
    const job = queue.submit(put.sha256, 'long.bin');
    await new Promise((r) => setTimeout(r, 50));
    expect(store.jobs.get(job.id)?.status).toBe('running');
    await queue.stop();
    expect(store.jobs.get(job.id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(existsSync(workDir)).toBe(false);
  });
});
