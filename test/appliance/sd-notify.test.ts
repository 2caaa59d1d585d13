// The notify protocol against a real receiver: a python3 AF_UNIX/SOCK_DGRAM socket that stands in for PID 1.
// Like systemd it reads SCM_CREDENTIALS and closes any fd it is sent, which is what releases
// systemd-notify's BARRIER=1 wait.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier, watchdogTimeoutMs, withoutNotifyEnv, type SdNotifyError } from '../../service/sd-notify.js';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const haveNotify = spawnSync('systemd-notify', ['--version']).status === 0;
const havePython = spawnSync(PYTHON, ['--version']).status === 0;
const skipReason = !haveNotify
  ? 'systemd-notify is missing (Debian package: systemd)'
  : !havePython
    ? 'python3 is missing (Debian package: python3)'
    : '';
if (skipReason) console.warn(`sd-notify tests skipped: ${skipReason}`);

const RECEIVER = String.raw`
import json, os, socket, struct, sys, time
addr, delay = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
print(json.dumps({"listening": True}), flush=True)
while True:
    if delay: time.sleep(delay)
    data, anc, flags, _ = s.recvmsg(4096, socket.CMSG_SPACE(12) + socket.CMSG_SPACE(4 * 16))
    pid = uid = None
    fds = []
    for level, kind, payload in anc:
        if kind == socket.SCM_CREDENTIALS:
            pid, uid, _gid = struct.unpack("iII", payload[:12])
        elif kind == socket.SCM_RIGHTS:
            fds += struct.unpack("%di" % (len(payload) // 4), payload[: len(payload) // 4 * 4])
    t = time.monotonic()
    print(json.dumps({"data": data.decode(), "pid": pid, "uid": uid, "fds": len(fds), "t": t}), flush=True)
    for fd in fds:
        os.close(fd)
`;

interface Datagram {
  data: string;
  pid: number | null;
  uid: number | null;
  fds: number;
  /** Receiver's monotonic clock, seconds. */
  t: number;
}

class Receiver {
  readonly messages: Datagram[] = [];
  private constructor(
    readonly address: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(address: string, delaySeconds = 0): Promise<Receiver> {
    const child = spawn(PYTHON, ['-u', receiverScript, address, String(delaySeconds)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const receiver = new Receiver(address, child);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`receiver exited early with ${code}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as Partial<Datagram> & { listening?: boolean };
        if (msg.listening) resolve();
        else receiver.messages.push(msg as Datagram);
      });
    });
    child.removeAllListeners('exit');
    return receiver;
  }

  /** The datagrams that carry the given assignment (BARRIER=1 datagrams are systemd-notify's own). */
  with(assignment: string): Datagram[] {
    return this.messages.filter((m) => m.data.split('\n').includes(assignment));
  }

  async waitFor(assignment: string, count = 1, timeoutMs = 5000): Promise<Datagram[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.with(assignment).length < count) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${count} x ${assignment}; got ${JSON.stringify(this.messages)}`);
      }
      await sleep(20);
    }
    return this.with(assignment);
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGTERM');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir = '';
let receiverScript = '';
let socketCount = 0;
const running: Receiver[] = [];

async function receiver(delaySeconds = 0): Promise<Receiver> {
  const r = await Receiver.start(join(dir, `notify-${++socketCount}.sock`), delaySeconds);
  running.push(r);
  return r;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-sdnotify-'));
  receiverScript = join(dir, 'receiver.py');
  writeFileSync(receiverScript, RECEIVER);
});
afterEach(() => {
  for (const r of running.splice(0)) r.stop();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('without NOTIFY_SOCKET', () => {
  it('is disabled and every call is a no-op that spawns nothing', async () => {
    const errors: SdNotifyError[] = [];
    // A command that cannot run: any attempt to spawn it would be reported through onError.
    const n = createNotifier(
      { WATCHDOG_USEC: '1000000', WATCHDOG_PID: String(process.pid) },
      { command: join(dir, 'no-such-helper'), onError: (e) => errors.push(e) },
    );
    expect(n.enabled).toBe(false);
    expect(n.watchdogIntervalMs).toBeNull();
    await n.ready('up');
    await n.watchdog();
    await n.status('busy');
    await n.stopping();
    const stop = n.startWatchdog();
    await sleep(50);
    stop();
    expect(errors).toEqual([]);
  });

  it('treats an empty NOTIFY_SOCKET as unset', () => {
    expect(createNotifier({ NOTIFY_SOCKET: '' }).enabled).toBe(false);
  });
});

describe('watchdog settings', () => {
  it('reads WATCHDOG_USEC and honours WATCHDOG_PID like sd_watchdog_enabled(3)', () => {
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '30000000' }, 42)).toBe(30_000);
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(30_000);
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '43' }, 42)).toBeNull();
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: '0' }, 42)).toBeNull();
    expect(watchdogTimeoutMs({ WATCHDOG_USEC: 'soon' }, 42)).toBeNull();
    expect(watchdogTimeoutMs({}, 42)).toBeNull();
  });

  it('strips the notify variables from an environment handed to children', () => {
    const env = { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '1', WATCHDOG_PID: '2', PATH: '/usr/bin' };
    expect(withoutNotifyEnv(env)).toEqual({ PATH: '/usr/bin' });
    expect(env.NOTIFY_SOCKET).toBe('/run/x');
  });
});

describe.skipIf(skipReason !== '')('through systemd-notify to a real datagram socket', () => {
  it('sends READY=1 with MAINPID=our pid and STATUS, then WATCHDOG=1, STATUS= and STOPPING=1', async () => {
    const r = await receiver();
    const errors: SdNotifyError[] = [];
    const n = createNotifier({ NOTIFY_SOCKET: r.address, PATH: process.env.PATH }, { onError: (e) => errors.push(e) });
    expect(n.enabled).toBe(true);

    await n.ready('listening on 127.0.0.1:8080');
    const [ready] = await r.waitFor('READY=1');
    expect(ready!.data.split('\n')).toEqual(
      expect.arrayContaining([`MAINPID=${process.pid}`, 'STATUS=listening on 127.0.0.1:8080']),
    );
    // systemd-notify asked for a barrier: the fd we closed is what let ready() resolve.
    expect(r.with('BARRIER=1').some((m) => m.fds === 1)).toBe(true);

    await n.watchdog();
    await r.waitFor('WATCHDOG=1');
    await n.status('analysing fw.bin\nREADY=1'); // a newline must not smuggle in another assignment
    const [status] = await r.waitFor('STATUS=analysing fw.bin READY=1');
    expect(status!.data).toBe('STATUS=analysing fw.bin READY=1');
    await n.stopping();
    await r.waitFor('STOPPING=1');

    expect(r.with('READY=1')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('resolves only after the receiver has taken the message (no exit-before-read race)', async () => {
    // The receiver sleeps 0.4 s before each read: READY=1 is read at ~0.4 s, the barrier at ~0.8 s.
    const r = await receiver(0.4);
    const n = createNotifier({ NOTIFY_SOCKET: r.address });
    const started = Date.now();
    await n.ready();
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    await r.waitFor('READY=1', 1, 1000);
  });

  it('keeps messages in order', async () => {
    const r = await receiver();
    const n = createNotifier({ NOTIFY_SOCKET: r.address });
    await Promise.all([n.status('one'), n.status('two'), n.ready('three'), n.stopping()]);
    await r.waitFor('STOPPING=1');
    const sequence = r.messages.map((m) => m.data).filter((d) => d !== 'BARRIER=1');
    expect(sequence).toEqual(['STATUS=one', 'STATUS=two', `READY=1\nSTATUS=three\nMAINPID=${process.pid}`, 'STOPPING=1']);
  });

  it('passes an abstract socket (@name) through', async () => {
    const r = await receiver();
    const abstract = await Receiver.start(`@firmwarden-test-${process.pid}-${Date.now()}`);
    running.push(abstract);
    const n = createNotifier({ NOTIFY_SOCKET: abstract.address });
    await n.ready();
    await abstract.waitFor('READY=1');
    expect(r.messages).toEqual([]);
  });

  it('pings at half of WATCHDOG_USEC while healthy, and stops when isHealthy() turns false', async () => {
    const r = await receiver();
    // A 2 s watchdog: pings every ~1 s. Bounds are loose (a loaded CI box delays each systemd-notify spawn) but
    // still tell half the interval (mean ~1 s) from the full one (2 s), which systemd would treat as too late.
    const n = createNotifier({ NOTIFY_SOCKET: r.address, WATCHDOG_USEC: '2000000', WATCHDOG_PID: String(process.pid) });
    expect(n.watchdogIntervalMs).toBe(2000);
    let healthy = true;
    const stop = n.startWatchdog(() => healthy);
    try {
      const pings = await r.waitFor('WATCHDOG=1', 4, 15_000);
      const gaps = pings.slice(1).map((p, i) => (p.t - pings[i]!.t) * 1000);
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      expect(mean).toBeGreaterThan(600);
      expect(mean).toBeLessThan(1700);

      healthy = false;
      await sleep(600); // a ping already in flight may still land
      const before = r.with('WATCHDOG=1').length;
      await sleep(2500); // more than two intervals
      expect(r.with('WATCHDOG=1').length).toBe(before);

      healthy = true;
      await r.waitFor('WATCHDOG=1', before + 1, 5000);
    } finally {
      stop();
    }
    await sleep(600);
    const afterStop = r.with('WATCHDOG=1').length;
    await sleep(2200);
    expect(r.with('WATCHDOG=1').length).toBe(afterStop);
  }, 40_000);

  it('sends no ping while the event loop is blocked', async () => {
    const r = await receiver();
    const n = createNotifier({ NOTIFY_SOCKET: r.address, WATCHDOG_USEC: '400000', WATCHDOG_PID: String(process.pid) });
    const stop = n.startWatchdog();
    try {
      await r.waitFor('WATCHDOG=1', 2, 3000);
      const busyUntil = Date.now() + 1200; // six intervals of a wedged loop
      while (Date.now() < busyUntil) {
        // spin
      }
      await r.waitFor('WATCHDOG=1', r.with('WATCHDOG=1').length + 2, 3000);
      const pings = r.with('WATCHDOG=1');
      const longestGap = Math.max(...pings.slice(1).map((p, i) => p.t - pings[i]!.t));
      expect(longestGap).toBeGreaterThan(1.1);
    } finally {
      stop();
    }
  });

  it('does not ping when WATCHDOG_PID names another process', async () => {
    const r = await receiver();
    const n = createNotifier({ NOTIFY_SOCKET: r.address, WATCHDOG_USEC: '200000', WATCHDOG_PID: '1' });
    expect(n.watchdogIntervalMs).toBeNull();
    const stop = n.startWatchdog();
    await sleep(400);
    stop();
    expect(r.messages).toEqual([]);
  });

  it('never throws: a dead socket or a missing helper is reported through onError', async () => {
    const errors: SdNotifyError[] = [];
    const dead = createNotifier({ NOTIFY_SOCKET: join(dir, 'nobody-listens.sock') }, { onError: (e) => errors.push(e) });
    await expect(dead.ready()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('FW_ERR_SD_NOTIFY');
    expect(errors[0]!.message).toMatch(/No such file or directory/);

    const missing = createNotifier(
      { NOTIFY_SOCKET: join(dir, 'x.sock') },
      { command: join(dir, 'no-such-helper'), onError: (e) => errors.push(e) },
    );
    await expect(missing.watchdog()).resolves.toBeUndefined();
    expect(errors).toHaveLength(2);
    expect(errors[1]!.args).toEqual(['WATCHDOG=1']);
    expect((errors[1]!.cause as NodeJS.ErrnoException).code).toBe('ENOENT');

    // No handler at all: still no throw, no unhandled rejection.
    await expect(createNotifier({ NOTIFY_SOCKET: join(dir, 'y.sock') }).stopping()).resolves.toBeUndefined();
  });
});
