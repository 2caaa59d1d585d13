// UBIFS (the rootfs of most raw-NAND appliances), as mkfs.ubifs writes it or as a UBI volume holds it: the
// superblock node opens LEB 0; the tree comes from the index the master node points to, with the journal
// (what was written since the last commit) replayed over it, or from a scan of every node when the index is
// damaged; file contents are decompressed block by block when read. Parsing lives in ../ubifs/.
import { ErrorCodes, FirmwardenError } from '../../errors.js';
import { magic, type Handler, type OpenContext } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import { COMPRESSION_NAMES } from '../ubifs/ubifs-compression.js';
import { UbifsFileSource } from '../ubifs/ubifs-file.js';
import { findMaster, mergeScan, NodeReader, scanNodes, walkIndex, type Catalog } from '../ubifs/ubifs-index.js';
import { replayJournal } from '../ubifs/ubifs-journal.js';
import { checkedNode, INODE_FLG_CRYPT, inodeDevice, parseSuperblock, ROOT_INUM, SB_NODE, type InodeNode } from '../ubifs/ubifs-nodes.js';
import { nodeTypeFromMode } from '../unix-mode.js';

const SB_NODE_LEN = 4096;
const MAX_SYMLINK = 4096;

function readSuperblockAt(src: Parameters<Handler['identify']>[0], start: number) {
  const n = checkedNode(src.read(start, SB_NODE_LEN));
  if (!n || n.ch.type !== SB_NODE) return null;
  return parseSuperblock(n.node);
}

function buildTree(cat: Catalog, reader: NodeReader, ctx: OpenContext): MemoryTree {
  const tree = new MemoryTree('ubifs', (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
  const root = cat.inodes.get(ROOT_INUM);
  if (!root || nodeTypeFromMode(root.mode) !== 'dir') {
    ctx.problem(ErrorCodes.UNPACK_MALFORMED, root ? 'the root inode is not a directory' : 'no root inode');
    return tree;
  }
  tree.add({ path: '', type: 'dir', mode: root.mode, uid: root.uid, gid: root.gid, mtime: root.mtime });
  const damaged = new Set<number>();
  let encrypted = false;
  const sourceOf = (ino: InodeNode, path: string): UbifsFileSource =>
    new UbifsFileSource(reader, ino.inum, ino.size, cat.data.get(ino.inum) ?? [], (code, why) => {
      if (damaged.has(ino.inum)) return;
      damaged.add(ino.inum);
      ctx.problem(code, `${why}; read as zeros`, path);
    });
  const contentOf = (ino: InodeNode, path: string): Buffer => {
    if (ino.size > ctx.limits.maxPayloadInMemory) {
      throw new FirmwardenError(ErrorCodes.UNPACK_LIMIT, `${path} is ${ino.size} bytes, past maxPayloadInMemory; read it through openSource`, { path });
    }
    const src = sourceOf(ino, path);
    const data = src.read(0, ino.size);
    if (src.damage) throw new FirmwardenError(src.damage.code, `${path}: ${src.damage.message}`, { path });
    return data;
  };
  const seenDirs = new Set<number>([ROOT_INUM]);
  const firstPath = new Map<number, string>();
  const queue: Array<{ inum: number; path: string } | undefined> = [{ inum: ROOT_INUM, path: '' }];
  let listed = 0;
  for (let q = 0; q < queue.length; q++) {
    ctx.signal.throwIfAborted();
    const dir = queue[q]!;
    queue[q] = undefined;
    const entries = (cat.dents.get(dir.inum) ?? []).slice().sort((a, b) => Buffer.compare(a.name, b.name));
    for (const e of entries) {
      if (++listed > ctx.limits.maxFiles) return tree; // MemoryTree has reported the limit
      const name = e.name.toString('utf8');
      const path = dir.path ? `${dir.path}/${name}` : name;
      if (name === '' || name === '.' || name === '..') {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `directory entry named "${name}"; skipped`, path);
        continue;
      }
      const ino = cat.inodes.get(e.inum);
      if (!ino) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `entry names inode ${e.inum}, which the filesystem does not hold`, path);
        continue;
      }
      const type = nodeTypeFromMode(ino.mode);
      if (!type) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `inode ${e.inum} has an unknown file type (mode ${ino.mode.toString(8)}); skipped`, path);
        continue;
      }
      if (ino.flags & INODE_FLG_CRYPT && !encrypted) {
        encrypted = true;
        ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, 'fscrypt-encrypted inodes: names and contents are listed as stored (ciphertext)', path);
      }
      const meta = { path, mode: ino.mode & 0o7777, uid: ino.uid, gid: ino.gid, mtime: ino.mtime };
      if (type === 'dir') {
        if (seenDirs.has(e.inum)) {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `directory inode ${e.inum} is reached twice (a directory loop); not entered again`, path);
          continue;
        }
        seenDirs.add(e.inum);
        const node = tree.add({ ...meta, type });
        if (node) queue.push({ inum: e.inum, path: node.path.slice(1) });
        continue;
      }
      const origin = firstPath.get(e.inum);
      if (origin !== undefined) {
        tree.addHardLink(path, origin);
        continue;
      }
      let node;
      if (type === 'file') {
        node = tree.add({ ...meta, type, size: ino.size, source: () => sourceOf(ino, path), content: () => contentOf(ino, path) });
      } else if (type === 'symlink') {
        node = tree.add({ ...meta, type, linkTarget: ino.data.toString('utf8', 0, Math.min(ino.data.length, MAX_SYMLINK)) });
      } else {
        node = tree.add({ ...meta, type, ...(type === 'chardev' || type === 'blockdev' ? { rdev: inodeDevice(ino.data) } : {}) });
      }
      if (node) firstPath.set(e.inum, node.path);
    }
  }
  return tree;
}

export const ubifsHandler: Handler = {
  name: 'ubifs',
  kind: 'filesystem',
  // Every node starts with this magic; only a superblock node (type 6) at the start of LEB 0 opens a chunk.
  magics: [magic([0x31, 0x18, 0x10, 0x06])],

  identify(src, start) {
    const head = src.read(start, 24);
    if (head.length < 24 || head[20] !== SB_NODE || head.readUInt32LE(16) !== SB_NODE_LEN) return null;
    const sb = readSuperblockAt(src, start);
    if (!sb) return null;
    const size = sb.lebCnt * sb.lebSize;
    const truncated = start + size > src.size;
    return {
      start,
      end: truncated ? src.size : start + size,
      meta: { lebSize: sb.lebSize, lebCount: sb.lebCnt, minIoSize: sb.minIoSize, compression: COMPRESSION_NAMES[sb.defaultCompr] ?? sb.defaultCompr, truncated },
    };
  },

  async open(src, chunk, ctx) {
    const img = src.subrange(chunk.start, chunk.end);
    const sb = readSuperblockAt(img, 0);
    if (!sb) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'UBIFS superblock no longer validates');
      return { kind: 'tree', tree: new MemoryTree('ubifs') };
    }
    if (chunk.meta['truncated'] === true) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `filesystem cut short: ${img.size} of ${sb.lebCnt * sb.lebSize} bytes present`);
    if (sb.encrypted) ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, 'the filesystem uses fscrypt: encrypted names and contents are listed as stored');
    const reader = new NodeReader(img, sb);
    const master = findMaster(reader);
    let cat = master ? walkIndex(reader, master, ctx.signal) : undefined;
    // What was written after the last commit is in the journal, not yet in the index.
    if (cat && master) replayJournal(reader, master, cat, ctx.signal);
    if (!cat) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, master ? 'the index root is damaged; files were recovered by scanning every node' : 'no valid master node; files were recovered by scanning every node');
      cat = scanNodes(reader, ctx.signal);
    }
    for (const p of cat.problems.slice(0, 50)) ctx.problem(ErrorCodes.UNPACK_MALFORMED, p);
    if (cat.source === 'index' && cat.problems.length > 0) {
      const added = mergeScan(cat, scanNodes(reader, ctx.signal));
      if (added) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `the index is damaged: ${added} entries, inodes and blocks it could not reach were recovered by scanning`);
    }
    return { kind: 'tree', tree: buildTree(cat, reader, ctx) };
  },
};
