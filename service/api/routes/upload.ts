// Upload through the console or curl: multipart, streamed straight into the blob store (hashing on the way),
// so a 1 GiB image never sits in memory.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Ingest } from '../../collect/ingest.js';
import { ErrorCodes, FirmwardenError } from '../../errors.js';
import { ApiError, ApiErrorCodes } from '../api-errors.js';
import { ErrorBody, JobId, Sha256 } from '../schemas.js';

export interface UploadRouteOptions {
  ingest: Ingest;
  maxImageBytes: number;
}

const UploadResult = Type.Object({
  sha256: Sha256,
  size: Type.Integer(),
  fileName: Type.String(),
  duplicate: Type.Boolean({ description: 'the same bytes were stored before (analyzed once)' }),
  jobId: Type.Union([JobId, Type.Null()], { description: 'the analysis queued for it, null when none was needed' }),
});

/** Names are hostile input: keep the base name, drop control characters, bound the length. */
export function cleanFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean || 'upload.bin';
}

export const uploadRoutes: FastifyPluginAsync<UploadRouteOptions> = async (app: FastifyInstance, opts) => {
  await app.register(multipart, { limits: { fileSize: opts.maxImageBytes, files: 1, fields: 4, fieldSize: 1024 } });
  app.post(
    '/api/firmware',
    {
      schema: {
        summary: 'Upload a firmware image (multipart/form-data, field "file"; optional field "tag" before it)',
        tags: ['firmware'],
        consumes: ['multipart/form-data'],
        response: { 201: UploadResult, 400: ErrorBody, 413: ErrorBody },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart()) throw new ApiError(ApiErrorCodes.BAD_REQUEST, 'expected multipart/form-data with a "file" field');
      let tag: string | null = null;
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (part.fieldname === 'tag') tag = String(part.value).slice(0, 64);
          continue;
        }
        if (part.fieldname !== 'file') {
          part.file.resume();
          continue;
        }
        const fileName = cleanFileName(part.filename);
        try {
          // Past fileSize busboy only truncates the stream; turn that into an error so the blob store drops the
          // partial bytes instead of storing a cut image as if it were whole.
          part.file.once('limit', () =>
            part.file.destroy(new FirmwardenError(ErrorCodes.INPUT_TOO_LARGE, `upload exceeds the limit of ${opts.maxImageBytes} bytes`)),
          );
          const res = await opts.ingest.fromStream(part.file, { source: 'upload', tag, fileName, originalPath: null });
          return reply.status(201).send({ sha256: res.sha256, size: res.size, fileName, duplicate: !res.isNew, jobId: res.job?.id ?? null });
        } finally {
          part.file.resume();
        }
      }
      throw new ApiError(ApiErrorCodes.BAD_REQUEST, 'no "file" field in the upload');
    },
  );
};
