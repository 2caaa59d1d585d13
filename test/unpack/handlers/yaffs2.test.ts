// YAFFS2 images read back through the whole unpacker and compared entry by entry. Debian has no YAFFS2
// builder, so the images come from test/fixtures/unpack/yaffs2.ts, a writer that does what Aleph One's
// mkyaffs2image does; the real unyaffs (Debian) extracting those images to the same tree shows the writer is
// faithful. Layouts: 2048+64 NAND with tags+ECC at spare offset 0 (mkyaffs2image) or 2, tags without ECC
// (binwalk's sample), 512+16 NOR (248 chunks per 128 KiB block); both byte orders; all detected. The one
// adjustment: yaffs_obj_hdr keeps 159 bytes of symlink target, so the long link is not in the image (like
// mkyaffs2image, the writer leaves it out). Log semantics are in test/unpack/yaffs2/.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskManifest, makeSourceTree, viewManifest, type ManifestRow } from '../../fixtures/unpack/source-tree.js';
import { NAND_2K, NOR_512, OBJ_ROOT, TYPE, Yaffs2Writer, makeYaffs2, writeTree, type Yaffs2Layout } from '../../fixtures/unpack/yaffs2.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-yaffs2-');
const src = path.join(work, 'tree');
makeSourceTree(src);

/** The source tree as YAFFS2 holds it: symlinks with targets over 159 bytes are not in the image. */
function yaffsManifest(dir: string): ManifestRow[] {
  return diskManifest(dir).filter((row) => row.linkTarget === undefined || Buffer.byteLength(row.linkTarget) <= 159);
}

const VARIANTS: Array<[string, Yaffs2Layout]> = [
  ['2048+64 little-endian, tags+ECC at offset 0 (mkyaffs2image)', NAND_2K],
  ['2048+64 big-endian, tags+ECC at offset 0', { ...NAND_2K, le: false }],
  ['2048+64 little-endian, tags+ECC after a bad-block marker', { ...NAND_2K, tagOffset: 2 }],
  ['2048+64 big-endian, tags without ECC after a bad-block marker', { ...NAND_2K, le: false, tagOffset: 2, ecc: false }],
  ['2048+64 little-endian, tags without ECC', { ...NAND_2K, ecc: false }],
  ['512+16 NOR little-endian', NOR_512],
  ['512+16 NOR big-endian', { ...NOR_512, le: false }],
];

const hasUnyaffs = spawnSync('unyaffs', ['-V']).error === undefined;

describe('yaffs2 handler (writer fixtures)', () => {
  for (const [label, layout] of VARIANTS) {
    it(`extracts a ${label} image exactly`, async () => {
      const image = makeYaffs2(src, path.join(work, `${label.replace(/\W+/g, '-')}.yaffs2`), layout);
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.filesystems).toHaveLength(1);
      const view = r.filesystems[0]!;
      expect(view.format).toBe('yaffs2');
      expect(await viewManifest(view)).toEqual(yaffsManifest(src));
      expect(['/bin/ls', '/bin/busybox'].map((p) => view.lstat(p)?.hardLinkOf).filter(Boolean)).toHaveLength(1);
      expect(view.lstat('/bin/su')?.mode).toBe(0o4755);
      // The writer pads to whole blocks of erased chunks, as mkyaffs2image does: all of it is the image.
      expect(r.summary.chain[0]).toMatchObject({ format: 'yaffs2', offset: 0, size: fs.statSync(image).size });
      expect(r.summary.unknownRegions).toEqual([]);
    });
  }

  it.skipIf(!hasUnyaffs)('writes images that the real unyaffs extracts to the source tree', () => {
    for (const layout of [NAND_2K, { ...NAND_2K, ecc: false }]) {
      const image = makeYaffs2(src, path.join(work, `peer-${layout.ecc}.yaffs2`), layout);
      const out = path.join(work, `unyaffs-${layout.ecc}`);
      const run = spawnSync('unyaffs', [image, out], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(diskManifest(out)).toEqual(yaffsManifest(src));
    }
  });

  it('keeps owners, mtime, devices, fifos and sockets from object headers', async () => {
    const w = new Yaffs2Writer({ ...NAND_2K, le: false });
    w.header(300, { type: TYPE.dir, parent: OBJ_ROOT, name: 'dev', mode: 0o40755, uid: 0, gid: 0, mtime: 1_700_000_000 });
    // glibc's dev_t for 5:1 and for 259:1000 (12-bit major, 20-bit minor split around it).
    const devt = (major: number, minor: number): number => ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0;
    w.header(301, { type: TYPE.special, parent: 300, name: 'console', mode: 0o20620, gid: 5, rdev: devt(5, 1) });
    w.header(302, { type: TYPE.special, parent: 300, name: 'nvme0n1p1', mode: 0o60600, rdev: devt(259, 1000) });
    w.header(303, { type: TYPE.special, parent: 300, name: 'initctl', mode: 0o10600 });
    w.header(304, { type: TYPE.special, parent: 300, name: 'log', mode: 0o140666 });
    w.header(305, { type: TYPE.file, parent: OBJ_ROOT, name: 'owned', mode: 0o100640, uid: 1000, gid: 100, mtime: 1_600_000_000, size: 3 });
    w.data(305, Buffer.from('abc'));
    const image = path.join(work, 'special.yaffs2');
    fs.writeFileSync(image, w.finish());
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]!;
    expect(view.lstat('/dev')).toMatchObject({ type: 'dir', mtime: 1_700_000_000 });
    expect(view.lstat('/dev/console')).toMatchObject({ type: 'chardev', mode: 0o620, gid: 5, rdev: { major: 5, minor: 1 } });
    expect(view.lstat('/dev/nvme0n1p1')).toMatchObject({ type: 'blockdev', rdev: { major: 259, minor: 1000 } });
    expect(view.lstat('/dev/initctl')?.type).toBe('fifo');
    expect(view.lstat('/dev/log')?.type).toBe('socket');
    expect(view.lstat('/owned')).toMatchObject({ uid: 1000, gid: 100, mtime: 1_600_000_000, mode: 0o640, size: 3 });
    expect((await view.read('/owned')).toString()).toBe('abc');
  });

  it('finds a yaffs2 image after other data and stops at what follows it', async () => {
    const w = new Yaffs2Writer(NAND_2K);
    writeTree(w, src);
    const body = w.finish();
    const image = path.join(work, 'embedded.bin');
    fs.writeFileSync(image, Buffer.concat([Buffer.alloc(8192, 0x33), body, Buffer.alloc(4096, 0x77)]));
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'yaffs2', offset: 8192, size: body.length });
    expect(await viewManifest(r.filesystems[0]!)).toEqual(yaffsManifest(src));
  });
});
