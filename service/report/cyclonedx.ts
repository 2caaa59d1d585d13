import { randomUUID } from 'node:crypto';
import type { Component, Evidence, Report } from './report-types.js';
import { describeChain, describeEvidence } from './sbom-common.js';

// CycloneDX 1.6 JSON (service/schemas/cyclonedx/bom-1.6.schema.json). The image is the metadata component;
// each software component sits beneath it with its purl, CPE and evidence: identity (how it was recognised)
// and occurrences (every path, with its container chain and file hash in additionalContext).

type Json = Record<string, unknown>;

/** CycloneDX technique and our confidence for each way a component is found. */
const TECHNIQUE: Record<string, { technique: string; confidence: number }> = {
  'package-db': { technique: 'manifest-analysis', confidence: 0.95 },
  'release-file': { technique: 'manifest-analysis', confidence: 0.9 },
  kernel: { technique: 'binary-analysis', confidence: 0.9 },
  'binary-string': { technique: 'binary-analysis', confidence: 0.8 },
  'file-name': { technique: 'filename', confidence: 0.3 },
};

function property(name: string, value: string): Json {
  return { name, value };
}

function methodsOf(c: Component): string[] {
  return c.foundByAll?.length ? c.foundByAll : c.foundBy ? [c.foundBy] : [];
}

function occurrence(e: Evidence): Json {
  return {
    location: e.path,
    ...(e.offset !== undefined ? { offset: e.offset } : {}),
    additionalContext: describeEvidence(e),
  };
}

function identityEvidence(c: Component): Json[] {
  const methods = methodsOf(c).flatMap((m) => {
    const t = TECHNIQUE[m];
    if (!t) return [];
    const seen = c.evidence.filter((e) => e.source !== undefined).map((e) => `${e.source}: ${e.path}`);
    return [{ technique: t.technique, confidence: t.confidence, value: `${m}${seen.length ? ` (${[...new Set(seen)].join(', ')})` : ''}` }];
  });
  if (!methods.length) return [];
  const confidence = Math.max(...methods.map((m) => m.confidence));
  return (['purl', 'cpe'] as const).flatMap((field) =>
    c[field] ? [{ field, confidence, concludedValue: c[field], methods }] : [],
  );
}

function componentJson(c: Component, bomRef: string): Json {
  const identity = identityEvidence(c);
  const properties = [
    ...methodsOf(c).map((m) => property('firmwarden:foundBy', m)),
    ...(c.cpes ?? []).slice(1).map((cpe) => property('firmwarden:cpe', cpe)),
    ...[...new Set(c.evidence.map((e) => describeChain(e.chain)))].map((chain) => property('firmwarden:containerChain', chain)),
  ];
  return {
    type: c.kind ?? 'library',
    'bom-ref': bomRef,
    name: c.name,
    version: c.version,
    ...(c.cpe ? { cpe: c.cpe } : {}),
    ...(c.purl ? { purl: c.purl } : {}),
    ...(identity.length || c.evidence.length
      ? {
          evidence: {
            ...(identity.length ? { identity } : {}),
            ...(c.evidence.length ? { occurrences: c.evidence.map(occurrence) } : {}),
          },
        }
      : {}),
    ...(properties.length ? { properties } : {}),
  };
}

/** CycloneDX 1.6 JSON of a report: the image as the metadata component, each software component beneath it. */
export function toCycloneDx(r: Report, now: Date = new Date()): Json {
  const refs = new Set<string>(['firmware']);
  const components = r.components.map((c) => {
    const base = c.purl ?? `${c.name}@${c.version}`;
    let ref = base;
    for (let n = 2; refs.has(ref); n++) ref = `${base}#${n}`;
    refs.add(ref);
    return componentJson(c, ref);
  });
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: {
        components: [
          {
            type: 'application',
            'bom-ref': 'tool:firmwarden',
            name: 'firmwarden',
            version: r.analysis.version,
            description: 'Firmware analysis daemon: unpacking, SBOM, CVEs, hardening, accounts, keys',
          },
        ],
      },
      component: {
        type: 'firmware',
        'bom-ref': 'firmware',
        name: r.firmware.fileName,
        hashes: [{ alg: 'SHA-256', content: r.firmware.sha256 }],
        properties: [
          property('firmwarden:size', String(r.firmware.size)),
          ...r.extraction.rootFileSystems.map((fs) =>
            property('firmwarden:filesystem', `${fs.id}: ${fs.format} in ${describeChain(fs.chain)}, ${fs.fileCount} files`),
          ),
        ],
      },
      properties: [
        property('firmwarden:analysis:startedAt', r.analysis.startedAt),
        ...r.analysis.analyzers.map((a) => property(`firmwarden:analyzer:${a.name}`, `${a.version} ${a.status}`)),
      ],
    },
    components,
    dependencies: [
      { ref: 'firmware', dependsOn: components.map((c) => c['bom-ref'] as string) },
      ...components.map((c) => ({ ref: c['bom-ref'] as string })),
    ],
  };
}
