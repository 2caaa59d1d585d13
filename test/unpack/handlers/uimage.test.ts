// U-Boot legacy images made by mkimage (u-boot-tools): kernels with every compression U-Boot knows, a
// ramdisk holding a rootfs, a multi-file image; damaged CRCs, truncation, mutations, noise.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { uimageHandler } from '../../../service/unpack/handlers/uimage.js';
import type { PayloadView } from '../../../service/unpack/wrappers/payload-view.js';
import { gzipFile, makeTar } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { BANNER, compress, fakeKernel, mkimage, type KernelCompression, flip } from '../../fixtures/unpack/wrappers.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';
import { files, mutationRun, openWith, truncationRun } from '../wrappers/harness.js';

const work = tempDir('fw-uimage-');
const tree = path.join(work, 'tree');
makeSourceTree(tree);
const kernel = fakeKernel();
const kernelFile = path.join(work, 'vmlinux.bin');
fs.writeFileSync(kernelFile, kernel);

function kernelImage(comp: KernelCompression | 'none'): string {
  const data = path.join(work, `kernel.${comp}`);
  fs.writeFileSync(data, comp === 'none' ? kernel : compress(kernel, comp));
  return mkimage(path.join(work, `uImage.${comp}`), [data], { comp, arch: 'arm', load: '0x80008000', entry: '0x80008000' });
}

describe('uimage handler', () => {
  for (const comp of ['none', 'gzip', 'lzma', 'bzip2', 'lzo', 'lz4', 'zstd'] as const) {
    it(`opens a Linux kernel uImage (-C ${comp}): CRCs good, the kernel as "vmlinux", its banner in meta`, async () => {
      const image = kernelImage(comp);
      const opened = await openWith(uimageHandler, fs.readFileSync(image));
      expect(opened?.chunk).toMatchObject({
        start: 0,
        end: fs.statSync(image).size,
        meta: { os: 'linux', arch: 'arm', type: 'kernel', compression: comp, name: 'Linux-5.10.201', loadAddress: 0x80008000, headerCrcOk: true, truncated: false },
      });
      expect(opened!.problems).toEqual([]);
      expect(opened!.result).toMatchObject({ kind: 'payload', name: 'vmlinux' });
      expect(opened!.chunk.meta).toMatchObject({ dataCrcOk: true, linuxBanner: BANNER });
      if (opened!.result.kind === 'payload') expect(opened!.result.data.read(0, kernel.length).equals(kernel)).toBe(true);

      // Through the engine the kernel, which no handler opens, is readable in the payloads view.
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain.map((l) => l.format)).toEqual(['uimage']);
      const view = r.filesystems.find((f) => f.format === 'payloads') as PayloadView;
      expect((await view.read('/uimage@0x0/vmlinux')).equals(kernel)).toBe(true);
      expect(view.describe('/uimage@0x0/vmlinux')).toMatchObject({ chain: [{ format: 'uimage', offset: 0 }], meta: { linuxBanner: BANNER } });
    });
  }

  it('opens a ramdisk uImage holding a gzipped rootfs tar, stored (-C none) and decompressed by the header (-C gzip)', async () => {
    const tgz = gzipFile(makeTar(tree, path.join(work, 'rootfs.tar')), path.join(work, 'rootfs.tar.gz'));
    for (const comp of ['none', 'gzip']) {
      const image = mkimage(path.join(work, `ramdisk.${comp}`), [tgz], { type: 'ramdisk', comp, name: 'rootfs' });
      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain.map((l) => l.format)).toEqual(comp === 'none' ? ['uimage', 'gzip', 'tar'] : ['uimage', 'tar']);
      const tar = r.filesystems.find((f) => f.format === 'tar')!;
      expect(await viewManifest(tar)).toEqual(diskManifest(tree));
    }
  });

  it('opens a multi-file image (-T multi -d kernel:rootfs): the kernel decompressed, the rootfs tar extracted', async () => {
    const kgz = path.join(work, 'multi-kernel.gz');
    fs.writeFileSync(kgz, compress(kernel, 'gzip'));
    const tar = makeTar(tree, path.join(work, 'multi.tar'));
    const image = mkimage(path.join(work, 'uImage.multi'), [kgz, tar], { type: 'multi', comp: 'gzip' });
    const opened = await openWith(uimageHandler, fs.readFileSync(image));
    expect(opened!.problems).toEqual([]);
    const parts = await files(opened!.result);
    expect(Object.keys(parts)).toEqual(['/image-1', '/vmlinux']);
    expect(parts['/vmlinux']!.equals(kernel)).toBe(true);
    expect(parts['/image-1']!.equals(fs.readFileSync(tar))).toBe(true);
    expect(opened!.chunk.meta['linuxBanner']).toBe(BANNER);

    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => [l.format, l.path])).toEqual([['uimage', undefined], ['tar', '/image-1']]);
    expect(await viewManifest(r.filesystems.find((f) => f.format === 'tar')!)).toEqual(diskManifest(tree));
  });

  it('reports a bad header CRC and a bad data CRC, and opens the image anyway', async () => {
    const good = fs.readFileSync(kernelImage('none'));
    const badHeader = Buffer.from(good);
    flip(badHeader, 40, 0x01); // a byte of the name
    const h = await openWith(uimageHandler, badHeader);
    expect(h!.chunk.meta['headerCrcOk']).toBe(false);
    expect(h!.problems.map((p) => [p.code, p.message])).toEqual([['FW_ERR_UNPACK_MALFORMED', 'uImage header CRC mismatch']]);
    expect(h!.result).toMatchObject({ kind: 'payload', name: 'vmlinux' });

    const badData = Buffer.from(good);
    flip(badData, 5000, 0xff);
    const d = await openWith(uimageHandler, badData);
    expect(d!.problems.map((p) => p.code)).toEqual(['FW_ERR_UNPACK_MALFORMED']);
    expect(d!.problems[0]!.message).toMatch(/data CRC mismatch/);
    expect(d!.chunk.meta['linuxBanner']).toBe(BANNER);
  });

  it('reports truncation at several cut points without throwing', async () => {
    const data = fs.readFileSync(kernelImage('gzip'));
    await truncationRun(work, 'uimage', data, [64, 100, 5000, Math.floor(data.length / 2), data.length - 1]);
    const cut = await openWith(uimageHandler, data.subarray(0, 20_000));
    expect(cut!.chunk).toMatchObject({ end: 20_000, meta: { truncated: true } });
    expect(cut!.problems.map((p) => p.code)).toEqual(['FW_ERR_UNPACK_TRUNCATED', 'FW_ERR_UNPACK_TRUNCATED']);
  });

  it('survives random mutations of header and data', async () => {
    await mutationRun(uimageHandler, fs.readFileSync(kernelImage('gzip')), 150);
    await mutationRun(uimageHandler, fs.readFileSync(kernelImage('lzma')), 100);
  }, 120_000);

  it('rejects noise that merely starts with the magic, and is found at an offset inside an image', async () => {
    for (let seed = 1; seed < 300; seed++) {
      const noise = Buffer.concat([Buffer.from([0x27, 0x05, 0x19, 0x56]), pseudoRandom(200, seed)]);
      expect(uimageHandler.identify(new BufferSource(noise), 0), `seed ${seed}`).toBeNull();
    }
    const image = fs.readFileSync(kernelImage('lzma'));
    const flash = path.join(work, 'flash.bin');
    fs.writeFileSync(flash, Buffer.concat([Buffer.alloc(0x10000, 0xff), image, Buffer.alloc(0x1000, 0xff)]));
    const r = await unpack(flash);
    expect(errorCodes(r)).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'uimage', offset: 0x10000, size: image.length });
  });
});
