// The superblock gate: strict enough that noise holding a squashfs magic is rejected cheaply, exact about the
// chunk's end, and the bitfield readers of the 2.x/3.x layouts in both bit orders.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { squashfsHandler } from '../../../service/unpack/handlers/squashfs.js';
import { BIG, LITTLE } from '../../../service/unpack/squashfs/endian.js';
import { parseSuperblock } from '../../../service/unpack/squashfs/superblock.js';
import { hasMksquashfs, makeSquashfs } from '../../fixtures/unpack/squashfs.js';
import { makeSourceTree, pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { tempDir } from '../helpers.js';

const work = tempDir('fw-squashfs-sb-');

describe('squashfs bitfields', () => {
  it('reads GCC bitfields LSB-first on little-endian layouts and MSB-first on big-endian ones', () => {
    // A 3.x directory inode tail: file_size:19 then offset:13 in one 32-bit unit.
    const size = 0x5a5a5 & 0x7ffff;
    const offset = 0x1234 & 0x1fff;
    const le = Buffer.alloc(4);
    le.writeUInt32LE(((offset << 19) | size) >>> 0);
    expect(LITTLE.bits(le, 0, 0, 19)).toBe(size);
    expect(LITTLE.bits(le, 0, 19, 13)).toBe(offset);
    const be = Buffer.alloc(4);
    be.writeUInt32BE(((size << 13) | offset) >>> 0);
    expect(BIG.bits(be, 0, 0, 19)).toBe(size);
    expect(BIG.bits(be, 0, 19, 13)).toBe(offset);
    // 4-bit type and 12-bit mode sharing 16 bits.
    expect(LITTLE.bits(Buffer.from([0xd2, 0x81]), 0, 0, 4)).toBe(2);
    expect(LITTLE.bits(Buffer.from([0xd2, 0x81]), 0, 4, 12)).toBe(0x81d);
    expect(BIG.bits(Buffer.from([0x21, 0xed]), 0, 0, 4)).toBe(2);
    expect(BIG.bits(Buffer.from([0x21, 0xed]), 0, 4, 12)).toBe(0x1ed);
    expect(LITTLE.u64(Buffer.from('ffffffffffffffff', 'hex'), 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('squashfs identify', () => {
  it('rejects noise that holds a magic, a version and little else', () => {
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const buf = pseudoRandom(8192, i + 1);
      buf.write(['hsqs', 'sqsh', 'shsq', 'qshs'][i % 4]!, 0, 'latin1');
      if (i % 3 === 0) (i % 2 ? buf.writeUInt16BE(4, 28) : buf.writeUInt16LE(4, 28));
      if (squashfsHandler.identify(new BufferSource(buf), 0)) accepted++;
    }
    expect(accepted).toBe(0);
  });

  it.skipIf(!hasMksquashfs())('accepts a real image and rejects it with any one field broken', () => {
    const tree = path.join(work, 'tree');
    makeSourceTree(tree);
    const image = fs.readFileSync(makeSquashfs(tree, path.join(work, 'sb.sqfs'), { args: ['-nopad'] }));
    expect(squashfsHandler.identify(new BufferSource(image), 0)).toMatchObject({ start: 0, end: image.length, meta: { truncated: false } });
    const breakers: Array<[string, (b: Buffer) => void]> = [
      ['block_log does not match block_size', (b) => b.writeUInt16LE(16, 22)],
      ['block_size not a power of two', (b) => b.writeUInt32LE(131073, 12)],
      ['unknown compressor', (b) => b.writeUInt16LE(7, 20)],
      ['minor version 1', (b) => b.writeUInt16LE(1, 30)],
      ['major version 5', (b) => b.writeUInt16LE(5, 28)],
      ['no inodes', (b) => b.writeUInt32LE(0, 4)],
      ['bytes_used inside the superblock', (b) => b.writeBigUInt64LE(50n, 40)],
      ['inode table after the directory table', (b) => b.writeBigUInt64LE(b.readBigUInt64LE(72) + 10n, 64)],
      ['id table past bytes_used', (b) => b.writeBigUInt64LE(1n << 40n, 48)],
      ['root inode outside the inode table', (b) => b.writeBigUInt64LE(0xffff0000n, 32)],
      ['first inode block header of length 0', (b) => b.writeUInt16LE(0x8000, Number(b.readBigUInt64LE(64)))],
    ];
    for (const [why, brk] of breakers) {
      const copy = Buffer.from(image);
      brk(copy);
      expect(squashfsHandler.identify(new BufferSource(copy), 0), why).toBeNull();
    }
    expect(parseSuperblock(image.subarray(0, 95))).toBeNull();
  });
});
