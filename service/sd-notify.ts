// systemd's notify protocol (sd_notify(3)) without a native module.
//
// Node has no API for unix *datagram* sockets, so each message is sent by running systemd-notify(1)
// (Debian 12: systemd 252). Measured on Debian 12 against a plain AF_UNIX/SOCK_DGRAM receiver (see
// test/appliance/sd-notify.test.ts): systemd-notify does not check that systemd is running, it sends to
// any NOTIFY_SOCKET (a path or an abstract "@name"), and since systemd 246 it then sends BARRIER=1 with a
// pipe fd and waits (up to 5 s) until the receiver has closed that fd, i.e. until the manager has processed
// the message. That wait is what makes a helper process usable: the classic race, where the helper has
// exited before PID 1 reads the datagram and PID 1 cannot map the sender PID to our unit, goes away.
//
// Consequence for the unit file: the sender is a child of the daemon, not the main PID (an unprivileged
// process cannot put another PID into SCM_CREDENTIALS; the kernel refuses and systemd-notify falls back to
// its own PID), so systemd/firmwarden.service must say NotifyAccess=all.
//
// Children that run untrusted input (analysis jobs) should not inherit NOTIFY_SOCKET: pass their env
// through withoutNotifyEnv().
import { execFile } from 'node:child_process';
import { ErrorCodes } from './errors.js';

export interface SdNotifier {
  /** NOTIFY_SOCKET is set: we run under systemd with Type=notify (or a test stands in for it). */
  readonly enabled: boolean;
  /**
   * systemd's watchdog timeout (WATCHDOG_USEC) in milliseconds, or null when the watchdog is off for us
   * (no WATCHDOG_USEC, or WATCHDOG_PID names another process). startWatchdog() pings at half of it.
   */
  readonly watchdogIntervalMs: number | null;
  /** READY=1 (with MAINPID=our pid, and STATUS= if given). */
  ready(status?: string): Promise<void>;
  /** One WATCHDOG=1 ping. */
  watchdog(): Promise<void>;
  /** STATUS=text, shown by `systemctl status`. */
  status(text: string): Promise<void>;
  /** STOPPING=1: we began an orderly shutdown. */
  stopping(): Promise<void>;
  /**
   * Pings now and then every watchdogIntervalMs / 2, skipping any tick where isHealthy() is false. The timer
   * lives on the event loop, so a wedged loop stops the pings too and systemd restarts us. Returns a stop
   * function. A no-op when the watchdog is off.
   */
  startWatchdog(isHealthy?: () => boolean): () => void;
}

export interface NotifierOptions {
  /** Called for every message that could not be delivered. The notifier itself never throws. */
  onError?: (err: SdNotifyError) => void;
  /** The helper to run; "systemd-notify" found through PATH by default. */
  command?: string;
  /** Kill a helper that hangs this long. systemd-notify gives up on its own barrier after 5 s. */
  timeoutMs?: number;
}

export const SD_NOTIFY_ERROR_CODE = ErrorCodes.SD_NOTIFY;

export class SdNotifyError extends Error {
  readonly code = SD_NOTIFY_ERROR_CODE;
  /** The systemd-notify arguments, e.g. ["WATCHDOG=1"]. */
  readonly args: readonly string[];

  constructor(message: string, args: readonly string[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SdNotifyError';
    this.args = args;
  }
}

const NOTIFY_ENV_KEYS = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const STATUS_MAX_CHARS = 1024;

/** A copy of env without the variables that let a process talk to systemd on our behalf. */
export function withoutNotifyEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of NOTIFY_ENV_KEYS) delete copy[key];
  return copy;
}

/** sd_watchdog_enabled(3): the timeout in ms, or null if the watchdog is not meant for this process. */
export function watchdogTimeoutMs(env: NodeJS.ProcessEnv, pid = process.pid): number | null {
  const usec = env.WATCHDOG_USEC;
  if (!usec || !/^\d+$/.test(usec)) return null;
  const ms = Number(usec) / 1000;
  if (!Number.isFinite(ms) || ms <= 0) return null;
  const forPid = env.WATCHDOG_PID;
  if (forPid !== undefined && forPid !== '' && forPid !== String(pid)) return null;
  return ms;
}

export function createNotifier(env: NodeJS.ProcessEnv = process.env, options: NotifierOptions = {}): SdNotifier {
  const socket = env.NOTIFY_SOCKET ?? '';
  const enabled = socket !== '';
  const watchdogIntervalMs = enabled ? watchdogTimeoutMs(env) : null;
  const command = options.command ?? 'systemd-notify';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const onError = options.onError ?? (() => {});
  // The helper gets only what it needs; NOTIFY_SOCKET is passed through as is ("@name" is abstract).
  const childEnv = { NOTIFY_SOCKET: socket, PATH: env.PATH ?? DEFAULT_PATH };

  // Messages go out one at a time so that READY=1 cannot overtake an earlier STATUS=, and so that a slow
  // manager meets one waiting helper rather than a pile of them.
  let tail: Promise<void> = Promise.resolve();
  let watchdogQueued = false;
  let stopTimer: (() => void) | null = null;

  function run(args: string[]): Promise<void> {
    return new Promise((resolve) => {
      try {
        execFile(
          command,
          args,
          { env: childEnv, timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true },
          (err, _stdout, stderr) => {
            if (err) {
              const detail = String(stderr).trim() || err.message;
              onError(new SdNotifyError(`systemd-notify ${args.join(' ')} failed: ${detail}`, args, { cause: err }));
            }
            resolve();
          },
        );
      } catch (err) {
        // spawn() throws synchronously for some bad arguments; never let that escape.
        onError(new SdNotifyError(`cannot run ${command}: ${String(err)}`, args, { cause: err }));
        resolve();
      }
    });
  }

  function send(args: string[]): Promise<void> {
    if (!enabled) return Promise.resolve();
    const next = tail.then(() => run(args));
    tail = next;
    return next;
  }

  const watchdog = (): Promise<void> => {
    if (!enabled) return Promise.resolve();
    // A ping already waiting in the queue does the same job; do not stack another behind it.
    if (watchdogQueued) return tail;
    watchdogQueued = true;
    return send(['WATCHDOG=1']).finally(() => {
      watchdogQueued = false;
    });
  };

  return {
    enabled,
    watchdogIntervalMs,
    ready: (status) => {
      const args = ['--ready', `--pid=${process.pid}`];
      if (status !== undefined) args.push(`--status=${cleanStatus(status)}`);
      return send(args);
    },
    watchdog,
    status: (text) => send([`--status=${cleanStatus(text)}`]),
    stopping: () => send(['STOPPING=1']),
    startWatchdog: (isHealthy = () => true) => {
      if (watchdogIntervalMs === null) return () => {};
      stopTimer?.();
      const tick = (): void => {
        let healthy = false;
        try {
          healthy = isHealthy();
        } catch {
          // A throwing health check is an unhealthy daemon: no ping.
        }
        if (healthy) void watchdog();
      };
      tick();
      const timer = setInterval(tick, Math.max(1, Math.floor(watchdogIntervalMs / 2)));
      // The watchdog must never be what keeps the process alive at shutdown.
      timer.unref();
      const stop = (): void => {
        clearInterval(timer);
        if (stopTimer === stop) stopTimer = null;
      };
      stopTimer = stop;
      return stop;
    },
  };
}

/** One line of text: a newline would start a new assignment in the datagram, a NUL cannot be an argument. */
function cleanStatus(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, STATUS_MAX_CHARS);
}
