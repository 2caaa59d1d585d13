// ext features beyond the common tree: hashed directories, sparse and > 4 GiB files (lazy, never allocated),
// both kinds of symlink, and the block-mapping variants that reach them (extents, triple indirect blocks).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../../../service/unpack/byte-source.js';
import { readInodeTables, readSuperblock } from '../../../service/unpack/ext/superblock.js';
import type { TreeView } from '../../../service/unpack/handler.js';
import { debugfs, hasE2fsprogs, makeExt, type ExtOptions } from '../../fixtures/unpack/ext.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-ext-features-');
const GiB = 1024 ** 3;
const HUGE = 5 * GiB;
const HUGE_TAIL = 'tail-of-a-5GiB-file';
const LONG_TARGET = `${'very-long-directory-name/'.repeat(4)}target-that-does-not-fit-in-the-inode`;

/** A tree whose files are mostly holes: written with seeks, so mke2fs -d copies only the data. */
function makeSparseTree(root: string): void {
  fs.mkdirSync(path.join(root, 'many'), { recursive: true });
  for (let i = 0; i < 5000; i++) fs.writeFileSync(path.join(root, 'many', `entry-${String(i).padStart(4, '0')}`), i % 100 === 0 ? `file ${i}\n` : '');
  let fd = fs.openSync(path.join(root, 'sparse-1g'), 'w');
  fs.writeSync(fd, Buffer.from('head'), 0, 4, 0);
  fs.writeSync(fd, Buffer.from('middle'), 0, 6, GiB / 2);
  fs.ftruncateSync(fd, GiB);
  fs.closeSync(fd);
  fd = fs.openSync(path.join(root, 'huge'), 'w');
  fs.writeSync(fd, Buffer.from(HUGE_TAIL), 0, HUGE_TAIL.length, HUGE - HUGE_TAIL.length);
  fs.closeSync(fd);
  fs.writeFileSync(path.join(root, 'target'), 'the target\n');
  fs.symlinkSync('target', path.join(root, 'fast-link'));
  fs.symlinkSync(LONG_TARGET, path.join(root, 'slow-link'));
  fs.linkSync(path.join(root, 'target'), path.join(root, 'many', 'hard-link'));
}

const CASES: Array<[string, ExtOptions]> = [
  ['ext4 (extents, hashed directory)', { htree: true }],
  ['ext2 (triple indirect blocks for the 5 GiB file)', { type: 'ext2', htree: true, inodes: 6000 }],
  ['ext3 with 1 KiB blocks', { type: 'ext3', blockSize: 1024, inodes: 6000 }],
];

describe.skipIf(!hasE2fsprogs())('ext features', () => {
  const src = path.join(work, 'sparse-tree');

  // 300 MB of 1 KiB blocks: 38 groups, so meta_bg spreads the descriptors over several meta groups (16 or
  // 32 descriptors per block). The image is sparse: only its metadata takes disk space.
  for (const features of [['meta_bg', '^resize_inode'], ['meta_bg', '^resize_inode', '^flex_bg', '^64bit'], ['^flex_bg']]) {
    it(`finds every group's inode table as dumpe2fs does (${features.join(',')})`, () => {
      const empty = path.join(work, 'empty-dir');
      fs.mkdirSync(empty, { recursive: true });
      const image = makeExt(empty, path.join(work, `groups-${features.join('')}.img`), { blockSize: 1024, size: '300M', features });
      const dump = execFileSync('dumpe2fs', [image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const src = new FileSource(image);
      try {
        const sb = readSuperblock(src, 0)!;
        const expected = [...dump.matchAll(/Inode table at (\d+)-/g)].map((m) => Number(m[1]) * 1024);
        expect(expected).toHaveLength(38);
        expect([...readInodeTables(src, 0, sb)]).toEqual(expected);
      } finally {
        src.close();
      }
    });
  }

  for (const [label, opts] of CASES) {
    it(`reads ${label}: 5000-entry directory, sparse and huge files, symlinks, hard links`, async () => {
      if (!fs.existsSync(src)) makeSparseTree(src);
      const image = makeExt(src, path.join(work, `${label.split(' ')[0]}.img`), { size: '24M', ...opts });
      if (opts.htree) expect(debugfs(image, 'htree /many')).toMatch(/Root node dump/);
      // The 5 GiB file declares more than maxTotalBytes allows by default; this test is about reading it.
      const r = await unpack(image, { maxTotalBytes: 64 * GiB, maxRatio: 1e6 });
      expect(r.summary.errors).toEqual([]);
      const view = r.filesystems[0]! as typeof r.filesystems[0] & Pick<TreeView, 'openSource'>;

      const many = [...view.walk()].filter((n) => n.path.startsWith('/many/'));
      expect(many).toHaveLength(5001);
      expect((await view.read('/many/entry-4200')).toString()).toBe('file 4200\n');
      expect(view.lstat('/many/hard-link')?.hardLinkOf ?? view.lstat('/target')?.hardLinkOf).toBeDefined();

      expect(view.lstat('/fast-link')?.linkTarget).toBe('target');
      expect(view.lstat('/slow-link')?.linkTarget).toBe(LONG_TARGET);

      // Sparse: read lazily through openSource, holes as zeros, without ever holding 1 GiB.
      const rssBefore = process.memoryUsage().rss;
      const sparse = view.openSource!('/sparse-1g')!;
      expect(sparse.size).toBe(GiB);
      expect(sparse.read(0, 4).toString()).toBe('head');
      expect(sparse.read(GiB / 2, 6).toString()).toBe('middle');
      expect(sparse.read(GiB / 4, 1 << 20).every((b) => b === 0)).toBe(true);
      expect(sparse.read(GiB - 10, 100)).toHaveLength(10);
      const huge = view.openSource!('/huge')!;
      expect(view.lstat('/huge')?.size).toBe(HUGE);
      expect(huge.read(HUGE - HUGE_TAIL.length, 100).toString()).toBe(HUGE_TAIL);
      expect(huge.read(4.5 * GiB, 4096).every((b) => b === 0)).toBe(true);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
      // Whole-file reads past the in-memory cap are refused with a typed error, not attempted.
      await expect(view.read('/huge')).rejects.toMatchObject({ code: 'FW_ERR_UNPACK_LIMIT' });
    });
  }
});
