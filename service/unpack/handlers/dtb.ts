// A plain device tree blob (magic 0xd00dfeed; a FIT image is one too, and fit.ts takes those first). It
// opens to the tree Linux shows under /proc/device-tree: a directory per node, a file per property holding
// its raw value. Analyzers then read /model, /compatible or /chosen/bootargs like any file, and the
// carver looks into large properties (a firmware blob embedded in a node). The model and compatible
// strings also go to the chunk's meta.
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Chunk, type Handler, type OpenContext, type OpenResult } from '../handler.js';
import { MemoryTree } from '../memory-tree.js';
import { findProp, parseFdt, propString, propStrings, type FdtNode, type FdtParse } from '../wrappers/fdt-parser.js';

export const FDT_MAGIC_BYTES = [0xd0, 0x0d, 0xfe, 0xed];

/** The chunk of a parsed blob, or null when it has no root node (not a device tree). */
export function fdtChunk(src: ByteSource, start: number, parse: FdtParse, extra: Record<string, unknown> = {}): Chunk | null {
  if (!parse.root || parse.root.name !== '') return null;
  const end = start + parse.header.totalSize;
  const truncated = end > src.size;
  const model = propString(src, start, findProp(parse.root, 'model'));
  const compatible = propStrings(src, start, findProp(parse.root, 'compatible'));
  return {
    start,
    end: truncated ? src.size : end,
    meta: {
      version: parse.header.version,
      totalSize: parse.header.totalSize,
      nodes: parse.nodeCount,
      ...(model !== undefined ? { model } : {}),
      ...(compatible.length > 0 ? { compatible } : {}),
      ...extra,
      truncated,
    },
  };
}

/** Reports what bent the parse: truncation, or damage in the structure block. */
export function reportFdtProblems(parse: FdtParse, ctx: OpenContext, what: string): void {
  if (parse.truncated) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `${what} declares ${parse.header.totalSize} bytes; the image ends first`);
  for (const p of parse.problems) ctx.problem(parse.truncated ? ErrorCodes.UNPACK_TRUNCATED : ErrorCodes.UNPACK_MALFORMED, `${what}: ${p}`);
}

export const dtbHandler: Handler = {
  name: 'dtb',
  kind: 'filesystem',
  magics: [magic(FDT_MAGIC_BYTES)],

  identify(src, start) {
    const parse = parseFdt(src, start);
    return parse ? fdtChunk(src, start, parse) : null;
  },

  async open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
    const parse = parseFdt(src, chunk.start);
    if (!parse?.root) throw new Error('device tree header no longer valid');
    reportFdtProblems(parse, ctx, 'device tree');
    const tree = new MemoryTree('dtb', (code, message, path) => ctx.problem(code, message, path), ctx.limits.maxFiles);
    const stack: FdtNode[] = [parse.root];
    while (stack.length > 0) {
      ctx.signal.throwIfAborted();
      const node = stack.pop() as FdtNode;
      // Paths relative to the view's root: an absolute name is what the tree reports as an escape attempt.
      if (node !== parse.root) tree.add({ path: node.path.slice(1), type: 'dir', mode: 0o555 });
      const names = new Set(node.children.map((c) => c.name));
      for (const prop of node.props) {
        // A property named like a child node cannot be a file beside that directory (dtc warns about it).
        const name = names.has(prop.name) ? `${prop.name}.property` : prop.name;
        const value = src.subrange(chunk.start + prop.offset, chunk.start + prop.offset + prop.length);
        tree.add({ path: `${node.path === '/' ? '' : `${node.path.slice(1)}/`}${name}`, type: 'file', mode: 0o444, size: value.size, source: () => value });
      }
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as FdtNode);
    }
    return { kind: 'tree', tree };
  },
};
