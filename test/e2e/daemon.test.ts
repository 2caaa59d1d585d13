import { copyFileSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../service/analyze/pipeline.js';
import { connectFeed, startDaemonProcess, type DaemonProcess, type FeedClient } from '../helpers/daemon.js';
import { expectValidReport } from '../helpers/report-schema.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildRootfsTarGz } from '../fixtures/build-rootfs-tar.js';

const dir = tempDir();
const dataDir = join(dir, 'var');
let daemon: DaemonProcess;
let feed: FeedClient;

/** Copy via a dot-file and rename, as rsync does; the watcher must take the final name only. */
function drop(src: string, name: string): void {
  const inbox = join(dataDir, 'inbox');
  copyFileSync(src, join(inbox, `.${name}.partial`));
  renameSync(join(inbox, `.${name}.partial`), join(inbox, name));
}

async function getJson(path: string): Promise<any> {
  const res = await fetch(new URL(path, daemon.url));
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json();
}

beforeAll(async () => {
  daemon = await startDaemonProcess(dataDir);
  feed = await connectFeed(daemon.url);
});

afterAll(async () => {
  feed?.close();
  await daemon?.stop();
});

describe('daemon end to end', () => {
  it('analyzes an image dropped into the inbox and relays the job events', async () => {
    const image = buildRootfsTarGz(dir);
    const sha = await sha256File(image);
    drop(image, 'router-fw.tar.gz');

    const received = await feed.waitFor((e) => e.type === 'firmwareReceived' && e.data.sha256 === sha);
    expect(received.data).toMatchObject({ fileName: 'router-fw.tar.gz', source: 'watch:inbox', duplicate: false });
    await feed.waitFor((e) => e.type === 'jobQueued' && e.data.sha256 === sha);
    await feed.waitFor((e) => e.type === 'jobStarted' && e.data.sha256 === sha);
    await feed.waitFor((e) => e.type === 'analysisProgress' && e.data.sha256 === sha);
    const done = await feed.waitFor((e) => e.type === 'analysisDone' && e.data.sha256 === sha);
    expect(done.data.errorCount).toBe(0);

    const report = await getJson(`/api/firmware/${sha}/report`);
    expectValidReport(report);
    expect(report.firmware).toEqual({ sha256: sha, size: readFileSync(image).length, fileName: 'router-fw.tar.gz' });
    expect(report.extraction.fileCount).toBeGreaterThan(0);

    const list = await getJson('/api/firmware');
    expect(list.items.map((f: { sha256: string }) => f.sha256)).toContain(sha);
    const record = await getJson(`/api/firmware/${sha}`);
    expect(record.status).toBe('analyzed');
    const jobs = await getJson(`/api/jobs?sha256=${sha}`);
    expect(jobs.items[0]).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('the same bytes under another name are stored and analyzed once, with both provenances', async () => {
    const image = buildRootfsTarGz(dir, 'again.tar.gz');
    const sha = await sha256File(image);
    drop(image, 'first.tar.gz');
    await feed.waitFor((e) => e.type === 'analysisDone' && e.data.sha256 === sha);
    drop(image, 'second-copy.tar.gz');
    const dup = await feed.waitFor((e) => e.type === 'firmwareReceived' && e.data.sha256 === sha && e.data.duplicate === true);
    expect(dup.data.fileName).toBe('second-copy.tar.gz');
    const jobs = await getJson(`/api/jobs?sha256=${sha}`);
    expect(jobs.total).toBe(1);
    const record = await getJson(`/api/firmware/${sha}`);
    expect(record.provenance).toHaveLength(2);
  });

  it('serves the console page, health and the OpenAPI document', async () => {
    const page = await fetch(daemon.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Firmwarden');
    const health = await getJson('/api/health');
    expect(health.status).toBe('ok');
    const openapi = await getJson('/api/openapi.json');
    expect(Object.keys(openapi.paths)).toContain('/api/firmware/{id}/report');
  });

  it('stops cleanly on SIGTERM', async () => {
    feed.close();
    expect(await daemon.stop()).toBe(0);
  });
});
