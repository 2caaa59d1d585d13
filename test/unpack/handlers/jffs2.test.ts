// JFFS2 images made by mtd-utils' mkfs.jffs2 (and sumtool) from the shared source tree, both byte orders,
// each compressor Debian's mkfs.jffs2 has (zlib, rtime, lzo, none), several erase block sizes, padding,
// no cleanmarkers, summary nodes: read back through the whole unpacker and compared entry by entry. The one
// adjustment: mkfs.jffs2 cuts symlink targets to 254 bytes ("symlink too large. Truncated to 254 chars"),
// so the long link's target is expected cut. The log semantics (versions, deletions, obsolete nodes, CRCs,
// LZMA) are tested on hand-built nodes in test/unpack/jffs2/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasMkfsJffs2, makeJffs2, type Jffs2Options } from '../../fixtures/unpack/jffs2.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest, type ManifestRow } from '../../fixtures/unpack/source-tree.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-jffs2-');
const available = hasMkfsJffs2();
if (!available) console.warn('mkfs.jffs2/sumtool not found (Debian mtd-utils): jffs2 fixture tests skipped');
const src = path.join(work, 'tree');
if (available) {
  makeSourceTree(src);
  // Compressible contents, so that every compressor really stores compressed nodes.
  const text = Array.from({ length: 3000 }, (_, i) => `line ${i % 97}: the quick brown fox ${i % 13}\n`).join('');
  fs.writeFileSync(path.join(src, 'etc/services'), text);
  fs.writeFileSync(path.join(src, 'usr/lib/runs.bin'), Buffer.concat([Buffer.alloc(9000, 0x41), pseudoRandom(3000, 3), Buffer.alloc(7000, 0)]));
}

/** What mkfs.jffs2 can store of the source tree: symlink targets cut to 254 bytes. */
function expectedManifest(dir: string): ManifestRow[] {
  return diskManifest(dir).map((row) => (row.linkTarget !== undefined && row.linkTarget.length > 254 ? { ...row, linkTarget: row.linkTarget.slice(0, 254) } : row));
}

const VARIANTS: Array<[string, Jffs2Options]> = [
  ['little-endian zlib', { endian: 'little', compression: 'zlib' }],
  ['big-endian zlib', { endian: 'big', compression: 'zlib' }],
  ['little-endian rtime', { endian: 'little', compression: 'rtime' }],
  ['big-endian rtime', { endian: 'big', compression: 'rtime' }],
  ['little-endian lzo', { endian: 'little', compression: 'lzo' }],
  ['big-endian lzo', { endian: 'big', compression: 'lzo' }],
  ['uncompressed', { endian: 'little', compression: 'none' }],
  ['16 KiB erase blocks, padded', { endian: 'big', eraseBlock: 0x4000, pad: true }],
  ['256 KiB erase blocks without cleanmarkers', { endian: 'little', eraseBlock: 0x40000, noCleanmarkers: true }],
  ['little-endian with summary nodes (sumtool)', { endian: 'little', summary: true }],
  ['big-endian with summary nodes, padded', { endian: 'big', summary: true, pad: true, eraseBlock: 0x20000 }],
];

describe.skipIf(!available)('jffs2 handler (mkfs.jffs2 fixtures)', () => {
  for (const [label, opts] of VARIANTS) {
    it(`extracts a ${label} image exactly`, async () => {
      const image = makeJffs2(src, path.join(work, `${label.replace(/\W+/g, '-')}.jffs2`), opts);
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.filesystems).toHaveLength(1);
      const view = r.filesystems[0]!;
      expect(view.format).toBe('jffs2');
      expect(await viewManifest(view)).toEqual(expectedManifest(src));
      // mkfs.jffs2 keeps hard links: two entries, one inode.
      expect(['/bin/ls', '/bin/busybox'].map((p) => view.lstat(p)?.hardLinkOf).filter(Boolean)).toHaveLength(1);
      expect(view.lstat('/bin/su')?.mode).toBe(0o4755);
      expect(view.lstat('/tmp')?.mode).toBe(0o1777);
      const size = fs.statSync(image).size;
      expect(r.summary.chain[0]).toMatchObject({ format: 'jffs2', offset: 0, size });
      expect(r.summary.unknownRegions).toEqual([]);
    });
  }

  it('keeps uid, gid and mtime from the newest inode node', async () => {
    const tree = path.join(work, 'owners');
    fs.mkdirSync(tree);
    const f = path.join(tree, 'f');
    fs.writeFileSync(f, 'x');
    fs.chownSync(f, 1234, 567);
    fs.utimesSync(f, 1_600_000_000, 1_600_000_000);
    const r = await unpack(makeJffs2(tree, path.join(work, 'owners.jffs2')));
    expect(r.filesystems[0]!.lstat('/f')).toMatchObject({ uid: 1234, gid: 567, mtime: 1_600_000_000 });
  });

  it('records device nodes from a device table', async () => {
    const table = path.join(work, 'devtable');
    fs.writeFileSync(table, ['/dev d 755 0 0 - - - - -', '/dev/console c 600 0 5 5 1 - - -', '/dev/mtdblock3 b 640 0 6 31 3 - - -'].join('\n'));
    const r = await unpack(makeJffs2(src, path.join(work, 'dev.jffs2'), { devtable: table, endian: 'big' }));
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]!;
    expect(view.lstat('/dev/console')).toMatchObject({ type: 'chardev', mode: 0o600, gid: 5, rdev: { major: 5, minor: 1 } });
    expect(view.lstat('/dev/mtdblock3')).toMatchObject({ type: 'blockdev', mode: 0o640, gid: 6, rdev: { major: 31, minor: 3 } });
    // mkfs.jffs2 writes the 16-bit old form only; the 32-bit one is tested on built nodes (jffs2/log.test.ts).
  });

  it("sizes the chunk to the last node's erase block, and takes whole erased blocks after it", async () => {
    const body = fs.readFileSync(makeJffs2(src, path.join(work, 'tail.jffs2'), { eraseBlock: 0x10000 }));
    const eb = Math.ceil(body.length / 0x10000) * 0x10000;
    const image = path.join(work, 'tail-outer.bin');
    // Erased to the block end, two erased blocks more, then something else.
    const tail = Buffer.concat([Buffer.alloc(eb - body.length + 2 * 0x10000, 0xff), Buffer.alloc(0x1000, 0x5a)]);
    fs.writeFileSync(image, Buffer.concat([Buffer.alloc(0x20000, 0x11), body, tail]));
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'jffs2', offset: 0x20000, size: eb + 2 * 0x10000 });
    expect(await viewManifest(r.filesystems[0]!)).toEqual(expectedManifest(src));
  });
});
