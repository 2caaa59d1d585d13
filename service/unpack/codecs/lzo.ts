// LZO: the LZO1X block decoder (lzo1x.ts) and the lzop file format around it: a header (versions, method,
// flags, mode, mtime, name, header checksum), then blocks of (uncompressed size, compressed size, optional
// Adler-32/CRC32 checksums of either side, data) ending with a zero size. Block sizes make the end exact
// from headers alone (measureLzop).
import { ByteCursor, bytesSource } from './byte-cursor.js';
import { adler32, crc32 } from './checksums.js';
import { guarded, malformed, OutputCollector, unsupported, type DecodeOptions, type DecodeResult, type RandomAccess, type StreamExtent } from './codec.js';
import { lzo1xDecompress } from './lzo1x.js';

export { decodeLzo1x, lzo1xDecompress, type Lzo1xRun, type Lzo1xStatus } from './lzo1x.js';

export const LZOP_MAGIC = Buffer.from([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]);

const F_ADLER32_D = 0x1;
const F_ADLER32_C = 0x2;
const F_H_EXTRA_FIELD = 0x40;
const F_CRC32_D = 0x100;
const F_CRC32_C = 0x200;
const F_H_FILTER = 0x800;
const F_H_CRC32 = 0x1000;
/** lzop refuses blocks above 64 MiB; so do we (a hostile size would otherwise size our buffers). */
const MAX_BLOCK = 64 * 1024 * 1024;
/** Methods 1-3 are LZO1X variants (-1, -1(15), -999): one decoder for all. */
const LZO1X_METHODS = new Set([1, 2, 3]);

export interface LzopHeader {
  flags: number;
  method: number;
  name: string;
  mtime: number;
}

/** Reads the header at the cursor; null when the source ends inside it. Throws on a bad header. */
function readHeader(cur: ByteCursor): LzopHeader | null {
  const magic = cur.take(9);
  if (!magic) return null;
  if (!Buffer.from(magic).equals(LZOP_MAGIC)) throw malformed('lzop', 'no lzop magic');
  const sumStart = cur.pos;
  const v = cur.take(4);
  if (!v) return null;
  const version = ((v[0] as number) << 8) | (v[1] as number);
  if (version < 0x0900) throw malformed('lzop', `unknown lzop version 0x${version.toString(16)}`);
  const modern = version >= 0x0940;
  const fixed = cur.take((modern ? 2 : 0) + 1 + (modern ? 1 : 0) + 4);
  if (!fixed) return null;
  const method = fixed[modern ? 2 : 0] as number;
  const flagsAt = modern ? 4 : 1;
  const flags = Buffer.from(fixed).readUInt32BE(flagsAt);
  if (flags & F_H_FILTER) {
    if (!cur.take(4)) return null;
  }
  const rest = cur.take(4 + 4 + (modern ? 4 : 0) + 1);
  if (!rest) return null;
  const mtime = Buffer.from(rest).readUInt32BE(4);
  const nameLen = rest[rest.length - 1] as number;
  const name = cur.take(nameLen);
  if (!name) return null;
  const sumEnd = cur.pos;
  const stored = cur.u32be();
  if (stored < 0) return null;
  // The header bytes are re-read through the cursor, which still holds them.
  const saved = cur.pos;
  cur.pos = sumStart;
  const covered = cur.take(sumEnd - sumStart) as Uint8Array;
  cur.pos = saved;
  const sum = flags & F_H_CRC32 ? crc32(covered) : adler32(covered);
  if (sum !== stored) throw malformed('lzop', 'header checksum mismatch');
  if (flags & F_H_EXTRA_FIELD) {
    const len = cur.u32be();
    if (len < 0 || !cur.take(len) || cur.u32be() < 0) return null;
  }
  if (flags & F_H_FILTER) throw unsupported('lzop', 'lzop filters are not supported');
  if (!LZO1X_METHODS.has(method)) throw unsupported('lzop', `compression method ${method} is not LZO1X`);
  return { flags, method, name: Buffer.from(name).toString('latin1'), mtime };
}

interface BlockHead {
  dstLen: number;
  srcLen: number;
  dSum: number | undefined;
  cSum: number | undefined;
}

/** The next block header; 'end' for the zero terminator, null when the source ends inside it. */
function readBlockHead(cur: ByteCursor, flags: number): BlockHead | 'end' | null {
  const dstLen = cur.u32be();
  if (dstLen < 0) return null;
  if (dstLen === 0) return 'end';
  if (dstLen > MAX_BLOCK) throw malformed('lzop', `block of ${dstLen} bytes is larger than lzop allows`);
  const srcLen = cur.u32be();
  if (srcLen < 0) return null;
  if (srcLen === 0 || srcLen > dstLen) throw malformed('lzop', 'block compressed size is invalid');
  let dSum: number | undefined;
  let cSum: number | undefined;
  // At most one checksum per side is kept (lzop writes either Adler-32 or CRC32, never both).
  if (flags & F_ADLER32_D) dSum = cur.u32be();
  if (flags & F_CRC32_D) dSum = cur.u32be();
  if (srcLen < dstLen) {
    if (flags & F_ADLER32_C) cSum = cur.u32be();
    if (flags & F_CRC32_C) cSum = cur.u32be();
  }
  if (dSum === -1 || cSum === -1) return null;
  return { dstLen, srcLen, dSum, cSum };
}

function sumOf(data: Uint8Array, flags: number, adlerFlag: number): number {
  return flags & adlerFlag ? adler32(data) : crc32(data);
}

export interface LzopExtent extends StreamExtent {
  name: string;
  blocks: number;
}

/** The lzop file at `start` sized from its block headers, or null when the header is not lzop's. */
export function measureLzop(src: RandomAccess, start: number): LzopExtent | null {
  const cur = new ByteCursor(src, start);
  let h: LzopHeader | null;
  try {
    h = readHeader(cur);
  } catch {
    return null;
  }
  if (!h) return { end: src.size, truncated: true, name: '', blocks: 0 };
  let outputSize = 0;
  let blocks = 0;
  for (;;) {
    let b: BlockHead | 'end' | null;
    try {
      b = readBlockHead(cur, h.flags);
    } catch {
      return blocks === 0 ? null : { end: src.size, truncated: true, name: h.name, blocks, outputSize };
    }
    if (b === null) return { end: src.size, truncated: true, name: h.name, blocks, outputSize };
    if (b === 'end') return { end: cur.pos, truncated: false, name: h.name, blocks, outputSize };
    if (cur.pos + b.srcLen > src.size) return { end: src.size, truncated: true, name: h.name, blocks, outputSize };
    cur.pos += b.srcLen;
    outputSize += b.dstLen;
    blocks++;
  }
}

/** Decodes an lzop file (one member); consumed ends after the zero terminator. */
export function decodeLzop(input: Uint8Array, opts: DecodeOptions): DecodeResult {
  return guarded('lzop', () => {
    const out = new OutputCollector(opts);
    const cur = new ByteCursor(bytesSource(input), 0);
    const h = readHeader(cur);
    if (!h) return out.result(input.length, true);
    for (;;) {
      out.checkAbort();
      const b = readBlockHead(cur, h.flags);
      if (b === null) return out.result(input.length, true);
      if (b === 'end') return out.result(cur.pos, false);
      if (out.done) {
        // Past the cap: the end is still known from the block headers.
        out.markLimited();
        const m = measureLzop(bytesSource(input), 0);
        return out.result(m && !m.truncated ? m.end : input.length, false);
      }
      const data = cur.take(b.srcLen);
      if (!data) {
        // A cut block still gives what its complete instructions hold.
        const partial = input.subarray(cur.pos);
        if (b.srcLen < b.dstLen) {
          const buf = Buffer.allocUnsafe(Math.min(b.dstLen, out.room));
          const r = lzo1xDecompress(partial, buf);
          out.push(buf.subarray(0, r.outPos));
        } else {
          out.push(Buffer.from(partial.subarray(0, out.room)));
        }
        return out.result(input.length, true);
      }
      if (b.cSum !== undefined && sumOf(data, h.flags, F_ADLER32_C) !== b.cSum) throw malformed('lzop', 'compressed block checksum mismatch');
      let block: Buffer;
      if (b.srcLen === b.dstLen) {
        block = Buffer.from(data);
      } else {
        block = Buffer.allocUnsafe(b.dstLen);
        const r = lzo1xDecompress(data, block);
        if (r.status !== 'end' || r.outPos !== b.dstLen) throw malformed('lzop', `block decodes to ${r.outPos} bytes, header says ${b.dstLen}`);
      }
      if (b.dSum !== undefined && sumOf(block, h.flags, F_ADLER32_D) !== b.dSum) throw malformed('lzop', 'block checksum mismatch');
      out.push(block);
    }
  });
}
