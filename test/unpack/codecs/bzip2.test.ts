import { beforeAll, describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { decodeBzip2, measureBzip2 } from '../../../service/unpack/codecs/bzip2.js';
import { expectExact } from './expect-exact.js';
import { compress, mixed, requireTool, samples, settle, text } from './samples.js';

const BIG = { maxOutput: 1 << 30 };

function roundTrip(data: Buffer, c: Buffer, what: string): void {
  expectExact(decodeBzip2(c, BIG), data, c.length, what);
  expect(measureBzip2(new BufferSource(c), 0), what).toMatchObject({ end: c.length, truncated: false });
}

describe('bzip2', () => {
  beforeAll(() => requireTool('bzip2'));

  it('decodes the usual samples at -1 and -9', () => {
    for (const s of samples()) for (const level of ['-1', '-9']) roundTrip(s.data, compress('bzip2', ['-c', level], s.data), `${s.name} ${level}`);
  });

  it('decodes long runs (the initial run-length coding) and every block size', () => {
    const runs = Buffer.concat([Buffer.alloc(1000, 0x41), Buffer.from('ab'), Buffer.alloc(4, 0x42), Buffer.alloc(5, 0x43), Buffer.alloc(259, 0x44), text(5000)]);
    for (const level of ['-1', '-2', '-5', '-9']) roundTrip(runs, compress('bzip2', ['-c', level], runs), `runs ${level}`);
  });

  it('takes concatenated streams (cat a.bz2 b.bz2, pbzip2) as one and stops after the last', () => {
    const a = text(120_000);
    const b = mixed(700_000);
    const joined = Buffer.concat([compress('bzip2', ['-c', '-1'], a), compress('bzip2', ['-c', '-9'], b), compress('bzip2', ['-c'], Buffer.alloc(0))]);
    roundTrip(Buffer.concat([a, b]), joined, 'concatenated');
    const tailed = Buffer.concat([joined, Buffer.from('BZh9 but not a stream')]);
    expect(decodeBzip2(tailed, BIG).consumed).toBe(joined.length);
    expect(measureBzip2(new BufferSource(tailed), 0)).toMatchObject({ end: joined.length, streams: 3 });
  });

  it('checks block CRCs', () => {
    const data = text(50_000);
    const c = Buffer.from(compress('bzip2', ['-c'], data));
    c[10]! ^= 0x01; // inside the first block's stored CRC
    expect(settle(() => decodeBzip2(c, BIG))).toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED' });
  });

  it('stops at maxOutput inside a block and still reports where the stream ends', () => {
    const data = mixed(3 << 20);
    const c = compress('bzip2', ['-c', '-9'], data);
    const r = decodeBzip2(c, { maxOutput: 1_234_567 });
    expect(r.limited).toBe(true);
    expect(r.data.equals(data.subarray(0, 1_234_567))).toBe(true);
    expect(r.consumed).toBe(c.length);
  });
});
