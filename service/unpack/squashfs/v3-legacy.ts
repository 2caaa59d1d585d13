// Squashfs 2.x and 3.x (2004-2009, still in many vendor SDKs): the same ideas as 4.0 in packed bitfield
// structures whose bit order follows the byte order of the machine that built them (endian.ts `bits`).
// 2.x has no inode numbers and no per-inode mtime outside files and directories; 3.x adds both, 64-bit
// table offsets, large files (type 9) and "." and ".." counted in directory sizes.
import type { Endian } from './endian.js';
import { readListing, type DirListing, type DirLocation } from './directory-table.js';
import { fileLayout, NO_XATTR, readSymlinkTarget, type Inode } from './inode-table.js';
import { metaError, type MetadataReader, type MetaCursor } from './metadata-reader.js';
import type { VfsNodeType } from '../vfs.js';

const TYPES: Record<number, VfsNodeType> = { 1: 'dir', 2: 'file', 3: 'symlink', 4: 'blockdev', 5: 'chardev', 6: 'fifo', 7: 'socket', 8: 'dir', 9: 'file' };

/** The old 16-bit dev_t: 8 bits of major, 8 of minor. */
function oldDev(rdev: number): { major: number; minor: number } {
  return { major: (rdev >> 8) & 0xff, minor: rdev & 0xff };
}

/**
 * Reads a 2.x/3.x inode. Bit positions are those of squashfs_compat.h; a record is read whole first (the
 * largest fixed part is 40 bytes) so bitfields can be picked out of one buffer.
 */
export function readInodeV3(cur: MetaCursor, e: Endian, major: 2 | 3, blockLog: number, mkfsTime: number): Inode {
  const v3 = major === 3;
  const base = cur.read(v3 ? 12 : 4);
  const rawType = e.bits(base, 0, 0, 4);
  const type = TYPES[rawType];
  if (!type || (!v3 && rawType === 9)) throw metaError(`unknown inode type ${rawType}`);
  const inode: Inode = {
    type,
    rawType,
    mode: e.bits(base, 0, 4, 12),
    uidIndex: e.bits(base, 0, 16, 8),
    gidIndex: e.bits(base, 0, 24, 8),
    mtime: v3 ? e.bits(base, 0, 32, 32) : mkfsTime,
    number: v3 ? e.bits(base, 0, 64, 32) : 0,
    xattr: NO_XATTR,
  };
  // The rest of the record, with bit positions counted from the start of the inode (as in the C headers).
  const rest = (bytes: number): Buffer => Buffer.concat([base, cur.read(bytes - base.length)]);
  switch (rawType) {
    case 1: {
      const b = rest(v3 ? 28 : 15);
      const size = e.bits(b, 0, v3 ? 128 : 32, 19);
      inode.dir = {
        size: v3 ? Math.max(0, size - 3) : size,
        offset: e.bits(b, 0, v3 ? 147 : 51, 13),
        block: v3 ? e.bits(b, 0, 160, 32) : e.bits(b, 0, 96, 24),
      };
      if (!v3) inode.mtime = e.bits(b, 0, 64, 32);
      break;
    }
    case 8: {
      const b = rest(v3 ? 31 : 18);
      const size = e.bits(b, 0, v3 ? 128 : 32, 27);
      inode.dir = {
        size: v3 ? Math.max(0, size - 3) : size,
        offset: e.bits(b, 0, v3 ? 155 : 59, 13),
        block: v3 ? e.bits(b, 0, 168, 32) : e.bits(b, 0, 104, 24),
      };
      if (!v3) inode.mtime = e.bits(b, 0, 72, 32);
      break;
    }
    case 2: {
      if (v3) {
        const b = rest(32);
        inode.file = fileLayout(cur, e.u32(b, 28), e.u64(b, 12), e.u32(b, 20), e.u32(b, 24), blockLog);
      } else {
        const b = rest(24);
        inode.mtime = e.u32(b, 4);
        inode.file = fileLayout(cur, e.u32(b, 20), e.u32(b, 8), e.u32(b, 12), e.u32(b, 16), blockLog);
      }
      break;
    }
    case 9: {
      const b = rest(40);
      inode.file = fileLayout(cur, e.u64(b, 32), e.u64(b, 16), e.u32(b, 24), e.u32(b, 28), blockLog);
      break;
    }
    case 3: {
      const b = rest(v3 ? 18 : 6);
      inode.target = readSymlinkTarget(cur, e.u16(b, v3 ? 16 : 4));
      break;
    }
    case 4:
    case 5: {
      const b = rest(v3 ? 18 : 6);
      inode.rdev = oldDev(e.u16(b, v3 ? 16 : 4));
      break;
    }
    default:
      if (v3) cur.read(4);
  }
  return inode;
}

/** A 2.x/3.x directory listing. */
export function readDirectoryV3(reader: MetadataReader, tableStart: number, dir: DirLocation, e: Endian, major: 2 | 3, maxEntries: number): DirListing {
  const v3 = major === 3;
  return readListing(
    reader,
    tableStart,
    dir,
    maxEntries,
    (cur) => {
      const b = cur.read(v3 ? 9 : 4);
      return { count: e.bits(b, 0, 0, 8) + 1, block: e.bits(b, 0, 8, v3 ? 32 : 24), size: b.length };
    },
    (cur) => {
      const b = cur.read(v3 ? 5 : 3);
      return { offset: e.bits(b, 0, 0, 13), type: e.bits(b, 0, 13, 3), nameLen: e.bits(b, 0, 16, 8) + 1, size: b.length };
    },
  );
}
