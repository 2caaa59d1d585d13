// The API's error catalogue: every error response is `{ error: { code, message } }` with a stable FW_ERR_* code
// and never a stack trace (that goes to the log only). Clients match on the code, never on the message.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, isFirmwardenError } from '../errors.js';

// The codes the HTTP layer answers with (all from the one catalogue in service/errors.ts).
export const ApiErrorCodes = {
  BAD_REQUEST: ErrorCodes.BAD_REQUEST,
  FORBIDDEN: ErrorCodes.FORBIDDEN,
  NOT_FOUND: ErrorCodes.NOT_FOUND,
  INTERNAL: ErrorCodes.INTERNAL,
} as const;

// HTTP status of each code our own code may throw; anything unlisted is a 500.
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [ApiErrorCodes.BAD_REQUEST]: 400,
  [ApiErrorCodes.FORBIDDEN]: 403,
  [ApiErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.BLOB_NOT_FOUND]: 404,
  [ErrorCodes.INPUT_TOO_LARGE]: 413,
  [ErrorCodes.INPUT_EMPTY]: 400,
};

export class ApiError extends Error {
  readonly statusCode: number;
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = STATUS_BY_CODE[code] ?? 500;
  }
}

export const notFound = (what: string): ApiError => new ApiError(ApiErrorCodes.NOT_FOUND, `${what} not found`);

export interface ErrorResponse {
  statusCode: number;
  body: { error: { code: string; message: string } };
}

/** Map any thrown value to the response the client sees. Messages of 5xx errors are hidden: they may carry paths. */
export function toErrorResponse(err: unknown, requestId: string): ErrorResponse {
  const respond = (statusCode: number, code: string, message: string): ErrorResponse => ({
    statusCode,
    body: { error: { code, message } },
  });
  const internal = () => respond(500, ApiErrorCodes.INTERNAL, `internal error (request ${requestId})`);

  if (err instanceof ApiError) {
    return err.statusCode >= 500 ? internal() : respond(err.statusCode, err.code, err.message);
  }
  if (isFirmwardenError(err)) {
    const status = STATUS_BY_CODE[err.code];
    return status ? respond(status, err.code, err.message) : internal();
  }
  const fe = err as Partial<FastifyError> | null;
  // Schema validation: fastify's message names the field and the rule ("params/id must match pattern ...").
  if (fe?.validation) return respond(400, ApiErrorCodes.BAD_REQUEST, fe.message ?? 'invalid request');
  // fastify's own client errors (bad JSON, unsupported media type, body too large ...) keep their status.
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = status === 404 ? ApiErrorCodes.NOT_FOUND : status === 413 ? ErrorCodes.INPUT_TOO_LARGE : ApiErrorCodes.BAD_REQUEST;
    return respond(status, code, fe?.message ?? 'bad request');
  }
  return internal();
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { statusCode, body } = toErrorResponse(err, req.id);
    if (statusCode >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: body.error.code, message: body.error.message }, 'request rejected');
    return reply.status(statusCode).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    return reply
      .status(404)
      .type('application/json; charset=utf-8')
      .send({ error: { code: ApiErrorCodes.NOT_FOUND, message: `no route for ${req.method} ${req.url}` } });
  });
}
