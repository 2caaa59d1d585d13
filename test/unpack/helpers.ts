// Shared by the unpack tests: temp dirs that are removed afterwards, and a one-call unpack of a file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import { DEFAULT_UNPACK_LIMITS, unpackImage, type UnpackLimits, type UnpackResult } from '../../service/unpack/unpack-image.js';

/** A fresh temp dir for this test file, removed when the file's tests are done. */
export function tempDir(prefix = 'fw-unpack-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const open: UnpackResult[] = [];
afterAll(() => {
  for (const r of open.splice(0)) r.close();
});

export async function unpack(imagePath: string, limits: Partial<UnpackLimits> = {}): Promise<UnpackResult> {
  const r = await unpackImage({ imagePath, limits: { ...DEFAULT_UNPACK_LIMITS, ...limits } });
  open.push(r);
  return r;
}

export function errorCodes(r: UnpackResult): string[] {
  return r.summary.errors.map((e) => e.code);
}
