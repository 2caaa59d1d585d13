// Every unpack handler, listed by hand (no directory scanning): adding a format is one file plus one line
// here, and the meta-test in test/unpack fails until that format has a fixture test.
import type { Handler } from './handler.js';
import { cpioHandler } from './handlers/cpio.js';
import { gzipHandler } from './handlers/gzip.js';
import { tarHandler } from './handlers/tar.js';
import { zipHandler } from './handlers/zip.js';

/** Order matters only when two handlers claim a chunk at the same offset: the earlier one wins. */
export const HANDLERS: readonly Handler[] = [gzipHandler, tarHandler, cpioHandler, zipHandler];
