import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { xzHandler } from '../../../service/unpack/handlers/xz.js';
import { elf, text } from '../codecs/samples.js';
import { tempDir, unpack } from '../helpers.js';
import { describeStreamHandler, run } from './stream-suite.js';

describeStreamHandler({
  handler: xzHandler,
  tool: 'xz',
  compress: (f, level) => run('xz', ['-c', '-T1', level === 'best' ? '-9e' : '-1', f]),
  magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
});

describe('xz handler', () => {
  const work = tempDir('fw-xz-h-');

  it('takes concatenated streams as one chunk and reports what the headers say', () => {
    const a = run('xz', ['-c', '--check=sha256'], text(40_000));
    const b = run('xz', ['-c', '--x86', '--lzma2=preset=6', '--check=crc32'], elf());
    const image = Buffer.concat([a, Buffer.alloc(4), b, Buffer.alloc(64, 0xff)]);
    expect(xzHandler.identify(new BufferSource(image), 0)).toEqual({
      start: 0,
      end: a.length + 4 + b.length,
      meta: { truncated: false, streams: 2, blocks: 2, check: 'sha256', uncompressedSize: 40_000 + elf().length },
    });
  });

  it('opens a BCJ-filtered kernel-like payload byte for byte', async () => {
    const image = path.join(work, 'vmlinux.xz');
    fs.writeFileSync(image, run('xz', ['-c', '--x86', '--lzma2=preset=9'], elf()));
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'xz', size: fs.statSync(image).size });
  });
});
