import { describe, expect, it } from 'vitest';
import { MemoryTree, normalizeEntryPath } from '../../service/unpack/memory-tree.js';

function tree(): { t: MemoryTree; problems: string[] } {
  const problems: string[] = [];
  const t = new MemoryTree('test', (code, _m, p) => problems.push(`${code} ${p ?? ''}`));
  return { t, problems };
}

describe('MemoryTree', () => {
  it('normalises archive paths and flags escapes', () => {
    expect(normalizeEntryPath('./etc//passwd')).toEqual({ path: '/etc/passwd', escaped: false, absolute: false });
    expect(normalizeEntryPath('../../etc/passwd')).toEqual({ path: '/etc/passwd', escaped: true, absolute: false });
    expect(normalizeEntryPath('/abs/x')).toEqual({ path: '/abs/x', escaped: false, absolute: true });
    expect(normalizeEntryPath('a/../../b')).toMatchObject({ path: '/b', escaped: true });
    expect(normalizeEntryPath('a/./b/../c')).toMatchObject({ path: '/a/c', escaped: false });
  });

  it('creates parents, walks parents first in sorted order, and counts files', () => {
    const { t } = tree();
    t.add({ path: 'z/file', type: 'file', mode: 0o644, size: 3, content: () => Buffer.from('abc') });
    t.add({ path: 'a b', type: 'file', mode: 0o600, size: 0 });
    t.add({ path: 'a/x', type: 'symlink', mode: 0o777, linkTarget: '../z/file' });
    expect([...t.walk()].map((n) => n.path)).toEqual(['/', '/a', '/a/x', '/a b', '/z', '/z/file']);
    expect(t.fileCount).toBe(2);
    expect(t.totalBytes).toBe(3);
  });

  it('resolves symlinks inside the root only, with a hop limit', async () => {
    const { t } = tree();
    t.add({ path: 'etc/passwd', type: 'file', mode: 0o644, size: 4, content: () => Buffer.from('root') });
    t.add({ path: 'abs', type: 'symlink', mode: 0o777, linkTarget: '/etc/passwd' });
    t.add({ path: 'up', type: 'symlink', mode: 0o777, linkTarget: '../../../../etc' });
    t.add({ path: 'loop1', type: 'symlink', mode: 0o777, linkTarget: 'loop2' });
    t.add({ path: 'loop2', type: 'symlink', mode: 0o777, linkTarget: '/loop1' });
    t.add({ path: 'self', type: 'symlink', mode: 0o777, linkTarget: 'self/x' });
    expect(await t.read('/abs')).toEqual(Buffer.from('root'));
    // "../../.." at the root stays at the root, as in a chroot.
    expect(t.stat('/up/passwd')?.path).toBe('/etc/passwd');
    expect(t.stat('/loop1')).toBeUndefined();
    expect(t.stat('/self')).toBeUndefined();
    expect(t.lstat('/loop1')?.type).toBe('symlink');
  });

  it('keeps hard links pointing at their origin, and drops links to nothing', async () => {
    const { t, problems } = tree();
    t.add({ path: 'bin/busybox', type: 'file', mode: 0o755, size: 2, content: () => Buffer.from('BB') });
    expect(t.addHardLink('bin/ls', 'bin/busybox')?.hardLinkOf).toBe('/bin/busybox');
    expect(t.addHardLink('bin/cat', './bin/ls')?.hardLinkOf).toBe('/bin/busybox');
    expect(await t.read('/bin/cat')).toEqual(Buffer.from('BB'));
    expect(t.totalBytes).toBe(2);
    expect(t.addHardLink('x', '../../etc/shadow')).toBeUndefined();
    expect(problems).toEqual(['FW_ERR_UNPACK_PATH_TRAVERSAL /x']);
  });

  it('refuses entries below a symlink or a file', () => {
    const { t, problems } = tree();
    t.add({ path: 'evil', type: 'symlink', mode: 0o777, linkTarget: '/tmp' });
    t.add({ path: 'f', type: 'file', mode: 0o644, size: 0 });
    expect(t.add({ path: 'evil/x', type: 'file', mode: 0o644, size: 0 })).toBeUndefined();
    expect(t.add({ path: 'f/y', type: 'file', mode: 0o644, size: 0 })).toBeUndefined();
    expect(problems).toEqual(['FW_ERR_UNPACK_PATH_TRAVERSAL /evil/x', 'FW_ERR_UNPACK_PATH_TRAVERSAL /f/y']);
  });

  it('stops listing at maxEntries with one limit problem', () => {
    const problems: string[] = [];
    const t = new MemoryTree('test', (code) => problems.push(code), 10);
    for (let i = 0; i < 100; i++) t.add({ path: `f${i}`, type: 'file', mode: 0o644, size: 0 });
    expect(t.fileCount).toBe(10);
    expect(problems).toEqual(['FW_ERR_UNPACK_LIMIT']);
  });
});
