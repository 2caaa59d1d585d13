// Logical -> physical block mapping of an ext file: the ext4 extent tree or the ext2/3 direct/indirect block
// pointers, flattened into sorted runs. Holes (and ext4 unwritten extents, which read as zeros) are simply
// absent from the runs. Hostile maps are bounded: tree nodes must not repeat, depth is capped, and every
// metadata block read is charged to a budget shared by the whole filesystem.
import type { ByteSource } from '../byte-source.js';

export interface Runs {
  /** First logical block of each run, ascending. */
  logical: number[];
  physical: number[];
  length: number[];
  /** Why part of the map could not be read (the unreadable part reads as zeros). */
  damage?: string;
  /** The damage is the image ending early (a block the filesystem has but the image lacks), not corruption. */
  truncated?: boolean;
}

export interface MapContext {
  src: ByteSource;
  blockSize: number;
  /** Blocks present in src: pointers at or beyond this are damage (truncated image or corrupt pointer). */
  blocksAvailable: number;
  /** Blocks the filesystem declares: a pointer below this but past blocksAvailable was cut off. */
  blocksCount: number;
  /** Metadata blocks (extent nodes, indirect blocks) that may still be read over the whole filesystem. */
  budget: { left: number };
}

const EXTENT_MAGIC = 0xf30a;
const MAX_EXTENT_DEPTH = 5;
const UNWRITTEN_BIAS = 32768;

function push(r: Runs, logical: number, physical: number, length: number): void {
  const n = r.logical.length - 1;
  if (n >= 0 && r.logical[n]! + r.length[n]! === logical && r.physical[n]! + r.length[n]! === physical) {
    r.length[n]! += length;
    return;
  }
  r.logical.push(logical);
  r.physical.push(physical);
  r.length.push(length);
}

/** Records why block `pblk` cannot be read: cut off by the end of the image, or a pointer to nowhere. */
function outside(ctx: MapContext, runs: Runs, what: string, pblk: number): void {
  if (runs.damage) return;
  const cut = pblk < ctx.blocksCount;
  runs.damage = `${what} ${cut ? 'lies past the end of the image' : 'points outside the filesystem'} (block ${pblk})`;
  if (cut) runs.truncated = true;
}

function readMeta(ctx: MapContext, block: number, runs: Runs): Buffer | undefined {
  if (ctx.budget.left <= 0) {
    runs.damage ??= 'more block-map metadata than the filesystem can hold; the rest of the map was not read';
    return undefined;
  }
  ctx.budget.left--;
  const b = block > 0 && block < ctx.blocksAvailable ? ctx.src.read(block * ctx.blockSize, ctx.blockSize) : undefined;
  if (!b || b.length < ctx.blockSize) {
    outside(ctx, runs, 'block-map block', block);
    return undefined;
  }
  return b;
}

/** Runs of an extent-mapped file whose tree root is i_block; blocks past `maxBlocks` are ignored. */
export function extentRuns(ctx: MapContext, iblock: Buffer, maxBlocks: number): Runs {
  const runs: Runs = { logical: [], physical: [], length: [] };
  const seen = new Set<number>();
  const visit = (node: Buffer, expectDepth: number | undefined): void => {
    if (node.length < 12 || node.readUInt16LE(0) !== EXTENT_MAGIC) {
      runs.damage ??= 'extent node without its magic';
      return;
    }
    const entries = node.readUInt16LE(2);
    const depth = node.readUInt16LE(6);
    if (depth > MAX_EXTENT_DEPTH || (expectDepth !== undefined && depth !== expectDepth)) {
      runs.damage ??= `extent node of depth ${depth} where ${expectDepth ?? `at most ${MAX_EXTENT_DEPTH}`} was expected`;
      return;
    }
    const n = Math.min(entries, Math.floor((node.length - 12) / 12));
    if (n < entries) runs.damage ??= `extent node claims ${entries} entries, room for ${n}`;
    for (let i = 0; i < n; i++) {
      const e = 12 + i * 12;
      const lblk = node.readUInt32LE(e);
      if (depth === 0) {
        let len = node.readUInt16LE(e + 4);
        const unwritten = len > UNWRITTEN_BIAS;
        if (unwritten) len -= UNWRITTEN_BIAS;
        const pblk = node.readUInt16LE(e + 6) * 2 ** 32 + node.readUInt32LE(e + 8);
        if (lblk >= maxBlocks || len === 0 || unwritten) continue;
        len = Math.min(len, maxBlocks - lblk);
        if (pblk === 0 || pblk + len > ctx.blocksAvailable) {
          outside(ctx, runs, `extent at file block ${lblk}`, pblk + (pblk === 0 ? 0 : len - 1));
          continue;
        }
        push(runs, lblk, pblk, len);
      } else {
        const child = node.readUInt16LE(e + 8) * 2 ** 32 + node.readUInt32LE(e + 4);
        if (lblk >= maxBlocks) continue;
        if (seen.has(child)) {
          runs.damage ??= `extent tree visits block ${child} twice`;
          continue;
        }
        seen.add(child);
        const b = readMeta(ctx, child, runs);
        if (b) visit(b, depth - 1);
      }
    }
  };
  visit(iblock, undefined);
  sortRuns(runs);
  return runs;
}

/** Runs of a block-mapped (ext2/3) file: 12 direct pointers, then single, double and triple indirect. */
export function indirectRuns(ctx: MapContext, iblock: Buffer, maxBlocks: number): Runs {
  const runs: Runs = { logical: [], physical: [], length: [] };
  const perBlock = ctx.blockSize / 4;
  const seen = new Set<number>();
  const addData = (lblk: number, pblk: number): void => {
    if (pblk === 0 || lblk >= maxBlocks) return;
    if (pblk >= ctx.blocksAvailable) {
      outside(ctx, runs, `file block ${lblk}`, pblk);
      return;
    }
    push(runs, lblk, pblk, 1);
  };
  // level 1: pointer block of data blocks; each level above multiplies the span by perBlock.
  const walk = (pblk: number, level: number, firstLblk: number): void => {
    if (pblk === 0 || firstLblk >= maxBlocks) return;
    if (seen.has(pblk)) {
      runs.damage ??= `indirect block ${pblk} is used twice`;
      return;
    }
    seen.add(pblk);
    const b = readMeta(ctx, pblk, runs);
    if (!b) return;
    const span = perBlock ** (level - 1);
    for (let i = 0; i < perBlock; i++) {
      const lblk = firstLblk + i * span;
      if (lblk >= maxBlocks) break;
      const p = b.readUInt32LE(i * 4);
      if (level === 1) addData(lblk, p);
      else walk(p, level - 1, lblk);
    }
  };
  for (let i = 0; i < 12; i++) addData(i, iblock.readUInt32LE(i * 4));
  let first = 12;
  for (let level = 1; level <= 3; level++) {
    walk(iblock.readUInt32LE((11 + level) * 4), level, first);
    first += perBlock ** level;
  }
  return runs;
}

/** Extents of a valid tree are already in order; a hostile one may not be. */
function sortRuns(r: Runs): void {
  let sorted = true;
  for (let i = 1; i < r.logical.length && sorted; i++) sorted = r.logical[i - 1]! <= r.logical[i]!;
  if (sorted) return;
  const order = r.logical.map((_, i) => i).sort((a, b) => r.logical[a]! - r.logical[b]!);
  const [l, p, n] = [r.logical, r.physical, r.length].map((a) => order.map((i) => a[i]!)) as [number[], number[], number[]];
  r.logical = l;
  r.physical = p;
  r.length = n;
}
