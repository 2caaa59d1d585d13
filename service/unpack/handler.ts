// The unit of extension of the unpacker (DESIGN.md "Units of extension"): one small file per format under
// handlers/, listed in registry.ts. The engine finds candidates by magic, asks identify() where the chunk
// starts and ends, and opens it; handlers never recurse, never write to disk, never throw for bad content.
import type { ErrorCode } from '../errors.js';
import type { ByteSource } from './byte-source.js';
import type { UnpackLimits } from './limits.js';
import type { FileSystemView } from './vfs.js';

/** stream: one compressed payload (gzip); archive/filesystem: a tree; wrapper: a header around a payload. */
export type HandlerKind = 'stream' | 'archive' | 'filesystem' | 'wrapper';

export interface Magic {
  bytes: Buffer;
  /** Where the magic sits inside the chunk (257 for tar's "ustar"). */
  offset: number;
}

export interface Chunk {
  start: number;
  /** Exclusive. A truncated chunk ends at the end of its source and says so in meta.truncated. */
  end: number;
  meta: Record<string, unknown>;
}

/** Collects a decompressed payload inside the byte budget; the engine records the limit when it bites. */
export interface PayloadSink {
  /** false: the budget is spent (the data was cut there), the handler should stop producing. */
  write(data: Buffer): boolean;
  readonly size: number;
  finish(): ByteSource;
}

export interface OpenContext {
  /** What this container may still use: maxFiles and maxTotalBytes are the budgets left, not the totals. */
  readonly limits: Readonly<Required<UnpackLimits>>;
  readonly signal: AbortSignal;
  /** A typed report entry (path inside the container when it concerns one entry). */
  problem(code: ErrorCode, message: string, path?: string): void;
  createSink(expectedSize?: number): PayloadSink;
}

/** A tree as a handler makes it; the engine gives it its id and chain. */
export type TreeView = Omit<FileSystemView, 'id' | 'chain'> & {
  /** Zero-copy access to a regular file, when the view can offer it (used to look for nested containers). */
  openSource?(path: string): ByteSource | undefined;
};

export type OpenResult =
  | { kind: 'payload'; data: ByteSource; name?: string }
  | { kind: 'tree'; tree: TreeView };

export interface Handler {
  readonly name: string;
  readonly kind: HandlerKind;
  readonly magics: readonly Magic[];
  /** Where the chunk starting at `start` ends, or null when this is not a valid chunk. Must be cheap on noise. */
  identify(src: ByteSource, start: number): Chunk | null;
  open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult>;
}

export function magic(bytes: string | number[], offset = 0): Magic {
  return { bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes), offset };
}
