import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { extHandler } from '../../../service/unpack/handlers/ext.js';
import { addDeviceNodes, hasE2fsprogs, makeExt, type ExtOptions } from '../../fixtures/unpack/ext.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-ext-');

// Device nodes need root on disk, so they are added to the image with debugfs and checked apart from the
// manifest. 259:1000 needs the "new" (12:20) encoding in i_block[1]; 5:1 and 8:0 use the old 8:8 one.
const DEVICES = [
  { path: '/console', type: 'c' as const, major: 5, minor: 1, mode: 0o620 },
  { path: '/sda', type: 'b' as const, major: 8, minor: 0, mode: 0o660 },
  { path: '/nvme0n1p1', type: 'b' as const, major: 259, minor: 1000, mode: 0o600 },
  { path: '/initctl', type: 'p' as const, mode: 0o600 },
];

const VARIANTS: Array<[string, ExtOptions, string]> = [
  ['ext4 (mke2fs defaults: extents, flex_bg, metadata_csum, 64bit)', {}, 'ext4'],
  ['ext2', { type: 'ext2' }, 'ext2'],
  ['ext3 with 1 KiB blocks', { type: 'ext3', blockSize: 1024 }, 'ext3'],
  ['ext4 without extents (block-mapped)', { features: ['^extent', '^64bit'] }, 'ext4'],
  ['ext4 with inline_data', { features: ['inline_data'] }, 'ext4'],
  ['ext2 with 128-byte inodes', { type: 'ext2', inodeSize: 128 }, 'ext2'],
  ['ext4 64bit + metadata_csum, 1 KiB blocks', { features: ['64bit', 'metadata_csum'], blockSize: 1024 }, 'ext4'],
  ['ext4 with 2 KiB blocks, no flex_bg, meta_bg', { blockSize: 2048, features: ['^flex_bg', '^resize_inode', 'meta_bg'] }, 'ext4'],
];

describe.skipIf(!hasE2fsprogs())('ext handler', () => {
  for (const [label, opts, variant] of VARIANTS) {
    it(`extracts ${label} made by mke2fs -d exactly`, async () => {
      const src = path.join(work, `tree-${variant}-${VARIANTS.findIndex((v) => v[0] === label)}`);
      makeSourceTree(src);
      const image = makeExt(src, `${src}.img`, opts);
      addDeviceNodes(image, DEVICES);
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain[0]).toMatchObject({ format: 'ext', offset: 0, size: fs.statSync(image).size });
      const view = r.filesystems[0]!;
      expect(view.format).toBe(variant);
      // mke2fs adds lost+found; the device nodes were added to the image only.
      const extra = new Set(['/lost+found', ...DEVICES.map((d) => d.path)]);
      expect((await viewManifest(view)).filter((row) => !extra.has(row.path))).toEqual(diskManifest(src));
      expect(view.lstat('/lost+found')?.type).toBe('dir');
      for (const d of DEVICES) {
        const node = view.lstat(d.path)!;
        expect(node.type).toBe({ c: 'chardev', b: 'blockdev', p: 'fifo' }[d.type]);
        expect(node.mode).toBe(d.mode);
        if (d.type !== 'p') expect(node.rdev).toEqual({ major: d.major, minor: d.minor });
      }
      // Exactly one of the two names of the hard-linked busybox is the link.
      expect(['/bin/ls', '/bin/busybox'].map((p) => view.lstat(p)?.hardLinkOf).filter(Boolean)).toHaveLength(1);
    });
  }

  it('finds a filesystem inside a larger image (partition offset) and sizes the chunk exactly', async () => {
    const src = path.join(work, 'tree-offset');
    makeSourceTree(src, { ustarSafe: true });
    const fsImage = fs.readFileSync(makeExt(src, `${src}.img`, { size: '4M' }));
    const image = path.join(work, 'disk.img');
    fs.writeFileSync(image, Buffer.concat([pseudoRandom(512 * 2048, 3), fsImage, Buffer.alloc(70_000, 0xff)]));
    const r = await unpack(image);
    const ext = r.summary.chain.find((c) => c.format === 'ext');
    expect(ext).toMatchObject({ offset: 512 * 2048, size: fsImage.length });
    expect(r.summary.errors).toEqual([]);
  });

  it('rejects noise that carries the ext magic', () => {
    let accepted = 0;
    for (let seed = 1; seed < 300; seed++) {
      const noise = pseudoRandom(8192, seed);
      noise.writeUInt16LE(0xef53, 1024 + 0x38);
      if (extHandler.identify(new BufferSource(noise), 0)) accepted++;
    }
    expect(accepted).toBe(0);
  });
});
