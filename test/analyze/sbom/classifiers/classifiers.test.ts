// Every classifier row against the real bytes it was written for (snippets.ts, generated from Debian packages
// and corpus images by make-snippets.ts), a false-positive sample per family, the file-name rows, and the
// meta-test that fails when a row has no snippet.
import { describe, expect, it } from 'vitest';
import { classifyBytes } from '../../../../service/analyze/sbom/binary-scan.js';
import { CLASSIFIER_ROWS, FILE_NAME_ROWS } from '../../../../service/analyze/sbom/classifiers/index.js';
import { FALSE_POSITIVES } from './false-positives.js';
import { LITERAL_SNIPPETS, type Snippet } from './snippet-types.js';
import { REAL_SNIPPETS } from './snippets.js';

const ELF_MAGIC = Buffer.from('7f454c46010101000000000000000000', 'hex');
const SNIPPETS: readonly Snippet[] = [...REAL_SNIPPETS, ...LITERAL_SNIPPETS];

function asElf(latin1: string): Buffer {
  return Buffer.concat([ELF_MAGIC, Buffer.from(latin1, 'latin1')]);
}

describe('classifier rows', () => {
  it('has at least 80 components and unique row ids', () => {
    const components = new Set([...CLASSIFIER_ROWS, ...FILE_NAME_ROWS].map((r) => r.component));
    expect(components.size).toBeGreaterThanOrEqual(80);
    const ids = [...CLASSIFIER_ROWS, ...FILE_NAME_ROWS].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every row has a snippet (a row without its real bytes fails here)', () => {
    const covered = new Set(SNIPPETS.map((s) => s.row));
    const missing = CLASSIFIER_ROWS.map((r) => r.id).filter((id) => !covered.has(id));
    expect(missing).toEqual([]);
  });

  it('every row names lower-case components and anchors that its pattern contains', () => {
    for (const row of CLASSIFIER_ROWS) {
      expect(row.component).toBe(row.component.toLowerCase());
      expect(row.anchor.length).toBeGreaterThanOrEqual(3);
    }
  });

  describe.each(SNIPPETS.map((s) => [`${s.row} ${s.version} (${s.source})`, s] as const))('%s', (_name, s) => {
    it('reports the version from the snippet', () => {
      const found = classifyBytes(s.path, asElf(s.bytes)).filter((d) => d.source === `classifier:${s.row}`);
      expect(found.map((d) => d.version)).toContain(s.version);
      for (const d of found) {
        expect(d.evidence.path).toBe(s.path);
        expect(d.evidence.match.length).toBeLessThanOrEqual(200);
        expect(d.evidence.match).toMatch(/\d/);
        expect(typeof d.evidence.offset).toBe('number');
      }
    });
  });
});

describe('false positives', () => {
  it.each(FALSE_POSITIVES.map((f) => [`${f.family}: ${f.note}`, f] as const))('%s', (_name, f) => {
    const bytes = f.elf === false ? Buffer.from(f.bytes, 'latin1') : asElf(f.bytes);
    const found = classifyBytes(f.path, bytes).filter((d) => f.components.includes(d.name));
    expect(found).toEqual([]);
  });

  it('covers every family', () => {
    const families = new Set(FALSE_POSITIVES.map((f) => f.family));
    for (const family of ['ssl', 'ssh', 'web-servers', 'libc', 'network-daemons', 'firewall', 'compression', 'libraries', 'scripting', 'system-tools', 'kernel', 'bootloader', 'industrial']) {
      expect(families.has(family), family).toBe(true);
    }
  });
});

describe('normalisation', () => {
  it('turns OpenSSL 1.0.2k-fips into 1.0.2k and BusyBox v1.19.2 into 1.19.2', () => {
    const fips = classifyBytes('/usr/lib64/libcrypto.so.10', asElf('\x00OpenSSL 1.0.2k-fips  26 Jan 2017\x00'));
    expect(fips.map((d) => [d.name, d.version])).toEqual([['openssl', '1.0.2k']]);
    const bb = classifyBytes('/bin/busybox', asElf('\x00BusyBox v1.19.2 (2023-11-19 18:34:13 PST)\x00'));
    expect(bb.map((d) => [d.name, d.version])).toEqual([['busybox', '1.19.2']]);
  });

  it('gives the kernel.org release of a vendor kernel banner', () => {
    const k = classifyBytes('/vmlinux', Buffer.from('\x00Linux version 2.6.31--LSDK-9.2.0.312 (root@build) (gcc version 4.3.3 (GCC) ) #1 Mon Sep 21\x00', 'latin1'));
    expect(k.map((d) => [d.name, d.version, d.foundBy])).toEqual([['linux', '2.6.31', 'kernel']]);
  });

  it('reads a raw image only when its name is one of a kernel or bootloader', () => {
    const banner = '\x00U-Boot 1.1.3 (Nov 19 2023 - 18:30:02)\x00';
    expect(classifyBytes('/uboot.bin', Buffer.from(banner, 'latin1')).map((d) => d.version)).toEqual(['1.1.3']);
    expect(classifyBytes('/www/help.txt', Buffer.from(banner, 'latin1'))).toEqual([]);
  });
});
