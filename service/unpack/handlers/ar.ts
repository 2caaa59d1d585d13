// Unix ar archives ("!<arch>\n"): .a libraries, Debian .deb packages and old-style OpenWrt .ipk packages.
// Each member has a 60-byte text header (name, decimal mtime/uid/gid, octal mode, decimal size, "`\n") and
// its data padded to an even offset. Long names: GNU keeps them in a "//" member and names a member "/123"
// (offset into it); BSD puts "#1/<len>" in the header and the name before the data. Symbol tables ("/",
// "/SYM64/", "__.SYMDEF") are index data, not members, and are left out. The archive has no end marker:
// it ends after the last member whose header is valid. A .deb's data.tar.* and control.tar.* are members
// that start with their own container, so the engine opens them in turn.
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Chunk, type Handler, type OpenContext, type OpenResult } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';

const GLOBAL = '!<arch>\n';
const HEADER = 60;
const MAX_LONG_TABLE = 16 << 20;
const MAX_BSD_NAME = 4096;

interface Member {
  rawName: string;
  mtime: number;
  uid: number;
  gid: number;
  mode: number;
  /** Offset of the data (after a BSD name) and its size, both inside the archive's source. */
  dataAt: number;
  size: number;
  /** Where the next header starts. */
  next: number;
  truncated: boolean;
}

function field(h: Buffer, at: number, len: number, radix: 8 | 10): number | null {
  const s = h.toString('latin1', at, at + len).trimEnd();
  if (s === '') return 0;
  if (!(radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/).test(s)) return null;
  const n = parseInt(s, radix);
  return Number.isSafeInteger(n) ? n : null;
}

/** The member whose header is at `pos`, or null when the bytes there are no ar header. */
function readMember(src: ByteSource, pos: number): Member | null {
  const h = src.read(pos, HEADER);
  if (h.length < HEADER || h[58] !== 0x60 || h[59] !== 0x0a) return null;
  const mtime = field(h, 16, 12, 10);
  const uid = field(h, 28, 6, 10);
  const gid = field(h, 34, 6, 10);
  const mode = field(h, 40, 8, 8);
  const size = field(h, 48, 10, 10);
  if (mtime === null || uid === null || gid === null || mode === null || size === null) return null;
  const rawName = h.toString('latin1', 0, 16).trimEnd();
  if (rawName === '') return null;
  const dataAt = pos + HEADER;
  const next = dataAt + size + (size & 1);
  return { rawName, mtime, uid, gid, mode, dataAt, size, next, truncated: dataAt + size > src.size };
}

function isSymbolTable(name: string): boolean {
  return name === '/' || name === '/SYM64/' || name.startsWith('__.SYMDEF');
}

export const arHandler: Handler = {
  name: 'ar',
  kind: 'archive',
  magics: [magic(GLOBAL)],

  identify(src, start) {
    if (src.read(start, 8).toString('latin1') !== GLOBAL) return null;
    let pos = start + 8;
    let members = 0;
    let truncated = false;
    for (;;) {
      const m = readMember(src, pos);
      if (!m) break;
      members++;
      if (m.truncated) {
        truncated = true;
        pos = src.size;
        break;
      }
      // The pad byte after an odd-sized last member may be missing at the very end of a file.
      pos = Math.min(m.next, src.size);
    }
    // The global header alone (or followed by something else) holds nothing worth a chunk.
    if (members === 0) return null;
    return { start, end: pos, meta: { members, truncated } };
  },

  async open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
    const body = src.subrange(chunk.start, chunk.end);
    const tree = new MemoryTree('ar', (code, message, path) => ctx.problem(code, message, path), ctx.limits.maxFiles);
    let longNames: Buffer | undefined;
    let count = 0;
    for (let pos = 8; pos < body.size; ) {
      if ((++count & 0xfff) === 0) ctx.signal.throwIfAborted();
      const m = readMember(body, pos);
      if (!m) break;
      pos = m.next;
      let name = m.rawName;
      let dataAt = m.dataAt;
      let size = m.size;
      if (name === '//') {
        longNames = size <= MAX_LONG_TABLE ? body.read(dataAt, size) : undefined;
        if (!longNames) ctx.problem(ErrorCodes.UNPACK_LIMIT, `GNU long-name table of ${size} bytes is too large; long names are lost`);
        continue;
      }
      if (isSymbolTable(name)) continue;
      if (/^#1\/\d+$/.test(name)) {
        const len = Number(name.slice(3));
        if (len > MAX_BSD_NAME || len > size) {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `BSD long name of ${len} bytes in a member of ${size}; member skipped`);
          continue;
        }
        name = body.read(dataAt, len).toString('utf8').replace(/\0+$/, '');
        dataAt += len;
        size -= len;
        // Darwin's ranlib names its symbol table this way too ("#1/20" + "__.SYMDEF SORTED").
        if (isSymbolTable(name)) continue;
      } else if (/^\/\d+$/.test(name)) {
        const off = Number(name.slice(1));
        if (!longNames || off >= longNames.length) {
          ctx.problem(ErrorCodes.UNPACK_MALFORMED, `member "${name}" names a long name the archive does not hold`);
          name = `longname-${off}`;
        } else {
          let end = longNames.indexOf(0x0a, off);
          if (end < 0) end = longNames.length;
          name = longNames.toString('utf8', off, end).replace(/\/$/, '');
        }
      } else if (name.endsWith('/')) {
        name = name.slice(0, -1);
      }
      if (m.truncated) {
        ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `member "${name}" declares ${size} bytes; the archive ends first`, name);
        size = Math.max(0, body.size - dataAt);
      }
      const data = body.subrange(dataAt, dataAt + size);
      tree.add({ path: name, type: 'file', mode: m.mode & 0o7777, uid: m.uid, gid: m.gid, mtime: m.mtime, size: data.size, source: () => data });
    }
    return { kind: 'tree', tree };
  },
};
