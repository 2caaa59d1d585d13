// LZ4 containers (lz4_Frame_format.md): the frame (magic 0x184D2204; descriptor with its xxHash32 byte, sized
// blocks, optional block/content checksums and content size), skippable frames, and the legacy frame
// (0x184C2102) that Linux kernel images use: 8 MiB independent blocks with no end mark, so the stream ends at
// the first block that decodes to less than 8 MiB, at something that cannot be a block size, or at the end.
import { ByteCursor, bytesSource } from './byte-cursor.js';
import { Xxh32, xxh32 } from './checksums.js';
import { guarded, malformed, OutputCollector, unsupported, type DecodeOptions, type DecodeResult, type RandomAccess, type StreamExtent } from './codec.js';
import { lz4BlockSize, lz4DecodeBlock } from './lz4-block.js';

export { lz4BlockSize, lz4DecodeBlock } from './lz4-block.js';

export const LZ4_FRAME_MAGIC = 0x184d2204;
export const LZ4_LEGACY_MAGIC = 0x184c2102;
const LEGACY_BLOCK = 8 << 20;
/** LZ4_compressBound(8 MiB): a larger "block size" in a legacy stream is not a block. */
const LEGACY_MAX_COMPRESSED = LEGACY_BLOCK + Math.floor(LEGACY_BLOCK / 255) + 16;
const WINDOW = 1 << 16;

function isSkippable(magic: number): boolean {
  return magic >>> 4 === 0x184d2a5;
}

function le32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

interface FrameHeader {
  /** Bytes from the magic to the end of the descriptor. */
  size: number;
  blockMax: number;
  independent: boolean;
  blockChecksum: boolean;
  contentChecksum: boolean;
  contentSize: number | undefined;
}

/** The frame descriptor after the magic at `at`; null when the source ends inside it. Throws when invalid. */
function readFrameHeader(src: RandomAccess, at: number): FrameHeader | null {
  const d = src.read(at + 4, 15);
  if (d.length < 3) return null;
  const flg = d[0] as number;
  const bd = d[1] as number;
  if (flg >>> 6 !== 1) throw malformed('lz4', 'unknown frame version');
  if (flg & 0x02 || bd & 0x8f) throw malformed('lz4', 'reserved frame descriptor bits set');
  const sizeCode = (bd >>> 4) & 7;
  if (sizeCode < 4) throw malformed('lz4', 'invalid block maximum size');
  const hasSize = (flg & 0x08) !== 0;
  const hasDict = (flg & 0x01) !== 0;
  const len = 2 + (hasSize ? 8 : 0) + (hasDict ? 4 : 0);
  if (d.length < len + 1) return null;
  if (((xxh32(d.subarray(0, len)) >>> 8) & 0xff) !== d[len]) throw malformed('lz4', 'frame descriptor checksum mismatch');
  if (hasDict) throw unsupported('lz4', 'frames that need a dictionary are not supported');
  let contentSize: number | undefined;
  if (hasSize) {
    const hi = le32(d, 6);
    if (hi >= 1 << 21) throw malformed('lz4', 'content size too large');
    contentSize = hi * 2 ** 32 + le32(d, 2);
  }
  return {
    size: 4 + len + 1,
    blockMax: 1 << (8 + 2 * sizeCode),
    independent: (flg & 0x20) !== 0,
    blockChecksum: (flg & 0x10) !== 0,
    contentChecksum: (flg & 0x04) !== 0,
    contentSize,
  };
}

type Walk = { end: number; outputSize?: number } | 'truncated';

function walkFrame(src: RandomAccess, start: number): Walk {
  const h = readFrameHeader(src, start);
  if (!h) return 'truncated';
  const cur = new ByteCursor(src, start + h.size);
  for (;;) {
    const size = cur.u32le();
    if (size < 0) return 'truncated';
    if (size === 0) break;
    const raw = size & 0x7fffffff;
    if (raw > h.blockMax) throw malformed('lz4', 'block larger than the frame allows');
    cur.pos += raw + (h.blockChecksum ? 4 : 0);
    if (cur.pos > src.size) return 'truncated';
  }
  if (h.contentChecksum) cur.pos += 4;
  if (cur.pos > src.size) return 'truncated';
  return { end: cur.pos, ...(h.contentSize !== undefined ? { outputSize: h.contentSize } : {}) };
}

/** Legacy blocks: walks (and sizes) each block, since only a short block says it was the last. */
function walkLegacy(src: RandomAccess, start: number): Walk {
  let pos = start + 4;
  let out = 0;
  for (;;) {
    const s = src.read(pos, 4);
    if (s.length < 4) return { end: pos, outputSize: out };
    const size = le32(s, 0);
    if (size === 0 || size > LEGACY_MAX_COMPRESSED || size === LZ4_LEGACY_MAGIC || size === LZ4_FRAME_MAGIC || isSkippable(size)) return { end: pos, outputSize: out };
    if (pos + 4 + size > src.size) return 'truncated';
    const n = lz4BlockSize(src.read(pos + 4, size), 0, size, 0);
    if (n < 0 || n > LEGACY_BLOCK) {
      if (pos === start + 4) throw malformed('lz4', 'first legacy block is not LZ4');
      return { end: pos, outputSize: out };
    }
    pos += 4 + size;
    out += n;
    if (n < LEGACY_BLOCK) return { end: pos, outputSize: out };
  }
}

export interface Lz4Extent extends StreamExtent {
  format: 'frame' | 'legacy';
  frames: number;
}

/** The LZ4 frame(s) at `start` (frame or legacy, then any frames that follow), or null when not LZ4. */
export function measureLz4(src: RandomAccess, start: number): Lz4Extent | null {
  const first = src.read(start, 4);
  if (first.length < 4) return null;
  const format = le32(first, 0) === LZ4_LEGACY_MAGIC ? 'legacy' : 'frame';
  let pos = start;
  let frames = 0;
  let outputSize: number | undefined = 0;
  for (;;) {
    const m = src.read(pos, 4);
    if (m.length < 4) break;
    const magic = le32(m, 0);
    let w: Walk;
    try {
      if (magic === LZ4_FRAME_MAGIC) w = walkFrame(src, pos);
      else if (magic === LZ4_LEGACY_MAGIC) w = walkLegacy(src, pos);
      else if (isSkippable(magic) && frames > 0) {
        const len = src.read(pos + 4, 4);
        w = len.length < 4 || pos + 8 + le32(len, 0) > src.size ? 'truncated' : { end: pos + 8 + le32(len, 0), outputSize: 0 };
      } else break;
    } catch {
      if (frames === 0) return null;
      break;
    }
    if (w === 'truncated') return { end: src.size, truncated: true, format, frames: frames + 1 };
    frames++;
    outputSize = outputSize !== undefined && w.outputSize !== undefined ? outputSize + w.outputSize : undefined;
    pos = w.end;
  }
  if (frames === 0) return null;
  return { end: pos, truncated: false, format, frames, ...(outputSize !== undefined ? { outputSize } : {}) };
}

type FrameOutcome = { kind: 'ok'; end: number } | { kind: 'truncated' } | { kind: 'limit' };

function decodeFrame(input: Uint8Array, start: number, out: OutputCollector): FrameOutcome {
  const h = readFrameHeader(bytesSource(input), start);
  if (!h) return { kind: 'truncated' };
  // Linked blocks may reach 64 KiB into the blocks before: keep that much in front of each new block.
  const history = h.independent ? 0 : WINDOW;
  const work = Buffer.allocUnsafe(history + h.blockMax);
  let dictLen = 0;
  const hasher = h.contentChecksum ? new Xxh32() : undefined;
  let total = 0;
  let pos = start + h.size;
  for (;;) {
    out.checkAbort();
    if (pos + 4 > input.length) return { kind: 'truncated' };
    const size = le32(input, pos);
    pos += 4;
    if (size === 0) break;
    if (out.done) return { kind: 'limit' };
    const raw = size & 0x7fffffff;
    if (raw > h.blockMax) throw malformed('lz4', 'block larger than the frame allows');
    const dataEnd = pos + raw;
    const cut = dataEnd > input.length;
    if (h.blockChecksum && !cut && dataEnd + 4 <= input.length && xxh32(input.subarray(pos, dataEnd)) !== le32(input, dataEnd)) {
      throw malformed('lz4', 'block checksum mismatch');
    }
    let produced: number;
    if (size >>> 31) {
      const n = Math.min(raw, input.length - pos);
      work.set(input.subarray(pos, pos + n), dictLen);
      produced = dictLen + n;
    } else {
      const r = lz4DecodeBlock(input, pos, Math.min(dataEnd, input.length), work, dictLen, dictLen + h.blockMax, 0);
      if (r.status === 'output-overrun') throw malformed('lz4', 'block decodes to more than the frame allows');
      if (r.status === 'input-overrun' && !cut) throw malformed('lz4', 'block data ends inside a sequence');
      produced = r.outPos;
    }
    const piece = Buffer.from(work.subarray(dictLen, produced));
    hasher?.update(piece);
    total += piece.length;
    const more = out.push(piece);
    if (cut) return { kind: 'truncated' };
    if (!more) return { kind: 'limit' };
    if (history) {
      const keep = Math.min(history, produced);
      work.copyWithin(0, produced - keep, produced);
      dictLen = keep;
    }
    pos = dataEnd + (h.blockChecksum ? 4 : 0);
  }
  if (hasher) {
    if (pos + 4 > input.length) return { kind: 'truncated' };
    if (hasher.digest() !== le32(input, pos)) throw malformed('lz4', 'content checksum mismatch');
    pos += 4;
  }
  if (h.contentSize !== undefined && total !== h.contentSize) throw malformed('lz4', `frame holds ${total} bytes, header says ${h.contentSize}`);
  return { kind: 'ok', end: pos };
}

function decodeLegacy(input: Uint8Array, start: number, out: OutputCollector): FrameOutcome {
  let pos = start + 4;
  let work: Buffer | undefined;
  for (;;) {
    out.checkAbort();
    if (pos + 4 > input.length) return { kind: 'ok', end: pos };
    const size = le32(input, pos);
    if (size === 0 || size > LEGACY_MAX_COMPRESSED || size === LZ4_LEGACY_MAGIC || size === LZ4_FRAME_MAGIC || isSkippable(size)) return { kind: 'ok', end: pos };
    const dataEnd = pos + 4 + size;
    const cut = dataEnd > input.length;
    if (out.done) return { kind: 'limit' };
    work ??= Buffer.allocUnsafe(LEGACY_BLOCK);
    let r;
    try {
      r = lz4DecodeBlock(input, pos + 4, Math.min(dataEnd, input.length), work, 0, LEGACY_BLOCK, 0);
    } catch (err) {
      // Not a block after a complete one: the stream ended before it (trailing data, an appended size).
      if (pos > start + 4) return { kind: 'ok', end: pos };
      throw err;
    }
    if (r.status === 'output-overrun' || (r.status === 'input-overrun' && !cut)) {
      if (pos > start + 4) return { kind: 'ok', end: pos };
      throw malformed('lz4', 'first legacy block is not LZ4');
    }
    const more = out.push(Buffer.from(work.subarray(0, r.outPos)));
    if (cut) return { kind: 'truncated' };
    if (!more) return { kind: 'limit' };
    pos = dataEnd;
    if (r.outPos < LEGACY_BLOCK) return { kind: 'ok', end: pos };
  }
}

/** Decodes LZ4 frames (standard or legacy, concatenated, with skippable frames between). */
export function decodeLz4(input: Uint8Array, opts: DecodeOptions): DecodeResult {
  return guarded('lz4', () => {
    const out = new OutputCollector(opts);
    let pos = 0;
    let frames = 0;
    for (;;) {
      if (pos + 4 > input.length) {
        if (frames === 0) return out.result(input.length, true);
        break;
      }
      const magic = le32(input, pos);
      let r: FrameOutcome;
      if (magic === LZ4_FRAME_MAGIC) r = decodeFrame(input, pos, out);
      else if (magic === LZ4_LEGACY_MAGIC) r = decodeLegacy(input, pos, out);
      else if (isSkippable(magic) && frames > 0) {
        const end = pos + 8 + (pos + 8 <= input.length ? le32(input, pos + 4) : 0);
        r = end > input.length ? { kind: 'truncated' } : { kind: 'ok', end };
      } else if (frames === 0) throw malformed('lz4', 'no LZ4 frame magic');
      else break;
      if (r.kind === 'truncated') return out.result(input.length, true);
      if (r.kind === 'limit') {
        out.markLimited();
        const m = measureLz4(bytesSource(input), 0);
        return out.result(m && !m.truncated ? m.end : input.length, false);
      }
      frames++;
      pos = r.end;
    }
    return out.result(pos, false);
  });
}
