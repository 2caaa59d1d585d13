// ext inodes: where one lives (group's inode table + index), the fields a file listing needs, and the
// "system.data" extended attribute that holds the tail of inline data (ext4 inline_data feature).
import type { ByteSource } from '../byte-source.js';
import { INCOMPAT_LARGEDIR, type Superblock } from './superblock.js';

export const ROOT_INO = 2;

export const FLAG_ENCRYPT = 0x800;
export const FLAG_EXTENTS = 0x80000;
export const FLAG_INLINE_DATA = 0x10000000;

export interface Inode {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  links: number;
  /** 512-byte sectors (or blocks with huge_file's EXT4_HUGE_FILE_FL): only compared to 0 here. */
  blocks: number;
  flags: number;
  fileAcl: number;
  /** i_block: 60 bytes of block pointers, extent root, fast symlink target or inline data. */
  iblock: Buffer;
  /** The in-inode extended attribute area (after i_extra_isize); kept for inline-data inodes only. */
  extra: Buffer;
}

const XATTR_MAGIC = 0xea020000;
const NO_EXTRA = Buffer.alloc(0);
const XATTR_INDEX_SYSTEM = 7;

/** Reads inodes through a small cache of inode-table windows: a directory walk hits neighbours in a row. */
export class InodeReader {
  private readonly cache = new Map<number, Buffer>();
  private static readonly WINDOW = 64 * 1024;
  private static readonly CACHED_WINDOWS = 64;

  constructor(
    private readonly src: ByteSource,
    private readonly sb: Superblock,
    /** Byte offset of each group's inode table inside src (NaN: unreadable descriptor). */
    private readonly tables: Float64Array,
  ) {}

  /** The inode, or a reason it cannot be read. */
  read(ino: number): Inode | string {
    if (!Number.isInteger(ino) || ino < 1 || ino > this.sb.inodesCount) return `inode ${ino} is out of range`;
    const group = Math.floor((ino - 1) / this.sb.inodesPerGroup);
    const table = this.tables[group];
    if (table === undefined || Number.isNaN(table)) return `inode ${ino} lies in group ${group}, whose descriptor is unreadable`;
    const at = table + ((ino - 1) % this.sb.inodesPerGroup) * this.sb.inodeSize;
    const raw = this.window(at, this.sb.inodeSize);
    if (raw.length < 128) return `inode ${ino} lies past the end of the image`;
    return parseInode(ino, raw, this.sb);
  }

  private window(at: number, len: number): Buffer {
    const W = InodeReader.WINDOW;
    const w = Math.floor(at / W);
    if (Math.floor((at + len - 1) / W) !== w) return this.src.read(at, len);
    let buf = this.cache.get(w);
    if (!buf) {
      if (this.cache.size >= InodeReader.CACHED_WINDOWS) this.cache.delete(this.cache.keys().next().value as number);
      buf = this.src.read(w * W, W);
      this.cache.set(w, buf);
    }
    const off = at - w * W;
    return buf.subarray(off, Math.min(buf.length, off + len));
  }
}

function parseInode(ino: number, raw: Buffer, sb: Superblock): Inode {
  const mode = raw.readUInt16LE(0);
  const isReg = (mode & 0o170000) === 0o100000;
  const isDir = (mode & 0o170000) === 0o040000;
  // i_size_high is the directory ACL on old filesystems: it counts for directories only with largedir.
  const sizeHigh = isReg || (isDir && sb.incompat & INCOMPAT_LARGEDIR) ? raw.readUInt32LE(0x6c) : 0;
  const extraIsize = raw.length > 0x82 ? raw.readUInt16LE(0x80) : 0;
  const extraStart = 128 + extraIsize;
  const flags = raw.readUInt32LE(0x20);
  return {
    ino,
    mode,
    uid: raw.readUInt16LE(0x02) | (raw.readUInt16LE(0x78) << 16),
    gid: raw.readUInt16LE(0x18) | (raw.readUInt16LE(0x7a) << 16),
    size: raw.readUInt32LE(0x04) + sizeHigh * 2 ** 32,
    mtime: raw.readUInt32LE(0x10),
    links: raw.readUInt16LE(0x1a),
    blocks: raw.readUInt32LE(0x1c) + raw.readUInt16LE(0x74) * 2 ** 32,
    flags,
    fileAcl: raw.readUInt32LE(0x68) + raw.readUInt16LE(0x76) * 2 ** 32,
    // Copied: the window cache may drop the buffer this is a view of while the tree still holds the inode.
    iblock: Buffer.from(raw.subarray(0x28, 0x64)),
    // Only inline data reads the in-inode attributes: other inodes do not keep a copy.
    extra: flags & FLAG_INLINE_DATA && extraStart + 4 <= raw.length && extraIsize % 4 === 0 ? Buffer.from(raw.subarray(extraStart)) : NO_EXTRA,
  };
}

/** The value of the in-inode "system.data" attribute (inline data past the first 60 bytes), or empty. */
export function inlineDataTail(inode: Inode): Buffer {
  const x = inode.extra;
  if (x.length < 4 || x.readUInt32LE(0) !== XATTR_MAGIC) return Buffer.alloc(0);
  const base = 4;
  let at = base;
  // Each entry is at least 16 bytes: the walk ends within the inode whatever the bytes say.
  while (at + 16 <= x.length && x.readUInt32LE(at) !== 0) {
    const nameLen = x[at] as number;
    const index = x[at + 1] as number;
    const valueOffs = x.readUInt16LE(at + 2);
    const valueInum = x.readUInt32LE(at + 4);
    const valueSize = x.readUInt32LE(at + 8);
    const name = x.toString('latin1', at + 16, at + 16 + nameLen);
    if (index === XATTR_INDEX_SYSTEM && name === 'data' && valueInum === 0) {
      const s = base + valueOffs;
      return s + valueSize <= x.length ? x.subarray(s, s + valueSize) : Buffer.alloc(0);
    }
    at += (16 + nameLen + 3) & ~3;
  }
  return Buffer.alloc(0);
}

/** Inline data of a file, symlink or directory: i_block then the system.data tail. */
export function inlineData(inode: Inode): Buffer {
  const tail = inlineDataTail(inode);
  return tail.length ? Buffer.concat([inode.iblock, tail]) : inode.iblock;
}

/** Device numbers from i_block, old (8:8 in word 0) or new (12:20 split in word 1) encoding. */
export function deviceNumbers(inode: Inode): { major: number; minor: number } {
  const old = inode.iblock.readUInt32LE(0);
  if (old !== 0) return { major: (old >>> 8) & 0xff, minor: old & 0xff };
  const nw = inode.iblock.readUInt32LE(4);
  return { major: (nw & 0xfff00) >>> 8, minor: (nw & 0xff) | ((nw >>> 12) & 0xfff00) };
}
