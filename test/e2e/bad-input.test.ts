import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../service/analyze/pipeline.js';
import { connectFeed, startDaemonProcess, type DaemonProcess, type FeedClient } from '../helpers/daemon.js';
import { expectValidReport } from '../helpers/report-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
const dataDir = join(dir, 'var');
const inbox = join(dataDir, 'inbox');
let daemon: DaemonProcess;
let feed: FeedClient;

beforeAll(async () => {
  daemon = await startDaemonProcess(dataDir, { FIRMWARDEN_COLLECT__MAX_IMAGE_BYTES: String(1024 * 1024) });
  feed = await connectFeed(daemon.url);
});
afterAll(async () => {
  feed?.close();
  await daemon?.stop();
});

async function firmwareTotal(): Promise<number> {
  return ((await (await fetch(new URL('/api/firmware', daemon.url))).json()) as { total: number }).total;
}

describe('bad input reaching the daemon', () => {
  it('an empty file in the inbox is refused with a clear status, stored nowhere', async () => {
    writeFileSync(join(inbox, 'empty.bin'), '');
    const status = await feed.waitFor((e) => e.type === 'collectorStatus' && e.data.status === 'error');
    expect(String(status.data.message)).toContain('empty.bin: empty file');
    expect(await firmwareTotal()).toBe(0);
    expect(readdirSync(join(inbox, 'failed')).some((n) => n.endsWith('empty.bin'))).toBe(true);
  });

  it('a file that vanishes before it is read does not crash anything', async () => {
    const p = join(inbox, 'vanishing.bin');
    writeFileSync(p, randomBytes(1000));
    unlinkSync(p); // gone well before the write-finish wait ends
    await new Promise((r) => setTimeout(r, 1500));
    expect(daemon.proc.exitCode).toBeNull();
    expect(await firmwareTotal()).toBe(0);
  });

  it('a directory dropped into the inbox is ignored', async () => {
    mkdirSync(join(inbox, 'a-folder'));
    writeFileSync(join(inbox, 'a-folder', 'inner.bin'), randomBytes(100));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await firmwareTotal()).toBe(0);
    expect(existsSync(join(inbox, 'a-folder', 'inner.bin'))).toBe(true);
  });

  it('random bytes are analyzed into a valid report flagging an opaque image', async () => {
    const p = join(dir, 'noise.bin');
    writeFileSync(p, randomBytes(300_000));
    const sha = await sha256File(p);
    copyFileSync(p, join(inbox, 'noise.bin'));
    await feed.waitFor((e) => e.type === 'analysisDone' && e.data.sha256 === sha);
    const report = (await (await fetch(new URL(`/api/firmware/${sha}/report`, daemon.url))).json()) as any;
    expectValidReport(report);
    expect(report.findings.map((f: { kind: string }) => f.kind)).toContain('encrypted-image');
  });

  it('uploads: a 0-byte upload is refused, an oversize one too, a good one is analyzed', async () => {
    const upload = (bytes: Buffer, name: string) => {
      const form = new FormData();
      form.append('tag', 'manual');
      form.append('file', new Blob([bytes]), name);
      return fetch(new URL('/api/firmware', daemon.url), { method: 'POST', body: form });
    };
    const empty = await upload(Buffer.alloc(0), 'zero.bin');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe('FW_ERR_INPUT_EMPTY');

    const huge = await upload(randomBytes(1024 * 1024 + 1), 'huge.bin');
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('FW_ERR_INPUT_TOO_LARGE');
    expect(readdirSync(join(dataDir, 'tmp'))).toEqual([]);

    const ok = await upload(randomBytes(5000), '../../etc/evil.bin');
    expect(ok.status).toBe(201);
    const body = (await ok.json()) as { sha256: string; fileName: string; jobId: string | null; duplicate: boolean };
    expect(body.fileName).toBe('evil.bin'); // the base name only: a name never becomes a path
    expect(body.jobId).not.toBeNull();
    await feed.waitFor((e) => e.type === 'analysisDone' && e.data.sha256 === body.sha256);
    const record = (await (await fetch(new URL(`/api/firmware/${body.sha256}`, daemon.url))).json()) as {
      provenance: Array<{ source: string; tag: string }>;
    };
    expect(record.provenance[0]).toMatchObject({ source: 'upload', tag: 'manual' });
  });

  it('a report for unknown firmware is a 404 with a stable code, not a crash', async () => {
    const res = await fetch(new URL(`/api/firmware/${'0'.repeat(64)}/report`, daemon.url));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FW_ERR_NOT_FOUND');
    const bad = await fetch(new URL('/api/firmware/not-a-sha/report', daemon.url));
    expect(bad.status).toBe(400);
  });
});
