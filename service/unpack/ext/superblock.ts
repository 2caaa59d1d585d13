// The ext2/3/4 superblock (1024 bytes at byte 1024 of the filesystem) and the group descriptor table that
// says where each group's inode table is. Everything is little-endian. Only what a read-only walk needs is
// decoded; the journal is ignored (the filesystem is read as it stands, like debugfs does).
import type { ByteSource } from '../byte-source.js';

export const SUPERBLOCK_OFFSET = 1024;
export const EXT_MAGIC = 0xef53;
const MAGIC_AT = 0x38;

export const COMPAT_HAS_JOURNAL = 0x4;
export const INCOMPAT_COMPRESSION = 0x1;
export const INCOMPAT_FILETYPE = 0x2;
export const INCOMPAT_RECOVER = 0x4;
export const INCOMPAT_JOURNAL_DEV = 0x8;
export const INCOMPAT_META_BG = 0x10;
export const INCOMPAT_EXTENTS = 0x40;
export const INCOMPAT_64BIT = 0x80;
export const INCOMPAT_FLEX_BG = 0x200;
export const INCOMPAT_LARGEDIR = 0x4000;
export const INCOMPAT_INLINE_DATA = 0x8000;
export const INCOMPAT_ENCRYPT = 0x10000;
export const RO_COMPAT_SPARSE_SUPER = 0x1;
export const RO_COMPAT_HUGE_FILE = 0x8;
export const RO_COMPAT_BIGALLOC = 0x200;
export const RO_COMPAT_METADATA_CSUM = 0x400;

export interface Superblock {
  blockSize: number;
  blocksCount: number;
  inodesCount: number;
  firstDataBlock: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  groupCount: number;
  inodeSize: number;
  revLevel: number;
  compat: number;
  incompat: number;
  roCompat: number;
  descSize: number;
  firstMetaBg: number;
  volumeName: string;
  /** ext2, ext3 or ext4, from the features (what mke2fs -t would have been given). */
  variant: 'ext2' | 'ext3' | 'ext4';
}

const EXT4_ONLY_INCOMPAT = INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG | INCOMPAT_INLINE_DATA | INCOMPAT_LARGEDIR | INCOMPAT_ENCRYPT;
const EXT4_ONLY_RO = RO_COMPAT_HUGE_FILE | 0x10 /* gdt_csum */ | 0x20 /* dir_nlink */ | 0x40 /* extra_isize */ | RO_COMPAT_BIGALLOC | RO_COMPAT_METADATA_CSUM;

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/**
 * Decodes and checks the superblock of a filesystem starting at `start`; null unless the fields agree with
 * each other (magic alone is two bytes: noise matches it every 64 KiB).
 */
export function readSuperblock(src: ByteSource, start: number): Superblock | null {
  const b = src.read(start + SUPERBLOCK_OFFSET, 1024);
  if (b.length < 0x200 || b.readUInt16LE(MAGIC_AT) !== EXT_MAGIC) return null;
  const logBlock = b.readUInt32LE(0x18);
  if (logBlock > 6) return null;
  const blockSize = 1024 << logBlock;
  const state = b.readUInt16LE(0x3a);
  const revLevel = b.readUInt32LE(0x4c);
  if (state > 7 || revLevel > 1) return null;
  const compat = revLevel >= 1 ? b.readUInt32LE(0x5c) : 0;
  const incompat = revLevel >= 1 ? b.readUInt32LE(0x60) : 0;
  const roCompat = revLevel >= 1 ? b.readUInt32LE(0x64) : 0;
  // An external journal device has the magic too but holds no files.
  if (incompat & INCOMPAT_JOURNAL_DEV) return null;
  const inodeSize = revLevel >= 1 ? b.readUInt16LE(0x58) : 128;
  if (!isPow2(inodeSize) || inodeSize < 128 || inodeSize > blockSize) return null;
  const is64 = (incompat & INCOMPAT_64BIT) !== 0;
  const blocksCount = b.readUInt32LE(0x04) + (is64 && b.length >= 0x154 ? b.readUInt32LE(0x150) * 2 ** 32 : 0);
  const inodesCount = b.readUInt32LE(0x00);
  const firstDataBlock = b.readUInt32LE(0x14);
  const blocksPerGroup = b.readUInt32LE(0x20);
  const inodesPerGroup = b.readUInt32LE(0x28);
  const bigalloc = (roCompat & RO_COMPAT_BIGALLOC) !== 0;
  if (firstDataBlock !== (blockSize === 1024 && !bigalloc ? 1 : 0) && !(bigalloc && firstDataBlock <= 1)) return null;
  if (blocksPerGroup < 8 || (!bigalloc && blocksPerGroup > 8 * blockSize)) return null;
  if (inodesPerGroup < 1 || inodesPerGroup > 8 * blockSize) return null;
  if (blocksCount <= firstDataBlock) return null;
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  if (groupCount < 1 || inodesCount !== inodesPerGroup * groupCount) return null;
  if (b.readUInt32LE(0x0c) > blocksCount || b.readUInt32LE(0x10) > inodesCount) return null;
  let descSize = 32;
  if (is64) {
    descSize = b.readUInt16LE(0xfe);
    if (descSize < 64 || descSize > 1024 || !isPow2(descSize)) return null;
  }
  const variant = incompat & EXT4_ONLY_INCOMPAT || roCompat & EXT4_ONLY_RO ? 'ext4' : compat & COMPAT_HAS_JOURNAL ? 'ext3' : 'ext2';
  const nameEnd = b.subarray(0x78, 0x88).indexOf(0);
  return {
    blockSize,
    blocksCount,
    inodesCount,
    firstDataBlock,
    blocksPerGroup,
    inodesPerGroup,
    groupCount,
    inodeSize,
    revLevel,
    compat,
    incompat,
    roCompat,
    descSize,
    firstMetaBg: b.readUInt32LE(0x104),
    volumeName: b.toString('utf8', 0x78, nameEnd < 0 ? 0x88 : 0x78 + nameEnd),
    variant,
  };
}

/** Whether group g carries a superblock backup (and so its descriptor copy) under sparse_super. */
function hasSuper(sb: Superblock, g: number): boolean {
  if (g <= 1 || !(sb.roCompat & RO_COMPAT_SPARSE_SUPER)) return true;
  for (const base of [3, 5, 7]) {
    let p = base;
    while (p < g) p *= base;
    if (p === g) return true;
  }
  return false;
}

/**
 * Byte offset (from the filesystem start) of each group's inode table; NaN where the descriptor could not be
 * read. A table that lies outside the filesystem is kept as is: the inode reader bounds-checks every read.
 */
export function readInodeTables(src: ByteSource, start: number, sb: Superblock): Float64Array {
  // Groups past the end of the source cannot be read anyway: a hostile blocks count must not size the table.
  const present = Math.ceil(Math.max(0, src.size - start) / sb.blockSize / sb.blocksPerGroup);
  const tables = new Float64Array(Math.min(sb.groupCount, present + 1)).fill(Number.NaN);
  const perBlock = Math.floor(sb.blockSize / sb.descSize);
  const primary = sb.firstDataBlock + 1;
  const metaBg = (sb.incompat & INCOMPAT_META_BG) !== 0;
  // Descriptor blocks are read one at a time: a 64-bit filesystem of 16 TiB has 128k groups.
  let cachedBlock = -1;
  let cached: Buffer = Buffer.alloc(0);
  for (let g = 0; g < tables.length; g++) {
    const mg = Math.floor(g / perBlock);
    let block: number;
    if (!metaBg || mg < sb.firstMetaBg) {
      block = primary + mg;
    } else {
      // meta_bg: each run of perBlock groups keeps its descriptors in the first block(s) of its first group.
      const first = mg * perBlock;
      block = sb.firstDataBlock + first * sb.blocksPerGroup + (hasSuper(sb, first) ? 1 : 0);
    }
    if (block !== cachedBlock) {
      cached = src.read(start + block * sb.blockSize, sb.blockSize);
      cachedBlock = block;
    }
    const at = (g % perBlock) * sb.descSize;
    if (at + sb.descSize > cached.length) continue;
    let table = cached.readUInt32LE(at + 8);
    if (sb.descSize >= 64) table += cached.readUInt32LE(at + 0x28) * 2 ** 32;
    tables[g] = table * sb.blockSize;
  }
  return tables;
}
