import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { decodeZstd, measureZstd } from '../../../service/unpack/codecs/zstd.js';
import { tempDir } from '../helpers.js';
import { expectExact } from './expect-exact.js';
import { compress, mixed, requireTool, samples, settle, text } from './samples.js';

const BIG = { maxOutput: 1 << 30 };
const work = tempDir('fw-zstd-');

function roundTrip(data: Buffer, c: Buffer, what: string): void {
  expectExact(decodeZstd(c, BIG), data, c.length, what);
  expect(measureZstd(new BufferSource(c), 0), what).toMatchObject({ end: c.length, truncated: false });
}

describe('zstd', () => {
  beforeAll(() => requireTool('zstd'));

  it('decodes the usual samples at several levels', () => {
    for (const s of samples()) for (const level of ['-1', '-3', '-19']) roundTrip(s.data, compress('zstd', ['-q', '-c', level], s.data), `${s.name} ${level}`);
  });

  it('decodes --long (128 MiB window), --ultra -22, without checksum, and with the content size', () => {
    const data = mixed(5 << 20);
    for (const args of [['--long'], ['--ultra', '-22'], ['--no-check'], ['-T2', '-5']]) roundTrip(data, compress('zstd', ['-q', '-c', ...args], data), args.join(' '));
    const file = path.join(work, 'data.bin');
    fs.writeFileSync(file, data);
    const sized = execFileSync('zstd', ['-q', '-c', file], { maxBuffer: 1 << 30 });
    roundTrip(data, sized, 'from a file');
    expect(measureZstd(new BufferSource(sized), 0)?.outputSize).toBe(data.length);
  });

  it('takes concatenated and skippable frames, and ends after the last frame', () => {
    const a = text(10_000);
    const b = mixed(400_000);
    const skip = Buffer.concat([Buffer.from([0x5e, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('abc')]);
    const joined = Buffer.concat([compress('zstd', ['-q', '-c'], a), skip, compress('zstd', ['-q', '-c', '-9'], b)]);
    roundTrip(Buffer.concat([a, b]), joined, 'concatenated');
    const tailed = Buffer.concat([joined, Buffer.from('not zstd')]);
    expect(decodeZstd(tailed, BIG).consumed).toBe(joined.length);
    expect(measureZstd(new BufferSource(tailed), 0)).toMatchObject({ end: joined.length, frames: 3 });
  });

  it('refuses windows larger than zstd itself decodes by default (--long=31 needs 2 GiB), before allocating them', () => {
    const c = compress('zstd', ['-q', '-c', '--long=31'], text(1000));
    expect(measureZstd(new BufferSource(c), 0)?.windowSize).toBe(2 ** 31);
    expect(settle(() => decodeZstd(c, BIG))).toMatchObject({ code: 'FW_ERR_UNPACK_LIMIT' });
  });

  it('stops at maxOutput and still reports where the frames end', () => {
    const data = mixed(2 << 20);
    const c = compress('zstd', ['-q', '-c'], data);
    const r = decodeZstd(c, { maxOutput: 300_001 });
    expect(r.limited).toBe(true);
    expect(r.data.equals(data.subarray(0, 300_001))).toBe(true);
    expect(r.consumed).toBe(c.length);
  });
});
