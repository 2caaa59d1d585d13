// Unpack benchmark: our time to open an image and read every byte of every file (a fresh child process, so its
// peak RSS is its own), against the peers measured in the same run on the same images:
//   router-like xz squashfs (~14 MB, ~500 files): unsquashfs -d <dir on /dev/shm>, binwalk -e, 7zz x
//   ext4 (~100 MB, mke2fs -d):                    debugfs rdump, binwalk -e, 7zz x
// Prints a table with the ratios ours / peer; asserts nothing. Peers write to /dev/shm (RAM), we read into
// memory and drop the bytes: both sides skip the disk.
//   node --import tsx bench/unpack.ts [--runs 3]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HANDLERS } from '../service/unpack/registry.js';
import { hasTool, registeredName } from '../test/fixtures/build-images.js';
import { benchImages } from './lib/bench-images.js';
import { measure, median, type Measurement } from './lib/measure.js';
import type { ReadAllResult } from './lib/read-all.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(here, '..');
const shm = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

interface Row {
  image: string;
  tool: string;
  wallMs?: number;
  /** Ours only: time inside the process, without Node's and tsx's start-up. */
  innerMs?: number;
  /** User + system CPU of the process tree: the steadier figure on a shared machine. */
  cpuMs?: number;
  maxRssKiB?: number;
  files?: number;
  note?: string;
}

function runs(): number {
  const i = process.argv.indexOf('--runs');
  return i >= 0 ? Math.max(1, Number(process.argv[i + 1]) || 1) : 3;
}

/** Runs `make` `n` times with a fresh output dir each time; median wall, largest RSS. */
function peer(image: string, tool: string, n: number, make: (out: string) => [string, string[]], countIn?: (out: string) => string): Row {
  const bin = make('')[0];
  if (!hasTool(bin)) return { image, tool, note: `${bin} not installed` };
  const walls: number[] = [];
  const cpus: number[] = [];
  let rss = 0;
  let files: number | undefined;
  let last: Measurement | undefined;
  for (let i = 0; i < n; i++) {
    const out = path.join(shm, `fw-bench-${process.pid}-${tool.split(' ')[0]}-${i}`);
    fs.rmSync(out, { recursive: true, force: true });
    const [cmd, args] = make(out);
    last = measure(cmd, args, { cwd: shm });
    walls.push(last.wallMs);
    cpus.push(last.cpuMs);
    rss = Math.max(rss, last.maxRssKiB);
    const slow = last.wallMs > 60_000;
    if (i === n - 1 || slow) files = countFiles(countIn ? countIn(out) : out);
    fs.rmSync(out, { recursive: true, force: true });
    // A peer that takes minutes is not run again: one run tells enough, and the bench stays short.
    if (slow) break;
  }
  const row: Row = { image, tool, wallMs: median(walls), cpuMs: median(cpus), maxRssKiB: rss };
  if (files !== undefined) row.files = files;
  const notes: string[] = [];
  if (walls.length < n) notes.push(`${walls.length} run${walls.length > 1 ? 's' : ''} (over a minute)`);
  if (last && last.code !== 0) notes.push(`exit ${last.code}: ${last.stderr.trim().split('\n').slice(-1)[0]?.slice(0, 120) ?? ''}`);
  if (notes.length) row.note = notes.join('; ');
  return row;
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  const visit = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) visit(path.join(d, e.name));
      else if (e.isFile()) n++;
    }
  };
  visit(dir);
  return n;
}

function ours(image: string, label: string, needs: string, n: number): Row {
  const names = HANDLERS.map((h) => h.name);
  if (!registeredName(needs, names)) return { image: label, tool: 'firmwarden (ours)', note: `${needs} handler not registered` };
  const walls: number[] = [];
  const inner: number[] = [];
  const cpus: number[] = [];
  let rss = 0;
  let res: ReadAllResult | undefined;
  for (let i = 0; i < n; i++) {
    const m = measure(process.execPath, ['--import', 'tsx', path.join(here, 'lib', 'read-all.ts'), image], { cwd: packageRoot });
    if (m.code !== 0) return { image: label, tool: 'firmwarden (ours)', note: `failed: ${m.stderr.trim().split('\n').slice(-1)[0]}` };
    res = JSON.parse(m.stdout.trim().split('\n').pop()!) as ReadAllResult;
    walls.push(m.wallMs);
    cpus.push(m.cpuMs);
    inner.push(res.ms);
    rss = Math.max(rss, m.maxRssKiB);
  }
  const row: Row = { image: label, tool: 'firmwarden (ours)', wallMs: median(walls), innerMs: median(inner), cpuMs: median(cpus), maxRssKiB: rss, files: res!.files };
  if (res!.errors) row.note = `${res!.errors} errors in the report`;
  return row;
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? '' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

function table(rows: Row[]): string {
  const head = ['image', 'tool', 'wall (median)', 'ours in-process', 'CPU user+sys', 'peak RSS MiB', 'files out', 'ours / this: wall', 'in-process', 'CPU', 'CPU less start-up', 'note'];
  const startup = rows.find((x) => x.image === 'start-up only')?.cpuMs ?? 0;
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const mine = rows.find((x) => x.image === r.image && x.tool === 'firmwarden (ours)');
    const isOurs = r.tool === 'firmwarden (ours)';
    const ratio = (a: number | undefined, b: number | undefined): string => (a !== undefined && b !== undefined && !isOurs ? (a / b).toFixed(2) : '');
    lines.push(
      `| ${[
        r.image,
        r.tool,
        r.wallMs === undefined ? 'not run' : fmtMs(r.wallMs),
        fmtMs(r.innerMs),
        fmtMs(r.cpuMs),
        r.maxRssKiB === undefined ? '' : (r.maxRssKiB / 1024).toFixed(0),
        r.files === undefined ? '' : String(r.files),
        ratio(mine?.wallMs, r.wallMs),
        ratio(mine?.innerMs, r.wallMs),
        ratio(mine?.cpuMs, r.cpuMs),
        ratio(mine?.cpuMs === undefined ? undefined : mine.cpuMs - startup, r.cpuMs),
        r.note ?? '',
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

function main(): void {
  const n = runs();
  process.stderr.write('building or reusing the bench images ...\n');
  const img = benchImages();
  const sqMb = (fs.statSync(img.squashfs).size / 1e6).toFixed(1);
  const extMb = (fs.statSync(img.ext4).size / 1e6).toFixed(1);
  const sq = `squashfs xz ${sqMb} MB, ${img.files.squashfs} files`;
  const ex = `ext4 ${extMb} MB, ${img.files.ext4} files`;
  const rows: Row[] = [];
  const step = (label: string, f: () => Row): void => {
    process.stderr.write(`  ${label} ...\n`);
    rows.push(f());
  };
  step('start-up', () => {
    const row = ours('--startup-only', 'start-up only', 'squashfs', n);
    return { ...row, tool: 'firmwarden start-up (node + tsx + imports, no image)', files: 0 };
  });
  step('ours, squashfs', () => ours(img.squashfs, sq, 'squashfs', n));
  step('unsquashfs', () => peer(sq, 'unsquashfs -d', n, (out) => ['unsquashfs', ['-q', '-no-progress', '-d', out, img.squashfs]]));
  step('binwalk, squashfs', () => peer(sq, 'binwalk -e 2.3', n, (out) => ['binwalk', ['-e', '-q', '--run-as=root', '-C', out, img.squashfs]]));
  step('7zz, squashfs', () => peer(sq, '7zz x', n, (out) => ['7zz', ['x', '-y', '-bd', '-bso0', `-o${out}`, img.squashfs]]));
  step('ours, ext4', () => ours(img.ext4, ex, 'ext', n));
  step('debugfs rdump', () =>
    peer(ex, 'debugfs rdump', n, (out) => {
      if (out) fs.mkdirSync(out, { recursive: true });
      return ['debugfs', ['-R', `rdump / ${out}`, img.ext4]];
    }),
  );
  step('binwalk, ext4', () => peer(ex, 'binwalk -e 2.3', n, (out) => ['binwalk', ['-e', '-q', '--run-as=root', '-C', out, img.ext4]]));
  step('7zz, ext4', () => peer(ex, '7zz x', n, (out) => ['7zz', ['x', '-y', '-bd', '-bso0', `-o${out}`, img.ext4]]));
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  process.stdout.write(
    `unpack benchmark, ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs, load ${load}, median of ${n} runs\n` +
      `(ours: a fresh node process, start-up included in "wall" and "CPU" (the start-up row is that cost alone, subtracted in\n` +
      ` "CPU less start-up"; the daemon pays it once per job child, and runs compiled JS, not tsx); peers write to ${shm}; ratio < 1 means we are faster;\n` +
      ` "files out": regular files read (ours: also the decompressed contents of .gz files inside the tree) or written (peers))\n\n` +
      table(rows) +
      '\n',
  );
}

main();
