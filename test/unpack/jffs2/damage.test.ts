// Damaged and hostile JFFS2 images: cut short, random byte mutations, thousands of overlapping nodes for one
// inode, a file declaring 4 GiB, directory entries forming a loop. Reports, never throws, never hangs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import type { UnpackResult } from '../../../service/unpack/unpack-image.js';
import { DT, Jffs2Builder, hasMkfsJffs2, makeJffs2 } from '../../fixtures/unpack/jffs2.js';
import { makeSourceTree, pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-jffs2-damage-');
const available = hasMkfsJffs2();
const src = path.join(work, 'tree');
if (available) makeSourceTree(src);
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

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

describe.skipIf(!available)('jffs2 damage (mkfs.jffs2 images)', () => {
  it('reports a cut-short image at several cut points and keeps what precedes the cut', async () => {
    for (const endian of ['little', 'big'] as const) {
      const full = fs.readFileSync(makeJffs2(src, path.join(work, `full-${endian}.jffs2`), { endian }));
      for (const cut of [1000, 70_000, Math.floor(full.length / 2) + 1, full.length - 100]) {
        const image = path.join(work, `cut-${endian}-${cut}.jffs2`);
        fs.writeFileSync(image, full.subarray(0, cut));
        const r = await unpack(image);
        expect(errorCodes(r), `${endian} cut at ${cut}`).toContain('FW_ERR_UNPACK_TRUNCATED');
        expect(r.summary.chain[0]).toMatchObject({ format: 'jffs2', offset: 0, size: cut });
        await readAll(r);
        // mkfs.jffs2 writes /bin (with busybox) first: half the image holds its first nodes.
        if (cut > full.length / 2) expect(r.filesystems[0]!.lstat('/bin/busybox')?.type).toBe('file');
      }
    }
  });

  it('survives random byte mutations without throwing or hanging', async () => {
    const base = fs.readFileSync(makeJffs2(src, path.join(work, 'mutate.jffs2'), { endian: 'big', compression: 'zlib' }));
    const image = path.join(work, 'mutant.jffs2');
    let slowest = 0;
    let reported = 0;
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(base);
      const rnd = pseudoRandom(64, i + 7);
      const count = 1 + (rnd[0]! % 12);
      for (let k = 0; k < count; k++) m[rnd.readUInt32LE(4 + k * 4) % m.length] = rnd[k + 1]!;
      fs.writeFileSync(image, m);
      const started = Date.now();
      const r = await unpack(image);
      await readAll(r);
      if (r.summary.errors.length > 0) reported++;
      slowest = Math.max(slowest, Date.now() - started);
    }
    // Almost every node is CRC-protected: nearly every mutation is noticed.
    expect(reported).toBeGreaterThan(250);
    expect(slowest).toBeLessThan(5_000);
  }, 180_000);
});

describe('jffs2 hostile logs (hand-built nodes)', () => {
  it('reassembles 20,000 overlapping nodes of one inode quickly', async () => {
    const b = new Jffs2Builder(true, 0x10000);
    b.dirent({ pino: 1, version: 1, ino: 2, name: 'f', type: DT.reg });
    const size = 5000;
    const rnd = pseudoRandom(20_000 * 4, 11);
    const range = (v: number): [number, number] => {
      const offset = rnd.readUInt16LE((v - 1) * 4) % size;
      return [offset, Math.min(1 + (rnd.readUInt16LE((v - 1) * 4 + 2) % 64), size - offset)];
    };
    // Newest first on flash: the order of the log must not matter, only the versions.
    for (let v = 20_000; v >= 1; v--) {
      const [offset, len] = range(v);
      b.inode({ ino: 2, version: v, mode: S_IFREG | 0o644, isize: size, offset, data: Buffer.alloc(len, v & 0xff) });
    }
    const truth = Buffer.alloc(size);
    for (let v = 1; v <= 20_000; v++) {
      const [offset, len] = range(v);
      truth.fill(v & 0xff, offset, offset + len);
    }
    const image = path.join(work, 'overlap.jffs2');
    fs.writeFileSync(image, b.build());
    const started = Date.now();
    const r = await unpack(image);
    const data = await r.filesystems[0]!.read('/f');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(data.equals(truth)).toBe(true);
  });

  it('cuts a file declaring 4 GiB at the in-memory limit and reports it', async () => {
    const b = new Jffs2Builder(false, 0x10000);
    b.dirent({ pino: 1, version: 1, ino: 2, name: 'huge', type: DT.reg });
    b.inode({ ino: 2, version: 1, mode: S_IFREG | 0o644, isize: 0xffffffff, offset: 0, data: Buffer.from('head') });
    const image = path.join(work, 'huge.jffs2');
    fs.writeFileSync(image, b.build());
    const r = await unpack(image, { maxPayloadInMemory: 1 << 20 });
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_LIMIT');
    const view = r.filesystems[0]!;
    expect(view.lstat('/huge')?.size).toBe(1 << 20);
    expect((await view.read('/huge')).subarray(0, 4).toString()).toBe('head');
  });

  it('stops at directory entries that form a loop', async () => {
    const b = new Jffs2Builder(true, 0x10000);
    b.dirent({ pino: 1, version: 1, ino: 2, name: 'a', type: DT.dir });
    b.inode({ ino: 2, version: 1, mode: S_IFDIR | 0o755, isize: 0 });
    b.dirent({ pino: 2, version: 2, ino: 3, name: 'b', type: DT.dir });
    b.inode({ ino: 3, version: 1, mode: S_IFDIR | 0o755, isize: 0 });
    b.dirent({ pino: 3, version: 3, ino: 2, name: 'back-to-a', type: DT.dir });
    b.dirent({ pino: 3, version: 4, ino: 1, name: 'back-to-root', type: DT.dir });
    b.dirent({ pino: 3, version: 5, ino: 4, name: '..', type: DT.reg });
    b.inode({ ino: 4, version: 1, mode: S_IFREG | 0o644, isize: 1, data: Buffer.from('x') });
    const image = path.join(work, 'loop.jffs2');
    fs.writeFileSync(image, b.build());
    const r = await unpack(image);
    const view = r.filesystems[0]!;
    expect([...view.walk()].map((n) => n.path)).toEqual(['/', '/a', '/a/b']);
    // back-to-a and back-to-root name directories already listed; ".." is no name for an entry.
    expect(r.summary.errors.filter((e) => /listed twice/.test(e.message))).toHaveLength(2);
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_PATH_TRAVERSAL');
  });
});
