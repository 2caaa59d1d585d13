import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeLzmaAlone, decodeLzmaRaw, decodeLzmaVendorBlock, measureLzmaAlone, parseLzmaAloneHeader } from '../../../service/unpack/codecs/lzma.js';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { tempDir } from '../helpers.js';
import { expectExact } from './expect-exact.js';
import { compress, elf, mixed, requireTool, samples, text } from './samples.js';

const BIG = { maxOutput: 1 << 30 };

const work = tempDir('fw-lzma-');

/**
 * The LZMA SDK's encoder (Debian lzma-alone): from a file it writes the size in the header and, unless
 * -eos, no end marker (from stdin the size would be unknown).
 */
function lzmaAlone(data: Buffer, args: string[] = []): Buffer {
  const src = path.join(work, 'in');
  const dst = path.join(work, 'out.lzma');
  fs.writeFileSync(src, data);
  execFileSync('lzma_alone', ['e', src, dst, ...args], { stdio: 'ignore' });
  return fs.readFileSync(dst);
}

describe('LZMA-Alone (.lzma)', () => {
  beforeAll(() => {
    requireTool('xz');
    requireTool('lzma_alone');
  });

  it('decodes what xz --format=lzma writes (unknown size, end marker) for every preset', () => {
    for (const s of samples()) {
      for (const preset of s.data.length > 1e6 ? ['-1'] : ['-0', '-6', '-9e']) {
        const c = compress('xz', ['--format=lzma', preset, '-c'], s.data);
        expect(parseLzmaAloneHeader(c)?.uncompressedSize).toBeUndefined();
        expectExact(decodeLzmaAlone(c, BIG), s.data, c.length, `${s.name} ${preset}`);
      }
    }
  });

  it('decodes what the lzma command writes', () => {
    const data = text(100_000);
    const c = compress('lzma', ['-c'], data);
    expectExact(decodeLzmaAlone(c, BIG), data, c.length, 'lzma -c');
  });

  it('decodes the LZMA SDK encoder: known size without an end marker, with -eos, and odd lc/lp/pb', () => {
    const data = Buffer.concat([elf(), text(50_000)]);
    for (const args of [[], ['-eos'], ['-lc1', '-lp2', '-pb2'], ['-lc0', '-lp4', '-pb4'], ['-lc8', '-pb0'], ['-a0', '-d16'], ['-d12']]) {
      const c = lzmaAlone(data, args);
      expect(parseLzmaAloneHeader(c)?.uncompressedSize).toBe(args.includes('-eos') ? undefined : data.length);
      expectExact(decodeLzmaAlone(c, BIG), data, c.length, args.join(' '));
    }
  });

  it('reports the exact end of the stream when other bytes follow it', () => {
    const data = text(20_000);
    for (const c of [compress('xz', ['--format=lzma', '-c'], data), lzmaAlone(data)]) {
      const r = decodeLzmaAlone(Buffer.concat([c, Buffer.alloc(100, 0xa5)]), BIG);
      expect(r.consumed).toBe(c.length);
      expect(r.data.equals(data)).toBe(true);
      const m = measureLzmaAlone(new BufferSource(Buffer.concat([Buffer.alloc(9), c, Buffer.alloc(50, 0xff)])), 9, 1 << 30, 1024);
      expect(m).toMatchObject({ end: 9 + c.length, outputSize: data.length, truncated: false, endUnknown: false });
    }
  });

  it('stops at maxOutput and says limited; a stream ending exactly there is not limited', () => {
    const data = text(200_000);
    const c = compress('xz', ['--format=lzma', '-c'], data);
    const r = decodeLzmaAlone(c, { maxOutput: 5000 });
    expect(r.limited).toBe(true);
    expect(r.data.equals(data.subarray(0, 5000))).toBe(true);
    const exact = decodeLzmaAlone(c, { maxOutput: data.length });
    expect(exact.limited).toBe(false);
    expect(exact.data.equals(data)).toBe(true);
    const known = lzmaAlone(data);
    expect(decodeLzmaAlone(known, { maxOutput: data.length }).limited).toBe(false);
    expect(decodeLzmaAlone(known, { maxOutput: data.length - 1 }).limited).toBe(true);
  });

  it('streams its output to onOutput and stops when told', () => {
    const data = mixed(3 << 20);
    const c = compress('xz', ['--format=lzma', '-1', '-c'], data);
    const pieces: Buffer[] = [];
    const r = decodeLzmaAlone(c, { maxOutput: 1 << 30, onOutput: (p) => (pieces.push(p), true) });
    expect(r.data.length).toBe(0);
    expect(Buffer.concat(pieces).equals(data)).toBe(true);
    let seen = 0;
    const stopped = decodeLzmaAlone(c, { maxOutput: 1 << 30, onOutput: (p) => ((seen += p.length), seen < 1 << 20) });
    expect(stopped.limited).toBe(true);
    expect(seen).toBeLessThan(data.length);
  });
});

describe('raw LZMA and vendor squashfs blocks', () => {
  beforeAll(() => {
    requireTool('xz');
    requireTool('lzma_alone');
  });

  it('decodes xz --format=raw --lzma1 output behind a hand-made 5-byte props+dictionary header', () => {
    for (const s of samples()) {
      const raw = compress('xz', ['--format=raw', '--lzma1=preset=6,lc=1,lp=2,pb=2', '-c'], s.data);
      const header = Buffer.from([(2 * 5 + 2) * 9 + 1, 0, 0, 0x80, 0]); // lc=1 lp=2 pb=2, 8 MiB dictionary
      const block = Buffer.concat([header, raw]);
      expectExact(decodeLzmaVendorBlock(block, BIG), s.data, block.length, s.name);
      expectExact(decodeLzmaRaw(raw, { lc: 1, lp: 2, pb: 2, dictSize: 1 << 23 }, BIG), s.data, raw.length, `${s.name} raw`);
    }
  });

  it('decodes a block with neither size nor end marker (the vendor squashfs form), to the end of its input', () => {
    for (const s of samples()) {
      for (const args of s.data.length > 1e6 ? [['-a0']] : [[], ['-lc1', '-lp2', '-pb2'], ['-d17']]) {
        const sdk = lzmaAlone(s.data, args);
        const block = Buffer.concat([sdk.subarray(0, 5), sdk.subarray(13)]);
        expectExact(decodeLzmaVendorBlock(block, BIG), s.data, block.length, `${s.name} ${args.join(' ')}`);
        expectExact(decodeLzmaVendorBlock(block, { ...BIG, expectedSize: s.data.length }), s.data, block.length, `${s.name} sized`);
      }
    }
  });

  it('honours expectedSize as the end of a raw stream that carries an end marker', () => {
    const data = text(50_000);
    const raw = compress('xz', ['--format=raw', '--lzma1=preset=1', '-c'], data);
    const r = decodeLzmaRaw(raw, { lc: 3, lp: 0, pb: 2, dictSize: 1 << 20 }, { maxOutput: 1 << 30, expectedSize: 20_000 });
    expect(r.data.equals(data.subarray(0, 20_000))).toBe(true);
    expect(r.truncated).toBe(false);
  });
});
