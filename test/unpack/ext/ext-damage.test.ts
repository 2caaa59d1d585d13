// Hostile and damaged ext images: cut short, hand-crafted loops (extent trees and indirect blocks that point
// back at themselves, directories that contain their ancestors) and random byte mutations. The unpacker must
// report, never throw, and never hang.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import { extHandler } from '../../../service/unpack/handlers/ext.js';
import { DEFAULT_UNPACK_LIMITS, unpackImage, type UnpackResult } from '../../../service/unpack/unpack-image.js';
import { debugfs, hasE2fsprogs, makeExt } from '../../fixtures/unpack/ext.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

/** Mutation loops run our handlers alone: the point is their robustness, and the other formats' scans cost time. */
const OURS = [extHandler];
async function unpackOurs(image: string): Promise<UnpackResult> {
  const r = await unpackImage({ imagePath: image, limits: DEFAULT_UNPACK_LIMITS, handlers: OURS });
  r.close(); // the views reopen the image on demand
  return r;
}
const work = tempDir('fw-ext-damage-');

/** Reads every file of every view; only typed errors may come out. */
async function readAll(r: UnpackResult): Promise<number> {
  let read = 0;
  for (const view of r.filesystems) {
    for (const n of view.walk()) {
      if (n.type !== 'file') continue;
      try {
        await view.read(n.path);
        read++;
      } catch (err) {
        expect(err).toBeInstanceOf(FirmwardenError);
      }
    }
  }
  return read;
}

/** Byte offset of an inode in the image, from debugfs's imap. */
function inodeOffset(image: string, file: string, blockSize: number): number {
  const m = /located at block (\d+), offset 0x([0-9a-f]+)/.exec(debugfs(image, `imap ${file}`));
  if (!m) throw new Error(`imap ${file} failed`);
  return Number(m[1]) * blockSize + parseInt(m[2]!, 16);
}

function firstDataBlock(image: string, file: string): number {
  return Number(debugfs(image, `blocks ${file}`).trim().split(/\s+/)[0]);
}

/** An extent node: header then index entries pointing at `children`. */
function extentIndexNode(depth: number, max: number, children: number[]): Buffer {
  const b = Buffer.alloc(12 + 12 * Math.max(max, children.length));
  b.writeUInt16LE(0xf30a, 0);
  b.writeUInt16LE(children.length, 2);
  b.writeUInt16LE(max, 4);
  b.writeUInt16LE(depth, 6);
  children.forEach((c, i) => {
    b.writeUInt32LE(0, 12 + i * 12);
    b.writeUInt32LE(c, 12 + i * 12 + 4);
  });
  return b;
}

describe.skipIf(!hasE2fsprogs())('ext damage', () => {
  const src = path.join(work, 'tree');
  makeSourceTree(src);

  it('reports a cut-short image at several cut points and keeps what precedes the cut', async () => {
    const full = fs.readFileSync(makeExt(src, path.join(work, 'full.img'), { size: '4M', blockSize: 1024 }));
    for (const cut of [3072, 8192, 64 * 1024, full.length / 4, full.length / 2, full.length - 4096]) {
      const image = path.join(work, `cut-${cut}.img`);
      fs.writeFileSync(image, full.subarray(0, cut));
      const r = await unpack(image);
      expect(errorCodes(r), `cut at ${cut}`).toContain('FW_ERR_UNPACK_TRUNCATED');
      expect(r.summary.chain[0]).toMatchObject({ format: 'ext', offset: 0, size: cut });
      await readAll(r);
      if (cut >= full.length / 2) expect(r.filesystems[0]!.fileCount).toBeGreaterThan(0);
    }
  });

  it('stops at an extent tree that points back at itself', async () => {
    const image = makeExt(src, path.join(work, 'extent-loop.img'), { size: '4M' });
    const img = fs.readFileSync(image);
    const ino = inodeOffset(image, '/bin/busybox', 4096);
    const block = firstDataBlock(image, '/bin/busybox');
    // Root (in the inode) at depth 2 -> block B at depth 1 -> B again.
    extentIndexNode(2, 4, [block]).copy(img, ino + 0x28);
    extentIndexNode(1, 340, [block, block]).copy(img, block * 4096);
    fs.writeFileSync(image, img);
    const r = await unpack(image);
    const view = r.filesystems[0]!;
    await expect(view.read('/bin/busybox')).rejects.toMatchObject({ code: 'FW_ERR_UNPACK_MALFORMED' });
    expect(r.summary.errors.some((e) => e.path === '/bin/busybox' && e.code === 'FW_ERR_UNPACK_MALFORMED')).toBe(true);
    expect((await view.read('/etc/passwd')).toString()).toContain('root:x:0:0');
  });

  it('stops at an indirect block used at two levels (ext2 block map loop)', async () => {
    const image = makeExt(src, path.join(work, 'indirect-loop.img'), { type: 'ext2', size: '4M', blockSize: 1024 });
    const stat = debugfs(image, 'stat /bin/busybox');
    const ind = /\(IND\):(\d+)/.exec(stat)?.[1];
    expect(ind).toBeDefined();
    const cmds = path.join(work, 'loop.cmds');
    // The double-indirect pointer reuses the single-indirect block, whose entries are data blocks: walked as
    // pointer blocks they point anywhere; 100 MiB makes the walk reach the triple-indirect range (64 MiB on).
    fs.writeFileSync(cmds, `sif /bin/busybox block[DIND] ${ind}\nsif /bin/busybox block[TIND] ${ind}\nsif /bin/busybox size 104857600\n`);
    execFileSync('debugfs', ['-w', '-f', cmds, image], { stdio: 'ignore' });
    const started = Date.now();
    const r = await unpack(image);
    await readAll(r);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_MALFORMED');
  });

  it('reports directory loops (a directory holding its ancestor or the root) and lists the rest once', async () => {
    const image = makeExt(src, path.join(work, 'dir-loop.img'), { size: '4M' });
    const cmds = path.join(work, 'dir-loop.cmds');
    fs.writeFileSync(cmds, 'ln / /etc/rootloop\nln /usr /usr/lib/up\nln /private /www/private-again\n');
    execFileSync('debugfs', ['-w', '-f', cmds, image], { stdio: 'ignore' });
    const r = await unpack(image);
    const loops = r.summary.errors.filter((e) => /directory loop/.test(e.message));
    expect(loops.map((e) => e.path).sort()).toEqual(['/etc/rootloop', '/usr/lib/up', '/www/private-again']);
    const rows = (await viewManifest(r.filesystems[0]!)).filter((row) => row.path !== '/lost+found');
    expect(rows).toEqual(diskManifest(src));
  });

  it('survives random byte mutations of the metadata without throwing or hanging', async () => {
    const base = fs.readFileSync(makeExt(src, path.join(work, 'mutate.img'), { size: '2M', blockSize: 1024 }));
    // Superblock, descriptors, bitmaps, inode tables and directories of a 2 MiB 1 KiB-block image.
    const metaEnd = 600 * 1024;
    const image = path.join(work, 'mutant.img');
    let slowest = 0;
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(base);
      const rnd = pseudoRandom(64, i + 1);
      const count = 1 + (rnd[0]! % 16);
      for (let k = 0; k < count; k++) {
        const pos = (rnd.readUInt32LE(4 + k * 3) % (k % 3 === 0 ? m.length : metaEnd - 1024)) + (k % 3 === 0 ? 0 : 1024);
        m[pos % m.length] = rnd[k + 1]!;
      }
      fs.writeFileSync(image, m);
      const started = Date.now();
      const r = await unpackOurs(image);
      await readAll(r);
      slowest = Math.max(slowest, Date.now() - started);
    }
    // Generous for a loaded CI box: a hang would never end, and the typical image takes well under a second.
    expect(slowest).toBeLessThan(10_000);
  }, 180_000);
});
