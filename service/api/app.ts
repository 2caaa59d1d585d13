// The HTTP face of the daemon: JSON API, websocket feed, OpenAPI document and the static console.
// Everything is registered here, explicitly and in order; nothing is discovered from folders.
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { EventBus } from '../bus.js';
import type { Ingest } from '../collect/ingest.js';
import type { Store } from '../store/store.js';
import { installErrorHandlers } from './api-errors.js';
import { feedRoutes } from './feed.js';
import { registerOpenApi } from './openapi.js';
import { firmwareRoutes } from './routes/firmware.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { uploadRoutes } from './routes/upload.js';
import { installSecurityHeaders } from './security-headers.js';

export interface ApiDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  version: string;
  /** Directory of the built console (index.html ...). */
  webRoot: string;
  /** Extra health probes (appliance checks); merged into GET /api/health. */
  health?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Where uploads go; without it there is no upload route (tests of read-only routes). */
  upload?: { ingest: Ingest; maxImageBytes: number };
}

// Feed clients only ever receive; anything they send is dropped, so a tiny frame limit costs nothing.
const FEED_MAX_INBOUND_BYTES = 4 * 1024;

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Widened to fastify's logger interface so route plugins keep the default FastifyInstance type.
    loggerInstance: deps.logger as FastifyBaseLogger,
    // JSON bodies stay small; the upload route streams multipart bodies under its own size limit.
    bodyLimit: 64 * 1024,
  });

  installErrorHandlers(app);
  installSecurityHeaders(app);
  await registerOpenApi(app, deps.version);
  await app.register(websocket, { options: { maxPayload: FEED_MAX_INBOUND_BYTES } });

  await app.register(healthRoutes, { store: deps.store, version: deps.version, health: deps.health });
  await app.register(firmwareRoutes, { store: deps.store });
  await app.register(jobRoutes, { store: deps.store });
  if (deps.upload) await app.register(uploadRoutes, deps.upload);
  await app.register(feedRoutes, { bus: deps.bus, version: deps.version });

  await app.register(fastifyStatic, { root: deps.webRoot, prefix: '/', index: ['index.html'] });

  await app.ready();
  return app;
}
