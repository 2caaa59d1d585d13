// LZMA1 streams in their three shapes: .lzma ("LZMA-Alone": 13-byte header with props, dictionary size and a
// 64-bit size that may be unknown), raw (the caller knows the props; no size, maybe no end marker, as in
// squashfs), and the vendor squashfs block (5-byte props+dictionary header, no size field at all).
import { decodePropsByte, LzmaDecoder, STOP_END_MARKER, STOP_INPUT, STOP_LIMIT, type LzmaProps } from './lzma-decoder.js';
import { guarded, malformed, OutputCollector, type DecodeOptions, type DecodeResult, type RandomAccess, type StreamExtent } from './codec.js';
import { LzWindow, windowCapacity } from './lz-window.js';

export { decodePropsByte, type LzmaProps } from './lzma-decoder.js';

export const LZMA_ALONE_HEADER_SIZE = 13;
const MIN_DICT = 4096;
const STEP = 1 << 20;

export interface LzmaAloneHeader {
  props: LzmaProps;
  /** undefined: the header says "unknown" (all 0xFF), the stream then ends with an end marker. */
  uncompressedSize: number | undefined;
}

/** The 13-byte header, or null when it cannot be one (bad props byte, a size past 2^53). */
export function parseLzmaAloneHeader(head: Uint8Array): LzmaAloneHeader | null {
  if (head.length < LZMA_ALONE_HEADER_SIZE) return null;
  const p = decodePropsByte(head[0] as number);
  if (!p) return null;
  const b = Buffer.from(head.buffer, head.byteOffset, LZMA_ALONE_HEADER_SIZE);
  const dictSize = b.readUInt32LE(1);
  const lo = b.readUInt32LE(5);
  const hi = b.readUInt32LE(9);
  if (lo === 0xffffffff && hi === 0xffffffff) return { props: { ...p, dictSize }, uncompressedSize: undefined };
  if (hi >= 1 << 21) return null;
  return { props: { ...p, dictSize }, uncompressedSize: hi * 2 ** 32 + lo };
}

/**
 * Decodes one LZMA1 stream starting at input[start]. knownSize: the stream holds exactly that many bytes
 * (an end marker may still follow). strictEnd: data after the known size that is neither the range coder's
 * clean end nor an end marker is an error (the .lzma rule); raw blocks from vendors are not held to it.
 */
function decodeLzma1(input: Uint8Array, start: number, props: LzmaProps, knownSize: number | undefined, strictEnd: boolean, opts: DecodeOptions, codec: string): DecodeResult {
  if (props.lc + props.lp > 12 || props.lc > 8 || props.lp > 4 || props.pb > 4) throw malformed(codec, 'lc/lp/pb out of range');
  const out = new OutputCollector(opts);
  const target = knownSize ?? Number.POSITIVE_INFINITY;
  const cap = Math.min(target, out.maxOutput);
  const win = new LzWindow(windowCapacity(Math.max(props.dictSize, MIN_DICT), cap, !opts.onOutput), out, cap);
  const dec = new LzmaDecoder(win, codec);
  dec.setProps(props.lc, props.lp, props.pb);
  dec.resetState();
  if (!dec.initRange(input, start, input.length)) return out.result(input.length, true);
  let stop: number;
  try {
    // In steps of a few MiB: the abort signal is looked at between them, and V8 optimizes a function that
    // returns now and then far better than one long-running loop (on-stack replacement code is slower).
    do {
      out.checkAbort();
      stop = dec.decode(Math.min(cap, win.produced + STEP), knownSize === undefined);
    } while (stop === STOP_LIMIT && win.produced < cap && !win.refused);
  } finally {
    win.finish();
  }
  if (stop === STOP_INPUT) return out.result(input.length, true);
  if (stop === STOP_END_MARKER) {
    if (knownSize !== undefined && win.produced !== knownSize) throw malformed(codec, `end marker after ${win.produced} of ${knownSize} bytes`);
    if (strictEnd && !dec.finishedCleanly) throw malformed(codec, 'range coder not finished at the end marker');
    return out.result(dec.inPos - start, false);
  }
  if (stop === STOP_LIMIT) {
    const sizeReached = knownSize !== undefined && win.produced >= knownSize && !dec.hasPendingMatch;
    // At the cap, a stream of unknown size may also be exactly at its end: do not call that limited.
    const endsHere = dec.finishedCleanly || dec.tryEndMarker();
    if (sizeReached) {
      if (!endsHere && strictEnd) throw malformed(codec, `data continues after the declared ${knownSize} bytes`);
      return out.result(dec.inPos - start, false);
    }
    if (knownSize !== undefined && win.produced >= knownSize && strictEnd) throw malformed(codec, 'last match runs past the declared size');
    if (!(knownSize === undefined && endsHere && !dec.hasPendingMatch)) out.markLimited();
    return out.result(dec.inPos - start, false);
  }
  // STOP_CLEAN_END: the input is used up and the range coder is at zero.
  return out.result(dec.inPos - start, false);
}

/** A .lzma file (LZMA-Alone). consumed includes the 13-byte header. */
export function decodeLzmaAlone(input: Uint8Array, opts: DecodeOptions): DecodeResult {
  return guarded('lzma', () => {
    if (input.length < LZMA_ALONE_HEADER_SIZE) return { data: Buffer.alloc(0), consumed: input.length, truncated: true, limited: false };
    const h = parseLzmaAloneHeader(input);
    if (!h) throw malformed('lzma', 'invalid .lzma header');
    const r = decodeLzma1(input, LZMA_ALONE_HEADER_SIZE, h.props, h.uncompressedSize ?? opts.expectedSize, true, opts, 'lzma');
    return { ...r, consumed: r.truncated ? input.length : r.consumed + LZMA_ALONE_HEADER_SIZE };
  });
}

/**
 * Raw LZMA1 with known props: the size is opts.expectedSize when given, otherwise the stream ends at an end
 * marker or where the input ends with the range coder finished.
 */
export function decodeLzmaRaw(input: Uint8Array, props: LzmaProps, opts: DecodeOptions): DecodeResult {
  return guarded('lzma', () => decodeLzma1(input, 0, props, opts.expectedSize, false, opts, 'lzma'));
}

export const LZMA_VENDOR_HEADER_SIZE = 5;

/** A vendor squashfs LZMA block: props byte + 32-bit dictionary size, then raw LZMA without a size field. */
export function decodeLzmaVendorBlock(input: Uint8Array, opts: DecodeOptions): DecodeResult {
  return guarded('lzma', () => {
    if (input.length < LZMA_VENDOR_HEADER_SIZE) return { data: Buffer.alloc(0), consumed: input.length, truncated: true, limited: false };
    const p = decodePropsByte(input[0] as number);
    if (!p) throw malformed('lzma', 'invalid LZMA properties byte');
    const dictSize = Buffer.from(input.buffer, input.byteOffset, 5).readUInt32LE(1);
    const r = decodeLzma1(input, LZMA_VENDOR_HEADER_SIZE, { ...p, dictSize }, opts.expectedSize, false, opts, 'lzma');
    return { ...r, consumed: r.truncated ? input.length : r.consumed + LZMA_VENDOR_HEADER_SIZE };
  });
}

export interface LzmaWalk extends StreamExtent {
  /** The walk stopped at maxWalk bytes of output: the end was not found (end is then the source's end). */
  endUnknown: boolean;
}

/** Compressed bytes a walk reads at most: a longer stream is taken to run to the end of its source. */
const MAX_WALK_INPUT = 128 << 20;

/**
 * Where the .lzma stream at `start` ends, found by decoding it into a counter (LZMA has no block sizes to
 * walk). Reads 64 KiB first so noise is rejected cheaply, then more. Null when it is not LZMA.
 */
export function measureLzmaAlone(src: RandomAccess, start: number, maxWalk: number, firstRead = 1 << 16): LzmaWalk | null {
  let want = firstRead;
  for (;;) {
    const input = src.read(start, want);
    let produced = 0;
    let r: DecodeResult;
    try {
      r = decodeLzmaAlone(input, { maxOutput: maxWalk, onOutput: (p) => ((produced += p.length), true) });
    } catch {
      return null;
    }
    const sourceEnded = start + input.length >= src.size;
    if (r.truncated && !sourceEnded) {
      if (input.length >= MAX_WALK_INPUT) return { end: src.size, outputSize: produced, truncated: false, endUnknown: true };
      want = Math.min(src.size - start, want * 16, MAX_WALK_INPUT);
      continue;
    }
    if (r.limited) return { end: src.size, outputSize: produced, truncated: false, endUnknown: true };
    return { end: r.truncated ? src.size : start + r.consumed, outputSize: produced, truncated: r.truncated, endUnknown: false };
  }
}
