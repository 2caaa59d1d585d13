// The JFFS2 log as a mounted filesystem leaves it, written node by node (Jffs2Builder): data ranges
// rewritten at newer versions (the highest version wins per byte, whatever the order on flash), names
// deleted (a dirent to ino 0) or renamed, hard links, holes, isize cuts, obsolete nodes, nodes with bad CRCs,
// an unknown incompatible node, garbage between nodes, and the compressors Debian's mkfs.jffs2 lacks
// (OpenWrt's LZMA, id 8, and the mtd-utils patch's, id 0x15).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jffs2Crc } from '../../../service/unpack/jffs2/nodes.js';
import { COMPR, DT, Jffs2Builder, lzmaForJffs2 } from '../../fixtures/unpack/jffs2.js';
import { pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-jffs2-log-');
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

interface Write {
  version: number;
  offset: number;
  data: Buffer;
}

/** What the file holds when each byte comes from the highest version covering it. */
function overlay(size: number, writes: Write[]): Buffer {
  const out = Buffer.alloc(size);
  for (const w of [...writes].sort((a, b) => a.version - b.version)) w.data.copy(out, w.offset, 0, Math.max(0, Math.min(w.data.length, size - w.offset)));
  return out;
}

const TEXT = Buffer.from(Array.from({ length: 400 }, (_, i) => `row ${i} of a compressible text file\n`).join(''));

function buildLog(le: boolean): { image: Buffer; expected: Record<string, Buffer> } {
  const b = new Jffs2Builder(le, 0x10000);
  const file = (ino: number, version: number, isize: number, offset: number, data: Buffer, compr: number = COMPR.none, dsize?: number): number =>
    b.inode({ ino, version, mode: S_IFREG | 0o644, isize, offset, data, compr, ...(dsize !== undefined ? { dsize } : {}) });
  b.cleanmarker();
  b.dirent({ pino: 1, version: 1, ino: 2, name: 'a.txt', type: DT.reg });
  b.dirent({ pino: 1, version: 2, ino: 3, name: 'dir', type: DT.dir });
  b.inode({ ino: 3, version: 1, mode: S_IFDIR | 0o750, isize: 0 });
  b.dirent({ pino: 3, version: 3, ino: 4, name: 'b.txt', type: DT.reg });

  // a.txt: versions written out of order; per byte the highest version wins.
  const writes: Write[] = [
    { version: 1, offset: 0, data: Buffer.alloc(20, 0x41) },
    { version: 4, offset: 8, data: Buffer.from('CCCC') },
    { version: 2, offset: 5, data: Buffer.from('BBBBB') },
    { version: 3, offset: 6, data: Buffer.from('DDDDDDDD') },
  ];
  for (const w of writes) file(2, w.version, 20, w.offset, w.data);
  // A later node with a bad data CRC must not apply.
  const badData = file(2, 99, 20, 0, Buffer.from('ZZZZZZZZZZZZZZZZZZZZ'));

  // b.txt in two LZMA nodes: OpenWrt's (raw, lc0 lp0 pb0) then the mtd-utils patch's (props header).
  const first = TEXT.subarray(0, 4096);
  const rest = TEXT.subarray(4096);
  file(4, 1, TEXT.length, 0, lzmaForJffs2(first), COMPR.lzmaOpenwrt, first.length);
  file(4, 2, TEXT.length, 4096, lzmaForJffs2(rest, true), COMPR.lzmaMtd, rest.length);

  // A hard link: a second name for ino 2.
  b.dirent({ pino: 1, version: 6, ino: 2, name: 'hard', type: DT.reg });

  // Deleted, renamed and replaced names.
  b.dirent({ pino: 1, version: 4, ino: 5, name: 'gone', type: DT.reg });
  file(5, 1, 3, 0, Buffer.from('old'));
  b.dirent({ pino: 1, version: 5, ino: 8, name: 'old-name', type: DT.reg });
  file(8, 1, 7, 0, Buffer.from('renamed'));
  b.dirent({ pino: 1, version: 5, ino: 9, name: 'r', type: DT.reg });
  file(9, 1, 5, 0, Buffer.from('first'));
  file(10, 1, 6, 0, Buffer.from('second'));

  // A hole (a ZERO node and a gap) and an isize cut.
  b.dirent({ pino: 1, version: 7, ino: 11, name: 'sparse', type: DT.reg });
  b.inode({ ino: 11, version: 1, mode: S_IFREG | 0o600, isize: 10000, offset: 0, compr: COMPR.zero, dsize: 4096 });
  file(11, 2, 10000, 8000, Buffer.from('tail'));
  b.dirent({ pino: 1, version: 8, ino: 12, name: 'trunc', type: DT.reg });
  file(12, 1, 100, 0, Buffer.alloc(100, 0x58));
  b.inode({ ino: 12, version: 2, mode: S_IFREG | 0o644, isize: 50 });

  // A device in the 32-bit new_encode_dev form, and a symlink.
  b.dirent({ pino: 1, version: 9, ino: 6, name: 'big-dev', type: DT.chr });
  const dev = Buffer.alloc(4);
  const [major, minor] = [300, 70000];
  const v = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
  if (le) dev.writeUInt32LE(v >>> 0);
  else dev.writeUInt32BE(v >>> 0);
  b.inode({ ino: 6, version: 1, mode: S_IFCHR | 0o600, isize: 0, data: dev });
  b.dirent({ pino: 1, version: 10, ino: 7, name: 'link', type: DT.lnk });
  b.inode({ ino: 7, version: 1, mode: S_IFLNK | 0o777, isize: 9, data: Buffer.from('dir/b.txt') });

  // Damage and oddities in the next erase block.
  b.endBlock();
  b.cleanmarker();
  const obsolete = b.dirent({ pino: 1, version: 50, ino: 2, name: 'obsolete-name', type: DT.reg });
  const badName = b.dirent({ pino: 1, version: 51, ino: 2, name: 'bad-crc', type: DT.reg });
  b.raw(pseudoRandom(200, 5)); // garbage between nodes
  const unknown = b.dirent({ pino: 1, version: 52, ino: 2, name: 'unknown-type', type: DT.reg });
  b.dirent({ pino: 1, version: 20, ino: 0, name: 'gone', type: 0 });
  b.dirent({ pino: 1, version: 21, ino: 0, name: 'old-name', type: 0 });
  b.dirent({ pino: 1, version: 22, ino: 8, name: 'new-name', type: DT.reg });
  b.dirent({ pino: 1, version: 23, ino: 10, name: 'r', type: DT.reg });
  const image = b.build();

  const u16 = (at: number, val: number): void => void (le ? image.writeUInt16LE(val, at) : image.writeUInt16BE(val, at));
  // Obsolete: the kernel clears NODE_ACCURATE in place (the header CRC was made with it set).
  u16(obsolete + 2, 0xc001);
  // A wrong name CRC; a wrong data CRC (last byte of the data flipped).
  image[badName + 36] = image[badName + 36]! ^ 0xff;
  image[badData + 68 + 19] = image[badData + 68 + 19]! ^ 0x01;
  // An unknown incompatible node type: rewrite the type and fix the header CRC so only the type is odd.
  u16(unknown + 2, 0xe0ff);
  image.writeUInt32LE(0, unknown + 8);
  const hdr = Buffer.from(image.subarray(unknown, unknown + 8));
  const crc = jffs2Crc(hdr);
  if (le) image.writeUInt32LE(crc, unknown + 8);
  else image.writeUInt32BE(crc, unknown + 8);

  const a = overlay(20, writes);
  return {
    image,
    expected: { '/a.txt': a, '/hard': a, '/dir/b.txt': TEXT, '/new-name': Buffer.from('renamed'), '/r': Buffer.from('second'), '/sparse': Buffer.concat([Buffer.alloc(8000), Buffer.from('tail'), Buffer.alloc(1996)]), '/trunc': Buffer.alloc(50, 0x58) },
  };
}

describe('jffs2 log semantics (hand-built nodes)', () => {
  for (const le of [true, false]) {
    it(`rebuilds the newest state of a ${le ? 'little' : 'big'}-endian log`, async () => {
      const { image, expected } = buildLog(le);
      const file = path.join(work, `log-${le ? 'le' : 'be'}.jffs2`);
      fs.writeFileSync(file, image);
      const r = await unpack(file);
      const view = r.filesystems[0]!;
      expect(view.format).toBe('jffs2');
      expect([...view.walk()].map((n) => n.path)).toEqual(['/', '/a.txt', '/big-dev', '/dir', '/dir/b.txt', '/hard', '/link', '/new-name', '/r', '/sparse', '/trunc']);
      for (const [p, data] of Object.entries(expected)) expect((await view.read(p)).equals(data), p).toBe(true);
      expect(view.lstat('/hard')?.hardLinkOf).toBe('/a.txt');
      expect(view.lstat('/dir')).toMatchObject({ type: 'dir', mode: 0o750 });
      // The mode is the newest node's (0644), not the first one's (0600).
      expect(view.lstat('/sparse')).toMatchObject({ size: 10000, mode: 0o644 });
      expect(view.lstat('/big-dev')).toMatchObject({ type: 'chardev', rdev: { major: 300, minor: 70000 } });
      expect(view.lstat('/link')).toMatchObject({ type: 'symlink', linkTarget: 'dir/b.txt' });
      const messages = r.summary.errors.map((e) => `${e.code} ${e.message}`);
      expect(messages.filter((m) => /bad name CRC/.test(m))).toHaveLength(1);
      expect(messages.filter((m) => /bad data CRC/.test(m))).toHaveLength(1);
      expect(messages.filter((m) => /FW_ERR_UNPACK_UNSUPPORTED .*0xe0ff/.test(m))).toHaveLength(1);
      expect(messages.filter((m) => /neither nodes nor erased/.test(m))).toHaveLength(1);
      expect(errorCodes(r).every((c) => c === 'FW_ERR_UNPACK_MALFORMED' || c === 'FW_ERR_UNPACK_UNSUPPORTED')).toBe(true);
    });
  }
});
