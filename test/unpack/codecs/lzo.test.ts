import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { decodeLzo1x, decodeLzop, measureLzop } from '../../../service/unpack/codecs/lzo.js';
import { tempDir } from '../helpers.js';
import { expectExact } from './expect-exact.js';
import { compress, elf, mixed, requireTool, samples, settle, text } from './samples.js';

const BIG = { maxOutput: 1 << 30 };
const work = tempDir('fw-lzo-');

/** The LZO1X blocks of an lzop file written from stdin with default flags (Adler-32 of the data only). */
function lzopBlocks(file: Buffer): Array<{ data: Buffer; size: number }> {
  let at = 9 + 2 + 2 + 2 + 1 + 1 + 4 + 4 + 4 + 4;
  at += 1 + (file[at] as number) + 4;
  const blocks: Array<{ data: Buffer; size: number }> = [];
  for (;;) {
    const size = file.readUInt32BE(at);
    if (size === 0) return blocks;
    const csize = file.readUInt32BE(at + 4);
    blocks.push({ data: file.subarray(at + 12, at + 12 + csize), size });
    at += 12 + csize;
  }
}

describe('lzop files', () => {
  beforeAll(() => requireTool('lzop'));

  it('decodes every level and the usual samples', () => {
    for (const s of samples()) {
      for (const level of s.data.length > 1e6 ? ['-1', '-9'] : ['-1', '-3', '-7', '-9']) {
        const c = compress('lzop', ['-c', level], s.data);
        expectExact(decodeLzop(c, BIG), s.data, c.length, `${s.name} ${level}`);
        expect(measureLzop(new BufferSource(c), 0)).toMatchObject({ end: c.length, outputSize: s.data.length, truncated: false });
      }
    }
  });

  it('verifies CRC32 and Adler-32 checksums, and decodes files without them', () => {
    const data = mixed(1 << 20);
    for (const args of [['--crc32'], ['--checksum'], ['--no-checksum'], ['-F']]) {
      const c = compress('lzop', ['-c', ...args], data);
      expectExact(decodeLzop(c, BIG), data, c.length, args.join(' '));
    }
    const c = Buffer.from(compress('lzop', ['-c', '--crc32'], text(50_000)));
    c[c.length - 20]! ^= 0x10;
    expect(settle(() => decodeLzop(c, BIG))).toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED' });
  });

  it('keeps the stored file name and ends on the terminator even with bytes after it', () => {
    const file = path.join(work, 'kernel.bin');
    fs.writeFileSync(file, elf());
    execFileSync('lzop', ['-f', '-o', `${file}.lzo`, file]);
    const c = fs.readFileSync(`${file}.lzo`);
    expect(measureLzop(new BufferSource(Buffer.concat([c, Buffer.alloc(64, 0xff)])), 0)).toMatchObject({ end: c.length, name: 'kernel.bin' });
    expect(decodeLzop(Buffer.concat([c, Buffer.from('junk')]), BIG).consumed).toBe(c.length);
  });

  it('stops at maxOutput between or inside blocks', () => {
    const data = mixed(1 << 20);
    const c = compress('lzop', ['-c'], data);
    for (const cap of [1000, 256 * 1024, 300_000]) {
      const r = decodeLzop(c, { maxOutput: cap });
      expect(r.limited).toBe(true);
      expect(r.data.equals(data.subarray(0, cap))).toBe(true);
      expect(r.consumed).toBe(c.length);
    }
  });
});

describe('LZO1X blocks', () => {
  beforeAll(() => requireTool('lzop'));

  it('decodes raw blocks (as squashfs and ubifs store them) with and without their size', () => {
    for (const s of samples()) {
      for (const b of lzopBlocks(compress('lzop', ['-c', '-9'], s.data))) {
        if (b.data.length === b.size) continue; // stored, not compressed
        const original = s.data.subarray(0, b.size);
        expect(decodeLzo1x(b.data, { ...BIG, expectedSize: b.size }).data.length).toBe(b.size);
        const r = decodeLzo1x(b.data, BIG);
        expect(r.consumed).toBe(b.data.length);
        expect(r.data.length).toBe(b.size);
        if (s.data.length <= 256 * 1024) expect(r.data.equals(original)).toBe(true);
      }
    }
  });

  it('says truncated for a cut block and refuses one that decodes to more than its size', () => {
    const [b] = lzopBlocks(compress('lzop', ['-c'], text(200_000)));
    const cut = decodeLzo1x(b!.data.subarray(0, b!.data.length >> 1), BIG);
    expect(cut.truncated).toBe(true);
    expect(cut.data.equals(text(200_000).subarray(0, cut.data.length))).toBe(true);
    expect(settle(() => decodeLzo1x(b!.data, { ...BIG, expectedSize: b!.size - 1 }))).toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED' });
  });
});
