// Makes docs/unpack-corpus.md: for each real sample of the shared corpus (../shared/corpus/firmware, see its
// SOURCES.md), what our unpacker opens (the chain of formats, files, errors) next to what `binwalk -e` 2.3
// extracts from the same file, measured in the same run.
//   FIRMWARDEN_CORPUS=/path/to/corpus node --import tsx test/corpus/make-corpus-table.ts [--out docs/unpack-corpus.md] [--no-binwalk]
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unpackImage, DEFAULT_UNPACK_LIMITS } from '../../service/unpack/unpack-image.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(here, '..', '..');

export function corpusRoot(): string {
  return path.resolve(process.env.FIRMWARDEN_CORPUS ?? path.resolve(packageRoot, '..', 'shared', 'corpus'));
}

/** Every sample file under corpus/firmware (SOURCES.md and other notes left out), sorted. */
export function listSamples(root = corpusRoot()): string[] {
  const base = path.join(root, 'firmware');
  if (!fs.existsSync(base)) return [];
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) visit(p);
      else if (st.isFile() && !name.endsWith('.md')) out.push(path.relative(base, p));
    }
  };
  visit(base);
  return out;
}

export interface OurResult {
  /** The image's own chain ("format@0xoffset", nesting shown by ">"), then containers found in files. */
  chain: string[];
  /** Containers found inside files of extracted trees. */
  nestedContainers: number;
  filesystems: Array<{ format: string; chain: string; files: number; entries: number }>;
  regularFiles: number;
  errors: number;
  errorCodes: string[];
  ms: number;
}

/** What our unpacker makes of one sample (in process, default limits, every file read). */
export async function unpackSample(file: string): Promise<OurResult> {
  const t0 = performance.now();
  const r = await unpackImage({ imagePath: file, limits: DEFAULT_UNPACK_LIMITS });
  try {
    const filesystems: OurResult['filesystems'] = [];
    let regularFiles = 0;
    let readErrors = 0;
    const codes = new Set(r.summary.errors.map((e) => e.code));
    for (const v of r.filesystems) {
      let files = 0;
      let entries = 0;
      for (const n of v.walk()) {
        entries++;
        if (n.type !== 'file') continue;
        files++;
        try {
          await v.read(n.path);
        } catch (err) {
          readErrors++;
          codes.add((err as { code?: string }).code ?? 'throw');
        }
      }
      regularFiles += files;
      filesystems.push({ format: v.format, chain: v.chain.map((l) => `${l.path ? `${l.path}:` : ''}${l.format}`).join(' > '), files, entries });
    }
    const own = r.summary.chain.filter((c) => c.path === undefined);
    return {
      chain: own.map((c) => `${'>'.repeat(c.depth - 1)}${c.format}@0x${c.offset.toString(16)}`),
      nestedContainers: r.summary.chain.length - own.length,
      filesystems,
      regularFiles,
      errors: r.summary.errors.length + readErrors,
      errorCodes: [...codes].sort(),
      ms: performance.now() - t0,
    };
  } finally {
    r.close();
  }
}

export interface BinwalkResult {
  files: number;
  /** Directories binwalk's extractors made a tree in (squashfs-root, cpio-root, jffs2-root ...), with their file counts. */
  roots: string[];
  ms: number;
  note?: string;
}

export function binwalkVersion(): string | undefined {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'binwalk'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** `binwalk -e --run-as=root` into a temp dir: the regular files it leaves there. */
export function binwalkSample(file: string, timeoutMs = 600_000): BinwalkResult {
  const out = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'fw-corpus-bw-'));
  try {
    const t0 = performance.now();
    const r = spawnSync('binwalk', ['-e', '-q', '--run-as=root', '-C', out, file], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
    const ms = performance.now() - t0;
    let files = 0;
    const roots: string[] = [];
    const visit = (dir: string): number => {
      let n = 0;
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          const inside = visit(p);
          n += inside;
          if (/-root(-\d+)?$/.test(e.name)) roots.push(`${e.name} (${inside})`);
        } else if (e.isFile()) {
          files++;
          n++;
        }
      }
      return n;
    };
    visit(out);
    const res: BinwalkResult = { files, roots: roots.sort(), ms };
    if (r.error) res.note = String(r.error.message);
    else if (r.status !== 0) res.note = `exit ${r.status}`;
    return res;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export async function makeTable(opts: { binwalk: boolean }): Promise<string> {
  const root = corpusRoot();
  const samples = listSamples(root);
  const rows: string[] = [];
  const bwVersion = binwalkVersion();
  for (const rel of samples) {
    const file = path.join(root, 'firmware', rel);
    process.stderr.write(`  ${rel} ...\n`);
    const ours = await unpackSample(file);
    const bw = opts.binwalk && bwVersion ? binwalkSample(file) : undefined;
    const size = fs.statSync(file).size;
    const trees = ours.filesystems.map((f) => `${f.format} (${f.files})`).join(', ');
    rows.push(
      `| ${[
        cell(rel),
        size.toLocaleString('en-US'),
        cell(ours.chain.join(' ') || '—'),
        String(ours.nestedContainers),
        cell(trees || '—'),
        String(ours.regularFiles),
        ours.errors ? `${ours.errors} (${ours.errorCodes.map((c) => c.replace('FW_ERR_', '')).join(', ')})` : '0',
        `${(ours.ms / 1000).toFixed(1)} s`,
        bw ? String(bw.files) : 'not run',
        bw ? cell(bw.roots.join(', ') || '—') : '',
        bw ? `${(bw.ms / 1000).toFixed(1)} s${bw.note ? ` (${bw.note})` : ''}` : '',
      ].join(' | ')} |`,
    );
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: packageRoot, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const head = [
    '# Unpacker vs binwalk on the shared corpus',
    '',
    `Generated ${new Date().toISOString()} by \`node --import tsx test/corpus/make-corpus-table.ts\` (do not edit by hand:`,
    'rerun the script). Samples: every file of `$FIRMWARDEN_CORPUS/firmware` (default `../shared/corpus`; provenance',
    'and what each one is in its SOURCES.md; vendor material, never copied into this repository).',
    `Ours: \`unpackImage\` with the default limits at commit ${commit} (plus uncommitted work in the tree), every file of`,
    'every extracted tree read in full. Peer: `binwalk -e -q --run-as=root -C <tmp>`' +
      (bwVersion ? ` (Debian binwalk ${bwVersion}, which reports itself as v2.3.3), with its Debian extractors installed (squashfs-tools, mtd-utils, sleuthkit, p7zip-full, cramfsswap ...; no sasquatch, no jefferson, no ubi_reader).` : ' (not installed: column empty).'),
    `Machine: ${os.cpus().length} CPUs, Node ${process.version}; times are wall clock on a shared machine (load at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}).`,
    '',
    'Columns: *chain* = the containers found in the image itself (`>` = nested in the previous one, `@` = offset);',
    '*nested* = containers found inside files of the extracted trees (e.g. `.gz` files); *trees* = filesystems/archives',
    'extracted, with their regular files; *errors* = entries of the report\'s `extraction.errors` (codes without the',
    '`FW_ERR_` prefix); *binwalk files* = regular files binwalk leaves in its output directory (carved chunks included);',
    '*binwalk trees* = the `*-root` directories its extractors made, with the regular files in each (0: the extractor',
    'failed, e.g. stock unsquashfs on vendor LZMA squashfs).',
    '',
    '| sample | bytes | chain (ours) | nested | trees (files) | files | errors | ours | binwalk files | binwalk trees | binwalk |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  return [...head, ...rows, ''].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = path.resolve(i >= 0 ? process.argv[i + 1]! : path.join(packageRoot, 'docs', 'unpack-corpus.md'));
  if (listSamples().length === 0) {
    process.stderr.write(`no corpus at ${corpusRoot()} (set FIRMWARDEN_CORPUS)\n`);
    process.exit(2);
  }
  makeTable({ binwalk: !process.argv.includes('--no-binwalk') }).then(
    (md) => {
      fs.writeFileSync(out, md);
      process.stderr.write(`wrote ${out}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
