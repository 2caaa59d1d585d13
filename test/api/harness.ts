// A real store in a temp data dir, a real bus, and the API built on them: what every API test starts from.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApi, type ApiDeps } from '../../service/api/app.js';
import { EventBus } from '../../service/bus.js';
import type { Report } from '../../service/report/report-types.js';
import { openStore, type Store } from '../../service/store/store.js';

export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
export const VERSION = '0.1.0-test';

export interface Harness {
  dir: string;
  store: Store;
  bus: EventBus;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startHarness(extra: Partial<Pick<ApiDeps, 'health'>> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'firmwarden-api-'));
  const store = await openStore(dir);
  const bus = new EventBus();
  const app = await buildApi({ store, bus, logger: pino({ level: 'silent' }), version: VERSION, webRoot: WEB_ROOT, ...extra });
  return {
    dir,
    store,
    bus,
    app,
    close: async () => {
      await app.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const shaOf = (text: string): string => createHash('sha256').update(text).digest('hex');

export function addFirmware(store: Store, fileName: string, receivedAt: string): string {
  const sha256 = shaOf(fileName);
  store.firmware.recordArrival({
    sha256,
    size: 1000 + fileName.length,
    fileName,
    provenance: { source: 'watch:inbox', tag: null, originalPath: `/inbox/${fileName}`, receivedAt, claimedSha256: null, deviceId: null },
  });
  return sha256;
}

export function minimalReport(sha256: string, fileName: string): Report {
  return {
    firmware: { sha256, size: 1000, fileName },
    extraction: { chain: [], fileCount: 0, rootFileSystems: [], unknownRegions: [], errors: [] },
    components: [],
    vulnerabilities: [],
    binaries: [],
    accounts: [],
    certificates: [],
    keys: [],
    findings: [{ id: 'f1', kind: 'account', severity: 'high', title: 'root has an empty password', path: '/etc/shadow', evidence: 'root::0:' }],
    analysis: { version: '0.1.0', startedAt: '2026-01-02T00:00:00.000Z', durationMs: 12, analyzers: [], errors: [] },
  };
}

/** Analyze one firmware the way the pipeline does: job done, report written, record pointed at it. */
export function completeAnalysis(store: Store, sha256: string, fileName: string): { jobId: string; report: Report } {
  const job = store.jobs.enqueue(sha256, fileName);
  store.jobs.finish(job.id, 'done');
  const report = minimalReport(sha256, fileName);
  const reportFile = store.reports.write(sha256, job.id, report);
  store.firmware.markAnalyzed(sha256, { reportFile, findingCount: 1, errorCount: 0, at: '2026-01-02T00:00:01.000Z' });
  return { jobId: job.id, report };
}
