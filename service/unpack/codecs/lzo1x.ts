// LZO1X decompression with every read and write bounds-checked, as Linux's lzo1x_decompress_safe behaves
// (squashfs, ubifs and jffs2 blocks use it; the instruction set is described in Linux's
// Documentation/staging/lzo.rst). One call decodes one block into a caller-sized output.
import { guarded, malformed, OutputCollector, type DecodeOptions, type DecodeResult } from './codec.js';

export type Lzo1xStatus = 'end' | 'input-overrun' | 'output-overrun';

export interface Lzo1xRun {
  status: Lzo1xStatus;
  /** Input bytes read (just past the end-of-stream instruction when status is 'end'). */
  inPos: number;
  /** Output bytes written. */
  outPos: number;
}

/**
 * Decodes input[0..] into out[0, out.length). Stops at the end-of-stream instruction, or reports which side
 * ran out first; a match reaching before the start of the output is malformed data.
 */
export function lzo1xDecompress(input: Uint8Array, out: Uint8Array): Lzo1xRun {
  const inEnd = input.length;
  const outEnd = out.length;
  let ip = 0;
  let op = 0;
  let state = 0;
  const stop = (status: Lzo1xStatus): Lzo1xRun => ({ status, inPos: Math.min(ip, inEnd), outPos: op });
  /** Copies n literals; what ran out (copying what fits), or null. */
  const literals = (n: number): Lzo1xStatus | null => {
    const availIn = inEnd - ip;
    const availOut = outEnd - op;
    const k = Math.min(n, availIn, availOut);
    // Short runs byte by byte: a subarray per run costs more than the copy.
    if (k < 32) for (let j = 0; j < k; j++) out[op + j] = input[ip + j] as number;
    else out.set(input.subarray(ip, ip + k), op);
    op += k;
    ip += k;
    if (k === n) return null;
    return availOut < n && availOut < availIn ? 'output-overrun' : 'input-overrun';
  };
  /** A length continued in zero bytes (255 each) and a final non-zero byte; -1 when the input ends. */
  const longLength = (base: number): number => {
    let len = base;
    for (;;) {
      if (ip >= inEnd) return -1;
      const b = input[ip++] as number;
      if (b !== 0) return len + b;
      len += 255;
      // A run of zero bytes this long cannot describe real data (Linux caps it the same way).
      if (len > 0x7fffffff) throw malformed('lzo', 'length field too long');
    }
  };

  if (inEnd === 0) return stop('input-overrun');
  if ((input[0] as number) > 17) {
    const t = (input[0] as number) - 17;
    ip = 1;
    const r = literals(t);
    if (r) return stop(r);
    state = t < 4 ? t : 4;
  }
  for (;;) {
    if (ip >= inEnd) return stop('input-overrun');
    const t = input[ip++] as number;
    let len: number;
    let dist: number;
    let next: number;
    if (t < 16) {
      if (state === 0) {
        // 0000LLLL after no literals: a literal run of 4 or more.
        let n = t;
        if (n === 0) {
          n = longLength(15);
          if (n < 0) return stop('input-overrun');
        }
        const r = literals(n + 3);
        if (r) return stop(r);
        state = 4;
        continue;
      }
      if (ip >= inEnd) return stop('input-overrun');
      const h = input[ip++] as number;
      // 0000DDSS: 2 bytes within 1 KiB after 1-3 literals, 3 bytes 2-3 KiB back after a literal run.
      if (state < 4) {
        len = 2;
        dist = (t >>> 2) + (h << 2) + 1;
      } else {
        len = 3;
        dist = (t >>> 2) + (h << 2) + 2049;
      }
      next = t & 3;
    } else if (t < 64) {
      // 0001HLLL (16-48 KiB back, or the end) and 001LLLLL (within 16 KiB), with an LE16 distance.
      const bits = t < 32 ? 7 : 31;
      len = t & bits;
      if (len === 0) {
        len = longLength(bits);
        if (len < 0) return stop('input-overrun');
      }
      len += 2;
      if (ip + 2 > inEnd) return stop('input-overrun');
      const le16 = (input[ip] as number) | ((input[ip + 1] as number) << 8);
      ip += 2;
      next = le16 & 3;
      if (t < 32) {
        dist = 16384 + ((t & 8) << 11) + (le16 >>> 2);
        if (dist === 16384) {
          if (len !== 3) throw malformed('lzo', 'malformed end-of-stream instruction');
          return stop('end');
        }
      } else {
        dist = (le16 >>> 2) + 1;
      }
    } else {
      // 01LDDDSS (3-4 bytes) and 1LLDDDSS (5-8 bytes), within 2 KiB.
      if (ip >= inEnd) return stop('input-overrun');
      const h = input[ip++] as number;
      len = t < 128 ? 3 + ((t >>> 5) & 1) : 5 + ((t >>> 5) & 3);
      dist = ((t >>> 2) & 7) + (h << 3) + 1;
      next = t & 3;
    }
    if (dist > op) throw malformed('lzo', `match distance ${dist} reaches before the start of the output`, { at: op });
    let n = len;
    let overrun = false;
    if (op + n > outEnd) {
      n = outEnd - op;
      overrun = true;
    }
    let src = op - dist;
    if (dist >= n && n >= 32) {
      out.copyWithin(op, src, src + n);
      op += n;
    } else {
      const stop = op + n;
      while (op < stop) out[op++] = out[src++] as number;
    }
    if (overrun) return stop('output-overrun');
    if (next > 0) {
      const r = literals(next);
      if (r) return stop(r);
    }
    state = next;
  }
}

/**
 * One LZO1X block. opts.expectedSize is the decompressed size when known (exact: less output is an error);
 * otherwise the output may grow up to maxOutput.
 */
export function decodeLzo1x(input: Uint8Array, opts: DecodeOptions): DecodeResult {
  return guarded('lzo', () => {
    const collector = new OutputCollector(opts);
    const exact = opts.expectedSize;
    // Without a size, try growing outputs: LZO cannot expand more than ~255:1 per instruction byte.
    let capacity = Math.min(collector.maxOutput, exact ?? Math.max(1 << 16, input.length * 4));
    for (;;) {
      const out = Buffer.allocUnsafe(capacity);
      const r = lzo1xDecompress(input, out);
      const grow = r.status === 'output-overrun' && exact === undefined && capacity < collector.maxOutput;
      if (grow) {
        capacity = Math.min(collector.maxOutput, capacity * 4);
        continue;
      }
      if (r.status === 'output-overrun' && exact !== undefined && capacity === exact) throw malformed('lzo', `block decodes to more than ${exact} bytes`);
      collector.push(out.subarray(0, r.outPos));
      if (r.status === 'output-overrun') collector.markLimited();
      if (r.status === 'end' && exact !== undefined && r.outPos !== exact) throw malformed('lzo', `block decodes to ${r.outPos} bytes, expected ${exact}`);
      return collector.result(r.status === 'input-overrun' ? input.length : r.inPos, r.status === 'input-overrun');
    }
  });
}
