// UBIFS on-flash nodes (fs/ubifs/ubifs-media.h), little-endian: every node starts with a 24-byte common
// header (magic, CRC, sequence number, length, type) and is 8-byte aligned. Keys use the "simple" format:
// inode number, then 3 bits of key type and 29 bits of block number or name hash.
import { crc32 } from '../codecs/checksums.js';

export const NODE_MAGIC = 0x06101831;
export const CH_SIZE = 24;

export const INO_NODE = 0;
export const DATA_NODE = 1;
export const DENT_NODE = 2;
export const XENT_NODE = 3;
export const TRUN_NODE = 4;
export const PAD_NODE = 5;
export const SB_NODE = 6;
export const MST_NODE = 7;
export const REF_NODE = 8;
export const IDX_NODE = 9;
export const CS_NODE = 10;

export const KEY_INO = 0;
export const KEY_DATA = 1;
export const KEY_DENT = 2;
export const KEY_XENT = 3;

export const ROOT_INUM = 1;
export const BLOCK_SIZE = 4096;
export const SB_LNUM = 0;
export const MST_LNUM = 1;
export const LOG_LNUM = 3;

export const INO_NODE_SIZE = 160;
export const DATA_NODE_SIZE = 48;
export const DENT_NODE_SIZE = 56;
export const IDX_NODE_SIZE = 28;
const SB_FLG_ENCRYPTION = 0x10;
export const INODE_FLG_XATTR = 0x20;
export const INODE_FLG_CRYPT = 0x40;

/** Largest node UBIFS writes (a data node of a 4 KiB block with its header; inode nodes with xattr data are smaller). */
export const MAX_NODE_SIZE = 4096 + 4096;

export interface CommonHeader {
  crc: number;
  sqnum: number;
  len: number;
  type: number;
}

/** UBIFS's CRC is UBI's: crc32 seeded with ~0, not inverted at the end. */
export function nodeCrc(node: Uint8Array): number {
  return ~crc32(node) >>> 0;
}

export function readCommonHeader(b: Buffer, at = 0): CommonHeader | null {
  if (at + CH_SIZE > b.length || b.readUInt32LE(at) !== NODE_MAGIC) return null;
  return {
    crc: b.readUInt32LE(at + 4),
    sqnum: b.readUInt32LE(at + 8) + b.readUInt32LE(at + 12) * 2 ** 32,
    len: b.readUInt32LE(at + 16),
    type: b[at + 20] as number,
  };
}

/** The node at `at` when its magic, length and CRC all hold. */
export function checkedNode(b: Buffer, at = 0): { ch: CommonHeader; node: Buffer } | null {
  const ch = readCommonHeader(b, at);
  if (!ch || ch.len < CH_SIZE || at + ch.len > b.length) return null;
  const node = b.subarray(at, at + ch.len);
  return nodeCrc(node.subarray(8)) === ch.crc ? { ch, node } : null;
}

export interface Key {
  inum: number;
  type: number;
  /** Block number (data keys) or name hash (entry keys). */
  value: number;
}

export function readKey(b: Buffer, at: number): Key {
  const w1 = b.readUInt32LE(at + 4);
  return { inum: b.readUInt32LE(at), type: w1 >>> 29, value: w1 & 0x1fffffff };
}

export interface UbifsSuperblock {
  keyHash: number;
  keyFmt: number;
  flags: number;
  minIoSize: number;
  lebSize: number;
  lebCnt: number;
  maxLebCnt: number;
  logLebs: number;
  lptLebs: number;
  orphLebs: number;
  fanout: number;
  fmtVersion: number;
  defaultCompr: number;
  encrypted: boolean;
}

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

export function parseSuperblock(node: Buffer): UbifsSuperblock | null {
  if (node.length < 128) return null;
  const sb: UbifsSuperblock = {
    keyHash: node[26] as number,
    keyFmt: node[27] as number,
    flags: node.readUInt32LE(28),
    minIoSize: node.readUInt32LE(32),
    lebSize: node.readUInt32LE(36),
    lebCnt: node.readUInt32LE(40),
    maxLebCnt: node.readUInt32LE(44),
    logLebs: node.readUInt32LE(56),
    lptLebs: node.readUInt32LE(60),
    orphLebs: node.readUInt32LE(64),
    fanout: node.readUInt32LE(72),
    fmtVersion: node.readUInt32LE(80),
    defaultCompr: node.readUInt16LE(84),
    encrypted: (node.readUInt32LE(28) & SB_FLG_ENCRYPTION) !== 0,
  };
  const ok =
    sb.keyFmt === 0 && isPow2(sb.minIoSize) && sb.minIoSize <= sb.lebSize && sb.lebSize >= 4096 && sb.lebSize <= 16 * 1024 * 1024 &&
    sb.lebSize % 8 === 0 && sb.lebCnt >= 4 && sb.lebCnt <= sb.maxLebCnt && sb.fmtVersion >= 1 && sb.fmtVersion <= 5 &&
    sb.logLebs >= 1 && sb.lptLebs >= 1 && sb.fanout >= 3 && sb.lebCnt > 3 + sb.logLebs + sb.lptLebs + sb.orphLebs;
  return ok ? sb : null;
}

export interface MasterNode {
  sqnum: number;
  highestInum: number;
  cmtNo: number;
  logLnum: number;
  rootLnum: number;
  rootOffs: number;
  rootLen: number;
}

export function parseMaster(ch: CommonHeader, node: Buffer): MasterNode | null {
  if (node.length < 60) return null;
  return {
    sqnum: ch.sqnum,
    highestInum: node.readUInt32LE(24) + node.readUInt32LE(28) * 2 ** 32,
    cmtNo: node.readUInt32LE(32) + node.readUInt32LE(36) * 2 ** 32,
    logLnum: node.readUInt32LE(44),
    rootLnum: node.readUInt32LE(48),
    rootOffs: node.readUInt32LE(52),
    rootLen: node.readUInt32LE(56),
  };
}

export interface Branch {
  lnum: number;
  offs: number;
  len: number;
  key: Key;
}

export function parseIndex(node: Buffer): { level: number; branches: Branch[] } | null {
  if (node.length < IDX_NODE_SIZE) return null;
  const count = node.readUInt16LE(24);
  const level = node.readUInt16LE(26);
  if (count === 0) return null;
  // Branch = lnum, offs, len, 8-byte key, then a hash when the filesystem is authenticated: derive its size.
  const size = (node.length - IDX_NODE_SIZE) / count;
  if (!Number.isInteger(size) || size < 20) return null;
  const branches: Branch[] = [];
  for (let i = 0; i < count; i++) {
    const at = IDX_NODE_SIZE + i * size;
    branches.push({ lnum: node.readUInt32LE(at), offs: node.readUInt32LE(at + 4), len: node.readUInt32LE(at + 8), key: readKey(node, at + 12) });
  }
  return { level, branches };
}

export interface InodeNode {
  inum: number;
  sqnum: number;
  size: number;
  mtime: number;
  nlink: number;
  uid: number;
  gid: number;
  mode: number;
  flags: number;
  /** Symlink target or device number (data_len bytes after the header). */
  data: Buffer;
}

export function parseInode(ch: CommonHeader, node: Buffer): InodeNode | null {
  if (node.length < INO_NODE_SIZE) return null;
  const dataLen = node.readUInt32LE(112);
  if (INO_NODE_SIZE + dataLen > node.length) return null;
  return {
    inum: node.readUInt32LE(24),
    sqnum: ch.sqnum,
    size: node.readUInt32LE(48) + node.readUInt32LE(52) * 2 ** 32,
    mtime: node.readUInt32LE(72) + node.readInt32LE(76) * 2 ** 32,
    nlink: node.readUInt32LE(92),
    uid: node.readUInt32LE(96),
    gid: node.readUInt32LE(100),
    mode: node.readUInt32LE(104),
    flags: node.readUInt32LE(108),
    data: Buffer.from(node.subarray(INO_NODE_SIZE, INO_NODE_SIZE + dataLen)),
  };
}

export interface DentNode {
  parent: number;
  hash: number;
  inum: number;
  type: number;
  name: Buffer;
  sqnum: number;
}

export function parseDent(ch: CommonHeader, node: Buffer): DentNode | null {
  if (node.length < DENT_NODE_SIZE) return null;
  const key = readKey(node, 24);
  const nlen = node.readUInt16LE(50);
  if (DENT_NODE_SIZE + nlen > node.length) return null;
  return {
    parent: key.inum,
    hash: key.value,
    inum: node.readUInt32LE(40) + node.readUInt32LE(44) * 2 ** 32,
    type: node[49] as number,
    name: Buffer.from(node.subarray(DENT_NODE_SIZE, DENT_NODE_SIZE + nlen)),
    sqnum: ch.sqnum,
  };
}

/** Device number of a special inode: new_encode_dev in 4 bytes (or the same in 8, "huge"). */
export function inodeDevice(data: Buffer): { major: number; minor: number } {
  const dev = data.length >= 4 ? data.readUInt32LE(0) : 0;
  return { major: (dev & 0xfff00) >>> 8, minor: (dev & 0xff) | ((dev >>> 12) & 0xfff00) };
}
