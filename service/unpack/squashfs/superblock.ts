// The squashfs superblock, in its two layouts: 4.0 (96 bytes, 2009 on) and 2.x/3.x (119 packed bytes, the
// ones older vendor SDKs kept for years). Either byte order. Validation is strict enough to reject noise that
// happens to hold a magic: a power-of-two block size matching its log, table offsets in order and inside the
// image, a root inode inside the inode table.
import { BIG, LITTLE, type Endian } from './endian.js';

export const SUPERBLOCK_V4_SIZE = 96;
export const SUPERBLOCK_V3_SIZE = 119;
/** Image sizes are padded to this by mksquashfs (and the kernel's block device wants it). */
export const DEVICE_BLOCK = 4096;
export const METADATA_SIZE = 8192;
export const NO_TABLE = Number.POSITIVE_INFINITY;

export const Compression = { zlib: 1, lzma: 2, lzo: 3, xz: 4, lz4: 5, zstd: 6 } as const;
export const COMPRESSION_NAMES: Record<number, string> = { 1: 'gzip', 2: 'lzma', 3: 'lzo', 4: 'xz', 5: 'lz4', 6: 'zstd' };

/** Superblock flags (the low bits mean the same in every version). */
export const Flags = {
  noInodeCompression: 0x1,
  noDataCompression: 0x2,
  /** 2.x/3.x only: each metadata block has a marker byte after its header. */
  checkData: 0x4,
  noFragmentCompression: 0x8,
  noFragments: 0x10,
  alwaysFragments: 0x20,
  duplicates: 0x40,
  exportable: 0x80,
  noXattrCompression: 0x100,
  noXattrs: 0x200,
  compressorOptions: 0x400,
  noIds: 0x800,
} as const;

export interface InodeRef {
  /** Offset of the metadata block, from the start of the inode table. */
  block: number;
  /** Offset inside the decompressed block. */
  offset: number;
}

export interface Superblock {
  major: 2 | 3 | 4;
  minor: number;
  endian: Endian;
  magic: string;
  inodes: number;
  mkfsTime: number;
  blockSize: number;
  blockLog: number;
  fragments: number;
  compression: number;
  flags: number;
  rootInode: InodeRef;
  bytesUsed: number;
  inodeTableStart: number;
  directoryTableStart: number;
  /** NO_TABLE when absent. */
  fragmentTableStart: number;
  lookupTableStart: number;
  /** 4.0: the id table (uids and gids share it). */
  idTableStart: number;
  ids: number;
  xattrIdTableStart: number;
  /** 2.x/3.x: separate raw arrays of uids and gids. */
  uidStart: number;
  guidStart: number;
  uids: number;
  guids: number;
  /** 2.x/3.x metadata blocks carry a marker byte after their 2-byte header. */
  checkData: boolean;
  /**
   * Byte order of the metadata block headers: the superblock's, except in big-endian 4.0 images built by tools
   * that swapped every structure but left these headers little-endian (AVM-style); see probeMetadataEndian.
   */
  metaEndian: Endian;
  headerSize: number;
}

// The standard magics plus the byte-swapped-in-the-middle forms some vendors used to mark LZMA images.
const MAGICS_LE = ['hsqs', 'shsq', 'hsqt'];
const MAGICS_BE = ['sqsh', 'qshs', 'tqsh'];
export const SQUASHFS_MAGICS = [...MAGICS_LE, ...MAGICS_BE];

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
const absent = (v: number): boolean => v === NO_TABLE || v === 0xffffffff;

function refOf(v: number): InodeRef {
  return { block: Math.floor(v / 65536), offset: v % 65536 };
}

function endianOf(head: Buffer): { endian: Endian; magic: string } | null {
  const magic = head.toString('latin1', 0, 4);
  if (MAGICS_LE.includes(magic)) return { endian: LITTLE, magic };
  if (MAGICS_BE.includes(magic)) return { endian: BIG, magic };
  return null;
}

function parseV4(h: Buffer, e: Endian, magic: string): Superblock | null {
  if (h.length < SUPERBLOCK_V4_SIZE) return null;
  const sb: Superblock = {
    major: 4,
    minor: e.u16(h, 30),
    endian: e,
    magic,
    inodes: e.u32(h, 4),
    mkfsTime: e.u32(h, 8),
    blockSize: e.u32(h, 12),
    fragments: e.u32(h, 16),
    compression: e.u16(h, 20),
    blockLog: e.u16(h, 22),
    flags: e.u16(h, 24),
    ids: e.u16(h, 26),
    rootInode: refOf(e.u64(h, 32)),
    bytesUsed: e.u64(h, 40),
    idTableStart: e.u64(h, 48),
    xattrIdTableStart: e.u64(h, 56),
    inodeTableStart: e.u64(h, 64),
    directoryTableStart: e.u64(h, 72),
    fragmentTableStart: e.u64(h, 80),
    lookupTableStart: e.u64(h, 88),
    uidStart: NO_TABLE,
    guidStart: NO_TABLE,
    uids: 0,
    guids: 0,
    checkData: false,
    metaEndian: e,
    headerSize: SUPERBLOCK_V4_SIZE,
  };
  if (sb.minor !== 0 || sb.compression < 1 || sb.compression > 6) return null;
  if (sb.ids === 0 || sb.idTableStart >= sb.bytesUsed || sb.idTableStart < sb.directoryTableStart) return null;
  for (const t of [sb.xattrIdTableStart, sb.lookupTableStart]) if (!absent(t) && t >= sb.bytesUsed) return null;
  return sb;
}

/** Minor version 76 ("L") marks the LZMA builds of 2.x/3.x vendor trees; their layout is the 2.1/3.1 one. */
export const LZMA_MINOR = 76;

function parseV3(h: Buffer, e: Endian, magic: string, major: 2 | 3): Superblock | null {
  if (h.length < SUPERBLOCK_V3_SIZE) return null;
  // 3.x added 64-bit copies of the table offsets; an image that left them empty uses the 32-bit ones.
  const wideBytes = e.u64(h, 63);
  const wide = major === 3 && wideBytes > 0 && Number.isFinite(wideBytes);
  const sb: Superblock = {
    major,
    minor: e.u16(h, 30),
    endian: e,
    magic,
    inodes: e.u32(h, 4),
    mkfsTime: e.u32(h, 39),
    blockSize: e.u32(h, 51),
    blockLog: e.u16(h, 34),
    fragments: e.u32(h, 55),
    compression: 1,
    flags: h[36] as number,
    uids: h[37] as number,
    guids: h[38] as number,
    rootInode: refOf(e.u64(h, 43)),
    bytesUsed: wide ? e.u64(h, 63) : e.u32(h, 8),
    uidStart: wide ? e.u64(h, 71) : e.u32(h, 12),
    guidStart: wide ? e.u64(h, 79) : e.u32(h, 16),
    inodeTableStart: wide ? e.u64(h, 87) : e.u32(h, 20),
    directoryTableStart: wide ? e.u64(h, 95) : e.u32(h, 24),
    fragmentTableStart: wide ? e.u64(h, 103) : e.u32(h, 59),
    lookupTableStart: wide ? e.u64(h, 111) : NO_TABLE,
    idTableStart: NO_TABLE,
    ids: 0,
    xattrIdTableStart: NO_TABLE,
    checkData: ((h[36] as number) & Flags.checkData) !== 0,
    metaEndian: e,
    headerSize: SUPERBLOCK_V3_SIZE,
  };
  if ((sb.minor > 1 && sb.minor !== LZMA_MINOR) || sb.uids === 0) return null;
  if (sb.uidStart + sb.uids * 4 > sb.bytesUsed) return null;
  if (sb.guids > 0 && sb.guidStart + sb.guids * 4 > sb.bytesUsed) return null;
  return sb;
}

/** The superblock at the start of `head`, or null when these bytes cannot be one. */
export function parseSuperblock(head: Buffer): Superblock | null {
  if (head.length < SUPERBLOCK_V4_SIZE) return null;
  const id = endianOf(head);
  if (!id) return null;
  const major = id.endian.u16(head, 28);
  const sb = major === 4 ? parseV4(head, id.endian, id.magic) : major === 3 || major === 2 ? parseV3(head, id.endian, id.magic, major) : null;
  if (!sb) return null;
  const maxBlock = sb.major === 2 ? 64 * 1024 : 1024 * 1024;
  if (!isPow2(sb.blockSize) || sb.blockSize < 4096 || sb.blockSize > maxBlock || 1 << sb.blockLog !== sb.blockSize) return null;
  if (sb.inodes === 0 || !Number.isFinite(sb.bytesUsed) || sb.bytesUsed < sb.headerSize) return null;
  if (sb.inodeTableStart < sb.headerSize || sb.inodeTableStart >= sb.directoryTableStart || sb.directoryTableStart > sb.bytesUsed) return null;
  if (sb.fragments > 0 && (absent(sb.fragmentTableStart) || sb.fragmentTableStart >= sb.bytesUsed)) return null;
  if (sb.rootInode.block >= sb.directoryTableStart - sb.inodeTableStart || sb.rootInode.offset >= METADATA_SIZE) return null;
  if (!Number.isFinite(sb.mkfsTime)) return null;
  return sb;
}
const plausibleHeader = (v: number): boolean => (v & 0x7fff) > 0 && (v & 0x7fff) <= METADATA_SIZE;

/**
 * Picks the byte order of metadata headers from the first inode block's header (2 bytes at the inode table
 * start): the superblock's when that reads as a sane length, little-endian in a big-endian 4.0 image when only
 * that does. False when
 * neither does (noise, or a damaged image); undefined when the bytes are not there (a cut image).
 */
export function probeMetadataEndian(sb: Superblock, header: Buffer): boolean | undefined {
  if (header.length < 2) return undefined;
  if (plausibleHeader(sb.endian.u16(header, 0))) return true;
  // Only big-endian 4.0 images are known to mix the two (the other way round has never been seen).
  if (sb.endian.little || sb.major !== 4 || !plausibleHeader(LITTLE.u16(header, 0))) return false;
  sb.metaEndian = LITTLE;
  return true;
}
