// Analysis jobs: the queue as the console's jobs panel shows it.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Store } from '../../store/store.js';
import { notFound } from '../api-errors.js';
import { ErrorBody, JobList, JobListQuery, JobParams, JobRecordSchema, type IdParamsT, type JobListQueryT } from '../schemas.js';

export interface JobRouteOptions {
  store: Store;
}

export const jobRoutes: FastifyPluginAsync<JobRouteOptions> = async (app: FastifyInstance, { store }) => {
  app.get<{ Querystring: JobListQueryT }>(
    '/api/jobs',
    {
      schema: {
        summary: 'List analysis jobs, newest first',
        tags: ['jobs'],
        querystring: JobListQuery,
        response: { 200: JobList, 400: ErrorBody },
      },
    },
    async (req) => store.jobs.list(req.query),
  );

  app.get<{ Params: IdParamsT }>(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'One analysis job',
        tags: ['jobs'],
        params: JobParams,
        response: { 200: JobRecordSchema, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const job = store.jobs.get(req.params.id);
      if (!job) throw notFound('job');
      return job;
    },
  );
};
