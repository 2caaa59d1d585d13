// The correctness bar of the unpacker: a root filesystem of REAL Debian mipsel packages (test/fixtures/
// debian-rootfs.ts), packed in every format by the real tool (test/fixtures/build-images.ts), must come back
// through unpackImage with the same manifest — path, type, mode, size, sha256, link target, device numbers,
// uid/gid and mtime where the format stores them — and with no error in the report. The only differences
// allowed are what a format cannot store; they are the table FORMAT_LOSSES below, each with its reason.
// A format whose handler is not registered yet shows up as a skipped test that names it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HANDLERS } from '../../service/unpack/registry.js';
import type { FileSystemView, VfsNode } from '../../service/unpack/vfs.js';
import { IMAGE_FORMATS, buildImage, registeredName, type ImageFormat } from '../fixtures/build-images.js';
import { buildDebianRootfs, type DebianRootfsResult } from '../fixtures/debian-rootfs.js';
import { diskManifest, viewManifest, type ManifestRow } from '../fixtures/unpack/source-tree.js';
import { tempDir, unpack } from './helpers.js';

/** The manifest of the bar: source-tree.ts's rows plus what stat adds. */
interface BarRow extends ManifestRow {
  uid?: number;
  gid?: number;
  mtime?: number;
  rdev?: string;
}

interface Losses {
  /** Why, in one line: the test output and docs quote it. */
  why: string;
  /** Widths the format keeps of uid and gid (the rest is cut, as the kernel would see it). */
  uidBits?: number;
  gidBits?: number;
  /** The format has no owners at all (every entry reads as 0:0), or no times. */
  noOwners?: boolean;
  noMtime?: boolean;
  /** Entry types the format cannot hold (the builder leaves them out). */
  dropTypes?: readonly string[];
  /** The format keeps only "executable or not" of a regular file's mode, nothing of other entries' modes. */
  execBitOnly?: boolean;
  /** Entries the builder adds that are not in the tree. */
  added?: readonly BarRow[];
  /** Hard links come back as independent files (same contents), not as links to one inode. */
  noHardLinks?: boolean;
}

/** What each format cannot store. Everything not named here must round-trip exactly. */
const FORMAT_LOSSES: Record<string, Losses> = {
  'jffs2-le': { why: 'jffs2_raw_inode keeps uid and gid in 16 bits', uidBits: 16, gidBits: 16 },
  'jffs2-be': { why: 'jffs2_raw_inode keeps uid and gid in 16 bits', uidBits: 16, gidBits: 16 },
  'cramfs-le': { why: 'cramfs inodes keep uid in 16 bits, gid in 8 bits, no times, no link counts', uidBits: 16, gidBits: 8, noMtime: true, noHardLinks: true },
  'cramfs-be': { why: 'cramfs inodes keep uid in 16 bits, gid in 8 bits, no times, no link counts', uidBits: 16, gidBits: 8, noMtime: true, noHardLinks: true },
  romfs: {
    why: 'romfs keeps no owners, no times, and of the mode only the executable flag of regular files',
    noOwners: true,
    noMtime: true,
    execBitOnly: true,
  },
  ext2: { why: 'mke2fs adds /lost+found', added: [{ path: '/lost+found', type: 'dir', mode: 0o700, uid: 0, gid: 0 }] },
  ext4: { why: 'mke2fs adds /lost+found', added: [{ path: '/lost+found', type: 'dir', mode: 0o700, uid: 0, gid: 0 }] },
  zip: {
    why: 'zip cannot hold device nodes or FIFOs (left out when the image is built), nor hard links (stored twice)',
    dropTypes: ['chardev', 'blockdev', 'fifo', 'socket'],
    noHardLinks: true,
  },
};

const registered = HANDLERS.map((h) => h.name);

/** The registered names of the format's chain, or the canonical names that are not registered. */
function resolveChain(f: ImageFormat): { names: string[]; missing: string[] } {
  const names: string[] = [];
  const missing: string[] = [];
  for (const c of f.chain) {
    const n = registeredName(c, registered);
    if (n) names.push(n);
    else missing.push(c);
  }
  return { names, missing };
}

function specialType(st: fs.Stats): string {
  if (st.isCharacterDevice()) return 'chardev';
  if (st.isBlockDevice()) return 'blockdev';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'special';
}

/** Linux's dev_t encoding (glibc gnu_dev_major/minor). */
function devString(rdev: number): string {
  const major = Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
  const minor = (rdev & 0xff) | Number((BigInt(rdev) >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

function sourceRows(root: string): BarRow[] {
  return diskManifest(root).map((row) => {
    const st = fs.lstatSync(path.join(root, row.path));
    const out: BarRow = { ...row, uid: st.uid, gid: st.gid };
    if (row.type !== 'symlink') out.mtime = Math.floor(st.mtimeMs / 1000);
    if (row.type === 'special') {
      out.type = specialType(st);
      if (st.isCharacterDevice() || st.isBlockDevice()) out.rdev = devString(st.rdev);
    }
    return out;
  });
}

async function viewRows(view: FileSystemView): Promise<BarRow[]> {
  const rows = await viewManifest(view);
  return rows.map((row) => {
    const n = view.lstat(row.path) as VfsNode;
    const out: BarRow = { ...row, uid: n.uid, gid: n.gid };
    if (row.type !== 'symlink') out.mtime = n.mtime;
    if (row.type === 'special') {
      out.type = n.type;
      if (n.rdev) out.rdev = `${n.rdev.major}:${n.rdev.minor}`;
    }
    return out;
  });
}

/** Applies a format's losses to a row of either side, so what it cannot store is not compared. */
function normalise(row: BarRow, losses: Losses | undefined): BarRow {
  if (!losses) return row;
  const r = { ...row };
  if (losses.noOwners) {
    delete r.uid;
    delete r.gid;
  }
  if (losses.uidBits !== undefined && r.uid !== undefined) r.uid %= 2 ** losses.uidBits;
  if (losses.gidBits !== undefined && r.gid !== undefined) r.gid %= 2 ** losses.gidBits;
  if (losses.noMtime) delete r.mtime;
  if (losses.execBitOnly) r.mode = r.type === 'file' && (r.mode & 0o111) !== 0 ? 0o111 : 0;
  return r;
}

/** Differences as short lines (a whole 450-row manifest in a failure message helps nobody). */
function diffRows(expected: BarRow[], actual: BarRow[]): string[] {
  const exp = new Map(expected.map((r) => [r.path, r]));
  const act = new Map(actual.map((r) => [r.path, r]));
  const out: string[] = [];
  const fields: Array<keyof BarRow> = ['type', 'mode', 'size', 'sha256', 'linkTarget', 'rdev', 'uid', 'gid', 'mtime'];
  for (const [p, e] of exp) {
    const a = act.get(p);
    if (!a) {
      out.push(`missing ${p} (${e.type})`);
      continue;
    }
    for (const f of fields) {
      const show = (v: unknown): string => (f === 'mode' && typeof v === 'number' ? `0${v.toString(8)}` : JSON.stringify(v));
      if (f === 'mtime' && e.mtime === undefined) continue; // entries a builder adds have no known time
      if (e[f] !== a[f]) out.push(`${p}: ${f} ${show(a[f])}, expected ${show(e[f])}`);
    }
  }
  for (const p of act.keys()) if (!exp.has(p)) out.push(`unexpected ${p} (${act.get(p)!.type})`);
  return out;
}

/** Paths of the tree's regular files that share an inode (hard links), one group per inode. */
function hardLinkGroups(root: string, rows: readonly BarRow[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const r of rows) {
    if (r.type !== 'file') continue;
    const st = fs.lstatSync(path.join(root, r.path));
    if (st.nlink < 2) continue;
    const key = `${st.dev}:${st.ino}`;
    groups.set(key, [...(groups.get(key) ?? []), r.path]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

let rootfsResult: DebianRootfsResult | undefined;
function rootfs(): DebianRootfsResult {
  rootfsResult ??= buildDebianRootfs({ arch: 'mipsel' });
  return rootfsResult;
}

const work = tempDir('fw-bar-');

describe('unpack correctness bar (Debian mipsel rootfs, every format)', () => {
  it('builds the root filesystem from real Debian mipsel packages', { timeout: 300_000 }, (ctx) => {
    const r = rootfs();
    if (!r.ok) return ctx.skip(`Debian rootfs unavailable: ${r.reason}`);
    const names = r.rootfs.packages.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['busybox', 'libc6', 'dropbear-bin', 'libssl3']));
    for (const p of r.rootfs.packages) {
      expect(p.arch).toBe('mipsel');
      expect(p.version).toMatch(/^[0-9:][\w.+~:-]*$/);
    }
    const busybox = fs.readFileSync(path.join(r.rootfs.root, 'bin/busybox'));
    // ELF, 32-bit, little-endian, EM_MIPS (8).
    expect([...busybox.subarray(0, 6)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 1, 1]);
    expect(busybox.readUInt16LE(18)).toBe(8);
    expect(busybox.includes('BusyBox v1.35.0')).toBe(true);
    expect(fs.readFileSync(path.join(r.rootfs.root, 'etc/shadow'), 'utf8')).toContain('admin:$1$abcd1234$');
  });

  it('builds the armhf variant too (same packages, ARM ELF)', { timeout: 300_000 }, (ctx) => {
    const r = buildDebianRootfs({ arch: 'armhf' });
    if (!r.ok) return ctx.skip(`Debian armhf rootfs unavailable: ${r.reason}`);
    expect(new Set(r.rootfs.packages.map((p) => p.arch))).toEqual(new Set(['armhf']));
    const busybox = fs.readFileSync(path.join(r.rootfs.root, 'bin/busybox'));
    expect(busybox.readUInt16LE(18)).toBe(40); // EM_ARM
  });

  it('lists the losses of formats that are in the build table', () => {
    const ids = IMAGE_FORMATS.map((f) => f.id);
    expect(Object.keys(FORMAT_LOSSES).filter((k) => !ids.includes(k))).toEqual([]);
  });

  for (const format of IMAGE_FORMATS) {
    const { names, missing } = resolveChain(format);
    const title = `${format.id} (${format.chain.join(' > ')})`;
    if (missing.length > 0) {
      it.skip(`${title}: handler not registered yet: ${missing.join(', ')}`, () => undefined);
      continue;
    }
    it(`${title} comes back exactly`, { timeout: 300_000 }, async (ctx) => {
      const r = rootfs();
      if (!r.ok) return ctx.skip(`Debian rootfs unavailable: ${r.reason}`);
      const built = buildImage(format, r.rootfs.root, work, { cacheDir: r.rootfs.cacheDir });
      if (!built.ok) return ctx.skip(built.reason);
      const result = await unpack(built.path);
      expect(result.summary.errors, 'errors in the report').toEqual([]);
      // The tree is the one reached through the format's chain (a UBI volume is a file of the ubi tree, so
      // links may carry a path); trees of files inside it (doc .gz files) have longer chains.
      const views = result.filesystems.filter((v) => v.chain.map((l) => l.format).join(' > ') === names.join(' > '));
      expect(views.map((v) => v.format), `one tree reached through ${names.join(' > ')}`).toHaveLength(1);
      const losses = FORMAT_LOSSES[format.id];
      const dropped = new Set(losses?.dropTypes ?? []);
      const expected = [...sourceRows(r.rootfs.root).filter((row) => !dropped.has(row.type)), ...(losses?.added ?? [])]
        .map((row) => normalise(row, losses))
        .sort((a, b) => (a.path < b.path ? -1 : 1));
      const actual = (await viewRows(views[0]!)).map((row) => normalise(row, losses));
      const diff = diffRows(expected, actual);
      expect(diff.slice(0, 40), `${diff.length} differences${losses ? ` (allowed losses: ${losses.why})` : ''}`).toEqual([]);
      expect(actual.length).toBe(expected.length);
      // Hard links: one file of each group holds the data, the others name it (or, where the format has no
      // links, each is a plain file; their contents were compared above).
      const groups = hardLinkGroups(r.rootfs.root, expected);
      expect(groups.length, 'hard links in the source tree').toBeGreaterThan(0);
      for (const g of groups) {
        const links = g.map((p) => views[0]!.lstat(p)?.hardLinkOf);
        if (losses?.noHardLinks) {
          expect(links, g.join(', ')).toEqual(g.map(() => undefined));
          continue;
        }
        const primary = g.filter((_, i) => links[i] === undefined);
        expect(primary, `one file of ${g.join(', ')} holds the data`).toHaveLength(1);
        expect(links.filter((l) => l !== undefined), `the others link to ${primary[0]}`).toEqual(g.slice(1).map(() => primary[0]));
      }
    });
  }
});
