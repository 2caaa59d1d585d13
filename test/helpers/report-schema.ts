import { expect } from 'vitest';
import { reportSchemaErrors } from '../../service/report/validate-report.js';

/** Every report a test produces goes through this: the contract is the schema in the repo. */
export function expectValidReport(report: unknown): void {
  expect(reportSchemaErrors(report)).toEqual([]);
}
