// The unpacker: carve the image, open each chunk with its handler, and recurse into what comes out (a
// payload is carved again; a file of a tree that starts with a known container is carved too), inside the
// limits. Bad content never throws: it becomes typed entries of summary.errors and the unpacker goes on.
import * as fs from 'node:fs';
import { ErrorCodes, FirmwardenError, errorCode, errorMessage, type ErrorCode } from '../errors.js';
import type { ChainLink, ExtractionSummary, ReportError } from '../report/report-types.js';
import { BufferSource, FileSource, type ByteSource } from './byte-source.js';
import type { Handler, OpenContext, TreeView } from './handler.js';
import { DEFAULT_UNPACK_LIMITS, RATIO_FLOOR_BYTES, type UnpackLimits } from './limits.js';
import { MemoryTree, normalizeEntryPath } from './memory-tree.js';
import { CappedSink } from './payload-sink.js';
import { HANDLERS } from './registry.js';
import { identifyAtStart, scanSignatures, type CarvedChunk } from './signature-scan.js';
import type { FileSystemView } from './vfs.js';
import { PayloadView } from './wrappers/payload-view.js';

export { DEFAULT_UNPACK_LIMITS, type UnpackLimits } from './limits.js';

export interface UnpackOptions {
  imagePath: string;
  limits: UnpackLimits;
  signal?: AbortSignal;
  onProgress?: (fraction: number, msg?: string) => void;
  /** The registry's handlers unless a test wants others. */
  handlers?: readonly Handler[];
}

export interface UnpackResult {
  summary: ExtractionSummary;
  filesystems: FileSystemView[];
  /** Releases the image's file descriptor; views still work afterwards (they reopen it on demand). */
  close(): void;
}

/** The same problem repeated by one container (100,000 "../" entries) is listed this many times. */
const MAX_SAME_ERROR = 50;

/** "tar@0 > /fw.bin:gzip@512": where a problem is, for report entries that have no file path of their own. */
function describeChain(chain: readonly ChainLink[]): string {
  return chain.map((l) => `${l.path ? `${l.path}:` : ''}${l.format}@${l.offset}`).join(' > ');
}

/** Report entries carry our codes only: an I/O error is the image being unreadable, anything else damage. */
function reportCode(err: unknown): string {
  const code = errorCode(err);
  if (code.startsWith('FW_ERR_') && code !== 'FW_ERR_INTERNAL') return code;
  return /^E[A-Z]+$/.test(code) ? ErrorCodes.INPUT_UNREADABLE : ErrorCodes.UNPACK_MALFORMED;
}

function openImage(path: string): FileSource {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (err) {
    const code = errorCode(err) === 'ENOENT' ? ErrorCodes.INPUT_NOT_FOUND : ErrorCodes.INPUT_UNREADABLE;
    throw new FirmwardenError(code, `cannot read image ${path}: ${errorMessage(err)}`, { path }, { cause: err });
  }
  if (!st.isFile()) throw new FirmwardenError(ErrorCodes.INPUT_NOT_A_FILE, `image ${path} is not a regular file`, { path });
  try {
    return new FileSource(path);
  } catch (err) {
    throw new FirmwardenError(ErrorCodes.INPUT_UNREADABLE, `cannot open image ${path}: ${errorMessage(err)}`, { path }, { cause: err });
  }
}

class Unpacker {
  readonly summary: ExtractionSummary = { chain: [], fileCount: 0, rootFileSystems: [], unknownRegions: [], errors: [] };
  readonly filesystems: FileSystemView[] = [];
  private bytesUsed = 0;
  private entriesUsed = 0;
  private readonly errorCounts = new Map<string, number>();
  private readonly signal: AbortSignal;
  /** Payloads with bytes no handler claimed, readable by analyzers through this view (finish() adds it). */
  private readonly payloads = new PayloadView((code, message, path) => this.error(code, message, [], path));

  constructor(
    private readonly limits: Required<UnpackLimits>,
    private readonly handlers: readonly Handler[],
    signal: AbortSignal | undefined,
  ) {
    this.signal = signal ?? new AbortController().signal;
  }

  error(code: ErrorCode | string, message: string, chain: readonly ChainLink[], path?: string): void {
    const where = describeChain(chain);
    const key = `${code} ${where}`;
    const seen = (this.errorCounts.get(key) ?? 0) + 1;
    this.errorCounts.set(key, seen);
    if (seen > MAX_SAME_ERROR + 1) return;
    const last = chain[chain.length - 1];
    const e: ReportError = { code, stage: 'extraction', message: where ? `${where}: ${message}` : message };
    if (seen === MAX_SAME_ERROR + 1) e.message = `${where}: further ${code} problems in this container are not listed`;
    // Handlers may name an entry as the archive spells it; the report uses paths rooted in the tree.
    else if (path !== undefined) e.path = normalizeEntryPath(path).path;
    if (last) e.offset = last.offset;
    this.summary.errors.push(e);
  }

  /** Carves `src` and opens what it finds; returns how many chunks it held. */
  async carve(src: ByteSource, chain: ChainLink[], filePath?: string, progress?: (f: number) => void): Promise<number> {
    const { chunks, unknown } = scanSignatures(src, this.handlers, {
      signal: this.signal,
      ...(progress ? { onProgress: (f: number) => progress(f * 0.1) } : {}),
    });
    // Gaps in a file of a tree stay readable through the tree itself; gaps elsewhere exist nowhere else.
    if (filePath === undefined) for (const r of unknown) this.summary.unknownRegions.push({ ...r, chain });
    for (const c of chunks) {
      progress?.(0.1 + (0.9 * c.chunk.start) / src.size);
      await this.open(src, c, chain, filePath);
    }
    return chunks.length;
  }

  private async open(src: ByteSource, { handler, chunk }: CarvedChunk, parent: ChainLink[], filePath?: string): Promise<void> {
    const size = chunk.end - chunk.start;
    const link: ChainLink = { format: handler.name, offset: chunk.start, size, ...(filePath !== undefined ? { path: filePath } : {}) };
    const chain = [...parent, link];
    const entry: ExtractionSummary['chain'][number] = { ...link, depth: chain.length, children: 0 };
    this.summary.chain.push(entry);
    if (chain.length > this.limits.maxDepth) {
      this.error(ErrorCodes.UNPACK_LIMIT, `nested deeper than maxDepth ${this.limits.maxDepth}; not opened`, chain);
      return;
    }
    let result;
    try {
      result = await handler.open(src, chunk, this.context(chain, size));
    } catch (err) {
      this.signal.throwIfAborted();
      this.error(reportCode(err), errorMessage(err), chain);
      return;
    }
    this.signal.throwIfAborted();
    if (result.kind === 'payload') {
      this.bytesUsed += result.data.size;
      const before = this.summary.unknownRegions.length;
      entry.children = await this.carve(result.data, chain);
      // Bytes of this payload that no handler claimed (other than padding) exist in no tree: keep them readable.
      const unclaimed = this.summary.unknownRegions.slice(before).some((u) => u.chain === chain && u.note !== 'padding');
      if (unclaimed && this.payloads.addPayload(chain, result.name, result.data, chunk.meta)) this.entriesUsed++;
    } else {
      entry.children = await this.addTree(result.tree, chain, size);
    }
  }

  private context(chain: ChainLink[], inputSize: number): OpenContext {
    const ratioCap = Math.max(RATIO_FLOOR_BYTES, this.limits.maxRatio * inputSize);
    const bytesLeft = Math.max(0, this.limits.maxTotalBytes - this.bytesUsed);
    const caps: Array<[number, string]> = [
      [this.limits.maxPayloadInMemory, `maxPayloadInMemory (${this.limits.maxPayloadInMemory} bytes)`],
      [bytesLeft, `maxTotalBytes (${this.limits.maxTotalBytes} bytes over the image)`],
      [ratioCap, `maxRatio ${this.limits.maxRatio} (input ${inputSize} bytes)`],
    ];
    const [cap, why] = caps.reduce((a, b) => (b[0] < a[0] ? b : a));
    return {
      limits: { ...this.limits, maxTotalBytes: bytesLeft, maxFiles: Math.max(0, this.limits.maxFiles - this.entriesUsed) },
      signal: this.signal,
      problem: (code, message, path) => this.error(code, message, chain, path),
      createSink: () => new CappedSink(cap, () => this.error(ErrorCodes.UNPACK_LIMIT, `output cut at ${cap} bytes by ${why}`, chain)),
    };
  }

  /** Adds the view of payloads no handler opened fully, when there are any (after all other views). */
  finish(): void {
    if (this.payloads.size === 0) return;
    const id = `fs${this.filesystems.length}`;
    const view = Object.assign(this.payloads, { id, chain: [] });
    this.filesystems.push(view);
    this.summary.rootFileSystems.push({ id, format: view.format, chain: [], fileCount: view.fileCount, totalBytes: view.totalBytes });
    this.summary.fileCount += view.fileCount;
  }

  /** Records a tree and carves its files that start with a container; returns how many it held. */
  private async addTree(tree: TreeView, chain: ChainLink[], inputSize: number): Promise<number> {
    let entries = 0;
    for (const _ of tree.walk()) entries++;
    this.entriesUsed += Math.max(0, entries - 1);
    const id = `fs${this.filesystems.length}`;
    const view: FileSystemView = tree instanceof MemoryTree ? Object.assign(tree, { id, chain }) : { ...labelled(tree), id, chain };
    this.filesystems.push(view);
    this.summary.rootFileSystems.push({ id, format: view.format, chain, fileCount: view.fileCount, totalBytes: view.totalBytes });
    this.summary.fileCount += view.fileCount;
    const bytes = view.totalBytes;
    const overRatio = bytes > Math.max(RATIO_FLOOR_BYTES, this.limits.maxRatio * inputSize);
    const overTotal = this.bytesUsed + bytes > this.limits.maxTotalBytes;
    this.bytesUsed += bytes;
    if (overRatio || overTotal) {
      const why = overRatio ? `maxRatio ${this.limits.maxRatio}` : `maxTotalBytes ${this.limits.maxTotalBytes}`;
      this.error(ErrorCodes.UNPACK_LIMIT, `its files declare ${bytes} bytes, past ${why}; not looked into`, chain);
      return 0;
    }
    let found = 0;
    for (const node of tree.walk()) {
      if (node.type !== 'file' || node.hardLinkOf || node.size === 0) continue;
      this.signal.throwIfAborted();
      const src = await this.fileSource(tree, node.path, node.size, chain);
      if (!src) continue;
      // A lazily decoded file can fail on first read (damaged block); that is a report entry, not a crash.
      let starts: boolean;
      try {
        starts = Boolean(identifyAtStart(src, this.handlers));
      } catch (err) {
        this.error(reportCode(err), errorMessage(err), chain, node.path);
        continue;
      }
      if (!starts) continue;
      found += await this.carve(src, chain, node.path);
    }
    return found;
  }

  private async fileSource(tree: TreeView, path: string, size: number, chain: ChainLink[]): Promise<ByteSource | undefined> {
    try {
      if (tree.openSource) return tree.openSource(path);
      // A view without zero-copy access is read whole, so only files under the in-memory cap are looked at.
      return size <= this.limits.maxPayloadInMemory ? new BufferSource(await tree.read(path)) : undefined;
    } catch (err) {
      // Encrypted or unsupported entries were reported when the container was opened.
      if (errorCode(err) !== ErrorCodes.UNPACK_UNSUPPORTED) this.error(reportCode(err), errorMessage(err), chain, path);
      return undefined;
    }
  }
}

/** A handler's tree with its methods bound, for views that are not MemoryTrees. */
function labelled(tree: TreeView): Omit<FileSystemView, 'id' | 'chain'> {
  return {
    format: tree.format,
    walk: () => tree.walk(),
    lstat: (p) => tree.lstat(p),
    stat: (p) => tree.stat(p),
    read: (p) => tree.read(p),
    get fileCount() {
      return tree.fileCount;
    },
    get totalBytes() {
      return tree.totalBytes;
    },
  };
}

/**
 * Unpacks the image at imagePath. Throws only when the image cannot be read (FirmwardenError INPUT_*) or when
 * `signal` aborts (its reason); every problem of the content is an entry of summary.errors.
 */
export async function unpackImage(opts: UnpackOptions): Promise<UnpackResult> {
  const image = openImage(opts.imagePath);
  const limits: Required<UnpackLimits> = { ...DEFAULT_UNPACK_LIMITS, ...definedOnly(opts.limits) };
  const unpacker = new Unpacker(limits, opts.handlers ?? HANDLERS, opts.signal);
  const close = (): void => image.close();
  if (image.size === 0) {
    unpacker.summary.errors.push({ code: ErrorCodes.INPUT_EMPTY, stage: 'extraction', message: 'the image is empty (0 bytes)' });
  } else {
    try {
      await unpacker.carve(image, [], undefined, (f) => opts.onProgress?.(f));
      unpacker.finish();
    } catch (err) {
      close();
      throw err;
    }
  }
  opts.onProgress?.(1, 'extraction done');
  return { summary: unpacker.summary, filesystems: unpacker.filesystems, close };
}

function definedOnly(limits: UnpackLimits): Partial<UnpackLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as Partial<UnpackLimits>;
}
