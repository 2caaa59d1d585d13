// What a UBIFS holds, found the way the kernel finds it: the newest master node names the root of the index
// B+tree; its leaves are inode, directory-entry and data nodes. Data nodes are only located here (read when
// a file is read). When the index cannot be walked, every node of the main area is scanned instead and the
// highest sequence number wins per key, as a recovery tool would.
import type { ByteSource } from '../byte-source.js';
import {
  checkedNode,
  CH_SIZE,
  DATA_NODE,
  DENT_NODE,
  IDX_NODE,
  INO_NODE,
  INODE_FLG_XATTR,
  KEY_DATA,
  KEY_DENT,
  KEY_INO,
  KEY_XENT,
  LOG_LNUM,
  MST_LNUM,
  MST_NODE,
  parseDent,
  parseIndex,
  parseInode,
  parseMaster,
  readCommonHeader,
  readKey,
  type DentNode,
  type InodeNode,
  type MasterNode,
  type UbifsSuperblock,
} from './ubifs-nodes.js';

const MAGIC_BYTES = Buffer.from([0x31, 0x18, 0x10, 0x06]);

/** Largest node read: an index node of a wide fanout with authentication hashes, or a data node. */
const MAX_NODE_LEN = 64 * 1024;

export interface DataRef {
  block: number;
  lnum: number;
  offs: number;
  len: number;
}

export interface Catalog {
  inodes: Map<number, InodeNode>;
  /** Directory entries by parent inode number. */
  dents: Map<number, DentNode[]>;
  /** Data node locations by inode number (any order; sorted by the file reader). */
  data: Map<number, DataRef[]>;
  /** How the catalog was built. */
  source: 'index' | 'scan';
  xattrs: number;
  problems: string[];
}

/** Reads nodes by (LEB, offset) through a small cache of windows: index and inode nodes cluster. */
export class NodeReader {
  private readonly cache = new Map<number, Buffer>();
  private static readonly WINDOW = 64 * 1024;
  private static readonly KEEP = 32;

  constructor(
    readonly src: ByteSource,
    readonly sb: UbifsSuperblock,
  ) {}

  /** The node at (lnum, offs) of `len` bytes with a good CRC, or why not. */
  read(lnum: number, offs: number, len: number): { type: number; sqnum: number; node: Buffer } | string {
    if (lnum >= this.sb.lebCnt || offs % 8 !== 0 || len < CH_SIZE || len > MAX_NODE_LEN || offs + len > this.sb.lebSize) {
      return `node reference ${lnum}:${offs} (${len} bytes) lies outside the filesystem`;
    }
    const at = lnum * this.sb.lebSize + offs;
    const buf = this.window(at, len);
    if (buf.length < len) return `node ${lnum}:${offs} lies past the end of the image`;
    const n = checkedNode(buf);
    if (!n) return `node ${lnum}:${offs} is damaged (bad magic or CRC)`;
    if (n.ch.len !== len) return `node ${lnum}:${offs} is ${n.ch.len} bytes where the index says ${len}`;
    return { type: n.ch.type, sqnum: n.ch.sqnum, node: n.node };
  }

  /** Raw bytes of `len` bytes at (lnum, offs), checked to lie inside one LEB of the image, or why not. */
  readRaw(lnum: number, offs: number, len: number): Buffer | string {
    if (lnum >= this.sb.lebCnt || len < CH_SIZE || offs + len > this.sb.lebSize) return `node reference ${lnum}:${offs} (${len} bytes) lies outside the filesystem`;
    const buf = this.src.read(lnum * this.sb.lebSize + offs, len);
    return buf.length === len ? buf : `node ${lnum}:${offs} lies past the end of the image`;
  }

  private window(at: number, len: number): Buffer {
    const W = NodeReader.WINDOW;
    const w = Math.floor(at / W);
    if (Math.floor((at + len - 1) / W) !== w) return this.src.read(at, len);
    let buf = this.cache.get(w);
    if (!buf) {
      if (this.cache.size >= NodeReader.KEEP) this.cache.delete(this.cache.keys().next().value as number);
      buf = this.src.read(w * W, W);
      this.cache.set(w, buf);
    }
    const off = at - w * W;
    return buf.subarray(off, Math.min(buf.length, off + len));
  }

  /** Every well-formed node of one LEB, in order (nodes are 8-byte aligned; damage is stepped over). */
  *nodesOf(lnum: number, from = 0): Generator<{ offs: number; type: number; sqnum: number; node: Buffer }> {
    const leb = this.src.read(lnum * this.sb.lebSize, this.sb.lebSize);
    for (let offs = from; offs + CH_SIZE <= leb.length; ) {
      const ch = readCommonHeader(leb, offs);
      if (!ch) {
        // Jump to the next magic (8-byte aligned) instead of stepping through free space and damage.
        const next = leb.indexOf(MAGIC_BYTES, offs + 1);
        if (next < 0) return;
        offs = (next + 7) & ~7;
        continue;
      }
      const n = ch.len >= CH_SIZE ? checkedNode(leb, offs) : null;
      if (!n) {
        offs += 8;
        continue;
      }
      yield { offs, type: ch.type, sqnum: ch.sqnum, node: n.node };
      offs += (ch.len + 7) & ~7;
    }
  }
}

/** The newest valid master node of the two master LEBs. */
export function findMaster(reader: NodeReader): MasterNode | undefined {
  let best: MasterNode | undefined;
  for (const lnum of [MST_LNUM, MST_LNUM + 1]) {
    for (const n of reader.nodesOf(lnum)) {
      if (n.type !== MST_NODE) continue;
      const m = parseMaster({ crc: 0, sqnum: n.sqnum, len: n.node.length, type: n.type }, n.node);
      if (m && (!best || m.sqnum > best.sqnum)) best = m;
    }
  }
  return best;
}

function newCatalog(source: Catalog['source']): Catalog {
  return { inodes: new Map(), dents: new Map(), data: new Map(), source, xattrs: 0, problems: [] };
}

function addDent(cat: Catalog, d: DentNode): void {
  let list = cat.dents.get(d.parent);
  if (!list) cat.dents.set(d.parent, (list = []));
  list.push(d);
}

function addData(cat: Catalog, inum: number, ref: DataRef): void {
  let list = cat.data.get(inum);
  if (!list) cat.data.set(inum, (list = []));
  list.push(ref);
}

/**
 * Walks the index from the master's root. Returns undefined when the root itself is unusable (the caller
 * then scans); damage below the root is listed in `problems` and the rest is still walked.
 */
export function walkIndex(reader: NodeReader, master: MasterNode, signal?: AbortSignal): Catalog | undefined {
  const cat = newCatalog('index');
  const root = reader.read(master.rootLnum, master.rootOffs, master.rootLen);
  if (typeof root === 'string' || root.type !== IDX_NODE || !parseIndex(root.node)) return undefined;
  const seen = new Set<number>();
  // A hostile index could reference the same leaves over and over: no real one has more leaves than nodes fit.
  let leavesLeft = Math.floor((reader.sb.lebCnt * reader.sb.lebSize) / CH_SIZE);
  const stack: Array<{ lnum: number; offs: number; len: number; level: number | undefined }> = [
    { lnum: master.rootLnum, offs: master.rootOffs, len: master.rootLen, level: undefined },
  ];
  let steps = 0;
  while (stack.length) {
    if ((++steps & 4095) === 0) signal?.throwIfAborted();
    const at = stack.pop()!;
    const id = at.lnum * reader.sb.lebSize + at.offs;
    if (seen.has(id)) {
      cat.problems.push(`index node ${at.lnum}:${at.offs} is referenced twice (an index cycle); not walked again`);
      continue;
    }
    seen.add(id);
    const r = reader.read(at.lnum, at.offs, at.len);
    if (typeof r === 'string' || r.type !== IDX_NODE) {
      cat.problems.push(typeof r === 'string' ? `index: ${r}` : `index node ${at.lnum}:${at.offs} has type ${r.type}`);
      continue;
    }
    const idx = parseIndex(r.node);
    if (!idx || (at.level !== undefined && idx.level !== at.level)) {
      cat.problems.push(`index node ${at.lnum}:${at.offs} is malformed or at the wrong level`);
      continue;
    }
    if (idx.level > 0) {
      // Reverse, so that popping visits keys in order.
      for (let i = idx.branches.length - 1; i >= 0; i--) {
        const b = idx.branches[i]!;
        stack.push({ lnum: b.lnum, offs: b.offs, len: b.len, level: idx.level - 1 });
      }
      continue;
    }
    for (const b of idx.branches) {
      if (--leavesLeft < 0) {
        cat.problems.push('the index references more leaves than the filesystem can hold; the rest were skipped');
        return cat;
      }
      addLeaf(reader, cat, b.key.type, b.key.inum, b.key.value, b.lnum, b.offs, b.len);
    }
  }
  return cat;
}

function addLeaf(reader: NodeReader, cat: Catalog, keyType: number, inum: number, value: number, lnum: number, offs: number, len: number): void {
  if (keyType === KEY_DATA) {
    addData(cat, inum, { block: value, lnum, offs, len });
    return;
  }
  if (keyType === KEY_XENT) {
    cat.xattrs++;
    return;
  }
  if (keyType !== KEY_INO && keyType !== KEY_DENT) {
    cat.problems.push(`index leaf ${lnum}:${offs} has unknown key type ${keyType}`);
    return;
  }
  const r = reader.read(lnum, offs, len);
  if (typeof r === 'string') {
    cat.problems.push(r);
    return;
  }
  if (keyType === KEY_INO) {
    const ino = r.type === INO_NODE ? parseInode({ crc: 0, sqnum: r.sqnum, len, type: r.type }, r.node) : null;
    if (!ino || ino.inum !== inum) cat.problems.push(`index leaf ${lnum}:${offs} is not the inode node ${inum}`);
    else if (!(ino.flags & INODE_FLG_XATTR)) cat.inodes.set(inum, ino); // xattr value inodes are not files
    return;
  }
  const d = r.type === DENT_NODE ? parseDent({ crc: 0, sqnum: r.sqnum, len, type: r.type }, r.node) : null;
  if (!d || d.parent !== inum) cat.problems.push(`index leaf ${lnum}:${offs} is not a directory entry of inode ${inum}`);
  else addDent(cat, d);
}

/** Main-area LEBs: after the superblock, master, log, LPT and orphan areas. */
export function mainFirstLnum(sb: UbifsSuperblock): number {
  return LOG_LNUM + sb.logLebs + sb.lptLebs + sb.orphLebs;
}

/**
 * Recovery: every node of the main area, newest per key. A directory entry whose newest version names inode
 * 0 was deleted; an inode whose newest version has no links was deleted.
 */
export function scanNodes(reader: NodeReader, signal?: AbortSignal): Catalog {
  const cat = newCatalog('scan');
  const inodes = new Map<number, InodeNode>();
  const dents = new Map<string, DentNode>();
  const data = new Map<string, DataRef & { sqnum: number; inum: number }>();
  const available = Math.min(reader.sb.lebCnt, Math.ceil(reader.src.size / reader.sb.lebSize));
  for (let lnum = mainFirstLnum(reader.sb); lnum < available; lnum++) {
    signal?.throwIfAborted();
    for (const n of reader.nodesOf(lnum)) {
      const ch = { crc: 0, sqnum: n.sqnum, len: n.node.length, type: n.type };
      if (n.type === INO_NODE) {
        const ino = parseInode(ch, n.node);
        if (ino && !(ino.flags & INODE_FLG_XATTR) && (inodes.get(ino.inum)?.sqnum ?? -1) < ino.sqnum) inodes.set(ino.inum, ino);
      } else if (n.type === DENT_NODE) {
        const d = parseDent(ch, n.node);
        const k = d && `${d.parent}/${d.hash}/${d.name.toString('latin1')}`;
        if (d && k && (dents.get(k)?.sqnum ?? -1) < d.sqnum) dents.set(k, d);
      } else if (n.type === DATA_NODE && n.node.length >= 48) {
        const key = readKey(n.node, 24);
        const k = `${key.inum}/${key.value}`;
        if ((data.get(k)?.sqnum ?? -1) < n.sqnum) data.set(k, { block: key.value, lnum, offs: n.offs, len: n.node.length, sqnum: n.sqnum, inum: key.inum });
      }
    }
  }
  for (const [inum, ino] of inodes) if (ino.nlink > 0) cat.inodes.set(inum, ino);
  for (const d of dents.values()) if (d.inum !== 0) addDent(cat, d);
  for (const r of data.values()) if (cat.inodes.has(r.inum)) addData(cat, r.inum, { block: r.block, lnum: r.lnum, offs: r.offs, len: r.len });
  return cat;
}

/**
 * Fills the gaps a damaged index left with what a node scan found (entries, inodes and blocks the index
 * walk could not reach); returns how many were added. Only used when the walk met damage: on a healthy
 * filesystem a scan would also bring back deleted files whose nodes are not garbage-collected yet.
 */
export function mergeScan(cat: Catalog, scan: Catalog): number {
  let added = 0;
  for (const [inum, ino] of scan.inodes) {
    if (!cat.inodes.has(inum)) {
      cat.inodes.set(inum, ino);
      added++;
    }
  }
  for (const [parent, list] of scan.dents) {
    const have = cat.dents.get(parent) ?? [];
    const names = new Set(have.map((d) => d.name.toString('latin1')));
    const extra = list.filter((d) => !names.has(d.name.toString('latin1')));
    if (extra.length) {
      cat.dents.set(parent, [...have, ...extra]);
      added += extra.length;
    }
  }
  for (const [inum, refs] of scan.data) {
    const have = cat.data.get(inum) ?? [];
    const blocks = new Set(have.map((r) => r.block));
    const extra = refs.filter((r) => !blocks.has(r.block));
    if (extra.length) {
      cat.data.set(inum, [...have, ...extra]);
      added += extra.length;
    }
  }
  return added;
}
