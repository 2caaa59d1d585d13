// File contents: a file is its full blocks (each compressed alone, listed by size in the inode; size 0 is a
// hole) and, unless it was written without fragments, a tail packed with other tails in a fragment block.
// Nothing is read at open time. Two ways in: read() decodes only what a range needs, synchronously (the
// engine's peek at each file's first bytes, nested images read piecewise: file-source.ts); readWhole()
// decodes a whole file with its blocks spread over threads and the next fragment blocks decoded ahead.
// The last fragment blocks are cached because small files written one after another share them.
import * as zlib from 'node:zlib';
import type { ByteSource } from '../byte-source.js';
import type { BlockDecoder } from './compressors.js';
import type { DecodePool, Ticket, WorkerRequest } from './decode-pool.js';
import type { FragmentEntry, FragmentTable } from './fragment-table.js';
import type { Endian } from './endian.js';
import { NO_FRAGMENT, type FileLayout } from './inode-table.js';
import { metaError, type MetadataReader } from './metadata-reader.js';

const STORED_BLOCK = 1 << 24;
const SIZE_MASK = STORED_BLOCK - 1;
const FRAGMENT_CACHE = 8;
/** A whole-file read fetches the compressed blocks in one read up to this size (one pread, not one per block). */
const MAX_SPAN = 32 << 20;
/** Reads that end this close to a block's start decode only that far (see BlockDecoder.decodePrefix). */
const PREFIX_MAX = 16384;
/** Decoded blocks a file source keeps for the reads that follow (a nested image reads its host file piecewise). */
const SOURCE_CACHE = 4;

export interface RangeResult {
  data: Buffer;
  /** Set when the range could not be read whole: data is then the part before the damage. */
  error?: Error;
}

export class DataReader {
  private readonly fragCache = new Map<number, Buffer>();
  /** Fragment blocks decoded, decoding or queued for readWhole, by index, oldest first. */
  private readonly fragAhead = new Map<number, { promise: Promise<Buffer>; steal(): boolean }>();

  constructor(
    private readonly src: ByteSource,
    private readonly e: Endian,
    private readonly blockSize: number,
    private readonly decoder: BlockDecoder,
    private readonly meta: MetadataReader,
    private readonly fragments: FragmentTable,
    /** Data must lie before this (bytes_used). */
    private readonly end: number,
  ) {}

  blockList(f: FileLayout): Uint32Array {
    const raw = this.meta.cursor(f.listPos, f.listOffset).read(f.blockCount * 4);
    const list = new Uint32Array(f.blockCount);
    for (let i = 0; i < f.blockCount; i++) list[i] = this.e.u32(raw, i * 4);
    return list;
  }

  /** Bytes [offset, offset+length) of the file, which the caller has clipped to its size. */
  read(f: FileLayout, list: Uint32Array, offset: number, length: number, cache?: Map<number, Buffer>): RangeResult {
    const bs = this.blockSize;
    let i = Math.floor(offset / bs);
    let pos = f.blocksStart;
    for (let j = 0; j < i && j < list.length; j++) pos += (list[j] as number) & SIZE_MASK;
    let out: Buffer | undefined;
    let done = 0;
    try {
      while (done < length) {
        const blockStart = i * bs;
        let data: Buffer;
        let shared = false;
        if (i < f.blockCount) {
          const word = list[i] as number;
          const want = Math.min(bs, f.size - blockStart);
          const end = offset + length - blockStart;
          const hit = cache?.get(i);
          if (hit) data = hit;
          else if (done === 0 && end <= PREFIX_MAX && end < want) data = this.dataBlock(pos, word, want, end);
          else {
            data = this.dataBlock(pos, word, want);
            if (cache) {
              if (cache.size >= SOURCE_CACHE) cache.delete(cache.keys().next().value as number);
              cache.set(i, data);
            }
          }
          pos += word & SIZE_MASK;
        } else {
          data = this.tail(f, blockStart);
          shared = true;
        }
        const from = offset + done - blockStart;
        const n = Math.min(length - done, data.length - from);
        if (n <= 0) throw metaError(`block ${i} holds no bytes for offset ${offset + done}`);
        // A range inside one block is a view of it (no copy for peeks); a tail is copied out of the cached fragment.
        if (done === 0 && n === length) return { data: shared ? Buffer.from(data.subarray(from, from + n)) : data.subarray(from, from + n) };
        out ??= Buffer.allocUnsafe(length);
        data.copy(out, done, from, from + n);
        done += n;
        i++;
      }
      return { data: out ?? Buffer.alloc(0) };
    } catch (err) {
      return { data: out ? out.subarray(0, done) : Buffer.alloc(0), error: err as Error };
    }
  }

  /**
   * The whole file, its blocks decoded concurrently: zlib on node:zlib's thread pool; LZMA/xz/zstd queued to
   * the decode pool while this thread takes blocks back from the end of the queue and decodes them itself.
   * The caller has checked the size against its memory cap. Throws on damage.
   */
  async readWhole(f: FileLayout, pool: DecodePool | undefined): Promise<Buffer> {
    const d = this.decoder;
    const list = this.blockList(f);
    const bs = this.blockSize;
    const out = Buffer.allocUnsafe(f.size);
    const jobs: Array<Promise<void>> = [];
    const offload: Array<{ ticket: Ticket; block: Buffer; at: number; want: number }> = [];
    try {
      let span = 0;
      for (let i = 0; i < list.length; i++) span += (list[i] as number) & SIZE_MASK;
      const raw = span <= MAX_SPAN && f.blocksStart + span <= this.end ? this.src.read(f.blocksStart, span) : undefined;
      let pos = f.blocksStart;
      for (let i = 0; i < f.blockCount; i++) {
        const word = list[i] as number;
        const size = word & SIZE_MASK;
        const at = i * bs;
        const want = Math.min(bs, f.size - at);
        if (size === 0) {
          out.fill(0, at, at + want);
          continue;
        }
        if (size > bs) throw metaError(`data block of ${size} bytes, larger than the ${bs}-byte block size`);
        if (pos + size > this.end) throw metaError(`data block at ${pos} runs past the end of the image`, this.src.size < this.end);
        const block = raw ? raw.subarray(pos - f.blocksStart, pos - f.blocksStart + size) : this.src.read(pos, size);
        pos += size;
        if (block.length < size) throw metaError(`data block at ${pos - size} is cut off`, true);
        if (word & STORED_BLOCK) {
          if (size < want) throw metaError(`stored data block of ${size} bytes where ${want} are due`);
          block.copy(out, at, 0, want);
        } else if (d.isZlib(block)) {
          jobs.push(this.inflateAsync(block, want).then((data) => void data.copy(out, at)));
        } else if (pool && d.worthOffloading) {
          offload.push({ ticket: pool.submit(this.request(block, want)), block, at, want });
        } else {
          d.decode(block, bs, want).copy(out, at);
        }
      }
      const tailAt = f.blockCount * bs;
      if (f.size > tailAt) (await this.tailAsync(f, tailAt, pool)).copy(out, tailAt);
      for (let k = offload.length - 1; k >= 0; k--) {
        const o = offload[k]!;
        if (o.ticket.steal()) {
          d.decode(o.block, bs, o.want).copy(out, o.at);
          // Lets worker replies in, so the pool is fed while this thread works through the queue.
          await new Promise<void>((resolve) => setImmediate(resolve));
        } else {
          jobs.push(
            o.ticket.promise.then((r) => {
              d.record(r.variant);
              r.data.copy(out, o.at);
            }),
          );
        }
      }
      await Promise.all(jobs);
      return out;
    } catch (err) {
      // Blocks still decoding must not end as unhandled rejections; queued ones are dropped.
      for (const o of offload) o.ticket.steal();
      void Promise.allSettled(jobs);
      throw err;
    }
  }

  private request(block: Buffer, want: number | undefined): Omit<WorkerRequest, 'id'> {
    const d = this.decoder;
    return { compression: d.compression, legacy: d.isLegacy, dictSize: d.dictionarySize, input: new Uint8Array(block), max: this.blockSize, ...(want !== undefined ? { exact: want } : {}) };
  }

  private inflateAsync(block: Buffer, want: number | undefined): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      zlib.inflate(block, { maxOutputLength: this.blockSize }, (err, out) => {
        if (err) reject(metaError(`zlib block: ${err.message}`));
        else if (want !== undefined && out.length !== want) reject(metaError(`zlib block decodes to ${out.length} bytes, ${want} expected`));
        else {
          this.decoder.record('zlib');
          resolve(out);
        }
      });
    });
  }

  /** A file's tail; the next fragment blocks go to the pool ahead, as small files are read in the order they were packed. */
  private async tailAsync(f: FileLayout, blockStart: number, pool: DecodePool | undefined): Promise<Buffer> {
    if (f.fragment === NO_FRAGMENT) throw metaError('file data runs past its block list');
    if (pool && this.decoder.worthOffloading) {
      for (let k = 1; k <= pool.size && f.fragment + k < this.fragments.count; k++) {
        if (!this.fragAhead.has(f.fragment + k)) this.prefetchFragment(f.fragment + k, pool);
      }
    }
    const block = await this.fragmentNow(f.fragment);
    const len = f.size - blockStart;
    if (f.fragmentOffset + len > block.length) throw metaError(`file tail at ${f.fragmentOffset} (+${len}) lies past its ${block.length}-byte fragment block`);
    return block.subarray(f.fragmentOffset, f.fragmentOffset + len);
  }

  /** A fragment block: from the read-ahead (taken back and decoded here when no worker has started it yet). */
  private fragmentNow(index: number): Promise<Buffer> | Buffer {
    const ahead = this.fragAhead.get(index);
    if (ahead && !ahead.steal()) return ahead.promise;
    const data = this.fragmentBlock(index);
    this.keepAhead(index, { promise: Promise.resolve(data), steal: () => false });
    return data;
  }

  private prefetchFragment(index: number, pool: DecodePool): void {
    let entry: FragmentEntry;
    let raw: Buffer;
    try {
      entry = this.fragments.get(index);
      const size = entry.size & SIZE_MASK;
      if (size === 0 || size > this.blockSize || entry.start + size > this.end || entry.size & STORED_BLOCK || this.fragCache.has(entry.start)) return;
      raw = this.src.read(entry.start, size);
      if (raw.length < size) return;
    } catch {
      // The read that needs this fragment reports its damage.
      return;
    }
    const ticket = pool.submit(this.request(raw, undefined));
    const promise = ticket.promise.then((r) => {
      this.decoder.record(r.variant);
      return r.data;
    });
    promise.catch(() => undefined);
    this.keepAhead(index, { promise, steal: ticket.steal });
  }

  private keepAhead(index: number, entry: { promise: Promise<Buffer>; steal(): boolean }): void {
    this.fragAhead.delete(index);
    if (this.fragAhead.size >= FRAGMENT_CACHE * 2) this.fragAhead.delete(this.fragAhead.keys().next().value as number);
    this.fragAhead.set(index, entry);
  }

  /** Block data; with `prefix`, possibly only its first bytes (at least that many). */
  private dataBlock(pos: number, word: number, want: number, prefix?: number): Buffer {
    const size = word & SIZE_MASK;
    if (size === 0) return Buffer.alloc(want);
    if (size > this.blockSize) throw metaError(`data block of ${size} bytes, larger than the ${this.blockSize}-byte block size`);
    if (pos + size > this.end) throw metaError(`data block at ${pos} runs past the end of the image`, pos < this.end || this.src.size < this.end);
    const raw = this.src.read(pos, size);
    if (raw.length < size) throw metaError(`data block at ${pos} is cut off`, true);
    if (word & STORED_BLOCK) {
      if (size < want) throw metaError(`stored data block of ${size} bytes where ${want} are due`);
      return raw.subarray(0, want);
    }
    return prefix !== undefined ? this.decoder.decodePrefix(raw, prefix, want) : this.decoder.decode(raw, this.blockSize, want);
  }

  private tail(f: FileLayout, blockStart: number): Buffer {
    if (f.fragment === NO_FRAGMENT) throw metaError('file data runs past its block list');
    const block = this.fragmentBlock(f.fragment);
    const len = f.size - blockStart;
    if (f.fragmentOffset + len > block.length) throw metaError(`file tail at ${f.fragmentOffset} (+${len}) lies past its ${block.length}-byte fragment block`);
    return block.subarray(f.fragmentOffset, f.fragmentOffset + len);
  }

  private fragmentBlock(index: number): Buffer {
    const entry = this.fragments.get(index);
    const hit = this.fragCache.get(entry.start);
    if (hit) {
      // Re-inserted to keep the map in least-recently-used order.
      this.fragCache.delete(entry.start);
      this.fragCache.set(entry.start, hit);
      return hit;
    }
    const size = entry.size & SIZE_MASK;
    if (size === 0 || size > this.blockSize) throw metaError(`fragment block of ${size} bytes`);
    if (entry.start + size > this.end) throw metaError(`fragment block at ${entry.start} runs past the end of the image`, this.src.size < this.end);
    const raw = this.src.read(entry.start, size);
    if (raw.length < size) throw metaError(`fragment block at ${entry.start} is cut off`, true);
    const data = entry.size & STORED_BLOCK ? raw : this.decoder.decode(raw, this.blockSize);
    if (this.fragCache.size >= FRAGMENT_CACHE) this.fragCache.delete(this.fragCache.keys().next().value as number);
    this.fragCache.set(entry.start, data);
    return data;
  }
}
