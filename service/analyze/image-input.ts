import { accessSync, constants, statSync } from 'node:fs';
import { ErrorCodes, FirmwardenError } from '../errors.js';

/** The checks that make "cannot read the input" a clear message instead of a stack trace. */
export function checkImageReadable(path: string): { size: number } {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new FirmwardenError(ErrorCodes.INPUT_NOT_FOUND, `${path}: no such file`, { path });
    }
    throw new FirmwardenError(ErrorCodes.INPUT_UNREADABLE, `${path}: cannot read it (${code ?? 'error'})`, { path });
  }
  if (st.isDirectory()) {
    throw new FirmwardenError(ErrorCodes.INPUT_NOT_A_FILE, `${path}: is a directory, not an image file`, { path });
  }
  if (!st.isFile()) {
    throw new FirmwardenError(ErrorCodes.INPUT_NOT_A_FILE, `${path}: is not a regular file`, { path });
  }
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new FirmwardenError(ErrorCodes.INPUT_UNREADABLE, `${path}: permission denied`, { path });
  }
  return { size: st.size };
}
