// Binary classification for the SBOM analyzer: which component versions the files of a filesystem carry,
// from their bytes (syft-style classifier rows, classifiers/) and from their paths (uClibc, /lib/modules/x/).
// Every selected file is read once and scanned once by one automaton over the anchors of all rows; a row's
// regex runs only in a small window around a hit of its anchor (multi-pattern.ts says why).
import type { FileSystemView, VfsNode } from '../../unpack/vfs.js';
import { CLASSIFIER_ROWS, FILE_NAME_ROWS } from './classifiers/index.js';
import type { ClassifierRow, FileNameRow } from './classifiers/types.js';
import type { Detection } from './detection.js';
import { MultiPatternMatcher } from './multi-pattern.js';

/** Files above this are not read: no executable or kernel image is that large, a disk image is. */
const MAX_FILE_BYTES = 256 << 20;
/** Reads in flight; a view may decompress (squashfs) or do real I/O (a directory). */
const READ_CONCURRENCY = 4;
/** Evidence kept per (row, version): 150 coreutils binaries saying "9.1" add nothing after the first few. */
const DEFAULT_MAX_PER_VERSION = 8;
const MAX_MATCH_TEXT = 200;
const DEFAULT_BEFORE = 64;
const DEFAULT_AFTER = 160;

/** Directories whose files are executables or libraries even when their mode bits were lost. */
const CODE_DIR = /\/(?:s?bin|lib|lib32|lib64|libexec|modules)\//;
const SHARED_OBJECT = /\.so(?:\.[\w.]+)?$|\.ko$/;
/** Text and data that code directories also hold (Python and Perl modules, headers, locales, web assets). */
const NOT_CODE = /\.(?:py|pyc|pm|pl|pod|rb|h|hpp|txt|md|conf|cfg|ini|json|xml|html?|js|css|png|jpe?g|gif|svg|ico|mo|po|gz|xz|bz2|zst|la|a|pc|cmake|mib|csv)$/i;

interface CompiledRow {
  row: ClassifierRow;
  /** Anchor index of linkedLibrary.soname; hits are dropped in files where it occurs (unless ownFiles). */
  linkedMarker: number;
  ownFiles: RegExp[];
  anyPath: boolean;
  globs: RegExp[];
  pattern: RegExp;
  before: number;
  after: number;
  anchorLength: number;
  maxPerVersion: number;
}

/** One sighting before the per-version caps: the file it came from orders it. */
interface Hit {
  rowId: string;
  detection: Detection;
  maxPerVersion: number;
}

/** A "**" / "*" / "?" / "{a,b}" glob over absolute paths, as a RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

class ClassifierSet {
  readonly rows: CompiledRow[];
  readonly matcher: MultiPatternMatcher;
  /** Row indexes per anchor (several rows may share one: libssh and libssh2). */
  readonly rowsByAnchor: number[][];
  /** Paths worth reading although neither executable nor in a code directory (kernel images, "**\/nginx*"). */
  private readonly readGlobs: RegExp[];
  /** Paths whose non-ELF contents some row reads (raw kernel and bootloader images). */
  private readonly rawGlobs: RegExp[];

  constructor(rows: readonly ClassifierRow[]) {
    const anchors = new Map<string, number>();
    this.rowsByAnchor = [];
    const anchorIndex = (literal: string): number => {
      let a = anchors.get(literal);
      if (a === undefined) {
        a = anchors.size;
        anchors.set(literal, a);
        this.rowsByAnchor.push([]);
      }
      return a;
    };
    this.rows = rows.map((row, index) => {
      this.rowsByAnchor[anchorIndex(row.anchor)]!.push(index);
      const linkedMarker = row.linkedLibrary ? anchorIndex(row.linkedLibrary.soname) : -1;
      const anyPath = row.fileGlobs.includes('**');
      const flags = row.pattern.flags.includes('g') ? row.pattern.flags : `${row.pattern.flags}g`;
      return {
        row,
        linkedMarker,
        ownFiles: (row.linkedLibrary?.ownFiles ?? []).map(globToRegExp),
        anyPath,
        globs: row.fileGlobs.filter((g) => g !== '**').map(globToRegExp),
        pattern: new RegExp(row.pattern.source, flags),
        before: row.before ?? DEFAULT_BEFORE,
        after: row.after ?? DEFAULT_AFTER,
        anchorLength: Buffer.byteLength(row.anchor, 'latin1'),
        maxPerVersion: row.maxPerVersion ?? DEFAULT_MAX_PER_VERSION,
      };
    });
    this.matcher = new MultiPatternMatcher([...anchors.keys()].map((a) => Buffer.from(a, 'latin1')));
    this.readGlobs = dedupe(this.rows.flatMap((r) => r.globs));
    this.rawGlobs = dedupe(this.rows.filter((r) => r.row.rawImages).flatMap((r) => r.globs));
  }

  wantsRead(node: VfsNode): boolean {
    if (node.size <= 0 || node.size > MAX_FILE_BYTES) return false;
    if ((node.mode & 0o111) !== 0 || SHARED_OBJECT.test(node.path)) return true;
    if (CODE_DIR.test(node.path) && !NOT_CODE.test(node.path)) return true;
    return this.readGlobs.some((g) => g.test(node.path));
  }

  isRawCandidate(path: string): boolean {
    return this.rawGlobs.some((g) => g.test(path));
  }

  /** Every row's sightings in one file's bytes, one per (row, version). */
  classify(path: string, buf: Uint8Array): Hit[] {
    const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const elf = bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
    if (!elf && !this.isRawCandidate(path)) return [];
    const applies = new Int8Array(this.rows.length);
    const hits: Array<Hit & { row: number }> = [];
    const seen = new Set<string>();
    const anchorsSeen = new Uint8Array(this.rowsByAnchor.length);
    const onHit = (anchor: number, start: number): void => {
      anchorsSeen[anchor] = 1;
      for (const ri of this.rowsByAnchor[anchor]!) {
        let ok = applies[ri]!;
        const c = this.rows[ri]!;
        if (ok === 0) {
          const pathOk = c.anyPath || c.globs.some((g) => g.test(path));
          ok = pathOk && (elf || c.row.rawImages === true) ? 1 : -1;
          applies[ri] = ok;
        }
        if (ok < 0) continue;
        const d = extract(c, bytes, start, path);
        if (!d) continue;
        const key = `${c.row.id}\0${d.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        hits.push({ row: ri, rowId: c.row.id, detection: d, maxPerVersion: c.maxPerVersion });
      }
    };
    for (const [from, to] of elf ? dataRanges(bytes) : [[0, bytes.length] as const]) this.matcher.scan(bytes, onHit, from, to);
    return hits.filter((h) => {
      const c = this.rows[h.row]!;
      return c.linkedMarker < 0 || anchorsSeen[c.linkedMarker] === 0 || c.ownFiles.some((g) => g.test(path));
    });
  }
}

const SHF_EXECINSTR = 0x4;
const SHT_NOBITS = 8;

/**
 * The parts of an ELF file worth scanning: everything but its code sections (.text, .plt, .init ...), which
 * hold no strings and are half of a typical binary. A file whose section table is missing or damaged is
 * scanned whole.
 */
export function dataRanges(b: Buffer): Array<readonly [number, number]> {
  const whole = [[0, b.length] as const];
  if (b.length < 52) return whole;
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  const u16 = (o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const word = (o: number): number => (is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : u32(o));
  if (is64 && b.length < 64) return whole;
  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  if (u32(0x14) !== 1 || shnum === 0 || shentsize !== (is64 ? 64 : 40) || shoff + shnum * shentsize > b.length) return whole;
  const code: Array<[number, number]> = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    const type = u32(h + 4);
    const flags = word(h + 8);
    const offset = word(h + (is64 ? 0x18 : 0x10));
    const size = word(h + (is64 ? 0x20 : 0x14));
    if (type === SHT_NOBITS || (flags & SHF_EXECINSTR) === 0 || size === 0) continue;
    if (offset + size > b.length) return whole;
    code.push([offset, offset + size]);
  }
  code.sort((x, y) => x[0] - y[0]);
  const out: Array<readonly [number, number]> = [];
  let at = 0;
  for (const [start, end] of code) {
    if (start > at) out.push([at, start]);
    at = Math.max(at, end);
  }
  if (at < b.length) out.push([at, b.length]);
  return out;
}

function dedupe(res: RegExp[]): RegExp[] {
  const bySource = new Map(res.map((r) => [r.source, r]));
  return [...bySource.values()];
}

/** The row's match around the anchor at `start`, when one covers the anchor. */
function extract(c: CompiledRow, bytes: Buffer, start: number, path: string): Detection | undefined {
  const from = Math.max(0, start - c.before);
  const to = Math.min(bytes.length, start + c.anchorLength + c.after);
  const text = bytes.toString('latin1', from, to);
  const anchorAt = start - from;
  const re = c.pattern;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > anchorAt) break;
    if (m.index + m[0].length < anchorAt + c.anchorLength) {
      re.lastIndex = m.index + 1;
      continue;
    }
    if (c.row.notIf?.some((n) => n.test(text))) return undefined;
    const version = versionOf(c.row, m);
    if (!version) return undefined;
    const lead = /^\x00*/.exec(m[0])![0].length;
    return {
      name: c.row.component,
      version,
      foundBy: c.row.foundBy ?? 'binary-string',
      source: `classifier:${c.row.id}`,
      evidence: { path, match: printable(m[0].slice(lead)), offset: from + m.index + lead },
    };
  }
  return undefined;
}

function versionOf(row: ClassifierRow, m: RegExpExecArray): string | undefined {
  const groups = m.groups ?? {};
  let raw: string | undefined;
  if (row.fromGroups) raw = row.fromGroups(groups);
  else {
    for (const [name, value] of Object.entries(groups)) {
      if (name.startsWith('version') && value !== undefined) {
        raw = value;
        break;
      }
    }
    raw ??= m[1];
  }
  if (!raw) return undefined;
  let v = raw.trim().replace(/^v(?=\d)/, '');
  if (row.normalize) v = row.normalize(v);
  return /^\d/.test(v) ? v : undefined;
}

/**
 * The matched bytes as text: the terminator a pattern ends on dropped, NUL separators shown as "\0", other
 * control bytes as ".", cut to 200 characters.
 */
function printable(s: string): string {
  const out = s
    .replace(/[\x00-\x1f]+$/, '')
    .replace(/\x00+/g, '\\0')
    .replace(/[\x01-\x1f\x7f-\xff]/g, '.');
  return out.length > MAX_MATCH_TEXT ? out.slice(0, MAX_MATCH_TEXT) : out;
}

function fileNameHit(row: FileNameRow, path: string): Hit | undefined {
  const m = row.path.exec(path);
  const raw = m?.groups?.version;
  if (!m || !raw) return undefined;
  const version = row.normalize ? row.normalize(raw) : raw;
  if (row.accept && !row.accept(version)) return undefined;
  return {
    rowId: row.id,
    maxPerVersion: row.maxPerVersion ?? DEFAULT_MAX_PER_VERSION,
    detection: {
      name: row.component,
      version,
      foundBy: row.foundBy ?? 'file-name',
      source: `classifier:${row.id}`,
      evidence: { path, match: m[0].slice(0, MAX_MATCH_TEXT) },
    },
  };
}

let defaultSet: ClassifierSet | undefined;

/** The compiled default tables (built on first use, then shared). */
function classifiers(): ClassifierSet {
  defaultSet ??= new ClassifierSet(CLASSIFIER_ROWS);
  return defaultSet;
}

/**
 * What the classifier rows find in one file's bytes (tests and bench): every (row, version) once, with the
 * exact matched text and its offset. `path` decides which rows apply, as in a scan.
 */
export function classifyBytes(path: string, bytes: Uint8Array): Detection[] {
  return classifiers().classify(path, bytes).map((h) => h.detection);
}

/**
 * Component versions in the given regular files of `fs`: reads the executables, libraries, modules and
 * kernel/bootloader images among them (never the rest), once each, and returns one detection per (row,
 * version, file), at most a few files per (row, version).
 */
export async function scanBinaries(fs: FileSystemView, nodes: readonly VfsNode[], ctx: { signal: AbortSignal }): Promise<Detection[]> {
  const set = classifiers();
  const perNode: Hit[][] = nodes.map(() => []);
  const toRead: number[] = [];
  nodes.forEach((node, i) => {
    if (node.type !== 'file') return;
    for (const row of FILE_NAME_ROWS) {
      const hit = fileNameHit(row, node.path);
      if (hit) perNode[i]!.push(hit);
    }
    if (!node.hardLinkOf && set.wantsRead(node)) toRead.push(i);
  });

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < toRead.length) {
      ctx.signal.throwIfAborted();
      const i = toRead[next++]!;
      const node = nodes[i]!;
      let bytes: Buffer;
      try {
        bytes = await fs.read(node.path);
      } catch {
        // A damaged or unsupported entry was reported by the unpacker; it has no version to give.
        ctx.signal.throwIfAborted();
        continue;
      }
      perNode[i]!.push(...set.classify(node.path, bytes));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, toRead.length) }, worker));
  ctx.signal.throwIfAborted();

  // Caps are applied in node order (the view's stable order), so the kept evidence does not depend on timing.
  const kept = new Map<string, number>();
  const out: Detection[] = [];
  for (const hits of perNode) {
    for (const h of hits) {
      const key = `${h.rowId}\0${h.detection.version}`;
      const n = kept.get(key) ?? 0;
      if (n >= h.maxPerVersion) continue;
      kept.set(key, n + 1);
      out.push(h.detection);
    }
  }
  return out;
}
