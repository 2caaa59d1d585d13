// JFFS2 on-flash nodes (include/uapi/linux/jffs2.h) and the walk over them. An image is a log: nodes aligned
// to 4 bytes inside erase blocks, erased space (0xFF) at the end of blocks, possibly garbage from interrupted
// writes. Every node starts with a 12-byte header (magic 0x1985, type, total length, CRC of the first 8 bytes)
// in the image's byte order. The walk reads the image window by window, skips erased runs with native
// compares, and looks for the next node after damage, the way the kernel's scan does.
import * as zlib from 'node:zlib';
import type { ByteSource } from '../byte-source.js';

export const JFFS2_MAGIC = 0x1985;
export const HEADER_SIZE = 12;
export const DIRENT_SIZE = 40;
export const INODE_SIZE = 68;

export const NODE_ACCURATE = 0x2000;
export const FEATURE_MASK = 0xc000;
export const FEATURE_INCOMPAT = 0xc000;
export const FEATURE_ROCOMPAT = 0x8000;

export const NODETYPE_DIRENT = 0xe001;
export const NODETYPE_INODE = 0xe002;
export const NODETYPE_CLEANMARKER = 0x2003;
export const NODETYPE_PADDING = 0x2004;
export const NODETYPE_SUMMARY = 0x2006;
export const NODETYPE_XATTR = 0xe008;
export const NODETYPE_XREF = 0xe009;

/** Erase block sizes we consider (4 KiB .. 2 MiB). */
export const ERASE_SIZES = [4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152];
/** No node is larger than the largest erase block. */
export const MAX_NODE = 2 << 20;
/** How far past damage the walk looks for the next valid node before it calls the filesystem ended. */
export const MAX_GARBAGE = 1 << 20;

const WINDOW = 1 << 20;
const FF_PIECE = Buffer.alloc(4096, 0xff);
/** The 8 header bytes the header CRC covers, with NODE_ACCURATE set (reused: no allocation per node). */
const SCRATCH = Buffer.alloc(8);

/** JFFS2's CRC32: the kernel's crc32(0, ...), i.e. zlib's CRC32 without the initial and final inversion. */
export function jffs2Crc(data: Uint8Array): number {
  return ~zlib.crc32(data, 0xffffffff) >>> 0;
}

/** Reads a ByteSource through a large window, so the walk does not do one pread per node header. */
export class WindowReader {
  private buf: Buffer = Buffer.alloc(0);
  private base = 0;

  /** windowSize: bytes read at a time (small for a one-off look at a candidate's first header). */
  constructor(
    readonly src: ByteSource,
    private readonly windowSize = WINDOW,
  ) {}

  /** Bytes [pos, pos+len) (short at the end of the source). */
  get(pos: number, len: number): Buffer {
    if (pos >= this.base && pos + len <= this.base + this.buf.length) return this.buf.subarray(pos - this.base, pos - this.base + len);
    this.base = pos;
    this.buf = this.src.read(pos, Math.max(len, this.windowSize));
    return this.buf.subarray(0, Math.min(len, this.buf.length));
  }

  /** The first offset >= pos (4-aligned, below end) that is not 0xFFFFFFFF; end when there is none. */
  skipErased(pos: number, end: number): number {
    let p = pos;
    while (p < end) {
      const n = Math.min(FF_PIECE.length, end - p);
      const b = this.get(p, n);
      if (b.length === 0) return end;
      if (b.equals(FF_PIECE.subarray(0, b.length))) {
        p += b.length;
        continue;
      }
      let i = 0;
      while (i + 4 <= b.length && b.readUInt32LE(i) === 0xffffffff) i += 4;
      return Math.min(p + i, end);
    }
    return end;
  }
}

export interface NodeHeader {
  pos: number;
  /** The type as stored (obsolete nodes have NODE_ACCURATE cleared). */
  nodetype: number;
  totlen: number;
}

/** The node header at pos when its magic, length and header CRC are valid. */
export function readNodeHeader(r: WindowReader, pos: number, le: boolean): NodeHeader | null {
  const h = r.get(pos, HEADER_SIZE);
  if (h.length < HEADER_SIZE) return null;
  const magic = le ? h.readUInt16LE(0) : h.readUInt16BE(0);
  if (magic !== JFFS2_MAGIC) return null;
  const nodetype = le ? h.readUInt16LE(2) : h.readUInt16BE(2);
  const totlen = le ? h.readUInt32LE(4) : h.readUInt32BE(4);
  if (totlen < HEADER_SIZE || totlen > MAX_NODE) return null;
  // The kernel marks a node obsolete by clearing NODE_ACCURATE in place; the CRC was made with it set.
  const crc = le ? h.readUInt32LE(8) : h.readUInt32BE(8);
  h.copy(SCRATCH, 0, 0, 8);
  if (le) SCRATCH.writeUInt16LE(nodetype | NODE_ACCURATE, 2);
  else SCRATCH.writeUInt16BE(nodetype | NODE_ACCURATE, 2);
  if (jffs2Crc(SCRATCH) !== crc) return null;
  return { pos, nodetype, totlen };
}

export const align4 = (n: number): number => (n + 3) & ~3;

/** What a walk saw: enough to size the chunk and tell the erase block size. */
export interface WalkResult {
  nodes: number;
  /** End (exclusive, not aligned) of the last valid node. */
  lastEnd: number;
  /** A node's declared length runs past the end of the source. */
  truncated: boolean;
  /** Regions skipped as damage (not erased, not a node). */
  garbage: Array<{ start: number; end: number }>;
  eraseSize: number;
}

export interface WalkVisitor {
  (hdr: NodeHeader, r: WindowReader): void;
}

/**
 * Walks the nodes from `start` (where a valid node must be) to `limit`. Stops at damage that no valid node
 * follows within MAX_GARBAGE bytes, or at the limit. The visitor sees every node with a valid header.
 */
export function walkNodes(src: ByteSource, start: number, limit: number, le: boolean, visit?: WalkVisitor, signal?: AbortSignal): WalkResult {
  const r = new WindowReader(src);
  const magicBytes = le ? Buffer.from([0x85, 0x19]) : Buffer.from([0x19, 0x85]);
  const sizes = new EraseSizeVotes();
  const garbage: WalkResult['garbage'] = [];
  let pos = start;
  let lastEnd = start;
  let nodes = 0;
  let truncated = false;
  let afterGap = false;
  while (pos + HEADER_SIZE <= limit) {
    if ((nodes & 0xfff) === 0) signal?.throwIfAborted();
    const hdr = readNodeHeader(r, pos, le);
    if (hdr) {
      const end = pos + hdr.totlen;
      if (end > limit) {
        truncated = true;
        lastEnd = limit;
        nodes++;
        visit?.(hdr, r);
        break;
      }
      sizes.node(pos - start, end - start, afterGap, hdr.nodetype);
      afterGap = false;
      nodes++;
      visit?.(hdr, r);
      lastEnd = end;
      pos = start + align4(end - start);
      continue;
    }
    const word = r.get(pos, 4);
    if (word.length === 4 && word.readUInt32LE(0) === 0xffffffff) {
      pos = r.skipErased(pos, limit);
      afterGap = true;
      continue;
    }
    // Damage: the next aligned magic with a valid header, not too far away.
    const next = findNextNode(r, pos + 4, Math.min(limit, pos + MAX_GARBAGE), le, magicBytes, start);
    if (next < 0) break;
    garbage.push({ start: pos, end: next });
    pos = next;
  }
  if (pos + HEADER_SIZE > limit && pos < limit && lastEnd < limit) {
    // A few bytes at the very end that cannot hold a header: erased space or a cut node.
    const tail = r.get(pos, limit - pos);
    if (!tail.every((b) => b === 0xff)) truncated = true;
  }
  return { nodes, lastEnd, truncated, garbage, eraseSize: sizes.best() };
}

function findNextNode(r: WindowReader, from: number, to: number, le: boolean, magicBytes: Buffer, start: number): number {
  let p = from;
  while (p < to) {
    const span = Math.min(WINDOW, to - p);
    const b = r.get(p, span + 1);
    let i = b.indexOf(magicBytes);
    while (i >= 0 && p + i < to) {
      const at = p + i;
      if ((at - start) % 4 === 0 && readNodeHeader(r, at, le)) return at;
      // b stays valid even when readNodeHeader moved the reader's window.
      i = b.indexOf(magicBytes, i + 1);
    }
    p += span;
  }
  return -1;
}

/**
 * The erase block size is not recorded anywhere; it shows in the layout: mkfs.jffs2 (and the kernel) write a
 * cleanmarker at the start of each block, a summary node ends each summarised block, no node crosses a block
 * boundary, and erased space runs to a boundary. The smallest size consistent with all of it wins.
 */
class EraseSizeVotes {
  private readonly crossings = new Array<number>(ERASE_SIZES.length).fill(0);
  private readonly misplaced = new Array<number>(ERASE_SIZES.length).fill(0);
  private lastCleanmarker = -1;
  private cleanmarkerStep = 0;

  node(s: number, e: number, afterGap: boolean, nodetype: number): void {
    for (let i = 0; i < ERASE_SIZES.length; i++) {
      const E = ERASE_SIZES[i] as number;
      if (Math.floor(s / E) !== Math.floor((e - 1) / E)) this.crossings[i]!++;
      // A node after erased space, a cleanmarker, and the end of a summary sit on block boundaries.
      const boundary = nodetype === NODETYPE_SUMMARY ? e : afterGap || nodetype === NODETYPE_CLEANMARKER ? s : -1;
      if (boundary >= 0 && boundary % E !== 0) this.misplaced[i]!++;
    }
    if (nodetype === NODETYPE_CLEANMARKER) {
      if (this.lastCleanmarker >= 0) {
        const step = s - this.lastCleanmarker;
        if (step > 0 && (this.cleanmarkerStep === 0 || step < this.cleanmarkerStep)) this.cleanmarkerStep = step;
      }
      this.lastCleanmarker = s;
    }
  }

  best(): number {
    if (ERASE_SIZES.includes(this.cleanmarkerStep)) return this.cleanmarkerStep;
    let best = -1;
    for (let i = 0; i < ERASE_SIZES.length; i++) {
      if (best < 0) {
        best = i;
        continue;
      }
      const a = [this.crossings[i]!, this.misplaced[i]!];
      const b = [this.crossings[best]!, this.misplaced[best]!];
      if (a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!)) best = i;
    }
    return ERASE_SIZES[best] as number;
  }
}

/** Where a JFFS2 chunk ends: the end of the last valid node's erase block, then whole erased blocks after it. */
export function chunkEnd(src: ByteSource, start: number, walk: WalkResult): number {
  const E = walk.eraseSize;
  let end = Math.min(src.size, start + Math.ceil((walk.lastEnd - start) / E) * E);
  if (walk.truncated) return Math.max(end, walk.lastEnd);
  const r = new WindowReader(src);
  while (end + E <= src.size && r.skipErased(end, end + E) === end + E) end += E;
  return end;
}
