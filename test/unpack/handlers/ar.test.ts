// ar archives made by GNU ar (binutils), Debian packages made by dpkg-deb, OpenWrt .ipk packages in both of
// their shapes (ar, as opkg-build once made them, and the tar.gz opkg-build makes now). ar keeps flat files
// with mode, owner and mtime, so the manifest is taken of a flat directory. GNU ar cannot write BSD names;
// that variant is a hand-made snippet following FreeBSD's ar(5) ("#1/<length>", name before the data).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferSource } from '../../../service/unpack/byte-source.js';
import { arHandler } from '../../../service/unpack/handlers/ar.js';
import { diskManifest, makeSourceTree, pseudoRandom, viewManifest } from '../../fixtures/unpack/source-tree.js';
import { makeAr, run } from '../../fixtures/unpack/wrappers.js';
import { tempDir, unpack } from '../helpers.js';
import { files, mutationRun, openWith, truncationRun } from '../wrappers/harness.js';

const work = tempDir('fw-ar-');
const tree = path.join(work, 'tree');
makeSourceTree(tree);

/** Flat files of the kinds ar holds: odd and even sizes, empty, modes, long names (GNU's "//" table). */
function flatDir(): { dir: string; names: string[] } {
  const dir = path.join(work, 'flat');
  fs.mkdirSync(dir);
  const add = (name: string, data: Buffer | string, mode: number, mtime: number): void => {
    fs.writeFileSync(path.join(dir, name), data);
    fs.chmodSync(path.join(dir, name), mode);
    fs.utimesSync(path.join(dir, name), mtime, mtime);
  };
  add('crt1.o', pseudoRandom(1001, 1), 0o644, 1_600_000_000);
  add('libfoo.so.1', pseudoRandom(4096, 2), 0o755, 1_600_000_100);
  add('empty', '', 0o600, 1_600_000_200);
  add('a-member-name-longer-than-sixteen-bytes.o', pseudoRandom(77, 3), 0o644, 1_600_000_300);
  add('another-quite-long-member-name.txt', 'text\n', 0o640, 1_600_000_400);
  return { dir, names: fs.readdirSync(dir).sort() };
}

/** A BSD-style member (FreeBSD ar(5)): "#1/<len>" in the header, the name before the data. */
function member(name: string, data: Buffer): Buffer {
  const h = Buffer.alloc(60, 0x20);
  h.write(`#1/${name.length}`, 0, 'latin1');
  h.write('1600000000', 16, 'latin1');
  h.write('0', 28, 'latin1');
  h.write('0', 34, 'latin1');
  h.write('100644', 40, 'latin1');
  h.write(String(name.length + data.length), 48, 'latin1');
  h.write('`\n', 58, 'latin1');
  const body = Buffer.concat([Buffer.from(name), data]);
  return Buffer.concat([h, body, body.length % 2 ? Buffer.from('\n') : Buffer.alloc(0)]);
}

describe('ar handler', () => {
  it('opens a GNU ar archive with long names exactly (mode, size, sha256), with owners and mtimes', async () => {
    const { dir, names } = flatDir();
    const archive = makeAr(path.join(work, 'libflat.a'), dir, names);
    const r = await unpack(archive);
    expect(r.summary.errors).toEqual([]);
    expect(r.summary.chain).toEqual([expect.objectContaining({ format: 'ar', offset: 0, size: fs.statSync(archive).size })]);
    const view = r.filesystems[0]!;
    expect(await viewManifest(view)).toEqual(diskManifest(dir));
    const st = fs.statSync(path.join(dir, 'crt1.o'));
    expect(view.lstat('/crt1.o')).toMatchObject({ uid: st.uid, gid: st.gid, mtime: 1_600_000_000 });
    // A symbol table ("/") is index data, not a member.
    run('ar', ['s', archive]);
    const withIndex = await openWith(arHandler, fs.readFileSync(archive));
    expect(Object.keys(await files(withIndex!.result)).sort()).toEqual(names.map((n) => `/${n}`));
  });

  it('reads BSD long names ("#1/<len>", the name before the data)', async () => {
    const a = Buffer.concat([Buffer.from('!<arch>\n'), member('__.SYMDEF SORTED', Buffer.alloc(8)), member('a-bsd-long-member-name.o', Buffer.from('bsd data')), member('x.o', Buffer.from('odd'))]);
    const opened = await openWith(arHandler, a);
    expect(opened!.chunk.end).toBe(a.length);
    const got = await files(opened!.result);
    expect(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.toString()]))).toEqual({ '/a-bsd-long-member-name.o': 'bsd data', '/x.o': 'odd' });
  });

  for (const comp of ['gzip', 'xz', 'zstd']) {
    it(`opens a .deb (dpkg-deb -Z${comp}): control and data archives open through recursion`, async () => {
      const pkg = path.join(work, `pkg-${comp}`);
      makeSourceTree(pkg);
      fs.mkdirSync(path.join(pkg, 'DEBIAN'));
      fs.writeFileSync(path.join(pkg, 'DEBIAN/control'), 'Package: fw-fixture\nVersion: 1.2.3\nArchitecture: all\nMaintainer: Firmwarden <fw@example.invalid>\nDescription: fixture\n');
      const deb = path.join(work, `fw-fixture-${comp}.deb`);
      run('dpkg-deb', ['--root-owner-group', `-Z${comp}`, '--build', pkg, deb]);
      const r = await unpack(deb);
      expect(r.summary.errors).toEqual([]);
      const ar = r.filesystems[0]!;
      expect([...ar.walk()].filter((n) => n.type === 'file').map((n) => n.path)).toEqual(['/control.tar.' + (comp === 'gzip' ? 'gz' : comp === 'zstd' ? 'zst' : comp), '/data.tar.' + (comp === 'gzip' ? 'gz' : comp === 'zstd' ? 'zst' : comp), '/debian-binary']);
      expect((await ar.read('/debian-binary')).toString()).toBe('2.0\n');
      const trees = r.filesystems.filter((f) => f.format === 'tar');
      expect(trees).toHaveLength(2);
      const data = trees.find((t) => t.chain.some((l) => l.path?.startsWith('/data.tar')))!;
      const control = trees.find((t) => t.chain.some((l) => l.path?.startsWith('/control.tar')))!;
      expect((await control.read('/control')).toString()).toMatch(/^Package: fw-fixture\n/);
      // dpkg-deb stores the package tree as root:root; the manifest compares modes, sizes, contents, links.
      expect(await viewManifest(data)).toEqual(diskManifest(pkg).filter((row) => !row.path.startsWith('/DEBIAN')));
    });
  }

  it('opens both shapes of an OpenWrt .ipk: ar and tar.gz', async () => {
    const dir = path.join(work, 'ipk');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'debian-binary'), '2.0\n');
    run('tar', ['-C', tree, '-czf', path.join(dir, 'data.tar.gz'), '.']);
    const ctl = path.join(work, 'ipk-control');
    fs.mkdirSync(ctl);
    fs.writeFileSync(path.join(ctl, 'control'), 'Package: busybox\nVersion: 1.36.1-1\nArchitecture: mipsel_24kc\n');
    run('tar', ['-C', ctl, '-czf', path.join(dir, 'control.tar.gz'), '.']);
    const arIpk = makeAr(path.join(work, 'busybox_ar.ipk'), dir, ['debian-binary', 'control.tar.gz', 'data.tar.gz']);
    const tarIpk = path.join(work, 'busybox_tgz.ipk');
    run('tar', ['-C', dir, '-czf', tarIpk, './debian-binary', './control.tar.gz', './data.tar.gz']);
    for (const [ipk, chain] of [
      [arIpk, ['ar', 'gzip', 'tar', 'gzip', 'tar']],
      [tarIpk, ['gzip', 'tar', 'gzip', 'tar', 'gzip', 'tar']],
    ] as const) {
      const r = await unpack(ipk);
      expect(r.summary.errors).toEqual([]);
      expect(r.summary.chain.map((l) => l.format)).toEqual(chain);
      const data = r.filesystems.find((f) => f.chain.some((l) => l.path?.endsWith('data.tar.gz')) && f.format === 'tar')!;
      expect(await viewManifest(data)).toEqual(diskManifest(tree));
    }
  });
});

describe('ar handler, hostile input', () => {
  const work2 = tempDir('fw-ar2-');
  const dir = path.join(work2, 'flat');
  fs.mkdirSync(dir);
  for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(dir, `member-with-long-name-${i}.o`), pseudoRandom(500 + i * 333, i));
  const archive = fs.readFileSync(makeAr(path.join(work2, 'lib.a'), dir, fs.readdirSync(dir).sort()));

  it('reports a member cut short at several cut points, without throwing', async () => {
    await truncationRun(work2, 'ar', archive, [300, Math.floor(archive.length / 2), archive.length - 10]);
  });

  it('survives mutations', async () => {
    await mutationRun(arHandler, archive, 300, 400);
  }, 60_000);

  it('keeps a member named "../../etc/passwd" inside the view and reports the traversal', async () => {
    const a = Buffer.concat([Buffer.from('!<arch>\n'), member('../../etc/passwd', Buffer.from('root::0:0::/:/bin/sh\n'))]);
    const opened = await openWith(arHandler, a);
    expect(opened!.problems.map((p) => [p.code, p.path])).toEqual([['FW_ERR_UNPACK_PATH_TRAVERSAL', '/etc/passwd']]);
    expect(Object.keys(await files(opened!.result))).toEqual(['/etc/passwd']);
  });

  it('takes only a header that looks like one', () => {
    for (let seed = 1; seed < 200; seed++) {
      const noise = Buffer.concat([Buffer.from('!<arch>\n'), pseudoRandom(200, seed)]);
      expect(arHandler.identify(new BufferSource(noise), 0)).toBeNull();
    }
  });
});
