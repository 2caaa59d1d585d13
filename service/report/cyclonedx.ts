import { randomUUID } from 'node:crypto';
import type { Report } from './report-types.js';

/** CycloneDX 1.6 JSON of a report: the image as the metadata component, each software component beneath it. */
export function toCycloneDx(r: Report, now: Date = new Date()): Record<string, unknown> {
  const refs = new Map<string, number>();
  const components = r.components.map((c) => {
    const base = c.purl ?? `${c.name}@${c.version}`;
    const n = (refs.get(base) ?? 0) + 1;
    refs.set(base, n);
    const bomRef = n === 1 ? base : `${base}#${n}`;
    return {
      type: 'library',
      'bom-ref': bomRef,
      name: c.name,
      version: c.version,
      ...(c.purl ? { purl: c.purl } : {}),
      ...(c.cpe ? { cpe: c.cpe } : {}),
      ...(c.evidence.length
        ? { evidence: { occurrences: c.evidence.map((e) => ({ location: e.path, ...(e.offset !== undefined ? { offset: e.offset } : {}) })) } }
        : {}),
    };
  });
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: { components: [{ type: 'application', name: 'firmwarden', version: r.analysis.version }] },
      component: {
        type: 'firmware',
        'bom-ref': 'firmware',
        name: r.firmware.fileName,
        hashes: [{ alg: 'SHA-256', content: r.firmware.sha256 }],
      },
    },
    components,
    dependencies: [{ ref: 'firmware', dependsOn: components.map((c) => c['bom-ref']) }],
  };
}
