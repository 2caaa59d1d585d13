// Journal replay: what was written after the last commit is not in the index yet. The log (from the LEB the
// master names) starts with the commit-start node of the current commit, then reference nodes naming the
// "buds" (LEB, offset) the journal heads wrote to since; every node in the buds is newer than the index and
// is applied over it in sequence-number order, as the kernel does on mount. A dump of a running device
// needs this: files changed since the last commit would otherwise show their old contents.
import {
  CS_NODE,
  DATA_NODE,
  DENT_NODE,
  INO_NODE,
  INODE_FLG_XATTR,
  LOG_LNUM,
  parseDent,
  parseInode,
  readKey,
  REF_NODE,
  TRUN_NODE,
  BLOCK_SIZE,
  type MasterNode,
} from './ubifs-nodes.js';
import type { Catalog, DataRef, NodeReader } from './ubifs-index.js';

interface Bud {
  lnum: number;
  offs: number;
}

interface Entry {
  sqnum: number;
  type: number;
  node: Buffer;
  lnum: number;
  offs: number;
}

/** The buds of the current journal, from the log; problems say where the log stopped making sense. */
export function readLog(reader: NodeReader, master: MasterNode, problems: string[]): Bud[] {
  const { logLebs } = reader.sb;
  const buds: Bud[] = [];
  let lnum = master.logLnum;
  if (lnum < LOG_LNUM || lnum >= LOG_LNUM + logLebs) {
    problems.push(`the master names log LEB ${lnum}, outside the log area; the journal was not replayed`);
    return buds;
  }
  let csSqnum = -1;
  for (let step = 0; step < logLebs; step++) {
    let first = true;
    for (const n of reader.nodesOf(lnum)) {
      if (csSqnum < 0) {
        // The log must open with the commit-start node of the commit the master records.
        const cmtNo = n.node.length >= 32 ? n.node.readUInt32LE(24) + n.node.readUInt32LE(28) * 2 ** 32 : -1;
        if (n.type !== CS_NODE || cmtNo !== master.cmtNo) {
          problems.push('the log does not start with the current commit; the journal was not replayed');
          return buds;
        }
        csSqnum = n.sqnum;
        first = false;
        continue;
      }
      // A later log LEB whose first node predates the commit is left over from an earlier one: the log ends.
      if (first && n.sqnum < csSqnum) return buds;
      first = false;
      if (n.type === CS_NODE) return buds;
      if (n.type === REF_NODE && n.node.length >= 36 && n.sqnum > csSqnum) {
        buds.push({ lnum: n.node.readUInt32LE(24), offs: n.node.readUInt32LE(28) });
      }
    }
    if (first) return buds; // an empty LEB ends the log
    lnum = lnum + 1 >= LOG_LNUM + logLebs ? LOG_LNUM : lnum + 1;
    if (lnum === master.logLnum) break;
  }
  return buds;
}

/** Applies the journal over the catalog the index gave; returns how many nodes were replayed. */
export function replayJournal(reader: NodeReader, master: MasterNode, cat: Catalog, signal?: AbortSignal): number {
  const buds = readLog(reader, master, cat.problems);
  const entries: Entry[] = [];
  const seenBuds = new Set<string>();
  for (const bud of buds) {
    signal?.throwIfAborted();
    const key = `${bud.lnum}:${bud.offs}`;
    if (seenBuds.has(key)) continue;
    seenBuds.add(key);
    if (bud.lnum >= reader.sb.lebCnt || bud.offs >= reader.sb.lebSize || bud.offs % 8 !== 0) {
      cat.problems.push(`the log references bud ${key}, outside the filesystem`);
      continue;
    }
    for (const n of reader.nodesOf(bud.lnum, bud.offs)) {
      if (n.type === INO_NODE || n.type === DATA_NODE || n.type === DENT_NODE || n.type === TRUN_NODE) {
        entries.push({ sqnum: n.sqnum, type: n.type, node: n.node, lnum: bud.lnum, offs: n.offs });
      }
    }
  }
  if (entries.length === 0) return 0;
  entries.sort((a, b) => a.sqnum - b.sqnum);
  const touched = new Map<number, Map<number, DataRef>>();
  const blocksOf = (inum: number): Map<number, DataRef> => {
    let m = touched.get(inum);
    if (!m) {
      m = new Map((cat.data.get(inum) ?? []).map((r) => [r.block, r]));
      touched.set(inum, m);
    }
    return m;
  };
  for (const e of entries) {
    const ch = { crc: 0, sqnum: e.sqnum, len: e.node.length, type: e.type };
    if (e.type === INO_NODE) {
      const ino = parseInode(ch, e.node);
      if (!ino || ino.flags & INODE_FLG_XATTR) continue;
      if (ino.nlink === 0) {
        cat.inodes.delete(ino.inum);
        touched.set(ino.inum, new Map());
      } else {
        cat.inodes.set(ino.inum, ino);
      }
    } else if (e.type === DENT_NODE) {
      const d = parseDent(ch, e.node);
      if (!d) continue;
      const list = (cat.dents.get(d.parent) ?? []).filter((x) => !x.name.equals(d.name));
      if (d.inum !== 0) list.push(d);
      cat.dents.set(d.parent, list);
    } else if (e.type === DATA_NODE && e.node.length >= 48) {
      const key = readKey(e.node, 24);
      blocksOf(key.inum).set(key.value, { block: key.value, lnum: e.lnum, offs: e.offs, len: e.node.length });
    } else if (e.type === TRUN_NODE && e.node.length >= 56) {
      const inum = e.node.readUInt32LE(24);
      const newSize = e.node.readUInt32LE(48) + e.node.readUInt32LE(52) * 2 ** 32;
      const keep = Math.ceil(newSize / BLOCK_SIZE);
      const blocks = blocksOf(inum);
      for (const b of blocks.keys()) if (b >= keep) blocks.delete(b);
    }
  }
  for (const [inum, blocks] of touched) {
    if (blocks.size) cat.data.set(inum, [...blocks.values()]);
    else cat.data.delete(inum);
  }
  return entries.length;
}
