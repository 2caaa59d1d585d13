// Validation of our SBOM exports against the official JSON Schemas kept in service/schemas/cyclonedx/ and
// service/schemas/spdx/ (see SOURCES.md there). Both declare draft-07. ajv-formats lacks the two formats the
// CycloneDX schema uses beyond date-time, so they are defined here the way RFC 3987 and RFC 6531 allow.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { instancePathToKey } from '../json-schema.js';
import { schemaDir } from '../paths.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

function readSchema(...parts: string[]): object {
  return JSON.parse(readFileSync(join(schemaDir, ...parts), 'utf8')) as object;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  // An IRI reference may hold any Unicode but no whitespace, controls or the characters RFC 3987 excludes.
  ajv.addFormat('iri-reference', (s: string) => !/[\s\u0000-\u001f\u007f<>"{}|\\^`]/u.test(s));
  ajv.addFormat('idn-email', (s: string) => /^[^\s@]+@[^\s@]+$/u.test(s));
  return ajv;
}

let cyclonedx: ValidateFunction | undefined;
let spdx: ValidateFunction | undefined;

function errorsOf(v: ValidateFunction, doc: unknown): string[] {
  if (v(doc)) return [];
  return (v.errors ?? []).map((e) => `${instancePathToKey(e.instancePath) || '(root)'}: ${e.message ?? e.keyword}`);
}

/** Problems of a CycloneDX 1.6 JSON document against bom-1.6.schema.json; empty when it conforms. */
export function cycloneDxSchemaErrors(doc: unknown): string[] {
  if (!cyclonedx) {
    const ajv = newAjv();
    // bom-1.6 refers to these two by relative $ref, resolved against its $id.
    ajv.addSchema(readSchema('cyclonedx', 'spdx.schema.json'));
    ajv.addSchema(readSchema('cyclonedx', 'jsf-0.82.schema.json'));
    cyclonedx = ajv.compile(readSchema('cyclonedx', 'bom-1.6.schema.json'));
  }
  return errorsOf(cyclonedx, doc);
}

/** Problems of an SPDX 2.3 JSON document against spdx-schema.json (2.3); empty when it conforms. */
export function spdxSchemaErrors(doc: unknown): string[] {
  spdx ??= newAjv().compile(readSchema('spdx', 'spdx-schema.json'));
  return errorsOf(spdx, doc);
}
