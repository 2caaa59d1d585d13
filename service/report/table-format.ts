import type { Report } from './report-types.js';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** `--format table`: a summary for a terminal. Control characters from the image are made visible, not obeyed. */
export function formatTable(r: Report): string {
  const out: string[] = [];
  const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  out.push(`Firmware   ${clean(r.firmware.fileName)}  (${bytes(r.firmware.size)})`);
  out.push(`SHA-256    ${r.firmware.sha256}`);
  out.push(`Analyzed   ${r.analysis.startedAt} in ${r.analysis.durationMs} ms by Firmwarden ${r.analysis.version}`);
  out.push('');
  out.push(`Extraction: ${r.extraction.fileCount} files in ${r.extraction.rootFileSystems.length} filesystem(s)`);
  if (r.extraction.rootFileSystems.length) {
    out.push(
      table(
        ['id', 'format', 'files', 'bytes', 'found in'],
        r.extraction.rootFileSystems.map((f) => [
          f.id,
          f.format,
          String(f.fileCount),
          bytes(f.totalBytes),
          f.chain.map((c) => `${c.format}@${c.offset}`).join(' > ') || '-',
        ]),
      ),
    );
  }
  if (r.extraction.unknownRegions.length) {
    out.push('');
    out.push('Unknown regions:');
    out.push(
      table(
        ['offset', 'size', 'entropy', 'note'],
        r.extraction.unknownRegions.slice(0, 20).map((u) => [`0x${u.offset.toString(16)}`, bytes(u.size), u.entropy.toFixed(3), u.note ?? '']),
      ),
    );
  }
  const sections: Array<[string, number]> = [
    ['Components', r.components.length],
    ['Vulnerabilities', r.vulnerabilities.length],
    ['ELF binaries', r.binaries.length],
    ['Accounts', r.accounts.length],
    ['Certificates', r.certificates.length],
    ['Keys', r.keys.length],
  ];
  out.push('');
  out.push(sections.map(([k, v]) => `${k}: ${v}`).join('   '));
  if (r.components.length) {
    out.push('');
    out.push(table(['component', 'version', 'cpe'], r.components.map((c) => [clean(c.name), clean(c.version), c.cpe ?? ''])));
  }
  if (r.findings.length) {
    out.push('');
    const sorted = [...r.findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
    out.push(table(['severity', 'kind', 'title', 'path'], sorted.map((f) => [f.severity, f.kind, clean(f.title), clean(f.path ?? '')])));
  }
  const errors = [...r.extraction.errors, ...r.analysis.errors];
  if (errors.length) {
    out.push('');
    out.push(`Errors (${errors.length}):`);
    for (const e of errors.slice(0, 50)) out.push(`  [${e.code}] ${e.stage}: ${clean(e.message)}${e.path ? ` (${clean(e.path)})` : ''}`);
    if (errors.length > 50) out.push(`  … and ${errors.length - 50} more (see --format json)`);
  }
  return `${out.join('\n')}\n`;
}
