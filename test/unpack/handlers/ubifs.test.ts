import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { ubifsHandler } from '../../../service/unpack/handlers/ubifs.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { hasTool, makeUbifs, type UbifsCompression } from '../../fixtures/unpack/ubi.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-ubifs-');

// mkfs.ubifs device-table lines: name type mode uid gid major minor start inc count.
const DEVICE_TABLE = ['/dev d 755 0 0 - - - - -', '/dev/console c 600 0 0 5 1 - - -', '/dev/mtdblock3 b 640 0 6 31 3 - - -', '/dev/big c 600 0 0 300 70000 - - -'];

describe.skipIf(!hasTool('mkfs.ubifs'))('ubifs handler', () => {
  for (const compression of ['none', 'lzo', 'zlib', 'zstd'] as UbifsCompression[]) {
    it(`extracts a ${compression} image made by mkfs.ubifs exactly`, async () => {
      const src = path.join(work, `tree-${compression}`);
      makeSourceTree(src);
      const image = makeUbifs(src, `${src}.ubifs`, { compression, deviceTable: DEVICE_TABLE });
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'ubifs', offset: 0, size: fs.statSync(image).size })]);
      const view = r.filesystems[0]!;
      expect(view.format).toBe('ubifs');
      // The device table adds /dev and its nodes to the image only.
      const fromTable = (p: string): boolean => p === '/dev' || p.startsWith('/dev/');
      expect((await viewManifest(view)).filter((row) => !fromTable(row.path))).toEqual(diskManifest(src));
      expect(view.lstat('/dev/console')).toMatchObject({ type: 'chardev', mode: 0o600, rdev: { major: 5, minor: 1 } });
      expect(view.lstat('/dev/mtdblock3')).toMatchObject({ type: 'blockdev', mode: 0o640, gid: 6, rdev: { major: 31, minor: 3 } });
      expect(view.lstat('/dev/big')).toMatchObject({ type: 'chardev', rdev: { major: 300, minor: 70000 } });
      expect(['/bin/ls', '/bin/busybox'].map((p) => view.lstat(p)?.hardLinkOf).filter(Boolean)).toHaveLength(1);
    });
  }

  it('rejects noise and non-superblock nodes that carry the node magic', () => {
    let accepted = 0;
    for (let seed = 1; seed < 300; seed++) {
      const noise = pseudoRandom(8192, seed);
      noise.writeUInt32LE(0x06101831, 0);
      noise.writeUInt32LE(4096, 16);
      noise[20] = seed % 2 ? 6 : 1;
      if (ubifsHandler.identify(new BufferSource(noise), 0)) accepted++;
    }
    expect(accepted).toBe(0);
  });
});
