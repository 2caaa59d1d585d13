import { ErrorCodes, FirmwardenError } from '../errors.js';

/**
 * Run fn with an AbortSignal that fires after ms, and stop waiting for it then. An analyzer that ignores the
 * signal and spins synchronously cannot be stopped from the same thread: the job-level timeout, which kills
 * the analysis child process, is the backstop for that.
 */
export async function withTimeout<T>(
  ms: number,
  parent: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new FirmwardenError(ErrorCodes.ANALYZER_TIMEOUT, `timed out after ${ms} ms`);
      // Reject before aborting: an analyzer that settles from its abort listener must still count as timed out.
      reject(err);
      controller.abort(err);
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}
