import { join } from 'node:path';
import { compileSchemaFile, instancePathToKey } from '../json-schema.js';
import { schemaDir } from '../paths.js';

let validator: ReturnType<typeof compileSchemaFile> | undefined;

/** Problems of a report against service/schemas/report.schema.json; empty when it conforms. */
export function reportSchemaErrors(report: unknown): string[] {
  validator ??= compileSchemaFile(join(schemaDir, 'report.schema.json'));
  if (validator(report)) return [];
  return (validator.errors ?? []).map((e) => `${instancePathToKey(e.instancePath) || '(root)'}: ${e.message ?? e.keyword}`);
}
