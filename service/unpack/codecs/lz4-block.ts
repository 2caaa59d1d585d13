// The LZ4 block format (lz4_Block_format.md): sequences of token, literals, 16-bit offset and match length,
// the last sequence holding literals only. Decoding is bounds-checked on both sides; a walker computes the
// decoded size without writing anything (the legacy frame has no other way to tell its last block).
// Short literal runs and matches are copied byte by byte: a subarray per sequence would cost more.
import { malformed } from './codec.js';

export type Lz4BlockStatus = 'end' | 'input-overrun' | 'output-overrun';

export interface Lz4BlockRun {
  status: Lz4BlockStatus;
  outPos: number;
}

/**
 * Decodes input[start, end) into out starting at outStart, writing no further than outEnd. Matches may reach
 * back to dictStart (the previous blocks' tail in linked mode) and no further.
 */
export function lz4DecodeBlock(input: Uint8Array, start: number, end: number, out: Uint8Array, outStart: number, outEnd: number, dictStart: number): Lz4BlockRun {
  let ip = start;
  let op = outStart;
  for (;;) {
    if (ip >= end) return { status: 'input-overrun', outPos: op };
    const token = input[ip++] as number;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= end) return { status: 'input-overrun', outPos: op };
        b = input[ip++] as number;
        lit += b;
      } while (b === 255);
    }
    if (lit > 0) {
      const availIn = end - ip;
      const availOut = outEnd - op;
      const n = lit <= availIn && lit <= availOut ? lit : Math.min(lit, availIn, availOut);
      if (n < 32) {
        for (let k = 0; k < n; k++) out[op + k] = input[ip + k] as number;
      } else {
        out.set(input.subarray(ip, ip + n), op);
      }
      op += n;
      ip += n;
      if (n < lit) return { status: availOut < lit && availOut < availIn ? 'output-overrun' : 'input-overrun', outPos: op };
    }
    if (ip === end) return { status: 'end', outPos: op };
    if (ip + 2 > end) return { status: 'input-overrun', outPos: op };
    const offset = (input[ip] as number) | ((input[ip + 1] as number) << 8);
    ip += 2;
    if (offset === 0 || op - offset < dictStart) throw malformed('lz4', `match offset ${offset} reaches before the available data`, { at: op - outStart });
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (ip >= end) return { status: 'input-overrun', outPos: op };
        b = input[ip++] as number;
        len += b;
      } while (b === 255);
    }
    len += 4;
    const m = len <= outEnd - op ? len : outEnd - op;
    let src = op - offset;
    if (offset >= m && m >= 32) {
      out.copyWithin(op, src, src + m);
      op += m;
    } else {
      const stop = op + m;
      while (op < stop) out[op++] = out[src++] as number;
    }
    if (m < len) return { status: 'output-overrun', outPos: op };
  }
}

/**
 * The size block input[start, end) decodes to, found without writing (offsets are still checked against
 * what was produced plus `history` bytes before the block). -1 when the data is not a valid whole block.
 */
export function lz4BlockSize(input: Uint8Array, start: number, end: number, history: number): number {
  let ip = start;
  let produced = 0;
  for (;;) {
    if (ip >= end) return -1;
    const token = input[ip++] as number;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= end) return -1;
        b = input[ip++] as number;
        lit += b;
      } while (b === 255);
    }
    if (ip + lit > end) return -1;
    ip += lit;
    produced += lit;
    if (ip === end) return produced;
    if (ip + 2 > end) return -1;
    const offset = (input[ip] as number) | ((input[ip + 1] as number) << 8);
    ip += 2;
    if (offset === 0 || offset > produced + history) return -1;
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (ip >= end) return -1;
        b = input[ip++] as number;
        len += b;
      } while (b === 255);
    }
    produced += len + 4;
  }
}
