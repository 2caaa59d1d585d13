// Damaged and hostile romfs images: cut short, random byte mutations, a bad volume checksum, a directory
// whose entries chain back on themselves, a hard link to a directory. Reports, never throws, never hangs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import type { UnpackResult } from '../../../service/unpack/unpack-image.js';
import { hasGenromfs, makeRomfs } from '../../fixtures/unpack/romfs.js';
import { makeSourceTree, pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-romfs-damage-');
const available = hasGenromfs();
const src = path.join(work, 'tree');
if (available) makeSourceTree(src);

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

/** Offset of the file header whose name is `name` (names follow their 16-byte header). */
function headerOf(img: Buffer, name: string): number {
  const at = img.indexOf(Buffer.from(`${name}\0`, 'latin1'));
  if (at < 0 || at % 16 !== 0) throw new Error(`no header for ${name}`);
  return at - 16;
}

/** Rewrites a header's checksum so that only the changed field is odd, not its checksum. */
function fixHeaderChecksum(img: Buffer, at: number): void {
  const nameEnd = img.indexOf(0, at + 16);
  const end = (nameEnd + 16) & ~15;
  img.writeUInt32BE(0, at + 12);
  let sum = 0;
  for (let i = at; i < end; i += 4) sum = (sum + img.readUInt32BE(i)) >>> 0;
  img.writeUInt32BE((0x100000000 - sum) >>> 0, at + 12);
}

describe.skipIf(!available)('romfs damage', () => {
  it('reports a cut-short image at several cut points and keeps what precedes the cut', async () => {
    const full = fs.readFileSync(makeRomfs(src, path.join(work, 'full.romfs')));
    for (const cut of [200, 1000, Math.floor(full.length / 3), Math.floor(full.length / 2), full.length - 2000]) {
      const image = path.join(work, `cut-${cut}.romfs`);
      fs.writeFileSync(image, full.subarray(0, cut));
      const r = await unpack(image);
      expect(errorCodes(r), `cut at ${cut}`).toContain('FW_ERR_UNPACK_TRUNCATED');
      expect(r.summary.chain[0]).toMatchObject({ format: 'romfs', offset: 0, size: cut });
      await readAll(r);
    }
  });

  it('reports a bad volume checksum and still lists the tree', async () => {
    const img = fs.readFileSync(makeRomfs(src, path.join(work, 'sum.romfs')));
    img.write('XYZ', 16, 'latin1'); // the volume name is covered by the checksum of the first 512 bytes
    const image = path.join(work, 'sum-bad.romfs');
    fs.writeFileSync(image, img);
    const r = await unpack(image);
    expect(r.summary.errors.some((e) => e.code === 'FW_ERR_UNPACK_MALFORMED' && /checksum/.test(e.message))).toBe(true);
    expect(r.filesystems[0]!.lstat('/etc/passwd')?.type).toBe('file');
  });

  it('stops at a directory whose entries chain back on themselves', async () => {
    const img = fs.readFileSync(makeRomfs(src, path.join(work, 'loop.romfs')));
    const passwd = headerOf(img, 'passwd');
    // passwd's "next" now points at the first entry of /etc (type bits kept).
    const etc = headerOf(img, 'etc');
    const first = img.readUInt32BE(etc + 4);
    img.writeUInt32BE(((first & ~15) | (img.readUInt32BE(passwd) & 15)) >>> 0, passwd);
    fixHeaderChecksum(img, passwd);
    const image = path.join(work, 'loop-bad.romfs');
    fs.writeFileSync(image, img);
    const r = await unpack(image);
    expect(r.summary.errors.some((e) => /reached twice/.test(e.message))).toBe(true);
    expect(r.filesystems[0]!.lstat('/etc/passwd')?.type).toBe('file');
  });

  it('drops a hard link to a directory', async () => {
    const img = fs.readFileSync(makeRomfs(src, path.join(work, 'dirlink.romfs')));
    const ls = headerOf(img, 'ls');
    img.writeUInt32BE(headerOf(img, 'etc'), ls + 4);
    fixHeaderChecksum(img, ls);
    const image = path.join(work, 'dirlink-bad.romfs');
    fs.writeFileSync(image, img);
    const r = await unpack(image);
    expect(r.summary.errors.some((e) => /hard link to the directory/.test(e.message))).toBe(true);
    expect(r.filesystems[0]!.lstat('/bin/ls')).toBeUndefined();
  });

  it('survives random byte mutations without throwing or hanging', async () => {
    const base = fs.readFileSync(makeRomfs(src, path.join(work, 'mutate.romfs')));
    const image = path.join(work, 'mutant.romfs');
    // Headers are spread over the image; aim half the mutations at the first 2 KiB, where most are.
    let slowest = 0;
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(base);
      const rnd = pseudoRandom(64, i + 3);
      const count = 1 + (rnd[0]! % 12);
      for (let k = 0; k < count; k++) m[rnd.readUInt32LE(4 + k * 4) % (k % 2 ? m.length : 2048)] = rnd[k + 1]!;
      fs.writeFileSync(image, m);
      const started = Date.now();
      const r = await unpack(image);
      await readAll(r);
      slowest = Math.max(slowest, Date.now() - started);
    }
    expect(slowest).toBeLessThan(5_000);
  }, 180_000);
});
