// Binary classification of the real firmware in the shared corpus (firmware/SOURCES.md lists what each image
// holds): every version SOURCES.md names must be found from the binaries alone. Skipped, with a message,
// when the corpus is absent or when the unpack handler an image needs is not registered yet.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanBinaries } from '../../service/analyze/sbom/binary-scan.js';
import type { Detection } from '../../service/analyze/sbom/detection.js';
import { HANDLERS } from '../../service/unpack/registry.js';
import { DEFAULT_UNPACK_LIMITS, unpackImage } from '../../service/unpack/unpack-image.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = process.env['FIRMWARDEN_CORPUS'] ?? path.resolve(packageRoot, '..', 'shared', 'corpus');
const firmware = path.join(corpus, 'firmware');
const present = fs.existsSync(path.join(firmware, 'SOURCES.md'));
if (!present) console.warn(`sbom corpus tests skipped: no corpus at ${corpus} (set FIRMWARDEN_CORPUS)`);

interface Case {
  image: string;
  /** Handlers the image needs, by name. */
  needs: readonly string[];
  /** (component, version) pairs SOURCES.md lists for it. */
  expect: ReadonlyArray<readonly [string, string]>;
}

const CASES: readonly Case[] = [
  {
    image: 'binwalk/v2-input-vectors/firmware.squashfs',
    needs: ['squashfs'],
    expect: [['busybox', '1.14.1'], ['uclibc', '0.9.30.1'], ['openssl', '0.9.8g'], ['dnsmasq', '2.45'], ['hostapd', '0.5.9']],
  },
  {
    image: 'binwalk/v3-tests-inputs/squashfs_v2.bin',
    needs: ['squashfs'],
    expect: [['busybox', '1.00'], ['dropbear', '0.46'], ['openssl', '0.9.7f']],
  },
  {
    image: 'tplink-firmware-reversing/rootfs.squashfs',
    needs: ['squashfs'],
    expect: [['busybox', '1.19.2'], ['uclibc', '0.9.33.2'], ['dropbear', '2012.55'], ['ppp', '2.4.5'], ['iptables', '1.4.17'], ['xl2tpd', '1.1.12'], ['linux', '2.6.36']],
  },
  {
    image: 'tplink-firmware-reversing/kernel.bin',
    needs: ['tplink'],
    expect: [['linux', '2.6.36']],
  },
  {
    image: 'tplink-firmware-reversing/uboot.bin',
    needs: [],
    expect: [],
  },
];

const registered = new Set(HANDLERS.map((h) => h.name));

async function detectionsOf(image: string): Promise<Detection[]> {
  const result = await unpackImage({ imagePath: path.join(firmware, image), limits: DEFAULT_UNPACK_LIMITS });
  try {
    const out: Detection[] = [];
    for (const view of result.filesystems) {
      const nodes = [...view.walk()].filter((n) => n.type === 'file');
      out.push(...(await scanBinaries(view, nodes, { signal: new AbortController().signal })));
    }
    return out;
  } finally {
    result.close();
  }
}

describe.skipIf(!present)('binary classification of the corpus firmware', () => {
  for (const c of CASES.filter((x) => x.expect.length > 0)) {
    const missing = c.needs.filter((n) => !registered.has(n));
    if (missing.length > 0) console.warn(`sbom corpus test of ${c.image} skipped: handler(s) ${missing.join(', ')} not registered`);
    it.skipIf(missing.length > 0)(`${c.image}: ${c.expect.map(([n, v]) => `${n} ${v}`).join(', ')}`, async () => {
      const found = new Set((await detectionsOf(c.image)).map((d) => `${d.name}@${d.version}`));
      const wanted = c.expect.map(([n, v]) => `${n}@${v}`);
      expect(wanted.filter((w) => !found.has(w))).toEqual([]);
    });
  }

  it('tplink-firmware-reversing/uboot.bin: U-Boot 1.1.3 from the raw bootloader image', async () => {
    const bytes = fs.readFileSync(path.join(firmware, 'tplink-firmware-reversing/uboot.bin'));
    const view = {
      id: 'raw',
      format: 'raw',
      chain: [],
      walk: () => [node],
      lstat: () => node,
      stat: () => node,
      read: async () => bytes,
      fileCount: 1,
      totalBytes: bytes.length,
    };
    const node = { path: '/uboot.bin', type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: bytes.length, mtime: 0 };
    const found = await scanBinaries(view, [node], { signal: new AbortController().signal });
    expect(found.map((d) => `${d.name}@${d.version}`)).toContain('u-boot@1.1.3');
  });

  it('ZyXEL P-663H-51: dropbear found inside /bin/cfm, where the vendor linked it', async () => {
    if (!registered.has('squashfs')) return;
    const found = await detectionsOf('binwalk/v3-tests-inputs/squashfs_v2.bin');
    const dropbear = found.find((d) => d.name === 'dropbear');
    expect(dropbear?.evidence).toMatchObject({ path: '/bin/cfm', match: 'SSH-2.0-dropbear_0.46' });
  });
});
