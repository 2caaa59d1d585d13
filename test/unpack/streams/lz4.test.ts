import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { lz4Handler } from '../../../service/unpack/handlers/lz4.js';
import { makeTar } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { mixed } from '../codecs/samples.js';
import { tempDir, unpack } from '../helpers.js';
import { describeStreamHandler, run } from './stream-suite.js';

describeStreamHandler({
  handler: lz4Handler,
  tool: 'lz4',
  compress: (f, level) => run('lz4', ['-q', '-c', level === 'best' ? '-9' : '-1', f]),
  magic: Buffer.from([0x04, 0x22, 0x4d, 0x18]),
});

describe('lz4 handler', () => {
  const work = tempDir('fw-lz4-h-');

  it('opens a legacy frame (lz4 -l, as in Linux kernel images) with the appended size after it', async () => {
    const tree = path.join(work, 'tree');
    makeSourceTree(tree);
    const tar = makeTar(tree, path.join(work, 'rootfs.tar'));
    const comp = run('lz4', ['-q', '-c', '-l', '-9', tar]);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(fs.statSync(tar).size);
    const image = path.join(work, 'initramfs.lz4');
    fs.writeFileSync(image, Buffer.concat([comp, size]));
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.filter((l) => l.depth === 1)).toMatchObject([{ format: 'lz4', offset: 0, size: comp.length }]);
    expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(tree));
  });

  it('sizes a multi-block legacy stream by its first short block', () => {
    const data = mixed(20 << 20);
    const comp = run('lz4', ['-q', '-c', '-l'], data);
    expect(lz4Handler.identify(new BufferSource(Buffer.concat([comp, Buffer.alloc(100)])), 0)).toMatchObject({
      end: comp.length,
      meta: { format: 'legacy', truncated: false, uncompressedSize: data.length },
    });
  });
});
