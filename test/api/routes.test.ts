import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOW_DISK_BYTES } from '../../service/api/routes/health.js';
import type { FirmwareRecord, JobRecord } from '../../service/store/types.js';
import { addFirmware, completeAnalysis, shaOf, startHarness, VERSION, type Harness } from './harness.js';

let h: Harness;
let analyzed: string;
let queued: string;
let third: string;
let doneJobId: string;
let report: unknown;

beforeAll(async () => {
  h = await startHarness();
  analyzed = addFirmware(h.store, 'plc-a.bin', '2026-01-01T10:00:00.000Z');
  queued = addFirmware(h.store, 'hmi-<script>.img', '2026-01-01T11:00:00.000Z');
  third = addFirmware(h.store, 'rtu.bin', '2026-01-01T12:00:00.000Z');
  ({ jobId: doneJobId, report } = completeAnalysis(h.store, analyzed, 'plc-a.bin'));
  h.store.jobs.enqueue(queued, 'hmi-<script>.img');
});
afterAll(() => h.close());

const get = (url: string) => h.app.inject({ method: 'GET', url });

function expectError(res: { statusCode: number; json(): unknown; body: string }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(res.body).not.toMatch(/\n\s+at |stack/); // no stack trace, ever
  return body.error.message;
}

describe('GET /api/health', () => {
  it('reports version, job counts, data dir space and database state', async () => {
    const res = await get('/api/health');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      version: VERSION,
      jobs: { queued: 1, running: 0, done: 1, failed: 0 },
      dataDir: { path: h.store.layout.root },
      database: 'ok',
    });
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(body.dataDir.totalBytes).toBeGreaterThan(0);
    expect(body.dataDir.freeBytes).toBeGreaterThan(0);
    expect(body.status).toBe(body.dataDir.freeBytes >= LOW_DISK_BYTES ? 'ok' : 'degraded');
  });

  it('merges the appliance probes, and a degraded or failing probe degrades the answer', async () => {
    const ok = await startHarness({ health: () => ({ cpuTemperature: 48, version: 'probe cannot override' }) });
    const degraded = await startHarness({ health: async () => ({ status: 'degraded', ntp: 'unsynchronized' }) });
    const failing = await startHarness({
      health: () => {
        throw new Error('sensor read failed');
      },
    });
    try {
      const a = (await ok.app.inject('/api/health')).json();
      expect(a.cpuTemperature).toBe(48);
      expect(a.version).toBe(VERSION);
      const b = (await degraded.app.inject('/api/health')).json();
      expect(b).toMatchObject({ status: 'degraded', ntp: 'unsynchronized' });
      const c = await failing.app.inject('/api/health');
      expect(c.statusCode).toBe(200);
      expect(c.json().status).toBe('degraded');
    } finally {
      await Promise.all([ok.close(), degraded.close(), failing.close()]);
    }
  });
});

describe('GET /api/firmware', () => {
  it('lists every firmware, most recently seen first, with the total', async () => {
    const res = await get('/api/firmware');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: FirmwareRecord[]; total: number };
    expect(body.total).toBe(3);
    expect(body.items.map((f) => f.sha256)).toEqual([third, queued, analyzed]);
    expect(Object.keys(body.items[2]!).sort()).toEqual(
      [
        'sha256', 'size', 'fileName', 'firstSeenAt', 'lastSeenAt', 'status', 'latestJobId', 'analyzedAt',
        'findingCount', 'errorCount', 'provenance',
      ].sort(),
    );
    expect(body.items[2]).toMatchObject({ status: 'analyzed', findingCount: 1, fileName: 'plc-a.bin' });
    expect(body.items[1]!.fileName).toBe('hmi-<script>.img');
    expect(body.items[0]!.provenance).toEqual([
      expect.objectContaining({ source: 'watch:inbox', originalPath: '/inbox/rtu.bin', tag: null }),
    ]);
  });

  it('pages with limit/offset and keeps the total of the whole list', async () => {
    const page = (await get('/api/firmware?limit=2&offset=2')).json();
    expect(page.total).toBe(3);
    expect(page.items.map((f: FirmwareRecord) => f.sha256)).toEqual([analyzed]);
    const first = (await get('/api/firmware?limit=2')).json();
    expect(first.items).toHaveLength(2);
  });

  it('filters by status', async () => {
    const body = (await get('/api/firmware?status=analyzed')).json();
    expect(body.total).toBe(1);
    expect(body.items[0].sha256).toBe(analyzed);
  });

  it('rejects bad query values with 400 and fastify\'s validation message', async () => {
    expect(expectError(await get('/api/firmware?status=bogus'), 400, 'FW_ERR_BAD_REQUEST')).toMatch(/querystring\/status/);
    expect(expectError(await get('/api/firmware?limit=0'), 400, 'FW_ERR_BAD_REQUEST')).toMatch(/limit/);
    expectError(await get('/api/firmware?limit=100000'), 400, 'FW_ERR_BAD_REQUEST');
    expectError(await get('/api/firmware?offset=-1'), 400, 'FW_ERR_BAD_REQUEST');
  });
});

describe('GET /api/firmware/:id', () => {
  it('returns the record with its jobs', async () => {
    const res = await get(`/api/firmware/${analyzed}`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as FirmwareRecord & { jobs: JobRecord[] };
    expect(body).toMatchObject({ sha256: analyzed, status: 'analyzed', fileName: 'plc-a.bin' });
    expect(body.jobs.map((j) => j.id)).toEqual([doneJobId]);
    expect(body.jobs[0]).toMatchObject({ status: 'done', progress: 1 });
  });

  it('404 FW_ERR_NOT_FOUND for an unknown sha256', async () => {
    expectError(await get(`/api/firmware/${shaOf('never seen')}`), 404, 'FW_ERR_NOT_FOUND');
  });

  it('400 for an id that is not a lower-case sha256', async () => {
    expect(expectError(await get('/api/firmware/abc'), 400, 'FW_ERR_BAD_REQUEST')).toMatch(/params\/id must match pattern/);
    expectError(await get(`/api/firmware/${analyzed.toUpperCase()}`), 400, 'FW_ERR_BAD_REQUEST');
    expectError(await get(`/api/firmware/${analyzed}0`), 400, 'FW_ERR_BAD_REQUEST');
    expectError(await get('/api/firmware/..%2F..%2Fetc%2Fpasswd/report'), 400, 'FW_ERR_BAD_REQUEST');
  });
});

describe('GET /api/firmware/:id/report', () => {
  it('streams the latest report as JSON', async () => {
    const res = await get(`/api/firmware/${analyzed}/report`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    expect(res.json()).toEqual(report);
  });

  it('404 FW_ERR_NOT_FOUND before the firmware is analyzed, and for unknown firmware', async () => {
    expectError(await get(`/api/firmware/${queued}/report`), 404, 'FW_ERR_NOT_FOUND');
    expectError(await get(`/api/firmware/${shaOf('nope')}/report`), 404, 'FW_ERR_NOT_FOUND');
  });

  it('404 when the report file has gone from disk', async () => {
    const sha = addFirmware(h.store, 'gone.bin', '2026-01-01T09:00:00.000Z');
    completeAnalysis(h.store, sha, 'gone.bin');
    rmSync(h.store.firmware.reportFile(sha)!);
    expectError(await get(`/api/firmware/${sha}/report`), 404, 'FW_ERR_NOT_FOUND');
  });
});

describe('GET /api/jobs', () => {
  it('lists jobs newest first with the total, filtered by status and sha256', async () => {
    const all = (await get('/api/jobs')).json() as { items: JobRecord[]; total: number };
    expect(all.total).toBeGreaterThanOrEqual(2);
    expect(all.items.length).toBe(all.total);

    const bySha = (await get(`/api/jobs?sha256=${queued}`)).json();
    expect(bySha.total).toBe(1);
    expect(bySha.items[0]).toMatchObject({ sha256: queued, status: 'queued', fileName: 'hmi-<script>.img', progress: 0 });

    const done = (await get(`/api/jobs?status=done&sha256=${analyzed}`)).json();
    expect(done.items.map((j: JobRecord) => j.id)).toEqual([doneJobId]);

    const paged = (await get('/api/jobs?limit=1&offset=1')).json();
    expect(paged.items).toHaveLength(1);
    expect(paged.total).toBe(all.total);
  });

  it('rejects a bad status or sha256 filter', async () => {
    expectError(await get('/api/jobs?status=finished'), 400, 'FW_ERR_BAD_REQUEST');
    expectError(await get('/api/jobs?sha256=xyz'), 400, 'FW_ERR_BAD_REQUEST');
  });
});

describe('GET /api/jobs/:id', () => {
  it('returns one job', async () => {
    const res = await get(`/api/jobs/${doneJobId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: doneJobId, sha256: analyzed, status: 'done' });
  });

  it('404 for an unknown job, 400 for an id that is not a UUID', async () => {
    expectError(await get('/api/jobs/00000000-0000-4000-8000-000000000000'), 404, 'FW_ERR_NOT_FOUND');
    expectError(await get('/api/jobs/1%27%20OR%201=1'), 400, 'FW_ERR_BAD_REQUEST');
  });
});

describe('errors and headers', () => {
  it('unknown routes answer 404 FW_ERR_NOT_FOUND in the same shape', async () => {
    expectError(await get('/api/nothing-here'), 404, 'FW_ERR_NOT_FOUND');
  });

  it('an internal failure is a 500 FW_ERR_INTERNAL without the underlying message or stack', async () => {
    const broken = await startHarness();
    try {
      broken.store.close(); // every query now throws "The database connection is not open"
      const res = await broken.app.inject('/api/firmware');
      const message = expectError(res, 500, 'FW_ERR_INTERNAL');
      expect(message).not.toMatch(/database/);
      expect(message).toMatch(/request /);
      const health = (await broken.app.inject('/api/health')).json();
      expect(health).toMatchObject({ status: 'degraded', database: 'error' });
    } finally {
      await broken.close();
    }
  });

  it('sets the security headers on API answers and errors alike', async () => {
    for (const url of ['/api/health', '/api/firmware/abc', '/api/nothing-here', `/api/firmware/${analyzed}/report`]) {
      const res = await get(url);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toMatch(/^default-src 'self'; connect-src 'self' ws: wss:/);
    }
  });
});
