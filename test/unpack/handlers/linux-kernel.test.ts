// Compressed Linux kernel images. Building a kernel is out of reach of a test, so the boot headers (ARM
// zImage head.S, x86 boot protocol 2.15) are written by test/fixtures/unpack/wrappers.ts around a stand-in
// kernel compressed by the real tools with the options the kernel build uses; the corpus tests open real
// kernels (fact_extractor's bzImage_xz, zImage_be32; TP-Link's LZMA kernel).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { linuxKernelHandler } from '../../../service/unpack/handlers/linux-kernel.js';
import type { PayloadView } from '../../../service/unpack/wrappers/payload-view.js';
import { pseudoRandom } from '../../fixtures/unpack/source-tree.js';
import { BANNER, compress, fakeKernel, makeBzImage, makeZImage, mkimage, type KernelCompression } from '../../fixtures/unpack/wrappers.js';
import { errorCodes, tempDir, unpack } from '../helpers.js';
import { mutationRun, openWith, truncationRun } from '../wrappers/harness.js';

const work = tempDir('fw-kernel-');
const kernel = fakeKernel(400_000, 21);
const COMPRESSIONS: KernelCompression[] = ['gzip', 'lzma', 'xz', 'lzo', 'lz4', 'zstd', 'bzip2'];
const packed = new Map(COMPRESSIONS.map((c) => [c, compress(kernel, c)]));

function write(name: string, data: Buffer): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, data);
  return p;
}

async function expectKernel(data: Buffer, meta: Record<string, unknown>): Promise<void> {
  const opened = await openWith(linuxKernelHandler, data);
  expect(opened!.problems).toEqual([]);
  expect(opened!.chunk).toMatchObject({ start: 0, end: data.length, meta: { ...meta, linuxBanner: BANNER, truncated: false } });
  expect(opened!.result).toMatchObject({ kind: 'payload', name: 'vmlinux' });
  if (opened!.result.kind === 'payload') expect(opened!.result.data.read(0, kernel.length + 1).equals(kernel)).toBe(true);
}

describe('linux-kernel handler', () => {
  for (const c of COMPRESSIONS) {
    it(`opens an ARM zImage (${c}, little-endian) and a bzImage (${c})`, async () => {
      await expectKernel(makeZImage(packed.get(c)!, kernel.length), { format: 'zImage', endian: 'little', compression: c });
      await expectKernel(makeBzImage(packed.get(c)!, '5.10.201-fw (builder@buildhost) #1 SMP'), {
        format: 'bzImage',
        compression: c,
        kernelVersion: '5.10.201-fw (builder@buildhost) #1 SMP',
        bootProtocol: '2.15',
        payloadOffset: 2000,
      });
    });
  }

  it('opens a big-endian zImage, and a little-endian one read out word-swapped (BE32 dump)', async () => {
    await expectKernel(makeZImage(packed.get('gzip')!, kernel.length, true), { format: 'zImage', endian: 'big' });
    const swapped = Buffer.from(makeZImage(packed.get('xz')!, kernel.length));
    swapped.swap32();
    await expectKernel(swapped, { format: 'zImage', endian: 'big', wordSwapped: true, compression: 'xz' });
  });

  it('puts the kernel in the payloads view with its banner, through the engine and inside a uImage', async () => {
    const zimage = write('zImage', makeZImage(packed.get('lzma')!, kernel.length));
    const r = await unpack(zimage);
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems.find((f) => f.format === 'payloads') as PayloadView;
    expect((await view.read('/linux-kernel@0x0/vmlinux')).equals(kernel)).toBe(true);
    expect(view.describe('/linux-kernel@0x0/vmlinux')?.meta).toMatchObject({ linuxBanner: BANNER, format: 'zImage' });

    // OpenWrt's ARM images: a zImage in a uImage (-C none). The uImage payload is all zImage, so only the
    // kernel is in the view; the uImage names its payload after what it holds.
    const uimage = mkimage(path.join(work, 'uImage-zImage'), [zimage], { arch: 'arm', comp: 'none' });
    const u = await unpack(uimage);
    expect(u.summary.errors).toEqual([]);
    expect(u.summary.chain.map((l) => l.format)).toEqual(['uimage', 'linux-kernel']);
    const uview = u.filesystems.find((f) => f.format === 'payloads') as PayloadView;
    expect([...uview.walk()].filter((n) => n.type === 'file').map((n) => n.path)).toEqual(['/uimage@0x0/linux-kernel@0x0/vmlinux']);
  });

  it('reports a zImage without a compressed kernel, and does not open the same image again', async () => {
    const empty = makeZImage(Buffer.alloc(0), 0);
    const opened = await openWith(linuxKernelHandler, empty);
    expect(opened!.problems.map((p) => p.code)).toEqual(['FW_ERR_UNPACK_UNSUPPORTED']);
    const r = await unpack(write('empty-zImage', empty));
    expect(r.summary.chain.map((l) => l.format)).toEqual(['linux-kernel']);
  });

  it('reports truncation at several cut points, and survives mutations', async () => {
    const z = makeZImage(packed.get('gzip')!, kernel.length);
    const bz = makeBzImage(packed.get('xz')!, '5.10.201');
    await truncationRun(work, 'zImage', z, [0x40, 7000, Math.floor(z.length / 2), z.length - 8]);
    await truncationRun(work, 'bzImage', bz, [0x260, 4000, Math.floor(bz.length / 2), bz.length - 20]);
    await mutationRun(linuxKernelHandler, z, 100, 0x40);
    await mutationRun(linuxKernelHandler, bz, 100, 0x260);
  }, 180_000);

  it('rejects noise around its magics', () => {
    for (let seed = 1; seed < 300; seed++) {
      const z = pseudoRandom(0x400, seed);
      z.writeUInt32LE(0x016f2818, 0x24);
      expect(linuxKernelHandler.identify(new BufferSource(z), 0), `zImage seed ${seed}`).toBeNull();
      const bz = pseudoRandom(0x400, seed + 1000);
      bz.write('HdrS', 0x202, 'latin1');
      expect(linuxKernelHandler.identify(new BufferSource(bz), 0), `bzImage seed ${seed}`).toBeNull();
    }
  });

  it('is found at an offset of a flash image', async () => {
    const z = makeZImage(packed.get('gzip')!, kernel.length);
    const r = await unpack(write('flash.bin', Buffer.concat([Buffer.alloc(0x50000, 0xff), z, Buffer.alloc(0x1000, 0xff)])));
    expect(errorCodes(r)).toEqual([]);
    expect(r.summary.chain[0]).toMatchObject({ format: 'linux-kernel', offset: 0x50000, size: z.length });
  });
});
