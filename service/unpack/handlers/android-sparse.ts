// Android sparse image (libsparse sparse_format.h, made by img2simg): a 28-byte little-endian header (magic
// 0xED26FF3A, block size, block and chunk counts) and chunks of raw blocks, a 4-byte fill pattern,
// "don't care" (a hole) or a CRC32 of the output so far. The expanded image is a lazy ByteSource over the
// chunk map: raw blocks are read from the image when asked for, fills and holes are made per read, so a
// hole of gigabytes allocates nothing. Its size is still bounded by the limits (the carver reads it all).
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { crc32 } from '../codecs/checksums.js';
import { magic, type Chunk, type Handler, type OpenContext, type OpenResult } from '../handler.js';
import { RATIO_FLOOR_BYTES } from '../limits.js';

const MAGIC = 0xed26ff3a;
const RAW = 0xcac1;
const FILL = 0xcac2;
const DONT_CARE = 0xcac3;
const CRC32 = 0xcac4;
const MAX_CHUNKS = 10_000_000;
const MAX_BLOCK = 64 << 20;
const CRC_CHECK_LIMIT = 256 << 20;
const PIECE = 4 << 20;

interface SparseHeader {
  fileHeaderSize: number;
  chunkHeaderSize: number;
  blockSize: number;
  totalBlocks: number;
  totalChunks: number;
  checksum: number;
}

/** One run of the expanded image: [outStart, outEnd) from raw data at `from`, a fill pattern, or zeros. */
interface Run {
  outStart: number;
  outEnd: number;
  kind: 'raw' | 'fill' | 'zero';
  from: number;
  pattern?: Buffer;
}

interface Walk {
  runs: Run[];
  crcs: Array<{ at: number; value: number }>;
  end: number;
  blocks: number;
  truncated: boolean;
  problem?: string;
}

function readHeader(h: Buffer): SparseHeader | null {
  if (h.length < 28 || h.readUInt32LE(0) !== MAGIC) return null;
  if (h.readUInt16LE(4) !== 1) return null;
  const header: SparseHeader = {
    fileHeaderSize: h.readUInt16LE(8),
    chunkHeaderSize: h.readUInt16LE(10),
    blockSize: h.readUInt32LE(12),
    totalBlocks: h.readUInt32LE(16),
    totalChunks: h.readUInt32LE(20),
    checksum: h.readUInt32LE(24),
  };
  if (header.fileHeaderSize < 28 || header.fileHeaderSize > 4096 || header.chunkHeaderSize < 12 || header.chunkHeaderSize > 4096) return null;
  if (header.blockSize === 0 || header.blockSize % 4 !== 0 || header.blockSize > MAX_BLOCK) return null;
  if (header.totalChunks === 0 || header.totalChunks > MAX_CHUNKS || header.totalBlocks === 0) return null;
  return header;
}

/** Walks the chunk headers: the chunk map and where the image ends, or where it stopped making sense. */
function walk(src: ByteSource, start: number, h: SparseHeader, signal?: AbortSignal): Walk {
  const w: Walk = { runs: [], crcs: [], end: start + h.fileHeaderSize, blocks: 0, truncated: false };
  let pos = start + h.fileHeaderSize;
  for (let i = 0; i < h.totalChunks; i++) {
    if ((i & 0xffff) === 0) signal?.throwIfAborted();
    const c = src.read(pos, h.chunkHeaderSize);
    if (c.length < h.chunkHeaderSize) {
      w.truncated = true;
      break;
    }
    const type = c.readUInt16LE(0);
    const blocks = c.readUInt32LE(4);
    const total = c.readUInt32LE(8);
    const dataAt = pos + h.chunkHeaderSize;
    const outStart = w.blocks * h.blockSize;
    const outEnd = outStart + blocks * h.blockSize;
    let expect: number;
    if (type === RAW) expect = h.chunkHeaderSize + blocks * h.blockSize;
    else if (type === FILL || type === CRC32) expect = h.chunkHeaderSize + 4;
    else if (type === DONT_CARE) expect = h.chunkHeaderSize;
    else {
      w.problem = `chunk ${i}: unknown type 0x${type.toString(16)}`;
      break;
    }
    if (total !== expect) {
      w.problem = `chunk ${i}: size ${total} does not match its type (expected ${expect})`;
      break;
    }
    if (type !== CRC32 && w.blocks + blocks > h.totalBlocks) {
      w.problem = `chunk ${i}: blocks run past the declared ${h.totalBlocks}`;
      break;
    }
    if (pos + total > src.size) {
      w.truncated = true;
      // Raw data that is partly there is still usable.
      if (type === RAW && dataAt < src.size) w.runs.push({ outStart, outEnd: outStart + (src.size - dataAt), kind: 'raw', from: dataAt });
      w.end = src.size;
      break;
    }
    if (type === RAW) w.runs.push({ outStart, outEnd, kind: 'raw', from: dataAt });
    else if (type === FILL) {
      const pattern = Buffer.from(src.read(dataAt, 4));
      w.runs.push({ outStart, outEnd, kind: pattern.readUInt32LE(0) === 0 ? 'zero' : 'fill', from: 0, pattern });
    } else if (type === CRC32) w.crcs.push({ at: outStart, value: src.read(dataAt, 4).readUInt32LE(0) });
    if (type !== CRC32) w.blocks += blocks;
    pos += total;
    w.end = pos;
  }
  return w;
}

/** The expanded image, produced on each read from the chunk map (holes and fills never stored). */
class SparseSource implements ByteSource {
  constructor(
    private readonly src: ByteSource,
    private readonly runs: readonly Run[],
    readonly size: number,
  ) {}

  private firstRun(offset: number): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.runs[mid] as Run).outEnd <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  read(offset: number, length: number): Buffer {
    const start = Math.max(0, Math.floor(offset));
    const end = Math.min(this.size, Math.floor(offset + length));
    if (!(end > start)) return Buffer.alloc(0);
    const out = Buffer.alloc(end - start);
    for (let i = this.firstRun(start); i < this.runs.length; i++) {
      const r = this.runs[i] as Run;
      if (r.outStart >= end) break;
      const from = Math.max(start, r.outStart);
      const to = Math.min(end, r.outEnd);
      if (r.kind === 'raw') this.src.read(r.from + (from - r.outStart), to - from).copy(out, from - start);
      else if (r.kind === 'fill' && r.pattern) {
        // The pattern repeats from the run's start; fill() from the right phase keeps it aligned.
        const phase = (from - r.outStart) % 4;
        const p = Buffer.concat([r.pattern.subarray(phase), r.pattern.subarray(0, phase)]);
        out.fill(p, from - start, to - start);
      }
    }
    return out;
  }

  subrange(start: number, end: number): ByteSource {
    const s = Math.max(0, Math.min(this.size, Math.floor(start)));
    const e = Math.max(s, Math.min(this.size, Math.floor(end)));
    const runs = this.runs
      .filter((r) => r.outEnd > s && r.outStart < e)
      .map((r) => {
        const cut = Math.max(0, s - r.outStart);
        const skipped = r.kind === 'fill' && r.pattern ? Buffer.concat([r.pattern.subarray(cut % 4), r.pattern.subarray(0, cut % 4)]) : r.pattern;
        return { ...r, outStart: r.outStart + cut - s, outEnd: Math.min(r.outEnd, e) - s, from: r.kind === 'raw' ? r.from + cut : r.from, ...(skipped ? { pattern: skipped } : {}) };
      });
    return new SparseSource(this.src, runs, e - s);
  }
}

export const androidSparseHandler: Handler = {
  name: 'android-sparse',
  kind: 'wrapper',
  magics: [magic([0x3a, 0xff, 0x26, 0xed])],

  identify(src, start) {
    const h = readHeader(src.read(start, 28));
    if (!h) return null;
    const w = walk(src, start, h);
    // A walk that stopped at its first chunk found nothing that makes this a sparse image.
    if (w.runs.length === 0 && w.crcs.length === 0 && w.end === start + h.fileHeaderSize) return null;
    return {
      start,
      end: w.end,
      meta: { blockSize: h.blockSize, totalBlocks: h.totalBlocks, totalChunks: h.totalChunks, expandedSize: h.totalBlocks * h.blockSize, truncated: w.truncated },
    };
  },

  async open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
    const h = readHeader(src.read(chunk.start, 28));
    if (!h) throw new Error('sparse header no longer valid');
    const w = walk(src.subrange(0, chunk.end), chunk.start, h, ctx.signal);
    if (w.truncated) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `sparse image cut short after ${w.blocks} of ${h.totalBlocks} blocks`);
    if (w.problem) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `sparse image: ${w.problem}; the rest reads as zeros`);
    const declared = h.totalBlocks * h.blockSize;
    const { limits } = ctx;
    const cap = Math.min(limits.maxTotalBytes, Math.max(RATIO_FLOOR_BYTES, limits.maxRatio * (chunk.end - chunk.start)));
    if (declared > cap) ctx.problem(ErrorCodes.UNPACK_LIMIT, `sparse image expands to ${declared} bytes; cut at ${cap} by the unpack limits`);
    const image = new SparseSource(src, w.runs, Math.min(declared, cap));
    for (const c of w.crcs) {
      if (c.at > image.size || c.at > CRC_CHECK_LIMIT) continue;
      let crc = 0;
      for (let pos = 0; pos < c.at; pos += PIECE) crc = crc32(image.read(pos, Math.min(PIECE, c.at - pos)), crc);
      if (crc >>> 0 !== c.value) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `sparse image: CRC32 chunk at output ${c.at} does not match (0x${c.value.toString(16)} vs 0x${(crc >>> 0).toString(16)})`);
    }
    return { kind: 'payload', data: image, name: 'image.raw' };
  },
};
