import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../service/analyze/pipeline.js';
import { connectFeed, startDaemonProcess, type DaemonProcess } from '../helpers/daemon.js';
import { expectValidReport } from '../helpers/report-schema.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildRootfsTarGz } from '../fixtures/build-rootfs-tar.js';

const dir = tempDir();
const dataDir = join(dir, 'var');
const running: DaemonProcess[] = [];
afterAll(async () => {
  for (const d of running) await d.stop();
});

async function poll<T>(fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('crash safety', () => {
  it('kill -9 mid-job: on restart the job completes and nothing stored before is lost', async () => {
    // 1. A first image, fully analyzed: this is what must survive.
    let daemon = await startDaemonProcess(dataDir);
    running.push(daemon);
    let feed = await connectFeed(daemon.url);
    const first = buildRootfsTarGz(dir, 'first.tar.gz');
    const firstSha = await sha256File(first);
    copyFileSync(first, join(dataDir, 'inbox', 'first.tar.gz'));
    await feed.waitFor((e) => e.type === 'analysisDone' && e.data.sha256 === firstSha);
    const firstReport = await (await fetch(new URL(`/api/firmware/${firstSha}/report`, daemon.url))).text();

    // 2. A large image keeps the analysis busy long enough to kill the daemon in the middle of it.
    const big = join(dir, 'big.bin');
    writeFileSync(big, randomBytes(96 * 1024 * 1024));
    const bigSha = await sha256File(big);
    copyFileSync(big, join(dataDir, 'inbox', 'big.bin'));
    const started = await feed.waitFor((e) => e.type === 'jobStarted' && e.data.sha256 === bigSha, 90_000);
    feed.close();
    await daemon.kill9();

    const db = new Database(join(dataDir, 'db', 'firmwarden.sqlite'), { readonly: true });
    const row = db.prepare('SELECT status, attempts FROM jobs WHERE id = ?').get(started.data.jobId) as {
      status: string;
      attempts: number;
    };
    db.close();
    expect(row).toEqual({ status: 'running', attempts: 1 }); // it really died mid-job

    // 3. Restart on the same data directory.
    daemon = await startDaemonProcess(dataDir);
    running.push(daemon);
    const job = await poll(async () => {
      const res = await fetch(new URL(`/api/jobs/${String(started.data.jobId)}`, daemon.url));
      const j = (await res.json()) as { status: string; attempts: number };
      return j.status === 'done' || j.status === 'failed' ? j : undefined;
    });
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
    const bigReport = (await (await fetch(new URL(`/api/firmware/${bigSha}/report`, daemon.url))).json()) as any;
    expectValidReport(bigReport);
    expect(bigReport.firmware.sha256).toBe(bigSha);

    // Nothing stored before the crash was lost or changed.
    expect(await (await fetch(new URL(`/api/firmware/${firstSha}/report`, daemon.url))).text()).toBe(firstReport);
    const list = (await (await fetch(new URL('/api/firmware', daemon.url))).json()) as { total: number };
    expect(list.total).toBe(2);
    expect(await sha256File(join(dataDir, 'blobs', bigSha.slice(0, 2), bigSha.slice(2, 4), bigSha))).toBe(bigSha);
    expect(readFileSync(first).length).toBeGreaterThan(0);
    const check = new Database(join(dataDir, 'db', 'firmwarden.sqlite'), { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  }, 240_000);
});
