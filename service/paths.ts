import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found by walking up from this file: the same code runs from service/ (tsx, a checkout)
 * and from dist/service/ (compiled), and both must find config/, web/ and service/schemas/.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'firmwarden') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the firmwarden package root');
    dir = parent;
  }
}

export const packageRoot = findRoot();
export const configDir = join(packageRoot, 'config');
export const webRoot = join(packageRoot, 'web');
export const schemaDir = join(packageRoot, 'service', 'schemas');

export const version: string = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string })
  .version;
