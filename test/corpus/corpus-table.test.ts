// The real samples of the shared corpus (FIRMWARDEN_CORPUS, default ../shared/corpus; see firmware/SOURCES.md),
// each with the minimal facts our unpacker must establish once the handlers of its formats are registered
// (a fact whose handlers are not registered yet is a skipped test naming them). The facts come from
// SOURCES.md (inode and file counts, version strings, known file contents), and the same samples make the
// table in docs/unpack-corpus.md (test/corpus/make-corpus-table.ts): its fast part is checked here too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HANDLERS } from '../../service/unpack/registry.js';
import type { UnpackResult } from '../../service/unpack/unpack-image.js';
import type { FileSystemView } from '../../service/unpack/vfs.js';
import { registeredName } from '../fixtures/build-images.js';
import { unpack } from '../unpack/helpers.js';
import { corpusRoot, listSamples, unpackSample } from './make-corpus-table.js';

const root = corpusRoot();
const haveCorpus = fs.existsSync(path.join(root, 'firmware', 'SOURCES.md'));
const registered = HANDLERS.map((h) => h.name);

interface Fact {
  sample: string;
  /** Canonical handler names (build-images.ts HANDLER_ALIASES) the fact depends on. */
  needs: string[];
  what: string;
  check(r: UnpackResult): Promise<void>;
}

function counts(view: FileSystemView): Record<string, number> {
  const c: Record<string, number> = {};
  for (const n of view.walk()) c[n.type] = (c[n.type] ?? 0) + 1;
  return c;
}

/** The one tree whose chain ends with this handler (resolved through its aliases). */
function tree(r: UnpackResult, canonical: string): FileSystemView {
  const name = registeredName(canonical, registered)!;
  const views = r.filesystems.filter((v) => v.chain[v.chain.length - 1]?.format === name);
  expect(views.map((v) => v.format), `trees opened by ${name}`).toHaveLength(1);
  return views[0]!;
}

async function text(view: FileSystemView, p: string): Promise<string> {
  return (await view.read(p)).toString('latin1');
}

/** Regular-file contents of every tree, searched for a string (kernels come out as payload files). */
async function anyFileContains(r: UnpackResult, needle: string): Promise<boolean> {
  for (const v of r.filesystems) {
    for (const n of v.walk()) {
      if (n.type === 'file' && (await v.read(n.path)).includes(needle)) return true;
    }
  }
  return false;
}

/** FACT's synthetic test tree, the same in all its filesystem samples. */
async function factTestFiles(view: FileSystemView): Promise<void> {
  const base = view.lstat('/get_files_test') ? '/get_files_test' : '';
  expect(await text(view, `${base}/testfile1`)).toBe('test file:\ncontent: MyTestRule 1.2.3\nVersion: Program 0.0.0.0\n');
  expect(await text(view, `${base}/testfile2`)).toBe('This is the second test file');
  expect(await text(view, `${base}/generic folder/test file 3_.txt`)).toBe('The third test file!');
}

const noErrors = (r: UnpackResult): void => expect(r.summary.errors).toEqual([]);

const FACTS: Fact[] = [
  {
    sample: 'binwalk/v2-input-vectors/firmware.squashfs',
    needs: ['squashfs'],
    what: 'TRENDnet TEW-733GR rootfs (vendor LZMA squashfs 4.0 LE): 1811 inodes, BusyBox v1.14.1, buildver 1.02',
    async check(r) {
      noErrors(r);
      const v = tree(r, 'squashfs');
      // 1811 inodes: 99 dirs (root included), 1476 files, 160 symlinks, 76 device nodes.
      expect(counts(v)).toEqual({ dir: 99, file: 1476, symlink: 160, chardev: 66, blockdev: 10 });
      expect(await text(v, '/bin/busybox')).toContain('BusyBox v1.14.1');
      expect((await text(v, '/etc/config/buildver')).trim()).toBe('1.02');
      expect(await text(v, '/lib/libcrypto.so.0.9.8')).toContain('OpenSSL 0.9.8g');
    },
  },
  {
    sample: 'binwalk/v3-tests-inputs/squashfs_v2.bin',
    needs: ['squashfs'],
    what: 'ZyXEL P-663H-51 rootfs (squashfs 2.0 BE, vendor LZMA data): 431 inodes, BusyBox v1.00, dropbear 0.46, an RSA host key',
    async check(r) {
      noErrors(r);
      const v = tree(r, 'squashfs');
      expect(Object.values(counts(v)).reduce((a, b) => a + b, 0)).toBe(431);
      expect(await text(v, '/bin/busybox')).toContain('BusyBox v1.00');
      expect(v.lstat('/etc/rsa_host_key')?.type).toBe('file');
      expect(await anyFileContains(r, 'SSH-2.0-dropbear_0.46')).toBe(true);
      expect(await anyFileContains(r, '-----BEGIN RSA PRIVATE KEY-----')).toBe(true);
    },
  },
  {
    sample: 'tplink-firmware-reversing/rootfs.squashfs',
    needs: ['squashfs'],
    what: 'TP-Link MT7628 rootfs (squashfs 4.0 xz): 552 inodes, 361 files, BusyBox v1.19.2, md5crypt admin in /etc/passwd.bak',
    async check(r) {
      noErrors(r);
      const v = tree(r, 'squashfs');
      const c = counts(v);
      expect(Object.values(c).reduce((a, b) => a + b, 0)).toBe(552);
      expect(c.file).toBe(361);
      expect(await text(v, '/bin/busybox')).toContain('BusyBox v1.19.2');
      expect(await text(v, '/etc/passwd.bak')).toContain('admin:$1$$iC.dUsGpxNNJGeOm1dFio/:0:0:root:/:/bin/sh');
    },
  },
  {
    sample: 'tplink-firmware-reversing/kernel.bin',
    needs: ['tplink'],
    what: 'TP-Link header + LZMA kernel (a partition carved from a flash dump): Linux 2.6.36; the header declares the whole firmware, so truncation is reported',
    async check(r) {
      expect(await anyFileContains(r, 'Linux version 2.6.36 (zhang@ubuntu)')).toBe(true);
      expect(r.summary.errors.map((e) => e.code)).toContain('FW_ERR_UNPACK_TRUNCATED');
    },
  },
  {
    sample: 'fact_extractor/tpl/test/data/test.tpl',
    needs: ['tplink', 'squashfs'],
    what: 'TP-Link 3020 v1 image: LSDK kernel (Linux 2.6.31) and FACT\'s synthetic squashfs rootfs',
    async check(r) {
      noErrors(r);
      await factTestFiles(tree(r, 'squashfs'));
      expect(await anyFileContains(r, 'Linux version 2.6.31--LSDK-9.2.0.312')).toBe(true);
    },
  },
  {
    sample: 'fact_extractor/linuxkernel/test/data/bzImage_xz',
    needs: ['linux-kernel'],
    what: 'x86 bzImage (xz): Linux 5.4.72',
    async check(r) {
      noErrors(r);
      expect(await anyFileContains(r, 'Linux version 5.4.72')).toBe(true);
    },
  },
  ...['gzip.sqfs', 'lz4.sqfs', 'lzma.sqfs', 'lzo.sqfs', 'xz.sqfs', 'zstd.sqfs', 'avm_be.sqfs4', 'avm_le.sqfs4', 'zlib_be.sqfs3', 'zlib_le.sqfs3', 'lzma1_be.sqfs3', 'lzma1_le.sqfs3', 'lzma_be.sqfs2', 'lzma_le.sqfs2'].map(
    (f): Fact => ({
      sample: `fact_extractor/squashFS/test/data/${f}`,
      needs: ['squashfs'],
      what: 'FACT squashfs variant: the synthetic test tree',
      async check(r) {
        noErrors(r);
        await factTestFiles(tree(r, 'squashfs'));
      },
    }),
  ),
  ...(['be', 'le'] as const).flatMap((e): Fact[] => [
    {
      sample: `fact_extractor/jffs2/test/data/jffs2_${e}.img`,
      needs: ['jffs2'],
      what: `JFFS2 ${e.toUpperCase()}: the synthetic test tree`,
      async check(r) {
        noErrors(r);
        await factTestFiles(tree(r, 'jffs2'));
      },
    },
    {
      sample: `fact_extractor/yaffs/test/data/yaffs2_${e}.img`,
      needs: ['yaffs2'],
      what: `YAFFS2 ${e.toUpperCase()}: the synthetic test tree`,
      async check(r) {
        noErrors(r);
        await factTestFiles(tree(r, 'yaffs2'));
      },
    },
  ]),
  {
    sample: 'fact_extractor/ubi/test/data/ubi.img',
    needs: ['ubi', 'ubifs'],
    what: 'UBI image holding a UBIFS volume: the synthetic test tree',
    async check(r) {
      noErrors(r);
      await factTestFiles(tree(r, 'ubifs'));
    },
  },
  {
    sample: 'fact_extractor/ubi/test/data/test.ubifs',
    needs: ['ubifs'],
    what: 'bare UBIFS image: the synthetic test tree',
    async check(r) {
      noErrors(r);
      await factTestFiles(tree(r, 'ubifs'));
    },
  },
  {
    sample: 'fact_extractor/trx/test/data/trx.img',
    needs: ['trx', 'zip'],
    what: 'TRX v1 wrapping a zip of the synthetic test tree',
    async check(r) {
      noErrors(r);
      await factTestFiles(tree(r, 'zip'));
    },
  },
  {
    sample: 'fact_extractor/sevenz/test/data/cramfs.img',
    needs: ['cramfs'],
    what: 'small cramfs: the synthetic test tree',
    async check(r) {
      noErrors(r);
      await factTestFiles(tree(r, 'cramfs'));
    },
  },
  ...(['cramfs', 'romfs'] as const).map(
    (fmt): Fact => ({
      sample: `binwalk/v3-tests-inputs/${fmt}.bin`,
      needs: [fmt],
      what: `tiny ${fmt}: /lsb-release of Ubuntu 22.04`,
      async check(r) {
        noErrors(r);
        expect(await text(tree(r, fmt), '/lsb-release')).toContain('DISTRIB_RELEASE=22.04');
      },
    }),
  ),
  {
    sample: 'binwalk/v3-tests-inputs/squashfs.bin',
    needs: ['squashfs'],
    what: 'tiny squashfs 4.0 zlib: 2 inodes',
    async check(r) {
      noErrors(r);
      expect(Object.values(counts(tree(r, 'squashfs'))).reduce((a, b) => a + b, 0)).toBe(2);
    },
  },
  {
    sample: 'binwalk/v3-tests-inputs/yaffs2.bin',
    needs: ['yaffs2'],
    what: 'yaffs2 image holding YAFFS source files',
    async check(r) {
      noErrors(r);
      expect(counts(tree(r, 'yaffs2')).file).toBeGreaterThan(0);
    },
  },
];

/** Samples where nothing is to be found (obfuscated, VxWorks, a bare bootloader): no tree, no throw. */
const NEGATIVE = ['binwalk/v3-tests-inputs/arcadyan.bin', 'tplink-firmware-reversing/uboot.bin'];

describe.skipIf(!haveCorpus)(`corpus samples (${root})`, () => {
  it('lists every sample of SOURCES.md that the facts name', () => {
    const samples = listSamples(root);
    expect(samples.length).toBeGreaterThan(30);
    for (const f of [...FACTS.map((x) => x.sample), ...NEGATIVE]) expect(samples, f).toContain(f);
  });

  it('makes a table row for a small sample (the fast part of make-corpus-table.ts)', async () => {
    const r = await unpackSample(path.join(root, 'firmware', 'binwalk/v3-tests-inputs/arcadyan.bin'));
    expect(r.errors).toBeGreaterThanOrEqual(0);
    expect(Array.isArray(r.chain)).toBe(true);
  });

  for (const fact of FACTS) {
    const missing = fact.needs.filter((n) => !registeredName(n, registered));
    const title = `${fact.sample}: ${fact.what}`;
    if (missing.length) {
      it.skip(`${title} (handler not registered yet: ${missing.join(', ')})`, () => undefined);
      continue;
    }
    it(title, { timeout: 300_000 }, async () => {
      const r = await unpack(path.join(root, 'firmware', fact.sample));
      await fact.check(r);
    });
  }

  for (const sample of NEGATIVE) {
    it(`${sample}: nothing to extract, no root filesystem invented`, async () => {
      const r = await unpack(path.join(root, 'firmware', sample));
      expect(r.filesystems.filter((v) => v.fileCount > 0 && v.format !== 'payloads').map((v) => v.format)).toEqual([]);
    });
  }
});

if (!haveCorpus) {
  describe('corpus samples', () => {
    it.skip(`corpus not found at ${root} (set FIRMWARDEN_CORPUS)`, () => undefined);
  });
}
