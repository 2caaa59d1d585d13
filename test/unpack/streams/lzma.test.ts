import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { lzmaHandler } from '../../../service/unpack/handlers/lzma.js';
import { scanSignatures } from '../../../service/unpack/signature-scan.js';
import { pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { elf, requireTool, text } from '../codecs/samples.js';
import { tempDir } from '../helpers.js';
import { describeStreamHandler, run } from './stream-suite.js';

describeStreamHandler({
  handler: lzmaHandler,
  tool: 'xz',
  compress: (f, level) => run('xz', ['--format=lzma', '-c', level === 'best' ? '-9e' : '-0', f]),
  // A header xz itself would write: lc3 lp0 pb2, 8 MiB dictionary, unknown size.
  magic: Buffer.from([0x5d, 0x00, 0x00, 0x80, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
});

describe('lzma handler', () => {
  const work = tempDir('fw-lzma-h-');

  it('sizes a known-size stream without end marker (the LZMA SDK encoder, as in vendor kernels)', () => {
    requireTool('lzma_alone');
    const src = path.join(work, 'kernel');
    fs.writeFileSync(src, Buffer.concat([elf(), text(100_000)]));
    execFileSync('lzma_alone', ['e', src, `${src}.lzma`], { stdio: 'ignore' });
    const comp = fs.readFileSync(`${src}.lzma`);
    const image = Buffer.concat([Buffer.alloc(512, 0xff), comp, Buffer.from('trailer')]);
    expect(lzmaHandler.identify(new BufferSource(image), 512)).toMatchObject({
      start: 512,
      end: 512 + comp.length,
      meta: { truncated: false, uncompressedSize: elf().length + 100_000, dictSize: 1 << 23 },
    });
  });

  it('is quiet on noise full of plausible-looking headers', () => {
    // Every 4 KiB a header xz could have written, followed by noise: none of it is LZMA.
    const parts: Buffer[] = [];
    for (let i = 0; i < 256; i++) {
      parts.push(Buffer.from([0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]));
      parts.push(pseudoRandom(4096 - 14, i + 1));
    }
    const noise = Buffer.concat(parts);
    expect(scanSignatures(new BufferSource(noise), [lzmaHandler]).chunks).toEqual([]);
  });

  it('rejects headers xz would never write (odd dictionary sizes, implausible sizes)', () => {
    const body = run('xz', ['--format=lzma', '-c'], text(10_000)).subarray(13);
    const header = (dict: number, size: bigint): Buffer => {
      const h = Buffer.alloc(13);
      h[0] = 0x5d;
      h.writeUInt32LE(dict, 1);
      h.writeBigUInt64LE(size, 5);
      return h;
    };
    const unknown = 0xffffffffffffffffn;
    expect(lzmaHandler.identify(new BufferSource(Buffer.concat([header(1 << 23, unknown), body])), 0)).not.toBeNull();
    expect(lzmaHandler.identify(new BufferSource(Buffer.concat([header(3 << 22, unknown), body])), 0)).not.toBeNull();
    expect(lzmaHandler.identify(new BufferSource(Buffer.concat([header((1 << 23) + 1, unknown), body])), 0)).toBeNull();
    expect(lzmaHandler.identify(new BufferSource(Buffer.concat([header(2 ** 31, unknown), body])), 0)).toBeNull();
    expect(lzmaHandler.identify(new BufferSource(Buffer.concat([header(1 << 23, 1n << 40n), body])), 0)).toBeNull();
  });
});
