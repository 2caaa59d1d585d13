// YAFFS2 NAND images (Android and router flash dumps, mkyaffs2image output): data pages with their spare
// areas, both byte orders, several page geometries and tag layouts, all detected (yaffs2/geometry.ts). There
// is no superblock and no magic: a chunk starts the image when it is an object header in the root directory
// (type 1..5, parent 1, the unused checksum field 0xFFFF) and the chunks after it carry sane tags. The tree
// is rebuilt from the newest header of each object (yaffs2/objects.ts); objects moved to the "unlinked" or
// "deleted" pseudo-directories are gone, hard links are headers naming an equivalent object.
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Handler, type OpenContext } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import type { VfsNodeType } from '../vfs.js';
import { chunkOffset, detectGeometry, type Geometry } from '../yaffs2/geometry.js';
import {
  OBJ_DELETED,
  OBJ_LOST_FOUND,
  OBJ_ROOT,
  OBJ_UNLINKED,
  TYPE_DIR,
  TYPE_FILE,
  TYPE_HARDLINK,
  TYPE_SPECIAL,
  TYPE_SYMLINK,
  imageEnd,
  scanChunks,
  type DataChunk,
  type ObjectHeader,
} from '../yaffs2/objects.js';

const MAX_DEPTH = 256;

function specialType(mode: number): VfsNodeType | undefined {
  switch (mode & 0o170000) {
    case 0o020000: return 'chardev';
    case 0o060000: return 'blockdev';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    default: return undefined;
  }
}

/** Reads through a 256 KiB window: a file's chunks mostly follow each other, so one pread serves many. */
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

/** A file's bytes, read chunk by chunk from the image; chunks never written read as zeros, as in the kernel. */
class Yaffs2File implements ByteSource {
  constructor(
    private readonly img: ReadAhead,
    private readonly g: Geometry,
    private readonly chunks: Map<number, DataChunk> | undefined,
    readonly size: number,
    private readonly base = 0,
  ) {}

  read(offset: number, length: number): Buffer {
    const from = Math.max(0, Math.floor(offset));
    const to = Math.min(this.size, Math.floor(offset + length));
    if (!(to > from)) return Buffer.alloc(0);
    const P = this.g.pageSize;
    const out = Buffer.alloc(to - from);
    const s = this.base + from;
    const e = this.base + to;
    for (let page = Math.floor(s / P); page * P < e; page++) {
      const c = this.chunks?.get(page + 1);
      if (!c) continue;
      const a = Math.max(s, page * P);
      const b = Math.min(e, page * P + Math.min(c.nBytes, P));
      if (b <= a) continue;
      const bytes = this.img.read(chunkOffset(this.g, c.index) + (a - page * P), b - a);
      bytes.copy(out, a - s);
    }
    return out;
  }

  subrange(start: number, end: number): ByteSource {
    const s = Math.max(0, Math.min(this.size, Math.floor(start)));
    const e = Math.max(s, Math.min(this.size, Math.floor(end)));
    return new Yaffs2File(this.img, this.g, this.chunks, e - s, this.base + s);
  }
}

function buildTree(img: ByteSource, g: Geometry, headers: Map<number, ObjectHeader>, data: Map<number, Map<number, DataChunk>>, ctx: OpenContext): MemoryTree {
  const tree = new MemoryTree('yaffs2', (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
  const reader = new ReadAhead(img);
  const sizeCap = Math.max(0, Math.min(ctx.limits.maxPayloadInMemory, ctx.limits.maxTotalBytes));
  const children = new Map<number, ObjectHeader[]>();
  let orphans = 0;
  for (const h of headers.values()) {
    if (h.parent === OBJ_UNLINKED || h.parent === OBJ_DELETED) continue;
    // As the kernel does, an object whose directory has no header goes to lost+found.
    let parent = h.parent;
    if (parent !== OBJ_ROOT && parent !== OBJ_LOST_FOUND && !headers.has(parent)) {
      parent = OBJ_LOST_FOUND;
      orphans++;
    }
    const list = children.get(parent) ?? [];
    list.push(h);
    children.set(parent, list);
  }
  if (orphans > 0) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `${orphans} object(s) whose directory is not in the image were put in /lost+found`);
  for (const list of children.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.objId - b.objId));

  const pathOf = new Map<number, string>();
  const links: Array<{ path: string; equivId: number }> = [];
  const visited = new Set<number>([OBJ_ROOT]);
  const queue: Array<{ id: number; path: string; depth: number }> = [{ id: OBJ_ROOT, path: '', depth: 0 }];
  if (children.has(OBJ_LOST_FOUND) && tree.add({ path: 'lost+found', type: 'dir', mode: 0o700 })) {
    visited.add(OBJ_LOST_FOUND);
    queue.push({ id: OBJ_LOST_FOUND, path: 'lost+found', depth: 1 });
  }
  let budget = Math.max(0, ctx.limits.maxFiles) + 2;
  for (let qi = 0; qi < queue.length; qi++) {
    const { id, path: dir, depth } = queue[qi]!;
    if (depth > MAX_DEPTH) {
      ctx.problem(ErrorCodes.UNPACK_LIMIT, `directories nested deeper than ${MAX_DEPTH}; not listed`, dir);
      continue;
    }
    for (const h of children.get(id) ?? []) {
      if (--budget < 0) break;
      if (h.name === '.' || h.name === '..') {
        ctx.problem(ErrorCodes.UNPACK_PATH_TRAVERSAL, `object ${h.objId} is named "${h.name}"; skipped`, dir || '/');
        continue;
      }
      if (h.name === '' || h.name.includes('/')) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `object ${h.objId} has an invalid name ${JSON.stringify(h.name)}; skipped`, dir || '/');
        continue;
      }
      const path = dir ? `${dir}/${h.name}` : h.name;
      const base = { path, mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, mtime: h.mtime };
      switch (h.type) {
        case TYPE_DIR:
          if (visited.has(h.objId)) {
            ctx.problem(ErrorCodes.UNPACK_MALFORMED, `directory object ${h.objId} is reached twice (a loop); skipped`, path);
            break;
          }
          visited.add(h.objId);
          if (tree.add({ ...base, type: 'dir' })) queue.push({ id: h.objId, path, depth: depth + 1 });
          break;
        case TYPE_FILE: {
          let size = h.size;
          if (size > sizeCap) {
            ctx.problem(ErrorCodes.UNPACK_LIMIT, `declares ${size} bytes, past the ${sizeCap}-byte limit; cut there`, path);
            size = sizeCap;
          }
          const chunks = data.get(h.objId);
          const wanted = Math.ceil(size / g.pageSize);
          let missing = 0;
          for (let c = 1; c <= wanted; c++) if (!chunks?.has(c)) missing++;
          if (missing > 0) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `${missing} of ${wanted} data chunks are missing; they read as zeros`, path);
          const body = new Yaffs2File(reader, g, chunks, size);
          if (tree.add({ ...base, type: 'file', size, source: () => body })) pathOf.set(h.objId, path);
          break;
        }
        case TYPE_SYMLINK:
          if (tree.add({ ...base, type: 'symlink', linkTarget: h.alias })) pathOf.set(h.objId, path);
          break;
        case TYPE_HARDLINK:
          links.push({ path, equivId: h.equivId });
          break;
        case TYPE_SPECIAL: {
          const type = specialType(h.mode);
          if (!type) {
            ctx.problem(ErrorCodes.UNPACK_MALFORMED, `special object with mode ${h.mode.toString(8)}; skipped`, path);
            break;
          }
          // yst_rdev holds the dev_t of the tool or kernel that wrote it (glibc's or Linux's old encoding).
          const rdev = { major: (h.rdev >>> 8) & 0xfff, minor: (h.rdev & 0xff) | ((h.rdev >>> 12) & 0xfff00) };
          if (tree.add({ ...base, type, ...(type === 'chardev' || type === 'blockdev' ? { rdev } : {}) })) pathOf.set(h.objId, path);
          break;
        }
        default:
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `object ${h.objId} has unknown type ${h.type}; skipped`, path);
      }
    }
  }
  // Hard links last: the object they name may come later in the tree.
  for (const l of links) {
    const target = pathOf.get(l.equivId);
    if (target === undefined) {
      const what = headers.get(l.equivId)?.type === TYPE_DIR ? 'a directory' : 'no object of the tree';
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, `hard link to object ${l.equivId}, ${what}; dropped`, l.path);
      continue;
    }
    // A hard link's own header carries no attributes (mkyaffs2image leaves them 0xFF): the target's apply.
    tree.addHardLink(l.path, target);
  }
  return tree;
}

/** The first object header of an image: type 1..5, parent 1 (root), sum_no_longer_used 0xFFFF. */
const headerMagics = [1, 2, 3, 4, 5].flatMap((t) => [
  magic([t, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff]),
  magic([0, 0, 0, t, 0, 0, 0, 1, 0xff, 0xff]),
]);

export const yaffs2Handler: Handler = {
  name: 'yaffs2',
  kind: 'filesystem',
  magics: headerMagics,

  identify(src, start) {
    const g = detectGeometry(src, start);
    if (!g) return null;
    const scan = scanChunks(src.subrange(start, src.size), g);
    if (scan.end === 0) return null;
    const end = scan.truncated ? src.size : imageEnd(src, start, g, scan.end);
    return {
      start,
      end,
      meta: { ...g, endian: g.le ? 'little' : 'big', truncated: scan.truncated },
    };
  },

  async open(src, chunk, ctx) {
    const img = src.subrange(chunk.start, chunk.end);
    const m = chunk.meta;
    const g: Geometry = {
      pageSize: Number(m['pageSize']),
      spareSize: Number(m['spareSize']),
      tagOffset: Number(m['tagOffset']),
      ecc: m['ecc'] === true,
      le: m['endian'] !== 'big',
      chunksPerBlock: Number(m['chunksPerBlock'] ?? 0),
      blockPad: Number(m['blockPad'] ?? 0),
    };
    const scan = scanChunks(img, g, (c, msg) => ctx.problem(c, msg), ctx.signal);
    if (scan.truncated) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, 'yaffs2 image cut short: its last chunk is incomplete');
    return { kind: 'tree', tree: buildTree(img, g, scan.headers, scan.data, ctx) };
  },
};
