import type { Report } from '../report/report-types.js';
import type { UnpackLimits } from '../unpack/limits.js';

/** What the daemon tells an analysis child. */
export interface RunMessage {
  type: 'run';
  job: { id: string; sha256: string; fileName: string; imagePath: string };
  options: { limits: UnpackLimits; analyzerTimeoutMs: number };
}

/** What an analysis child tells the daemon. Exactly one 'report' or 'error' ends a run. */
export type ChildMessage =
  | { type: 'progress'; stage: string; fraction: number; message?: string | undefined }
  | { type: 'report'; report: Report }
  | { type: 'error'; code: string; message: string };
