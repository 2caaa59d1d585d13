import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { ubiHandler } from '../../../service/unpack/handlers/ubi.js';
import { HANDLERS } from '../../../service/unpack/registry.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { hasTool, makeSquashfs, makeUbi, makeUbifs } from '../../fixtures/unpack/ubi.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-ubi-');
const haveSquashfs = hasTool('mksquashfs');

// Geometries of real NAND parts: 2 KiB pages / 128 KiB blocks, 512-byte pages with 256-byte subpages /
// 16 KiB blocks (old small-page NAND), 4 KiB pages / 256 KiB blocks. LEB = PEB - 2 pages (or 1 with subpages).
const GEOMETRIES = [
  { peb: '128KiB', pebBytes: 131072, minIo: 2048, leb: 126976 },
  { peb: '16KiB', pebBytes: 16384, minIo: 512, subpage: 256, leb: 15872 },
  { peb: '256KiB', pebBytes: 262144, minIo: 4096, leb: 253952 },
];

describe.skipIf(!hasTool('ubinize') || !hasTool('mkfs.ubifs'))('ubi handler', () => {
  for (const g of GEOMETRIES) {
    it(`opens a ubinize image (${g.peb} PEBs, ${g.minIo}-byte pages): volumes as files, UBIFS inside extracted exactly`, async () => {
      const src = path.join(work, `tree-${g.peb}`);
      makeSourceTree(src);
      const ubifs = makeUbifs(src, `${src}.ubifs`, { compression: 'lzo', minIo: g.subpage ?? g.minIo, lebSize: g.leb });
      const volumes = [
        { name: 'rootfs', image: ubifs, type: 'dynamic' as const, size: '4MiB' },
        ...(haveSquashfs ? [{ name: 'kernel', image: makeSquashfs(src, `${src}.sqfs`), type: 'static' as const }] : []),
        { name: 'rootfs_data', type: 'dynamic' as const, size: '1MiB', autoresize: true },
      ];
      const image = makeUbi(`${src}.ubi`, volumes, { minIo: g.minIo, pebSize: g.peb, ...(g.subpage ? { subpage: g.subpage } : {}) });
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain[0]).toMatchObject({ format: 'ubi', offset: 0, size: fs.statSync(image).size });
      const ubi = r.filesystems.find((f) => f.format === 'ubi')!;
      expect([...ubi.walk()].map((n) => n.path).sort()).toEqual(['/', ...volumes.map((v) => `/${v.name}`)].sort());
      // Dynamic volumes span their reserved LEBs (unwritten ones read as erased flash).
      expect(ubi.lstat('/rootfs_data')!.size % g.leb).toBe(0);
      expect((await ubi.read('/rootfs_data')).every((b) => b === 0xff)).toBe(true);
      const rootfs = await ubi.read('/rootfs');
      expect(rootfs.subarray(0, fs.statSync(ubifs).size).equals(fs.readFileSync(ubifs))).toBe(true);
      const ubifsView = r.filesystems.find((f) => f.format === 'ubifs')!;
      expect(ubifsView.chain.map((l) => [l.format, l.path])).toEqual([['ubi', undefined], ['ubifs', '/rootfs']]);
      expect(await viewManifest(ubifsView)).toEqual(diskManifest(src));
      if (haveSquashfs) {
        // A static volume is exactly the image it was made from (data_size of its last LEB trims the padding).
        expect((await ubi.read('/kernel')).equals(fs.readFileSync(`${src}.sqfs`))).toBe(true);
        if (HANDLERS.some((h) => h.name === 'squashfs')) {
          expect(r.summary.chain.some((l) => l.format === 'squashfs' && l.path === '/kernel')).toBe(true);
        }
      }
      expect(ubiHandler.identify(new BufferSource(fs.readFileSync(image)), 0)?.meta).toMatchObject({
        pebSize: g.pebBytes,
        dataOffset: g.pebBytes - g.leb,
      });
    });
  }

  it('sizes two images back to back (same image sequence number, off each other\'s PEB grid) apart', async () => {
    const src = path.join(work, 'tree-two');
    makeSourceTree(src, { ustarSafe: true });
    const ubifs = makeUbifs(src, `${src}.ubifs`, { compression: 'zlib' });
    const one = fs.readFileSync(makeUbi(`${src}-1.ubi`, [{ name: 'a', image: ubifs, type: 'dynamic' }], { imageSeq: 77 }));
    const two = fs.readFileSync(makeUbi(`${src}-2.ubi`, [{ name: 'b', image: ubifs, type: 'static' }], { imageSeq: 77 }));
    const image = path.join(work, 'two.bin');
    fs.writeFileSync(image, Buffer.concat([one, Buffer.alloc(3000, 0x5a), two]));
    const r = await unpack(image);
    expect(r.summary.chain.filter((l) => l.format === 'ubi').map((l) => [l.offset, l.size])).toEqual([
      [0, one.length],
      [one.length + 3000, two.length],
    ]);
    expect(r.filesystems.filter((f) => f.format === 'ubifs')).toHaveLength(2);
  });

  it('rejects noise that carries the UBI# magic', () => {
    let accepted = 0;
    for (let seed = 1; seed < 300; seed++) {
      const noise = pseudoRandom(8192, seed);
      noise.write('UBI#', 0, 'latin1');
      noise[4] = 1;
      noise.write('UBI#', 4096, 'latin1');
      if (ubiHandler.identify(new BufferSource(noise), 0)) accepted++;
    }
    expect(accepted).toBe(0);
  });
});
