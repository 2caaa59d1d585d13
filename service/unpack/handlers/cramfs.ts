// cramfs (Linux's "compressed ROM filesystem", util-linux mkfs.cramfs): a 76-byte superblock, directories of
// packed 12-byte inodes, and files stored as a table of block end pointers followed by zlib blocks of one
// page each. Both byte orders exist (mkfs.cramfs -N big); the superblock may sit 512 bytes into the image
// (mkfs.cramfs -p keeps room for boot code, offsets still count from the image start). The format keeps no
// mtime, 16-bit uids, 8-bit gids and 24-bit sizes; a device's rdev lives in its size field.
import * as zlib from 'node:zlib';
import { ErrorCodes, FirmwardenError } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Handler } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import { nodeTypeFromMode } from '../unix-mode.js';

const MAGIC = 0x28cd3d45;
const SUPER_SIZE = 76;
const INODE_SIZE = 12;
const BOOT_PAD = 512;
const SIGNATURE = 'Compressed ROMFS';

const FLAG_FSID_V2 = 0x1;
const FLAG_EXT_BLOCK_POINTERS = 0x800;
/** The kernel refuses flags outside 0xfff (CRAMFS_SUPPORTED_FLAGS). */
const SUPPORTED_FLAGS = 0xfff;

const BLK_UNCOMPRESSED = 0x80000000;
const BLK_DIRECT = 0x40000000;
const BLK_FLAGS = BLK_UNCOMPRESSED | BLK_DIRECT;

/** Page sizes a cramfs may be built for; 4 KiB first (almost every image). */
const BLOCK_SIZES = [4096, 16384, 65536, 8192, 32768, 2048, 1024];
const MAX_DEPTH = 256;
/** Linux's PATH_MAX: no symlink target is longer. */
const PATH_MAX = 4096;

interface Inode {
  mode: number;
  uid: number;
  size: number;
  gid: number;
  namelen: number;
  /** Byte offset (the format stores it in 4-byte units) from the image start. */
  offset: number;
}

interface Super {
  le: boolean;
  flags: number;
  /** Bytes of the image, superblock pad included (v2); undefined for the old v1 layout. */
  size: number | undefined;
  crc: number;
  files: number;
  root: Inode;
  /** 0 or 512: where the superblock sits inside the image. */
  superAt: number;
}

function readInode(b: Buffer, at: number, le: boolean): Inode {
  const w0 = le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  const w1 = le ? b.readUInt32LE(at + 4) : b.readUInt32BE(at + 4);
  const w2 = le ? b.readUInt32LE(at + 8) : b.readUInt32BE(at + 8);
  // C bitfields: allocated from the low bits on little-endian machines, from the high bits on big-endian ones.
  return le
    ? { mode: w0 & 0xffff, uid: w0 >>> 16, size: w1 & 0xffffff, gid: w1 >>> 24, namelen: (w2 & 0x3f) * 4, offset: (w2 >>> 6) * 4 }
    : { mode: w0 >>> 16, uid: w0 & 0xffff, size: w1 >>> 8, gid: w1 & 0xff, namelen: (w2 >>> 26) * 4, offset: (w2 & 0x3ffffff) * 4 };
}

/** The superblock of an image starting at `start` (its superblock at start or start+512), or null. */
function readSuper(src: ByteSource, start: number, superAt: number): Super | null {
  const b = src.read(start + superAt, SUPER_SIZE);
  if (b.length < SUPER_SIZE) return null;
  const le = b.readUInt32LE(0) === MAGIC;
  if (!le && b.readUInt32BE(0) !== MAGIC) return null;
  if (b.toString('latin1', 16, 32) !== SIGNATURE) return null;
  const u32 = (at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const flags = u32(8);
  if (flags & ~SUPPORTED_FLAGS) return null;
  const root = readInode(b, 64, le);
  if ((root.mode & 0o170000) !== 0o040000) return null;
  const v2 = (flags & FLAG_FSID_V2) !== 0;
  const size = v2 ? u32(4) : undefined;
  if (size !== undefined && (size < superAt + SUPER_SIZE || root.offset + root.size > size)) return null;
  // The root directory's entries follow the superblock (or it is empty): this tells a padded image apart.
  if (root.size > 0 && root.offset !== superAt + SUPER_SIZE) return null;
  if (root.size === 0 && superAt !== 0) return null;
  return { le, flags, size, crc: u32(32), files: u32(44), root, superAt };
}

interface Entry {
  inode: Inode;
  name: string;
}

/** The entries of one directory; stops (with a problem) at the first entry that does not fit. */
function readDir(img: ByteSource, dir: Inode, le: boolean, onBad: (msg: string) => void): Entry[] {
  const out: Entry[] = [];
  const data = img.read(dir.offset, dir.size);
  if (data.length < dir.size) onBad(`directory entries cut short: ${data.length} of ${dir.size} bytes`);
  let at = 0;
  while (at + INODE_SIZE <= data.length) {
    const inode = readInode(data, at, le);
    const nameEnd = at + INODE_SIZE + inode.namelen;
    if (inode.namelen === 0 || nameEnd > data.length) {
      onBad(`directory entry at ${dir.offset + at} has a bad name length ${inode.namelen}`);
      break;
    }
    const raw = data.subarray(at + INODE_SIZE, nameEnd);
    const nul = raw.indexOf(0);
    out.push({ inode, name: raw.toString('utf8', 0, nul < 0 ? raw.length : nul) });
    at = nameEnd;
  }
  return out;
}

/** How a file's data is laid out: block pointers read and checked once at open, blocks decoded on demand. */
interface Layout {
  /** Where each block's stored bytes start in the image, and how many there are (0: a hole). */
  starts: Float64Array;
  lens: Float64Array;
  /** 1: the block is stored as is (CRAMFS_BLK_FLAG_UNCOMPRESSED). */
  uncompressed: Uint8Array;
  /** Bytes of the file that the readable blocks hold. */
  available: number;
  error?: string;
}

function layoutFile(img: ByteSource, ino: Inode, bs: number, le: boolean, ext: boolean): Layout {
  const n = Math.ceil(ino.size / bs);
  const starts = new Float64Array(n);
  const lens = new Float64Array(n);
  const uncompressed = new Uint8Array(n);
  const table = img.read(ino.offset, n * 4);
  const layout: Layout = { starts, lens, uncompressed, available: 0 };
  let prevEnd = ino.offset + n * 4;
  for (let i = 0; i < n; i++) {
    if ((i + 1) * 4 > table.length) {
      layout.error = `block pointer table cut short after ${i} of ${n} blocks`;
      break;
    }
    let ptr = le ? table.readUInt32LE(i * 4) : table.readUInt32BE(i * 4);
    let start = prevEnd;
    let len: number;
    const flags = ext ? ptr & BLK_FLAGS : 0;
    if (ext) ptr = (ptr & ~BLK_FLAGS) >>> 0;
    const blockBytes = Math.min(bs, ino.size - i * bs);
    if (flags & BLK_DIRECT) {
      // A direct pointer is the block's start in 4-byte units; a compressed one begins with its 16-bit length.
      start = ptr * 4;
      if (flags & BLK_UNCOMPRESSED) len = blockBytes;
      else {
        const l = img.read(start, 2);
        if (l.length < 2) {
          layout.error = `block ${i} lies past the end of the image`;
          break;
        }
        len = le ? l.readUInt16LE(0) : l.readUInt16BE(0);
        start += 2;
      }
      prevEnd = start + len;
    } else {
      len = ptr - start;
      prevEnd = ptr;
    }
    if (len < 0 || len > 2 * bs || ((flags & BLK_UNCOMPRESSED) !== 0 && len > bs)) {
      layout.error = `block ${i} has a bad pointer (${len} bytes)`;
      break;
    }
    if (start + len > img.size) {
      layout.error = `block ${i} lies past the end of the image`;
      break;
    }
    starts[i] = start;
    lens[i] = len;
    uncompressed[i] = flags & BLK_UNCOMPRESSED ? 1 : 0;
    layout.available = i * bs + blockBytes;
  }
  return layout;
}

/** Reads through a 256 KiB window: a file's blocks follow each other, so one pread serves many of them. */
class ReadAhead {
  private window: Buffer = Buffer.alloc(0);
  private at = 0;

  constructor(private readonly img: ByteSource) {}

  read(pos: number, len: number): Buffer {
    if (pos < this.at || pos + len > this.at + this.window.length) {
      this.at = pos;
      this.window = this.img.read(pos, Math.max(len, 256 * 1024));
    }
    return this.window.subarray(pos - this.at, pos - this.at + len);
  }
}

/**
 * A regular file's bytes, decompressed block by block as they are read (the last block is cached). Strict
 * (for view.read) it throws FW_ERR_UNPACK_MALFORMED on a bad block; lenient (the source the engine peeks at
 * outside any handler) it stops at the bad block, returns what came before and reports once.
 */
class CramfsFile implements ByteSource {
  private cachedIndex = -1;
  private cached: Buffer = Buffer.alloc(0);

  constructor(
    private readonly img: ReadAhead,
    private readonly layout: Layout,
    private readonly bs: number,
    readonly size: number,
    private readonly path: string,
    private readonly onError?: (err: FirmwardenError) => void,
    private readonly base = 0,
  ) {}

  private block(i: number): Buffer {
    if (i === this.cachedIndex) return this.cached;
    const want = Math.min(this.bs, this.layout.available - i * this.bs);
    const len = this.layout.lens[i] as number;
    let out: Buffer;
    if (len === 0) out = Buffer.alloc(want); // a hole
    else {
      const raw = this.img.read(this.layout.starts[i] as number, len);
      if (this.layout.uncompressed[i]) out = Buffer.from(raw);
      else {
        try {
          out = zlib.inflateSync(raw, { maxOutputLength: this.bs });
        } catch (err) {
          throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `cramfs block ${i} of ${this.path} does not inflate: ${(err as Error).message}`, { path: this.path });
        }
      }
      if (out.length < want) {
        throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `cramfs block ${i} of ${this.path} holds ${out.length} of ${want} bytes`, { path: this.path });
      }
    }
    this.cachedIndex = i;
    this.cached = out;
    return out;
  }

  read(offset: number, length: number): Buffer {
    const start = Math.max(0, Math.floor(offset));
    const end = Math.min(this.size, Math.floor(offset + length));
    if (!(end > start)) return Buffer.alloc(0);
    const abs = this.base + start;
    const first = Math.floor(abs / this.bs);
    const inFirst = abs - first * this.bs;
    const out = Buffer.allocUnsafe(end - start);
    let done = 0;
    try {
      if (inFirst + out.length <= this.bs) return this.block(first).subarray(inFirst, inFirst + out.length);
      for (let i = first; done < out.length; i++) {
        const b = this.block(i);
        const from = i === first ? inFirst : 0;
        done += b.copy(out, done, from, Math.min(b.length, from + out.length - done));
      }
    } catch (err) {
      if (!this.onError || !(err instanceof FirmwardenError)) throw err;
      this.onError(err);
      return out.subarray(0, done);
    }
    return out;
  }

  subrange(start: number, end: number): ByteSource {
    const s = Math.max(0, Math.min(this.size, Math.floor(start)));
    const e = Math.max(s, Math.min(this.size, Math.floor(end)));
    return new CramfsFile(this.img, this.layout, this.bs, e - s, this.path, this.onError, this.base + s);
  }
}

/**
 * The page size the image was built for, which the format does not record: the one under which the files'
 * block pointer tables make sense (each first block starts right after its table, with a zlib header).
 */
function detectBlockSize(img: ByteSource, files: Inode[], le: boolean, ext: boolean): number {
  const score = new Map<number, number>(BLOCK_SIZES.map((b) => [b, 0]));
  let looked = 0;
  for (const f of files) {
    if (f.size <= 1024) continue; // one block under every candidate: says nothing
    if (++looked > 16) break;
    for (const bs of BLOCK_SIZES) {
      const n = Math.ceil(f.size / bs);
      const t = img.read(f.offset, Math.min(n, 64) * 4);
      if (t.length < 4) continue;
      const ptrs: number[] = [];
      for (let i = 0; i + 4 <= t.length; i += 4) ptrs.push(le ? t.readUInt32LE(i) : t.readUInt32BE(i));
      const first = ptrs[0] as number;
      if (ext && first & BLK_FLAGS) continue;
      const tableEnd = f.offset + n * 4;
      if (first < tableEnd || first - tableEnd > 2 * bs) continue;
      let ok = true;
      for (let i = 1; i < ptrs.length && ok; i++) {
        const p = (ptrs[i] as number) & (ext ? ~BLK_FLAGS : 0xffffffff);
        const prev = (ptrs[i - 1] as number) & (ext ? ~BLK_FLAGS : 0xffffffff);
        if (!(ext && (ptrs[i] as number) & BLK_DIRECT) && (p < prev || p - prev > 2 * bs)) ok = false;
      }
      if (!ok) continue;
      if (first > tableEnd) {
        const h = img.read(tableEnd, 2);
        if (h.length < 2 || (h[0]! & 0x0f) !== 8 || ((h[0]! << 8) | h[1]!) % 31 !== 0) continue;
      }
      score.set(bs, (score.get(bs) ?? 0) + 1);
    }
  }
  let best = 4096;
  for (const bs of BLOCK_SIZES) if ((score.get(bs) ?? 0) > (score.get(best) ?? 0)) best = bs;
  return best;
}

/** cramfs' CRC: zlib's CRC32 from the superblock to the end (a boot pad is left out), CRC field read as zero. */
function imageCrc(img: ByteSource, superAt: number): number {
  const PIECE = 1 << 20;
  const field = superAt + 32;
  let crc = 0;
  for (let at = superAt; at < img.size; at += PIECE) {
    let b = img.read(at, PIECE);
    if (field + 4 > at && field < at + b.length) {
      b = Buffer.from(b);
      b.fill(0, Math.max(field, at) - at, Math.min(field + 4, at + b.length) - at);
    }
    crc = zlib.crc32(b, crc);
  }
  return crc >>> 0;
}

/** Where an old (v1) image ends, which it does not record: past the last byte any inode points at. */
function walkEnd(img: ByteSource, s: Super): number {
  let end = s.superAt + SUPER_SIZE;
  const queue: Inode[] = [s.root];
  const seen = new Set<number>();
  let steps = 0;
  while (queue.length > 0 && steps++ < 100_000) {
    const dir = queue.pop()!;
    if (seen.has(dir.offset)) continue;
    seen.add(dir.offset);
    end = Math.max(end, dir.offset + dir.size);
    for (const e of readDir(img, dir, s.le, () => {})) {
      const t = nodeTypeFromMode(e.inode.mode);
      if (t === 'dir') queue.push(e.inode);
      else if ((t === 'file' || t === 'symlink') && e.inode.size > 0) {
        const n = Math.ceil(e.inode.size / 4096);
        const last = img.read(e.inode.offset + (n - 1) * 4, 4);
        if (last.length === 4) end = Math.max(end, (s.le ? last.readUInt32LE(0) : last.readUInt32BE(0)) & 0x3fffffff);
      }
    }
  }
  return Math.min(Math.ceil(end / 4096) * 4096, img.size);
}

export const cramfsHandler: Handler = {
  name: 'cramfs',
  kind: 'filesystem',
  magics: [
    magic([0x45, 0x3d, 0xcd, 0x28]),
    magic([0x28, 0xcd, 0x3d, 0x45]),
    magic([0x45, 0x3d, 0xcd, 0x28], BOOT_PAD),
    magic([0x28, 0xcd, 0x3d, 0x45], BOOT_PAD),
  ],

  identify(src, start) {
    const s = readSuper(src, start, 0) ?? readSuper(src, start, BOOT_PAD);
    if (!s) return null;
    const size = s.size ?? walkEnd(src.subrange(start, src.size), s);
    const truncated = start + size > src.size;
    return {
      start,
      end: Math.min(start + size, src.size),
      meta: { truncated, declaredSize: size, endian: s.le ? 'little' : 'big', superAt: s.superAt },
    };
  },

  async open(src, chunk, ctx) {
    const img = src.subrange(chunk.start, chunk.end);
    const tree = new MemoryTree('cramfs', (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
    const superAt = chunk.meta['superAt'] === BOOT_PAD ? BOOT_PAD : 0;
    const s = readSuper(img, 0, superAt);
    if (!s) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'cramfs superblock unreadable');
      return { kind: 'tree', tree };
    }
    if (chunk.meta['truncated'] === true) {
      ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `cramfs image cut short: ${img.size} of ${String(chunk.meta['declaredSize'])} bytes`);
    } else if (s.size !== undefined && imageCrc(img, superAt) !== s.crc) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'cramfs CRC mismatch: the image is damaged');
    }
    const ext = (s.flags & FLAG_EXT_BLOCK_POINTERS) !== 0;
    const bad = (path: string) => (msg: string) => ctx.problem(ErrorCodes.UNPACK_MALFORMED, msg, path);

    // Walk the directories first (bounded: each directory offset once, depth capped), then lay the files out.
    const files: Array<{ path: string; inode: Inode }> = [];
    const queue: Array<{ dir: Inode; path: string; depth: number }> = [{ dir: s.root, path: '', depth: 0 }];
    const seenDirs = new Set<number>();
    let budget = Math.max(0, ctx.limits.maxFiles) + 1;
    for (let qi = 0; qi < queue.length; qi++) {
      const { dir, path, depth } = queue[qi]!;
      if (dir.size === 0) continue;
      if (seenDirs.has(dir.offset)) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'directory listed twice (a loop); skipped', path || '/');
        continue;
      }
      seenDirs.add(dir.offset);
      if (depth > MAX_DEPTH) {
        ctx.problem(ErrorCodes.UNPACK_LIMIT, `directories nested deeper than ${MAX_DEPTH}; not listed`, path);
        continue;
      }
      for (const e of readDir(img, dir, s.le, bad(path || '/'))) {
        if (--budget < 0) break;
        if (e.name === '.' || e.name === '..') {
          ctx.problem(ErrorCodes.UNPACK_PATH_TRAVERSAL, `directory entry named "${e.name}"; skipped`, path || '/');
          continue;
        }
        if (e.name === '' || e.name.includes('/')) {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `directory entry with an invalid name ${JSON.stringify(e.name)}; skipped`, path || '/');
          continue;
        }
        const p = path ? `${path}/${e.name}` : e.name;
        const type = nodeTypeFromMode(e.inode.mode);
        if (!type) {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `unknown file type in mode ${e.inode.mode.toString(8)}; skipped`, p);
          continue;
        }
        const base = { path: p, mode: e.inode.mode & 0o7777, uid: e.inode.uid, gid: e.inode.gid };
        if (type === 'dir') {
          if (tree.add({ ...base, type })) queue.push({ dir: e.inode, path: p, depth: depth + 1 });
        } else if (type === 'file' || type === 'symlink') {
          files.push({ path: p, inode: e.inode });
        } else if (type === 'chardev' || type === 'blockdev') {
          // mkfs.cramfs stores st_rdev (glibc's encoding, 24 bits kept) in the size field.
          const v = e.inode.size;
          tree.add({ ...base, type, rdev: { major: (v >>> 8) & 0xfff, minor: v & 0xff } });
        } else {
          tree.add({ ...base, type });
        }
      }
    }

    const reader = new ReadAhead(img);
    const bs = detectBlockSize(img, files.filter((f) => nodeTypeFromMode(f.inode.mode) === 'file').map((f) => f.inode), s.le, ext);
    for (const { path, inode } of files) {
      const type = nodeTypeFromMode(inode.mode)!;
      const layout = inode.size === 0 ? { starts: new Float64Array(0), lens: new Float64Array(0), uncompressed: new Uint8Array(0), available: 0 } : layoutFile(img, inode, bs, s.le, ext);
      if (layout.error) {
        const code = layout.error.includes('past the end') || layout.error.includes('cut short') ? ErrorCodes.UNPACK_TRUNCATED : ErrorCodes.UNPACK_MALFORMED;
        ctx.problem(code, `${layout.error}: ${layout.available} of ${inode.size} bytes readable`, path);
      }
      const base = { path, mode: inode.mode & 0o7777, uid: inode.uid, gid: inode.gid };
      let reported = false;
      const report = (err: FirmwardenError): void => {
        if (!reported) ctx.problem(err.code, err.message, path);
        reported = true;
      };
      const lenient = new CramfsFile(reader, layout, bs, layout.available, path, report);
      if (type === 'symlink') {
        if (lenient.size > PATH_MAX) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `symlink target of ${lenient.size} bytes; cut to ${PATH_MAX}`, path);
        tree.add({ ...base, type, linkTarget: lenient.read(0, Math.min(lenient.size, PATH_MAX)).toString('utf8') });
      } else {
        const strict = new CramfsFile(reader, layout, bs, layout.available, path);
        tree.add({ ...base, type, size: layout.available, content: () => strict.read(0, strict.size), source: () => lenient });
      }
    }
    return { kind: 'tree', tree };
  },
};
