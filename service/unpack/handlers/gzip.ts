// gzip (RFC 1952), one or more members. The end is found by walking the deflate stream (deflate-walker.ts)
// and checked against the trailer's ISIZE, so a carved gzip ends on its exact last byte without inflating.
import * as zlib from 'node:zlib';
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { walkDeflate } from '../deflate-walker.js';
import { magic, type Chunk, type Handler, type OpenContext, type OpenResult } from '../handler.js';

const FTEXT_RESERVED = 0xe0;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const MAX_HEADER_STRING = 4096;
const PIECE = 1 << 20;

interface Member {
  end: number;
  outputSize: number;
  truncated: boolean;
  name?: string;
}

/** Offset just past a NUL-terminated header string, or -1. */
function skipString(src: ByteSource, at: number): number {
  const head = src.read(at, MAX_HEADER_STRING);
  const nul = head.indexOf(0);
  return nul < 0 ? -1 : at + nul + 1;
}

function readMember(src: ByteSource, start: number): Member | null {
  const h = src.read(start, 10);
  if (h.length < 10 || h[0] !== 0x1f || h[1] !== 0x8b || h[2] !== 8) return null;
  const flags = h[3] as number;
  if (flags & FTEXT_RESERVED) return null;
  let at = start + 10;
  if (flags & FEXTRA) {
    const x = src.read(at, 2);
    if (x.length < 2) return null;
    at += 2 + x.readUInt16LE(0);
  }
  let name: string | undefined;
  if (flags & FNAME) {
    const next = skipString(src, at);
    if (next < 0) return null;
    name = src.read(at, next - at - 1).toString('latin1');
    at = next;
  }
  if (flags & FCOMMENT) {
    at = skipString(src, at);
    if (at < 0) return null;
  }
  if (flags & FHCRC) at += 2;
  if (at >= src.size) return null;
  const walk = walkDeflate(src, at);
  if (!walk) return null;
  const base = { ...(name !== undefined ? { name } : {}) };
  if (walk.truncated) return { end: src.size, outputSize: walk.outputSize, truncated: true, ...base };
  const trailer = src.read(walk.end, 8);
  if (trailer.length < 8) return { end: src.size, outputSize: walk.outputSize, truncated: true, ...base };
  // ISIZE is the size modulo 2^32: a cheap proof that this really was the stream the header announced.
  if (trailer.readUInt32LE(4) !== walk.outputSize % 2 ** 32) return null;
  return { end: walk.end + 8, outputSize: walk.outputSize, truncated: false, ...base };
}

export const gzipHandler: Handler = {
  name: 'gzip',
  kind: 'stream',
  magics: [magic([0x1f, 0x8b, 0x08])],

  identify(src, start) {
    const first = readMember(src, start);
    if (!first) return null;
    let { end, outputSize, truncated } = first;
    let members = 1;
    // Concatenated members are one stream to gunzip, so they are one chunk here too.
    while (!truncated && end < src.size) {
      const next = readMember(src, end);
      if (!next) break;
      ({ end, truncated } = next);
      outputSize += next.outputSize;
      members++;
    }
    return { start, end, meta: { uncompressedSize: outputSize, truncated, members, ...(first.name ? { name: first.name } : {}) } };
  },

  async open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
    const body = src.subrange(chunk.start, chunk.end);
    const truncated = chunk.meta['truncated'] === true;
    const sink = ctx.createSink(Number(chunk.meta['uncompressedSize']) || undefined);
    // A truncated stream is flushed instead of failing, so what was there is still analysed.
    const gunzip = zlib.createGunzip({
      chunkSize: 256 * 1024,
      ...(truncated ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}),
    });
    const feed = async (): Promise<void> => {
      for (let pos = 0; pos < body.size && !gunzip.destroyed; pos += PIECE) {
        // Waiting on 'close' too: a gunzip destroyed by a limit never drains, and this loop must still end.
        if (!gunzip.write(body.read(pos, PIECE))) {
          await new Promise((r) => {
            gunzip.once('drain', r);
            gunzip.once('close', r);
          });
        }
      }
      gunzip.end();
    };
    feed().catch((err: unknown) => gunzip.destroy(err as Error));
    try {
      for await (const out of gunzip) {
        if (ctx.signal.aborted || !sink.write(out as Buffer)) break;
      }
    } catch (err) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, `gzip stream damaged after ${sink.size} bytes: ${(err as Error).message}`);
    } finally {
      gunzip.destroy();
    }
    if (truncated) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `gzip stream cut short after ${sink.size} bytes of output`);
    const name = chunk.meta['name'];
    return { kind: 'payload', data: sink.finish(), ...(typeof name === 'string' ? { name } : {}) };
  },
};
