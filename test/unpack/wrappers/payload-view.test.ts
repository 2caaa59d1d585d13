// The "payloads" view: a payload no handler opened fully (a gzipped single file, a decompressed kernel)
// exists nowhere else after unpacking, so the engine keeps it readable as a file whose directory spells its
// chain. A payload that is all one container (gzip > tar) or all padding is not repeated there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { PayloadView } from '../../../service/unpack/wrappers/payload-view.js';
import { gzipFile, makeTar } from '../../fixtures/unpack/archives.js';
import { makeSourceTree } from '../../fixtures/unpack/source-tree.js';
import { BANNER, fakeKernel, run } from '../../fixtures/unpack/wrappers.js';
import { tempDir, unpack } from '../helpers.js';

const work = tempDir('fw-payloads-');

function write(name: string, data: Buffer): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, data);
  return p;
}

describe('payloads view', () => {
  it('holds a gzipped single file under its chain, with the chain and meta of the payload', async () => {
    const text = write('release-notes.txt', Buffer.from('Firmware 2.1.7\nBusyBox v1.36.1 (2023-11-20)\n'.repeat(50)));
    const gz = gzipFile(text, path.join(work, 'notes.gz'));
    const image = write('image.bin', Buffer.concat([Buffer.alloc(0x200, 0xff), fs.readFileSync(gz)]));
    const r = await unpack(image);
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems.at(-1) as PayloadView;
    expect(view).toMatchObject({ format: 'payloads', id: 'fs0', chain: [] });
    expect([...view.walk()].map((n) => [n.path, n.type])).toEqual([
      ['/', 'dir'],
      ['/gzip@0x200', 'dir'],
      ['/gzip@0x200/release-notes.txt', 'file'],
    ]);
    expect((await view.read('/gzip@0x200/release-notes.txt')).equals(fs.readFileSync(text))).toBe(true);
    expect(view.describe('/gzip@0x200/release-notes.txt')).toEqual({
      chain: [{ format: 'gzip', offset: 0x200, size: fs.statSync(gz).size }],
      meta: expect.objectContaining({ name: 'release-notes.txt' }),
    });
    expect(r.summary.rootFileSystems).toEqual([{ id: 'fs0', format: 'payloads', chain: [], fileCount: 1, totalBytes: fs.statSync(text).size }]);
    expect(r.summary.fileCount).toBe(1);
    // Unknown-region reporting is unchanged: the payload's bytes are still an unknown region of the gzip.
    expect(r.summary.unknownRegions.map((u) => [u.offset, u.chain.map((l) => l.format)])).toEqual([
      [0, []],
      [0, ['gzip']],
    ]);
  });

  it('does not repeat a payload that one container fills, nor one of padding', async () => {
    const tree = path.join(work, 'tree');
    makeSourceTree(tree);
    const tgz = await unpack(gzipFile(makeTar(tree, path.join(work, 'fw.tar')), path.join(work, 'fw.tar.gz')));
    expect(tgz.filesystems.map((f) => f.format)).toEqual(['tar']);
    const zeros = await unpack(write('zeros.gz', zlib.gzipSync(Buffer.alloc(1 << 20))));
    expect(zeros.filesystems).toEqual([]);
  });

  it('holds a kernel found in a file of a tree, under the file path of the chain', async () => {
    const root = path.join(work, 'rootfs');
    fs.mkdirSync(path.join(root, 'boot'), { recursive: true });
    fs.writeFileSync(path.join(root, 'boot/vmlinux'), fakeKernel(100_000));
    run('gzip', ['-9', path.join(root, 'boot/vmlinux')]);
    const r = await unpack(makeTar(root, path.join(work, 'rootfs.tar')));
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems.find((f) => f.format === 'payloads') as PayloadView;
    const file = '/tar@0x0/boot/vmlinux.gz:gzip@0x0/vmlinux';
    expect((await view.read(file)).includes(Buffer.from(BANNER))).toBe(true);
    expect(view.describe(file)?.chain.map((l) => [l.format, l.path])).toEqual([
      ['tar', undefined],
      ['gzip', '/boot/vmlinux.gz'],
    ]);
  });

  it('makes a hostile payload name one harmless path segment', async () => {
    // A gzip header naming its file "../../etc/passwd" (FNAME is whatever the writer put there).
    const gz = zlib.gzipSync(Buffer.from('root::0:0:root:/root:/bin/sh\n'));
    const named = Buffer.concat([gz.subarray(0, 3), Buffer.from([0x08]), gz.subarray(4, 10), Buffer.from('../../etc/passwd\0'), gz.subarray(10)]);
    const r = await unpack(write('hostile.gz', named));
    expect(r.summary.errors).toEqual([]);
    const view = r.filesystems[0]!;
    expect([...view.walk()].filter((n) => n.type === 'file').map((n) => n.path)).toEqual(['/gzip@0x0/.._.._etc_passwd']);
  });
});
