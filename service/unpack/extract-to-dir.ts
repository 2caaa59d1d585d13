// Writes a FileSystemView to disk for the tools that need real files (peers in tests, an operator's export).
// The view is hostile: no path leaves `dir`, nothing is written through a symlink (every parent is checked
// with lstat, files are created O_EXCL|O_NOFOLLOW, and symlinks are created last, as unsquashfs does, with
// their original targets), set-id bits are dropped, and device nodes are listed, never created.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../errors.js';
import type { FileSystemView, VfsNode } from './vfs.js';

export interface ExtractResult {
  /** Directories, files, hard links and symlinks created. */
  created: number;
  /** Device nodes, fifos and sockets: recorded here, never created. */
  special: VfsNode[];
  /** Entries not written and why (unsafe name, unreadable contents, a clash). */
  skipped: Array<{ path: string; reason: string }>;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const FILE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
const SET_ID_BITS = 0o6000;

/** The path's segments when it is a plain relative name under the root; undefined when it is not. */
function safeSegments(p: string): string[] | undefined {
  if (p.includes('\0')) return undefined;
  const segs = p.split('/').filter((s) => s !== '' && s !== '.');
  return segs.includes('..') ? undefined : segs;
}

class DirWriter {
  readonly result: ExtractResult = { created: 0, special: [], skipped: [] };
  /** Directories under root known to be real directories (we are the only writer, so they stay so). */
  private readonly verified = new Set<string>();

  constructor(
    private readonly root: string,
    /** Paths the view itself lists as something other than a directory. */
    private readonly nonDirs: Set<string>,
  ) {
    this.verified.add(root);
  }

  skip(p: string, reason: string): void {
    this.result.skipped.push({ path: p, reason });
  }

  /** Absolute target for a view path after checking that every parent is a real directory (made if missing). */
  target(p: string): string | undefined {
    const segs = safeSegments(p);
    if (!segs || segs.length === 0) {
      this.skip(p, 'unsafe or empty path');
      return undefined;
    }
    // Below a symlink of the view: on disk that parent does not exist yet (links come last), and making it a
    // directory would both lose the link and be unfaithful. Skipped, like the tree itself skips them.
    for (let i = 1; i < segs.length; i++) {
      const parent = '/' + segs.slice(0, i).join('/');
      if (this.nonDirs.has(parent)) {
        this.skip(p, `lies below the non-directory ${parent}`);
        return undefined;
      }
    }
    let cur = this.root;
    for (const seg of segs.slice(0, -1)) {
      cur = path.join(cur, seg);
      if (this.verified.has(cur)) continue;
      const st = fs.lstatSync(cur, { throwIfNoEntry: false });
      if (!st) fs.mkdirSync(cur, { mode: 0o700 });
      else if (!st.isDirectory()) {
        this.skip(p, `parent ${path.relative(this.root, cur)} is not a directory`);
        return undefined;
      }
      this.verified.add(cur);
    }
    return path.join(cur, segs[segs.length - 1] as string);
  }

  mkdir(abs: string): void {
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (!st) fs.mkdirSync(abs, { mode: 0o700 });
    else if (!st.isDirectory()) throw new Error('exists and is not a directory');
    this.verified.add(abs);
  }

  writeFile(abs: string, data: Buffer, node: VfsNode): void {
    const fd = fs.openSync(abs, FILE_FLAGS, 0o600);
    try {
      for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done);
      fs.fchmodSync(fd, node.mode & 0o7777 & ~SET_ID_BITS);
      fs.futimesSync(fd, node.mtime, node.mtime);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** Writes a faithful copy of `view` confined to `dir` (created if missing). */
export async function extractToDir(view: FileSystemView, dir: string, opts: { signal?: AbortSignal } = {}): Promise<ExtractResult> {
  fs.mkdirSync(dir, { recursive: true });
  const nonDirs = new Set<string>();
  for (const n of view.walk()) {
    const segs = n.type === 'dir' ? undefined : safeSegments(n.path);
    if (segs) nonDirs.add('/' + segs.join('/'));
  }
  const w = new DirWriter(fs.realpathSync(dir), nonDirs);
  const dirs: Array<[string, VfsNode]> = [];
  const links: VfsNode[] = [];
  const hardLinks: VfsNode[] = [];
  const written = new Map<string, string>();

  const attempt = async (node: VfsNode, fn: (abs: string) => void | Promise<void>): Promise<void> => {
    const abs = w.target(node.path);
    if (abs === undefined) return;
    try {
      await fn(abs);
      w.result.created++;
    } catch (err) {
      w.skip(node.path, errorMessage(err));
    }
  };

  for (const node of view.walk()) {
    opts.signal?.throwIfAborted();
    if (node.path === '/') continue;
    if (node.type === 'dir') {
      await attempt(node, (abs) => {
        w.mkdir(abs);
        dirs.push([abs, node]);
      });
    } else if (node.type === 'file' && node.hardLinkOf) {
      hardLinks.push(node);
    } else if (node.type === 'file') {
      await attempt(node, async (abs) => {
        w.writeFile(abs, await view.read(node.path), node);
        written.set(node.path, abs);
      });
    } else if (node.type === 'symlink') {
      links.push(node);
    } else {
      w.result.special.push(node);
    }
  }
  // Hard links after all files: a link may come before its origin in path order (cpio keeps data last).
  for (const node of hardLinks) {
    const origin = written.get(node.hardLinkOf as string);
    await attempt(node, async (abs) => {
      if (origin) fs.linkSync(origin, abs);
      else w.writeFile(abs, await view.read(node.path), node);
    });
  }
  // Symlinks last, so that no file or directory above is ever created through one of them.
  for (const node of links) await attempt(node, (abs) => fs.symlinkSync(node.linkTarget ?? '', abs));
  // Directory modes last and deepest first, so a read-only directory is filled before it is closed.
  for (const [abs, node] of dirs.reverse()) {
    try {
      fs.chmodSync(abs, node.mode & 0o7777 & ~SET_ID_BITS);
      fs.utimesSync(abs, node.mtime, node.mtime);
    } catch (err) {
      w.skip(node.path, `mode not applied: ${errorMessage(err)}`);
    }
  }
  return w.result;
}
