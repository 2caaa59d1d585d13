// Blocks decoded on other cores. unsquashfs decodes with a thread per core; LZMA and xz in JavaScript are the
// slow part of reading an image, and squashfs blocks are independent, so the blocks of a multi-block file are
// handed to a small pool of worker threads while the main thread only assembles them. zlib needs no pool
// (node:zlib's async calls already run on libuv's threads); LZO and LZ4 decode faster than a hand-off costs.
// A worker that cannot start or dies takes nothing with it: its tasks are decoded on the main thread.
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../../errors.js';
import { BlockDecoder, SquashfsDecodeError, type BlockVariant } from './compressors.js';

export interface WorkerRequest {
  id: number;
  compression: number;
  legacy: boolean;
  dictSize: number;
  input: Uint8Array;
  max: number;
  exact?: number;
}

export type WorkerReply =
  | { id: number; data: Uint8Array; variant: BlockVariant | undefined; error?: undefined }
  | { id: number; error: { code: string; message: string }; data?: undefined };

export interface Decoded {
  data: Buffer;
  variant: BlockVariant | undefined;
}

export interface Ticket {
  promise: Promise<Decoded>;
  steal(): boolean;
}

interface Pending {
  req: WorkerRequest;
  resolve: (r: Decoded) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

/** Tasks queued per worker before the queue holds them back: keeps inputs in memory bounded and work balanced. */
const PER_WORKER = 2;
/** Idle workers are stopped after this long (each holds its own heap); the next task starts them again. */
const IDLE_MS = 15_000;

export class DecodePool {
  private slots: Slot[] | undefined;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private broken = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly size: number) {}

  /** Decodes one block on a worker (or here, when the workers are unavailable). */
  run(req: Omit<WorkerRequest, 'id'>): Promise<Decoded> {
    return this.submit(req).promise;
  }

  /**
   * Queues one block. The ticket's steal() takes it back while no worker has started it (the caller then
   * decodes it itself, and the promise never settles): the main thread works instead of waiting, and a busy
   * machine, where a hand-off waits for a time slice, costs no more than decoding here.
   */
  submit(req: Omit<WorkerRequest, 'id'>): Ticket {
    let pending!: Pending;
    const promise = new Promise<Decoded>((resolve, reject) => {
      pending = { req: { ...req, id: this.nextId++ }, resolve, reject };
    });
    // Never an unhandled rejection: the caller may drop a ticket after another block failed.
    promise.catch(() => undefined);
    if (this.broken) {
      this.runHere(pending);
      return { promise, steal: () => false };
    }
    this.queue.push(pending);
    this.pump();
    const steal = (): boolean => {
      const i = this.queue.indexOf(pending);
      if (i < 0) return false;
      this.queue.splice(i, 1);
      return true;
    };
    return { promise, steal };
  }

  /** Starts the workers now (they load their modules while the caller does other work). */
  warm(): void {
    if (this.broken || this.slots) return;
    this.slots = this.start();
    this.idleSoon();
  }

  private idleSoon(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), IDLE_MS);
    this.idleTimer.unref();
  }

  private start(): Slot[] {
    const slots: Slot[] = [];
    const here = import.meta.url;
    // Under tsx or vitest this module is TypeScript and so is the worker; built, both are JavaScript.
    const ts = here.endsWith('.ts');
    const url = new URL(ts ? './decode-worker.ts' : './decode-worker.js', here);
    for (let i = 0; i < this.size; i++) {
      let worker: Worker;
      try {
        worker = ts ? new Worker(tsxBootstrap(url), { eval: true }) : new Worker(url);
      } catch {
        for (const s of slots) void s.worker.terminate();
        this.fail();
        return [];
      }
      const slot: Slot = { worker, inFlight: new Map() };
      worker.unref();
      worker.on('message', (m: WorkerReply) => this.done(slot, m));
      worker.on('error', () => this.fail());
      worker.on('exit', () => this.fail());
      slots.push(slot);
    }
    return slots;
  }

  private pump(): void {
    if (this.broken) return;
    clearTimeout(this.idleTimer);
    this.slots ??= this.start();
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) if (s.inFlight.size < PER_WORKER && (!best || s.inFlight.size < best.inFlight.size)) best = s;
      if (!best) return;
      const p = this.queue.shift()!;
      if (best.inFlight.size === 0) best.worker.ref();
      best.inFlight.set(p.req.id, p);
      // Copied, not transferred: a worker that dies leaves the input here to decode again.
      best.worker.postMessage(p.req);
    }
  }

  private done(slot: Slot, m: WorkerReply): void {
    const p = slot.inFlight.get(m.id);
    if (!p) return;
    slot.inFlight.delete(m.id);
    if (slot.inFlight.size === 0) slot.worker.unref();
    if (m.error) p.reject(new SquashfsDecodeError(m.error.code as ErrorCode, m.error.message));
    else p.resolve({ data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), variant: m.variant });
    this.pump();
    if (this.queue.length === 0 && this.slots?.every((s) => s.inFlight.size === 0)) this.idleSoon();
  }

  /** Stops idle workers; the pool starts new ones when work comes. */
  private stop(): void {
    if (!this.slots || this.queue.length > 0 || this.slots.some((s) => s.inFlight.size > 0)) return;
    const slots = this.slots;
    this.slots = undefined;
    for (const s of slots) {
      s.worker.removeAllListeners('exit');
      s.worker.removeAllListeners('error');
      s.worker.on('error', () => undefined);
      void s.worker.terminate();
    }
  }

  /** Workers are gone: what they held is decoded here. */
  private fail(): void {
    if (this.broken) return;
    this.broken = true;
    const orphans = [...(this.slots ?? []).flatMap((s) => [...s.inFlight.values()]), ...this.queue.splice(0)];
    for (const s of this.slots ?? []) s.inFlight.clear();
    for (const s of this.slots ?? []) void s.worker.terminate();
    for (const p of orphans) this.runHere(p);
  }

  private runHere(p: Pending): void {
    try {
      const d = new BlockDecoder(p.req.compression, p.req.legacy, p.req.dictSize);
      const data = d.decode(Buffer.from(p.req.input.buffer, p.req.input.byteOffset, p.req.input.byteLength), p.req.max, p.req.exact);
      p.resolve({ data, variant: d.lastVariant });
    } catch (err) {
      p.reject(err as Error);
    }
  }
}

/**
 * Worker code that registers tsx's loader and then imports the TypeScript worker: under tsx and vitest the
 * worker is TypeScript, and Node 20 does not run a parent's --import hooks in worker threads.
 */
function tsxBootstrap(worker: URL): string {
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker.href)}); });`;
}

let shared: DecodePool | undefined;

/** Worker threads pay off on images big enough to amortise their start and JIT warm-up (slower on the 3 MB
 * TP-Link rootfs, faster on a 15 MB one, in bench/unpack-squashfs.ts). */
export const POOL_FROM_BYTES = 8 << 20;

/**
 * The process's pool for an image of `imageBytes`, or undefined when it would not help: a small image, one
 * core, or cores already busy (workers cost ~30% more CPU in all: on a saturated machine, measured, they
 * only slow the job down). FIRMWARDEN_SQUASHFS_WORKERS overrides: 0 or 1 never uses workers, a larger
 * number is the pool size, used for images of any size.
 */
export function sharedDecodePool(imageBytes: number): DecodePool | undefined {
  const env = process.env['FIRMWARDEN_SQUASHFS_WORKERS'];
  const forced = env !== undefined && env !== '';
  const cores = os.availableParallelism();
  const n = forced ? Number(env) : Math.min(4, cores);
  if (!Number.isInteger(n) || n < 2) return undefined;
  if (!forced && (imageBytes < POOL_FROM_BYTES || (os.loadavg()[0] ?? 0) >= cores)) return undefined;
  if (!shared || shared.size !== n) shared = new DecodePool(n);
  return shared;
}
