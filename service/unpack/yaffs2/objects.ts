// The objects of a YAFFS2 image: one pass over the chunks keeps, per object, its newest header and, per
// (object, chunk id), its newest data chunk. "Newest" is the block sequence number, then the position (a
// block is written in order), which is how the kernel's scan orders a log it finds in any block order.
import { ErrorCodes, type ErrorCode } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { blockBytes, chunkOffset, classifyChunk, type Geometry } from './geometry.js';

export const OBJ_ROOT = 1;
export const OBJ_LOST_FOUND = 2;
export const OBJ_UNLINKED = 3;
export const OBJ_DELETED = 4;

export const TYPE_FILE = 1;
export const TYPE_SYMLINK = 2;
export const TYPE_DIR = 3;
export const TYPE_HARDLINK = 4;
export const TYPE_SPECIAL = 5;

/** Invalid chunks in a row after which the walk decides the image has ended. */
export const MAX_INVALID_RUN = 128;

export interface ObjectHeader {
  objId: number;
  seq: number;
  index: number;
  type: number;
  parent: number;
  name: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size: number;
  equivId: number;
  alias: string;
  rdev: number;
}

export interface DataChunk {
  seq: number;
  index: number;
  nBytes: number;
}

export interface ObjectScan {
  headers: Map<number, ObjectHeader>;
  data: Map<number, Map<number, DataChunk>>;
  /** Exclusive end of the last valid chunk, relative to the image start. */
  end: number;
  truncated: boolean;
  invalid: number;
}

function cString(b: Buffer, start: number, max: number): string {
  const s = b.subarray(start, start + max);
  const nul = s.indexOf(0);
  return s.toString('utf8', 0, nul < 0 ? s.length : nul);
}

export function parseHeader(data: Buffer, le: boolean, objId: number, seq: number, index: number): ObjectHeader {
  const u32 = (at: number): number => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const low = u32(292);
  const high = u32(496);
  return {
    objId,
    seq,
    index,
    type: u32(0),
    parent: u32(4),
    name: cString(data, 10, 256),
    mode: u32(268),
    uid: u32(272),
    gid: u32(276),
    mtime: u32(284),
    // file_size_high is 0xFFFFFFFF in images from tools that predate it.
    size: high === 0xffffffff ? low : high * 2 ** 32 + low,
    equivId: u32(296),
    alias: cString(data, 300, 160),
    rdev: u32(460),
  };
}

const isNewer = (seq: number, index: number, cur: { seq: number; index: number }): boolean => seq > cur.seq || (seq === cur.seq && index > cur.index);

/**
 * Walks the chunks of an image (or sizes it, without a visitor's records). Stops after MAX_INVALID_RUN
 * invalid chunks in a row or at the end of the source.
 */
export function scanChunks(img: ByteSource, g: Geometry, problem?: (code: ErrorCode, message: string) => void, signal?: AbortSignal): ObjectScan {
  const stride = g.pageSize + g.spareSize;
  const headers = new Map<number, ObjectHeader>();
  const data = new Map<number, Map<number, DataChunk>>();
  // Read a window of chunks at a time: a NOR block when the layout has them, else about 1 MiB.
  const perWindow = g.chunksPerBlock || Math.max(1, Math.floor((1 << 20) / stride));
  let end = 0;
  let truncated = false;
  let invalidRun = 0;
  let invalid = 0;
  let lastKind = '';
  const collect = problem !== undefined;
  outer: for (let first = 0; chunkOffset(g, first) < img.size; first += perWindow) {
    signal?.throwIfAborted();
    const winStart = chunkOffset(g, first);
    const win = img.read(winStart, perWindow * stride);
    for (let k = 0; k * stride < win.length; k++) {
      const index = first + k;
      const chunk = win.subarray(k * stride, (k + 1) * stride);
      if (chunk.length < stride) {
        // A partial chunk right after a written one: the image was cut (unless what is left is erased).
        if (lastKind === 'valid' && !chunk.equals(FF.subarray(0, chunk.length))) truncated = true;
        break outer;
      }
      const c = classifyChunk(chunk.subarray(0, g.pageSize), chunk.subarray(g.pageSize), g);
      lastKind = c.kind;
      if (c.kind === 'invalid') {
        invalid++;
        if (++invalidRun > MAX_INVALID_RUN) break outer;
        continue;
      }
      if (c.kind !== 'valid') continue;
      if (invalidRun > 0 && collect) problem(ErrorCodes.UNPACK_MALFORMED, `${invalidRun} chunk(s) before chunk ${index} have invalid tags; skipped`);
      invalidRun = 0;
      end = winStart + (k + 1) * stride;
      if (!collect) continue;
      const t = c.tags!;
      if (t.isHeader) {
        const cur = headers.get(t.objId);
        if (!cur || isNewer(t.seq, index, cur)) headers.set(t.objId, parseHeader(chunk.subarray(0, g.pageSize), g.le, t.objId, t.seq, index));
      } else {
        let chunks = data.get(t.objId);
        if (!chunks) data.set(t.objId, (chunks = new Map()));
        const cur = chunks.get(t.chunkId);
        if (!cur || isNewer(t.seq, index, cur)) chunks.set(t.chunkId, { seq: t.seq, index, nBytes: t.nBytes });
      }
    }
  }
  return { headers, data, end, truncated, invalid };
}

const FF = Buffer.alloc(1 << 16, 0xff);

/** Where the image ends: its last valid chunk, then erased chunks to the block boundary and whole erased blocks. */
export function imageEnd(src: ByteSource, start: number, g: Geometry, lastEnd: number): number {
  const block = blockBytes(g);
  let end = start + lastEnd;
  const erased = (from: number, to: number): boolean => {
    for (let p = from; p < to; p += FF.length) {
      const n = Math.min(FF.length, to - p);
      const b = src.read(p, n);
      if (b.length < n || !b.equals(FF.subarray(0, n))) return false;
    }
    return true;
  };
  const boundary = start + Math.ceil(lastEnd / block) * block;
  if (boundary <= src.size && erased(end, boundary)) end = boundary;
  else return end;
  while (end + block <= src.size && erased(end, end + block)) end += block;
  return end;
}
