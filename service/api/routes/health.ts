// GET /api/health: what the appliance's watchdog and the console's status bar poll. It never fails itself:
// a broken probe turns the answer "degraded" instead of a 500, so the caller still sees what is wrong.
import { statfs } from 'node:fs/promises';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Store } from '../../store/store.js';
import { ErrorBody, Health, type HealthT } from '../schemas.js';

export interface HealthRouteOptions {
  store: Store;
  version: string;
  health?: (() => Promise<Record<string, unknown>> | Record<string, unknown>) | undefined;
}

// Below this much free space an image plus its unpacked tree may not fit; the operator should hear of it early.
export const LOW_DISK_BYTES = 256 * 1024 * 1024;

async function diskSpace(path: string): Promise<{ freeBytes: number | null; totalBytes: number | null }> {
  try {
    const s = await statfs(path);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return { freeBytes: null, totalBytes: null };
  }
}

function databaseState(store: Store): 'ok' | 'error' {
  try {
    store.db.prepare('SELECT 1').get();
    return 'ok';
  } catch {
    return 'error';
  }
}

export const healthRoutes: FastifyPluginAsync<HealthRouteOptions> = async (app: FastifyInstance, opts) => {
  const { store, version } = opts;

  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Daemon health',
        tags: ['health'],
        response: { 200: Health, 500: ErrorBody },
      },
    },
    async (req): Promise<HealthT> => {
      const database = databaseState(store);
      const jobs = database === 'ok' ? store.jobs.counts() : { queued: 0, running: 0, done: 0, failed: 0 };
      const space = await diskSpace(store.layout.root);
      let extra: Record<string, unknown> = {};
      let probeFailed = false;
      if (opts.health) {
        try {
          extra = await opts.health();
        } catch (err) {
          req.log.warn({ err }, 'health probe failed');
          probeFailed = true;
        }
      }
      const degraded =
        database !== 'ok' ||
        probeFailed ||
        (extra['status'] !== undefined && extra['status'] !== 'ok') ||
        space.freeBytes === null ||
        space.freeBytes < LOW_DISK_BYTES;
      // Probes may add keys but not overwrite the ones this route measures itself.
      return {
        ...extra,
        status: degraded ? 'degraded' : 'ok',
        version,
        uptimeSeconds: Math.round(process.uptime()),
        jobs,
        dataDir: { path: store.layout.root, ...space },
        database,
      };
    },
  );
};
