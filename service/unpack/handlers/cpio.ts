// cpio: SVR4 "newc" (070701) and "crc" (070702) with hex fields and 4-byte alignment, POSIX "odc" (070707)
// with octal fields and no alignment; the archive ends with the entry "TRAILER!!!" (Linux initramfs, many
// vendor ramdisks). Hard links share an inode number; newc stores their data with the last of them.
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Handler } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import { nodeTypeFromMode } from '../unix-mode.js';

const TRAILER = 'TRAILER!!!';
const MAX_NAME = 4096;
const BLOCK = 512;

interface Layout {
  headerSize: number;
  align: number;
  /** [offset, width] of each field, and the radix. */
  fields: Record<'dev' | 'ino' | 'mode' | 'uid' | 'gid' | 'nlink' | 'mtime' | 'rdev' | 'namesize' | 'filesize', [number, number]>;
  radix: 8 | 16;
}

const NEWC: Layout = {
  headerSize: 110,
  align: 4,
  radix: 16,
  // newc splits dev and rdev into major/minor (read separately below); `dev` here is devmajor.
  fields: {
    ino: [6, 8], mode: [14, 8], uid: [22, 8], gid: [30, 8], nlink: [38, 8], mtime: [46, 8], filesize: [54, 8],
    dev: [62, 8], rdev: [78, 8], namesize: [94, 8],
  },
};
const ODC: Layout = {
  headerSize: 76,
  align: 1,
  radix: 8,
  fields: {
    dev: [6, 6], ino: [12, 6], mode: [18, 6], uid: [24, 6], gid: [30, 6], nlink: [36, 6], rdev: [42, 6],
    mtime: [48, 11], namesize: [59, 6], filesize: [65, 11],
  },
};

interface RawEntry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  size: number;
  inodeKey: string;
  rdev: { major: number; minor: number };
  dataStart: number;
  align: number;
}

interface WalkEnd {
  end: number;
  truncated: boolean;
  missingTrailer: boolean;
  entries: number;
}

const pad = (n: number, a: number): number => Math.ceil(n / a) * a;

function parseField(h: Buffer, [off, width]: [number, number], radix: 8 | 16): number {
  const s = h.toString('latin1', off, off + width);
  return (radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/).test(s) ? parseInt(s, radix) : Number.NaN;
}

function readHeader(src: ByteSource, pos: number, start: number): RawEntry | 'eof' | null {
  const m = src.read(pos, 6).toString('latin1');
  const layout = m === '070701' || m === '070702' ? NEWC : m === '070707' ? ODC : undefined;
  if (!layout) return src.read(pos, 1).length === 0 ? 'eof' : null;
  const h = src.read(pos, layout.headerSize);
  if (h.length < layout.headerSize) return 'eof';
  const f = {} as Record<keyof Layout['fields'], number>;
  for (const [k, range] of Object.entries(layout.fields) as Array<[keyof Layout['fields'], [number, number]]>) {
    f[k] = parseField(h, range, layout.radix);
    if (Number.isNaN(f[k])) return null;
  }
  if (f.namesize < 1 || f.namesize > MAX_NAME) return null;
  const nameBytes = src.read(pos + layout.headerSize, f.namesize);
  if (nameBytes.length < f.namesize) return 'eof';
  if (nameBytes[f.namesize - 1] !== 0) return null;
  const isNewc = layout === NEWC;
  const devminor = isNewc ? parseField(h, [70, 8], 16) : 0;
  const rdevminor = isNewc ? parseField(h, [86, 8], 16) : 0;
  // Alignment counts from the start of the archive, not of the image.
  const dataStart = start + pad(pos - start + layout.headerSize + f.namesize, layout.align);
  return {
    name: nameBytes.toString('utf8', 0, f.namesize - 1),
    mode: f.mode,
    uid: f.uid,
    gid: f.gid,
    nlink: f.nlink,
    mtime: f.mtime,
    size: f.filesize,
    inodeKey: `${f.dev}:${devminor}:${f.ino}`,
    // odc packs rdev as one number: Linux's old 8:8 major/minor split.
    rdev: isNewc ? { major: f.rdev, minor: rdevminor } : { major: (f.rdev >> 8) & 0xff, minor: f.rdev & 0xff },
    dataStart,
    align: layout.align,
  };
}

function walkCpio(src: ByteSource, start: number, visit?: (e: RawEntry) => void): WalkEnd | null {
  let pos = start;
  let entries = 0;
  for (;;) {
    const e = readHeader(src, pos, start);
    if (e === null || e === 'eof') {
      if (entries === 0) return null;
      return e === 'eof'
        ? { end: src.size, truncated: pos < src.size, missingTrailer: true, entries }
        : { end: pos, truncated: false, missingTrailer: true, entries };
    }
    const next = start + pad(e.dataStart - start + e.size, e.align);
    if (e.name === TRAILER) {
      // cpio pads its output with zeros to a 512-byte block; those bytes are still the archive.
      let end = Math.min(next, src.size);
      const fill = src.read(end, pad(end - start, BLOCK) - (end - start));
      if (fill.every((b) => b === 0)) end += fill.length;
      return { end, truncated: next > src.size, missingTrailer: false, entries };
    }
    entries++;
    visit?.(e);
    if (next > src.size) return { end: src.size, truncated: true, missingTrailer: true, entries };
    pos = next;
  }
}

export const cpioHandler: Handler = {
  name: 'cpio',
  kind: 'archive',
  magics: [magic('070701'), magic('070702'), magic('070707')],

  identify(src, start) {
    const w = walkCpio(src, start);
    return w ? { start, end: w.end, meta: { truncated: w.truncated, missingTrailer: w.missingTrailer, entries: w.entries } } : null;
  },

  async open(src, chunk, ctx) {
    const body = src.subrange(chunk.start, chunk.end);
    const tree = new MemoryTree('cpio', (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
    // inode -> the first name seen for it, raw (for addHardLink) and normalised (for setContent).
    const firstLink = new Map<string, { raw: string; path: string }>();
    walkCpio(body, 0, (e) => {
      const type = nodeTypeFromMode(e.mode);
      if (!type) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `unknown file type in mode ${e.mode.toString(8)}; skipped`, e.name);
        return;
      }
      const available = Math.max(0, Math.min(e.size, body.size - e.dataStart));
      if (available < e.size) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `entry cut short: ${available} of ${e.size} bytes`, e.name);
      const start = e.dataStart;
      const source = (): ByteSource => body.subrange(start, start + available);
      const base = { path: e.name, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, mtime: e.mtime };
      if (type === 'file' && e.nlink > 1) {
        const origin = firstLink.get(e.inodeKey);
        if (origin !== undefined) {
          tree.addHardLink(e.name, origin.raw, base);
          if (available > 0) tree.setContent(origin.path, available, { source });
          return;
        }
        const node = tree.add({ ...base, type, size: available, source });
        if (node) firstLink.set(e.inodeKey, { raw: e.name, path: node.path });
        return;
      }
      if (type === 'symlink') {
        tree.add({ ...base, type, linkTarget: source().read(0, available).toString('utf8') });
      } else if (type === 'file') {
        tree.add({ ...base, type, size: available, source });
      } else {
        tree.add({ ...base, type, ...(type === 'chardev' || type === 'blockdev' ? { rdev: e.rdev } : {}) });
      }
    });
    if (chunk.meta['truncated'] === true) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, 'cpio archive cut short');
    else if (chunk.meta['missingTrailer'] === true) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, 'cpio archive has no TRAILER!!! entry');
    return { kind: 'tree', tree };
  },
};
