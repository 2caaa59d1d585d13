// Damaged and hostile YAFFS2 images: cut short, random byte mutations, a directory loop through object
// headers, an object header claiming a 4 GiB file. Reports, never throws, never hangs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import type { UnpackResult } from '../../../service/unpack/unpack-image.js';
import { makeSourceTree, pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { NAND_2K, NOR_512, OBJ_ROOT, TYPE, Yaffs2Writer, makeYaffs2 } from '../../fixtures/unpack/yaffs2.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-yaffs2-damage-');
const src = path.join(work, 'tree');
makeSourceTree(src);

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

describe('yaffs2 damage', () => {
  it('reports a cut-short image at several cut points and keeps what precedes the cut', async () => {
    for (const [label, layout] of [['nand', NAND_2K], ['nor', { ...NOR_512, le: false }]] as const) {
      const full = fs.readFileSync(makeYaffs2(src, path.join(work, `full-${label}.yaffs2`), layout));
      const stride = layout.pageSize + layout.spareSize;
      // Cuts inside written chunks (the writer puts all data first, padding after).
      for (const chunk of [3, 20, 60, 100]) {
        const cut = chunk * stride + 700;
        const image = path.join(work, `cut-${label}-${cut}.yaffs2`);
        fs.writeFileSync(image, full.subarray(0, cut));
        const r = await unpack(image);
        expect(errorCodes(r), `${label} cut at ${cut}`).toContain('FW_ERR_UNPACK_TRUNCATED');
        expect(r.summary.chain[0]).toMatchObject({ format: 'yaffs2', offset: 0, size: cut });
        await readAll(r);
        expect(r.filesystems[0]!.lstat('/bin')?.type).toBe('dir');
      }
    }
  });

  it('stops at directories that contain each other', async () => {
    const w = new Yaffs2Writer(NAND_2K);
    w.header(300, { type: TYPE.dir, parent: OBJ_ROOT, name: 'a', mode: 0o40755 });
    w.header(301, { type: TYPE.dir, parent: 300, name: 'b', mode: 0o40755 });
    // An older header said 300 was in the root; this one (same sequence, later) puts it inside b: a loop
    // that the root can no longer reach, and a second directory naming itself as its parent.
    w.header(302, { type: TYPE.dir, parent: OBJ_ROOT, name: 'c', mode: 0o40755 });
    w.header(303, { type: TYPE.dir, parent: 303, name: 'self', mode: 0o40755 });
    w.header(300, { type: TYPE.dir, parent: 301, name: 'a', mode: 0o40755 });
    const image = path.join(work, 'loop.yaffs2');
    fs.writeFileSync(image, w.finish());
    const r = await unpack(image);
    expect([...r.filesystems[0]!.walk()].map((n) => n.path)).toEqual(['/', '/c']);
  });

  it('cuts a file declaring 4 GiB at the in-memory limit and reports it', async () => {
    const w = new Yaffs2Writer(NAND_2K);
    w.header(300, { type: TYPE.file, parent: OBJ_ROOT, name: 'huge', mode: 0o100644, size: 0xfffffff0 });
    w.data(300, Buffer.from('head'));
    const image = path.join(work, 'huge.yaffs2');
    fs.writeFileSync(image, w.finish());
    const r = await unpack(image, { maxPayloadInMemory: 1 << 20 });
    expect(errorCodes(r)).toContain('FW_ERR_UNPACK_LIMIT');
    const view = r.filesystems[0]!;
    expect(view.lstat('/huge')?.size).toBe(1 << 20);
    expect((await view.read('/huge')).subarray(0, 4).toString()).toBe('head');
  });

  it('survives random byte mutations without throwing or hanging', async () => {
    const base = fs.readFileSync(makeYaffs2(src, path.join(work, 'mutate.yaffs2'), { ...NAND_2K, le: false }));
    const image = path.join(work, 'mutant.yaffs2');
    const stride = 2048 + 64;
    let slowest = 0;
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(base);
      const rnd = pseudoRandom(64, i + 5);
      const count = 1 + (rnd[0]! % 12);
      for (let k = 0; k < count; k++) {
        // Half the mutations hit the spare areas (tags) or object headers of the first 40 chunks.
        const chunk = rnd.readUInt16LE(4 + k * 4) % 40;
        const pos = k % 2 === 0 ? chunk * stride + 2048 + (rnd[40 + k]! % 64) : chunk * stride + (rnd.readUInt16LE(6 + k * 4) % 512);
        m[pos % m.length] = rnd[k + 1]!;
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
