// Wiring only: config -> storage -> bus -> collectors/pipeline -> api. Features live in their own modules.
import type { AddressInfo } from 'node:net';
import { buildApi } from './api/app.js';
import { EventBus } from './bus.js';
import { Ingest } from './collect/ingest.js';
import { WatchFolder } from './collect/watch-folder.js';
import type { FirmwardenConfig } from './config/config-types.js';
import { errorMessage } from './errors.js';
import { runAnalysisChild } from './jobs/child-runner.js';
import { JobQueue } from './jobs/job-queue.js';
import type { Logger } from './log.js';
import { version, webRoot } from './paths.js';
import { openStore, type Store } from './store/store.js';
import { DEFAULT_UNPACK_LIMITS } from './unpack/limits.js';

export interface Daemon {
  url: string;
  store: Store;
  bus: EventBus;
  queue: JobQueue;
  ingest: Ingest;
  stop(): Promise<void>;
}

export async function startDaemon(config: FirmwardenConfig, logger: Logger): Promise<Daemon> {
  const store = await openStore(config.dataDir);
  logger.info({ dataDir: store.layout.root }, 'data directory ready');
  const bus = new EventBus((event, err) => logger.error({ event, err: errorMessage(err) }, 'bus listener failed'));

  const queue = new JobQueue({
    store,
    bus,
    logger,
    concurrency: config.jobs.concurrency,
    maxAttempts: config.jobs.maxAttempts,
    keepWorkDir: config.jobs.keepWorkDir,
    run: (job, signal, onProgress) =>
      runAnalysisChild({
        message: {
          type: 'run',
          job: { id: job.id, sha256: job.sha256, fileName: job.fileName, imagePath: job.imagePath },
          options: { limits: { ...DEFAULT_UNPACK_LIMITS, ...config.unpack }, analyzerTimeoutMs: config.analysis.analyzerTimeoutSeconds * 1000 },
        },
        cwd: job.workDir,
        timeoutMs: config.jobs.timeoutSeconds * 1000,
        maxHeapMb: config.jobs.maxHeapMb,
        onProgress,
        signal,
      }),
  });
  const ingest = new Ingest(store, queue, bus, config.collect.maxImageBytes);
  const folders = config.collect.watchFolders.map((f) => new WatchFolder(f, store.layout.root, ingest, bus, logger));

  const api = await buildApi({
    store,
    bus,
    logger,
    version,
    webRoot,
    upload: { ingest, maxImageBytes: config.collect.maxImageBytes },
  });
  queue.start();
  for (const f of folders) await f.start();
  await api.listen({ host: config.api.host, port: config.api.port });
  const addr = api.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}/`;

  let stopped = false;
  return {
    url,
    store,
    bus,
    queue,
    ingest,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const f of folders) await f.stop();
      await queue.stop();
      await api.close();
      store.close();
    },
  };
}
