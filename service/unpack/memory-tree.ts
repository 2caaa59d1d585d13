// An extracted tree kept as a map of nodes whose file contents are produced on demand, so a tar or cpio over
// a ByteSource costs memory per entry, not per byte. Archive paths are hostile: they are normalised here once
// for every handler, and symlinks are resolved as if the view were a chroot.
import { ErrorCodes, FirmwardenError, type ErrorCode } from '../errors.js';
import type { ChainLink } from '../report/report-types.js';
import { BufferSource, type ByteSource } from './byte-source.js';
import type { FileSystemView, VfsNode, VfsNodeType } from './vfs.js';

export type ProblemSink = (code: ErrorCode, message: string, path?: string) => void;

export interface NodeInput {
  /** The path as the archive spells it ("./etc/passwd", "../../x", "/abs"). */
  path: string;
  type: VfsNodeType;
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  /** Regular files only; other types get 0 (symlinks: the target's length). */
  size?: number;
  linkTarget?: string;
  rdev?: { major: number; minor: number };
  /** Whole contents, produced when read. */
  content?: () => Buffer;
  /** Zero-copy contents, preferred over `content` when both exist. */
  source?: () => ByteSource;
}

interface Entry {
  node: VfsNode;
  content?: (() => Buffer) | undefined;
  source?: (() => ByteSource) | undefined;
}

/** Symlink hops before a path counts as a loop (Linux's MAXSYMLINKS is 40). */
const MAX_HOPS = 40;

/**
 * "/"-rooted path with "." and empty segments dropped and ".." resolved lexically. escaped: a ".." tried to
 * climb above the root; absolute: the archive gave a "/"-rooted name (tar -P), which an extractor would
 * write outside its directory.
 */
export function normalizeEntryPath(raw: string): { path: string; escaped: boolean; absolute: boolean } {
  const out: string[] = [];
  let escaped = false;
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0) out.pop();
      else escaped = true;
      continue;
    }
    out.push(part);
  }
  return { path: '/' + out.join('/'), escaped, absolute: raw.startsWith('/') };
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function compareSegments(a: string, b: string): number {
  const sa = a.split('/');
  const sb = b.split('/');
  const n = Math.min(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    const x = sa[i] as string;
    const y = sb[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}

export class MemoryTree implements FileSystemView {
  id = '';
  chain: ChainLink[] = [];
  private readonly entries = new Map<string, Entry>();
  private sorted: VfsNode[] | undefined;
  private limitReported = false;

  constructor(
    readonly format: string,
    private readonly problem: ProblemSink = () => {},
    /** Entries beyond this are dropped (one FW_ERR_UNPACK_LIMIT problem): bounds memory on hostile archives. */
    private readonly maxEntries = Number.POSITIVE_INFINITY,
  ) {
    this.entries.set('/', { node: { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 } });
  }

  /** Adds (or, as tar does, replaces) an entry; undefined when it was dropped as hostile or over the limit. */
  add(input: NodeInput): VfsNode | undefined {
    const path = this.checkedPath(input.path);
    if (path === undefined) return undefined;
    const existing = this.entries.get(path);
    if (path === '/' || (existing?.node.type === 'dir' && input.type === 'dir')) {
      if (input.type !== 'dir') {
        this.problem(ErrorCodes.UNPACK_MALFORMED, `a ${input.type} entry names the root directory; dropped`, input.path);
        return undefined;
      }
      // A directory listed twice (or "./") only updates its metadata; its children stay.
      const node = existing!.node;
      Object.assign(node, { mode: input.mode & 0o7777, uid: input.uid ?? 0, gid: input.gid ?? 0, mtime: input.mtime ?? 0 });
      return node;
    }
    if (existing?.node.type === 'dir' && this.hasChildren(path)) {
      this.problem(ErrorCodes.UNPACK_MALFORMED, `a ${input.type} entry would replace a non-empty directory; dropped`, path);
      return undefined;
    }
    if (!existing && !this.withinBudget()) return undefined;
    if (!this.makeParents(path, input.path)) return undefined;
    const node: VfsNode = {
      path,
      type: input.type,
      mode: input.mode & 0o7777,
      uid: input.uid ?? 0,
      gid: input.gid ?? 0,
      size: input.type === 'file' ? (input.size ?? 0) : input.type === 'symlink' ? Buffer.byteLength(input.linkTarget ?? '') : 0,
      mtime: input.mtime ?? 0,
    };
    if (input.type === 'symlink') node.linkTarget = input.linkTarget ?? '';
    if (input.rdev && (input.type === 'chardev' || input.type === 'blockdev')) node.rdev = input.rdev;
    const entry: Entry = { node };
    if (input.content) entry.content = input.content;
    if (input.source) entry.source = input.source;
    this.entries.set(path, entry);
    this.sorted = undefined;
    return node;
  }

  /** A hard link: the same contents under another path. The target must already be in the tree. */
  addHardLink(rawPath: string, rawTarget: string, meta: { mode?: number; uid?: number; gid?: number; mtime?: number } = {}): VfsNode | undefined {
    const target = normalizeEntryPath(rawTarget);
    let origin = this.entries.get(target.path);
    // Inside the view a link can only reach the view's own nodes, so an escaping target that names one is kept.
    if (target.escaped) {
      const what = origin ? `kept as a link to "${target.path}"` : 'dropped';
      this.problem(ErrorCodes.UNPACK_PATH_TRAVERSAL, `hard link target "${rawTarget}" points outside the root; ${what}`, normalizeEntryPath(rawPath).path);
    }
    if (!origin || origin.node.type === 'dir') {
      if (!target.escaped) {
        this.problem(ErrorCodes.UNPACK_MALFORMED, `hard link to "${rawTarget}" has no target in the archive; dropped`, normalizeEntryPath(rawPath).path);
      }
      return undefined;
    }
    if (origin.node.hardLinkOf) origin = this.entries.get(origin.node.hardLinkOf) ?? origin;
    const o = origin.node;
    const node = this.add({
      path: rawPath,
      type: o.type,
      mode: meta.mode ?? o.mode,
      uid: meta.uid ?? o.uid,
      gid: meta.gid ?? o.gid,
      mtime: meta.mtime ?? o.mtime,
      size: o.size,
      ...(o.linkTarget !== undefined ? { linkTarget: o.linkTarget } : {}),
      ...(o.rdev ? { rdev: o.rdev } : {}),
    });
    if (node && node.path !== o.path) node.hardLinkOf = o.path;
    return node;
  }

  /** Replaces the contents of a regular file and its hard links (cpio stores them with the last link). */
  setContent(path: string, size: number, content: { content?: () => Buffer; source?: () => ByteSource }): void {
    const e = this.entries.get(path);
    if (!e || e.node.type !== 'file') return;
    e.node.size = size;
    e.content = content.content;
    e.source = content.source;
    for (const other of this.entries.values()) if (other.node.hardLinkOf === path) other.node.size = size;
  }

  private checkedPath(raw: string): string | undefined {
    const { path, escaped, absolute } = normalizeEntryPath(raw);
    if (escaped || absolute) {
      this.problem(ErrorCodes.UNPACK_PATH_TRAVERSAL, `entry "${raw}" points outside the root; kept as "${path}"`, path);
    }
    return path;
  }

  private withinBudget(): boolean {
    if (this.entries.size - 1 < this.maxEntries) return true;
    if (!this.limitReported) {
      this.limitReported = true;
      this.problem(ErrorCodes.UNPACK_LIMIT, `more than ${this.maxEntries} entries; the rest were not listed`);
    }
    return false;
  }

  /** Creates missing ancestors as plain directories; refuses an entry below a symlink or file (the tar-slip trick). */
  private makeParents(path: string, raw: string): boolean {
    const missing: string[] = [];
    for (let p = parentOf(path); ; p = parentOf(p)) {
      const e = this.entries.get(p);
      if (e) {
        if (e.node.type !== 'dir') {
          this.problem(ErrorCodes.UNPACK_PATH_TRAVERSAL, `entry "${raw}" lies below the ${e.node.type} "${p}"; dropped`, path);
          return false;
        }
        break;
      }
      missing.push(p);
      if (p === '/') break;
    }
    for (const p of missing.reverse()) {
      this.entries.set(p, { node: { path: p, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 } });
    }
    return true;
  }

  private hasChildren(dir: string): boolean {
    const prefix = dir + '/';
    for (const p of this.entries.keys()) if (p.startsWith(prefix)) return true;
    return false;
  }

  /** Resolves a path inside the view: ".." stops at the root, absolute link targets restart at it. */
  private resolve(path: string, followFinal: boolean): Entry | undefined {
    let pending = path.split('/');
    let cur: string[] = [];
    let hops = 0;
    for (let i = 0; i < pending.length; i++) {
      const name = pending[i] as string;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        cur.pop();
        continue;
      }
      const p = '/' + [...cur, name].join('/');
      const e = this.entries.get(p);
      if (!e) return undefined;
      const more = pending.slice(i + 1).some((s) => s !== '' && s !== '.');
      if (e.node.type === 'symlink' && (more || followFinal)) {
        if (++hops > MAX_HOPS) return undefined;
        const target = e.node.linkTarget ?? '';
        if (target.startsWith('/')) cur = [];
        pending = [...target.split('/'), ...pending.slice(i + 1)];
        i = -1;
        continue;
      }
      if (more && e.node.type !== 'dir') return undefined;
      cur.push(name);
    }
    return this.entries.get('/' + cur.join('/'));
  }

  *walk(): Iterable<VfsNode> {
    this.sorted ??= [...this.entries.keys()].sort(compareSegments).map((p) => this.entries.get(p)!.node);
    yield* this.sorted;
  }

  lstat(path: string): VfsNode | undefined {
    return this.resolve(path, false)?.node;
  }

  stat(path: string): VfsNode | undefined {
    return this.resolve(path, true)?.node;
  }

  /** The entry holding the contents of a regular file: its hard-link origin when it is a link. */
  private bodyEntry(path: string): Entry | undefined {
    const e = this.resolve(path, true);
    if (!e || e.node.type !== 'file') return undefined;
    return e.node.hardLinkOf ? (this.entries.get(e.node.hardLinkOf) ?? e) : e;
  }

  async read(path: string): Promise<Buffer> {
    const e = this.bodyEntry(path);
    if (!e) throw new FirmwardenError(ErrorCodes.NOT_FOUND, `no regular file at ${path} in ${this.format}`, { path });
    try {
      if (e.content) return e.content();
      if (e.source) return e.source().read(0, e.node.size);
      return Buffer.alloc(0);
    } catch (err) {
      if (err instanceof FirmwardenError) throw err;
      throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `cannot read ${path}: ${(err as Error).message}`, { path }, { cause: err });
    }
  }

  /** Zero-copy bytes of a regular file when the handler gave a source; otherwise its contents, produced now. */
  openSource(path: string): ByteSource | undefined {
    const e = this.bodyEntry(path);
    if (!e) return undefined;
    if (e.source) return e.source();
    return new BufferSource(e.content ? e.content() : Buffer.alloc(0));
  }

  /** Regular files, hard links included. */
  get fileCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.node.type === 'file') n++;
    return n;
  }

  /** Bytes of regular files, each hard-linked body counted once. */
  get totalBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.node.type === 'file' && !e.node.hardLinkOf) n += e.node.size;
    return n;
  }
}
