// Carving: one pass over the bytes, window by window, looking for every handler's magic at once; each
// candidate is then validated by its handler's identify(). Buffer.indexOf on a few-MiB window is a native
// substring search, so one call per distinct magic per window keeps a 100 MB image well under a second,
// where a regex or a pass per handler would not. Inside an accepted chunk nothing is looked at again: what
// it holds is the handler's business (and the engine's recursion's).
import type { ByteSource } from './byte-source.js';
import type { Chunk, Handler } from './handler.js';

export interface CarvedChunk {
  handler: Handler;
  chunk: Chunk;
}

export interface UnknownRegion {
  offset: number;
  size: number;
  /** Shannon entropy in bits per byte, 0..8. */
  entropy: number;
  note?: string;
}

export interface ScanResult {
  chunks: CarvedChunk[];
  unknown: UnknownRegion[];
}

export interface ScanOptions {
  /** Bytes searched per window (tests make it small to put magics across window edges). */
  windowSize?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

interface Pattern {
  bytes: Buffer;
  users: Array<{ handler: Handler; offset: number; rank: number }>;
}

interface Compiled {
  patterns: Pattern[];
  /** Bytes after a chunk start that can hold a magic: the look-ahead each window needs. */
  reach: number;
}

const DEFAULT_WINDOW = 4 << 20;
const compiledCache = new WeakMap<readonly Handler[], Compiled>();

/** Groups the magics of all handlers by their bytes, so a magic shared by two handlers is searched once. */
function compile(handlers: readonly Handler[]): Compiled {
  let c = compiledCache.get(handlers);
  if (c) return c;
  const byKey = new Map<string, Pattern>();
  let reach = 1;
  handlers.forEach((handler, rank) => {
    for (const m of handler.magics) {
      const key = m.bytes.toString('hex');
      const p = byKey.get(key) ?? { bytes: m.bytes, users: [] };
      p.users.push({ handler, offset: m.offset, rank });
      byKey.set(key, p);
      reach = Math.max(reach, m.offset + m.bytes.length);
    }
  });
  c = { patterns: [...byKey.values()], reach };
  compiledCache.set(handlers, c);
  return c;
}

function validChunk(chunk: Chunk | null, start: number, size: number): chunk is Chunk {
  return chunk !== null && chunk.start === start && chunk.end > start && chunk.end <= size;
}

/** identify() on hostile bytes: a handler bug (a RangeError on a short read) must not end the unpacking. */
function safeIdentify(handler: Handler, src: ByteSource, start: number): Chunk | null {
  try {
    return handler.identify(src, start);
  } catch {
    return null;
  }
}

/** Finds the chunks of `src` (earliest valid wins, nothing inside an accepted chunk) and the gaps between. */
export function scanSignatures(src: ByteSource, handlers: readonly Handler[], opts: ScanOptions = {}): ScanResult {
  const { patterns, reach } = compile(handlers);
  const window = Math.max(1, opts.windowSize ?? DEFAULT_WINDOW);
  const chunks: CarvedChunk[] = [];
  let acceptedEnd = 0;
  let pos = 0;
  while (pos < src.size) {
    opts.signal?.throwIfAborted();
    const winEnd = Math.min(src.size, pos + window);
    // The look-ahead lets a chunk starting in this window be found even when its magic sits further on (tar).
    const buf = src.read(pos, winEnd - pos + reach);
    const found: Array<{ start: number; handler: Handler; rank: number }> = [];
    for (const p of patterns) {
      for (let i = buf.indexOf(p.bytes); i >= 0; i = buf.indexOf(p.bytes, i + 1)) {
        for (const u of p.users) {
          const start = pos + i - u.offset;
          if (start >= pos && start < winEnd) found.push({ start, handler: u.handler, rank: u.rank });
        }
      }
    }
    found.sort((a, b) => a.start - b.start || a.rank - b.rank);
    for (const f of found) {
      if (f.start < acceptedEnd) continue;
      const chunk = safeIdentify(f.handler, src, f.start);
      if (!validChunk(chunk, f.start, src.size)) continue;
      chunks.push({ handler: f.handler, chunk });
      acceptedEnd = chunk.end;
    }
    pos = Math.max(winEnd, acceptedEnd);
    opts.onProgress?.(pos / src.size);
  }
  return { chunks, unknown: gaps(src, chunks) };
}

/** The chunk at offset 0 of `src`, if a handler's magic is there and it validates (used for files of trees). */
export function identifyAtStart(src: ByteSource, handlers: readonly Handler[]): CarvedChunk | undefined {
  const { patterns, reach } = compile(handlers);
  const head = src.read(0, reach);
  for (const p of patterns) {
    for (const u of p.users) {
      if (u.offset + p.bytes.length > head.length) continue;
      if (!head.subarray(u.offset, u.offset + p.bytes.length).equals(p.bytes)) continue;
      const chunk = safeIdentify(u.handler, src, 0);
      if (validChunk(chunk, 0, src.size)) return { handler: u.handler, chunk };
    }
  }
  return undefined;
}

function gaps(src: ByteSource, chunks: CarvedChunk[]): UnknownRegion[] {
  const out: UnknownRegion[] = [];
  let prev = 0;
  for (const edge of [...chunks.map((c) => c.chunk), { start: src.size, end: src.size }]) {
    if (edge.start > prev) out.push(describeRegion(src, prev, edge.start - prev));
    prev = edge.end;
  }
  return out;
}

/** Entropy of a region, read window by window; a region of one repeated 0x00 or 0xFF byte is flash padding. */
export function describeRegion(src: ByteSource, offset: number, size: number): UnknownRegion {
  const counts = new Float64Array(256);
  for (let pos = 0; pos < size; pos += DEFAULT_WINDOW) {
    const buf = src.read(offset + pos, Math.min(DEFAULT_WINDOW, size - pos));
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i] as number;
      counts[b] = (counts[b] as number) + 1;
    }
  }
  let entropy = 0;
  for (const n of counts) {
    if (n === 0) continue;
    const p = n / size;
    entropy -= p * Math.log2(p);
  }
  const region: UnknownRegion = { offset, size, entropy: Math.round(entropy * 1000) / 1000 };
  if (counts[0] === size || counts[0xff] === size) region.note = 'padding';
  return region;
}
