// Stable error codes, in the manner of fastify's FST_ERR_* catalogue: tools and tests match on the code,
// never on the message, so messages may improve without breaking anyone.
export const ErrorCodes = {
  CONFIG_INVALID: 'FW_ERR_CONFIG_INVALID',
  CONFIG_UNKNOWN_KEY: 'FW_ERR_CONFIG_UNKNOWN_KEY',
  CONFIG_UNREADABLE: 'FW_ERR_CONFIG_UNREADABLE',
  CLI_USAGE: 'FW_ERR_CLI_USAGE',
  INPUT_NOT_FOUND: 'FW_ERR_INPUT_NOT_FOUND',
  INPUT_NOT_A_FILE: 'FW_ERR_INPUT_NOT_A_FILE',
  INPUT_EMPTY: 'FW_ERR_INPUT_EMPTY',
  INPUT_UNREADABLE: 'FW_ERR_INPUT_UNREADABLE',
  INPUT_TOO_LARGE: 'FW_ERR_INPUT_TOO_LARGE',
  STORE_CORRUPT: 'FW_ERR_STORE_CORRUPT',
  STORE_IO: 'FW_ERR_STORE_IO',
  BLOB_NOT_FOUND: 'FW_ERR_BLOB_NOT_FOUND',
  JOB_TIMEOUT: 'FW_ERR_JOB_TIMEOUT',
  JOB_CRASHED: 'FW_ERR_JOB_CRASHED',
  JOB_OUT_OF_MEMORY: 'FW_ERR_JOB_OUT_OF_MEMORY',
  JOB_ABANDONED: 'FW_ERR_JOB_ABANDONED',
  ANALYZER_FAILED: 'FW_ERR_ANALYZER_FAILED',
  ANALYZER_TIMEOUT: 'FW_ERR_ANALYZER_TIMEOUT',
  ANALYZER_SKIPPED: 'FW_ERR_ANALYZER_SKIPPED',
  ANALYZER_CYCLE: 'FW_ERR_ANALYZER_CYCLE',
  UNPACK_TRUNCATED: 'FW_ERR_UNPACK_TRUNCATED',
  UNPACK_MALFORMED: 'FW_ERR_UNPACK_MALFORMED',
  UNPACK_LIMIT: 'FW_ERR_UNPACK_LIMIT',
  UNPACK_PATH_TRAVERSAL: 'FW_ERR_UNPACK_PATH_TRAVERSAL',
  UNPACK_UNSUPPORTED: 'FW_ERR_UNPACK_UNSUPPORTED',
  EXTRACT_SKIPPED: 'FW_ERR_EXTRACT_SKIPPED',
  NOT_FOUND: 'FW_ERR_NOT_FOUND',
  SD_NOTIFY: 'FW_ERR_SD_NOTIFY',
  BAD_REQUEST: 'FW_ERR_BAD_REQUEST',
  FORBIDDEN: 'FW_ERR_FORBIDDEN',
  INTERNAL: 'FW_ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class FirmwardenError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FirmwardenError';
    this.code = code;
    this.details = details;
  }
}

export function isFirmwardenError(err: unknown): err is FirmwardenError {
  return err instanceof FirmwardenError;
}

/** A short human message for any thrown value, without stack traces (those go to the debug log only). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The error code of any thrown value: ours, a Node system error (ENOENT ...), or a generic one. */
export function errorCode(err: unknown): string {
  if (isFirmwardenError(err)) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return 'FW_ERR_INTERNAL';
}
