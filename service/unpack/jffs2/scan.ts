// Reads every node of a JFFS2 image into inode and directory-entry records, checking each node's CRCs (a
// node with a bad CRC is left out and reported, as the kernel does). What is kept per node is a few numbers,
// never its data: file contents are decoded later, when read.
import { ErrorCodes, type ErrorCode } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { comprName, comprSupported } from './decompress.js';
import type { DataNode } from './inode-file.js';
import {
  DIRENT_SIZE,
  FEATURE_INCOMPAT,
  FEATURE_MASK,
  INODE_SIZE,
  NODETYPE_CLEANMARKER,
  NODETYPE_DIRENT,
  NODETYPE_INODE,
  NODETYPE_PADDING,
  NODETYPE_SUMMARY,
  NODETYPE_XATTR,
  NODETYPE_XREF,
  NODE_ACCURATE,
  jffs2Crc,
  walkNodes,
  type NodeHeader,
  type WalkResult,
  type WindowReader,
} from './nodes.js';

export interface InodeMeta {
  version: number;
  pos: number;
  mode: number;
  uid: number;
  gid: number;
  isize: number;
  mtime: number;
}

export interface InodeRecord {
  /** Metadata of the highest version seen. */
  meta: InodeMeta;
  nodes: DataNode[];
}

export interface DirentRecord {
  pino: number;
  version: number;
  pos: number;
  /** 0: the name was deleted. */
  ino: number;
  type: number;
  name: string;
}

export interface ScanResult {
  inodes: Map<number, InodeRecord>;
  dirents: DirentRecord[];
  walk: WalkResult;
  obsolete: number;
}

export type Problem = (code: ErrorCode, message: string) => void;

export function scanImage(img: ByteSource, le: boolean, problem: Problem, signal?: AbortSignal): ScanResult {
  const inodes = new Map<number, InodeRecord>();
  const dirents: DirentRecord[] = [];
  let obsolete = 0;
  const unsupported = new Set<number>();
  const u16 = (b: Buffer, at: number): number => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (b: Buffer, at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));

  const inode = (hdr: NodeHeader, r: WindowReader): void => {
    const h = r.get(hdr.pos, INODE_SIZE);
    if (hdr.totlen < INODE_SIZE || h.length < INODE_SIZE) {
      problem(ErrorCodes.UNPACK_MALFORMED, `inode node at ${hdr.pos} is too short (${hdr.totlen} bytes); skipped`);
      return;
    }
    if (jffs2Crc(h.subarray(0, INODE_SIZE - 8)) !== u32(h, 64)) {
      problem(ErrorCodes.UNPACK_MALFORMED, `inode node at ${hdr.pos} has a bad node CRC; skipped`);
      return;
    }
    const ino = u32(h, 12);
    const version = u32(h, 16);
    const csize = u32(h, 48);
    const dsize = u32(h, 52);
    const compr = h[56] as number;
    if (csize > hdr.totlen - INODE_SIZE) {
      problem(ErrorCodes.UNPACK_MALFORMED, `inode node at ${hdr.pos} declares ${csize} data bytes in a ${hdr.totlen}-byte node; skipped`);
      return;
    }
    const data = r.get(hdr.pos + INODE_SIZE, csize);
    if (data.length < csize) return; // cut short: the walk reports the truncation
    if (jffs2Crc(data) !== u32(h, 60)) {
      problem(ErrorCodes.UNPACK_MALFORMED, `inode node at ${hdr.pos} (ino ${ino}) has a bad data CRC; skipped`);
      return;
    }
    if (dsize > 0 && !comprSupported(compr) && !unsupported.has(compr)) {
      unsupported.add(compr);
      problem(ErrorCodes.UNPACK_UNSUPPORTED, `data nodes compressed with ${comprName(compr)} cannot be decoded; those files will not read`);
    }
    const meta: InodeMeta = { version, pos: hdr.pos, mode: u32(h, 20), uid: u16(h, 24), gid: u16(h, 26), isize: u32(h, 28), mtime: u32(h, 36) };
    let rec = inodes.get(ino);
    if (!rec) {
      rec = { meta, nodes: [] };
      inodes.set(ino, rec);
    } else if (version > rec.meta.version || (version === rec.meta.version && hdr.pos > rec.meta.pos)) {
      rec.meta = meta;
    }
    rec.nodes.push({ version, pos: hdr.pos, offset: u32(h, 44), dsize, csize, compr, dataPos: hdr.pos + INODE_SIZE });
  };

  const dirent = (hdr: NodeHeader, r: WindowReader): void => {
    const h = r.get(hdr.pos, DIRENT_SIZE);
    if (hdr.totlen < DIRENT_SIZE || h.length < DIRENT_SIZE) {
      problem(ErrorCodes.UNPACK_MALFORMED, `dirent node at ${hdr.pos} is too short (${hdr.totlen} bytes); skipped`);
      return;
    }
    if (jffs2Crc(h.subarray(0, DIRENT_SIZE - 8)) !== u32(h, 32)) {
      problem(ErrorCodes.UNPACK_MALFORMED, `dirent node at ${hdr.pos} has a bad node CRC; skipped`);
      return;
    }
    const nsize = h[28] as number;
    if (nsize > hdr.totlen - DIRENT_SIZE) {
      problem(ErrorCodes.UNPACK_MALFORMED, `dirent node at ${hdr.pos} has a ${nsize}-byte name in a ${hdr.totlen}-byte node; skipped`);
      return;
    }
    const name = r.get(hdr.pos + DIRENT_SIZE, nsize);
    if (name.length < nsize) return;
    if (jffs2Crc(name) !== u32(h, 36)) {
      problem(ErrorCodes.UNPACK_MALFORMED, `dirent node at ${hdr.pos} has a bad name CRC; skipped`);
      return;
    }
    dirents.push({ pino: u32(h, 12), version: u32(h, 16), pos: hdr.pos, ino: u32(h, 20), type: h[29] as number, name: name.toString('utf8') });
  };

  const walk = walkNodes(
    img,
    0,
    img.size,
    le,
    (hdr, r) => {
      if ((hdr.nodetype & NODE_ACCURATE) === 0) {
        obsolete++;
        return;
      }
      switch (hdr.nodetype) {
        case NODETYPE_INODE:
          return inode(hdr, r);
        case NODETYPE_DIRENT:
          return dirent(hdr, r);
        case NODETYPE_CLEANMARKER:
        case NODETYPE_PADDING:
        case NODETYPE_SUMMARY: // a digest of its erase block's nodes, which we read anyway
        case NODETYPE_XATTR:
        case NODETYPE_XREF:
          return;
        default:
          if ((hdr.nodetype & FEATURE_MASK) === FEATURE_INCOMPAT && !unsupported.has(hdr.nodetype)) {
            unsupported.add(hdr.nodetype);
            problem(ErrorCodes.UNPACK_UNSUPPORTED, `unknown incompatible node type 0x${hdr.nodetype.toString(16)}; such nodes were skipped`);
          }
      }
    },
    signal,
  );
  for (const g of walk.garbage) problem(ErrorCodes.UNPACK_MALFORMED, `${g.end - g.start} bytes at ${g.start} are neither nodes nor erased flash; skipped`);
  if (walk.truncated) problem(ErrorCodes.UNPACK_TRUNCATED, 'jffs2 image cut short: its last node runs past the end');
  return { inodes, dirents, walk, obsolete };
}
