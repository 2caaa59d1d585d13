import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../service/paths.js';
import { runCli } from '../helpers/cli.js';
import { expectValidReport } from '../helpers/report-schema.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildRootfsTarGz } from '../fixtures/build-rootfs-tar.js';

// test/run.sh builds dist/ before the tests: production runs the compiled output, so it is tested too.
const compiled = join(packageRoot, 'dist', 'service', 'cli.js');

describe.skipIf(!existsSync(compiled))('compiled CLI (dist/)', () => {
  it('analyze runs from dist/ without tsx and prints a valid report', () => {
    const dir = tempDir();
    const image = buildRootfsTarGz(dir);
    const r = runCli(['analyze', image], { env: { FIRMWARDEN_FROM_SOURCE: '0', FIRMWARDEN_DATA_DIR: join(dir, 'var') } });
    expect(r.code, r.stderr).toBe(0);
    expectValidReport(JSON.parse(r.stdout));
  });
});
