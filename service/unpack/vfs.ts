import type { ChainLink } from '../report/report-types.js';

export type VfsNodeType = 'file' | 'dir' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket';

/** One entry of an extracted filesystem, as stat would show it. Paths are absolute inside that filesystem. */
export interface VfsNode {
  path: string;
  type: VfsNodeType;
  /** Permission bits and set-id/sticky bits (no file-type bits). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkTarget?: string;
  /** major/minor for device nodes: recorded, never created on disk. */
  rdev?: { major: number; minor: number };
  /** Set when this path is a hard link to another path of the same filesystem. */
  hardLinkOf?: string;
}

/**
 * A read-only view of one extracted filesystem or archive. Analyzers read straight from it; nothing is written
 * to disk to analyze it. Symlink resolution never leaves this view's own root.
 */
export interface FileSystemView {
  readonly id: string;
  readonly format: string;
  /** How we got here from the image: one link per container, outermost first. */
  readonly chain: ChainLink[];
  /** Every node, parents before children, in a stable (sorted) order. */
  walk(): Iterable<VfsNode>;
  /** The node at path, not following a final symlink. */
  lstat(path: string): VfsNode | undefined;
  /** The node at path after resolving symlinks inside this view; undefined when dangling or looping. */
  stat(path: string): VfsNode | undefined;
  /** Whole contents of a regular file (following symlinks inside the view). Throws FW_ERR_* on damage. */
  read(path: string): Promise<Buffer>;
  readonly fileCount: number;
  readonly totalBytes: number;
}
