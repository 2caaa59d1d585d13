import { randomUUID } from 'node:crypto';
import type { Report } from './report-types.js';

/** SPDX ids allow letters, digits, '.' and '-' only. */
function spdxId(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]/g, '-');
}

/** SPDX 2.3 JSON of a report: the image is the described package; components are packages it CONTAINS. */
export function toSpdx(r: Report, now: Date = new Date()): Record<string, unknown> {
  const firmwareId = 'SPDXRef-Firmware';
  const packages = r.components.map((c, i) => ({
    SPDXID: `SPDXRef-Package-${i + 1}-${spdxId(c.name)}`,
    name: c.name,
    versionInfo: c.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    externalRefs: [
      ...(c.purl ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl }] : []),
      ...(c.cpe ? [{ referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: c.cpe }] : []),
    ],
    ...(c.evidence.length ? { sourceInfo: `found in ${c.evidence.map((e) => e.path).join(', ')}` } : {}),
  }));
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `firmwarden-${r.firmware.fileName}`,
    documentNamespace: `https://firmwarden.invalid/spdx/${r.firmware.sha256}/${randomUUID()}`,
    creationInfo: { created: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), creators: [`Tool: firmwarden-${r.analysis.version}`] },
    packages: [
      {
        SPDXID: firmwareId,
        name: r.firmware.fileName,
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        checksums: [{ algorithm: 'SHA256', checksumValue: r.firmware.sha256 }],
        primaryPackagePurpose: 'FIRMWARE',
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
      },
      ...packages,
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: firmwareId },
      ...packages.map((p) => ({ spdxElementId: firmwareId, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID })),
    ],
  };
}
