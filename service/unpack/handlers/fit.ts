// U-Boot FIT image (doc/usage/fit/source_file_format.rst): a device tree whose /images node holds the
// images (kernel, ramdisk, fdt, firmware ...). An image's bytes are its "data" property, or live after the
// blob ("external data", mkimage -E): "data-offset" counts from the blob's end rounded up to 4 bytes,
// "data-position" from the blob's start, both with "data-size". Each image opens as a file named after its
// node, decompressed as its "compression" property says; its hash-N nodes (crc32, md5, sha1, sha256 ...)
// are checked against the stored bytes, as U-Boot does before booting.
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { crc32Of, digestOf, partsTree, type Part } from '../wrappers/parts.js';
import { magic, type Chunk, type Handler, type OpenContext, type OpenResult } from '../handler.js';
import { decodeOrRaw, OutputBudget, type Compression } from '../wrappers/decompress.js';
import { childNode, findProp, parseFdt, propBytes, propNumber, propString, type FdtNode, type FdtParse } from '../wrappers/fdt-parser.js';
import { findLinuxBanner } from '../wrappers/linux-banner.js';
import { FDT_MAGIC_BYTES, fdtChunk, reportFdtProblems } from './dtb.js';

const MAX_EXTERNAL_END = 2 ** 32;
const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'bzip2', 'lzma', 'lzo', 'lz4', 'zstd', 'xz'];
const HASH_ALGORITHMS: Record<string, string> = { md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };

interface ImageData {
  node: FdtNode;
  /** Start and end from the blob's start. */
  start: number;
  end: number;
}

/** Where an image's bytes are, from the blob's start; undefined when the node says nothing usable. */
function imageData(src: ByteSource, start: number, parse: FdtParse, node: FdtNode): ImageData | undefined {
  const data = findProp(node, 'data');
  if (data) return { node, start: data.offset, end: data.offset + data.length };
  const size = propNumber(src, start, findProp(node, 'data-size'));
  if (size === undefined) return undefined;
  const position = propNumber(src, start, findProp(node, 'data-position'));
  const offset = propNumber(src, start, findProp(node, 'data-offset'));
  const base = position ?? (offset !== undefined ? ((parse.header.totalSize + 3) & ~3) + offset : undefined);
  if (base === undefined || base + size > MAX_EXTERNAL_END) return undefined;
  return { node, start: base, end: base + size };
}

function images(src: ByteSource, start: number, parse: FdtParse): ImageData[] {
  const out: ImageData[] = [];
  for (const node of childNode(parse.root, 'images')?.children ?? []) {
    const d = imageData(src, start, parse, node);
    if (d) out.push(d);
  }
  return out;
}

/** Checks the image's hash nodes against its stored bytes; a mismatch is a problem, the image still opens. */
function checkHashes(src: ByteSource, start: number, node: FdtNode, raw: ByteSource, ctx: OpenContext): void {
  for (const h of node.children) {
    if (!/^hash([-@]|$)/.test(h.name)) continue;
    const algo = propString(src, start, findProp(h, 'algo'));
    const value = propBytes(src, start, findProp(h, 'value'), 64);
    if (!algo || !value) continue;
    let actual: Buffer | undefined;
    if (algo === 'crc32') {
      actual = Buffer.alloc(4);
      actual.writeUInt32BE(crc32Of(raw, ctx.signal));
    } else if (HASH_ALGORITHMS[algo]) {
      actual = digestOf(HASH_ALGORITHMS[algo], raw, ctx.signal);
    }
    if (actual && !actual.equals(value)) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, `FIT image "${node.name}": ${algo} mismatch (stored ${value.toString('hex')}, data ${actual.toString('hex')})`, `/${node.name}`);
    }
  }
}

export const fitHandler: Handler = {
  name: 'fit',
  kind: 'wrapper',
  magics: [magic(FDT_MAGIC_BYTES)],

  identify(src, start) {
    const parse = parseFdt(src, start);
    if (!parse) return null;
    const found = images(src, start, parse);
    // A device tree without images is a plain DTB (dtb.ts).
    if (found.length === 0) return null;
    const chunk = fdtChunk(src, start, parse, { images: found.map((i) => i.node.name) });
    if (!chunk) return null;
    const description = propString(src, start, findProp(parse.root, 'description'));
    if (description !== undefined) chunk.meta['description'] = description;
    // External data extends the chunk past the blob.
    const end = start + found.reduce((m, i) => Math.max(m, i.end), parse.header.totalSize);
    chunk.meta['truncated'] = end > src.size;
    chunk.end = Math.min(end, src.size);
    return chunk;
  },

  async open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
    const parse = parseFdt(src, chunk.start);
    if (!parse?.root) throw new Error('FIT header no longer valid');
    reportFdtProblems(parse, ctx, 'FIT');
    const timestamp = propNumber(src, chunk.start, findProp(parse.root, 'timestamp'));
    const budget = new OutputBudget(ctx, chunk.end - chunk.start);
    const parts: Part[] = [];
    for (const img of images(src, chunk.start, parse).slice(0, Math.max(0, ctx.limits.maxFiles))) {
      ctx.signal.throwIfAborted();
      const { node } = img;
      const raw = src.subrange(chunk.start + img.start, chunk.start + img.end);
      if (raw.size < img.end - img.start) {
        ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `FIT image "${node.name}": ${raw.size} of ${img.end - img.start} bytes present`, `/${node.name}`);
      } else {
        checkHashes(src, chunk.start, node, raw, ctx);
      }
      const compression = propString(src, chunk.start, findProp(node, 'compression')) ?? 'none';
      const type = propString(src, chunk.start, findProp(node, 'type'));
      let data = raw;
      if (compression !== 'none') {
        const kind = COMPRESSIONS.find((c) => c === compression);
        if (kind) data = (await decodeOrRaw(kind, raw, budget.sink(), ctx, `FIT image "${node.name}"`)).data;
        else ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, `FIT image "${node.name}": compression "${compression}" is unknown; the stored bytes are kept`, `/${node.name}`);
      }
      if ((type === 'kernel' || type === 'kernel_noload') && chunk.meta['linuxBanner'] === undefined) {
        const banner = findLinuxBanner(data, ctx.signal);
        if (banner) chunk.meta['linuxBanner'] = banner;
      }
      parts.push({ name: node.name, data, ...(timestamp !== undefined ? { mtime: timestamp } : {}) });
    }
    return { kind: 'tree', tree: partsTree('fit', parts, ctx) };
  },
};
