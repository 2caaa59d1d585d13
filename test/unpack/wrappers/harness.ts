// Shared by the wrapper handler tests: one handler run on bytes in memory (identify at an offset, open with a
// context that records problems), reading everything it produced, and the mutation and truncation loops.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { BufferSource, type ByteSource } from '../../../service/unpack/byte-source.js';
import type { Chunk, Handler, OpenContext, OpenResult } from '../../../service/unpack/handler.js';
import { DEFAULT_UNPACK_LIMITS, type UnpackLimits } from '../../../service/unpack/limits.js';
import { CappedSink } from '../../../service/unpack/payload-sink.js';
import { mutate } from '../../fixtures/unpack/wrappers.js';
import { errorCodes, unpack } from '../helpers.js';

export interface Problem {
  code: string;
  message: string;
  path?: string;
}

export interface Opened {
  chunk: Chunk;
  result: OpenResult;
  problems: Problem[];
}

export function context(problems: Problem[], limits: Partial<UnpackLimits> = {}, cap = 1 << 30): OpenContext {
  return {
    limits: { ...DEFAULT_UNPACK_LIMITS, ...limits },
    signal: new AbortController().signal,
    problem: (code, message, p) => void problems.push({ code, message, ...(p !== undefined ? { path: p } : {}) }),
    createSink: () => new CappedSink(cap, () => problems.push({ code: 'FW_ERR_UNPACK_LIMIT', message: 'sink cap' })),
  };
}

/** identify() at `start` then open(); undefined when identify() says no. */
export async function openWith(handler: Handler, data: Buffer | ByteSource, start = 0, limits: Partial<UnpackLimits> = {}): Promise<Opened | undefined> {
  const src = Buffer.isBuffer(data) ? new BufferSource(data) : data;
  const chunk = handler.identify(src, start);
  if (!chunk) return undefined;
  const problems: Problem[] = [];
  const result = await handler.open(src, chunk, context(problems, limits));
  return { chunk, result, problems };
}

/** Every byte a result holds: a payload's, or every file of a tree. */
export async function readAll(result: OpenResult): Promise<number> {
  if (result.kind === 'payload') {
    let n = 0;
    for (let pos = 0; pos < result.data.size; pos += 4 << 20) n += result.data.read(pos, 4 << 20).length;
    return n;
  }
  let n = 0;
  for (const node of result.tree.walk()) if (node.type === 'file') n += (await result.tree.read(node.path)).length;
  return n;
}

/** The files of a tree result as name -> contents. */
export async function files(result: OpenResult): Promise<Record<string, Buffer>> {
  if (result.kind !== 'tree') throw new Error('not a tree');
  const out: Record<string, Buffer> = {};
  for (const node of result.tree.walk()) if (node.type === 'file') out[node.path] = await result.tree.read(node.path);
  return out;
}

/**
 * `count` copies of `data` with a few random bytes changed (the header included: mutations are aimed at
 * the first `headBias` bytes half the time): identify and open never throw and end in bounded time.
 */
export async function mutationRun(handler: Handler, data: Buffer, count: number, headBias = 256, budgetMs = 10_000): Promise<void> {
  for (let seed = 1; seed <= count; seed++) {
    const base = seed % 2 === 0 ? mutate(data.subarray(0, Math.min(headBias, data.length)), 1 + (seed % 4), seed) : undefined;
    const m = base ? Buffer.concat([base, data.subarray(base.length)]) : mutate(data, 1 + (seed % 8), seed);
    const t0 = Date.now();
    const opened = await openWith(handler, m, 0, { maxRatio: 50 });
    if (opened) await readAll(opened.result);
    expect(Date.now() - t0, `${handler.name} mutation ${seed}`).toBeLessThan(budgetMs);
  }
}

/** The whole unpacker on `data` cut at several points: never throws, and reports errors. */
export async function truncationRun(dir: string, name: string, data: Buffer, cuts: number[]): Promise<void> {
  for (const cut of cuts) {
    const file = path.join(dir, `${name}-cut-${cut}`);
    fs.writeFileSync(file, data.subarray(0, cut));
    const r = await unpack(file);
    expect(errorCodes(r).length, `${name} cut at ${cut}`).toBeGreaterThan(0);
  }
}
