// Damaged and hostile cramfs images: cut short, random byte mutations, a directory pointing back at the
// root, a name climbing out of the tree. The unpacker reports, never throws, never hangs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import type { UnpackResult } from '../../../service/unpack/unpack-image.js';
import { hasMkfsCramfs, makeCramfs } from '../../fixtures/unpack/cramfs.js';
import { makeSourceTree, pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-cramfs-damage-');
const available = hasMkfsCramfs();
const src = path.join(work, 'tree');
if (available) makeSourceTree(src);

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

/** The 12-byte inode of the directory entry named `name` (it sits just before the name). */
function entryInode(img: Buffer, name: string): number {
  const at = img.indexOf(Buffer.from(`${name}\0`, 'latin1'));
  if (at < 0) throw new Error(`no entry ${name}`);
  return at - 12;
}

describe.skipIf(!available)('cramfs damage', () => {
  it('reports a cut-short image at several cut points and keeps what precedes the cut', async () => {
    for (const endian of ['little', 'big'] as const) {
      const full = fs.readFileSync(makeCramfs(src, path.join(work, `full-${endian}.cramfs`), { endian }));
      for (const cut of [100, 600, 4096, Math.floor(full.length / 3), Math.floor(full.length / 2), full.length - 4096]) {
        const image = path.join(work, `cut-${endian}-${cut}.cramfs`);
        fs.writeFileSync(image, full.subarray(0, cut));
        const r = await unpack(image);
        expect(errorCodes(r), `${endian} cut at ${cut}`).toContain('FW_ERR_UNPACK_TRUNCATED');
        expect(r.summary.chain[0]).toMatchObject({ format: 'cramfs', offset: 0, size: cut });
        await readAll(r);
        // Directories come first in a cramfs: with half the image the whole tree is still listed.
        if (cut >= full.length / 2) expect(r.filesystems[0]!.lstat('/etc/passwd')?.type).toBe('file');
      }
    }
  });

  it('reports a CRC mismatch and still lists the tree', async () => {
    const img = fs.readFileSync(makeCramfs(src, path.join(work, 'crc.cramfs')));
    const last = img.length - 1;
    img[last - 5000] = (img[last - 5000]! + 1) & 0xff;
    const image = path.join(work, 'crc-bad.cramfs');
    fs.writeFileSync(image, img);
    const r = await unpack(image);
    expect(r.summary.errors.map((e) => e.code)).toContain('FW_ERR_UNPACK_MALFORMED');
    expect(r.summary.errors.some((e) => /CRC/.test(e.message))).toBe(true);
    expect(r.filesystems[0]!.lstat('/etc/passwd')?.type).toBe('file');
  });

  it('stops at a directory that points back at the root', async () => {
    const img = fs.readFileSync(makeCramfs(src, path.join(work, 'loop.cramfs')));
    const ino = entryInode(img, 'private');
    const w2 = img.readUInt32LE(ino + 8);
    // Keep the name length (low 6 bits), point the data at the root's entries (offset 76 = 19 words).
    img.writeUInt32LE(((w2 & 0x3f) | (19 << 6)) >>> 0, ino + 8);
    img.writeUInt32LE((img.readUInt32LE(ino + 4) & 0xff000000) | img.readUInt32LE(68) & 0xffffff, ino + 4);
    const image = path.join(work, 'loop-bad.cramfs');
    fs.writeFileSync(image, img);
    const r = await unpack(image);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_MALFORMED');
    const view = r.filesystems[0]!;
    // The root's entries are listed once, under the root; the looping directory stays empty.
    expect(r.summary.errors.some((e) => /listed twice/.test(e.message))).toBe(true);
    expect(view.lstat('/private')?.type).toBe('dir');
    expect(view.lstat('/private/etc')).toBeUndefined();
    expect(view.lstat('/etc/passwd')?.type).toBe('file');
  });

  it('records a name that climbs out of the tree as path traversal', async () => {
    const img = fs.readFileSync(makeCramfs(src, path.join(work, 'dotdot.cramfs')));
    const name = entryInode(img, 'www') + 12;
    img.write('..\0\0', name, 'latin1');
    const image = path.join(work, 'dotdot-bad.cramfs');
    fs.writeFileSync(image, img);
    const r = await unpack(image);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_PATH_TRAVERSAL');
    await readAll(r);
  });

  it('survives random byte mutations without throwing or hanging', async () => {
    const base = fs.readFileSync(makeCramfs(src, path.join(work, 'mutate.cramfs'), { endian: 'big' }));
    // The superblock, directories and block pointer tables come first; half the mutations go there.
    const metaEnd = 4096;
    const image = path.join(work, 'mutant.cramfs');
    let slowest = 0;
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(base);
      const rnd = pseudoRandom(64, i + 1);
      const count = 1 + (rnd[0]! % 12);
      for (let k = 0; k < count; k++) {
        const range = k % 2 === 0 ? metaEnd : m.length;
        m[rnd.readUInt32LE(4 + k * 4) % range] = rnd[k + 1]!;
      }
      fs.writeFileSync(image, m);
      const started = Date.now();
      const r = await unpack(image);
      await readAll(r);
      slowest = Math.max(slowest, Date.now() - started);
    }
    expect(slowest).toBeLessThan(5_000);
  }, 180_000);
});
