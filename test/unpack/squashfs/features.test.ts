// What the source tree of the handler test does not exercise: extended inodes (xattrs, sparse files, large
// directories with an index), sparse files, big multi-block files at both block-size extremes, and the tree's
// meta (compressor, endianness, the block layouts that were decoded).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasMksquashfs, makeSparseFile, makeSquashfs, trySetXattr } from '../../fixtures/unpack/squashfs.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import type { SquashfsTree } from '../../../service/unpack/squashfs/squashfs-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-squashfs-feat-');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(!hasMksquashfs())('squashfs features', () => {
  it('reads sparse files (holes stored as zero-length blocks) without storing the holes', async () => {
    const tree = path.join(work, 'sparse');
    const marker = Buffer.from('data in the middle of holes');
    makeSparseFile(path.join(tree, 'var/sparse.img'), 3 * 1024 * 1024 + 123, marker, 1024 * 1024 + 5);
    makeSparseFile(path.join(tree, 'var/all-holes.img'), 2 * 1024 * 1024, Buffer.alloc(0), 0);
    const image = makeSquashfs(tree, path.join(work, 'sparse.sqfs'), { comp: 'xz' });
    expect(fs.statSync(image).size).toBeLessThan(16384);
    // 5 MiB declared by a 12 KiB image is past the default expansion ratio: allow it for this test.
    const r = await unpack(image, { maxRatio: 1e6 });
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]!;
    const got = await view.read('/var/sparse.img');
    expect(got.length).toBe(3 * 1024 * 1024 + 123);
    expect(sha(got)).toBe(sha(fs.readFileSync(path.join(tree, 'var/sparse.img'))));
    expect((await view.read('/var/all-holes.img')).equals(Buffer.alloc(2 * 1024 * 1024))).toBe(true);
  });

  for (const blockSize of [4096, 1048576]) {
    it(`reads multi-block files with ${blockSize}-byte blocks, tails in fragments and not`, async () => {
      const tree = path.join(work, `big-${blockSize}`);
      fs.mkdirSync(tree, { recursive: true });
      const files: Record<string, Buffer> = {
        'random.bin': pseudoRandom(2_500_001, 11),
        'text.txt': Buffer.from('line of compressible text\n'.repeat(150_000)),
        'exact.bin': pseudoRandom(blockSize * 3, 5),
      };
      for (const [n, d] of Object.entries(files)) fs.writeFileSync(path.join(tree, n), d);
      for (const args of [[], ['-no-fragments'], ['-always-use-fragments']]) {
        const r = await unpack(makeSquashfs(tree, path.join(work, `big-${blockSize}-${args.join('')}.sqfs`), { comp: 'gzip', blockSize, args }));
        expect(r.summary.errors).toEqual([]);
        for (const [n, d] of Object.entries(files)) expect(sha(await r.filesystems[0]!.read(`/${n}`)), `${n} ${args}`).toBe(sha(d));
      }
    });
  }

  it('lists a large directory (extended directory inode with an index) and long names', async () => {
    const tree = path.join(work, 'large-dir');
    fs.mkdirSync(path.join(tree, 'many'), { recursive: true });
    const names = Array.from({ length: 700 }, (_, i) => `entry-${String(i).padStart(4, '0')}-${'x'.repeat(i % 200)}`);
    for (const n of names) fs.writeFileSync(path.join(tree, 'many', n), n);
    fs.writeFileSync(path.join(tree, 'n'.repeat(255)), 'longest name');
    const r = await unpack(makeSquashfs(tree, path.join(work, 'large-dir.sqfs'), { comp: 'zstd' }));
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]!;
    const listed = [...view.walk()].filter((n) => n.path.startsWith('/many/')).map((n) => n.path.slice(6));
    expect(listed.sort()).toEqual([...names].sort());
    expect((await view.read(`/many/${names[699]}`)).toString()).toBe(names[699]);
    expect((await view.read(`/${'n'.repeat(255)}`)).toString()).toBe('longest name');
  });

  it('reads extended attributes when the build kept them, and ignores them gracefully otherwise', async (ctx) => {
    const tree = path.join(work, 'xattr');
    fs.mkdirSync(path.join(tree, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    fs.symlinkSync('passwd', path.join(tree, 'etc/link'));
    if (!trySetXattr(path.join(tree, 'etc/passwd'), 'user.fw.label', 'system_u:object_r:etc_t')) ctx.skip();
    trySetXattr(path.join(tree, 'etc'), 'user.fw.dir', 'd');
    for (const args of [[], ['-noX'], ['-no-xattrs']]) {
      const r = await unpack(makeSquashfs(tree, path.join(work, `xattr${args.join('')}.sqfs`), { comp: 'xz', args }));
      expect(r.summary.errors).toEqual([]);
      const view = r.filesystems[0] as SquashfsTree;
      expect((await view.read('/etc/passwd')).toString()).toContain('root:x:0:0');
      if (args[0] === '-no-xattrs') {
        expect(view.xattrs('/etc/passwd')).toBeUndefined();
        continue;
      }
      expect(view.meta.xattrInodes).toBeGreaterThanOrEqual(2);
      expect(view.xattrs('/etc/passwd')?.get('user.fw.label')?.toString()).toBe('system_u:object_r:etc_t');
      expect(view.xattrs('/etc')?.get('user.fw.dir')?.toString()).toBe('d');
    }
  });

  it('opens an image stored as a file of another image (read piecewise through the outer one)', async () => {
    const inner = path.join(work, 'nested-inner');
    makeSourceTree(inner);
    const outer = path.join(work, 'nested-outer');
    fs.mkdirSync(path.join(outer, 'boot'), { recursive: true });
    makeSquashfs(inner, path.join(outer, 'boot/rootfs.img'), { comp: 'xz', blockSize: 65536 });
    const r = await unpack(makeSquashfs(outer, path.join(work, 'nested.sqfs'), { comp: 'xz', blockSize: 131072 }));
    expect(r.summary.errors).toEqual([]);
    expect(r.filesystems).toHaveLength(2);
    expect(r.filesystems[1]!.chain.map((c) => c.format)).toEqual(['squashfs', 'squashfs']);
    expect(await viewManifest(r.filesystems[1]!)).toEqual(diskManifest(inner));
  });

  it('describes the image in the tree meta', async () => {
    const tree = path.join(work, 'meta');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'a'), pseudoRandom(300_000, 3).toString('hex'));
    const r = await unpack(makeSquashfs(tree, path.join(work, 'meta.sqfs'), { comp: 'lzma', blockSize: 65536 }));
    const view = r.filesystems[0] as SquashfsTree;
    await view.read('/a');
    expect(view.meta).toMatchObject({ version: '4.0', endian: 'little', compression: 'lzma', blockSize: 65536 });
    // squashfs-tools' own lzma writer: the 13-byte .lzma header with the size.
    expect(view.meta.blockVariants.lzma).toBeGreaterThan(5);
    expect(errorCodes(r)).toEqual([]);
  });
});
