import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { xxh32 } from '../../../service/unpack/codecs/checksums.js';
import { decodeLz4, measureLz4 } from '../../../service/unpack/codecs/lz4.js';
import { tempDir } from '../helpers.js';
import { expectExact } from './expect-exact.js';
import { compress, mixed, requireTool, samples, settle, text } from './samples.js';

const BIG = { maxOutput: 1 << 30 };
const work = tempDir('fw-lz4-');

function roundTrip(data: Buffer, c: Buffer, what: string): void {
  expectExact(decodeLz4(c, BIG), data, c.length, what);
  expect(measureLz4(new BufferSource(c), 0), what).toMatchObject({ end: c.length, truncated: false });
}

describe('LZ4 frames', () => {
  beforeAll(() => requireTool('lz4'));

  it('decodes the usual samples at fast and high-compression levels', () => {
    for (const s of samples()) for (const level of ['-1', '-9']) roundTrip(s.data, compress('lz4', ['-c', level], s.data), `${s.name} ${level}`);
  });

  it('decodes every block size, linked and independent blocks, block checksums, content size', () => {
    const data = mixed(6 << 20);
    const variants = [['-B4'], ['-B5'], ['-B6'], ['-B7'], ['-BD'], ['-B4', '-BD'], ['-BX'], ['--no-frame-crc'], ['-BX', '-BD']];
    for (const v of variants) roundTrip(data, compress('lz4', ['-c', ...v], data), v.join(' '));
    // The content size is only written when lz4 knows it: from a file, not from stdin.
    const file = path.join(work, 'data.bin');
    fs.writeFileSync(file, data);
    const sized = execFileSync('lz4', ['-c', '-q', '--content-size', '-BX', file], { maxBuffer: 1 << 30 });
    roundTrip(data, sized, 'content size');
    expect(measureLz4(new BufferSource(sized), 0)?.outputSize).toBe(data.length);
  });

  it('decodes legacy frames (lz4 -l, as Linux kernel images use), ending at the first short block', () => {
    for (const s of samples()) roundTrip(s.data, compress('lz4', ['-c', '-l'], s.data), `${s.name} legacy`);
    const data = mixed(17 << 20);
    const c = compress('lz4', ['-c', '-l', '-9'], data);
    roundTrip(data, c, 'legacy, three blocks');
    // The kernel build appends the uncompressed size after the stream: it is not a block.
    const size = Buffer.alloc(4);
    size.writeUInt32LE(data.length);
    const r = decodeLz4(Buffer.concat([c, size]), BIG);
    expect(r.consumed).toBe(c.length);
    expect(r.data.equals(data)).toBe(true);
  });

  it('takes concatenated frames and skippable frames between them as one stream', () => {
    const a = text(10_000);
    const b = mixed(300_000);
    const skip = Buffer.concat([Buffer.from([0x51, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]), Buffer.from('hello')]);
    const joined = Buffer.concat([compress('lz4', ['-c'], a), skip, compress('lz4', ['-c', '-BD'], b)]);
    roundTrip(Buffer.concat([a, b]), joined, 'concatenated');
    expect(measureLz4(new BufferSource(Buffer.concat([joined, Buffer.from('tail')])), 0)).toMatchObject({ end: joined.length, frames: 3 });
  });

  it('rejects damaged checksums', () => {
    const data = text(100_000);
    const c = Buffer.from(compress('lz4', ['-c', '-BX'], data));
    c[20]! ^= 0x40;
    expect(settle(() => decodeLz4(c, BIG))).toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED' });
    const h = Buffer.from(compress('lz4', ['-c'], data));
    h[5]! ^= 0x04; // descriptor byte: its xxHash byte no longer matches
    expect(settle(() => decodeLz4(h, BIG))).toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED' });
    expect(measureLz4(new BufferSource(h), 0)).toBeNull();
  });

  it('stops at maxOutput and still reports where the frame ends', () => {
    const data = mixed(2 << 20);
    for (const args of [['-c'], ['-c', '-l']]) {
      const c = compress('lz4', args, data);
      const r = decodeLz4(c, { maxOutput: 100_000 });
      expect(r.limited).toBe(true);
      expect(r.data.equals(data.subarray(0, 100_000))).toBe(true);
      expect(r.consumed).toBe(c.length);
    }
  });

  it('computes xxHash32 as the reference does', () => {
    expect(xxh32(Buffer.alloc(0))).toBe(0x02cc5d05);
    expect(xxh32(Buffer.from('abc'))).toBe(0x32d153ff);
    expect(xxh32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
  });
});
