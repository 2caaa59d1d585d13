import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../service/unpack/byte-source.js';
import { HANDLERS } from '../../service/unpack/registry.js';
import { describeRegion, scanSignatures } from '../../service/unpack/signature-scan.js';
import { pseudoRandom } from '../fixtures/unpack/source-tree.js';
import { rawTar } from '../fixtures/unpack/tar-writer.js';

const tar = rawTar([{ name: 'a.txt', data: 'hello\n' }, { name: 'inner.gz', data: zlib.gzipSync('inside the tar') }]);
const gz = zlib.gzipSync(Buffer.from('x'.repeat(5000)));

/** noise | tar | 0xFF padding | gzip | noise */
const image = Buffer.concat([pseudoRandom(1000, 1), tar, Buffer.alloc(5000, 0xff), gz, pseudoRandom(777, 2)]);
const tarAt = 1000;
const gzAt = tarAt + tar.length + 5000;

describe('signature scan', () => {
  it('finds chunks, skips what lies inside them, and describes the gaps', () => {
    const r = scanSignatures(new BufferSource(image), HANDLERS);
    expect(r.chunks.map((c) => [c.handler.name, c.chunk.start, c.chunk.end])).toEqual([
      ['tar', tarAt, tarAt + tar.length],
      ['gzip', gzAt, gzAt + gz.length],
    ]);
    expect(r.unknown.map((u) => [u.offset, u.size, u.note])).toEqual([
      [0, 1000, undefined],
      [tarAt + tar.length, 5000, 'padding'],
      [gzAt + gz.length, 777, undefined],
    ]);
    expect(r.unknown[0]!.entropy).toBeGreaterThan(7.5);
    expect(r.unknown[1]!.entropy).toBe(0);
  });

  it('gives the same answer whatever the window size (magics across window edges)', () => {
    const expected = scanSignatures(new BufferSource(image), HANDLERS);
    for (const windowSize of [1, 3, 100, 257, 258, 1000, 1257, 4096]) {
      const r = scanSignatures(new BufferSource(image), HANDLERS, { windowSize });
      expect(r.chunks.map((c) => c.chunk), `window ${windowSize}`).toEqual(expected.chunks.map((c) => c.chunk));
      expect(r.unknown).toEqual(expected.unknown);
    }
  });

  it('reports random bytes as one unknown region of entropy ~8, and 0xFF fill as padding', () => {
    const random = scanSignatures(new BufferSource(pseudoRandom(1 << 20, 3)), HANDLERS);
    expect(random.chunks).toEqual([]);
    expect(random.unknown).toHaveLength(1);
    expect(random.unknown[0]!.entropy).toBeGreaterThan(7.99);
    expect(describeRegion(new BufferSource(Buffer.alloc(4096, 0xff)), 0, 4096)).toEqual({ offset: 0, size: 4096, entropy: 0, note: 'padding' });
    expect(describeRegion(new BufferSource(Buffer.alloc(10, 0x41)), 0, 10).note).toBeUndefined();
  });

  it('scans 64 MiB in well under the time a job has', () => {
    const big = Buffer.concat([pseudoRandom(8 << 20, 4), Buffer.alloc(56 << 20, 0xff)]);
    const t0 = performance.now();
    const r = scanSignatures(new BufferSource(big), HANDLERS);
    const ms = performance.now() - t0;
    expect(r.unknown).toHaveLength(1);
    // ~0.3 s on a 2-core box; the bound only catches an accidental quadratic or per-byte JS pass.
    expect(ms).toBeLessThan(5000);
  });
});

