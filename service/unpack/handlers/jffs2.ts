// JFFS2 (mtd-utils mkfs.jffs2, and raw NOR/NAND dumps of mounted filesystems), both byte orders. The image
// is a log of nodes (jffs2/nodes.ts); the tree is what the log says last: for each (parent, name) the
// directory entry with the highest version (ino 0: deleted), for each inode the highest-version metadata
// and, byte range by byte range, the highest-version data (jffs2/inode-file.ts). Several entries naming
// one inode are hard links. Obsolete nodes and nodes with bad CRCs are skipped; the latter are reported.
import { ErrorCodes, FirmwardenError } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Handler, type OpenContext } from '../handler.js';
import { COMPR_NONE } from '../jffs2/decompress.js';
import { buildFragments, JffsFile, NodeDecoder } from '../jffs2/inode-file.js';
import {
  NODETYPE_CLEANMARKER,
  NODETYPE_DIRENT,
  NODETYPE_INODE,
  NODETYPE_PADDING,
  NODETYPE_SUMMARY,
  NODE_ACCURATE,
  WindowReader,
  chunkEnd,
  readNodeHeader,
  walkNodes,
} from '../jffs2/nodes.js';
import { scanImage, type DirentRecord, type InodeRecord } from '../jffs2/scan.js';
import { MemoryTree } from '../memory-tree.js';
import type { VfsNodeType } from '../vfs.js';
import { nodeTypeFromMode } from '../unix-mode.js';

const ROOT_INO = 1;
const MAX_DEPTH = 256;
/** Node types an image can start with (the first node of an erase block). */
const FIRST_TYPES = [NODETYPE_CLEANMARKER, NODETYPE_DIRENT, NODETYPE_INODE, NODETYPE_PADDING, NODETYPE_SUMMARY];

/** The directory entry type (DT_*) as a node type, for an entry whose inode has no node left. */
function direntType(t: number): VfsNodeType | undefined {
  return ({ 1: 'fifo', 2: 'chardev', 4: 'dir', 6: 'blockdev', 8: 'file', 10: 'symlink', 12: 'socket' } as Record<number, VfsNodeType>)[t];
}

function firstNode(src: ByteSource, start: number): { le: boolean } | null {
  const head = src.read(start, 4);
  if (head.length < 4) return null;
  for (const le of [true, false]) {
    const t = le ? head.readUInt16LE(2) : head.readUInt16BE(2);
    if (!FIRST_TYPES.includes(t | NODE_ACCURATE)) continue;
    if (readNodeHeader(new WindowReader(src, 64), start, le)) return { le };
  }
  return null;
}

/** The newest entry per (parent, name), deletions removed, grouped by parent. */
function liveChildren(dirents: DirentRecord[]): Map<number, DirentRecord[]> {
  const latest = new Map<string, DirentRecord>();
  for (const d of dirents) {
    const key = `${d.pino}/${d.name}`;
    const cur = latest.get(key);
    if (!cur || d.version > cur.version || (d.version === cur.version && d.pos > cur.pos)) latest.set(key, d);
  }
  const children = new Map<number, DirentRecord[]>();
  for (const d of latest.values()) {
    if (d.ino === 0) continue;
    const list = children.get(d.pino) ?? [];
    list.push(d);
    children.set(d.pino, list);
  }
  for (const list of children.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return children;
}

/** A device node's number, stored as its data: 16-bit old encoding or 32-bit new_encode_dev. */
function deviceNumber(data: Buffer, le: boolean): { major: number; minor: number } | undefined {
  if (data.length === 2) {
    const v = le ? data.readUInt16LE(0) : data.readUInt16BE(0);
    return { major: v >>> 8, minor: v & 0xff };
  }
  if (data.length === 4) {
    const v = le ? data.readUInt32LE(0) : data.readUInt32BE(0);
    return { major: (v & 0xfff00) >>> 8, minor: (v & 0xff) | ((v >>> 12) & 0xfff00) };
  }
  return undefined;
}

/**
 * A directory entry's name must be one path component: "." and ".." would climb (reported as traversal),
 * "/" or NUL would make several; such entries are skipped.
 */
function nameIsSafe(name: string, dir: string, ctx: OpenContext): boolean {
  if (name === '.' || name === '..') {
    ctx.problem(ErrorCodes.UNPACK_PATH_TRAVERSAL, `directory entry named "${name}"; skipped`, dir || '/');
    return false;
  }
  if (name === '' || name.includes('/') || name.includes('\0')) {
    ctx.problem(ErrorCodes.UNPACK_MALFORMED, `directory entry with an invalid name ${JSON.stringify(name)}; skipped`, dir || '/');
    return false;
  }
  return true;
}

function buildTree(img: ByteSource, le: boolean, inodes: Map<number, InodeRecord>, dirents: DirentRecord[], truncated: boolean, ctx: OpenContext): MemoryTree {
  const tree = new MemoryTree('jffs2', (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
  const decoder = new NodeDecoder(img);
  const children = liveChildren(dirents);
  const sizeCap = Math.max(0, Math.min(ctx.limits.maxPayloadInMemory, ctx.limits.maxTotalBytes));
  const firstPath = new Map<number, string>();
  const visitedDirs = new Set<number>([ROOT_INO]);
  const queue: Array<{ ino: number; path: string; depth: number }> = [{ ino: ROOT_INO, path: '', depth: 0 }];
  let budget = Math.max(0, ctx.limits.maxFiles) + 1;

  /**
   * The data of the inode's newest node, which is where the kernel takes a symlink's target and a device's
   * number from (not from isize: mkfs.jffs2 cuts long targets to 254 bytes and keeps the full length there).
   */
  const latestData = (rec: InodeRecord, path: string): Buffer | undefined => {
    const latest = rec.nodes.find((n) => n.pos === rec.meta.pos);
    if (!latest) return undefined;
    try {
      return decoder.decode(latest.compr === COMPR_NONE ? { ...latest, dsize: latest.csize } : latest);
    } catch (err) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, `node data unreadable: ${(err as Error).message}`, path);
      return undefined;
    }
  };

  for (let qi = 0; qi < queue.length; qi++) {
    const { ino: dirIno, path: dirPath, depth } = queue[qi]!;
    if (depth > MAX_DEPTH) {
      ctx.problem(ErrorCodes.UNPACK_LIMIT, `directories nested deeper than ${MAX_DEPTH}; not listed`, dirPath);
      continue;
    }
    for (const d of children.get(dirIno) ?? []) {
      if (--budget < 0) break;
      if (!nameIsSafe(d.name, dirPath, ctx)) continue;
      const path = dirPath ? `${dirPath}/${d.name}` : d.name;
      const rec = inodes.get(d.ino);
      const type = rec ? nodeTypeFromMode(rec.meta.mode) : direntType(d.type);
      if (!type) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, rec ? `unknown file type in mode ${rec.meta.mode.toString(8)}; skipped` : 'entry with an unknown type; skipped', path);
        continue;
      }
      if (type === 'dir' && visitedDirs.has(d.ino)) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `directory inode ${d.ino} is listed twice (a loop or a directory hard link); skipped`, path);
        continue;
      }
      if (!rec) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `inode ${d.ino} has no valid node`, path);
        if (type === 'dir' && tree.add({ path, type, mode: 0o755 })) {
          visitedDirs.add(d.ino);
          queue.push({ ino: d.ino, path, depth: depth + 1 });
        }
        continue;
      }
      const m = rec.meta;
      const base = { path, mode: m.mode & 0o7777, uid: m.uid, gid: m.gid, mtime: m.mtime };
      if (type === 'dir') {
        visitedDirs.add(d.ino);
        if (tree.add({ ...base, type })) queue.push({ ino: d.ino, path, depth: depth + 1 });
        continue;
      }
      const origin = firstPath.get(d.ino);
      if (origin !== undefined && type === 'file') {
        tree.addHardLink(path, origin);
        continue;
      }
      if (type === 'file') {
        let size = m.isize;
        if (size > sizeCap) {
          ctx.problem(ErrorCodes.UNPACK_LIMIT, `declares ${size} bytes, past the ${sizeCap}-byte limit; cut there`, path);
          size = sizeCap;
        }
        const frags = buildFragments(rec.nodes, size);
        // Ranges no node covers are holes, except past the data of a file in a cut-short image.
        const covered = frags.length > 0 ? frags[frags.length - 1]!.end : 0;
        if (truncated && covered < size) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `only ${covered} of ${size} bytes are in the image; the rest reads as zeros`, path);
        let reported = false;
        const report = (err: FirmwardenError): void => {
          if (!reported) ctx.problem(err.code, err.message, path);
          reported = true;
        };
        const strict = new JffsFile(frags, decoder, size, path);
        const lenient = new JffsFile(frags, decoder, size, path, report);
        const added = tree.add({ ...base, type, size, content: () => strict.read(0, size), source: () => lenient });
        if (added) firstPath.set(d.ino, path);
      } else if (type === 'symlink') {
        // Linux's PATH_MAX bounds a target; a node may be larger.
        tree.add({ ...base, type, linkTarget: latestData(rec, path)?.subarray(0, 4096).toString('utf8') ?? '' });
      } else if (type === 'chardev' || type === 'blockdev') {
        const data = latestData(rec, path);
        const rdev = data ? deviceNumber(data, le) : undefined;
        if (!rdev) ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'device node without a device number', path);
        tree.add({ ...base, type, ...(rdev ? { rdev } : {}) });
      } else {
        tree.add({ ...base, type });
      }
    }
  }
  return tree;
}

export const jffs2Handler: Handler = {
  name: 'jffs2',
  kind: 'filesystem',
  // The magic plus the type of a node that may come first (cleanmarker, dirent, inode, padding, summary).
  magics: FIRST_TYPES.flatMap((t) => [
    magic([0x85, 0x19, t & 0xff, t >>> 8]),
    magic([0x19, 0x85, t >>> 8, t & 0xff]),
  ]),

  identify(src, start) {
    const first = firstNode(src, start);
    if (!first) return null;
    const walk = walkNodes(src, start, src.size, first.le);
    const end = chunkEnd(src, start, walk);
    return { start, end, meta: { endian: first.le ? 'little' : 'big', eraseSize: walk.eraseSize, nodes: walk.nodes, truncated: walk.truncated } };
  },

  async open(src, chunk, ctx) {
    const img = src.subrange(chunk.start, chunk.end);
    const le = chunk.meta['endian'] !== 'big';
    const scan = scanImage(img, le, (c, m) => ctx.problem(c, m), ctx.signal);
    return { kind: 'tree', tree: buildTree(img, le, scan.inodes, scan.dirents, scan.walk.truncated, ctx) };
  },
};
