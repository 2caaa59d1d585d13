// The OpenAPI 3 document, built by @fastify/swagger from the route schemas and served at /api/openapi.json.
// Registered before the routes: swagger collects them through fastify's onRoute hook.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Firmwarden',
        version,
        description:
          'Firmware analysis on the appliance. Errors are {"error":{"code","message"}} with stable FW_ERR_* codes. ' +
          'Live events: websocket at /api/feed, messages {"type","at","data"} (see service/bus.ts).',
      },
      tags: [
        { name: 'health', description: 'daemon and appliance health' },
        { name: 'firmware', description: 'firmware images and their reports' },
        { name: 'jobs', description: 'analysis jobs' },
      ],
    },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
