import type { VfsNodeType } from './vfs.js';

/** The node type of a POSIX st_mode (S_IFMT bits), as every Unix-like filesystem and archive stores it. */
export function nodeTypeFromMode(mode: number): VfsNodeType | undefined {
  switch (mode & 0o170000) {
    case 0o100000: return 'file';
    case 0o040000: return 'dir';
    case 0o120000: return 'symlink';
    case 0o020000: return 'chardev';
    case 0o060000: return 'blockdev';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    default: return undefined;
  }
}
