// The images the unpack benchmark reads: a router-like xz squashfs (~14 MB, ~500 files: the Debian mipsel
// rootfs of test/fixtures plus a web UI, kernel modules and firmware blobs it generates) and a ~100 MB ext4
// (the same tree plus large data files, made by mke2fs -d). Built once per machine under os.tmpdir().
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDebianRootfs, copyTree } from '../../test/fixtures/debian-rootfs.js';
import { pseudoRandom } from '../../test/fixtures/unpack/source-tree.js';

/** Bump when the generated content changes. */
const BENCH_FORMAT = 2;

export interface BenchImages {
  squashfs: string;
  ext4: string;
  /** Regular files in each tree (what a full read touches). */
  files: { squashfs: number; ext4: number };
}

function write(root: string, rel: string, data: Buffer | string, mode = 0o644): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  fs.chmodSync(p, mode);
}

/** Text that compresses like real scripts and pages do (about 4:1 with xz), deterministic. */
function text(size: number, seed: number): string {
  const words = ['config', 'option', 'interface', 'wireless', 'firewall', 'function', 'return', 'var', 'if', 'else', 'document', 'getElementById', 'ajax', 'submit', 'lan', 'wan', 'dhcp', 'static', 'ipaddr', 'netmask', 'gateway', '{', '}', ';', '=', '\n'];
  const rnd = pseudoRandom(size, seed);
  let out = '';
  for (let i = 0; out.length < size; i++) out += words[rnd[i % rnd.length]! % words.length] + ' ' + (rnd[(i * 7) % rnd.length]! % 10 === 0 ? `${rnd[i % rnd.length]}` : '');
  return out.slice(0, size);
}

/** What a vendor adds to a distribution userland: modules, blobs, a web UI, scripts. */
function addRouterFiles(root: string): void {
  // Kernel modules and radio firmware: compressed or encrypted by the vendor, so nearly incompressible.
  for (let i = 0; i < 40; i++) write(root, `lib/modules/4.14.221/kernel/drivers/net/mod${i}.ko`, pseudoRandom(150_000 + i * 3000, 1000 + i));
  for (let i = 0; i < 4; i++) write(root, `lib/firmware/radio${i}.bin`, pseudoRandom(400_000, 2000 + i));
  for (let i = 0; i < 170; i++) write(root, `www/js/page${i}.js`, text(4000 + (i % 13) * 1500, 3000 + i));
  for (let i = 0; i < 30; i++) write(root, `www/lang/lang${i}.txt`, text(12_000, 4000 + i));
  for (let i = 0; i < 20; i++) write(root, `etc/init.d/S${10 + i}service${i}`, `#!/bin/sh\n${text(800, 5000 + i)}\n`, 0o755);
}

function countFiles(root: string): number {
  return Number(execFileSync('sh', ['-c', 'find . -type f | wc -l'], { cwd: root, encoding: 'utf8' }).trim());
}

/** Builds (or reuses) both images; throws with the reason when the Debian rootfs cannot be had. */
export function benchImages(): BenchImages {
  const r = buildDebianRootfs({ arch: 'mipsel' });
  if (!r.ok) throw new Error(`bench images need the Debian rootfs: ${r.reason}`);
  const dir = path.join(os.tmpdir(), 'firmwarden-bench', `${path.basename(path.dirname(r.rootfs.root))}-v${BENCH_FORMAT}`);
  const meta = path.join(dir, 'images.json');
  if (fs.existsSync(meta)) return JSON.parse(fs.readFileSync(meta, 'utf8')) as BenchImages;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.build-`);
  try {
    const router = path.join(tmp, 'router');
    copyTree(r.rootfs.root, router);
    addRouterFiles(router);
    const squashfs = path.join(tmp, 'router-xz.squashfs');
    execFileSync('mksquashfs', [router, squashfs, '-comp', 'xz', '-noappend', '-no-progress', '-quiet']);
    // The ext4 image: the router tree plus big data files (logs, a recovery image, a database).
    const big = path.join(tmp, 'big');
    copyTree(router, big);
    for (let i = 0; i < 8; i++) write(big, `data/blob${i}.bin`, pseudoRandom(6_000_000, 6000 + i));
    for (let i = 0; i < 4; i++) write(big, `data/log${i}.txt`, text(3_000_000, 7000 + i));
    const ext4 = path.join(tmp, 'big.ext4');
    execFileSync('/sbin/mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-E', 'root_owner=0:0', '-d', big, ext4, '100M']);
    const files = { squashfs: countFiles(router), ext4: countFiles(big) };
    fs.rmSync(router, { recursive: true, force: true });
    fs.rmSync(big, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    const out: BenchImages = { squashfs: path.join(dir, 'router-xz.squashfs'), ext4: path.join(dir, 'big.ext4'), files };
    fs.writeFileSync(meta, JSON.stringify(out, null, 2));
    return out;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
