// UBI attach rules and hostile UBI images: the newest copy of a LEB wins (unless it is an interrupted
// wear-levelling copy), damaged headers are skipped, cut-short images are reported, mutations never throw.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../../service/errors.js';
import { ubiHandler } from '../../../service/unpack/handlers/ubi.js';
import { ubifsHandler } from '../../../service/unpack/handlers/ubifs.js';
import { ubiCrc } from '../../../service/unpack/ubifs/ubi-headers.js';
import { DEFAULT_UNPACK_LIMITS, unpackImage, type UnpackResult } from '../../../service/unpack/unpack-image.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { hasTool, makeUbi, makeUbifs } from '../../fixtures/unpack/ubi.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';

/** Mutation loops run our handlers alone: the point is their robustness, and the other formats' scans cost time. */
const OURS = [ubiHandler, ubifsHandler];
async function unpackOurs(image: string): Promise<UnpackResult> {
  const r = await unpackImage({ imagePath: image, limits: DEFAULT_UNPACK_LIMITS, handlers: OURS });
  r.close(); // the views reopen the image on demand
  return r;
}
const work = tempDir('fw-ubi-damage-');
const PEB = 131072;
const VID_AT = 2048;
const DATA_AT = 4096;
const LEB = PEB - DATA_AT;

async function readAll(r: UnpackResult): Promise<void> {
  for (const view of r.filesystems) {
    for (const n of view.walk()) {
      if (n.type !== 'file') continue;
      try {
        await view.read(n.path);
      } catch (err) {
        expect(err).toBeInstanceOf(FirmwardenError);
      }
    }
  }
}

/** PEB index holding (volId, lnum), from the VID headers. */
function findPeb(img: Buffer, volId: number, lnum: number): number {
  for (let p = 0; p * PEB < img.length; p++) {
    const v = img.subarray(p * PEB + VID_AT, p * PEB + VID_AT + 64);
    if (v.toString('latin1', 0, 4) === 'UBI!' && v.readUInt32BE(8) === volId && v.readUInt32BE(12) === lnum) return p;
  }
  throw new Error(`no PEB for ${volId}:${lnum}`);
}

function setVid(peb: Buffer, edit: (vid: Buffer) => void): void {
  const vid = peb.subarray(VID_AT, VID_AT + 64);
  edit(vid);
  vid.writeUInt32BE(ubiCrc(vid.subarray(0, 60)), 60);
}

describe.skipIf(!hasTool('ubinize') || !hasTool('mkfs.ubifs'))('ubi damage', () => {
  const src = path.join(work, 'tree');
  makeSourceTree(src);
  const blob = path.join(work, 'blob.bin');
  fs.writeFileSync(blob, pseudoRandom(3 * LEB + 1000, 11));
  const ubifs = makeUbifs(src, path.join(work, 'rootfs.ubifs'), { compression: 'zlib' });
  const base = fs.readFileSync(
    makeUbi(path.join(work, 'base.ubi'), [
      { name: 'rootfs', image: ubifs, type: 'dynamic', size: '4MiB' },
      { name: 'blob', image: blob, type: 'static' },
    ]),
  );
  const write = (name: string, data: Buffer): string => {
    const p = path.join(work, name);
    fs.writeFileSync(p, data);
    return p;
  };

  it('takes the copy of a LEB with the highest sequence number, unless a copy fails its data CRC', async () => {
    const original = base.subarray(findPeb(base, 1, 1) * PEB, (findPeb(base, 1, 1) + 1) * PEB);
    const newer = Buffer.from(original);
    newer.write('NEWER COPY', DATA_AT, 'latin1');
    const dataSize = newer.readUInt32BE(VID_AT + 20);
    setVid(newer, (v) => {
      v.writeUInt32BE(0, 40);
      v.writeUInt32BE(newer.readUInt32BE(VID_AT + 44) + 1000, 44);
      v.writeUInt32BE(ubiCrc(newer.subarray(DATA_AT, DATA_AT + dataSize)), 32);
    });
    // Placed before the original: order on flash must not matter, only sqnum.
    const r = await unpack(write('newer.ubi', Buffer.concat([base, newer])));
    expect(r.summary.errors).toEqual([]);
    const got = await r.filesystems.find((f) => f.format === 'ubi')!.read('/blob');
    expect(got.toString('latin1', LEB, LEB + 10)).toBe('NEWER COPY');
    expect(got.subarray(0, LEB).equals(fs.readFileSync(blob).subarray(0, LEB))).toBe(true);

    // The same newer copy marked as a wear-levelling copy (copy_flag) whose data CRC fails: the old one wins.
    const broken = Buffer.from(newer);
    setVid(broken, (v) => {
      v[6] = 1;
      v.writeUInt32BE(0xdeadbeef, 32);
    });
    const r2 = await unpack(write('broken-copy.ubi', Buffer.concat([base, broken])));
    const got2 = await r2.filesystems.find((f) => f.format === 'ubi')!.read('/blob');
    expect(got2.equals(fs.readFileSync(blob))).toBe(true);
  });

  it('skips PEBs whose headers fail their CRC and says so', async () => {
    const img = Buffer.from(base);
    const p = findPeb(img, 1, 0);
    img.writeUInt8(img.readUInt8(p * PEB + VID_AT + 13) ^ 0x01, p * PEB + VID_AT + 13);
    const r = await unpack(write('bad-vid.ubi', img));
    expect(r.summary.errors.map((e) => e.message).join('\n')).toMatch(/volume-ID headers fail their CRC/);
    expect(r.summary.errors.some((e) => e.code === 'FW_ERR_UNPACK_TRUNCATED' && e.path === '/blob')).toBe(true);
    // The UBIFS volume is untouched.
    expect(await viewManifest(r.filesystems.find((f) => f.format === 'ubifs')!)).toEqual(diskManifest(src));
  });

  it('reports a cut-short image at several cut points', async () => {
    for (const cut of [PEB + 100, 3 * PEB + 5000, Math.floor(base.length / 2) + 77, base.length - 1000]) {
      const r = await unpack(write(`cut-${cut}.ubi`, base.subarray(0, cut)));
      expect(errorCodes(r), `cut at ${cut}`).toContain('FW_ERR_UNPACK_TRUNCATED');
      await readAll(r);
    }
  });

  it('survives random mutations of headers and the volume table without throwing or hanging', async () => {
    const pebs = base.length / PEB;
    let slowest = 0;
    for (let i = 0; i < 200; i++) {
      const img = Buffer.from(base);
      const rnd = pseudoRandom(64, 500 + i);
      const count = 1 + (rnd[0]! % 6);
      for (let k = 0; k < count; k++) {
        const peb = rnd.readUInt16LE(2 + 2 * k) % pebs;
        // EC header, VID header, or the first bytes of data (the volume table in PEBs 0-1).
        const region = [0, VID_AT, DATA_AT][rnd[20 + k]! % 3]!;
        const at = peb * PEB + region + (rnd[30 + k]! % (region === DATA_AT ? 255 : 64));
        img[at] = rnd[40 + k]!;
        // Half the time, make the damaged header look valid again so the parser sees the bad values.
        if (i % 2 === 0 && region !== DATA_AT) {
          const h = img.subarray(peb * PEB + region, peb * PEB + region + 64);
          h.writeUInt32BE(ubiCrc(h.subarray(0, 60)), 60);
        }
      }
      const started = Date.now();
      const r = await unpackOurs(write('mutant.ubi', img));
      await readAll(r);
      slowest = Math.max(slowest, Date.now() - started);
    }
    // Generous for a loaded CI box: a hang would never end, and the typical image takes well under a second.
    expect(slowest).toBeLessThan(10_000);
  }, 180_000);
});
