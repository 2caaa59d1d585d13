// Real firmware wrappers and kernels from the shared corpus (see its firmware/SOURCES.md): fact_extractor's
// U-Boot image, TL-MR3020 firmware with bootloader, TRX, bzImage and BE32 zImage test files, and the TP-Link
// MT7628 kernel partition. The facts asserted are those SOURCES.md gives (kernel banners, U-Boot versions,
// the synthetic rootfs FACT put in the TP-Link image). Skipped, with a message, when the corpus is absent
// (FIRMWARDEN_CORPUS, default ../shared/corpus).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../../service/unpack/byte-source.js';
import { linuxKernelHandler } from '../../service/unpack/handlers/linux-kernel.js';
import { tplinkHandler } from '../../service/unpack/handlers/tplink.js';
import { uimageHandler } from '../../service/unpack/handlers/uimage.js';
import type { FileSystemView } from '../../service/unpack/vfs.js';
import type { PayloadView } from '../../service/unpack/wrappers/payload-view.js';
import { errorCodes, unpack } from '../unpack/helpers.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env['FIRMWARDEN_CORPUS'] ?? path.resolve(packageRoot, '..', 'shared', 'corpus');
const firmware = path.join(corpus, 'firmware');
const present = fs.existsSync(path.join(firmware, 'SOURCES.md'));
if (!present) console.warn(`wrapper corpus tests skipped: no corpus at ${corpus} (set FIRMWARDEN_CORPUS)`);

const fact = (p: string): string => path.join(firmware, 'fact_extractor', p);

function viewOf(r: { filesystems: FileSystemView[] }, format: string): FileSystemView {
  const v = r.filesystems.find((f) => f.format === format);
  if (!v) throw new Error(`no ${format} view`);
  return v;
}

async function text(view: FileSystemView, p: string): Promise<string> {
  return (await view.read(p)).toString('latin1');
}

describe.skipIf(!present)('wrapper corpus', () => {
  it('uboot.image_with_header: a MIPS LZMA U-Boot uImage of 2014-09-22, both CRCs good', async () => {
    const file = fact('uboot/test/data/uboot.image_with_header');
    const src = new FileSource(file);
    const chunk = uimageHandler.identify(src, 0);
    src.close();
    expect(chunk).toMatchObject({
      start: 0,
      end: 64 + 32_753,
      meta: { name: 'u-boot image', os: 'linux', arch: 'mips', type: 'firmware', compression: 'lzma', headerCrcOk: true, truncated: false },
    });
    expect(new Date(Number(chunk!.meta['timestamp']) * 1000).toISOString()).toMatch(/^2014-09-22/);
    const r = await unpack(file);
    expect(r.summary.chain[0]).toMatchObject({ format: 'uimage', offset: 0, size: 32_817 });
    expect(r.summary.errors.filter((e) => e.message.startsWith('uimage'))).toEqual([]);
    const payloads = viewOf(r, 'payloads');
    expect(await text(payloads, '/uimage@0x0/firmware')).toContain('U-Boot 1.1.4 (Sep 22 2014 - 16:47:01)');
    // The file goes on with the start of a TP-Link firmware (v1 header, release 3.16.12), cut short.
    expect(r.summary.chain[1]).toMatchObject({ format: 'tplink', offset: 0x1c5b0 });
    expect(errorCodes(r).every((c) => c === 'FW_ERR_UNPACK_TRUNCATED')).toBe(true);
  });

  it('tpl/test.tpl: TP-Link "firmware 3020 v1" with bootloader, U-Boot 1.1.4 uImage at 0x3C80, LSDK kernel, FACT rootfs', async () => {
    const file = fact('tpl/test/data/test.tpl');
    const src = new FileSource(file);
    const outer = tplinkHandler.identify(src, 0);
    src.close();
    expect(outer).toMatchObject({
      end: 0x20200,
      meta: { headerVersion: 1, vendor: 'TP-LINK Technologies', firmwareVersion: 'ver. 1.0', release: '3.17.2', hardwareId: '0x30200001', firmwareLength: 4_063_744, innerFirmwareAt: 0x20200 },
    });
    const r = await unpack(file);
    // Both MD5 sums (outer and inner firmware) and the uImage CRCs are good: no problems at all.
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => [l.format, l.offset, l.depth, l.path])).toEqual([
      ['tplink', 0, 1, undefined],
      ['uimage', 0x3c80 - 0x200, 2, undefined],
      ['tplink', 0x20200, 1, undefined],
      ['squashfs', 0, 2, '/rootfs'],
    ]);
    const payloads = viewOf(r, 'payloads') as PayloadView;
    expect(await text(payloads, '/tplink@0x0/uimage@0x3a80/firmware')).toContain('U-Boot 1.1.4 (Sep 21 2015');
    expect(payloads.describe('/tplink@0x0/uimage@0x3a80/firmware')?.meta).toMatchObject({ os: 'linux', arch: 'mips', compression: 'lzma', dataCrcOk: true });
    const fw = viewOf(r, 'tplink');
    expect(await text(fw, '/vmlinux')).toContain('Linux version 2.6.31--LSDK-9.2.0.312 (tomcat@buildserver) (gcc version 4.3.3 (GCC) ) #4 Mon Sep 21 17:19:36 CST 2015');
    const rootfs = viewOf(r, 'squashfs');
    expect([...rootfs.walk()].filter((n) => n.type === 'file').map((n) => n.path)).toEqual(['/generic folder/test file 3_.txt', '/testfile1', '/testfile2']);
  });

  it('tplink-firmware-reversing/kernel.bin: v3 header ("ver. 2.0") + LZMA kernel, Linux 2.6.36 of Nov 19 2023', async () => {
    const file = path.join(firmware, 'tplink-firmware-reversing/kernel.bin');
    const r = await unpack(file);
    // The partition is a carve-out: the header's rootfs lies beyond it.
    expect(errorCodes(r)).toEqual(['FW_ERR_UNPACK_TRUNCATED', 'FW_ERR_UNPACK_TRUNCATED']);
    expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'tplink', offset: 0, size: 983_040 })]);
    const banner = (await text(viewOf(r, 'tplink'), '/vmlinux')).match(/Linux version [^\n]*/)?.[0];
    expect(banner).toMatch(/^Linux version 2\.6\.36 \(zhang@ubuntu\) \(gcc version 4\.6\.3 \(Buildroot 2012\.11\.1\) ?\) #1 Sun Nov 19 18:31:57 PST 2023/);
  });

  it('linuxkernel/bzImage_xz: x86 bzImage, xz payload, Linux 5.4.72 banner in meta and in the payloads view', async () => {
    const file = fact('linuxkernel/test/data/bzImage_xz');
    const r = await unpack(file);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'linux-kernel', offset: 0, size: 444_240 })]);
    const payloads = viewOf(r, 'payloads') as PayloadView;
    const meta = payloads.describe('/linux-kernel@0x0/vmlinux')?.meta;
    expect(meta).toMatchObject({ format: 'bzImage', compression: 'xz', payloadAt: 17_001, kernelVersion: expect.stringMatching(/^5\.4\.72 /) });
    expect(meta?.['linuxBanner']).toMatch(/^Linux version 5\.4\.72 \(root@caesurus-ubuntu20-04\) \(gcc version 9\.3\.0/);
    expect(await text(payloads, '/linux-kernel@0x0/vmlinux')).toContain(String(meta?.['linuxBanner']));
  });

  it('linuxkernel/zImage_be32: a word-swapped (BE32) ARM zImage whose gzip payload FACT finds in the word at 13068', async () => {
    const file = fact('linuxkernel/test/data/zImage_be32');
    const src = new FileSource(file);
    expect(linuxKernelHandler.identify(src, 0)).toMatchObject({ meta: { format: 'zImage', endian: 'big', truncated: true } });
    src.close();
    const r = await unpack(file);
    // Its header declares an 11.9 MB image: the 13 kB test file is cut from one.
    expect(errorCodes(r)).toEqual(['FW_ERR_UNPACK_TRUNCATED']);
    const payloads = viewOf(r, 'payloads') as PayloadView;
    // FACT names the 32-bit word the stream starts in (13068); the gzip magic is its second byte once swapped.
    expect(payloads.describe('/linux-kernel@0x0/vmlinux')?.meta).toMatchObject({ wordSwapped: true, compression: 'gzip', payloadAt: 13_069 });
    expect(await text(payloads, '/linux-kernel@0x0/vmlinux')).toBe('foobar 1234 test foobar 1234 test Linux version foobar 1234 test foobar 1234 test\n');
  });

  it('trx/trx.img: TRX v1 (LE) wrapping a zip of the test files, CRC good', async () => {
    const r = await unpack(fact('trx/test/data/trx.img'));
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain.map((l) => [l.format, l.path])).toEqual([
      ['trx', undefined],
      ['zip', '/partition-0'],
    ]);
    const zip = viewOf(r, 'zip');
    expect([...zip.walk()].filter((n) => n.type === 'file').map((n) => n.path)).toEqual([
      '/get_files_test/generic folder/test file 3_.txt',
      '/get_files_test/testfile1',
      '/get_files_test/testfile2',
    ]);
  });
});
