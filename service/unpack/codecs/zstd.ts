// Zstandard through fzstd (pure JS), with what fzstd lacks for hostile input: its one-shot API inflates
// everything, so we use its streaming Decompress, count the blocks it emits and abort past maxOutput; it
// would allocate whatever window a header claims, so windows above 128 MiB (zstd's own default limit) are
// refused; and it does not say where a frame ends, so the frames are walked here from their headers
// (RFC 8878: frame header, 3-byte block headers, optional checksum; skippable frames).
import { Decompress } from 'fzstd';
import { ByteCursor, bytesSource } from './byte-cursor.js';
import { guarded, limitError, malformed, OutputCollector, unsupported, type DecodeOptions, type DecodeResult, type RandomAccess, type StreamExtent } from './codec.js';

export const ZSTD_MAGIC = 0xfd2fb528;
/** zstd refuses windows above 2^27 unless told --long=N / --memory; so do we (fzstd would allocate it). */
export const ZSTD_MAX_WINDOW = 1 << 27;
const MAX_BLOCK = 128 * 1024;

function isSkippable(magic: number): boolean {
  return magic >>> 4 === 0x184d2a5;
}

interface FrameInfo {
  /** The source's end when truncated. */
  end: number;
  truncated: boolean;
  contentSize: number | undefined;
  windowSize: number;
  dictId: number;
}

/** Walks one zstd frame at `start`; 'truncated' when the source ends inside its header. Throws when invalid. */
function walkFrame(src: RandomAccess, start: number): FrameInfo | 'truncated' {
  const cur = new ByteCursor(src, start + 4);
  const fhd = cur.byte();
  if (fhd < 0) return 'truncated';
  if (fhd & 0x08) throw malformed('zstd', 'reserved frame header bit set');
  const single = (fhd & 0x20) !== 0;
  const fcsFlag = fhd >>> 6;
  let windowSize = 0;
  if (!single) {
    const wd = cur.byte();
    if (wd < 0) return 'truncated';
    // Window logs above 31 exist in no zstd implementation (ZSTD_WINDOWLOG_MAX).
    if (wd >>> 3 > 21) throw malformed('zstd', 'window size beyond any decoder');
    const base = 2 ** (10 + (wd >>> 3));
    windowSize = base + (base / 8) * (wd & 7);
  }
  const dictBytes = [0, 1, 2, 4][fhd & 3] as number;
  const d = cur.take(dictBytes);
  if (!d) return 'truncated';
  let dictId = 0;
  for (let i = dictBytes - 1; i >= 0; i--) dictId = dictId * 256 + (d[i] as number);
  const fcsBytes = fcsFlag === 0 ? (single ? 1 : 0) : (1 << fcsFlag);
  const f = cur.take(fcsBytes);
  if (!f) return 'truncated';
  let contentSize: number | undefined;
  if (fcsBytes > 0) {
    contentSize = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + (f[i] as number);
    if (fcsBytes === 2) contentSize += 256;
  }
  if (single) windowSize = contentSize ?? 0;
  const cut: FrameInfo = { end: src.size, truncated: true, contentSize, windowSize, dictId };
  for (;;) {
    const h = cur.take(3);
    if (!h) return cut;
    const v = (h[0] as number) | ((h[1] as number) << 8) | ((h[2] as number) << 16);
    const type = (v >>> 1) & 3;
    const size = v >>> 3;
    if (type === 3) throw malformed('zstd', 'reserved block type');
    // Raw and compressed blocks carry `size` bytes, RLE blocks one byte repeated `size` times.
    if (size > MAX_BLOCK) throw malformed('zstd', 'block larger than 128 KiB');
    cur.pos += type === 1 ? 1 : size;
    if (cur.pos > src.size) return cut;
    if (v & 1) break;
  }
  if (fhd & 0x04) cur.pos += 4;
  if (cur.pos > src.size) return cut;
  return { end: cur.pos, truncated: false, contentSize, windowSize, dictId };
}

function le32(src: RandomAccess, at: number): number {
  const b = src.read(at, 4);
  return b.length < 4 ? -1 : ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16) | ((b[3] as number) << 24)) >>> 0;
}

export interface ZstdExtent extends StreamExtent {
  frames: number;
  /** Largest window any frame needs. */
  windowSize: number;
  dictId: number;
}

/** The zstd frames at `start` (with skippable frames among them), from headers alone; null when not zstd. */
export function measureZstd(src: RandomAccess, start: number): ZstdExtent | null {
  let pos = start;
  let frames = 0;
  let outputSize: number | undefined = 0;
  let windowSize = 0;
  let dictId = 0;
  for (;;) {
    const magic = le32(src, pos);
    let end: number;
    if (magic === ZSTD_MAGIC) {
      let f: FrameInfo | 'truncated';
      try {
        f = walkFrame(src, pos);
      } catch {
        if (frames === 0) return null;
        break;
      }
      if (f === 'truncated') return { end: src.size, truncated: true, frames: frames + 1, windowSize, dictId };
      windowSize = Math.max(windowSize, f.windowSize);
      dictId ||= f.dictId;
      if (f.truncated) return { end: src.size, truncated: true, frames: frames + 1, windowSize, dictId };
      end = f.end;
      outputSize = outputSize !== undefined && f.contentSize !== undefined ? outputSize + f.contentSize : undefined;
    } else if (isSkippable(magic) && frames > 0) {
      const len = le32(src, pos + 4);
      if (len < 0 || pos + 8 + len > src.size) return { end: src.size, truncated: true, frames: frames + 1, windowSize, dictId };
      end = pos + 8 + len;
    } else {
      break;
    }
    frames++;
    pos = end;
  }
  if (frames === 0) return null;
  return { end: pos, truncated: false, frames, windowSize, dictId, ...(outputSize !== undefined ? { outputSize } : {}) };
}

class Stop extends Error {}

/** Decodes zstd frames; consumed ends after the last frame (skippable frames between them included). */
export function decodeZstd(input: Uint8Array, opts: DecodeOptions): DecodeResult {
  return guarded('zstd', () => {
    const out = new OutputCollector(opts);
    const m = measureZstd(bytesSource(input), 0);
    if (!m) throw malformed('zstd', 'not a zstd frame');
    if (m.windowSize > ZSTD_MAX_WINDOW) throw limitError('zstd', `frame needs a ${m.windowSize}-byte window (limit ${ZSTD_MAX_WINDOW})`);
    if (m.dictId !== 0) throw unsupported('zstd', 'frames that need a dictionary are not supported');
    const dec = new Decompress((chunk) => {
      out.checkAbort();
      if (chunk.length > 0 && !out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length))) throw new Stop();
    });
    try {
      dec.push(input.subarray(0, m.end), !m.truncated);
    } catch (err) {
      if (err instanceof Stop) return out.result(m.truncated ? input.length : m.end, false);
      // fzstd reports a cut input as "unexpected EOF" (code 5); anything else is damaged data.
      if (m.truncated) return out.result(input.length, true);
      throw malformed('zstd', `damaged frame data (${err instanceof Error ? err.message : String(err)})`);
    }
    return out.result(m.truncated ? input.length : m.end, m.truncated);
  });
}
