import { describe, expect, it } from 'vitest';
import { CPE23_PATTERN } from '../../service/analyze/sbom/identity/cpe.js';
import { emptyReport } from '../../service/report/empty-report.js';
import { spdxSchemaErrors } from '../../service/report/sbom-schemas.js';
import { toSpdx } from '../../service/report/spdx.js';
import { sbomReport } from './sbom-report-fixture.js';

type Json = Record<string, any>;

describe('SPDX 2.3 export', () => {
  it('validates against the official SPDX 2.3 JSON schema', () => {
    expect(spdxSchemaErrors(toSpdx(sbomReport(), new Date('2025-01-02T03:04:05.678Z')))).toEqual([]);
    expect(spdxSchemaErrors(toSpdx(emptyReport({ sha256: 'f'.repeat(64), size: 0, fileName: 'empty.bin' })))).toEqual([]);
  });

  it('the validator is the real schema: it rejects what SPDX forbids', () => {
    const doc = toSpdx(sbomReport()) as Json;
    doc.packages[1].externalRefs[0].referenceCategory = 'SECURITY-ISH';
    doc.packages[2].unknownField = 1;
    delete doc.creationInfo;
    const errors = spdxSchemaErrors(doc);
    expect(errors.some((e) => e.startsWith('packages[1].externalRefs[0].referenceCategory'))).toBe(true);
    expect(errors.some((e) => e.startsWith('packages[2]'))).toBe(true);
    expect(errors.some((e) => e.includes('creationInfo'))).toBe(true);
  });

  it('is a consistent document: unique ids, relationships to existing packages, CPE and purl refs, evidence', () => {
    const doc = toSpdx(sbomReport(), new Date('2025-01-02T03:04:05.678Z')) as Json;
    expect(doc.creationInfo.created).toBe('2025-01-02T03:04:05Z');
    expect(doc.creationInfo.creators).toEqual([expect.stringMatching(/^Tool: firmwarden-/)]);
    const ids = (doc.packages as Json[]).map((p) => p.SPDXID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
    for (const rel of doc.relationships as Json[]) {
      expect([...ids, 'SPDXRef-DOCUMENT']).toContain(rel.spdxElementId);
      expect(ids).toContain(rel.relatedSpdxElement);
    }
    expect(doc.packages[0]).toMatchObject({ primaryPackagePurpose: 'FIRMWARE', checksums: [{ algorithm: 'SHA256', checksumValue: 'a'.repeat(64) }] });
    const curl = (doc.packages as Json[]).find((p) => p.name === 'curl');
    expect(curl?.externalRefs).toEqual([
      { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:haxx:curl:8.5.0:*:*:*:*:*:*:*' },
      { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:haxx:libcurl:8.5.0:*:*:*:*:*:*:*' },
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:generic/curl@8.5.0' },
    ]);
    const busybox = (doc.packages as Json[]).find((p) => p.versionInfo === '1.36.1-1');
    expect(busybox?.sourceInfo).toContain('found by package-db, binary-string');
    expect(busybox?.annotations).toHaveLength(2);
    expect(busybox?.annotations[1].comment).toContain('/bin/busybox@591432; in uimage@0 > squashfs@1048640');
    expect(busybox?.annotations[1].comment).toContain(`sha256:${'c'.repeat(64)}`);
    for (const p of doc.packages as Json[]) {
      for (const ref of p.externalRefs ?? []) {
        if (ref.referenceType === 'cpe23Type') expect(ref.referenceLocator).toMatch(CPE23_PATTERN);
        if (ref.referenceType === 'purl') expect(ref.referenceLocator).toMatch(/^pkg:[a-z]+\/\S+$/);
      }
    }
  });
});
