// What every decoder of codecs/ shares: its options, its result, its typed errors, and the place its output
// goes. The decoders read hostile bytes: bad data is a FirmwardenError (malformed/truncated/limit), never a
// crash, and output stops at maxOutput so a bomb costs maxOutput bytes, not the heap.
import { ErrorCodes, FirmwardenError, type ErrorCode } from '../../errors.js';

export interface DecodeOptions {
  /** Output stops here: the result says `limited` when the stream had more to give. */
  maxOutput: number;
  /** The decompressed size when the caller knows it (a squashfs block); decoding stops there. */
  expectedSize?: number;
  signal?: AbortSignal;
  /**
   * Streaming: output is handed over piece by piece as it is produced (the piece then belongs to the callee)
   * and not gathered into `data`. Returning false stops decoding, reported as `limited`. A decoder that throws
   * has already delivered everything decoded before the damage, so a caller keeps the good part.
   */
  onOutput?: (piece: Buffer) => boolean;
}

export interface DecodeResult {
  /** The output (empty in streaming mode: it went to onOutput). */
  data: Buffer;
  /**
   * Input bytes that belong to the stream: its exact end, so a carved chunk ends there (also when output was
   * limited, for every format whose sizes can be walked; an LZMA1 stream cut by the limit reports where
   * decoding stopped).
   */
  consumed: number;
  /** The input ended before the stream did; data holds what was decodable. */
  truncated: boolean;
  /** Output stopped at maxOutput (or onOutput said stop) while the stream had more. */
  limited: boolean;
}

/** Random access to bytes (ByteSource fits): walkers size a stream without holding it all. */
export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

/** Where a stream sits and what it holds, found by walking its headers (or its symbols) without output. */
export interface StreamExtent {
  /** Exclusive end offset (the source's end when truncated). */
  end: number;
  /** Decompressed size when the walk knows it. */
  outputSize?: number;
  truncated: boolean;
}

function fail(code: ErrorCode, codec: string, message: string, details?: Record<string, unknown>): FirmwardenError {
  return new FirmwardenError(code, `${codec}: ${message}`, { codec, ...details });
}

export function malformed(codec: string, message: string, details?: Record<string, unknown>): FirmwardenError {
  return fail(ErrorCodes.UNPACK_MALFORMED, codec, message, details);
}

export function truncatedError(codec: string, message: string, details?: Record<string, unknown>): FirmwardenError {
  return fail(ErrorCodes.UNPACK_TRUNCATED, codec, message, details);
}

export function limitError(codec: string, message: string, details?: Record<string, unknown>): FirmwardenError {
  return fail(ErrorCodes.UNPACK_LIMIT, codec, message, details);
}

export function unsupported(codec: string, message: string, details?: Record<string, unknown>): FirmwardenError {
  return fail(ErrorCodes.UNPACK_UNSUPPORTED, codec, message, details);
}

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * The output side of a decoder: counts bytes against maxOutput, and either gathers the pieces (joined once at
 * the end) or streams them to onOutput. Pieces pushed here are owned by the collector: decoders copy out of
 * buffers they reuse.
 */
export class OutputCollector {
  private readonly parts: Buffer[] = [];
  private readonly onOutput: ((piece: Buffer) => boolean) | undefined;
  readonly maxOutput: number;
  total = 0;
  limited = false;
  private stopped = false;
  private lastAbortCheck = 0;

  constructor(private readonly opts: DecodeOptions) {
    this.maxOutput = Math.max(0, Math.floor(Number.isFinite(opts.maxOutput) ? opts.maxOutput : Number.MAX_SAFE_INTEGER));
    this.onOutput = opts.onOutput;
  }

  /** Output is gathered into `data` (no onOutput). */
  get gathering(): boolean {
    return this.onOutput === undefined;
  }

  /** Bytes that may still be produced. */
  get room(): number {
    return this.stopped ? 0 : this.maxOutput - this.total;
  }

  /** True once no more output is wanted (cap reached or the consumer said stop). */
  get done(): boolean {
    return this.stopped || this.total >= this.maxOutput;
  }

  /** Adds a piece (cut to the room left); false when no more output is wanted. */
  push(piece: Buffer): boolean {
    if (this.stopped) return false;
    let p = piece;
    if (p.length > this.maxOutput - this.total) {
      p = p.subarray(0, this.maxOutput - this.total);
      this.limited = true;
    }
    if (p.length > 0) {
      this.total += p.length;
      if (this.onOutput) {
        if (!this.onOutput(p)) {
          this.stopped = true;
          this.limited = true;
        }
      } else {
        this.parts.push(p);
      }
    }
    if (this.total - this.lastAbortCheck >= 1 << 22) {
      this.lastAbortCheck = this.total;
      this.checkAbort();
    }
    return !this.stopped && !this.limited;
  }

  /** Marks that the stream had output beyond what was taken. */
  markLimited(): void {
    this.limited = true;
  }

  checkAbort(): void {
    this.opts.signal?.throwIfAborted();
  }

  result(consumed: number, truncated: boolean): DecodeResult {
    let data: Buffer = EMPTY;
    if (this.parts.length === 1) data = this.parts[0] as Buffer;
    else if (this.parts.length > 1) data = Buffer.concat(this.parts, this.total);
    return { data, consumed, truncated, limited: this.limited };
  }
}

/** A Buffer view of any Uint8Array without copying. */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * Runs a decoder so that nothing but a FirmwardenError (or the caller's own abort) leaves it: a RangeError
 * from an allocation or an index bug on a hostile input becomes a malformed-data error with its cause.
 */
export function guarded<T>(codec: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof FirmwardenError) throw err;
    if (err instanceof Error && err.name === 'AbortError') throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `${codec}: undecodable data (${message})`, { codec }, { cause: err });
  }
}
