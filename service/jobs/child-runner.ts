import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorCodes, FirmwardenError } from '../errors.js';
import type { Report } from '../report/report-types.js';
import type { ChildMessage, RunMessage } from './ipc.js';

export interface ChildRunOptions {
  message: RunMessage;
  cwd: string;
  timeoutMs: number;
  maxHeapMb: number;
  onProgress: (stage: string, fraction: number, message?: string) => void;
  signal?: AbortSignal;
  /** The child's pid, for the log (and for tests that kill it). */
  onSpawn?: (pid: number) => void;
}

const here = fileURLToPath(import.meta.url);
const childEntry = here.replace(/child-runner\.(ts|js)$/, 'analysis-child.$1');

/** From a checkout the child is TypeScript too: give it the tsx loader by absolute URL (its cwd is the job dir). */
function loaderArgs(): string[] {
  if (!childEntry.endsWith('.ts')) return [];
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(tsx).href];
}

/**
 * Run one analysis in a child process with a heap cap and a wall-clock limit. Resolves with the report;
 * rejects with FW_ERR_JOB_TIMEOUT / _OUT_OF_MEMORY / _CRASHED (the stderr tail in the message) otherwise.
 */
export function runAnalysisChild(opts: ChildRunOptions): Promise<Report> {
  return new Promise<Report>((resolve, reject) => {
    const child = fork(childEntry, [], {
      cwd: opts.cwd,
      execArgv: [...loaderArgs(), `--max-old-space-size=${opts.maxHeapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: process.env.NODE_ENV ?? 'production', TMPDIR: opts.cwd },
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderrTail = (stderrTail + d).slice(-4096);
    });
    let settled = false;
    let result: { report?: Report; error?: FirmwardenError } = {};
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const timer = setTimeout(() => {
      result.error = new FirmwardenError(ErrorCodes.JOB_TIMEOUT, `analysis exceeded its time limit of ${opts.timeoutMs / 1000} s`);
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    const onAbort = () => {
      result.error ??= new FirmwardenError(ErrorCodes.JOB_ABANDONED, 'analysis stopped: the daemon is shutting down');
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('message', (raw) => {
      const msg = raw as ChildMessage;
      if (msg.type === 'progress') opts.onProgress(msg.stage, msg.fraction, msg.message);
      else if (msg.type === 'report') result.report = msg.report;
      else if (msg.type === 'error') {
        result.error ??= new FirmwardenError(
          msg.code.startsWith('FW_ERR_INPUT') ? (msg.code as never) : ErrorCodes.JOB_CRASHED,
          msg.message,
        );
      }
    });
    child.on('error', (err) => finish(() => reject(new FirmwardenError(ErrorCodes.JOB_CRASHED, `cannot start analysis: ${err.message}`))));
    child.on('exit', (code, signal) => {
      finish(() => {
        if (result.error) return reject(result.error);
        if (result.report && code === 0) return resolve(result.report);
        const tail = stderrTail.trim().split('\n').slice(-3).join(' | ');
        if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderrTail)) {
          return reject(new FirmwardenError(ErrorCodes.JOB_OUT_OF_MEMORY, `analysis ran out of memory (heap cap ${opts.maxHeapMb} MiB)`));
        }
        reject(
          new FirmwardenError(
            ErrorCodes.JOB_CRASHED,
            `analysis process ended unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})${tail ? `: ${tail}` : ''}`,
          ),
        );
      });
    });
    child.send(opts.message);
  });
}
