// Inodes of squashfs 4.0: a 16-byte common header, then a body by type; the "extended" types (8-14) add
// xattrs, 64-bit sizes, sparse counts and directory indexes. Parsed into one shape shared with 2.x/3.x.
import type { VfsNodeType } from '../vfs.js';
import type { Endian } from './endian.js';
import { metaError, type MetaCursor } from './metadata-reader.js';

export const NO_FRAGMENT = 0xffffffff;
export const NO_XATTR = 0xffffffff;
/** Linux's PATH_MAX: no real symlink target is longer. */
export const MAX_SYMLINK = 4096;

export interface FileLayout {
  size: number;
  /** Absolute position (from the superblock) of the first data block. */
  blocksStart: number;
  /** Index into the fragment table, or NO_FRAGMENT. */
  fragment: number;
  fragmentOffset: number;
  blockCount: number;
  /** Where the block list starts in the inode table. */
  listPos: number;
  listOffset: number;
}

export interface Inode {
  type: VfsNodeType;
  /** The on-disk type number (2.x/3.x and 4.0 share 1-7; 4.0 adds 8-14, 3.x 8-9). */
  rawType: number;
  mode: number;
  uidIndex: number;
  gidIndex: number;
  mtime: number;
  number: number;
  xattr: number;
  dir?: { block: number; offset: number; size: number };
  file?: FileLayout;
  target?: Buffer;
  rdev?: { major: number; minor: number };
}

const TYPES: Record<number, VfsNodeType> = {
  1: 'dir', 2: 'file', 3: 'symlink', 4: 'blockdev', 5: 'chardev', 6: 'fifo', 7: 'socket',
  8: 'dir', 9: 'file', 10: 'symlink', 11: 'blockdev', 12: 'chardev', 13: 'fifo', 14: 'socket',
};

export function blockCountOf(size: number, fragment: number, blockLog: number): number {
  const bs = 2 ** blockLog;
  return fragment === NO_FRAGMENT ? Math.ceil(size / bs) : Math.floor(size / bs);
}

/** Linux's new_encode_dev layout: 12 bits of major, 20 of minor split around it. */
export function decodeDev(rdev: number): { major: number; minor: number } {
  return { major: (rdev >>> 8) & 0xfff, minor: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00) };
}

export function readSymlinkTarget(cur: MetaCursor, size: number): Buffer {
  if (size > MAX_SYMLINK) throw metaError(`symlink target of ${size} bytes`);
  return Buffer.from(cur.read(size));
}

/** Reads the inode at the cursor (4.0 layout). Throws SquashfsDecodeError on damage. */
export function readInodeV4(cur: MetaCursor, e: Endian, blockLog: number): Inode {
  const h = cur.read(16);
  const rawType = e.u16(h, 0);
  const type = TYPES[rawType];
  if (!type) throw metaError(`unknown inode type ${rawType}`);
  const inode: Inode = {
    type,
    rawType,
    mode: e.u16(h, 2) & 0o7777,
    uidIndex: e.u16(h, 4),
    gidIndex: e.u16(h, 6),
    mtime: e.u32(h, 8),
    number: e.u32(h, 12),
    xattr: NO_XATTR,
  };
  switch (rawType) {
    case 1: {
      const b = cur.read(16);
      inode.dir = { block: e.u32(b, 0), offset: e.u16(b, 10), size: Math.max(0, e.u16(b, 8) - 3) };
      break;
    }
    case 8: {
      const b = cur.read(24);
      inode.dir = { block: e.u32(b, 8), offset: e.u16(b, 18), size: Math.max(0, e.u32(b, 4) - 3) };
      inode.xattr = e.u32(b, 20);
      break;
    }
    case 2: {
      const b = cur.read(16);
      inode.file = fileLayout(cur, e.u32(b, 12), e.u32(b, 0), e.u32(b, 4), e.u32(b, 8), blockLog);
      break;
    }
    case 9: {
      const b = cur.read(40);
      inode.xattr = e.u32(b, 36);
      inode.file = fileLayout(cur, e.u64(b, 8), e.u64(b, 0), e.u32(b, 28), e.u32(b, 32), blockLog);
      break;
    }
    case 3:
    case 10: {
      const b = cur.read(8);
      inode.target = readSymlinkTarget(cur, e.u32(b, 4));
      if (rawType === 10) inode.xattr = e.u32(cur.read(4), 0);
      break;
    }
    case 4:
    case 5:
    case 11:
    case 12: {
      const b = cur.read(rawType > 10 ? 12 : 8);
      inode.rdev = decodeDev(e.u32(b, 4));
      if (rawType > 10) inode.xattr = e.u32(b, 8);
      break;
    }
    default: {
      const b = cur.read(rawType > 10 ? 8 : 4);
      if (rawType > 10) inode.xattr = e.u32(b, 4);
    }
  }
  return inode;
}

export function fileLayout(cur: MetaCursor, size: number, start: number, fragment: number, fragmentOffset: number, blockLog: number): FileLayout {
  if (!Number.isFinite(size) || !Number.isFinite(start)) throw metaError('file size or data position past 2^53');
  return { size, blocksStart: start, fragment, fragmentOffset, blockCount: blockCountOf(size, fragment, blockLog), listPos: cur.pos, listOffset: cur.offset };
}
