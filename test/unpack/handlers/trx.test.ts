// TRX images. No Debian package builds TRX, so the header is written by test/fixtures/unpack/wrappers.ts
// from OpenWrt's firmware-utils trx.c layout around partitions made by the real tools (gzip, tar); the real
// sample in the corpus (fact_extractor's trx.img) is in test/corpus/wrappers.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { trxHandler } from '../../../service/unpack/handlers/trx.js';
import { gzipFile, makeTar } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { compress, fakeKernel, makeTrx, flip } from '../../fixtures/unpack/wrappers.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';
import { files, mutationRun, openWith, truncationRun } from '../wrappers/harness.js';

const work = tempDir('fw-trx-');
const tree = path.join(work, 'tree');
makeSourceTree(tree);
const loader = pseudoRandom(3001, 4);
const kernelLzma = compress(fakeKernel(100_000), 'lzma');
const rootfs = fs.readFileSync(gzipFile(makeTar(tree, path.join(work, 'rootfs.tar')), path.join(work, 'rootfs.tar.gz')));

function write(name: string, data: Buffer): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, data);
  return p;
}

describe('trx handler', () => {
  for (const version of [1, 2] as const) {
    it(`opens a TRX v${version}: CRC checked, each partition a file, the rootfs extracted`, async () => {
      const trx = makeTrx([loader, kernelLzma, rootfs], version);
      const opened = await openWith(trxHandler, trx);
      expect(opened!.problems).toEqual([]);
      expect(opened!.chunk).toMatchObject({ start: 0, end: trx.length, meta: { version, crcOk: true, truncated: false } });
      const parts = await files(opened!.result);
      expect(Object.keys(parts)).toEqual(['/partition-0', '/partition-1', '/partition-2']);
      expect(parts['/partition-0']!.subarray(0, loader.length).equals(loader)).toBe(true);
      expect(parts['/partition-2']!.subarray(0, rootfs.length).equals(rootfs)).toBe(true);

      const r = await unpack(write(`v${version}.trx`, trx));
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain.map((l) => [l.format, l.path])).toEqual([
        ['trx', undefined],
        ['lzma', '/partition-1'],
        ['gzip', '/partition-2'],
        ['tar', undefined],
      ]);
      expect(await viewManifest(r.filesystems.find((f) => f.format === 'tar')!)).toEqual(diskManifest(tree));
    });
  }

  it('reports a CRC mismatch and opens the partitions anyway', async () => {
    const trx = makeTrx([loader, rootfs]);
    flip(trx, 100, 0x55);
    const opened = await openWith(trxHandler, trx);
    expect(opened!.problems.map((p) => p.code)).toEqual(['FW_ERR_UNPACK_MALFORMED']);
    expect(opened!.problems[0]!.message).toMatch(/CRC mismatch/);
    expect(Object.keys(await files(opened!.result))).toEqual(['/partition-0', '/partition-1']);
  });

  it('reports truncation at several cut points, and survives mutations', async () => {
    const trx = makeTrx([loader, kernelLzma, rootfs]);
    await truncationRun(work, 'trx', trx, [40, 2000, Math.floor(trx.length / 2), trx.length - 1]);
    await mutationRun(trxHandler, trx, 300, 32);
  }, 120_000);

  it('rejects headers whose offsets or lengths do not fit, and noise after the magic', () => {
    const good = makeTrx([loader, rootfs]);
    const bad = (edit: (b: Buffer) => void): Buffer => {
      const b = Buffer.from(good);
      edit(b);
      return b;
    };
    for (const b of [
      bad((x) => x.writeUInt16LE(3, 14)), // version
      bad((x) => x.writeUInt32LE(10, 4)), // shorter than its header
      bad((x) => x.writeUInt32LE(good.length + 10, 20)), // offset past the end
      bad((x) => x.writeUInt32LE(20, 20)), // offset inside the header
      bad((x) => x.writeUInt32LE(28, 20)), // offsets not increasing
    ]) {
      expect(trxHandler.identify(new BufferSource(b), 0)).toBeNull();
    }
    for (let seed = 1; seed < 300; seed++) {
      expect(trxHandler.identify(new BufferSource(Buffer.concat([Buffer.from('HDR0'), pseudoRandom(100, seed)])), 0)).toBeNull();
    }
  });

  it('is found after a bootloader area in a flash image', async () => {
    const trx = makeTrx([loader, rootfs]);
    const r = await unpack(write('flash.bin', Buffer.concat([pseudoRandom(0x20000, 8), trx, Buffer.alloc(0x8000, 0xff)])));
    expect(errorCodes(r)).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'trx', offset: 0x20000, size: trx.length });
  });
});
