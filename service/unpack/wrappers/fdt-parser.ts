// Flattened device tree (devicetree specification v0.4, chapter 5): a header, a structure block of tokens
// (BEGIN_NODE name, PROP len nameoff value, END_NODE, NOP, END) and a strings block of property names. Both a
// plain DTB and a FIT image are one. The blob is hostile: every offset is checked against the header's
// sizes, nesting and counts are capped, and values are kept as offsets (a FIT's 20 MiB kernel is a property
// value, never copied while parsing).
import type { ByteSource } from '../byte-source.js';

export const FDT_MAGIC = 0xd00dfeed;
/** The version 17 header; version 16 lacks the last field (size_dt_struct). */
export const FDT_HEADER_SIZE = 40;

const TOKEN_BEGIN_NODE = 1;
const TOKEN_END_NODE = 2;
const TOKEN_PROP = 3;
const TOKEN_NOP = 4;
const TOKEN_END = 9;
const MAX_NAME = 1024;
const MAX_TOTAL_SIZE = 1 << 30;
const WINDOW = 64 << 10;

export interface FdtHeader {
  totalSize: number;
  offStruct: number;
  offStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuid: number;
  sizeStrings: number;
  /** Version 17; for version 16 the structure block is bounded by the strings block or the total size. */
  sizeStruct: number;
}

export interface FdtProp {
  name: string;
  /** Offset of the value from the start of the blob. */
  offset: number;
  length: number;
}

export interface FdtNode {
  name: string;
  path: string;
  props: FdtProp[];
  children: FdtNode[];
}

export interface FdtLimits {
  maxDepth: number;
  maxNodes: number;
  maxProps: number;
}

export const DEFAULT_FDT_LIMITS: FdtLimits = { maxDepth: 64, maxNodes: 100_000, maxProps: 1_000_000 };

export interface FdtParse {
  header: FdtHeader;
  root: FdtNode | undefined;
  nodeCount: number;
  propCount: number;
  /** The blob is longer than the source holds. */
  truncated: boolean;
  /** What stopped or bent the parse (an unknown token, an unclosed node, a limit); empty for a clean blob. */
  problems: string[];
}

/** The header, or null when the bytes cannot be one (magic, versions, and every offset inside totalsize). */
export function parseFdtHeader(h: Buffer): FdtHeader | null {
  if (h.length < 36 || h.readUInt32BE(0) !== FDT_MAGIC) return null;
  const version = h.readUInt32BE(20);
  const lastCompVersion = h.readUInt32BE(24);
  if (version < 16 || version > 31 || lastCompVersion > 17 || lastCompVersion < 2 || lastCompVersion > version) return null;
  const headerSize = version >= 17 ? FDT_HEADER_SIZE : 36;
  if (h.length < headerSize) return null;
  const header: FdtHeader = {
    totalSize: h.readUInt32BE(4),
    offStruct: h.readUInt32BE(8),
    offStrings: h.readUInt32BE(12),
    offMemRsvmap: h.readUInt32BE(16),
    version,
    lastCompVersion,
    bootCpuid: h.readUInt32BE(28),
    sizeStrings: h.readUInt32BE(32),
    sizeStruct: version >= 17 ? h.readUInt32BE(36) : 0,
  };
  const { totalSize, offStruct, offStrings, offMemRsvmap, sizeStrings } = header;
  if (totalSize < headerSize + 16 || totalSize > MAX_TOTAL_SIZE) return null;
  if (offMemRsvmap < headerSize || offMemRsvmap % 8 !== 0 || offMemRsvmap + 16 > totalSize) return null;
  if (offStruct < headerSize || offStruct % 4 !== 0 || offStruct + 16 > totalSize) return null;
  if (offStrings < headerSize || offStrings > totalSize || offStrings + sizeStrings > totalSize) return null;
  if (version >= 17) {
    if (header.sizeStruct < 16 || header.sizeStruct % 4 !== 0 || offStruct + header.sizeStruct > totalSize) return null;
  } else {
    header.sizeStruct = (offStrings > offStruct ? offStrings : totalSize) - offStruct;
  }
  return header;
}

/** Reads the structure block through a small window, so a blob with huge values costs little to walk. */
class Window {
  private buf: Buffer = Buffer.alloc(0);
  private at = 0;

  constructor(
    private readonly src: ByteSource,
    private readonly base: number,
  ) {}

  /** Bytes [pos, pos+len) relative to the blob; short when the source ends. */
  bytes(pos: number, len: number): Buffer {
    if (pos < this.at || pos + len > this.at + this.buf.length) {
      this.at = pos;
      this.buf = this.src.read(this.base + pos, Math.max(WINDOW, len));
    }
    return this.buf.subarray(pos - this.at, pos - this.at + len);
  }

  u32(pos: number): number | undefined {
    const b = this.bytes(pos, 4);
    return b.length === 4 ? b.readUInt32BE(0) : undefined;
  }
}

const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Parses the blob at `start` of `src`: null when its header is not an FDT's, otherwise the tree as far as it
 * could be read (a damaged blob still gives the nodes before the damage, and says why in problems).
 */
export function parseFdt(src: ByteSource, start: number, limits: FdtLimits = DEFAULT_FDT_LIMITS): FdtParse | null {
  const header = parseFdtHeader(src.read(start, FDT_HEADER_SIZE));
  if (!header) return null;
  const available = Math.max(0, src.size - start);
  const result: FdtParse = { header, root: undefined, nodeCount: 0, propCount: 0, truncated: header.totalSize > available, problems: [] };
  const win = new Window(src, start);
  const structEnd = Math.min(header.offStruct + header.sizeStruct, available);
  const names = new Map<number, string | null>();
  const propName = (off: number): string | null => {
    let n = names.get(off);
    if (n !== undefined) return n;
    n = null;
    if (off < header.sizeStrings) {
      const raw = src.read(start + header.offStrings + off, Math.min(MAX_NAME, header.sizeStrings - off));
      const nul = raw.indexOf(0);
      if (nul >= 0) n = raw.toString('latin1', 0, nul);
    }
    names.set(off, n);
    return n;
  };
  const stack: FdtNode[] = [];
  let pos = header.offStruct;
  let ended = false;
  const stop = (message: string): void => {
    result.problems.push(`${message} (structure offset ${pos})`);
  };
  loop: while (pos + 4 <= structEnd) {
    const token = win.u32(pos) as number;
    pos += 4;
    switch (token) {
      case TOKEN_BEGIN_NODE: {
        const raw = win.bytes(pos, Math.min(MAX_NAME, structEnd - pos));
        const nul = raw.indexOf(0);
        if (nul < 0) {
          stop('node name without an end inside the structure block');
          break loop;
        }
        const name = raw.toString('latin1', 0, nul);
        pos = align4(pos + nul + 1);
        if (stack.length === 0 && result.root) {
          stop('a second root node');
          break loop;
        }
        if (stack.length >= limits.maxDepth) {
          stop(`nodes nested deeper than ${limits.maxDepth}`);
          break loop;
        }
        if (result.nodeCount >= limits.maxNodes) {
          stop(`more than ${limits.maxNodes} nodes`);
          break loop;
        }
        const parent = stack[stack.length - 1];
        const node: FdtNode = { name, path: parent ? `${parent.path === '/' ? '' : parent.path}/${name}` : '/', props: [], children: [] };
        if (parent) parent.children.push(node);
        else result.root = node;
        result.nodeCount++;
        stack.push(node);
        break;
      }
      case TOKEN_END_NODE:
        if (stack.length === 0) {
          stop('END_NODE without an open node');
          break loop;
        }
        stack.pop();
        break;
      case TOKEN_PROP: {
        const node = stack[stack.length - 1];
        const len = win.u32(pos);
        const nameOff = win.u32(pos + 4);
        if (len === undefined || nameOff === undefined || pos + 8 > structEnd) {
          stop('property header cut short');
          break loop;
        }
        const valueAt = pos + 8;
        if (!node) {
          stop('property outside any node');
          break loop;
        }
        if (valueAt + len > structEnd) {
          stop(`property value of ${len} bytes runs past the structure block`);
          break loop;
        }
        const name = propName(nameOff);
        if (name === null) {
          stop(`property name offset ${nameOff} outside the strings block`);
          break loop;
        }
        if (result.propCount >= limits.maxProps) {
          stop(`more than ${limits.maxProps} properties`);
          break loop;
        }
        node.props.push({ name, offset: valueAt, length: len });
        result.propCount++;
        pos = align4(valueAt + len);
        break;
      }
      case TOKEN_NOP:
        break;
      case TOKEN_END:
        ended = true;
        break loop;
      default:
        stop(`unknown token 0x${token.toString(16)}`);
        break loop;
    }
  }
  if (!ended && result.problems.length === 0) {
    if (!result.truncated) result.problems.push('structure block ends without an END token');
  }
  if (stack.length > 0 && result.problems.length === 0 && !result.truncated) result.problems.push(`${stack.length} node(s) not closed`);
  if (!result.root && result.problems.length === 0 && !result.truncated) result.problems.push('no root node');
  return result;
}

/** A child node by name. */
export function childNode(node: FdtNode | undefined, name: string): FdtNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function findProp(node: FdtNode | undefined, name: string): FdtProp | undefined {
  return node?.props.find((p) => p.name === name);
}

/** A property value read whole (callers read small properties this way; big ones through a subrange). */
export function propBytes(src: ByteSource, start: number, prop: FdtProp | undefined, max = 4096): Buffer | undefined {
  if (!prop || prop.length > max) return undefined;
  const b = src.read(start + prop.offset, prop.length);
  return b.length === prop.length ? b : undefined;
}

/** A string property (its first string, when it holds a NUL-separated list), or undefined. */
export function propString(src: ByteSource, start: number, prop: FdtProp | undefined): string | undefined {
  const b = propBytes(src, start, prop);
  if (!b || b.length === 0) return undefined;
  const nul = b.indexOf(0);
  const s = b.toString('utf8', 0, nul < 0 ? b.length : nul);
  return /^[\x20-\x7e\u00a0-\uffff]*$/.test(s) ? s : undefined;
}

/** All strings of a string-list property ("compatible"). */
export function propStrings(src: ByteSource, start: number, prop: FdtProp | undefined): string[] {
  const b = propBytes(src, start, prop);
  if (!b) return [];
  return b
    .toString('utf8')
    .split('\0')
    .filter((s) => s.length > 0);
}

/** A 32-bit cell, or a 64-bit value in two cells (data-offset and data-size may be either). */
export function propNumber(src: ByteSource, start: number, prop: FdtProp | undefined): number | undefined {
  const b = propBytes(src, start, prop, 8);
  if (!b) return undefined;
  if (b.length === 4) return b.readUInt32BE(0);
  if (b.length === 8) {
    const hi = b.readUInt32BE(0);
    return hi < 1 << 21 ? hi * 2 ** 32 + b.readUInt32BE(4) : undefined;
  }
  return undefined;
}
