// Mutations of a seed image, the kinds that break parsers of hostile firmware: flipped bits, runs of 0x00/0xFF
// (erased flash, zeroed sectors), truncation (a partial TFTP pull), duplicated chunks, length/offset fields set
// to huge values, and two images spliced together. Deterministic: a case is (seed image, case seed), so any
// finding can be made again from its case seed alone.

/** splitmix32-style generator: tiny, fast, and good enough to spread mutations. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** 0 <= n < max */
  int(max: number): number {
    return max <= 1 ? 0 : Math.floor((this.next() / 2 ** 32) * max);
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** One 32-bit seed per (run seed, format, case): cases are independent of the order they run in. */
export function caseSeed(runSeed: number, format: string, index: number): number {
  let h = 0x811c9dc5 ^ runSeed;
  for (const c of `${format}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return new Rng(h).next();
}

export const MUTATION_KINDS = ['bitflip', 'zero-run', 'ff-run', 'truncate', 'duplicate', 'big-field', 'splice'] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/**
 * A position biased towards where formats keep their metadata: the first 4 KiB (superblocks, headers), the last
 * 64 KiB (squashfs tables, zip central directory) or anywhere.
 */
function position(rng: Rng, size: number): number {
  if (size <= 1) return 0;
  const r = rng.int(10);
  if (r < 3) return rng.int(Math.min(size, 4096));
  if (r < 5) return Math.max(0, size - 1 - rng.int(Math.min(size, 65536)));
  return rng.int(size);
}

/** Values a length, count or offset field should never hold, and some it could. */
function bigValue(rng: Rng, size: number): number {
  return rng.pick([0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0x10000000, size, size + 1, size * 2, 0x00010000, 0x40000000, 0]) >>> 0;
}

function applyOne(data: Buffer, kind: MutationKind, rng: Rng, other: Buffer | undefined): { data: Buffer; op: string } {
  const size = data.length;
  if (size === 0) return { data, op: 'empty' };
  switch (kind) {
    case 'bitflip': {
      const n = 1 + rng.int(8);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = position(rng, size);
        data[p] = (data[p] ?? 0) ^ (1 << rng.int(8));
        at.push(p);
      }
      return { data, op: `bitflip@${at.join(',')}` };
    }
    case 'zero-run':
    case 'ff-run': {
      const p = position(rng, size);
      const len = Math.min(size - p, rng.chance(0.7) ? 1 + rng.int(64) : 1 + rng.int(8192));
      data.fill(kind === 'zero-run' ? 0x00 : 0xff, p, p + len);
      return { data, op: `${kind}@${p}+${len}` };
    }
    case 'truncate': {
      const cut = rng.chance(0.5) ? rng.int(size) : Math.max(1, size - 1 - rng.int(Math.min(size, 65536)));
      return { data: Buffer.from(data.subarray(0, cut)), op: `truncate@${cut}` };
    }
    case 'duplicate': {
      const from = rng.int(size);
      const len = Math.min(size - from, 1 + rng.int(4096));
      const to = position(rng, size);
      const piece = Buffer.from(data.subarray(from, from + len));
      if (rng.chance(0.5)) {
        piece.copy(data, to, 0, Math.min(len, size - to));
        return { data, op: `overwrite@${to}<-${from}+${len}` };
      }
      return { data: Buffer.concat([data.subarray(0, to), piece, data.subarray(to)]), op: `insert@${to}<-${from}+${len}` };
    }
    case 'big-field': {
      const width = rng.pick([2, 4, 4, 4, 8]);
      if (size < width) return { data, op: 'big-field:too-small' };
      // Fields are aligned in every format we read: hit the alignment most of the time.
      let p = Math.min(position(rng, size), size - width);
      if (rng.chance(0.8)) p -= p % width;
      const v = bigValue(rng, size);
      const le = rng.chance(0.5);
      if (width === 2) le ? data.writeUInt16LE(v & 0xffff, p) : data.writeUInt16BE(v & 0xffff, p);
      else if (width === 4) le ? data.writeUInt32LE(v, p) : data.writeUInt32BE(v, p);
      else le ? data.writeBigUInt64LE(BigInt(v) * (rng.chance(0.3) ? 0x100000000n : 1n), p) : data.writeBigUInt64BE(BigInt(v), p);
      return { data, op: `big-field@${p}:${width}${le ? 'le' : 'be'}=0x${v.toString(16)}` };
    }
    case 'splice': {
      if (!other || other.length === 0) return applyOne(data, 'duplicate', rng, undefined);
      const a = position(rng, size);
      const b = rng.int(other.length);
      const len = rng.chance(0.5) ? other.length - b : Math.min(other.length - b, 1 + rng.int(65536));
      return { data: Buffer.concat([data.subarray(0, a), other.subarray(b, b + len)]), op: `splice@${a}<-other@${b}+${len}` };
    }
  }
}

export interface Mutated {
  data: Buffer;
  /** What was done, in order: enough to understand a finding without re-running it. */
  ops: string[];
}

/** 1 mutation most of the time, up to 4 stacked; `other` is a second seed for splicing. */
export function mutate(seed: Buffer, rng: Rng, other?: Buffer): Mutated {
  let data: Buffer = Buffer.from(seed);
  const r = rng.int(20);
  const count = r < 12 ? 1 : r < 17 ? 2 : 3 + rng.int(2);
  const ops: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rng.pick(MUTATION_KINDS);
    const res = applyOne(data, kind, rng, other);
    data = res.data;
    ops.push(res.op);
  }
  return { data, ops };
}
