// A JFFS2 file is the sum of its data nodes: each covers [offset, offset+dsize) of the file at some version,
// and for every byte the highest version covering it wins; bytes no node covers are a hole (zeros), and the
// latest node's isize cuts the file. The winning ranges are found with a sweep over the node edges and a
// max-heap on the version, O(n log n) even when a hostile image makes every node overlap every other.
// The bytes are decoded when read, node by node, with the last nodes cached.
import { ErrorCodes, FirmwardenError, errorMessage, isFirmwardenError } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { decompressNode } from './decompress.js';

export interface DataNode {
  version: number;
  /** Where the node sits in the image: breaks version ties (the later write wins). */
  pos: number;
  offset: number;
  dsize: number;
  csize: number;
  compr: number;
  /** Image offset of the compressed bytes. */
  dataPos: number;
}

/** One range of the file and the node (with the offset inside its decoded data) that supplies it. */
export interface Fragment {
  start: number;
  end: number;
  node: DataNode;
  skip: number;
}

const newer = (a: DataNode, b: DataNode): boolean => a.version > b.version || (a.version === b.version && a.pos > b.pos);

/** A binary max-heap of nodes ordered by version. */
class NodeHeap {
  private readonly items: DataNode[] = [];
  get top(): DataNode | undefined {
    return this.items[0];
  }
  get size(): number {
    return this.items.length;
  }
  push(n: DataNode): void {
    const a = this.items;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!newer(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): void {
    const a = this.items;
    const last = a.pop();
    if (a.length === 0 || !last) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && newer(a[l]!, a[m]!)) m = l;
      if (r < a.length && newer(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
  }
}

/** The fragments of a file of `size` bytes built from its data nodes. */
export function buildFragments(nodes: readonly DataNode[], size: number): Fragment[] {
  const live = nodes.filter((n) => n.dsize > 0 && n.offset < size);
  if (live.length === 0) return [];
  const byStart = [...live].sort((a, b) => a.offset - b.offset);
  // Fast path (mkfs.jffs2 and most real images): ranges already disjoint in order.
  let disjoint = true;
  for (let i = 1; i < byStart.length && disjoint; i++) {
    const p = byStart[i - 1]!;
    if (p.offset + p.dsize > byStart[i]!.offset) disjoint = false;
  }
  const out: Fragment[] = [];
  const push = (start: number, end: number, node: DataNode): void => {
    const e = Math.min(end, size);
    if (e <= start) return;
    const last = out[out.length - 1];
    if (last && last.node === node && last.end === start) last.end = e;
    else out.push({ start, end: e, node, skip: start - node.offset });
  };
  if (disjoint) {
    for (const n of byStart) push(n.offset, n.offset + n.dsize, n);
    return out;
  }
  const edges = [...new Set(live.flatMap((n) => [n.offset, n.offset + n.dsize]))].sort((a, b) => a - b);
  const heap = new NodeHeap();
  let next = 0;
  for (let k = 0; k + 1 < edges.length; k++) {
    const x = edges[k]!;
    while (next < byStart.length && byStart[next]!.offset <= x) heap.push(byStart[next++]!);
    while (heap.size > 0 && heap.top!.offset + heap.top!.dsize <= x) heap.pop();
    const top = heap.top;
    if (top) push(x, edges[k + 1]!, top);
  }
  return out;
}

/** Bytes read ahead of a node: a file's nodes mostly follow each other, so one read serves many. */
const READ_AHEAD = 256 * 1024;

/** Decodes nodes for JffsFile reads; shared by all files of one image so its cache is bounded. */
export class NodeDecoder {
  private readonly cache = new Map<DataNode, Buffer>();
  private window: Buffer = Buffer.alloc(0);
  private windowAt = 0;

  constructor(private readonly img: ByteSource) {}

  private raw(pos: number, len: number): Buffer {
    if (pos < this.windowAt || pos + len > this.windowAt + this.window.length) {
      this.windowAt = pos;
      this.window = this.img.read(pos, Math.max(len, READ_AHEAD));
    }
    return this.window.subarray(pos - this.windowAt, pos - this.windowAt + len);
  }

  decode(node: DataNode): Buffer {
    const hit = this.cache.get(node);
    if (hit) return hit;
    const raw = this.raw(node.dataPos, node.csize);
    if (raw.length < node.csize) throw new FirmwardenError(ErrorCodes.UNPACK_TRUNCATED, `data node at ${node.pos} is cut short`);
    const out = decompressNode(node.compr, raw, node.dsize);
    if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(node, out);
    return out;
  }
}

/**
 * A file's bytes, produced from its fragments as they are read. Strict (for view.read) it throws on a node
 * that does not decode; lenient (the source the engine peeks at outside any handler) it stops there, returns
 * what came before and reports once.
 */
export class JffsFile implements ByteSource {
  constructor(
    private readonly frags: readonly Fragment[],
    private readonly decoder: NodeDecoder,
    readonly size: number,
    private readonly path: string,
    private readonly onError?: (err: FirmwardenError) => void,
    private readonly base = 0,
  ) {}

  /** Index of the first fragment ending after `pos`. */
  private firstAfter(pos: number): number {
    let lo = 0;
    let hi = this.frags.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.frags[mid]!.end <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  read(offset: number, length: number): Buffer {
    const from = Math.max(0, Math.floor(offset));
    const to = Math.min(this.size, Math.floor(offset + length));
    if (!(to > from)) return Buffer.alloc(0);
    const out = Buffer.alloc(to - from);
    const s = this.base + from;
    const e = this.base + to;
    for (let i = this.firstAfter(s); i < this.frags.length; i++) {
      const f = this.frags[i]!;
      if (f.start >= e) break;
      let data: Buffer;
      try {
        data = this.decoder.decode(f.node);
      } catch (err) {
        const code = isFirmwardenError(err) ? err.code : ErrorCodes.UNPACK_MALFORMED;
        const failure = new FirmwardenError(code, `jffs2 ${this.path}: data node at ${f.node.pos}: ${errorMessage(err)}`, { path: this.path });
        if (!this.onError) throw failure;
        this.onError(failure);
        return out.subarray(0, Math.max(0, f.start - s));
      }
      const a = Math.max(s, f.start);
      const b = Math.min(e, f.end);
      data.copy(out, a - s, f.skip + (a - f.start), f.skip + (b - f.start));
    }
    return out;
  }

  subrange(start: number, end: number): ByteSource {
    const s = Math.max(0, Math.min(this.size, Math.floor(start)));
    const e = Math.max(s, Math.min(this.size, Math.floor(end)));
    return new JffsFile(this.frags, this.decoder, e - s, this.path, this.onError, this.base + s);
  }
}
