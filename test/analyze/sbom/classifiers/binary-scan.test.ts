// scanBinaries over a small in-memory filesystem: which files it reads, the file-name rows, the per-version
// caps, the linked-library guard, and stopping on abort. The one-pass automaton is checked against indexOf.
import { describe, expect, it } from 'vitest';
import { scanBinaries } from '../../../../service/analyze/sbom/binary-scan.js';
import { MultiPatternMatcher } from '../../../../service/analyze/sbom/multi-pattern.js';
import type { FileSystemView, VfsNode } from '../../../../service/unpack/vfs.js';

const ELF = Buffer.from('7f454c46010101000000000000000000', 'hex');
const elf = (s: string): Buffer => Buffer.concat([ELF, Buffer.from(s, 'latin1')]);

interface Entry {
  bytes: Buffer;
  mode?: number;
}

/** A read-only view over a record of files; it counts reads so tests can see what was opened. */
function memoryView(files: Record<string, Entry>): FileSystemView & { reads: string[]; nodes: VfsNode[] } {
  const nodes: VfsNode[] = Object.entries(files).map(([path, e]) => ({
    path,
    type: 'file',
    mode: e.mode ?? 0o755,
    uid: 0,
    gid: 0,
    size: e.bytes.length,
    mtime: 0,
  }));
  const reads: string[] = [];
  return {
    id: 'fs0',
    format: 'test',
    chain: [],
    reads,
    nodes,
    walk: () => nodes,
    lstat: (p) => nodes.find((n) => n.path === p),
    stat: (p) => nodes.find((n) => n.path === p),
    read: async (p) => {
      reads.push(p);
      const e = files[p];
      if (!e) throw new Error(`no ${p}`);
      return e.bytes;
    },
    fileCount: nodes.length,
    totalBytes: nodes.reduce((n, x) => n + x.size, 0),
  };
}

const signal = (): AbortSignal => new AbortController().signal;

describe('scanBinaries', () => {
  it('finds versions in ELF files and in file names, with evidence', async () => {
    const view = memoryView({
      '/bin/busybox': { bytes: elf('\x00BusyBox v1.19.2 (2023-11-19 18:34:13 PST)\x00I:LH:f:hil') },
      '/lib/libuClibc-0.9.33.2.so': { bytes: elf('\x00__uClibc_main\x00') },
      '/lib/modules/2.6.36/kernel/net/x.ko': { bytes: elf('\x00vermagic=2.6.36 mod_unload MIPS32_R2 32BIT \x00'), mode: 0o644 },
      '/www/index.html': { bytes: Buffer.from('<p>BusyBox v1.0.0 (x)</p>'), mode: 0o644 },
    });
    const found = await scanBinaries(view, view.nodes, { signal: signal() });
    const pairs = found.map((d) => `${d.name}@${d.version} ${d.foundBy} ${d.source} ${d.evidence.path}`).sort();
    expect(pairs).toEqual([
      'busybox@1.19.2 binary-string classifier:busybox /bin/busybox',
      'linux@2.6.36 kernel classifier:linux-modules-dir /lib/modules/2.6.36/kernel/net/x.ko',
      'linux@2.6.36 kernel classifier:linux-vermagic /lib/modules/2.6.36/kernel/net/x.ko',
      'uclibc@0.9.33.2 file-name classifier:uclibc-file /lib/libuClibc-0.9.33.2.so',
    ]);
    const bb = found.find((d) => d.name === 'busybox')!;
    expect(bb.evidence.match).toBe('BusyBox v1.19.2 (');
    expect(bb.evidence.offset).toBe(ELF.length + 1);
    expect(view.reads).not.toContain('/www/index.html');
  });

  it('does not take the OpenSSL header version of a program linking libcrypto for the library', async () => {
    const view = memoryView({
      '/usr/sbin/hostapd': { bytes: elf('\x00libcrypto.so.3\x00\x00OpenSSL 3.0.16 11 Feb 2025\x00') },
      '/usr/lib/libcrypto.so.3': { bytes: elf('\x00libcrypto.so.3\x00\x00OpenSSL 3.0.20 7 Apr 2026\x00'), mode: 0o644 },
      '/usr/sbin/static-tool': { bytes: elf('\x00\x00OpenSSL 1.1.1w  11 Sep 2023\x00') },
    });
    const found = await scanBinaries(view, view.nodes, { signal: signal() });
    expect(found.map((d) => `${d.version} ${d.evidence.path}`).sort()).toEqual(['1.1.1w /usr/sbin/static-tool', '3.0.20 /usr/lib/libcrypto.so.3']);
  });

  it('keeps a few files of evidence per version, in the view order', async () => {
    const files: Record<string, Entry> = {};
    for (let i = 0; i < 20; i++) files[`/usr/bin/tool${String(i).padStart(2, '0')}`] = { bytes: elf('\x00util-linux 2.38.1\x00') };
    const view = memoryView(files);
    const found = await scanBinaries(view, view.nodes, { signal: signal() });
    expect(found).toHaveLength(8);
    expect(found[0]!.evidence.path).toBe('/usr/bin/tool00');
  });

  it('skips files it cannot read and stops when aborted', async () => {
    const view = memoryView({ '/bin/busybox': { bytes: elf('\x00BusyBox v1.35.0 (Debian 1:1.35.0-4)\x00') } });
    const broken = { ...view, read: async () => Promise.reject(new Error('FW_ERR_UNPACK_TRUNCATED')) };
    expect(await scanBinaries(broken, view.nodes, { signal: signal() })).toEqual([]);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(scanBinaries(view, view.nodes, { signal: ac.signal })).rejects.toThrow('stop');
  });
});

describe('file-name rows', () => {
  it('reads versions from library and module paths, each once per version', async () => {
    const paths = [
      '/lib/libc-2.31.so',
      '/lib/ld-uClibc-1.0.31.so',
      '/lib/arm-linux-gnueabihf/liblzma.so.5.4.1',
      '/usr/lib/arm-linux-gnueabihf/libzstd.so.1.5.4',
      '/usr/lib/arm-linux-gnueabihf/liblz4.so.1.9.4',
      '/usr/lib/arm-linux-gnueabihf/libpcap.so.1.10.3',
      '/usr/lib/arm-linux-gnueabihf/libmbedcrypto.so.2.28.3',
      '/usr/lib/arm-linux-gnueabihf/libglib-2.0.so.0.7400.6',
      '/lib/modules/6.1.0-28-arm64/kernel/a.ko',
      '/lib/modules/6.1.0-28-arm64/kernel/b.ko',
    ];
    const view = memoryView(Object.fromEntries(paths.map((p) => [p, { bytes: Buffer.from('not elf'), mode: 0o644 }])));
    const found = await scanBinaries(view, view.nodes, { signal: signal() });
    expect(found.map((d) => `${d.name}@${d.version}`).sort()).toEqual([
      'glib@2.74.6',
      'glibc@2.31',
      'libpcap@1.10.3',
      'linux@6.1.0',
      'lz4@1.9.4',
      'mbedtls@2.28.3',
      'uclibc-ng@1.0.31',
      'xz@5.4.1',
      'zstd@1.5.4',
    ]);
  });
});

describe('MultiPatternMatcher', () => {
  it('finds every occurrence that indexOf finds, overlapping and nested ones included', () => {
    const patterns = ['he', 'she', 'his', 'hers', 'a\0b', 'aaa', 'OpenSSL ', 'SSL'].map((p) => Buffer.from(p, 'latin1'));
    const m = new MultiPatternMatcher(patterns);
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) % 7;
    const alphabet = Buffer.from('hesira\0', 'latin1');
    const text = Buffer.concat([Buffer.from(Array.from({ length: 5000 }, () => alphabet[rand()]!)), Buffer.from('xx OpenSSL 3.0 aaaa')]);
    const expected: string[] = [];
    patterns.forEach((p, i) => {
      for (let at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) expected.push(`${i}@${at}`);
    });
    const got = m.findAll(text).map((h) => `${h.pattern}@${h.start}`);
    expect(got.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(100);
  });

  it('stops when the callback says so', () => {
    const m = new MultiPatternMatcher([Buffer.from('ab')]);
    let n = 0;
    m.scan(Buffer.from('abababab'), () => ++n < 2);
    expect(n).toBe(2);
  });
});
