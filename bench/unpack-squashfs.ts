// Squashfs read speed against unsquashfs, measured in the same run on the same images: the TP-Link rootfs of
// the corpus (xz, 3 MB) and a ~14 MB xz image built here from the host's own binaries and libraries. For each:
// our time to open the image and read every regular file's bytes (in a child process, so its peak RSS is its
// own), and unsquashfs's wall time to extract it into a tmpfs directory, with both peak RSS figures (GNU time).
// The child runs compiled JavaScript, as the daemon does (bundled here with esbuild, tsx's own compiler):
// under tsx each decode worker thread would spend its first second compiling TypeScript.
//
//   node --import tsx bench/unpack-squashfs.ts [image ...]
//   node --import tsx bench/unpack-squashfs.ts --build DIR     (only builds the host image, kept in DIR)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSource } from '../service/unpack/byte-source.js';
import { squashfsHandler } from '../service/unpack/handlers/squashfs.js';
import { DEFAULT_UNPACK_LIMITS } from '../service/unpack/limits.js';
import { CappedSink } from '../service/unpack/payload-sink.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RUNS = 3;
const TARGET_IMAGE_BYTES = 14 * 1024 * 1024;

interface ChildResult {
  ms: number;
  /** CPU time of all threads (user + system): unlike wall time, barely moved by other load on the machine. */
  cpuMs: number;
  files: number;
  bytes: number;
  maxRssKb: number;
  problems: number;
}

/** Child mode: open the image and read every file once; print one JSON line. */
async function child(image: string): Promise<void> {
  const src = new FileSource(image);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const chunk = squashfsHandler.identify(src, 0);
  if (!chunk) throw new Error(`${image}: not a squashfs image`);
  let problems = 0;
  const r = await squashfsHandler.open(src, chunk, {
    limits: DEFAULT_UNPACK_LIMITS,
    signal: new AbortController().signal,
    problem: () => void problems++,
    createSink: () => new CappedSink(1 << 30, () => {}),
  });
  if (r.kind !== 'tree') throw new Error('no tree');
  let files = 0;
  let bytes = 0;
  for (const n of r.tree.walk()) {
    if (n.type !== 'file' || n.hardLinkOf) continue;
    files++;
    bytes += (await r.tree.read(n.path)).length;
  }
  const cpu = process.cpuUsage(c0);
  const out: ChildResult = { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, files, bytes, maxRssKb: process.resourceUsage().maxRSS, problems };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** This file and the decode worker bundled to JavaScript in `dir`; the tsx command line when esbuild is missing. */
async function compiledChild(dir: string): Promise<string[]> {
  try {
    const esbuild = await import('esbuild');
    esbuild.buildSync({
      entryPoints: { 'unpack-squashfs': fileURLToPath(import.meta.url), 'decode-worker': path.join(here, '../service/unpack/squashfs/decode-worker.ts') },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir: dir,
      logLevel: 'error',
    });
    // decode-pool.ts finds its worker as ./decode-worker.js beside it: plain .js files, ESM by package.json.
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
    return [path.join(dir, 'unpack-squashfs.js')];
  } catch (err) {
    console.log(`(esbuild unavailable, measuring under tsx: ${(err as Error).message})`);
    return ['--import', 'tsx', fileURLToPath(import.meta.url)];
  }
}

let childArgs: string[] = [];

function runOurs(image: string): ChildResult {
  const p = spawnSync(process.execPath, [...childArgs, '--child', image], { encoding: 'utf8', cwd: path.join(here, '..') });
  if (p.status !== 0) throw new Error(`child failed: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').pop()!) as ChildResult;
}

function runUnsquashfs(image: string, dest: string): { ms: number; cpuMs: number; maxRssKb: number } {
  fs.rmSync(dest, { recursive: true, force: true });
  const t0 = performance.now();
  const p = spawnSync('/usr/bin/time', ['-f', '%M %U %S', 'unsquashfs', '-q', '-n', '-d', dest, image], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (p.status !== 0) throw new Error(`unsquashfs failed: ${p.stderr}`);
  const [rss, user, sys] = p.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  fs.rmSync(dest, { recursive: true, force: true });
  return { ms, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000, maxRssKb: rss ?? 0 };
}

/** A tree of the host's own ELF files (what a rootfs mostly is), sized so its xz image is ~14 MB. */
function buildHostImage(work: string): string {
  const image = path.join(work, 'host-xz.sqfs');
  const tree = path.join(work, 'tree');
  const dirs = ['/usr/bin', '/usr/sbin', ...fs.readdirSync('/usr/lib').filter((d) => d.endsWith('-linux-gnu')).map((d) => `/usr/lib/${d}`)];
  let raw = 0;
  const budget = TARGET_IMAGE_BYTES * 3.2;
  outer: for (const dir of dirs) {
    for (const name of fs.readdirSync(dir).sort()) {
      const from = path.join(dir, name);
      const st = fs.lstatSync(from);
      const to = path.join(tree, dir.slice(1), name);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
      else if (st.isFile() && st.size < 8 * 1024 * 1024) {
        fs.copyFileSync(from, to);
        raw += st.size;
      }
      if (raw > budget) break outer;
    }
  }
  execFileSync('mksquashfs', [tree, image, '-noappend', '-quiet', '-no-progress', '-comp', 'xz'], { stdio: 'ignore' });
  fs.rmSync(tree, { recursive: true, force: true });
  return image;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-sqfs-'));
  const shm = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dest = path.join(fs.mkdtempSync(path.join(shm, 'fw-bench-unsquash-')), 'out');
  try {
    childArgs = await compiledChild(path.join(work, 'js'));
    const corpus = process.env['FIRMWARDEN_CORPUS'] ?? path.resolve(here, '..', '..', 'shared', 'corpus');
    const images = process.argv.slice(2);
    if (images.length === 0) {
      const tplink = path.join(corpus, 'firmware/tplink-firmware-reversing/rootfs.squashfs');
      if (fs.existsSync(tplink)) images.push(tplink);
      else console.log(`(corpus not found at ${corpus}: TP-Link rootfs skipped)`);
      images.push(buildHostImage(work));
    }
    console.log(`load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores (wall times mean little when it is far above the cores)`);
    console.log('image                         size MB  files  data MB |  ours ms  unsq ms  ratio | ours CPU ms  unsq CPU ms  ratio | ours RSS MB  unsq RSS MB');
    for (const image of images) {
      const ours = Array.from({ length: RUNS }, () => runOurs(image));
      const theirs = Array.from({ length: RUNS }, () => runUnsquashfs(image, dest));
      const o = median(ours.map((r) => r.ms));
      const t = median(theirs.map((r) => r.ms));
      const oc = median(ours.map((r) => r.cpuMs));
      const tc = median(theirs.map((r) => r.cpuMs));
      const first = ours[0]!;
      console.log(
        `${path.basename(image).padEnd(28)} ${(fs.statSync(image).size / 1048576).toFixed(1).padStart(8)} ${String(first.files).padStart(6)} ${(first.bytes / 1048576).toFixed(1).padStart(8)} |` +
          ` ${o.toFixed(0).padStart(8)} ${t.toFixed(0).padStart(8)} ${(o / t).toFixed(2).padStart(6)} |` +
          ` ${oc.toFixed(0).padStart(11)} ${tc.toFixed(0).padStart(11)} ${(oc / tc).toFixed(2).padStart(6)} |` +
          ` ${(Math.max(...ours.map((r) => r.maxRssKb)) / 1024).toFixed(0).padStart(11)} ${(Math.max(...theirs.map((r) => r.maxRssKb)) / 1024).toFixed(0).padStart(12)}` +
          (first.problems ? `  (${first.problems} problems)` : ''),
      );
    }
    console.log('ours: open + read every regular file, in process (Node startup excluded); unsquashfs: `unsquashfs -d <tmpfs>` (GNU time).');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(path.dirname(dest), { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!);
else if (process.argv[2] === '--build') console.log(buildHostImage(fs.mkdtempSync(path.join(process.argv[3] ?? os.tmpdir(), 'fw-bench-sqfs-'))));
else await main();
