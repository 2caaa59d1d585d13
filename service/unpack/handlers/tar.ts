// tar: POSIX ustar and pax, GNU (longname/longlink, base-256 numbers). Every header's checksum is checked;
// the archive ends at the two zero blocks (plus the zero blocks that pad it to tar's 10 KiB record, which
// are part of what tar wrote). File contents stay subranges of the source until read.
import { ErrorCodes, type ErrorCode } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Handler } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';

const BLOCK = 512;
const RECORD = 20 * BLOCK;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
/** pax and GNU long-name headers larger than this are not names but an attack on memory. */
const MAX_META_SIZE = 1 << 20;

interface RawEntry {
  type: string;
  name: string;
  linkname: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  devmajor: number;
  devminor: number;
  dataStart: number;
  /** Local pax records ("x" header) that apply to this entry. */
  pax: Map<string, string>;
}

interface WalkEnd {
  end: number;
  truncated: boolean;
  /** The archive stopped at something that is not a header, without the end-of-archive blocks. */
  missingEnd: boolean;
  entries: number;
}

/** tar numbers: octal text, or GNU base-256 when the high bit of the first byte is set. NaN when invalid. */
function parseNumber(b: Buffer): number {
  if (((b[0] as number) & 0x80) !== 0) {
    if (b[0] === 0xff) return Number.NaN;
    let v = (b[0] as number) & 0x7f;
    for (let i = 1; i < b.length; i++) v = v * 256 + (b[i] as number);
    return Number.isSafeInteger(v) ? v : Number.NaN;
  }
  const nul = b.indexOf(0);
  const s = b.toString('latin1', 0, nul < 0 ? b.length : nul).trim();
  if (s === '') return 0;
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : Number.NaN;
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul < 0 ? b.length : nul);
}

function checksumOk(h: Buffer): boolean {
  const stored = parseNumber(h.subarray(148, 156));
  if (Number.isNaN(stored)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (h[i] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some old tars summed signed chars; both are accepted, as GNU tar does.
  return stored === unsigned || stored === signed;
}

/** "len key=value\n" records of a pax extended header. */
export function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = Number(data.toString('latin1', pos, sp));
    if (!Number.isSafeInteger(len) || len <= sp - pos || pos + len > data.length) break;
    const rec = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    pos += len;
  }
  return out;
}

/** Links, devices, directories and fifos have no data blocks whatever their size field says. */
function hasData(type: string): boolean {
  return type === '' || !'123456'.includes(type);
}

/** Walks the headers from `start`; `visit` sees every entry (including x/g/L/K ones). null: not a tar. */
function walkTar(src: ByteSource, start: number, visit?: (e: RawEntry) => boolean): WalkEnd | null {
  let pos = start;
  let entries = 0;
  let pax = new Map<string, string>();
  for (;;) {
    const h = src.read(pos, BLOCK);
    if (h.length < BLOCK) {
      return entries === 0 ? null : { end: src.size, truncated: h.length > 0, missingEnd: true, entries };
    }
    if (h.equals(ZERO_BLOCK)) {
      if (entries === 0) return null;
      let end = pos + BLOCK;
      if (src.read(end, BLOCK).equals(ZERO_BLOCK)) end += BLOCK;
      while ((end - start) % RECORD !== 0 && src.read(end, BLOCK).equals(ZERO_BLOCK)) end += BLOCK;
      return { end, truncated: false, missingEnd: false, entries };
    }
    if (!checksumOk(h) || h.toString('latin1', 257, 262) !== 'ustar') {
      return entries === 0 ? null : { end: pos, truncated: false, missingEnd: true, entries };
    }
    const type = String.fromCharCode(h[156] as number).replace('\0', '');
    let size = parseNumber(h.subarray(124, 136));
    const paxSize = pax.get('size');
    if (paxSize !== undefined && /^\d+$/.test(paxSize)) size = Number(paxSize);
    if (Number.isNaN(size)) return entries === 0 ? null : { end: pos, truncated: false, missingEnd: true, entries };
    const dataSize = hasData(type) ? size : 0;
    const isPosix = h.toString('latin1', 257, 263) === 'ustar\0';
    const prefix = isPosix ? cString(h.subarray(345, 500)) : '';
    const name = cString(h.subarray(0, 100));
    const entry: RawEntry = {
      type,
      name: prefix ? `${prefix}/${name}` : name,
      linkname: cString(h.subarray(157, 257)),
      mode: parseNumber(h.subarray(100, 108)) || 0,
      uid: parseNumber(h.subarray(108, 116)) || 0,
      gid: parseNumber(h.subarray(116, 124)) || 0,
      size: dataSize,
      mtime: parseNumber(h.subarray(136, 148)) || 0,
      devmajor: parseNumber(h.subarray(329, 337)) || 0,
      devminor: parseNumber(h.subarray(337, 345)) || 0,
      dataStart: pos + BLOCK,
      pax,
    };
    entries++;
    const next = pos + BLOCK + Math.ceil(dataSize / BLOCK) * BLOCK;
    // The pax records of an "x" header are needed here, not only in open(): they may override the size.
    pax = type === 'x' && dataSize <= MAX_META_SIZE ? parsePax(src.read(entry.dataStart, dataSize)) : new Map();
    if (visit && !visit(entry)) return { end: next, truncated: false, missingEnd: false, entries };
    if (next > src.size) return { end: src.size, truncated: true, missingEnd: true, entries };
    pos = next;
  }
}

export const tarHandler: Handler = {
  name: 'tar',
  kind: 'archive',
  magics: [magic('ustar', 257)],

  identify(src, start) {
    const w = walkTar(src, start);
    return w ? { start, end: w.end, meta: { truncated: w.truncated, missingEnd: w.missingEnd, entries: w.entries } } : null;
  },

  async open(src, chunk, ctx) {
    const body = src.subrange(chunk.start, chunk.end);
    const tree = new MemoryTree('tar', (c, m, p) => ctx.problem(c, m, p), ctx.limits.maxFiles);
    let longName: string | undefined;
    let longLink: string | undefined;
    let count = 0;
    walkTar(body, 0, (e) => {
      if (++count % 1024 === 0 && ctx.signal.aborted) return false;
      const meta = (): Buffer => body.read(e.dataStart, Math.min(e.size, MAX_META_SIZE));
      if (e.type === 'L') longName = cString(meta());
      else if (e.type === 'K') longLink = cString(meta());
      else if (e.type === 'x' || e.type === 'g' || e.type === 'V') {
        // x is applied by walkTar to the next entry; g (global defaults) and volume labels carry no entry.
      } else {
        const name = longName ?? e.pax.get('path') ?? e.name;
        const link = longLink ?? e.pax.get('linkpath') ?? e.linkname;
        longName = longLink = undefined;
        addEntry(tree, body, e, name, link, ctx.problem);
      }
      return true;
    });
    if (chunk.meta['truncated'] === true) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, 'tar archive cut short');
    else if (chunk.meta['missingEnd'] === true) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, 'tar archive has no end-of-archive blocks');
    return { kind: 'tree', tree };
  },
};

function addEntry(
  tree: MemoryTree,
  body: ByteSource,
  e: RawEntry,
  name: string,
  link: string,
  problem: (code: ErrorCode, message: string, path?: string) => void,
): void {
  const paxNum = (k: string, fallback: number): number => {
    const v = Number(e.pax.get(k));
    return Number.isFinite(v) ? Math.floor(v) : fallback;
  };
  const base = { path: name, mode: e.mode, uid: paxNum('uid', e.uid), gid: paxNum('gid', e.gid), mtime: paxNum('mtime', e.mtime) };
  switch (e.type) {
    case '1':
      tree.addHardLink(name, link, base);
      return;
    case '2':
      tree.add({ ...base, type: 'symlink', linkTarget: link });
      return;
    case '3':
    case '4':
      tree.add({ ...base, type: e.type === '3' ? 'chardev' : 'blockdev', rdev: { major: e.devmajor, minor: e.devminor } });
      return;
    case '5':
      tree.add({ ...base, type: 'dir' });
      return;
    case '6':
      tree.add({ ...base, type: 'fifo' });
      return;
    case 'S':
    case 'M':
    case 'N':
      problem(ErrorCodes.UNPACK_UNSUPPORTED, `GNU tar entry type ${e.type} is not supported; skipped`, name);
      return;
    default: {
      // '0', '' and '7' are files; POSIX says to treat unknown types as files too. Old tars mark dirs with "/".
      if (name.endsWith('/') && e.size === 0) {
        tree.add({ ...base, type: 'dir' });
        return;
      }
      const available = Math.max(0, Math.min(e.size, body.size - e.dataStart));
      if (available < e.size) problem(ErrorCodes.UNPACK_TRUNCATED, `file cut short: ${available} of ${e.size} bytes`, name);
      const start = e.dataStart;
      tree.add({ ...base, type: 'file', size: available, source: () => body.subrange(start, start + available) });
    }
  }
}
