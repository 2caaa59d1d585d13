import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_TRY_AGAIN_LATER, MAX_BUFFERED_BYTES, sendBounded, type FeedSocket } from '../../service/api/feed.js';
import type { BusEvents } from '../../service/bus.js';
import { startHarness, VERSION, type Harness } from './harness.js';

interface FeedMessage {
  type: string;
  at: string;
  data: Record<string, unknown>;
}

let h: Harness;
let url: string;
let live = 0; // bus listeners the feed holds right now

beforeAll(async () => {
  h = await startHarness();
  const onAny = h.bus.onAny.bind(h.bus);
  vi.spyOn(h.bus, 'onAny').mockImplementation((listener) => {
    live++;
    const off = onAny(listener);
    return () => {
      live--;
      return off();
    };
  });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  url = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/api/feed`;
});
afterAll(() => h.close());

/** A client that queues every message, so none is lost between awaits. */
function connect(headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const queue: FeedMessage[] = [];
  const waiters: Array<(m: FeedMessage) => void> = [];
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as FeedMessage;
    const waiter = waiters.shift();
    if (waiter) waiter(msg);
    else queue.push(msg);
  });
  const next = () =>
    new Promise<FeedMessage>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      const timer = setTimeout(() => reject(new Error('no feed message within 2 s')), 2000);
      waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return { ws, next, closed };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('websocket feed /api/feed', () => {
  it('says hello, relays bus events as {type, at, data}, and unsubscribes on close', async () => {
    const client = connect();
    const hello = await client.next();
    expect(hello).toEqual({ type: 'hello', at: expect.any(String), data: { version: VERSION } });
    expect(Number.isNaN(Date.parse(hello.at))).toBe(false);
    expect(live).toBe(1);

    const payload = { jobId: 'j1', sha256: 'ab'.repeat(32), stage: 'unpack', percent: 40 };
    h.bus.emit('analysisProgress', payload);
    const event = await client.next();
    expect(event).toEqual({ type: 'analysisProgress', at: expect.any(String), data: payload });

    client.ws.close();
    await client.closed;
    await until(() => live === 0);
  });

  it('redacts secret-named keys nested anywhere in a payload', async () => {
    const client = connect();
    await client.next(); // hello
    // A publisher bug: a secret slipped into a payload. The feed must not pass it on.
    const leaky = { source: 'snmp', status: 'error', detail: { device: { password: 'x', community: 'private' }, ok: 1 } };
    h.bus.emit('collectorStatus', leaky as unknown as BusEvents['collectorStatus']);
    const event = await client.next();
    expect(event.data).toEqual({
      source: 'snmp',
      status: 'error',
      detail: { device: { password: '[redacted]', community: '[redacted]' }, ok: 1 },
    });
    expect(JSON.stringify(event)).not.toContain('private');
    client.ws.close();
    await client.closed;
  });

  it('refuses a browser connection from another origin, accepts one from its own', async () => {
    const evil = new WebSocket(url, { headers: { origin: 'http://evil.example' } });
    const status = await new Promise<number>((resolve, reject) => {
      evil.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      evil.on('open', () => reject(new Error('cross-origin connection was accepted')));
    });
    expect(status).toBe(403);

    const own = connect({ origin: `http://${new URL(url).host}` });
    expect((await own.next()).type).toBe('hello');
    own.ws.close();
    await own.closed;
    await until(() => live === 0);
  });

  it('answers a plain GET (no upgrade) with 426 in the API error shape', async () => {
    const res = await h.app.inject('/api/feed');
    expect(res.statusCode).toBe(426);
    expect(res.json()).toEqual({ error: { code: 'FW_ERR_BAD_REQUEST', message: expect.any(String) } });
  });
});

describe('sendBounded', () => {
  const fakeSocket = (bufferedAmount: number) => {
    const socket = {
      readyState: WebSocket.OPEN as number,
      bufferedAmount,
      send: vi.fn(),
      close: vi.fn(),
      terminate: vi.fn(),
    };
    return socket as typeof socket & FeedSocket;
  };

  it('sends while the client keeps up', () => {
    const s = fakeSocket(MAX_BUFFERED_BYTES);
    expect(sendBounded(s, 'm')).toBe(true);
    expect(s.send).toHaveBeenCalledWith('m');
    expect(s.close).not.toHaveBeenCalled();
  });

  it('drops a client over 1 MiB of unsent data with 1013, and terminates it if it does not go', () => {
    vi.useFakeTimers();
    try {
      const s = fakeSocket(MAX_BUFFERED_BYTES + 1);
      expect(sendBounded(s, 'm')).toBe(false);
      expect(s.send).not.toHaveBeenCalled();
      expect(s.close).toHaveBeenCalledWith(CLOSE_TRY_AGAIN_LATER, expect.any(String));
      expect(s.terminate).not.toHaveBeenCalled();
      vi.advanceTimersByTime(5_000);
      expect(s.terminate).toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends nothing to a socket that is closing', () => {
    const s = fakeSocket(0);
    s.readyState = WebSocket.CLOSING;
    expect(sendBounded(s, 'm')).toBe(false);
    expect(s.send).not.toHaveBeenCalled();
  });
});
