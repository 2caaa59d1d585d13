// Real squashfs images from the shared corpus (see its firmware/SOURCES.md): a TP-Link xz rootfs, the
// TRENDnet TEW-733GR rootfs whose "lzma" blocks are the vendor 5-byte-header form stock unsquashfs fails on,
// the ZyXEL P-663H-51 2.0 big-endian image with vendor LZMA data blocks, and FACT's small samples of every
// compressor and version (including AVM-style big-endian 4.0 and headerless LZMA 2.x/3.x). Skipped, with a
// message, when the corpus is absent (FIRMWARDEN_CORPUS, default ../shared/corpus).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FirmwardenError } from '../../service/errors.js';
import { BufferSource } from '../../service/unpack/byte-source.js';
import { squashfsHandler } from '../../service/unpack/handlers/squashfs.js';
import { DEFAULT_UNPACK_LIMITS } from '../../service/unpack/limits.js';
import { CappedSink } from '../../service/unpack/payload-sink.js';
import type { SquashfsTree } from '../../service/unpack/squashfs/squashfs-tree.js';
import type { FileSystemView } from '../../service/unpack/vfs.js';
import { unpack } from '../unpack/helpers.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env['FIRMWARDEN_CORPUS'] ?? path.resolve(packageRoot, '..', 'shared', 'corpus');
const firmware = path.join(corpus, 'firmware');
const present = fs.existsSync(path.join(firmware, 'SOURCES.md'));
if (!present) console.warn(`squashfs corpus tests skipped: no corpus at ${corpus} (set FIRMWARDEN_CORPUS)`);

function countTypes(view: FileSystemView): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of view.walk()) counts[n.type] = (counts[n.type] ?? 0) + 1;
  return counts;
}

/**
 * Reads every file whole, and checks its first bytes as the engine's peek gets them (the synchronous path,
 * which decodes only the head of LZMA/xz blocks) against the whole read (the concurrent path).
 */
async function readEveryFile(view: SquashfsTree): Promise<number> {
  let bytes = 0;
  for (const n of view.walk()) {
    if (n.type !== 'file') continue;
    const whole = await view.read(n.path);
    bytes += whole.length;
    const head = view.openSource(n.path)!.read(0, 300);
    if (!head.equals(whole.subarray(0, 300))) throw new Error(`peek of ${n.path} differs from its contents`);
  }
  return bytes;
}

describe.skipIf(!present)('squashfs corpus', () => {
  it('opens the TP-Link xz rootfs fully (361 files, BusyBox v1.19.2, /etc/passwd.bak)', async () => {
    const r = await unpack(path.join(firmware, 'tplink-firmware-reversing/rootfs.squashfs'));
    expect(r.summary.errors).toEqual([]);
    // bytes_used 3,002,156 rounded to 4 KiB; the rest of the 3 MiB partition is left as an unknown region.
    expect(r.summary.chain[0]).toMatchObject({ format: 'squashfs', offset: 0, size: 3_002_368 });
    expect(r.summary.unknownRegions).toEqual([expect.objectContaining({ offset: 3_002_368, size: 3_145_728 - 3_002_368 })]);
    const view = r.filesystems[0]! as SquashfsTree;
    expect(view.fileCount).toBe(361);
    expect(countTypes(view)).toEqual({ dir: 42, file: 361, symlink: 60, chardev: 74, blockdev: 15 });
    expect((await view.read('/etc/passwd.bak')).toString().split('\n')[0]).toBe('admin:$1$$iC.dUsGpxNNJGeOm1dFio/:0:0:root:/:/bin/sh');
    expect((await view.read('/bin/busybox')).includes('BusyBox v1.19.2')).toBe(true);
    expect(view.meta).toMatchObject({ version: '4.0', endian: 'little', compression: 'xz', blockSize: 262144, inodes: 552 });
    expect(await readEveryFile(view)).toBeGreaterThan(10_000_000);
  });

  it('extracts every file of the TRENDnet rootfs whose lzma blocks have no size field', async () => {
    const r = await unpack(path.join(firmware, 'binwalk/v2-input-vectors/firmware.squashfs'));
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]! as SquashfsTree;
    const counts = countTypes(view);
    // SOURCES.md's 1552 "files" are the regular files and device nodes; with 99 dirs and 160 symlinks, 1811 inodes.
    expect(counts).toEqual({ dir: 99, file: 1476, symlink: 160, chardev: 66, blockdev: 10 });
    expect(counts['file']! + counts['chardev']! + counts['blockdev']!).toBe(1552);
    await readEveryFile(view);
    expect((await view.read('/bin/busybox')).includes('BusyBox v1.14.1')).toBe(true);
    expect((await view.read('/lib/libcrypto.so.0.9.8')).includes('OpenSSL 0.9.8g')).toBe(true);
    expect((await view.read('/etc/config/buildver')).toString()).toBe('1.02\n');
    expect((await view.read('/etc/config/image_sign')).toString()).toBe('wrgn80_trendnet_tew733gr\n');
    // The superblock says lzma; every block was the vendor form (5-byte props+dictionary header, no size).
    expect(view.meta.compression).toBe('lzma');
    expect(Object.keys(view.meta.blockVariants)).toEqual(['lzma-vendor']);
  });

  it('extracts the ZyXEL 2.0 big-endian image with vendor LZMA data blocks', async () => {
    const r = await unpack(path.join(firmware, 'binwalk/v3-tests-inputs/squashfs_v2.bin'));
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]! as SquashfsTree;
    expect(view.meta).toMatchObject({ version: '2.0', endian: 'big', inodes: 431 });
    expect(countTypes(view)).toEqual({ dir: 29, file: 263, symlink: 68, chardev: 34, blockdev: 36, fifo: 1 });
    await readEveryFile(view);
    expect((await view.read('/bin/busybox')).includes('BusyBox v1.00 (2009.02.12')).toBe(true);
    expect((await view.read('/bin/cfm')).includes('SSH-2.0-dropbear_0.46')).toBe(true);
    expect((await view.read('/etc/rsa_host_key')).subarray(4, 11).toString()).toBe('ssh-rsa');
    expect(view.lstat('/etc/passwd')).toBeDefined();
    expect(view.meta.blockVariants['lzma-vendor']).toBeGreaterThan(200);
  });

  const SAMPLES: Array<[string, Record<string, unknown>]> = [
    ['gzip.sqfs', { version: '4.0', compression: 'gzip' }],
    ['lz4.sqfs', { version: '4.0', compression: 'lz4' }],
    ['lzma.sqfs', { version: '4.0', compression: 'lzma' }],
    ['lzo.sqfs', { version: '4.0', compression: 'lzo' }],
    ['xz.sqfs', { version: '4.0', compression: 'xz' }],
    ['zstd.sqfs', { version: '4.0', compression: 'zstd' }],
    ['avm_le.sqfs4', { version: '4.0', endian: 'little', compression: 'xz' }],
    // AVM-style: big-endian structures, little-endian metadata block headers.
    ['avm_be.sqfs4', { version: '4.0', endian: 'big', metadataEndian: 'little', compression: 'xz' }],
    ['zlib_le.sqfs3', { version: '3.1', endian: 'little' }],
    ['zlib_be.sqfs3', { version: '3.1', endian: 'big' }],
    // Minor version 76 ("L"): vendor LZMA builds; these store bare LZMA (no header, props 0x5D).
    ['lzma1_le.sqfs3', { version: '3.76', endian: 'little' }],
    ['lzma1_be.sqfs3', { version: '3.76', endian: 'big' }],
    ['lzma_le.sqfs2', { version: '2.76', endian: 'little' }],
    ['lzma_be.sqfs2', { version: '2.76', endian: 'big' }],
  ];
  for (const [name, meta] of SAMPLES) {
    it(`reads FACT's ${name}`, async () => {
      const r = await unpack(path.join(firmware, 'fact_extractor/squashFS/test/data', name));
      expect(r.summary.errors).toEqual([]);
      const view = r.filesystems[0]! as SquashfsTree;
      expect(view.meta).toMatchObject(meta);
      expect((await view.read('/testfile1')).toString()).toBe('test file:\ncontent: MyTestRule 1.2.3\nVersion: Program 0.0.0.0\n');
      expect((await view.read('/testfile2')).toString()).toBe('This is the second test file');
      expect((await view.read('/generic folder/test file 3_.txt')).toString()).toBe('The third test file!');
      if (name.startsWith('lzma1') || name.startsWith('lzma_')) expect(Object.keys(view.meta.blockVariants)).toEqual(['lzma-raw']);
    });
  }

  it('survives 300 random mutations of the 2.x/3.x samples (bitfield layouts, both byte orders, LZMA and zlib)', async () => {
    const names = ['zlib_le.sqfs3', 'zlib_be.sqfs3', 'lzma1_le.sqfs3', 'lzma1_be.sqfs3', 'lzma_le.sqfs2', 'lzma_be.sqfs2', 'avm_be.sqfs4'];
    const samples = names.map((n) => fs.readFileSync(path.join(firmware, 'fact_extractor/squashFS/test/data', n)));
    let seed = 0x1234567;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let opened = 0;
    for (let i = 0; i < 300; i++) {
      const img = Buffer.from(samples[i % samples.length]!);
      const used = Math.min(img.length, 600);
      for (let k = 1 + rand(3); k > 0; k--) img[rand(used)] = rand(256);
      const src = new BufferSource(img);
      const chunk = squashfsHandler.identify(src, 0);
      if (!chunk) continue;
      const r = await squashfsHandler.open(src, chunk, {
        limits: DEFAULT_UNPACK_LIMITS,
        signal: new AbortController().signal,
        problem: () => undefined,
        createSink: () => new CappedSink(1 << 20, () => undefined),
      });
      if (r.kind !== 'tree') continue;
      opened++;
      for (const n of r.tree.walk()) {
        if (n.type !== 'file') continue;
        r.tree.openSource?.(n.path)?.read(0, 64);
        await r.tree.read(n.path).catch((err: unknown) => {
          if (!(err instanceof FirmwardenError)) throw err;
        });
      }
    }
    expect(opened).toBeGreaterThan(50);
  });

  it("finds the squashfs inside FACT's TP-Link test.tpl (at 0x120200, directly or inside a TP-Link container)", async () => {
    const r = await unpack(path.join(firmware, 'fact_extractor/tpl/test/data/test.tpl'));
    const sq = r.filesystems.find((f) => f.format === 'squashfs');
    expect(sq).toBeDefined();
    expect((await sq!.read('/testfile2')).toString()).toBe('This is the second test file');
  });
});
