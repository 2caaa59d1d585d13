// FIT images made by mkimage -f from an .its source (u-boot-tools): a gzip kernel, a ramdisk holding the
// rootfs tar, a device tree, with crc32/sha1/sha256/md5 hash nodes; embedded data, external data after the
// blob (-E) and at a fixed position (-E -p). Hash mismatches, truncation and mutations are reported, never
// thrown.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitHandler } from '../../../service/unpack/handlers/fit.js';
import { makeTar } from '../../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { BANNER, compress, dtc, fakeKernel, mkfit, flip } from '../../fixtures/unpack/wrappers.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';
import { files, mutationRun, openWith, truncationRun } from '../wrappers/harness.js';

const work = tempDir('fw-fit-');
const tree = path.join(work, 'tree');
makeSourceTree(tree);
const kernel = fakeKernel(200_000, 9);
fs.writeFileSync(path.join(work, 'kernel.gz'), compress(kernel, 'gzip'));
fs.writeFileSync(path.join(work, 'kernel.lzma'), compress(kernel, 'lzma'));
const tar = makeTar(tree, path.join(work, 'rootfs.tar'));
dtc('/dts-v1/;\n/ { model = "Firmwarden FIT board"; compatible = "fw,fit"; };\n', path.join(work, 'board.dtb'));

function its(kernelFile = 'kernel.gz', compression = 'gzip'): string {
  return `/dts-v1/;
/ {
  description = "Firmwarden FIT fixture";
  #address-cells = <1>;
  images {
    kernel-1 {
      description = "Linux kernel";
      data = /incbin/("${kernelFile}");
      type = "kernel"; arch = "mips"; os = "linux"; compression = "${compression}";
      load = <0x80000000>; entry = <0x80000000>;
      hash-1 { algo = "crc32"; };
      hash-2 { algo = "sha1"; };
    };
    ramdisk-1 {
      description = "rootfs";
      data = /incbin/("rootfs.tar");
      type = "ramdisk"; arch = "mips"; os = "linux"; compression = "none";
      hash-1 { algo = "sha256"; };
    };
    fdt-1 {
      description = "board";
      data = /incbin/("board.dtb");
      type = "flat_dt"; arch = "mips"; compression = "none";
      hash-1 { algo = "md5"; };
    };
  };
  configurations {
    default = "conf-1";
    conf-1 { description = "boot"; kernel = "kernel-1"; ramdisk = "ramdisk-1"; fdt = "fdt-1"; };
  };
};
`;
}

describe('fit handler', () => {
  for (const layout of ['embedded', 'external', 'position'] as const) {
    it(`opens a FIT with ${layout} data: each image by name, the kernel decompressed, hashes checked`, async () => {
      const image = mkfit(its(), work, path.join(work, `${layout}.itb`), layout);
      const data = fs.readFileSync(image);
      const opened = await openWith(fitHandler, data);
      expect(opened!.problems).toEqual([]);
      expect(opened!.chunk.meta).toMatchObject({ images: ['kernel-1', 'ramdisk-1', 'fdt-1'], description: 'Firmwarden FIT fixture', linuxBanner: BANNER, truncated: false });
      // mkimage pads the file after the last external image to 4 bytes; the chunk ends at the data's end.
      expect(data.length - opened!.chunk.end).toBeLessThan(4);
      const parts = await files(opened!.result);
      expect(Object.keys(parts).sort()).toEqual(['/fdt-1', '/kernel-1', '/ramdisk-1']);
      expect(parts['/kernel-1']!.equals(kernel)).toBe(true);
      expect(parts['/ramdisk-1']!.equals(fs.readFileSync(tar))).toBe(true);

      const r = await unpack(image);
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain.map((l) => [l.format, l.path])).toEqual([
        ['fit', undefined],
        ['dtb', '/fdt-1'],
        ['tar', '/ramdisk-1'],
      ]);
      expect(await viewManifest(r.filesystems.find((f) => f.format === 'tar')!)).toEqual(diskManifest(tree));
      expect((await r.filesystems.find((f) => f.format === 'dtb')!.read('/model')).toString()).toBe('Firmwarden FIT board\0');
      // The kernel is a file of the FIT's tree: readable there, so it is not repeated in the payloads view.
      expect(r.filesystems.find((f) => f.format === 'payloads')).toBeUndefined();
      expect((await r.filesystems[0]!.read('/kernel-1')).equals(kernel)).toBe(true);
    });
  }

  it('decompresses an lzma kernel too', async () => {
    const image = mkfit(its('kernel.lzma', 'lzma'), work, path.join(work, 'lzma.itb'));
    const opened = await openWith(fitHandler, fs.readFileSync(image));
    expect(opened!.problems).toEqual([]);
    expect((await files(opened!.result))['/kernel-1']!.equals(kernel)).toBe(true);
  });

  it('reports hash mismatches and still opens the images', async () => {
    const data = fs.readFileSync(mkfit(its(), work, path.join(work, 'hash.itb')));
    const tarAt = data.indexOf(fs.readFileSync(tar).subarray(0, 512));
    flip(data, tarAt + 600, 0xff);
    const kernelAt = data.indexOf(compress(kernel, 'gzip').subarray(0, 64));
    flip(data, kernelAt + 3, 0x01); // the gzip flags byte: still a gzip stream, but not the hashed bytes
    const opened = await openWith(fitHandler, data);
    expect(opened!.problems.map((p) => [p.code, p.path, p.message.split(' (')[0]])).toEqual([
      ['FW_ERR_UNPACK_MALFORMED', '/kernel-1', 'FIT image "kernel-1": crc32 mismatch'],
      ['FW_ERR_UNPACK_MALFORMED', '/kernel-1', 'FIT image "kernel-1": sha1 mismatch'],
      ['FW_ERR_UNPACK_MALFORMED', '/ramdisk-1', 'FIT image "ramdisk-1": sha256 mismatch'],
    ]);
    expect(Object.keys(await files(opened!.result))).toHaveLength(3);
  });

  it('reports truncation (embedded and external data) at several cut points, and survives mutations', async () => {
    for (const layout of ['embedded', 'external'] as const) {
      const data = fs.readFileSync(mkfit(its(), work, path.join(work, `cut-${layout}.itb`), layout));
      await truncationRun(work, `fit-${layout}`, data, [100, 2000, Math.floor(data.length / 2), data.length - 100]);
      const cut = await openWith(fitHandler, data.subarray(0, data.length - 100));
      expect(cut!.chunk.meta['truncated']).toBe(true);
      expect(cut!.problems.map((p) => p.code)).toContain('FW_ERR_UNPACK_TRUNCATED');
      await mutationRun(fitHandler, data, 150, 2048);
    }
  }, 120_000);

  it('is found inside a larger image', async () => {
    const itb = fs.readFileSync(mkfit(its(), work, path.join(work, 'inner.itb'), 'external'));
    const flash = path.join(work, 'flash.bin');
    fs.writeFileSync(flash, Buffer.concat([Buffer.alloc(0x40000, 0xff), itb]));
    const r = await unpack(flash);
    expect(errorCodes(r)).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'fit', offset: 0x40000 });
  });
});
