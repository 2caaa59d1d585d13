import { ErrorCodes, FirmwardenError } from '../errors.js';
import type { Analyzer } from './analyzer.js';

/**
 * Dependency order (depth-first topological sort). Dependencies not in the registry are pulled in, so the
 * registry can list only what it wants run; a cycle is a programming error and fails loudly.
 */
export function orderAnalyzers(analyzers: readonly Analyzer[]): Analyzer[] {
  const out: Analyzer[] = [];
  const state = new Map<Analyzer, 'visiting' | 'done'>();
  const visit = (a: Analyzer, trail: string[]): void => {
    const s = state.get(a);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new FirmwardenError(ErrorCodes.ANALYZER_CYCLE, `analyzer dependency cycle: ${[...trail, a.name].join(' -> ')}`);
    }
    state.set(a, 'visiting');
    for (const d of a.dependsOn) visit(d, [...trail, a.name]);
    state.set(a, 'done');
    out.push(a);
  };
  for (const a of analyzers) visit(a, []);
  const names = new Set<string>();
  for (const a of out) {
    if (names.has(a.name)) throw new FirmwardenError(ErrorCodes.ANALYZER_CYCLE, `two analyzers are named ${a.name}`);
    names.add(a.name);
  }
  return out;
}
