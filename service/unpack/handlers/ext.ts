// ext2, ext3 and ext4 (the rootfs and data partitions of most eMMC/SD-based appliances). Read in place, like
// debugfs: superblock -> group descriptors -> inodes, directories walked from the root inode, file contents
// read on demand through extents or indirect blocks. The journal is not replayed. Parsing lives in ../ext/.
import { ErrorCodes, FirmwardenError } from '../../errors.js';
import { BufferSource, type ByteSource } from '../byte-source.js';
import { extentRuns, indirectRuns, type MapContext, type Runs } from '../ext/block-map.js';
import { parseDirBlock, type DirEntry } from '../ext/directory.js';
import { ExtFileSource } from '../ext/file-source.js';
import { deviceNumbers, FLAG_ENCRYPT, FLAG_EXTENTS, FLAG_INLINE_DATA, inlineData, InodeReader, ROOT_INO, type Inode } from '../ext/inode.js';
import {
  INCOMPAT_COMPRESSION,
  INCOMPAT_FILETYPE,
  INCOMPAT_RECOVER,
  readInodeTables,
  readSuperblock,
  SUPERBLOCK_OFFSET,
  type Superblock,
} from '../ext/superblock.js';
import { magic, type Handler, type OpenContext } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import { nodeTypeFromMode } from '../unix-mode.js';

/** A directory bigger than this is not listed past it (a real one of a million names is ~40 MiB). */
const MAX_DIR_BYTES = 128 * 1024 * 1024;
const MAX_SYMLINK = 4096;
const DIR_SLICE = 1 << 20;
/** Block maps kept for files read again. */
const RECENT_MAPS = 256;

/** One open filesystem: the image view, its geometry and the helpers every inode needs. */
class ExtVolume {
  readonly inodes: InodeReader;
  readonly map: MapContext;
  private readonly damaged = new Set<number>();
  private readonly recentRuns = new Map<number, { size: number; runs: Runs }>();

  constructor(
    readonly img: ByteSource,
    readonly sb: Superblock,
    private readonly ctx: OpenContext,
  ) {
    this.inodes = new InodeReader(img, sb, readInodeTables(img, 0, sb));
    const blocksAvailable = Math.min(sb.blocksCount, Math.floor(img.size / sb.blockSize));
    // All the maps of a real filesystem need fewer metadata blocks than it has (reads of the same file again
    // mostly hit recentRuns); hostile maps that share their blocks stop there.
    const budget = { left: Math.max(65536, 4 * blocksAvailable) };
    this.map = { src: img, blockSize: sb.blockSize, blocksAvailable, blocksCount: sb.blocksCount, budget };
  }

  runs(inode: Inode): Runs {
    // Files are read more than once (carving looks at their head, analyzers read them): keep recent maps.
    const hit = this.recentRuns.get(inode.ino);
    if (hit && hit.size === inode.size) return hit.runs;
    const maxBlocks = Math.ceil(inode.size / this.sb.blockSize);
    const runs = inode.flags & FLAG_EXTENTS ? extentRuns(this.map, inode.iblock, maxBlocks) : indirectRuns(this.map, inode.iblock, maxBlocks);
    if (this.recentRuns.size >= RECENT_MAPS) this.recentRuns.delete(this.recentRuns.keys().next().value as number);
    this.recentRuns.set(inode.ino, { size: inode.size, runs });
    return runs;
  }

  /** The contents of a file-like inode as a lazy source (inline data is small and already in the inode). */
  source(inode: Inode, path: string): ByteSource {
    if (inode.flags & FLAG_INLINE_DATA) return new BufferSource(inlineData(inode).subarray(0, inode.size));
    return new ExtFileSource(this.img, this.sb.blockSize, inode.size, () => this.runs(inode), (why, truncated) => {
      if (this.damaged.has(inode.ino)) return;
      this.damaged.add(inode.ino);
      this.ctx.problem(truncated ? ErrorCodes.UNPACK_TRUNCATED : ErrorCodes.UNPACK_MALFORMED, `${why}; read as zeros`, path);
    });
  }

  /** Whole contents for FileSystemView.read: damage is an error there, not silent zeros. */
  content(inode: Inode, path: string): Buffer {
    if (inode.size > this.ctx.limits.maxPayloadInMemory) {
      throw new FirmwardenError(ErrorCodes.UNPACK_LIMIT, `${path} is ${inode.size} bytes, past maxPayloadInMemory; read it through openSource`, { path });
    }
    const src = this.source(inode, path);
    const data = src.read(0, inode.size);
    const damage = src instanceof ExtFileSource ? src.damage : undefined;
    if (damage) throw new FirmwardenError(damage.truncated ? ErrorCodes.UNPACK_TRUNCATED : ErrorCodes.UNPACK_MALFORMED, `${path}: ${damage.message}`, { path });
    return data;
  }

  symlinkTarget(inode: Inode, path: string): string {
    const size = Math.min(inode.size, MAX_SYMLINK);
    if (inode.size > MAX_SYMLINK) this.ctx.problem(ErrorCodes.UNPACK_MALFORMED, `symlink target of ${inode.size} bytes cut to ${MAX_SYMLINK}`, path);
    if (inode.flags & FLAG_INLINE_DATA) return inlineData(inode).toString('utf8', 0, size);
    // The kernel's rule: a symlink with no data blocks (an xattr block aside) keeps its target in i_block.
    const eaBlocks = inode.fileAcl ? this.sb.blockSize / 512 : 0;
    if (inode.blocks - eaBlocks === 0) return inode.iblock.toString('utf8', 0, Math.min(size, 60));
    return this.source(inode, path).read(0, size).toString('utf8');
  }

  /** Entries of a directory inode; problems are reported against `path`. */
  readDir(inode: Inode, path: string): DirEntry[] {
    const out: DirEntry[] = [];
    const hasFileType = (this.sb.incompat & INCOMPAT_FILETYPE) !== 0;
    const report = (why: string | undefined): void => {
      if (why) this.ctx.problem(ErrorCodes.UNPACK_MALFORMED, why, path);
    };
    if (inode.flags & FLAG_INLINE_DATA) {
      // Inline directories: 4 bytes of parent inode, entries in the rest of i_block, more in system.data.
      const all = inlineData(inode);
      report(parseDirBlock(all.subarray(4, 60), hasFileType, out));
      if (all.length > 60) report(parseDirBlock(all.subarray(60), hasFileType, out));
      return out;
    }
    let size = inode.size;
    if (size > MAX_DIR_BYTES) {
      this.ctx.problem(ErrorCodes.UNPACK_LIMIT, `directory of ${size} bytes; only the first ${MAX_DIR_BYTES} were listed`, path);
      size = MAX_DIR_BYTES;
    }
    const bs = this.sb.blockSize;
    const runs = this.runs({ ...inode, size });
    if (runs.damage) this.ctx.problem(runs.truncated ? ErrorCodes.UNPACK_TRUNCATED : ErrorCodes.UNPACK_MALFORMED, `directory block map: ${runs.damage}`, path);
    for (let i = 0; i < runs.logical.length; i++) {
      const blocks = runs.length[i]!;
      for (let done = 0; done < blocks; ) {
        const n = Math.min(blocks - done, Math.max(1, Math.floor(DIR_SLICE / bs)));
        const data = this.img.read((runs.physical[i]! + done) * bs, n * bs);
        for (let off = 0; off + bs <= data.length; off += bs) report(parseDirBlock(data.subarray(off, off + bs), hasFileType, out));
        if (data.length < n * bs) {
          this.ctx.problem(ErrorCodes.UNPACK_TRUNCATED, 'directory blocks lie past the end of the image', path);
          return out;
        }
        done += n;
      }
    }
    return out;
  }
}

function buildTree(img: ByteSource, sb: Superblock, ctx: OpenContext): MemoryTree {
  const tree = new MemoryTree(sb.variant, (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
  const vol = new ExtVolume(img, sb, ctx);
  const root = vol.inodes.read(ROOT_INO);
  if (typeof root === 'string' || nodeTypeFromMode(root.mode) !== 'dir') {
    ctx.problem(ErrorCodes.UNPACK_MALFORMED, typeof root === 'string' ? `root directory: ${root}` : 'the root inode is not a directory');
    return tree;
  }
  // Paths are given relative ("bin/sh"): MemoryTree flags "/"-rooted names as absolute-path tricks.
  tree.add({ path: '', type: 'dir', mode: root.mode, uid: root.uid, gid: root.gid, mtime: root.mtime });
  let encrypted = false;
  const seenDirs = new Set<number>([ROOT_INO]);
  const firstPath = new Map<number, string>();
  const queue: Array<{ inode: Inode; path: string } | undefined> = [{ inode: root, path: '' }];
  let listed = 0;
  for (let q = 0; q < queue.length; q++) {
    ctx.signal.throwIfAborted();
    const dir = queue[q]!;
    queue[q] = undefined; // let walked directories' inodes go
    for (const e of vol.readDir(dir.inode, dir.path || '/')) {
      if (++listed > ctx.limits.maxFiles) return tree; // MemoryTree has reported the limit
      const path = dir.path ? `${dir.path}/${e.name}` : e.name;
      const inode = vol.inodes.read(e.ino);
      if (typeof inode === 'string') {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, inode, path);
        continue;
      }
      const type = nodeTypeFromMode(inode.mode);
      if (!type) {
        ctx.problem(ErrorCodes.UNPACK_MALFORMED, `inode ${e.ino} has an unknown file type (mode ${inode.mode.toString(8)}); skipped`, path);
        continue;
      }
      if (inode.flags & FLAG_ENCRYPT && !encrypted) {
        encrypted = true;
        ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, 'fscrypt-encrypted inodes: names and contents are listed as stored (ciphertext)', path);
      }
      const meta = { path, mode: inode.mode & 0o7777, uid: inode.uid, gid: inode.gid, mtime: inode.mtime };
      if (type === 'dir') {
        if (seenDirs.has(e.ino)) {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `directory inode ${e.ino} is reached twice (a directory loop); not entered again`, path);
          continue;
        }
        seenDirs.add(e.ino);
        const node = tree.add({ ...meta, type });
        // Below a renamed entry (a name with "../" in it), children follow the name the tree kept.
        if (node) queue.push({ inode, path: node.path.slice(1) });
        continue;
      }
      const origin = firstPath.get(e.ino);
      if (origin !== undefined) {
        tree.addHardLink(path, origin);
        continue;
      }
      let node;
      if (type === 'file') {
        node = tree.add({ ...meta, type, size: inode.size, source: () => vol.source(inode, path), content: () => vol.content(inode, path) });
      } else if (type === 'symlink') {
        node = tree.add({ ...meta, type, linkTarget: vol.symlinkTarget(inode, path) });
      } else {
        node = tree.add({ ...meta, type, ...(type === 'chardev' || type === 'blockdev' ? { rdev: deviceNumbers(inode) } : {}) });
      }
      if (node) firstPath.set(e.ino, node.path);
    }
  }
  return tree;
}

export const extHandler: Handler = {
  name: 'ext',
  kind: 'filesystem',
  magics: [magic([0x53, 0xef], SUPERBLOCK_OFFSET + 0x38)],

  identify(src, start) {
    const sb = readSuperblock(src, start);
    if (!sb) return null;
    // Group 0's descriptor, when present, must put its bitmaps and inode table inside the filesystem.
    const gd = src.read(start + (sb.firstDataBlock + 1) * sb.blockSize, 32);
    if (gd.length === 32) {
      for (const at of [0, 4, 8]) {
        const block = gd.readUInt32LE(at);
        if (block <= sb.firstDataBlock || block >= sb.blocksCount) return null;
      }
    }
    const size = sb.blocksCount * sb.blockSize;
    const truncated = start + size > src.size;
    return {
      start,
      end: truncated ? src.size : start + size,
      meta: {
        variant: sb.variant,
        blockSize: sb.blockSize,
        blocksCount: sb.blocksCount,
        volumeName: sb.volumeName,
        // Unmounted uncleanly: the journal holds changes that are not replayed here (read as it stands).
        journalNeedsRecovery: (sb.incompat & INCOMPAT_RECOVER) !== 0,
        truncated,
      },
    };
  },

  async open(src, chunk, ctx) {
    const img = src.subrange(chunk.start, chunk.end);
    const sb = readSuperblock(img, 0);
    if (!sb) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'ext superblock no longer validates');
      return { kind: 'tree', tree: new MemoryTree('ext') };
    }
    if (chunk.meta['truncated'] === true) {
      ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `filesystem cut short: ${img.size} of ${sb.blocksCount * sb.blockSize} bytes present`);
    }
    if (sb.incompat & INCOMPAT_COMPRESSION) {
      ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, 'ext2 compression patches (e2compr): compressed files are listed as stored');
    }
    return { kind: 'tree', tree: buildTree(img, sb, ctx) };
  },
};
