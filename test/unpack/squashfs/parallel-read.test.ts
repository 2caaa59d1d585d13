// Whole-file reads with the decode pool forced on for every image size (FIRMWARDEN_SQUASHFS_WORKERS=2; by
// default only images of 8 MiB and more use it): blocks queued to workers and taken back by the main thread,
// fragments decoded ahead, zlib on node:zlib's threads. The bytes must be those of the synchronous path.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasMksquashfs, makeSquashfs, type SquashComp } from '../../fixtures/unpack/squashfs.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import type { MemoryTree } from '../../../service/unpack/memory-tree.js';
import { sharedDecodePool } from '../../../service/unpack/squashfs/decode-pool.js';
import { tempDir, unpack } from '../helpers.js';

process.env['FIRMWARDEN_SQUASHFS_WORKERS'] = '2';

const work = tempDir('fw-squashfs-par-');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(!hasMksquashfs())('squashfs reads through the decode pool', () => {
  const tree = path.join(work, 'tree');
  if (hasMksquashfs()) {
    makeSourceTree(tree);
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(tree, `usr/lib/small-${i}.txt`), `small file ${i}\n`.repeat(i * 40));
    fs.writeFileSync(path.join(tree, 'usr/lib/big.bin'), Buffer.concat([pseudoRandom(700_000, 3), Buffer.from('text '.repeat(200_000))]));
  }
  for (const comp of ['xz', 'lzma', 'zstd', 'gzip'] as SquashComp[]) {
    it(`reads a ${comp} image exactly, with tails in fragments`, async () => {
      const r = await unpack(makeSquashfs(tree, path.join(work, `${comp}.sqfs`), { comp, blockSize: 65536, args: ['-always-use-fragments'] }));
      expect(r.summary.errors).toEqual([]);
      const view = r.filesystems[0]!;
      expect(await viewManifest(view)).toEqual(diskManifest(tree));
      for (const n of view.walk()) {
        if (n.type !== 'file') continue;
        const src = (view as MemoryTree).openSource(n.path)!;
        expect(sha(await view.read(n.path)), n.path).toBe(sha(src.read(0, src.size)));
      }
      // The pool really ran on its workers (gzip goes to node:zlib's threads instead).
      if (comp !== 'gzip') expect(sharedDecodePool(0) as unknown).toMatchObject({ broken: false, slots: [expect.anything(), expect.anything()] });
    });
  }

  const corpus = process.env['FIRMWARDEN_CORPUS'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..', 'shared', 'corpus');
  const trendnet = path.join(corpus, 'firmware/binwalk/v2-input-vectors/firmware.squashfs');
  it.skipIf(!fs.existsSync(trendnet))('reads the vendor-LZMA TRENDnet rootfs the same way on workers', async () => {
    const r = await unpack(trendnet);
    const view = r.filesystems[0]! as MemoryTree;
    let files = 0;
    for (const n of view.walk()) {
      if (n.type !== 'file' || n.size < 100_000) continue;
      const src = view.openSource(n.path)!;
      expect(sha(await view.read(n.path)), n.path).toBe(sha(src.read(0, src.size)));
      files++;
    }
    expect(files).toBeGreaterThan(10);
  });
});
