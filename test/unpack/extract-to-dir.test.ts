import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractToDir } from '../../service/unpack/extract-to-dir.js';
import { MemoryTree } from '../../service/unpack/memory-tree.js';
import type { FileSystemView, VfsNode } from '../../service/unpack/vfs.js';
import { makeTar } from '../fixtures/unpack/archives.js';
import { diskManifest, makeSourceTree } from '../fixtures/unpack/source-tree.js';
import { rawTar } from '../fixtures/unpack/tar-writer.js';
import { tempDir, unpack } from './helpers.js';

const work = tempDir();

/** A view that hands out whatever nodes it is given, as a buggy or hostile handler might. */
function rawView(nodes: VfsNode[], contents: Record<string, string>): FileSystemView {
  return {
    id: 'raw',
    format: 'raw',
    chain: [],
    walk: () => nodes,
    lstat: (p) => nodes.find((n) => n.path === p),
    stat: (p) => nodes.find((n) => n.path === p),
    read: async (p) => Buffer.from(contents[p] ?? ''),
    fileCount: nodes.filter((n) => n.type === 'file').length,
    totalBytes: 0,
  };
}

const node = (path: string, type: VfsNode['type'], extra: Partial<VfsNode> = {}): VfsNode => ({
  path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000, ...extra,
});

describe('extractToDir', () => {
  it('writes a faithful copy: files, modes (set-id dropped), hard links, symlinks with original targets', async () => {
    const src = path.join(work, 'tree');
    makeSourceTree(src);
    execFileSync('mkfifo', [path.join(src, 'fifo')]);
    const r = await unpack(makeTar(src, path.join(work, 'tree.tar')));
    const out = path.join(work, 'out');
    const result = await extractToDir(r.filesystems[0]!, out);
    expect(result.skipped).toEqual([]);
    expect(result.special.map((n) => [n.path, n.type])).toEqual([['/fifo', 'fifo']]);
    const expected = diskManifest(src)
      .filter((row) => row.path !== '/fifo')
      .map((row) => (row.path === '/bin/su' ? { ...row, mode: 0o755 } : row));
    expect(diskManifest(out)).toEqual(expected);
    expect(fs.statSync(path.join(out, 'bin/ls')).ino).toBe(fs.statSync(path.join(out, 'bin/busybox')).ino);
    expect(fs.readlinkSync(path.join(out, 'etc/localtime'))).toBe('/usr/share/zoneinfo/UTC');
  });

  it('records device nodes and fifos without creating them', async () => {
    const t = new MemoryTree('test');
    t.add({ path: 'dev/console', type: 'chardev', mode: 0o600, rdev: { major: 5, minor: 1 } });
    t.add({ path: 'run/initctl', type: 'fifo', mode: 0o600 });
    const out = path.join(work, 'dev-out');
    const result = await extractToDir(t, out);
    expect(result.special.map((n) => n.path)).toEqual(['/dev/console', '/run/initctl']);
    expect(fs.existsSync(path.join(out, 'dev/console'))).toBe(false);
  });

  it('never writes outside the target through a symlink from the archive (evil -> /tmp, then evil/x)', async () => {
    const outside = path.join(work, 'outside');
    fs.mkdirSync(outside);
    const image = path.join(work, 'evil.tar');
    fs.writeFileSync(image, rawTar([{ name: 'evil', type: '2', linkname: outside }, { name: 'evil/x', data: 'pwned\n' }]));
    const r = await unpack(image);
    const out = path.join(work, 'evil-out');
    await extractToDir(r.filesystems[0]!, out);
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.readlinkSync(path.join(out, 'evil'))).toBe(outside);
  });

  it('holds even when the view itself lists paths below symlinks, "..", or absolute escapes', async () => {
    const outside = path.join(work, 'outside2');
    fs.mkdirSync(outside);
    const view = rawView(
      [
        node('/', 'dir'),
        node('/evil', 'symlink', { linkTarget: outside, mode: 0o777 }),
        node('/evil/x', 'file'),
        node('/evil/sub', 'dir'),
        node('/evil/sub/y', 'file'),
        node('/evil/link', 'symlink', { linkTarget: '/etc/passwd' }),
        node('/../escape', 'file'),
        node('/a/../../escape2', 'file'),
        node('/ok', 'file', { size: 2 }),
        node('/ok', 'file', { size: 2 }),
      ],
      { '/evil/x': 'pwned', '/ok': 'ok' },
    );
    const out = path.join(work, 'raw-out');
    const result = await extractToDir(view, out);
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.existsSync(path.join(work, 'escape'))).toBe(false);
    expect(fs.readdirSync(out).sort()).toEqual(['evil', 'ok']);
    expect(fs.readFileSync(path.join(out, 'ok'), 'utf8')).toBe('ok');
    expect(result.skipped.map((s) => s.path).sort()).toEqual(['/../escape', '/a/../../escape2', '/evil/link', '/evil/sub', '/evil/sub/y', '/evil/x', '/ok']);
  });
});
