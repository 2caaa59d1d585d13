// Firmware images: the list the console shows, one image with its jobs, and its latest report.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, isAbsolute, resolve } from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Store } from '../../store/store.js';
import { notFound } from '../api-errors.js';
import {
  ErrorBody,
  FirmwareDetail,
  FirmwareList,
  FirmwareListQuery,
  FirmwareParams,
  ReportBody,
  type FirmwareListQueryT,
  type IdParamsT,
} from '../schemas.js';

export interface FirmwareRouteOptions {
  store: Store;
}

const JOBS_PER_FIRMWARE = 100;

/** The report path comes from the database; still refuse one outside reports/ (a restored or edited database). */
function insideDir(dir: string, file: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export const firmwareRoutes: FastifyPluginAsync<FirmwareRouteOptions> = async (app: FastifyInstance, { store }) => {
  app.get<{ Querystring: FirmwareListQueryT }>(
    '/api/firmware',
    {
      schema: {
        summary: 'List firmware images, most recently seen first',
        tags: ['firmware'],
        querystring: FirmwareListQuery,
        response: { 200: FirmwareList, 400: ErrorBody },
      },
    },
    async (req) => store.firmware.list(req.query),
  );

  app.get<{ Params: IdParamsT }>(
    '/api/firmware/:id',
    {
      schema: {
        summary: 'One firmware image and its analysis jobs',
        tags: ['firmware'],
        params: FirmwareParams,
        response: { 200: FirmwareDetail, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const record = store.firmware.get(req.params.id);
      if (!record) throw notFound('firmware');
      const jobs = store.jobs.list({ sha256: record.sha256, limit: JOBS_PER_FIRMWARE, offset: 0 }).items;
      return { ...record, jobs };
    },
  );

  app.get<{ Params: IdParamsT }>(
    '/api/firmware/:id/report',
    {
      schema: {
        summary: 'The latest analysis report (JSON)',
        tags: ['firmware'],
        params: FirmwareParams,
        response: { 200: ReportBody, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const file = store.firmware.reportFile(req.params.id);
      if (!file || !insideDir(store.layout.reports, file)) throw notFound('report');
      // Reports can be tens of MB: stream the file as written instead of parsing and re-serializing it.
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw notFound('report');
      return reply
        .type('application/json; charset=utf-8')
        .header('content-length', info.size)
        .send(createReadStream(file));
    },
  );
};
