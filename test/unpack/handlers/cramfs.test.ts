// cramfs images made by util-linux's mkfs.cramfs from the shared source tree, in both byte orders, read back
// through the whole unpacker and compared entry by entry. cramfs keeps 16-bit uids, 8-bit gids, no mtime and
// 24-bit sizes; the manifest (path, type, mode, size, sha256, link target) holds none of those, so nothing
// is adjusted. Damage and hostile cases live in test/unpack/cramfs/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addSpecialFiles, hasMkfsCramfs, makeCramfs, type CramfsOptions } from '../../fixtures/unpack/cramfs.js';
import { diskManifest, makeSourceTree, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-cramfs-');
const available = hasMkfsCramfs();
if (!available) console.warn('mkfs.cramfs not found (Debian util-linux): cramfs fixture tests skipped');
const src = path.join(work, 'tree');
if (available) makeSourceTree(src);

const VARIANTS: Array<[string, CramfsOptions]> = [
  ['little-endian', { endian: 'little' }],
  ['big-endian', { endian: 'big' }],
  ['little-endian with a 512-byte boot pad', { endian: 'little', pad: true }],
  ['big-endian with 16 KiB blocks', { endian: 'big', blockSize: 16384 }],
  ['little-endian with 64 KiB blocks', { endian: 'little', blockSize: 65536 }],
];

describe.skipIf(!available)('cramfs handler (mkfs.cramfs fixtures)', () => {
  for (const [label, opts] of VARIANTS) {
    it(`extracts a ${label} image exactly`, async () => {
      const image = makeCramfs(src, path.join(work, `${label.replace(/\W+/g, '-')}.cramfs`), opts);
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.filesystems).toHaveLength(1);
      const view = r.filesystems[0]!;
      expect(view.format).toBe('cramfs');
      expect(await viewManifest(view)).toEqual(diskManifest(src));
      expect(view.lstat('/bin/su')?.mode).toBe(0o4755);
      expect(view.lstat('/tmp')?.mode).toBe(0o1777);
      // The superblock's size covers the whole file (the boot pad too): no unknown region.
      expect(r.summary.chain[0]).toMatchObject({ format: 'cramfs', offset: 0, size: fs.statSync(image).size });
      expect(r.summary.unknownRegions).toEqual([]);
    });
  }

  it('keeps uid (16 bits) and gid (8 bits) as the format stores them', async () => {
    const tree = path.join(work, 'owners');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'f'), 'x');
    fs.chownSync(path.join(tree, 'f'), 0x12345, 0x1234);
    const r = await unpack(makeCramfs(tree, path.join(work, 'owners.cramfs')));
    // mkfs.cramfs warns and truncates: uid & 0xffff, gid & 0xff.
    expect(r.filesystems[0]!.lstat('/f')).toMatchObject({ uid: 0x2345, gid: 0x34, mtime: 0 });
  });

  for (const endian of ['little', 'big'] as const) it(`records ${endian}-endian device nodes, fifos and holes`, async (ctx) => {
    const tree = path.join(work, `special-${endian}`);
    makeSourceTree(tree);
    if (!addSpecialFiles(tree)) ctx.skip('mknod needs root');
    const image = makeCramfs(tree, path.join(work, `special-${endian}.cramfs`), { endian, holes: true });
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]!;
    expect(view.lstat('/null')).toMatchObject({ type: 'chardev', rdev: { major: 1, minor: 3 } });
    expect(view.lstat('/sda1')).toMatchObject({ type: 'blockdev', rdev: { major: 8, minor: 1 } });
    expect(view.lstat('/initctl')?.type).toBe('fifo');
    // The all-zero blocks of the sparse file are holes (-z): they read back as zeros.
    const sparse = await view.read('/sparse.bin');
    expect(sparse.equals(fs.readFileSync(path.join(tree, 'sparse.bin')))).toBe(true);
    expect(await viewManifest(view)).toEqual(diskManifest(tree));
  });

  it('finds a cramfs inside a larger image and reads a file lazily', async () => {
    const body = fs.readFileSync(makeCramfs(src, path.join(work, 'inner.cramfs'), { endian: 'big' }));
    const image = path.join(work, 'outer.bin');
    fs.writeFileSync(image, Buffer.concat([Buffer.alloc(4096, 0xff), body, Buffer.alloc(1000, 0x5a)]));
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'cramfs', offset: 4096, size: body.length });
    const view = r.filesystems[0]!;
    const busybox = fs.readFileSync(path.join(src, 'bin/busybox'));
    expect((await view.read('/bin/ls')).equals(busybox)).toBe(true);
  });
});
