// A FileSystemView over a real directory (the accuracy harness and the benchmark unpack Debian packages with
// dpkg-deb -x and classify the tree as if an image had held it). Symlinks are resolved inside the directory only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileSystemView, VfsNode, VfsNodeType } from '../../service/unpack/vfs.js';

function typeOf(st: fs.Stats): VfsNodeType {
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'chardev';
  if (st.isBlockDevice()) return 'blockdev';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'file';
}

export class DirView implements FileSystemView {
  readonly format = 'directory';
  readonly chain = [];
  private readonly nodes = new Map<string, VfsNode>();

  constructor(
    private readonly root: string,
    readonly id = 'dir0',
  ) {
    const seenInodes = new Map<string, string>();
    const visit = (rel: string): void => {
      const st = fs.lstatSync(path.join(root, rel));
      const vpath = rel === '' ? '/' : `/${rel}`;
      const node: VfsNode = {
        path: vpath,
        type: typeOf(st),
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        size: st.isFile() ? st.size : 0,
        mtime: Math.floor(st.mtimeMs / 1000),
      };
      if (node.type === 'symlink') node.linkTarget = fs.readlinkSync(path.join(root, rel));
      if (node.type === 'file' && st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        const first = seenInodes.get(key);
        if (first) node.hardLinkOf = first;
        else seenInodes.set(key, vpath);
      }
      this.nodes.set(vpath, node);
      if (node.type === 'dir') {
        for (const name of fs.readdirSync(path.join(root, rel)).sort()) visit(rel === '' ? name : `${rel}/${name}`);
      }
    };
    visit('');
  }

  walk(): Iterable<VfsNode> {
    return this.nodes.values();
  }

  lstat(p: string): VfsNode | undefined {
    return this.nodes.get(p);
  }

  stat(p: string): VfsNode | undefined {
    let current = p;
    for (let hops = 0; hops < 40; hops++) {
      const node = this.nodes.get(current);
      if (!node || node.type !== 'symlink') return node;
      const target = node.linkTarget ?? '';
      current = path.posix.normalize(target.startsWith('/') ? target : path.posix.join(path.posix.dirname(current), target));
    }
    return undefined;
  }

  async read(p: string): Promise<Buffer> {
    const node = this.stat(p);
    if (!node || node.type !== 'file') throw new Error(`not a regular file: ${p}`);
    return fs.promises.readFile(path.join(this.root, node.path));
  }

  get fileCount(): number {
    let n = 0;
    for (const node of this.nodes.values()) if (node.type === 'file') n++;
    return n;
  }

  get totalBytes(): number {
    let n = 0;
    for (const node of this.nodes.values()) n += node.size;
    return n;
  }

  /** The regular files, as the SBOM analyzer hands them to scanBinaries. */
  regularFiles(): VfsNode[] {
    return [...this.nodes.values()].filter((n) => n.type === 'file');
  }
}
