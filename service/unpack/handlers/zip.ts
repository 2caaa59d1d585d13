// zip (PKWARE APPNOTE): stored and deflate entries, zip64 sizes. The central directory is the authority for
// names, sizes and Unix modes; the chunk starts at the first local header and ends after the end-of-central-
// directory record whose offsets point back to that start (a nested zip's records point elsewhere). When the
// central directory is missing (a cut image) the local headers are walked instead. Encrypted entries are
// listed and reported, never guessed at.
import * as zlib from 'node:zlib';
import { ErrorCodes, FirmwardenError } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { walkDeflate } from '../deflate-walker.js';
import { magic, type Chunk, type Handler, type OpenContext } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import type { VfsNodeType } from '../vfs.js';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const DESCRIPTOR = 0x08074b50;
const EOCD_SIG = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const MAX32 = 0xffffffff;
const SEARCH_WINDOW = 4 << 20;
const HOST_UNIX = 3;
/** How far a stored entry without sizes is searched for its data descriptor. */
const MAX_STORED_SCAN = 64 << 20;

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  localOffset: number;
  /** Unix st_mode when the archiver recorded one (made-by Unix), else 0. */
  unixMode: number;
  mtime: number;
  uid?: number;
  gid?: number;
}

/** A little-endian u32 at `at`, or -1 past the end. */
function u32(src: ByteSource, at: number): number {
  const b = src.read(at, 4);
  return b.length === 4 ? b.readUInt32LE(0) : -1;
}

function dosTime(time: number, date: number): number {
  const ms = Date.UTC(1980 + (date >> 9), ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

/** Applies the extra fields we understand: zip64 sizes (0x0001), Unix mtime (0x5455), uid/gid (0x7875). */
function applyExtra(e: ZipEntry, extra: Buffer, central: boolean): void {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    const d = extra.subarray(p + 4, p + 4 + len);
    if (id === 0x0001) {
      let q = 0;
      const next = (): number | undefined => (q + 8 <= d.length ? Number(d.readBigUInt64LE((q += 8) - 8)) : undefined);
      if (e.usize === MAX32) e.usize = next() ?? e.usize;
      if (e.csize === MAX32) e.csize = next() ?? e.csize;
      if (central && e.localOffset === MAX32) e.localOffset = next() ?? e.localOffset;
    } else if (id === 0x5455 && d.length >= 5 && ((d[0] as number) & 1) !== 0) {
      e.mtime = d.readUInt32LE(1);
    } else if (id === 0x7875 && d.length >= 3 && d[0] === 1) {
      const us = d[1] as number;
      const gs = d[2 + us];
      if (us >= 1 && us <= 4 && gs !== undefined && gs >= 1 && gs <= 4 && 3 + us + gs <= d.length) {
        e.uid = d.readUIntLE(2, us);
        e.gid = d.readUIntLE(3 + us, gs);
      }
    }
    p += 4 + len;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(b: Buffer, flags: number): string {
  // Bit 11 says UTF-8. Without it the spec says CP437, but Unix zippers (Info-ZIP) store the raw bytes of
  // the file name, which are UTF-8 nowadays; CP437 text with high bytes is almost never valid UTF-8.
  if (flags & 0x800) return b.toString('utf8');
  try {
    return strictUtf8.decode(b);
  } catch {
    return b.toString('latin1');
  }
}

/** Central directory entries; null when the directory does not parse. */
function readCentral(src: ByteSource, cdStart: number, cdSize: number, count: number): ZipEntry[] | null {
  const cd = src.read(cdStart, cdSize);
  const out: ZipEntry[] = [];
  let p = 0;
  while (p + 46 <= cd.length && cd.readUInt32LE(p) === CENTRAL) {
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const flags = cd.readUInt16LE(p + 8);
    const madeBy = cd.readUInt16LE(p + 4);
    const external = cd.readUInt32LE(p + 38);
    const e: ZipEntry = {
      name: decodeName(cd.subarray(p + 46, p + 46 + nameLen), flags),
      flags,
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      csize: cd.readUInt32LE(p + 20),
      usize: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42),
      unixMode: madeBy >> 8 === HOST_UNIX ? external >>> 16 : 0,
      mtime: dosTime(cd.readUInt16LE(p + 12), cd.readUInt16LE(p + 14)),
    };
    applyExtra(e, cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), true);
    out.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out.length === count || (count === 0xffff && out.length > 0) ? out : null;
}

// Every EOCD signature of a source, found once: a damaged zip can have thousands of local headers that
// each become a candidate, and searching to the end of the image for each would be quadratic.
const eocdCache = new WeakMap<ByteSource, number[]>();

function eocdPositions(src: ByteSource): number[] {
  let list = eocdCache.get(src);
  if (list) return list;
  list = [];
  for (let pos = 0; pos < src.size; pos += SEARCH_WINDOW) {
    const win = src.read(pos, SEARCH_WINDOW + 3);
    for (let i = win.indexOf(EOCD_SIG); i >= 0 && i < SEARCH_WINDOW; i = win.indexOf(EOCD_SIG, i + 1)) list.push(pos + i);
  }
  eocdCache.set(src, list);
  return list;
}

/** The end of the zip starting at `start`, from the first EOCD record whose offsets lead back to `start`. */
function findEnd(src: ByteSource, start: number): { end: number; cdStart: number; cdSize: number; count: number } | null {
  for (const at of eocdPositions(src)) {
    if (at < start + 30) continue;
    const r = src.read(at, 22);
    if (r.length < 22) return null;
    let count = r.readUInt16LE(10);
    let cdSize = r.readUInt32LE(12);
    let cdOffset = r.readUInt32LE(16);
    let cdEnd = at;
    if (cdOffset === MAX32 || cdSize === MAX32 || count === 0xffff) {
      const loc = at >= 20 ? src.read(at - 20, 20) : Buffer.alloc(0);
      if (loc.length === 20 && loc.readUInt32LE(0) === EOCD64_LOCATOR) {
        const at64 = start + Number(loc.readBigUInt64LE(8));
        const z = src.read(at64, 56);
        if (z.length === 56 && z.readUInt32LE(0) === EOCD64) {
          count = Number(z.readBigUInt64LE(32));
          cdSize = Number(z.readBigUInt64LE(40));
          cdOffset = Number(z.readBigUInt64LE(48));
          cdEnd = at64;
        }
      }
    }
    const cdStart = start + cdOffset;
    const firstOk = count === 0 || u32(src, cdStart) === CENTRAL;
    if (cdStart + cdSize === cdEnd && firstOk) {
      return { end: Math.min(src.size, at + 22 + r.readUInt16LE(20)), cdStart, cdSize, count };
    }
  }
  return null;
}

/** Local header at `at`: the entry and where its data starts; null when there is none. */
function readLocal(src: ByteSource, at: number): { entry: ZipEntry; dataStart: number } | null {
  const h = src.read(at, 30);
  if (h.length < 30 || h.readUInt32LE(0) !== LOCAL) return null;
  const nameLen = h.readUInt16LE(26);
  const extraLen = h.readUInt16LE(28);
  const flags = h.readUInt16LE(6);
  const entry: ZipEntry = {
    name: decodeName(src.read(at + 30, nameLen), flags),
    flags,
    method: h.readUInt16LE(8),
    crc: h.readUInt32LE(14),
    csize: h.readUInt32LE(18),
    usize: h.readUInt32LE(22),
    localOffset: at,
    unixMode: 0,
    mtime: dosTime(h.readUInt16LE(10), h.readUInt16LE(12)),
  };
  applyExtra(entry, src.read(at + 30 + nameLen, extraLen), false);
  return { entry, dataStart: at + 30 + nameLen + extraLen };
}

function deflatedSize(src: ByteSource, dataStart: number): { csize: number; usize: number } | undefined {
  const walk = walkDeflate(src, dataStart);
  return walk && !walk.truncated ? { csize: walk.end - dataStart, usize: walk.outputSize } : undefined;
}

/** A stored entry behind a data descriptor: the first descriptor whose size field matches the distance. */
function storedSize(src: ByteSource, dataStart: number): { csize: number; usize: number } | undefined {
  const sig = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
  for (let pos = dataStart; pos < src.size && pos - dataStart < MAX_STORED_SCAN; pos += SEARCH_WINDOW) {
    const win = src.read(pos, SEARCH_WINDOW + 3);
    for (let i = win.indexOf(sig); i >= 0 && i < SEARCH_WINDOW; i = win.indexOf(sig, i + 1)) {
      const csize = pos + i - dataStart;
      if (u32(src, pos + i + 8) === csize && u32(src, pos + i + 12) === csize) return { csize, usize: csize };
    }
  }
  return undefined;
}

/** Walks local headers when there is no central directory; sizes behind a data descriptor need deflate. */
function walkLocal(src: ByteSource, start: number): { end: number; entries: ZipEntry[] } {
  const entries: ZipEntry[] = [];
  let pos = start;
  for (;;) {
    const l = readLocal(src, pos);
    if (!l || l.entry.name.length === 0) break;
    const e = l.entry;
    let dataEnd = l.dataStart + e.csize;
    if (e.flags & 8) {
      const size = e.method === 8 ? deflatedSize(src, l.dataStart) : storedSize(src, l.dataStart);
      if (size === undefined) break;
      dataEnd = l.dataStart + size.csize;
      e.csize = size.csize;
      e.usize = size.usize;
      dataEnd += u32(src, dataEnd) === DESCRIPTOR ? 16 : 12;
      e.crc = u32(src, dataEnd - 12);
    }
    if (dataEnd > src.size) break;
    entries.push(e);
    pos = dataEnd;
  }
  return { end: pos, entries };
}

function nodeType(e: ZipEntry): VfsNodeType {
  switch (e.unixMode & 0o170000) {
    case 0o120000: return 'symlink';
    case 0o040000: return 'dir';
    case 0o100000: return 'file';
    default: return e.name.endsWith('/') ? 'dir' : 'file';
  }
}

/** Inflates (or copies) one entry within the memory cap, checking size and CRC. */
function entryBytes(src: ByteSource, e: ZipEntry, dataStart: number, maxBytes: number): Buffer {
  if (e.flags & 1) throw new FirmwardenError(ErrorCodes.UNPACK_UNSUPPORTED, `${e.name} is encrypted`);
  if (e.usize > maxBytes) throw new FirmwardenError(ErrorCodes.UNPACK_LIMIT, `${e.name} inflates to ${e.usize} bytes`);
  const raw = src.read(dataStart, e.csize);
  if (raw.length < e.csize) throw new FirmwardenError(ErrorCodes.UNPACK_TRUNCATED, `${e.name} is cut short`);
  let data: Buffer;
  if (e.method === 0) data = raw;
  else if (e.method === 8) {
    try {
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, e.usize) });
    } catch (err) {
      throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `${e.name}: ${(err as Error).message}`);
    }
  } else throw new FirmwardenError(ErrorCodes.UNPACK_UNSUPPORTED, `${e.name} uses compression method ${e.method}`);
  if (data.length !== e.usize || zlib.crc32(data) !== e.crc) {
    throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `${e.name} does not match its size or CRC`);
  }
  return data;
}

function buildTree(body: ByteSource, entries: ZipEntry[], ctx: OpenContext): MemoryTree {
  const tree = new MemoryTree('zip', (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
  const cap = ctx.limits.maxPayloadInMemory;
  for (const e of entries) {
    const local = readLocal(body, e.localOffset);
    if (!local) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'central directory points at no local header; skipped', e.name);
      continue;
    }
    const dataStart = local.dataStart;
    const type = nodeType(e);
    const defaultMode = type === 'dir' ? 0o755 : 0o644;
    const base = { path: e.name, mode: e.unixMode & 0o7777 || defaultMode, mtime: e.mtime, uid: e.uid ?? 0, gid: e.gid ?? 0 };
    if (e.flags & 1) ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, 'encrypted entry: listed, contents not extracted', e.name);
    else if (e.method !== 0 && e.method !== 8) {
      ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, `compression method ${e.method}: listed, contents not extracted`, e.name);
    }
    if (type === 'dir') tree.add({ ...base, type });
    else if (type === 'symlink') {
      let target = '';
      try {
        target = entryBytes(body, e, dataStart, 4096).toString('utf8');
      } catch (err) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `symlink target unreadable: ${(err as Error).message}`, e.name);
        continue;
      }
      tree.add({ ...base, type, linkTarget: target });
    } else if (e.method === 0 && !(e.flags & 1)) {
      // Stored: zero-copy. The CRC is not checked here (that would read every byte up front).
      const size = Math.min(e.usize, Math.max(0, body.size - dataStart));
      tree.add({ ...base, type, size, source: () => body.subrange(dataStart, dataStart + size) });
    } else {
      tree.add({ ...base, type, size: e.usize, content: () => entryBytes(body, e, dataStart, cap) });
    }
  }
  return tree;
}

export const zipHandler: Handler = {
  name: 'zip',
  kind: 'archive',
  magics: [magic([0x50, 0x4b, 0x03, 0x04])],

  identify(src, start) {
    const first = readLocal(src, start);
    if (!first || first.entry.name.length === 0 || (first.entry.flags & 0xf000) !== 0) return null;
    const end = findEnd(src, start);
    if (end) return { start, end: end.end, meta: { cdOffset: end.cdStart - start, cdSize: end.cdSize, count: end.count } };
    const walked = walkLocal(src, start);
    if (walked.entries.length === 0) return null;
    return { start, end: walked.end, meta: { truncated: true, local: true, count: walked.entries.length } };
  },

  async open(src, chunk: Chunk, ctx) {
    const body = src.subrange(chunk.start, chunk.end);
    let entries: ZipEntry[] | null = null;
    if (chunk.meta['local'] !== true) {
      entries = readCentral(body, Number(chunk.meta['cdOffset']), Number(chunk.meta['cdSize']), Number(chunk.meta['count']));
      if (!entries) ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'zip central directory does not parse; using local headers');
    } else {
      ctx.problem(ErrorCodes.UNPACK_TRUNCATED, 'zip has no central directory (cut short?); names and sizes from local headers');
    }
    entries ??= walkLocal(body, 0).entries;
    return { kind: 'tree', tree: buildTree(body, entries, ctx) };
  },
};
