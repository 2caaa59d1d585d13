// Every unpack handler, listed by hand (no directory scanning): adding a format is one file plus one line
// here, and the meta-test in test/unpack fails until that format has a fixture test.
import type { Handler } from './handler.js';
import { cpioHandler } from './handlers/cpio.js';
import { extHandler } from './handlers/ext.js';
import { gzipHandler } from './handlers/gzip.js';
import { tarHandler } from './handlers/tar.js';
import { ubiHandler } from './handlers/ubi.js';
import { ubifsHandler } from './handlers/ubifs.js';
import { zipHandler } from './handlers/zip.js';
import { squashfsHandler } from './handlers/squashfs.js';
import { bzip2Handler } from './handlers/bzip2.js';
import { lz4Handler } from './handlers/lz4.js';
import { lzmaHandler } from './handlers/lzma.js';
import { lzopHandler } from './handlers/lzop.js';
import { xzHandler } from './handlers/xz.js';
import { zstdHandler } from './handlers/zstd.js';
import { uimageHandler } from './handlers/uimage.js';
import { fitHandler } from './handlers/fit.js';
import { dtbHandler } from './handlers/dtb.js';
import { trxHandler } from './handlers/trx.js';
import { androidSparseHandler } from './handlers/android-sparse.js';
import { linuxKernelHandler } from './handlers/linux-kernel.js';
import { arHandler } from './handlers/ar.js';
import { tplinkHandler } from './handlers/tplink.js';
import { cramfsHandler } from './handlers/cramfs.js';
import { romfsHandler } from './handlers/romfs.js';
import { jffs2Handler } from './handlers/jffs2.js';
import { yaffs2Handler } from './handlers/yaffs2.js';

/** Order matters only when two handlers claim a chunk at the same offset: the earlier one wins. */
export const HANDLERS: readonly Handler[] = [gzipHandler, tarHandler, cpioHandler, zipHandler, extHandler, ubiHandler, ubifsHandler, squashfsHandler, xzHandler, lzmaHandler, bzip2Handler, zstdHandler, lzopHandler, lz4Handler, uimageHandler, fitHandler, dtbHandler, trxHandler, androidSparseHandler, linuxKernelHandler, arHandler, tplinkHandler, cramfsHandler, romfsHandler, jffs2Handler, yaffs2Handler];
