// SquashFS images made by Debian's mksquashfs from the shared source tree, read back through the whole
// unpacker and compared entry by entry (mode, size, sha256, link target): every compressor, with and without
// fragments, uncompressed tables, the smallest and largest block sizes, exportable or not. SquashFS stores all
// the manifest holds, so nothing is adjusted. More focused cases live in test/unpack/squashfs/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasMksquashfs, makeSquashfs, type SquashOptions } from '../../fixtures/unpack/squashfs.js';
import { diskManifest, makeSourceTree, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-squashfs-');
const available = hasMksquashfs();
const src = path.join(work, 'tree');
if (available) makeSourceTree(src);

const VARIANTS: Array<[string, SquashOptions]> = [
  ['gzip', { comp: 'gzip' }],
  ['xz', { comp: 'xz' }],
  ['lzo', { comp: 'lzo' }],
  ['lz4', { comp: 'lz4' }],
  ['zstd', { comp: 'zstd' }],
  ['lzma', { comp: 'lzma' }],
  ['xz without fragments', { comp: 'xz', args: ['-no-fragments'] }],
  ['gzip, tails always in fragments', { comp: 'gzip', args: ['-always-use-fragments'] }],
  ['uncompressed inodes, data, fragments and xattrs', { comp: 'gzip', args: ['-noI', '-noD', '-noF', '-noX'] }],
  ['4 KiB blocks', { comp: 'gzip', blockSize: 4096 }],
  ['1 MiB blocks', { comp: 'xz', blockSize: 1048576 }],
  ['not exportable', { comp: 'zstd', args: ['-no-exports'] }],
  ['no duplicate detection, no padding', { comp: 'lz4', args: ['-no-duplicates', '-nopad'] }],
];

describe.skipIf(!available)('squashfs handler (mksquashfs fixtures)', () => {
  for (const [label, opts] of VARIANTS) {
    it(`extracts a ${label} image exactly`, async () => {
      const image = makeSquashfs(src, path.join(work, `${label.replace(/\W+/g, '-')}.sqfs`), opts);
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.filesystems).toHaveLength(1);
      const view = r.filesystems[0]!;
      expect(view.format).toBe('squashfs');
      expect(await viewManifest(view)).toEqual(diskManifest(src));
      // mksquashfs keeps hard links: one inode, two names.
      const links = ['/bin/ls', '/bin/busybox'].map((p) => view.lstat(p)?.hardLinkOf).filter(Boolean);
      expect(links).toHaveLength(1);
      expect(view.lstat('/bin/su')?.mode).toBe(0o4755);
      expect(view.lstat('/tmp')?.mode).toBe(0o1777);
      // The chunk is the whole file (bytes_used plus mksquashfs's zero fill to 4 KiB): no unknown region.
      expect(r.summary.chain[0]).toMatchObject({ format: 'squashfs', offset: 0, size: fs.statSync(image).size });
      expect(r.summary.unknownRegions).toEqual([]);
    });
  }

  it('records device nodes, fifos and sockets from pseudo-file definitions', async () => {
    const tree = path.join(work, 'tree-dev');
    makeSourceTree(tree);
    fs.mkdirSync(path.join(tree, 'dev'));
    const image = makeSquashfs(tree, path.join(work, 'dev.sqfs'), {
      pseudo: ['dev/console c 600 0 0 5 1', 'dev/mtdblock3 b 640 0 6 31 3', 'dev/big c 600 0 0 4095 1048575', 'dev/initctl i 600 0 0 f', 'dev/log i 666 0 0 s'],
    });
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]!;
    expect(view.lstat('/dev/console')).toMatchObject({ type: 'chardev', mode: 0o600, rdev: { major: 5, minor: 1 } });
    expect(view.lstat('/dev/mtdblock3')).toMatchObject({ type: 'blockdev', mode: 0o640, gid: 6, rdev: { major: 31, minor: 3 } });
    expect(view.lstat('/dev/big')).toMatchObject({ type: 'chardev', rdev: { major: 4095, minor: 1048575 } });
    expect(view.lstat('/dev/initctl')?.type).toBe('fifo');
    expect(view.lstat('/dev/log')?.type).toBe('socket');
    const rows = (await viewManifest(view)).filter((row) => !row.path.startsWith('/dev/'));
    expect(rows).toEqual(diskManifest(tree).filter((row) => !row.path.startsWith('/dev/')));
  });

  it('leaves flash padding after the image as an unknown padding region', async () => {
    const image = makeSquashfs(src, path.join(work, 'padded-src.sqfs'), { comp: 'xz' });
    const body = fs.readFileSync(image);
    const padded = path.join(work, 'padded.bin');
    fs.writeFileSync(padded, Buffer.concat([body, Buffer.alloc(65536, 0xff)]));
    const r = await unpack(padded);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'squashfs', offset: 0, size: body.length });
    expect(r.summary.unknownRegions).toEqual([expect.objectContaining({ offset: body.length, size: 65536, note: 'padding' })]);
  });

  it('finds an image behind a header and sizes it exactly', async () => {
    const image = fs.readFileSync(makeSquashfs(src, path.join(work, 'inner.sqfs'), { comp: 'gzip', args: ['-nopad'] }));
    const wrapped = path.join(work, 'wrapped.bin');
    fs.writeFileSync(wrapped, Buffer.concat([Buffer.alloc(1000, 0x5a), image, Buffer.alloc(24, 0x33)]));
    const r = await unpack(wrapped);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'squashfs', offset: 1000, size: image.length });
    expect(await viewManifest(r.filesystems[0]!)).toEqual(diskManifest(src));
  });

  it('reports a truncated image at several cut points and never throws', async () => {
    const full = fs.readFileSync(makeSquashfs(src, path.join(work, 'full.sqfs'), { comp: 'gzip' }));
    const bytesUsed = Number(full.readBigUInt64LE(40));
    for (const cut of [200, 4096, Math.floor(bytesUsed / 2), bytesUsed - 600, bytesUsed - 40, bytesUsed - 1]) {
      const p = path.join(work, `cut-${cut}.sqfs`);
      fs.writeFileSync(p, full.subarray(0, cut));
      const r = await unpack(p);
      expect(errorCodes(r), `cut at ${cut}`).toContain('FW_ERR_UNPACK_TRUNCATED');
    }
  });
});
