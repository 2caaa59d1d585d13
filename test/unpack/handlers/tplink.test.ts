// TP-Link firmware headers. No Debian package has mktplinkfw, so test/fixtures/unpack/wrappers.ts writes
// the header from OpenWrt's mktplinkfw.c / mktplinkfw2.c layout (and tpl-tool's "with bootloader" layout)
// around a kernel made by xz --format=lzma and a rootfs made by tar and gzip; the real TL-MR3020 image and
// the MT7628 kernel partition are in test/corpus/wrappers.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { tplinkHandler } from '../../../service/unpack/handlers/tplink.js';
import { gzipFile, makeTar } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { BANNER, compress, fakeKernel, makeTplink, mkimage, flip } from '../../fixtures/unpack/wrappers.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';
import { files, mutationRun, openWith, truncationRun } from '../wrappers/harness.js';

const work = tempDir('fw-tplink-');
const tree = path.join(work, 'tree');
makeSourceTree(tree);
const vmlinux = fakeKernel(250_000, 31);
const kernel = compress(vmlinux, 'lzma');
const rootfs = fs.readFileSync(gzipFile(makeTar(tree, path.join(work, 'rootfs.tar')), path.join(work, 'rootfs.tar.gz')));

function write(name: string, data: Buffer): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, data);
  return p;
}

describe('tplink handler', () => {
  for (const version of [1, 2, 3] as const) {
    it(`opens a v${version} firmware: MD5 checked, the LZMA kernel as "vmlinux" with its banner, the rootfs extracted`, async () => {
      const fw = makeTplink({ version, kernel, rootfs, rootfsOffset: 0x100000 });
      const opened = await openWith(tplinkHandler, fw);
      expect(opened!.problems).toEqual([]);
      expect(opened!.chunk).toMatchObject({
        start: 0,
        end: fw.length,
        meta: { headerVersion: version, kernel: { offset: 0x200, length: kernel.length }, rootfs: { offset: 0x100000, length: rootfs.length }, linuxBanner: BANNER, truncated: false },
      });
      const parts = await files(opened!.result);
      expect(Object.keys(parts)).toEqual(['/rootfs', '/vmlinux']);
      expect(parts['/vmlinux']!.equals(vmlinux)).toBe(true);
      expect(parts['/rootfs']!.equals(rootfs)).toBe(true);

      const r = await unpack(write(`fw-v${version}.bin`, fw));
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain.map((l) => [l.format, l.path])).toEqual([
        ['tplink', undefined],
        ['gzip', '/rootfs'],
        ['tar', undefined],
      ]);
      expect(await viewManifest(r.filesystems.find((f) => f.format === 'tar')!)).toEqual(diskManifest(tree));
    });
  }

  it('splits a firmware with bootloader: the bootloader (with its U-Boot uImage) and the inner firmware', async () => {
    const uboot = path.join(work, 'u-boot.lzma');
    fs.writeFileSync(uboot, compress(Buffer.concat([Buffer.from('U-Boot 1.1.4 (Sep 21 2015 - 17:00:00)\0'), pseudoRandom(60_000, 6)]), 'lzma'));
    const uimage = fs.readFileSync(mkimage(path.join(work, 'u-boot.img'), [uboot], { type: 'firmware', comp: 'lzma', name: 'u-boot image' }));
    const bootloader = Buffer.concat([pseudoRandom(0x3a80, 12), uimage]);
    const fw = makeTplink({ version: 1, kernel, rootfs, rootfsOffset: 0x100000, bootloader });
    const r = await unpack(write('fw-boot.bin', fw));
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => [l.format, l.offset, l.depth])).toEqual([
      ['tplink', 0, 1],
      ['uimage', 0x3a80, 2],
      ['tplink', 0x20200, 1],
      ['gzip', 0, 2],
      ['tar', 0, 3],
    ]);
    expect(r.summary.chain[0]!.size).toBe(0x20200);
    const inner = r.filesystems.find((f) => f.format === 'tplink')!;
    expect((await inner.read('/vmlinux')).equals(vmlinux)).toBe(true);
    const payloads = r.filesystems.find((f) => f.format === 'payloads')!;
    expect((await payloads.read('/tplink@0x0/bootloader')).equals(bootloader)).toBe(true);
    expect((await payloads.read('/tplink@0x0/uimage@0x3a80/firmware')).toString('latin1', 0, 12)).toBe('U-Boot 1.1.4');
  });

  it('reports an MD5 mismatch and opens the firmware anyway', async () => {
    const fw = makeTplink({ version: 1, kernel, rootfs });
    flip(fw, fw.length - 100, 0xff);
    const opened = await openWith(tplinkHandler, fw);
    expect(opened!.problems.map((p) => p.code)).toEqual(['FW_ERR_UNPACK_MALFORMED']);
    expect(opened!.problems[0]!.message).toMatch(/MD5 mismatch/);
    expect(Object.keys(await files(opened!.result))).toEqual(['/rootfs', '/vmlinux']);
  });

  it('keeps a kernel that is no known stream as "kernel", and reports truncation at several cut points', async () => {
    const raw = pseudoRandom(5000, 40);
    const opened = await openWith(tplinkHandler, makeTplink({ version: 2, kernel: raw, rootfs }));
    expect(Object.keys(await files(opened!.result))).toEqual(['/kernel', '/rootfs']);
    const fw = makeTplink({ version: 1, kernel, rootfs });
    await truncationRun(work, 'tplink', fw, [0x300, Math.floor(kernel.length / 2), fw.length - 10]);
  });

  it('survives mutations, and rejects headers whose fields do not fit', async () => {
    await mutationRun(tplinkHandler, makeTplink({ version: 1, kernel: kernel.subarray(0, 20_000), rootfs: rootfs.subarray(0, 1000) }), 200, 0x200);
    await mutationRun(tplinkHandler, makeTplink({ version: 3, kernel: kernel.subarray(0, 20_000), rootfs: rootfs.subarray(0, 1000) }), 100, 0x200);
    const good = makeTplink({ version: 1, kernel, rootfs });
    for (const [at, value] of [
      [0x7c, 0x100], // firmware shorter than its header
      [0x80, 0x10], // kernel inside the header
      [0x84, good.length], // kernel past the firmware
      [0x8c, good.length], // rootfs past the firmware
    ] as const) {
      const b = Buffer.from(good);
      b.writeUInt32BE(value, at);
      expect(tplinkHandler.identify(new BufferSource(b), 0), `field at 0x${at.toString(16)}`).toBeNull();
    }
    for (let seed = 1; seed < 200; seed++) {
      const noise = Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from('TP-LINK'), pseudoRandom(600, seed)]);
      expect(tplinkHandler.identify(new BufferSource(noise), 0)).toBeNull();
    }
  }, 60_000);

  it('is found inside a flash image', async () => {
    const fw = makeTplink({ version: 1, kernel, rootfs });
    const r = await unpack(write('flash.bin', Buffer.concat([Buffer.alloc(0x20000, 0xff), fw])));
    expect(errorCodes(r)).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'tplink', offset: 0x20000, size: fw.length });
  });
});
