// romfs (Linux's minimal read-only filesystem, Debian genromfs): big-endian by definition, everything aligned
// to 16 bytes. A volume header ("-rom1fs-", size, checksum of the first 512 bytes, volume name) and then file
// headers chained by "next" pointers whose low 4 bits hold the type and an exec flag; a directory points at
// its first entry, a hard link at its target's header. There are no owners, times or permission bits: the
// kernel derives modes from the type and exec flag, and so do we. Files are stored as is (zero-copy here).
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Handler } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import type { VfsNodeType } from '../vfs.js';

const MAGIC = '-rom1fs-';
const HEADER_SIZE = 16;
const MAX_NAME = 4096;
/** genromfs pads the image with zeros to a 1 KiB multiple past the size it declares. */
const PAD_TO = 1024;
const EXEC = 8;
const MAX_DEPTH = 256;
/** Linux's PATH_MAX: no symlink target is longer. */
const PATH_MAX = 4096;

// Type codes (ROMFH_*), in order.
const TYPES: ReadonlyArray<VfsNodeType | 'hardlink'> = ['hardlink', 'dir', 'file', 'symlink', 'blockdev', 'chardev', 'socket', 'fifo'];

const align16 = (n: number): number => (n + 15) & ~15;

/** Sum of the big-endian 32-bit words of b (romfs checksums make it 0). */
function wordSum(b: Buffer): number {
  let sum = 0;
  const whole = b.length & ~3;
  for (let i = 0; i < whole; i += 4) sum = (sum + b.readUInt32BE(i)) >>> 0;
  return sum;
}

/** A NUL-terminated name at `at`, read 16 bytes at a time; its end (16-aligned) or null when over MAX_NAME. */
function readName(img: ByteSource, at: number): { name: string; end: number } | null {
  const parts: Buffer[] = [];
  for (let pos = at; pos - at < MAX_NAME; pos += 256) {
    const b = img.read(pos, 256);
    if (b.length === 0) return null;
    const nul = b.indexOf(0);
    if (nul >= 0) {
      parts.push(b.subarray(0, nul));
      const name = Buffer.concat(parts);
      return { name: name.toString('utf8'), end: align16(at + name.length + 1) };
    }
    parts.push(b);
  }
  return null;
}

interface Volume {
  size: number;
  checksumOk: boolean;
  firstHeader: number;
  name: string;
}

function readVolume(img: ByteSource): Volume | null {
  const h = img.read(0, HEADER_SIZE);
  if (h.length < HEADER_SIZE || h.toString('latin1', 0, 8) !== MAGIC) return null;
  const size = h.readUInt32BE(8);
  const vol = readName(img, HEADER_SIZE);
  if (!vol || vol.name.length > 512) return null;
  // The root directory's first header follows the volume name; an image is at least that plus one header.
  if (size < vol.end + HEADER_SIZE || size % 16 !== 0) return null;
  const head = img.read(0, Math.min(512, size));
  return { size, checksumOk: head.length === Math.min(512, size) && wordSum(head) === 0, firstHeader: vol.end, name: vol.name };
}

interface FileHeader {
  at: number;
  next: number;
  type: VfsNodeType | 'hardlink';
  exec: boolean;
  spec: number;
  size: number;
  name: string;
  dataAt: number;
  checksumOk: boolean;
}

function readHeader(img: ByteSource, at: number): FileHeader | null {
  const h = img.read(at, HEADER_SIZE);
  if (h.length < HEADER_SIZE) return null;
  const n = readName(img, at + HEADER_SIZE);
  if (!n) return null;
  const word0 = h.readUInt32BE(0);
  const meta = img.read(at, n.end - at);
  return {
    at,
    next: (word0 & ~15) >>> 0,
    type: TYPES[word0 & 7]!,
    exec: (word0 & EXEC) !== 0,
    spec: h.readUInt32BE(4),
    size: h.readUInt32BE(8),
    name: n.name,
    dataAt: n.end,
    // The header checksum covers the header and the padded name.
    checksumOk: meta.length === n.end - at && wordSum(meta) === 0,
  };
}

/** The kernel's romfs_modemap: permissions follow from the type, plus x for all when the exec flag is set. */
function modeOf(type: VfsNodeType, exec: boolean): number {
  const base = type === 'symlink' ? 0o777 : type === 'blockdev' || type === 'chardev' ? 0o600 : 0o644;
  return exec ? base | 0o111 : base;
}

export const romfsHandler: Handler = {
  name: 'romfs',
  kind: 'filesystem',
  magics: [magic(MAGIC)],

  identify(src, start) {
    const img = src.subrange(start, src.size);
    const v = readVolume(img);
    if (!v) return null;
    const first = readHeader(img, v.firstHeader);
    if (!first || first.next >= v.size) return null;
    let end = start + v.size;
    if (end > src.size) return { start, end: src.size, meta: { truncated: true, declaredSize: v.size } };
    const padded = Math.ceil(v.size / PAD_TO) * PAD_TO - v.size;
    const tail = src.read(end, padded);
    if (tail.length === padded && tail.every((b) => b === 0)) end += padded;
    return { start, end, meta: { truncated: false, declaredSize: v.size, volumeName: v.name, checksumOk: v.checksumOk } };
  },

  async open(src, chunk, ctx) {
    const img = src.subrange(chunk.start, chunk.end);
    const tree = new MemoryTree('romfs', (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
    const v = readVolume(img);
    if (!v) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'romfs volume header unreadable');
      return { kind: 'tree', tree };
    }
    if (chunk.meta['truncated'] === true) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `romfs image cut short: ${img.size} of ${v.size} bytes`);
    if (!v.checksumOk) ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'romfs volume checksum mismatch: the image is damaged');
    const limit = Math.min(v.size, img.size);

    const pathOf = new Map<number, string>();
    const links: Array<{ path: string; target: number }> = [];
    const seen = new Set<number>();
    const queue: Array<{ first: number; path: string; depth: number }> = [{ first: v.firstHeader, path: '', depth: 0 }];
    let budget = Math.max(0, ctx.limits.maxFiles) + 2;
    for (let qi = 0; qi < queue.length; qi++) {
      const { first, path: dir, depth } = queue[qi]!;
      if (depth > MAX_DEPTH) {
        ctx.problem(ErrorCodes.UNPACK_LIMIT, `directories nested deeper than ${MAX_DEPTH}; not listed`, dir);
        continue;
      }
      for (let at = first; at !== 0; ) {
        if (seen.has(at)) {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `file header at ${at} is reached twice (a loop); the rest of the directory is skipped`, dir || '/');
          break;
        }
        seen.add(at);
        if (--budget < 0 || at % 16 !== 0 || at >= limit) {
          if (budget >= 0) {
            const code = at >= limit && at < v.size ? ErrorCodes.UNPACK_TRUNCATED : ErrorCodes.UNPACK_MALFORMED;
            ctx.problem(code, `file header offset ${at} is outside the image; the rest of the directory is skipped`, dir || '/');
          }
          break;
        }
        const h = readHeader(img, at);
        if (!h) {
          ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `file header at ${at} is cut short`, dir || '/');
          break;
        }
        at = h.next;
        // genromfs writes "." and ".." at the head of each directory (hard links, or directories in the root).
        if (h.name === '.' || h.name === '..') {
          if (h.type !== 'hardlink' && h.type !== 'dir') ctx.problem(ErrorCodes.UNPACK_PATH_TRAVERSAL, `a ${h.type} named "${h.name}"; skipped`, dir || '/');
          continue;
        }
        if (h.name.includes('/')) {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `file header at ${h.at} has an invalid name ${JSON.stringify(h.name)}; skipped`, dir || '/');
          continue;
        }
        const path = dir ? `${dir}/${h.name}` : h.name;
        if (!h.checksumOk) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `file header checksum mismatch at ${h.at}`, path);
        if (h.name === '') {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `file header at ${h.at} has an empty name; skipped`, dir || '/');
          continue;
        }
        if (h.type === 'hardlink') {
          links.push({ path, target: h.spec });
          continue;
        }
        const base = { path, mode: modeOf(h.type, h.exec) };
        pathOf.set(h.at, path);
        if (h.type === 'dir') {
          if (tree.add({ ...base, type: 'dir' }) && h.spec !== 0) queue.push({ first: h.spec, path, depth: depth + 1 });
          continue;
        }
        if (h.type === 'file' || h.type === 'symlink') {
          const available = Math.max(0, Math.min(h.size, limit - h.dataAt));
          if (available < h.size) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `data cut short: ${available} of ${h.size} bytes`, path);
          const dataAt = h.dataAt;
          if (h.type === 'symlink') {
            if (available > PATH_MAX) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `symlink target of ${h.size} bytes; cut to ${PATH_MAX}`, path);
            tree.add({ ...base, type: 'symlink', linkTarget: img.read(dataAt, Math.min(available, PATH_MAX)).toString('utf8') });
          }
          else tree.add({ ...base, type: 'file', size: available, source: () => img.subrange(dataAt, dataAt + available) });
          continue;
        }
        if (h.type === 'blockdev' || h.type === 'chardev') {
          tree.add({ ...base, type: h.type, rdev: { major: h.spec >>> 16, minor: h.spec & 0xffff } });
          continue;
        }
        tree.add({ ...base, type: h.type });
      }
    }
    // Hard links last: genromfs may write a link before its target.
    for (const l of links) {
      const target = pathOf.get(l.target);
      if (target === undefined) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `hard link to header ${l.target}, which is not a file of the image; dropped`, l.path);
        continue;
      }
      const node = tree.lstat('/' + target);
      if (node?.type === 'dir') {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `hard link to the directory ${target}; dropped`, l.path);
        continue;
      }
      tree.addHardLink(l.path, target);
    }
    return { kind: 'tree', tree };
  },
};
