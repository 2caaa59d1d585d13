import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lzopHandler } from '../../../service/unpack/handlers/lzop.js';
import { describeStreamHandler, run } from './stream-suite.js';
import { tempDir, unpack } from '../helpers.js';
import { makeSourceTree } from '../../fixtures/unpack/source-tree.js';
import { makeTar } from '../../fixtures/unpack/archives.js';

describeStreamHandler({
  handler: lzopHandler,
  tool: 'lzop',
  compress: (f, level) => run('lzop', ['-c', level === 'best' ? '-9' : '-1', f]),
  magic: Buffer.from([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]),
});

describe('lzop handler', () => {
  const work = tempDir('fw-lzop-h-');

  it('names the payload after the file name stored in the header', async () => {
    const tree = path.join(work, 'tree');
    makeSourceTree(tree);
    const tar = makeTar(tree, path.join(work, 'rootfs.tar'));
    run('lzop', ['-f', '-o', path.join(work, 'rootfs.tar.lzo'), tar]);
    const r = await unpack(path.join(work, 'rootfs.tar.lzo'));
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => l.format)).toEqual(['lzop', 'tar']);
    expect(fs.existsSync(path.join(work, 'rootfs.tar.lzo'))).toBe(true);
  });
});
