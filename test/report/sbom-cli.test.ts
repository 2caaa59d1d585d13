import { describe, expect, it } from 'vitest';
import { cycloneDxSchemaErrors, spdxSchemaErrors } from '../../service/report/sbom-schemas.js';
import { buildSbomImage } from '../analyze/sbom/sbom-fixture.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// The command line's SBOM outputs, through the real launcher, validated against the official schemas.
describe('firmwarden analyze --format cyclonedx|spdx', () => {
  const dir = tempDir();
  const image = buildSbomImage(dir);
  const env = { FIRMWARDEN_DATA_DIR: dir };

  it('cyclonedx output conforms to CycloneDX 1.6', () => {
    const r = runCli(['analyze', image, '--format', 'cyclonedx', '--quiet'], { env });
    expect(r.code, r.stderr).toBe(0);
    const bom = JSON.parse(r.stdout);
    expect(cycloneDxSchemaErrors(bom)).toEqual([]);
    expect(bom.metadata.component.hashes[0].alg).toBe('SHA-256');
    expect(bom.components.map((c: { name: string }) => c.name).sort()).toEqual(['busybox', 'openssl', 'openwrt', 'zlib']);
  });

  it('spdx output conforms to SPDX 2.3', () => {
    const r = runCli(['analyze', image, '--format', 'spdx', '--quiet'], { env });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(spdxSchemaErrors(doc)).toEqual([]);
    expect(doc.packages).toHaveLength(5);
  });
});
