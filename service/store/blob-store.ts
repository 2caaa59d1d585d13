import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ErrorCodes, FirmwardenError } from '../errors.js';
import { fsyncDir, safeUnlink } from './atomic-write.js';

export interface BlobPutResult {
  sha256: string;
  size: number;
  path: string;
  /** false when the same bytes were already stored (dedupe). */
  created: boolean;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

/**
 * Content-addressed image store: blobs/ab/cd/<sha256>. Bytes are hashed while they are copied into tmp/,
 * fsynced, then renamed into place, so a blob path either holds the complete bytes of its name or does not exist.
 */
export class BlobStore {
  constructor(
    private readonly dir: string,
    private readonly tmpDir: string,
  ) {}

  pathOf(sha256: string): string {
    if (!SHA256_RE.test(sha256)) throw new FirmwardenError(ErrorCodes.BLOB_NOT_FOUND, `not a sha256: ${sha256}`);
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  has(sha256: string): boolean {
    return SHA256_RE.test(sha256) && existsSync(this.pathOf(sha256));
  }

  async putFile(srcPath: string, opts: { maxBytes?: number } = {}): Promise<BlobPutResult> {
    return this.putStream(createReadStream(srcPath), opts);
  }

  async putBuffer(data: Uint8Array): Promise<BlobPutResult> {
    const { Readable } = await import('node:stream');
    return this.putStream(Readable.from([Buffer.from(data)]), {});
  }

  async putStream(input: Readable, opts: { maxBytes?: number } = {}): Promise<BlobPutResult> {
    const tmp = join(this.tmpDir, `blob.${process.pid}.${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    const fh = await open(tmp, 'wx', 0o640);
    let size = 0;
    try {
      for await (const chunk of input) {
        const buf = chunk as Buffer;
        size += buf.length;
        if (opts.maxBytes !== undefined && size > opts.maxBytes) {
          throw new FirmwardenError(ErrorCodes.INPUT_TOO_LARGE, `input exceeds the size limit of ${opts.maxBytes} bytes`);
        }
        hash.update(buf);
        let off = 0;
        while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
      }
      await fh.sync();
    } catch (err) {
      await fh.close();
      input.destroy();
      safeUnlink(tmp);
      throw err;
    }
    await fh.close();
    if (size === 0) {
      // An empty "image" is always a mistake (a failed copy, a touch): refuse it before it becomes a record.
      safeUnlink(tmp);
      throw new FirmwardenError(ErrorCodes.INPUT_EMPTY, 'empty file (0 bytes) ignored');
    }
    const sha256 = hash.digest('hex');
    const target = this.pathOf(sha256);
    if (existsSync(target) && statSync(target).size === size) {
      safeUnlink(tmp);
      return { sha256, size, path: target, created: false };
    }
    const parent = join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4));
    mkdirSync(parent, { recursive: true, mode: 0o750 });
    await rename(tmp, target);
    fsyncDir(parent);
    return { sha256, size, path: target, created: true };
  }
}
