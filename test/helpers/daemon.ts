import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { BIN, cleanEnv } from './cli.js';
import { packageRoot } from '../../service/paths.js';

export interface DaemonProcess {
  proc: ChildProcess;
  url: string;
  output: () => string;
  /** Graceful stop (SIGTERM), escalating to SIGKILL; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/** Start the real daemon (`firmwarden serve`) on a free loopback port with its own data dir. */
export async function startDaemonProcess(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve'], {
    cwd: packageRoot,
    env: {
      ...cleanEnv(),
      FIRMWARDEN_FROM_SOURCE: '1',
      FIRMWARDEN_DATA_DIR: dataDir,
      FIRMWARDEN_API__PORT: '0',
      FIRMWARDEN_LOG__FORMAT: 'json',
      FIRMWARDEN_COLLECT__WATCH_FOLDERS: JSON.stringify([{ path: 'inbox', tag: 'inbox', stabilityThresholdMs: 300 }]),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start in time:\n${out}`)), 45_000);
    const check = () => {
      const m = /console: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before it was ready:\n${out}`));
    });
  });
  return {
    proc,
    url,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface FeedClient {
  events: Array<{ type: string; at: string; data: Record<string, unknown> }>;
  waitFor(pred: (e: { type: string; data: Record<string, unknown> }) => boolean, timeoutMs?: number): Promise<{
    type: string;
    data: Record<string, unknown>;
  }>;
  close(): void;
}

export async function connectFeed(baseUrl: string): Promise<FeedClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}api/feed`);
  const events: FeedClient['events'] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (raw) => {
    events.push(JSON.parse(String(raw)));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    events,
    async waitFor(pred, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching feed event; got ${JSON.stringify(events.map((e) => e.type))}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 250);
        });
      }
    },
    close: () => ws.close(),
  };
}
