// One fuzz worker: a child process (forked by run-fuzz.ts with a heap cap) that unpacks each case it is sent,
// in process, and reads every file of every view to the last byte, as the analyzers would. It answers with the
// outcome; a hang or a crash is seen by the parent (no answer before the deadline, or the process gone).
import { isFirmwardenError } from '../../service/errors.js';
import { unpackImage, type UnpackLimits } from '../../service/unpack/unpack-image.js';

export interface FuzzCase {
  id: number;
  file: string;
  limits: UnpackLimits;
}

export interface FuzzOutcome {
  id: number;
  /** ok: no problem reported; errors: problems reported the way they should be; throw: anything else thrown. */
  outcome: 'ok' | 'errors' | 'throw';
  errorCount: number;
  files: number;
  bytesRead: number;
  message?: string;
  stack?: string;
  ms: number;
  /** KiB, this process's peak so far. */
  maxRss: number;
}

async function runCase(c: FuzzCase): Promise<FuzzOutcome> {
  const t0 = performance.now();
  let errorCount = 0;
  let files = 0;
  let bytesRead = 0;
  let thrown: unknown;
  try {
    const r = await unpackImage({ imagePath: c.file, limits: c.limits });
    try {
      errorCount += r.summary.errors.length;
      for (const view of r.filesystems) {
        for (const node of view.walk()) {
          if (node.type === 'symlink') view.stat(node.path);
          if (node.type !== 'file') continue;
          files++;
          try {
            bytesRead += (await view.read(node.path)).length;
          } catch (err) {
            // A damaged file is reported with one of our codes; anything else is a finding.
            if (!isFirmwardenError(err)) throw err;
            errorCount++;
          }
        }
      }
    } finally {
      r.close();
    }
  } catch (err) {
    if (isFirmwardenError(err)) errorCount++;
    else thrown = err;
  }
  const base = { id: c.id, errorCount, files, bytesRead, ms: performance.now() - t0, maxRss: process.resourceUsage().maxRSS };
  if (thrown !== undefined) {
    const e = thrown instanceof Error ? thrown : new Error(String(thrown));
    return { ...base, outcome: 'throw', message: `${e.name}: ${e.message}`, ...(e.stack ? { stack: e.stack } : {}) };
  }
  return { ...base, outcome: errorCount ? 'errors' : 'ok' };
}

process.on('message', (msg: FuzzCase) => {
  void runCase(msg).then((out) => process.send?.(out));
});
// Rejections nobody awaits (a handler's stray promise) crash the worker: the parent records the case.
process.on('unhandledRejection', (err) => {
  process.stderr.write(`unhandledRejection: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(70);
});
process.send?.({ ready: true });
