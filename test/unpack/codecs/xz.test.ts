import { beforeAll, describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { Crc64 } from '../../../service/unpack/codecs/checksums.js';
import { decodeLzma2Raw, lzma2DictSize } from '../../../service/unpack/codecs/lzma2.js';
import { decodeXz, measureXz } from '../../../service/unpack/codecs/xz.js';
import { expectExact } from './expect-exact.js';
import { compress, elf, mixed, noise, requireTool, samples, settle, text } from './samples.js';

const BIG = { maxOutput: 1 << 30 };

function xz(data: Buffer, args: string[]): Buffer {
  return compress('xz', ['-c', '-T1', ...args], data);
}

/** decodeXz and measureXz must agree with each other and with the original. */
function roundTrip(data: Buffer, c: Buffer, what: string): void {
  expectExact(decodeXz(c, BIG), data, c.length, what);
  expect(measureXz(new BufferSource(c), 0), what).toMatchObject({ end: c.length, outputSize: data.length, truncated: false });
}

describe('xz container', () => {
  beforeAll(() => requireTool('xz'));

  it('decodes every preset, -0 to -9e', () => {
    const data = Buffer.concat([text(150_000), elf().subarray(0, 100_000), noise(20_000)]);
    for (const p of ['-0', '-1', '-2', '-3', '-4', '-5', '-6', '-7', '-8', '-9', '-0e', '-6e', '-9e']) roundTrip(data, xz(data, [p]), p);
  });

  it('decodes the usual samples, 5 MiB of mixed content included', () => {
    for (const s of samples()) roundTrip(s.data, xz(s.data, ['-6']), s.name);
  });

  it('verifies every check type: crc32, crc64, sha256, none', () => {
    const data = mixed(1 << 20);
    for (const check of ['crc32', 'crc64', 'sha256', 'none']) roundTrip(data, xz(data, [`--check=${check}`]), check);
  });

  it('rejects a wrong check value', () => {
    const data = text(10_000);
    for (const check of ['crc32', 'crc64', 'sha256']) {
      const c = Buffer.from(xz(data, [`--check=${check}`]));
      // The check field sits right before the index (indicator 0x00) which starts the last 12+index bytes.
      const backward = (c.readUInt32LE(c.length - 8) + 1) * 4;
      const checkEnd = c.length - 12 - backward;
      c[checkEnd - 1]! ^= 0x01;
      const r = settle(() => decodeXz(c, BIG));
      expect(r, check).toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED' });
    }
  });

  it('undoes the BCJ filters (x86, ARM, ARM-Thumb, PowerPC, SPARC, IA-64, ARM64) and delta', () => {
    const data = Buffer.concat([elf(), mixed(600_000)]);
    const chains = [['--x86'], ['--arm'], ['--armthumb'], ['--powerpc'], ['--sparc'], ['--ia64'], ['--arm64'], ['--delta=dist=1'], ['--delta=dist=4'], ['--delta=dist=256'], ['--x86', '--delta=dist=2'], ['--x86=start=4096']];
    for (const chain of chains) roundTrip(data, xz(data, [...chain, '--lzma2=preset=6']), chain.join(' '));
  });

  it('decodes multi-block streams (block sizes in the headers) and threaded output', () => {
    const data = mixed(3 << 20);
    roundTrip(data, xz(data, ['--block-size=100000']), 'block-size');
    roundTrip(data, compress('xz', ['-c', '-T2', '--block-size=500000', '-1'], data), '-T2');
    roundTrip(data, xz(data, ['--block-list=1000,50000,0']), 'block-list');
  });

  it('decodes concatenated streams with stream padding between them, and ends at the last footer', () => {
    const a = text(30_000);
    const b = elf();
    const ca = xz(a, ['-1']);
    const cb = xz(b, ['-6', '--check=sha256']);
    const joined = Buffer.concat([ca, Buffer.alloc(8), cb]);
    const r = decodeXz(Buffer.concat([joined, Buffer.alloc(12), Buffer.from('trailing junk')]), BIG);
    expect(r.data.equals(Buffer.concat([a, b]))).toBe(true);
    expect(r.consumed).toBe(joined.length);
    expect(measureXz(new BufferSource(Buffer.concat([joined, Buffer.alloc(4)])), 0)).toMatchObject({ end: joined.length, streams: 2 });
  });

  it('does not take padding that is not a multiple of four, nor a stream that is not there', () => {
    const c = xz(text(1000), []);
    const r = decodeXz(Buffer.concat([c, Buffer.alloc(3), c]), BIG);
    expect(r.consumed).toBe(c.length);
    expect(measureXz(new BufferSource(Buffer.concat([c, Buffer.alloc(4), Buffer.from('YZ junk')])), 0)?.end).toBe(c.length);
  });

  it('stops at maxOutput in the middle of a block and still knows where the stream ends', () => {
    const data = mixed(2 << 20);
    const c = xz(data, ['--x86', '--lzma2=preset=1']);
    const r = decodeXz(c, { maxOutput: 777_777 });
    expect(r.limited).toBe(true);
    expect(r.data.equals(data.subarray(0, 777_777))).toBe(true);
    expect(r.consumed).toBe(c.length);
  });
});

describe('raw LZMA2', () => {
  beforeAll(() => requireTool('xz'));

  it('decodes xz --format=raw --lzma2 streams (what squashfs-xz blocks hold behind their xz header)', () => {
    for (const s of samples()) {
      const c = compress('xz', ['--format=raw', '--lzma2=preset=6,dict=1MiB', '-c'], s.data);
      expectExact(decodeLzma2Raw(c, 1 << 20, BIG), s.data, c.length, s.name);
    }
  });

  it('maps the dictionary-size byte as the xz format says', () => {
    expect(lzma2DictSize(0)).toBe(4096);
    expect(lzma2DictSize(1)).toBe(6144);
    expect(lzma2DictSize(18)).toBe(2 << 20);
    expect(lzma2DictSize(40)).toBe(0xffffffff);
    expect(lzma2DictSize(41)).toBe(-1);
  });
});

describe('CRC64', () => {
  it('matches the ECMA-182 check value', () => {
    const h = new Crc64();
    h.update(Buffer.from('123456789'));
    expect(h.digest().readBigUInt64LE(0)).toBe(0x995dc9bbdf1939fan);
  });
});
