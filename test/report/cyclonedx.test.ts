import { describe, expect, it } from 'vitest';
import { CPE23_PATTERN } from '../../service/analyze/sbom/identity/cpe.js';
import { toCycloneDx } from '../../service/report/cyclonedx.js';
import { emptyReport } from '../../service/report/empty-report.js';
import { cycloneDxSchemaErrors } from '../../service/report/sbom-schemas.js';
import { sbomReport } from './sbom-report-fixture.js';

type Json = Record<string, any>;

describe('CycloneDX 1.6 export', () => {
  it('validates against the official bom-1.6 schema (with its spdx and jsf sub-schemas)', () => {
    const bom = toCycloneDx(sbomReport(), new Date('2025-01-02T03:04:05Z'));
    expect(cycloneDxSchemaErrors(bom)).toEqual([]);
    expect(cycloneDxSchemaErrors(toCycloneDx(emptyReport({ sha256: 'f'.repeat(64), size: 0, fileName: 'empty.bin' })))).toEqual([]);
  });

  it('the validator is the real schema: it rejects what CycloneDX forbids', () => {
    const bom = toCycloneDx(sbomReport()) as Json;
    bom.components[0].type = 'package';
    bom.components[1].hashes = [{ alg: 'SHA-256', content: 'not hex' }];
    delete bom.bomFormat;
    const errors = cycloneDxSchemaErrors(bom);
    expect(errors.some((e) => e.startsWith('components[0].type'))).toBe(true);
    expect(errors.some((e) => e.startsWith('components[1].hashes[0].content'))).toBe(true);
    expect(errors.some((e) => e.includes('bomFormat'))).toBe(true);
  });

  it('carries tool, firmware hash, purl, CPEs, evidence with container chain and file hashes', () => {
    const bom = toCycloneDx(sbomReport()) as Json;
    expect(bom.metadata.tools.components[0]).toMatchObject({ type: 'application', name: 'firmwarden' });
    expect(bom.metadata.component).toMatchObject({ type: 'firmware', hashes: [{ alg: 'SHA-256', content: 'a'.repeat(64) }] });
    const [busybox, oldBusybox, curl, zlib, linux, openwrt, vendor] = bom.components as Json[];
    expect(busybox).toMatchObject({
      type: 'application',
      name: 'busybox',
      version: '1.36.1-1',
      purl: 'pkg:opkg/openwrt/busybox@1.36.1-1?arch=mips_24kc&distro=openwrt-23.05.0',
      cpe: 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*',
    });
    expect(busybox?.evidence.identity.map((i: Json) => i.field)).toEqual(['purl', 'cpe']);
    expect(busybox?.evidence.identity[0].methods.map((m: Json) => m.technique)).toEqual(['manifest-analysis', 'binary-analysis']);
    expect(busybox?.evidence.occurrences[1]).toMatchObject({ location: '/bin/busybox', offset: 591_432 });
    expect(busybox?.evidence.occurrences[1].additionalContext).toContain('uimage@0 > squashfs@1048640');
    expect(busybox?.evidence.occurrences[1].additionalContext).toContain(`sha256:${'c'.repeat(64)}`);
    expect(oldBusybox?.['bom-ref']).not.toBe(busybox?.['bom-ref']);
    expect(curl?.properties).toContainEqual({ name: 'firmwarden:cpe', value: 'cpe:2.3:a:haxx:libcurl:8.5.0:*:*:*:*:*:*:*' });
    expect(zlib?.type).toBe('library');
    expect(linux?.type).toBe('operating-system');
    expect(openwrt?.purl).toBeUndefined();
    expect(vendor).toMatchObject({ type: 'library', name: 'vendor agent+', version: 'r1 (beta)' });
    for (const c of bom.components as Json[]) if (c.cpe) expect(c.cpe).toMatch(CPE23_PATTERN);
    const refs = (bom.components as Json[]).map((c) => c['bom-ref']);
    expect(new Set(refs).size).toBe(refs.length);
    expect(bom.dependencies[0]).toEqual({ ref: 'firmware', dependsOn: refs });
  });
});
