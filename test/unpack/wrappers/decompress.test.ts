// The wrappers' decompression: sniffing the kernel compressions by magic (on the real tools' output),
// decoding into a sink, damage and truncation as problems with the good part kept, the stored bytes kept
// when a header names the wrong compression, and one output budget over all payloads of a container.
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { decodeOrRaw, decompress, OutputBudget, probeDecode, sniffCompression } from '../../../service/unpack/wrappers/decompress.js';
import { pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { compress, fakeKernel, type KernelCompression } from '../../fixtures/unpack/wrappers.js';
import { context, type Problem } from './harness.js';

const data = fakeKernel(200_000, 2);
const ALL: KernelCompression[] = ['gzip', 'bzip2', 'lzma', 'lzo', 'lz4', 'zstd', 'xz'];

describe('wrapper decompression', () => {
  for (const kind of ALL) {
    it(`sniffs, probes and decodes ${kind}, and keeps the part before a cut`, async () => {
      const packed = compress(data, kind);
      expect(sniffCompression(packed.subarray(0, 32))).toBe(kind);
      expect(probeDecode(kind, packed.subarray(0, 4096))).toBe(true);
      const problems: Problem[] = [];
      const ctx = context(problems);
      const whole = await decompress(kind, new BufferSource(packed), ctx.createSink(), ctx, 'test');
      expect(problems).toEqual([]);
      expect(whole.complete).toBe(true);
      expect(whole.data.read(0, data.length + 1).equals(data)).toBe(true);

      const cut = await decompress(kind, new BufferSource(packed.subarray(0, Math.floor(packed.length * 0.7))), ctx.createSink(), ctx, 'test');
      expect(cut.complete).toBe(false);
      expect(problems.map((p) => p.code)).toEqual([expect.stringMatching(/FW_ERR_UNPACK_(TRUNCATED|MALFORMED)/)]);
      expect(data.subarray(0, cut.data.size).equals(cut.data.read(0, cut.data.size))).toBe(true);
    });
  }

  it('does not take noise for a stream', () => {
    let sniffed = 0;
    for (let seed = 1; seed < 500; seed++) {
      const noise = pseudoRandom(64, seed);
      const kind = sniffCompression(noise);
      if (kind) {
        sniffed++;
        expect(probeDecode(kind, Buffer.concat([noise, pseudoRandom(4000, seed + 1)])), `seed ${seed}: ${kind}`).toBe(false);
      }
    }
    expect(sniffed).toBeLessThan(5);
  });

  it('keeps the stored bytes when nothing decodes, and shares one budget between payloads', async () => {
    const problems: Problem[] = [];
    const ctx = context(problems);
    const raw = new BufferSource(pseudoRandom(1000, 9));
    const r = await decodeOrRaw('gzip', raw, ctx.createSink(), ctx, 'wrongly labelled');
    expect(r).toMatchObject({ decoded: false });
    expect(r.data.size).toBe(1000);
    expect(problems.map((p) => p.code)).toEqual(['FW_ERR_UNPACK_MALFORMED']);

    const limited: Problem[] = [];
    const small = context(limited, { maxRatio: 1, maxPayloadInMemory: 1 << 30 });
    const budget = new OutputBudget(small, 1000);
    expect(budget.remaining).toBe(1 << 20); // the ratio floor
    const zeros = compress(Buffer.alloc(800 << 10), 'gzip');
    const a = await decompress('gzip', new BufferSource(zeros), budget.sink(), small, 'a');
    const b = await decompress('gzip', new BufferSource(zeros), budget.sink(), small, 'b');
    expect(a.data.size + b.data.size).toBe(1 << 20);
    expect(limited.map((p) => p.code)).toEqual(['FW_ERR_UNPACK_LIMIT']);
  });
});
