import { randomUUID } from 'node:crypto';
import type { Component, Report } from './report-types.js';
import { describeChain, describeEvidence } from './sbom-common.js';

// SPDX 2.3 JSON (service/schemas/spdx/spdx-schema.json). The image is the described package (FIRMWARE, with
// its SHA-256); every component is a package it CONTAINS, with its CPEs (SECURITY/cpe23Type) and purl
// (PACKAGE-MANAGER/purl) as external references, how it was found in sourceInfo, and each piece of evidence,
// container chain and file hash included, as an annotation by the tool.

type Json = Record<string, unknown>;

/** SPDX ids allow letters, digits, '.' and '-' only. */
function spdxIdPart(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/** SPDX dates are ISO 8601 UTC without fractional seconds. */
function spdxDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const PURPOSE: Record<string, string> = {
  application: 'APPLICATION',
  library: 'LIBRARY',
  'operating-system': 'OPERATING_SYSTEM',
  firmware: 'FIRMWARE',
};

function packageJson(c: Component, id: string, tool: string, created: string): Json {
  const cpes = c.cpes ?? (c.cpe ? [c.cpe] : []);
  const methods = c.foundByAll?.length ? c.foundByAll : c.foundBy ? [c.foundBy] : [];
  const paths = [...new Set(c.evidence.map((e) => `${e.path} in ${describeChain(e.chain)}`))];
  return {
    SPDXID: id,
    name: c.name,
    versionInfo: c.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    ...(c.kind && PURPOSE[c.kind] ? { primaryPackagePurpose: PURPOSE[c.kind] } : {}),
    externalRefs: [
      ...cpes.map((cpe) => ({ referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: cpe })),
      ...(c.purl ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl }] : []),
    ],
    ...(methods.length || paths.length
      ? { sourceInfo: `found by ${methods.join(', ') || 'unknown'} in ${paths.join('; ') || 'the image'}` }
      : {}),
    ...(c.evidence.length
      ? {
          annotations: c.evidence.map((e) => ({
            annotationDate: created,
            annotationType: 'OTHER',
            annotator: tool,
            comment: `evidence: ${describeEvidence(e)}`,
          })),
        }
      : {}),
  };
}

/** SPDX 2.3 JSON of a report: the image is the described package; components are packages it CONTAINS. */
export function toSpdx(r: Report, now: Date = new Date()): Json {
  const created = spdxDate(now);
  const tool = `Tool: firmwarden-${r.analysis.version}`;
  const firmwareId = 'SPDXRef-Firmware';
  const ids = new Set<string>(['SPDXRef-DOCUMENT', firmwareId]);
  const packages = r.components.map((c, i) => {
    let id = `SPDXRef-Package-${i + 1}-${spdxIdPart(c.name)}-${spdxIdPart(c.version)}`;
    for (let n = 2; ids.has(id); n++) id = `SPDXRef-Package-${i + 1}-${n}`;
    ids.add(id);
    return packageJson(c, id, tool, created);
  });
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `firmwarden-${r.firmware.fileName}`,
    documentNamespace: `https://firmwarden.invalid/spdx/${r.firmware.sha256}/${randomUUID()}`,
    creationInfo: {
      created,
      creators: [tool],
      comment: `Analysis started ${r.analysis.startedAt}; analyzers: ${r.analysis.analyzers.map((a) => `${a.name} ${a.version} ${a.status}`).join(', ') || 'none'}`,
    },
    documentDescribes: [firmwareId],
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
        ...(r.extraction.rootFileSystems.length
          ? {
              comment: `Filesystems: ${r.extraction.rootFileSystems
                .map((fs) => `${fs.id} (${fs.format}, ${fs.fileCount} files) in ${describeChain(fs.chain)}`)
                .join('; ')}`,
            }
          : {}),
      },
      ...packages,
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: firmwareId },
      ...packages.map((p) => ({ spdxElementId: firmwareId, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID })),
    ],
  };
}
