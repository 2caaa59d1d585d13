// The open() every compressed-stream handler shares: decode the chunk straight into the engine's sink (which
// caps the bytes and records the limit), and turn what went wrong into typed report problems while keeping
// the output decoded before the damage.
import { ErrorCodes, isFirmwardenError } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import type { Chunk, OpenContext, OpenResult } from '../handler.js';
import type { DecodeOptions, DecodeResult } from './codec.js';

export type Decoder = (input: Uint8Array, opts: DecodeOptions) => DecodeResult;

export function openDecoded(format: string, decode: Decoder, src: ByteSource, chunk: Chunk, ctx: OpenContext, name?: string): Promise<OpenResult> {
  const expected = Number(chunk.meta['uncompressedSize']);
  const sink = ctx.createSink(Number.isSafeInteger(expected) && expected > 0 ? expected : undefined);
  const input = src.read(chunk.start, chunk.end - chunk.start);
  try {
    // The sink holds the cap (and reports it), so the decoder itself is not capped again.
    const r = decode(input, { maxOutput: Number.MAX_SAFE_INTEGER, signal: ctx.signal, onOutput: (piece) => sink.write(piece) });
    if (r.truncated || chunk.meta['truncated'] === true) {
      ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `${format} stream cut short after ${sink.size} bytes of output`);
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const code = isFirmwardenError(err) ? err.code : ErrorCodes.UNPACK_MALFORMED;
    const message = err instanceof Error ? err.message : String(err);
    ctx.problem(code, `${format} stream damaged after ${sink.size} bytes of output: ${message}`);
  }
  return Promise.resolve({ kind: 'payload', data: sink.finish(), ...(name ? { name } : {}) });
}
