// A YAFFS2 image is a raw NAND dump: pages ("chunks") of data each followed by its spare (OOB) area, where
// YAFFS2 keeps the chunk's tags (sequence number of its block, object id, chunk id, byte count), packed as
// yaffs_packed_tags2: 16 bytes, optionally followed by 12 bytes of ECC over them. Nothing in the image says
// the page size, the spare size, where the tags sit in the spare (0, or 2 after a bad-block marker), whether
// they carry ECC, or the byte order: all of it is found here by trying the layouts on the first chunks.
import type { ByteSource } from '../byte-source.js';

export interface Geometry {
  pageSize: number;
  spareSize: number;
  /** Where the packed tags start inside the spare. */
  tagOffset: number;
  /** The 16 bytes of tags are followed by yaffs_ecc_other (which we check). */
  ecc: boolean;
  le: boolean;
  /**
   * NOR-style images (mkyaffs2image built with NOR_MKYAFFS2IMAGE) fill 128 KiB blocks with as many
   * 512+16 chunks as fit (248) and 0xFF for the rest (128 bytes); 0 for plain NAND dumps.
   */
  chunksPerBlock: number;
  blockPad: number;
}

/** Byte offset of chunk i from the image start. */
export function chunkOffset(g: Geometry, i: number): number {
  const stride = g.pageSize + g.spareSize;
  if (g.chunksPerBlock === 0) return i * stride;
  const block = Math.floor(i / g.chunksPerBlock);
  return block * (g.chunksPerBlock * stride + g.blockPad) + (i - block * g.chunksPerBlock) * stride;
}

/** Bytes of one erase block (64 chunks for NAND dumps, which do not record it). */
export function blockBytes(g: Geometry): number {
  const stride = g.pageSize + g.spareSize;
  return g.chunksPerBlock === 0 ? 64 * stride : g.chunksPerBlock * stride + g.blockPad;
}

const NOR_BLOCK = 128 * 1024;

export interface Tags {
  seq: number;
  objId: number;
  chunkId: number;
  nBytes: number;
  /** An object header chunk (chunk id 0, or the kernel's "extra header info" form). */
  isHeader: boolean;
}

/** (page, spare) pairs of real NAND parts, the common ones first. */
export const PAGE_LAYOUTS: ReadonlyArray<readonly [number, number]> = [
  [2048, 64],
  [512, 16],
  [4096, 128],
  [4096, 224],
  [4096, 218],
  [8192, 256],
  [8192, 448],
  [8192, 436],
  [2048, 128],
  [1024, 32],
  [16384, 1280],
];

export const LOWEST_SEQ = 0x00001000;
export const HIGHEST_SEQ = 0xefffff00;
/** Blocks holding a checkpoint (YAFFS_SEQUENCE_CHECKPOINT_DATA) and blocks marked bad. */
export const SEQ_CHECKPOINT = 0x21;
export const SEQ_BAD_BLOCK = 0xffff0000;

const EXTRA_HEADER_INFO = 0x80000000;
const OBJ_ID_MASK = 0x0fffffff;
/** Object ids below this are the fake directories (root, lost+found, unlinked, deleted). */
export const FIRST_REAL_OBJ = 5;
export const TAGS_SIZE = 16;
export const TAGS_ECC_SIZE = 28;

const ERASED_TAGS = Buffer.alloc(TAGS_ECC_SIZE, 0xff);

export type ChunkKind = 'valid' | 'erased' | 'ignored' | 'invalid';

/** yaffs_ecc_calc_other: column parities of the XOR of all bytes, and XORs of the indexes of odd-parity bytes. */
function eccOther(tags: Buffer): { col: number; line: number; linePrime: number } {
  let x = 0;
  let line = 0;
  let linePrime = 0;
  for (let i = 0; i < tags.length; i++) {
    const b = tags[i] as number;
    x ^= b;
    if (parity(b)) {
      line ^= i;
      linePrime ^= ~i;
    }
  }
  const bit = (mask: number): number => parity(x & mask);
  // Bits 7..2 of the kernel's column_parity_table: p4, p4', p2, p2', p1, p1'; then >> 2.
  const col = (bit(0xf0) << 5) | (bit(0x0f) << 4) | (bit(0xcc) << 3) | (bit(0x33) << 2) | (bit(0xaa) << 1) | bit(0x55);
  return { col, line: line >>> 0, linePrime: linePrime >>> 0 };
}

function parity(b: number): number {
  let v = b ^ (b >> 4);
  v ^= v >> 2;
  v ^= v >> 1;
  return v & 1;
}

/** ECC bytes for the 16 tag bytes, as yaffs_packed_tags2 stores them (col, 3 pad bytes, two 32-bit words). */
export function tagsEcc(tags: Buffer, le: boolean): Buffer {
  const e = eccOther(tags);
  const out = Buffer.alloc(12, 0xff);
  out[0] = e.col;
  if (le) {
    out.writeUInt32LE(e.line, 4);
    out.writeUInt32LE(e.linePrime, 8);
  } else {
    out.writeUInt32BE(e.line, 4);
    out.writeUInt32BE(e.linePrime, 8);
  }
  return out;
}

/** The ECC words are in the writer's byte order, which for byte-swapped images may be either. */
function eccMatches(spareTags: Buffer): boolean {
  const e = eccOther(spareTags.subarray(0, TAGS_SIZE));
  if (((spareTags[TAGS_SIZE] as number) & 0x3f) !== e.col) return false;
  const le = spareTags.readUInt32LE(TAGS_SIZE + 4) === e.line && spareTags.readUInt32LE(TAGS_SIZE + 8) === e.linePrime;
  return le || (spareTags.readUInt32BE(TAGS_SIZE + 4) === e.line && spareTags.readUInt32BE(TAGS_SIZE + 8) === e.linePrime);
}

export function parseTags(spare: Buffer, g: Geometry): Tags | null {
  const size = g.ecc ? TAGS_ECC_SIZE : TAGS_SIZE;
  if (spare.length < g.tagOffset + size) return null;
  const t = spare.subarray(g.tagOffset, g.tagOffset + size);
  const u32 = (at: number): number => (g.le ? t.readUInt32LE(at) : t.readUInt32BE(at));
  const rawChunk = u32(8);
  const isHeader = rawChunk === 0 || (rawChunk & EXTRA_HEADER_INFO) !== 0;
  return { seq: u32(0), objId: isHeader ? u32(4) & OBJ_ID_MASK : u32(4), chunkId: isHeader ? 0 : rawChunk, nBytes: u32(12), isHeader };
}

/** What a chunk is, judged from its spare and (for headers) its data. */
export function classifyChunk(data: Buffer, spare: Buffer, g: Geometry): { kind: ChunkKind; tags?: Tags } {
  const size = g.ecc ? TAGS_ECC_SIZE : TAGS_SIZE;
  const raw = spare.subarray(g.tagOffset, g.tagOffset + size);
  if (raw.length < size) return { kind: 'invalid' };
  if (raw.equals(ERASED_TAGS.subarray(0, size))) return { kind: 'erased' };
  const tags = parseTags(spare, g)!;
  if (tags.seq === SEQ_CHECKPOINT || tags.seq === SEQ_BAD_BLOCK) return { kind: 'ignored', tags };
  if (tags.seq < LOWEST_SEQ || tags.seq > HIGHEST_SEQ || tags.objId < FIRST_REAL_OBJ || tags.objId > OBJ_ID_MASK) return { kind: 'invalid', tags };
  if (g.ecc && !eccMatches(raw)) return { kind: 'invalid', tags };
  if (tags.isHeader) {
    if (!looksLikeHeader(data, g.le)) return { kind: 'invalid', tags };
  } else if (tags.nBytes > g.pageSize) {
    return { kind: 'invalid', tags };
  }
  return { kind: 'valid', tags };
}

/** Object type 1..5, a NUL-terminated name, sum_no_longer_used 0xFFFF. */
export function looksLikeHeader(data: Buffer, le: boolean): boolean {
  if (data.length < 512) return false;
  const type = le ? data.readUInt32LE(0) : data.readUInt32BE(0);
  if (type < 1 || type > 5) return false;
  return data.indexOf(0, 10) >= 10 && data.indexOf(0, 10) < 10 + 256;
}

/** Chunks looked at: the first ones, and those around the end of a NOR block (248 chunks of 512+16). */
const SAMPLE = [...Array.from({ length: 64 }, (_, i) => i), ...Array.from({ length: 16 }, (_, i) => 244 + i)];

/** How many of the sampled chunks read as YAFFS2 under this geometry (0 or less: not this one). */
function score(src: ByteSource, start: number, g: Geometry): number {
  const stride = g.pageSize + g.spareSize;
  let total = 0;
  for (const i of SAMPLE) {
    const at = start + chunkOffset(g, i);
    const chunk = src.read(at, stride);
    if (chunk.length < stride) break;
    const c = classifyChunk(chunk.subarray(0, g.pageSize), chunk.subarray(g.pageSize), g);
    if (i === 0 && !(c.kind === 'valid' && c.tags!.isHeader)) return 0;
    if (c.kind === 'valid') total += g.ecc ? 3 : 2;
    else if (c.kind === 'invalid') total -= 2;
  }
  return total;
}

/** The layout under which the chunks starting at `start` make the most sense, or null. */
export function detectGeometry(src: ByteSource, start: number): Geometry | null {
  const head = src.read(start, 4);
  if (head.length < 4) return null;
  const t = head.readUInt32LE(0);
  const le = t >= 1 && t <= 5;
  if (!le && !(head.readUInt32BE(0) >= 1 && head.readUInt32BE(0) <= 5)) return null;
  let best: Geometry | null = null;
  let bestScore = 0;
  for (const [pageSize, spareSize] of PAGE_LAYOUTS) {
    const stride = pageSize + spareSize;
    const blockings = pageSize === 512 ? [0, Math.floor(NOR_BLOCK / stride)] : [0];
    for (const chunksPerBlock of blockings) {
      const blockPad = chunksPerBlock === 0 ? 0 : NOR_BLOCK - chunksPerBlock * stride;
      for (const tagOffset of [0, 2]) {
        for (const ecc of [true, false]) {
          if (tagOffset + (ecc ? TAGS_ECC_SIZE : TAGS_SIZE) > spareSize) continue;
          const g: Geometry = { pageSize, spareSize, tagOffset, ecc, le, chunksPerBlock, blockPad };
          const s = score(src, start, g);
          if (s > bestScore) {
            best = g;
            bestScore = s;
          }
        }
      }
    }
  }
  return best;
}
