// TypeBox schemas for every route: fastify validates params/querystring with them, serializes responses
// through them (so a field that is not declared here never leaves the daemon), and @fastify/swagger turns
// them into the OpenAPI document. The compile-time checks at the bottom fail `tsc` when store/types.ts and
// these schemas drift apart.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FirmwareRecord, JobRecord } from '../store/types.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'sha256 of the image, lower-case hex' });
// Job ids come from crypto.randomUUID(): lower-case, version 4.
export const JobId = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'job id (UUID)',
});

export const FirmwareStatus = Type.Union(
  [Type.Literal('queued'), Type.Literal('analyzing'), Type.Literal('analyzed'), Type.Literal('failed')],
  { description: 'analysis status of the image' },
);
export const JobStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('failed'),
]);

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable FW_ERR_* code; match on this, never on the message' }),
      message: Type.String(),
    }),
  },
  { description: 'every error response' },
);

export const Provenance = Type.Object({
  source: Type.String(),
  tag: Nullable(Type.String()),
  originalPath: Nullable(Type.String()),
  receivedAt: Type.String({ format: 'date-time' }),
  claimedSha256: Nullable(Type.String()),
  deviceId: Nullable(Type.String()),
});

export const FirmwareRecordSchema = Type.Object({
  sha256: Type.String(),
  size: Type.Integer(),
  fileName: Type.String(),
  firstSeenAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  status: FirmwareStatus,
  latestJobId: Nullable(Type.String()),
  analyzedAt: Nullable(Type.String()),
  findingCount: Type.Integer(),
  errorCount: Type.Integer(),
  provenance: Type.Array(Provenance),
});

export const JobRecordSchema = Type.Object({
  id: Type.String(),
  sha256: Type.String(),
  fileName: Type.String(),
  status: JobStatus,
  attempts: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  stage: Nullable(Type.String()),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  errorCode: Nullable(Type.String()),
  errorMessage: Nullable(Type.String()),
});

export const FirmwareDetail = Type.Object({
  ...FirmwareRecordSchema.properties,
  jobs: Type.Array(JobRecordSchema, { description: 'most recent first, at most 100; all of them: /api/jobs?sha256=' }),
});

// Paging: defaults keep an unbounded request from reading the whole table into memory.
const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};

export const FirmwareListQuery = Type.Object(
  { ...PageQuery, status: Type.Optional(FirmwareStatus) },
  { additionalProperties: false },
);
export const JobListQuery = Type.Object(
  { ...PageQuery, status: Type.Optional(JobStatus), sha256: Type.Optional(Sha256) },
  { additionalProperties: false },
);

export const FirmwareList = Type.Object({ items: Type.Array(FirmwareRecordSchema), total: Type.Integer() });
export const JobList = Type.Object({ items: Type.Array(JobRecordSchema), total: Type.Integer() });

export const FirmwareParams = Type.Object({ id: Sha256 });
export const JobParams = Type.Object({ id: JobId });

// The report is streamed from its file, so it is never re-serialized; this schema only documents it.
export const ReportBody = Type.Object(
  {},
  { additionalProperties: true, description: 'the analysis report (DESIGN.md "Report contract")' },
);

export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    version: Type.String(),
    uptimeSeconds: Type.Number(),
    jobs: Type.Object({ queued: Type.Integer(), running: Type.Integer(), done: Type.Integer(), failed: Type.Integer() }),
    dataDir: Type.Object({ path: Type.String(), freeBytes: Nullable(Type.Number()), totalBytes: Nullable(Type.Number()) }),
    database: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  },
  { additionalProperties: true, description: 'plus whatever the appliance health probes add' },
);

export type FirmwareListQueryT = Static<typeof FirmwareListQuery>;
export type JobListQueryT = Static<typeof JobListQuery>;
export type IdParamsT = { id: string };
export type HealthT = Static<typeof Health>;
export type ErrorBodyT = Static<typeof ErrorBody>;

// Drift guards: each line fails to compile when the record type and its schema stop matching exactly.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const firmwareMatches: Same<Static<typeof FirmwareRecordSchema>, FirmwareRecord> = true;
const jobMatches: Same<Static<typeof JobRecordSchema>, JobRecord> = true;
void firmwareMatches;
void jobMatches;
