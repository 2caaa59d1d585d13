// ext4 read speed against debugfs (e2fsprogs), measured in the same run on the same ~100 MB image: our time
// to unpack the image and read every byte of every file (bench/lib/read-all.ts in a fresh child process, so
// its peak RSS is its own), against `debugfs -R "rdump / DIR"` writing the tree to /dev/shm. Wall time, CPU
// time (user + system: what a busy box cannot distort as much) and peak RSS come from GNU time for both.
// Target: our peak RSS <= 200 MB.
//
//   node --import tsx bench/unpack-ext4.ts [--runs 3] [--keep DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pseudoRandom } from '../test/fixtures/unpack/source-tree.js';
import { median } from './lib/measure.js';
import type { ReadAllResult } from './lib/read-all.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(here, '..');
const shm = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const RSS_TARGET_MIB = 200;

interface Timed {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
}

/** Runs a command under GNU time (-f "%e %U %S %M" on the last line of stderr). */
function timed(cmd: string, args: string[], cwd?: string): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S %M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? '');
  if (!m) throw new Error(`${cmd}: no timing (${(r.stderr ?? '').slice(-300)})`);
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr.slice(0, m.index),
    wallMs: Number(m[1]) * 1000,
    cpuMs: (Number(m[2]) + Number(m[3])) * 1000,
    maxRssKiB: Number(m[4]),
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Text that looks like configuration and scripts (deterministic). */
function text(size: number, seed: number): string {
  const words = ['config', 'option', 'interface', 'firewall', 'return', 'if', 'then', 'fi', 'echo', 'lan', 'wan', 'dhcp', '{', '}', '\n'];
  const rnd = pseudoRandom(size, seed);
  let out = '';
  for (let i = 0; out.length < size; i++) out += `${words[rnd[i % rnd.length]! % words.length]} `;
  return out.slice(0, size);
}

/**
 * A root filesystem of ~95 MB: 4,000 small text files in a few dozen directories (one hashed directory of
 * 2,000), 300 binaries of 20-300 KB, 8 large blobs, symlinks and a sparse file. Written file by file, so the
 * builder never holds much of it.
 */
function buildTree(root: string): number {
  let files = 0;
  const write = (rel: string, data: Buffer | string, mode = 0o644): void => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data, { mode });
    files++;
  };
  for (let i = 0; i < 2000; i++) write(`etc/config.d/entry-${i}.conf`, text(200 + (i % 50) * 40, i + 1));
  for (let i = 0; i < 2000; i++) write(`www/dir${i % 40}/page${i}.html`, text(1000 + (i % 17) * 300, 10_000 + i));
  for (let i = 0; i < 300; i++) write(`usr/bin/tool${i}`, pseudoRandom(20_000 + (i % 29) * 10_000, 20_000 + i), 0o755);
  for (let i = 0; i < 8; i++) write(`data/blob${i}.bin`, pseudoRandom(6_000_000, 30_000 + i));
  for (let i = 0; i < 100; i++) fs.symlinkSync(`../usr/bin/tool${i}`, path.join(root, 'usr/bin', `alias${i}`));
  const fd = fs.openSync(path.join(root, 'data/sparse.img'), 'w');
  fs.writeSync(fd, Buffer.from('start'), 0, 5, 0);
  fs.ftruncateSync(fd, 64 * 1024 * 1024);
  fs.closeSync(fd);
  return files + 1;
}

function buildImage(dir: string): string {
  const image = path.join(dir, 'bench.ext4');
  if (fs.existsSync(image)) return image;
  const tree = path.join(dir, 'tree');
  fs.rmSync(tree, { recursive: true, force: true });
  const files = buildTree(tree);
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-E', 'root_owner=0:0', '-d', tree, image, '140M']);
  // Index the big directories as a kernel would have (mke2fs -d writes them linear).
  try {
    execFileSync('e2fsck', ['-f', '-y', '-D', image], { stdio: 'ignore' });
  } catch (err) {
    if ((err as { status?: number }).status !== 1) throw err;
  }
  fs.rmSync(tree, { recursive: true, force: true });
  process.stderr.write(`built ${image}: ${files} files, ${(fs.statSync(image).size / 1e6).toFixed(0)} MB\n`);
  return image;
}

function main(): void {
  const runs = Math.max(1, Number(arg('--runs') ?? 3) || 3);
  const keep = arg('--keep');
  const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-ext4-'));
  fs.mkdirSync(dir, { recursive: true });
  try {
    const image = buildImage(dir);
    const ours = { wall: [] as number[], cpu: [] as number[], inner: [] as number[], rss: 0, res: undefined as ReadAllResult | undefined };
    const peer = { wall: [] as number[], cpu: [] as number[], rss: 0 };
    for (let i = 0; i < runs; i++) {
      const m = timed(process.execPath, ['--import', 'tsx', path.join(here, 'lib', 'read-all.ts'), image], packageRoot);
      if (m.code !== 0) throw new Error(`read-all failed: ${m.stderr.slice(-500)}`);
      ours.res = JSON.parse(m.stdout.trim().split('\n').pop()!) as ReadAllResult;
      ours.wall.push(m.wallMs);
      ours.cpu.push(m.cpuMs);
      ours.inner.push(ours.res.ms);
      ours.rss = Math.max(ours.rss, m.maxRssKiB);
      const out = path.join(shm, `fw-bench-ext4-${process.pid}-${i}`);
      fs.rmSync(out, { recursive: true, force: true });
      fs.mkdirSync(out);
      const d = timed('debugfs', ['-R', `rdump / ${out}`, image]);
      fs.rmSync(out, { recursive: true, force: true });
      if (d.code !== 0) throw new Error(`debugfs failed: ${d.stderr.slice(-500)}`);
      peer.wall.push(d.wallMs);
      peer.cpu.push(d.cpuMs);
      peer.rss = Math.max(peer.rss, d.maxRssKiB);
    }
    const [ow, oc, oi, pw, pc] = [median(ours.wall), median(ours.cpu), median(ours.inner), median(peer.wall), median(peer.cpu)];
    const res = ours.res!;
    const mib = (kib: number): string => (kib / 1024).toFixed(0);
    process.stdout.write(
      [
        `ext4 unpack benchmark, ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}, median of ${runs}`,
        `image: ${(fs.statSync(image).size / 1e6).toFixed(0)} MB, ${res.files} files read, ${(res.bytes / 1e6).toFixed(0)} MB of file bytes, ${res.errors} report errors, chain ${res.chain.join(' > ')}`,
        `ours (node start-up included): wall ${ow.toFixed(0)} ms, CPU ${oc.toFixed(0)} ms; unpack + read in-process ${oi.toFixed(0)} ms; peak RSS ${mib(ours.rss)} MiB (target <= ${RSS_TARGET_MIB})`,
        `debugfs rdump to ${shm}:        wall ${pw.toFixed(0)} ms, CPU ${pc.toFixed(0)} ms; peak RSS ${mib(peer.rss)} MiB`,
        `ratio ours/debugfs: wall ${(ow / pw).toFixed(2)}, CPU ${(oc / pc).toFixed(2)}, in-process/wall ${(oi / pw).toFixed(2)} (< 1: we are faster)`,
        ours.rss / 1024 > RSS_TARGET_MIB ? `WARNING: peak RSS over the ${RSS_TARGET_MIB} MiB target` : 'peak RSS within target',
      ].join('\n') + '\n',
    );
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
