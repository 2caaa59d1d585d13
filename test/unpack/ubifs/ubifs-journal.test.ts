// Journal replay. mkfs.ubifs commits everything, so the journal of a running device is made here the way
// the kernel writes it: nodes appended to a bud (free space of a main-area LEB) and a reference node naming
// that bud appended to the log after the commit-start node. The unpacker must show the journal's state, and
// ignore extended attributes (Debian's mkfs.ubifs stores none, so this is also where they are exercised).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { findMaster, mainFirstLnum, NodeReader } from '../../../service/unpack/ubifs/ubifs-index.js';
import { DENT_NODE, nodeCrc, parseDent, parseSuperblock } from '../../../service/unpack/ubifs/ubifs-nodes.js';
import { makeSourceTree, pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { hasTool, makeUbifs } from '../../fixtures/unpack/ubi.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-ubifs-journal-');

/** A node: common header (magic, CRC, sqnum, len, type) + body, CRC computed. */
function node(type: number, sqnum: number, body: Buffer): Buffer {
  const n = Buffer.concat([Buffer.alloc(24), body]);
  n.writeUInt32LE(0x06101831, 0);
  n.writeUInt32LE(sqnum % 2 ** 32, 8);
  n.writeUInt32LE(Math.floor(sqnum / 2 ** 32), 12);
  n.writeUInt32LE(n.length, 16);
  n[20] = type;
  n.writeUInt32LE(nodeCrc(n.subarray(8)), 4);
  return n;
}

function key(inum: number, type: number, value: number): Buffer {
  const k = Buffer.alloc(16);
  k.writeUInt32LE(inum, 0);
  k.writeUInt32LE(((type << 29) | value) >>> 0, 4);
  return k;
}

function inodeNode(sqnum: number, inum: number, size: number, mode: number, nlink: number, flags = 0, data = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(160 - 24);
  b.writeUInt32LE(flags, 108 - 24);
  b.writeUInt32LE(data.length, 112 - 24);
  key(inum, 0, 0).copy(b, 0);
  b.writeUInt32LE(size, 48 - 24);
  b.writeUInt32LE(1_700_000_000, 72 - 24);
  b.writeUInt32LE(nlink, 92 - 24);
  b.writeUInt32LE(mode, 104 - 24);
  return node(0, sqnum, Buffer.concat([b, data]));
}

function dataNode(sqnum: number, inum: number, block: number, data: Buffer): Buffer {
  const b = Buffer.alloc(48 - 24);
  key(inum, 1, block).copy(b, 0);
  b.writeUInt32LE(data.length, 40 - 24);
  return node(1, sqnum, Buffer.concat([b, data]));
}

/** A directory entry (node type 2), or with xattr = true an extended-attribute entry (type 3). */
function dentNode(sqnum: number, parent: number, name: string, inum: number, itype: number, xattr = false): Buffer {
  const b = Buffer.alloc(56 - 24);
  key(parent, xattr ? 3 : 2, pseudoRandom(4, sqnum).readUInt32LE(0) & 0x1fffffff).copy(b, 0);
  b.writeUInt32LE(inum, 40 - 24);
  b[49 - 24] = itype;
  b.writeUInt16LE(Buffer.byteLength(name), 50 - 24);
  return node(xattr ? 3 : 2, sqnum, Buffer.concat([b, Buffer.from(name), Buffer.alloc(1)]));
}

function truncNode(sqnum: number, inum: number, oldSize: number, newSize: number): Buffer {
  const b = Buffer.alloc(56 - 24);
  b.writeUInt32LE(inum, 0);
  b.writeUInt32LE(oldSize, 40 - 24);
  b.writeUInt32LE(newSize, 48 - 24);
  return node(4, sqnum, b);
}

function refNode(sqnum: number, lnum: number, offs: number): Buffer {
  const b = Buffer.alloc(64 - 24);
  b.writeUInt32LE(lnum, 0);
  b.writeUInt32LE(offs, 4);
  b.writeUInt32LE(1, 8);
  return node(8, sqnum, b);
}

/** Concatenates nodes at 8-byte alignment. */
function pack(nodes: Buffer[]): Buffer {
  return Buffer.concat(nodes.map((n) => Buffer.concat([n, Buffer.alloc((8 - (n.length % 8)) % 8)])));
}

describe.skipIf(!hasTool('mkfs.ubifs'))('ubifs journal replay', () => {
  it('applies new files, rewrites, deletions and truncations written after the last commit', async () => {
    const src = path.join(work, 'tree');
    makeSourceTree(src);
    const img = fs.readFileSync(makeUbifs(src, path.join(work, 'base.ubifs'), { compression: 'zlib' }));
    const sb = parseSuperblock(img.subarray(0, 4096))!;
    const reader = new NodeReader(new BufferSource(img), sb);
    const master = findMaster(reader)!;
    // Inode numbers of existing files, from their directory entries; the newest sequence number.
    const inums = new Map<string, number>();
    let maxSqnum = 0;
    for (let lnum = 0; lnum < sb.lebCnt; lnum++) {
      for (const n of reader.nodesOf(lnum)) {
        maxSqnum = Math.max(maxSqnum, n.sqnum);
        if (n.type === DENT_NODE) {
          const d = parseDent({ crc: 0, sqnum: n.sqnum, len: n.node.length, type: n.type }, n.node)!;
          inums.set(d.name.toString(), d.inum);
        }
      }
    }
    let sq = maxSqnum + 100;
    const passwd = 'root:x:0:0:changed after the commit:/root:/bin/sh\n';
    const fresh = 'written after the last commit\n';
    const newInum = master.highestInum + 1;
    const journal = pack([
      inodeNode(++sq, newInum, fresh.length, 0o100600, 1),
      dataNode(++sq, newInum, 0, Buffer.from(fresh)),
      dentNode(++sq, 1, 'journal-new.txt', newInum, 0),
      inodeNode(++sq, inums.get('passwd')!, passwd.length, 0o100644, 1),
      dataNode(++sq, inums.get('passwd')!, 0, Buffer.from(passwd)),
      dentNode(++sq, 1, 'empty', 0, 0),
      inodeNode(++sq, inums.get('empty')!, 0, 0o100644, 0),
      truncNode(++sq, inums.get('busybox')!, 200_000, 5000),
      inodeNode(++sq, inums.get('busybox')!, 5000, 0o100755, 2),
      // An extended attribute on passwd: its entry and the inode holding its value (UBIFS_XATTR_FL).
      dentNode(++sq, inums.get('passwd')!, 'user.comment', newInum + 1, 0, true),
      inodeNode(++sq, newInum + 1, 5, 0o100644, 1, 0x20, Buffer.from('hello')),
    ]);
    // The bud: the free tail of a main-area LEB, at a min-I/O boundary.
    let bud: { lnum: number; offs: number } | undefined;
    for (let lnum = mainFirstLnum(sb); lnum < sb.lebCnt && !bud; lnum++) {
      const leb = img.subarray(lnum * sb.lebSize, (lnum + 1) * sb.lebSize);
      let used = leb.length;
      while (used > 0 && leb[used - 1] === 0xff) used--;
      const offs = Math.ceil(used / sb.minIoSize) * sb.minIoSize;
      if (lnum !== master.rootLnum && sb.lebSize - offs >= journal.length) bud = { lnum, offs };
    }
    expect(bud).toBeDefined();
    journal.copy(img, bud!.lnum * sb.lebSize + bud!.offs);
    // The reference in the log, after the commit-start node (and its padding) of the current commit.
    const log = img.subarray(master.logLnum * sb.lebSize, (master.logLnum + 1) * sb.lebSize);
    let logUsed = log.length;
    while (logUsed > 0 && log[logUsed - 1] === 0xff) logUsed--;
    refNode(++sq, bud!.lnum, bud!.offs).copy(log, Math.ceil(logUsed / sb.minIoSize) * sb.minIoSize);
    const image = path.join(work, 'journal.ubifs');
    fs.writeFileSync(image, img);

    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]!;
    // The xattr adds no entry to the tree.
    expect([...view.walk()].filter((n) => n.path.includes('user.comment'))).toEqual([]);
    expect((await view.read('/journal-new.txt')).toString()).toBe(fresh);
    expect(view.lstat('/journal-new.txt')?.mode).toBe(0o600);
    expect((await view.read('/etc/passwd')).toString()).toBe(passwd);
    expect(view.lstat('/empty')).toBeUndefined();
    const busybox = await view.read('/bin/busybox');
    expect(busybox.equals(fs.readFileSync(path.join(src, 'bin/busybox')).subarray(0, 5000))).toBe(true);
    // The hard link shares the inode: it is truncated too.
    expect(view.lstat('/bin/ls')?.size).toBe(5000);
    // Untouched files keep their committed contents.
    expect((await view.read('/etc/shadow')).equals(fs.readFileSync(path.join(src, 'etc/shadow')))).toBe(true);
  });
});
