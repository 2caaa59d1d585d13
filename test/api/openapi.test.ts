import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, VERSION, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3 document titled Firmwarden with every API route and its schemas', async () => {
    const res = await h.app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'Firmwarden', version: VERSION });
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/firmware',
        '/api/firmware/{id}',
        '/api/firmware/{id}/report',
        '/api/health',
        '/api/jobs',
        '/api/jobs/{id}',
      ].sort(),
    );
    for (const [path, item] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(doc.paths)) {
      expect(item.get, path).toBeDefined();
      expect(item.get!.responses['200'], path).toBeDefined();
    }

    const byId = doc.paths['/api/firmware/{id}'].get;
    expect(byId.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ pattern: '^[0-9a-f]{64}$' }) }),
    ]);
    expect(byId.responses['404'].content['application/json'].schema.properties.error).toBeDefined();

    const list = doc.paths['/api/firmware'].get;
    expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['limit', 'offset', 'status']);
    const item = list.responses['200'].content['application/json'].schema.properties.items.items;
    expect(item.properties.latestJobId).toMatchObject({ type: 'string', nullable: true });

    const jobs = doc.paths['/api/jobs'].get;
    expect(jobs.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['limit', 'offset', 'sha256', 'status']);
  });
});
