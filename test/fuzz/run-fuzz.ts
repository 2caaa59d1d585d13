// Mutation fuzzer of the whole unpacker. Seeds: one image per registered format, built by the real tools from
// the small source tree (test/fixtures/build-images.ts), plus the small real samples of the corpus when
// FIRMWARDEN_CORPUS is set. Each mutated image goes through unpackImage in a pool of child processes (heap cap,
// per-case wall-clock limit) that read every file of every view. A throw that is not a FirmwardenError, a
// hang, a crash or an out-of-memory is a finding, saved with its bytes.
//
//   node --import tsx test/fuzz/run-fuzz.ts --per-format 10000 --seed 1 [--formats squashfs-xz,cpio-newc]
//     [--timeout 10000] [--workers 2] [--heap 256] [--findings test/fuzz/findings]
//   node --import tsx test/fuzz/run-fuzz.ts --replay test/fuzz/findings/<format>-<hash>.bin   (one saved case)
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HANDLERS } from '../../service/unpack/registry.js';
import type { UnpackLimits } from '../../service/unpack/unpack-image.js';
import { IMAGE_FORMATS, buildImage, registeredName, type ImageFormat } from '../fixtures/build-images.js';
import { isRoot } from '../fixtures/debian-rootfs.js';
import { makeSourceTree } from '../fixtures/unpack/source-tree.js';
import type { FuzzCase, FuzzOutcome } from './fuzz-worker.js';
import { Rng, caseSeed, mutate } from './mutate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(here, '..', '..');
const WORKER = path.join(here, 'fuzz-worker.ts');

/** Small budgets: a mutated length field must hit a limit quickly, not fill the box. */
export const FUZZ_LIMITS: Required<UnpackLimits> = {
  maxDepth: 4,
  maxTotalBytes: 64 * 1024 ** 2,
  maxRatio: 200,
  maxFiles: 20_000,
  maxPayloadInMemory: 32 * 1024 ** 2,
};

export interface FuzzOptions {
  perFormat: number;
  seed: number;
  /** Builder ids (IMAGE_FORMATS) to fuzz; default every registered and buildable one (plus "corpus"). */
  formats?: readonly string[];
  timeoutMs?: number;
  workers?: number;
  heapMb?: number;
  findingsDir: string;
  /** Directory of the corpus (…/shared/corpus); its small firmware samples become a "corpus" group. */
  corpusDir?: string;
  /** Largest corpus sample taken as a seed. */
  corpusMaxBytes?: number;
  log?: (line: string) => void;
}

export interface FormatStats {
  format: string;
  seeds: number;
  cases: number;
  ok: number;
  errors: number;
  throws: number;
  crashes: number;
  hangs: number;
  /** KiB, the largest peak RSS a worker reported for this format. */
  maxRssKiB: number;
  slowestMs: number;
  totalMs: number;
}

export interface Finding {
  format: string;
  kind: 'throw' | 'crash' | 'oom' | 'hang';
  file: string;
  message: string;
}

export interface FuzzSummary {
  stats: FormatStats[];
  findings: Finding[];
  /** Formats of the build table left out, and why (not registered, tool missing). */
  skipped: Array<{ format: string; reason: string }>;
}

interface SeedGroup {
  format: string;
  seeds: Array<{ name: string; data: Buffer }>;
}

/** The small source tree, with a FIFO and (as root) device nodes so every entry type is in the seeds. */
function seedTree(dir: string): string {
  const root = path.join(dir, 'tree');
  makeSourceTree(root);
  fs.mkdirSync(path.join(root, 'dev'));
  try {
    if (isRoot()) {
      execSync('mknod', ['-m', '600', path.join(root, 'dev/console'), 'c', '5', '1']);
      execSync('mknod', ['-m', '640', path.join(root, 'dev/mtdblock0'), 'b', '31', '0']);
    }
    execSync('mkfifo', ['-m', '600', path.join(root, 'dev/initctl')]);
  } catch {
    // Entry types are a bonus: seeds without them still fuzz every parser.
  }
  return root;
}

function execSync(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: 'ignore' });
}

export function registeredFormats(): { formats: ImageFormat[]; skipped: Array<{ format: string; reason: string }> } {
  const names = HANDLERS.map((h) => h.name);
  const formats: ImageFormat[] = [];
  const skipped: Array<{ format: string; reason: string }> = [];
  for (const f of IMAGE_FORMATS) {
    const missing = f.chain.filter((c) => !registeredName(c, names));
    if (missing.length) skipped.push({ format: f.id, reason: `handler not registered: ${missing.join(', ')}` });
    else formats.push(f);
  }
  return { formats, skipped };
}

/** Corpus files small enough to fuzz quickly (the big real images are covered by the corpus tests). */
function corpusSeeds(corpusDir: string, maxBytes: number): Array<{ name: string; data: Buffer }> {
  const root = path.join(corpusDir, 'firmware');
  if (!fs.existsSync(root)) return [];
  const out: Array<{ name: string; data: Buffer }> = [];
  const visit = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) visit(p);
      else if (st.isFile() && !name.endsWith('.md') && st.size > 0 && st.size <= maxBytes) {
        out.push({ name: path.relative(root, p), data: fs.readFileSync(p) });
      }
    }
  };
  visit(root);
  return out;
}

function buildSeeds(opts: FuzzOptions, work: string): { groups: SeedGroup[]; skipped: Array<{ format: string; reason: string }> } {
  const { formats, skipped } = registeredFormats();
  const tree = seedTree(work);
  const groups: SeedGroup[] = [];
  for (const f of formats) {
    if (opts.formats && !opts.formats.includes(f.id)) continue;
    const built = buildImage(f, tree, path.join(work, 'images'));
    if (!built.ok) {
      skipped.push({ format: f.id, reason: built.reason });
      continue;
    }
    groups.push({ format: f.id, seeds: [{ name: `${f.id}.img`, data: fs.readFileSync(built.path) }] });
  }
  if (opts.corpusDir && (!opts.formats || opts.formats.includes('corpus'))) {
    const seeds = corpusSeeds(opts.corpusDir, opts.corpusMaxBytes ?? 1024 * 1024);
    // First: real vendor images reach the odd paths (vendor LZMA, squashfs 2/3, TP-Link headers) soonest.
    if (seeds.length) groups.unshift({ format: 'corpus', seeds });
    else skipped.push({ format: 'corpus', reason: `no samples under ${opts.corpusDir}/firmware` });
  }
  return { groups, skipped };
}

interface PoolWorker {
  proc: ChildProcess;
  stderr: string;
  ready: Promise<void>;
}

function spawnWorker(heapMb: number): PoolWorker {
  const proc = fork(WORKER, [], {
    cwd: packageRoot,
    execArgv: [`--max-old-space-size=${heapMb}`, '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const w: PoolWorker = { proc, stderr: '', ready: Promise.resolve() };
  proc.stderr?.on('data', (d: Buffer) => {
    w.stderr = (w.stderr + d.toString()).slice(-8192);
  });
  w.ready = new Promise((resolve, reject) => {
    const onMsg = (m: unknown): void => {
      if (m && typeof m === 'object' && 'ready' in m) {
        proc.off('message', onMsg);
        resolve();
      }
    };
    proc.on('message', onMsg);
    proc.once('exit', (code, sig) => reject(new Error(`fuzz worker exited at start (${code ?? sig}): ${w.stderr.slice(-2000)}`)));
  });
  w.ready.catch(() => undefined);
  return w;
}

type CaseResult = { kind: 'reply'; out: FuzzOutcome } | { kind: 'hang' } | { kind: 'exit'; code: number | null; signal: string | null };

function runCase(w: PoolWorker, c: FuzzCase, timeoutMs: number): Promise<CaseResult> {
  return new Promise((resolve) => {
    const done = (r: CaseResult): void => {
      clearTimeout(timer);
      w.proc.off('message', onMsg);
      w.proc.off('exit', onExit);
      resolve(r);
    };
    const onMsg = (m: unknown): void => {
      const out = m as FuzzOutcome;
      if (out && out.id === c.id) done({ kind: 'reply', out });
    };
    const onExit = (code: number | null, signal: string | null): void => done({ kind: 'exit', code, signal });
    const timer = setTimeout(() => done({ kind: 'hang' }), timeoutMs);
    w.proc.on('message', onMsg);
    w.proc.on('exit', onExit);
    w.proc.send(c);
  });
}

async function stopWorker(w: PoolWorker): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  const gone = new Promise<void>((r) => w.proc.once('exit', () => r()));
  w.proc.kill('SIGKILL');
  await gone;
}

function saveFinding(dir: string, format: string, kind: Finding['kind'], data: Buffer, details: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(data).digest('hex').slice(0, 16);
  const file = path.join(dir, `${format}-${hash}.bin`);
  fs.writeFileSync(file, data);
  fs.writeFileSync(`${file.slice(0, -4)}.json`, JSON.stringify({ format, kind, ...details }, null, 2) + '\n');
  return file;
}

async function fuzzGroup(group: SeedGroup, all: SeedGroup[], opts: FuzzOptions, work: string, findings: Finding[]): Promise<FormatStats> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const heapMb = opts.heapMb ?? 256;
  const stats: FormatStats = { format: group.format, seeds: group.seeds.length, cases: 0, ok: 0, errors: 0, throws: 0, crashes: 0, hangs: 0, maxRssKiB: 0, slowestMs: 0, totalMs: 0 };
  const others = all.flatMap((g) => g.seeds);
  let next = 0;
  const t0 = performance.now();
  let lastLog = 0;
  const slot = async (k: number): Promise<void> => {
    let w = spawnWorker(heapMb);
    await w.ready;
    const file = path.join(work, `case-${k}.bin`);
    try {
      while (next < opts.perFormat) {
        const index = next++;
        const cseed = caseSeed(opts.seed, group.format, index);
        const rng = new Rng(cseed);
        const seed = rng.pick(group.seeds);
        const { data, ops } = mutate(seed.data, rng, rng.pick(others).data);
        fs.writeFileSync(file, data);
        const res = await runCase(w, { id: index, file, limits: FUZZ_LIMITS }, timeoutMs);
        stats.cases++;
        const details = { seed: seed.name, runSeed: opts.seed, caseIndex: index, caseSeed: cseed, ops };
        if (res.kind === 'reply') {
          const o = res.out;
          stats.maxRssKiB = Math.max(stats.maxRssKiB, o.maxRss);
          stats.slowestMs = Math.max(stats.slowestMs, o.ms);
          if (o.outcome === 'ok') stats.ok++;
          else if (o.outcome === 'errors') stats.errors++;
          else {
            stats.throws++;
            const f = saveFinding(opts.findingsDir, group.format, 'throw', data, { ...details, message: o.message, stack: o.stack });
            findings.push({ format: group.format, kind: 'throw', file: f, message: o.message ?? '' });
          }
        } else {
          const hang = res.kind === 'hang';
          if (hang) await stopWorker(w);
          const oom = !hang && /heap out of memory|Reached heap limit|Allocation failed/.test(w.stderr);
          const kind: Finding['kind'] = hang ? 'hang' : oom ? 'oom' : 'crash';
          if (hang) stats.hangs++;
          else stats.crashes++;
          const message = hang
            ? `no answer within ${timeoutMs} ms`
            : `worker died (exit ${res.kind === 'exit' ? (res.code ?? res.signal) : '?'}): ${w.stderr.trim().split('\n').slice(-6).join(' | ')}`;
          const f = saveFinding(opts.findingsDir, group.format, kind, data, { ...details, message, stderr: w.stderr.slice(-4000) });
          findings.push({ format: group.format, kind, file: f, message });
          w = spawnWorker(heapMb);
          await w.ready;
        }
        const now = performance.now();
        if (opts.log && now - lastLog > 30_000) {
          lastLog = now;
          opts.log(`  ${group.format}: ${stats.cases}/${opts.perFormat} cases, ${Math.round((now - t0) / 1000)} s`);
        }
      }
    } finally {
      await stopWorker(w);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.workers ?? 2) }, (_, k) => slot(k)));
  stats.totalMs = performance.now() - t0;
  return stats;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-fuzz-'));
  try {
    const { groups, skipped } = buildSeeds(opts, work);
    const findings: Finding[] = [];
    const stats: FormatStats[] = [];
    for (const g of groups) {
      opts.log?.(`fuzzing ${g.format} (${g.seeds.length} seed${g.seeds.length > 1 ? 's' : ''}, ${opts.perFormat} cases)`);
      const st = await fuzzGroup(g, groups, opts, work, findings);
      stats.push(st);
      opts.log?.(`done ${g.format}: ${st.cases} cases, ${st.ok} ok, ${st.errors} errors reported, ${st.throws} throws, ${st.crashes} crashes, ${st.hangs} hangs, max RSS ${(st.maxRssKiB / 1024).toFixed(0)} MiB, slowest ${st.slowestMs.toFixed(0)} ms, ${(st.totalMs / 1000).toFixed(0)} s`);
    }
    return { stats, findings, skipped };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export function formatSummary(s: FuzzSummary): string {
  const head = ['format', 'seeds', 'cases', 'ok', 'errors reported', 'throws', 'crashes', 'hangs', 'max RSS MiB', 'slowest ms', 'cases/s'];
  const rows = s.stats.map((t) => [
    t.format,
    String(t.seeds),
    String(t.cases),
    String(t.ok),
    String(t.errors),
    String(t.throws),
    String(t.crashes),
    String(t.hangs),
    (t.maxRssKiB / 1024).toFixed(0),
    t.slowestMs.toFixed(0),
    (t.cases / (t.totalMs / 1000)).toFixed(0),
  ]);
  const total = s.stats.reduce(
    (a, t) => ({ cases: a.cases + t.cases, ok: a.ok + t.ok, errors: a.errors + t.errors, throws: a.throws + t.throws, crashes: a.crashes + t.crashes, hangs: a.hangs + t.hangs }),
    { cases: 0, ok: 0, errors: 0, throws: 0, crashes: 0, hangs: 0 },
  );
  rows.push(['TOTAL', '', String(total.cases), String(total.ok), String(total.errors), String(total.throws), String(total.crashes), String(total.hangs), '', '', '']);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
  for (const k of s.skipped) lines.push(`not fuzzed: ${k.format}: ${k.reason}`);
  for (const f of s.findings) lines.push(`FINDING ${f.kind} ${f.format}: ${f.file}: ${f.message.slice(0, 300)}`);
  return lines.join('\n');
}

function parseArgs(argv: string[]): FuzzOptions {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, def: number): number => {
    const v = get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} wants a number, got ${v}`);
    return n;
  };
  const formats = get('formats');
  const corpus = process.env.FIRMWARDEN_CORPUS;
  return {
    perFormat: num('per-format', 1000),
    seed: num('seed', 1),
    timeoutMs: num('timeout', 10_000),
    workers: num('workers', 2),
    heapMb: num('heap', 256),
    findingsDir: path.resolve(get('findings') ?? path.join(here, 'findings')),
    ...(formats ? { formats: formats.split(',') } : {}),
    ...(corpus ? { corpusDir: path.resolve(corpus) } : {}),
    log: (l) => process.stderr.write(`${l}\n`),
  };
}

/** Runs one saved case (a finding's .bin) through a worker as the fuzzer did: the outcome, or hang/crash. */
export async function replay(file: string, timeoutMs = 10_000, heapMb = 256): Promise<string> {
  const w = spawnWorker(heapMb);
  await w.ready;
  try {
    const res = await runCase(w, { id: 0, file: path.resolve(file), limits: FUZZ_LIMITS }, timeoutMs);
    if (res.kind === 'reply') return JSON.stringify(res.out, null, 2);
    if (res.kind === 'hang') return `HANG: no answer within ${timeoutMs} ms`;
    return `CRASH: exit ${res.code ?? res.signal}\n${w.stderr}`;
  } finally {
    await stopWorker(w);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = process.argv.indexOf('--replay');
  if (r >= 0) {
    const t = process.argv.indexOf('--timeout');
    replay(process.argv[r + 1]!, t >= 0 ? Number(process.argv[t + 1]) : 10_000).then((out) => process.stdout.write(`${out}\n`));
  } else main();
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const started = new Date();
  runFuzz(opts).then(
    (s) => {
      process.stdout.write(`fuzz run of ${started.toISOString()}, seed ${opts.seed}, ${opts.perFormat} cases per format, limit ${opts.timeoutMs} ms, heap ${opts.heapMb} MiB\n`);
      process.stdout.write(formatSummary(s) + '\n');
      process.exitCode = s.findings.length ? 1 : 0;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
