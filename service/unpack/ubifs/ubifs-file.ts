// The bytes of one UBIFS file as a ByteSource: 4 KiB blocks, each a data node decompressed when read; a
// block without a data node is a hole (zeros), as is the tail of a short block. Data nodes of consecutive
// blocks usually sit back to back in a LEB, so they are read in one go and decoded straight into the
// output. Damaged nodes read as zeros and are reported once.
import { ErrorCodes, errorMessage, FirmwardenError, type ErrorCode } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { SliceSource } from '../ext/file-source.js';
import { decompressBlockInto } from './ubifs-compression.js';
import type { DataRef, NodeReader } from './ubifs-index.js';
import { BLOCK_SIZE, checkedNode, DATA_NODE, DATA_NODE_SIZE, readKey } from './ubifs-nodes.js';

const EMPTY: Buffer = Buffer.alloc(0);
/** Largest single read of back-to-back data nodes. */
const MAX_RUN_BYTES = 1 << 20;

export class UbifsFileSource implements ByteSource {
  private readonly refs: DataRef[];
  private readonly blocks: Float64Array;
  /** The first damage met, with its error code. */
  damage: { code: ErrorCode; message: string } | undefined;

  constructor(
    private readonly reader: NodeReader,
    private readonly inum: number,
    readonly size: number,
    refs: readonly DataRef[],
    private readonly onDamage: (code: ErrorCode, why: string) => void,
  ) {
    this.refs = [...refs].sort((a, b) => a.block - b.block);
    this.blocks = Float64Array.from(this.refs, (r) => r.block);
  }

  /** Index of the first ref whose block is >= `block`. */
  private lowerBound(block: number): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.blocks[mid]! < block) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private fail(code: ErrorCode, message: string): void {
    if (this.damage) return;
    this.damage = { code: code === ErrorCodes.UNPACK_UNSUPPORTED ? code : ErrorCodes.UNPACK_MALFORMED, message };
    this.onDamage(this.damage.code, message);
  }

  /**
   * Decodes the data node `node` (block `block`) into `out`, which holds the file range [start, end); returns
   * why not when the node is unusable (the caller then zero-fills the block).
   */
  private decode(node: Buffer, block: number, out: Buffer, start: number, end: number): { code: ErrorCode; why: string } | undefined {
    const n = checkedNode(node);
    if (!n) return { code: ErrorCodes.UNPACK_MALFORMED, why: `data node of block ${block} is damaged (bad magic or CRC)` };
    if (n.ch.type !== DATA_NODE || node.length < DATA_NODE_SIZE) return { code: ErrorCodes.UNPACK_MALFORMED, why: `block ${block} points to a node of type ${n.ch.type}` };
    const key = readKey(node, 24);
    const size = node.readUInt32LE(40);
    if (key.inum !== this.inum || key.value !== block || size > BLOCK_SIZE) {
      return { code: ErrorCodes.UNPACK_MALFORMED, why: `data node for block ${block} carries another key or a bad size` };
    }
    const base = block * BLOCK_SIZE;
    const s = Math.max(start, base);
    const e = Math.min(end, base + BLOCK_SIZE);
    // In place when the block's stored bytes all fall inside the requested range; else through a scratch.
    const inPlace = s === base && base + size <= e;
    const target = inPlace ? out.subarray(base - start, base - start + size) : Buffer.allocUnsafe(size);
    try {
      decompressBlockInto(node.readUInt16LE(44), node.subarray(DATA_NODE_SIZE), target);
    } catch (err) {
      return { code: err instanceof FirmwardenError ? err.code : ErrorCodes.UNPACK_MALFORMED, why: `block ${block}: ${errorMessage(err)}` };
    }
    const stored = base + size;
    if (!inPlace && stored > s) target.copy(out, s - start, s - base, Math.min(e, stored) - base);
    // A short block (the file's last, or one written before a truncation) ends in zeros.
    if (stored < e) out.fill(0, Math.max(s, stored) - start, e - start);
    return undefined;
  }

  read(offset: number, length: number): Buffer {
    const start = Math.max(0, Math.floor(offset));
    const end = Math.min(this.size, Math.floor(offset + length));
    if (!(end > start)) return EMPTY;
    const out = Buffer.allocUnsafe(end - start);
    const last = Math.floor((end - 1) / BLOCK_SIZE);
    let blk = Math.floor(start / BLOCK_SIZE);
    let i = this.lowerBound(blk);
    const zero = (b: number): void => {
      out.fill(0, Math.max(start, b * BLOCK_SIZE) - start, Math.min(end, (b + 1) * BLOCK_SIZE) - start);
    };
    while (blk <= last) {
      while (i < this.refs.length && this.refs[i]!.block < blk) i++; // a hostile index may repeat a block
      const ref = this.refs[i];
      if (!ref || ref.block !== blk) {
        zero(blk++);
        continue;
      }
      // A run: refs of the following blocks stored back to back (8-byte aligned) in the same LEB.
      let j = i + 1;
      let runEnd = ref.offs + ref.len;
      while (j < this.refs.length && this.refs[j]!.block === blk + (j - i) && this.refs[j]!.block <= last) {
        const r = this.refs[j]!;
        if (r.lnum !== ref.lnum || r.offs !== ((runEnd + 7) & ~7) || r.offs + r.len - ref.offs > MAX_RUN_BYTES) break;
        runEnd = r.offs + r.len;
        j++;
      }
      const raw = this.reader.readRaw(ref.lnum, ref.offs, runEnd - ref.offs);
      for (let k = i; k < j; k++) {
        const r = this.refs[k]!;
        const b = ref.block + (k - i);
        const bad = typeof raw === 'string' ? { code: ErrorCodes.UNPACK_MALFORMED, why: raw } : this.decode(raw.subarray(r.offs - ref.offs, r.offs - ref.offs + r.len), b, out, start, end);
        if (bad) {
          this.fail(bad.code, bad.why);
          zero(b);
        }
      }
      blk = ref.block + (j - i);
      i = j;
    }
    return out;
  }

  subrange(start: number, end: number): ByteSource {
    return new SliceSource(this, start, end);
  }
}
