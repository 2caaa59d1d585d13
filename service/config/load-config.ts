import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ErrorCodes, FirmwardenError } from '../errors.js';
import { compileSchemaFile, describeSchemaError, instancePathToKey } from '../json-schema.js';
import { configDir } from '../paths.js';
import type { FirmwardenConfig } from './config-types.js';

export const SYSTEM_CONFIG_FILE = '/etc/firmwarden/config.yaml';
export const DEFAULTS_FILE = join(configDir, 'default.yaml');
const SCHEMA_FILE = join(configDir, 'config.schema.json');
const ENV_PREFIX = 'FIRMWARDEN_';
/** FIRMWARDEN_* variables that are not config keys. */
const NON_CONFIG_ENV = new Set(['FIRMWARDEN_CONFIG', 'FIRMWARDEN_CORPUS', 'FIRMWARDEN_FROM_SOURCE', 'FIRMWARDEN_DEBUG']);

export interface LoadConfigOptions {
  /** --config: must exist when given. */
  configFile?: string | undefined;
  /** Looked for when no configFile is given; used only if it exists. */
  systemConfigFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line flags, the last layer. */
  overrides?: { dataDir?: string | undefined };
}

export interface LoadedConfig {
  config: FirmwardenConfig;
  /** The layers that were read, lowest first (for `firmwarden doctor` and the startup log). */
  sources: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
interface Layer {
  source: string;
  data: JsonObject;
  /** For env layers: key path -> variable name, so errors can name the variable. */
  names?: Map<string, string>;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const layers: Layer[] = [readYamlLayer(DEFAULTS_FILE)];
  const explicit = opts.configFile ?? env.FIRMWARDEN_CONFIG;
  if (explicit) {
    layers.push(readYamlLayer(explicit));
  } else {
    const sys = opts.systemConfigFile ?? SYSTEM_CONFIG_FILE;
    if (existsSync(sys)) layers.push(readYamlLayer(sys));
  }
  const envLayer = readEnvLayer(env);
  if (Object.keys(envLayer.data).length) layers.push(envLayer);
  if (opts.overrides?.dataDir !== undefined) {
    layers.push({ source: 'command line (--data-dir)', data: { dataDir: opts.overrides.dataDir } });
  }

  const origin = new Map<string, string>();
  let merged: JsonObject = {};
  for (const layer of layers) {
    recordOrigins(layer, layer.data, '', origin);
    merged = deepMerge(merged, layer.data);
  }
  validate(merged, origin);
  return { config: merged as unknown as FirmwardenConfig, sources: layers.map((l) => l.source) };
}

function readYamlLayer(file: string): Layer {
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new Error('is a directory');
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FirmwardenError(
      ErrorCodes.CONFIG_UNREADABLE,
      `config file ${file}: cannot read it (${(err as Error).message})`,
      { file },
    );
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new FirmwardenError(ErrorCodes.CONFIG_INVALID, `config file ${file}: not valid YAML: ${e.message}`, { file });
  }
  const data = doc.toJS() as unknown;
  if (data === null || data === undefined) return { source: file, data: {} };
  if (!isObject(data)) {
    throw new FirmwardenError(ErrorCodes.CONFIG_INVALID, `config file ${file}: the top level must be a mapping of keys`, {
      file,
    });
  }
  return { source: file, data };
}

/** FIRMWARDEN_JOBS__TIMEOUT_SECONDS -> jobs.timeoutSeconds; values typed by what the schema expects there. */
function readEnvLayer(env: NodeJS.ProcessEnv): Layer {
  const data: JsonObject = {};
  const names = new Map<string, string>();
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || NON_CONFIG_ENV.has(name) || raw === undefined) continue;
    const segments = name
      .slice(ENV_PREFIX.length)
      .split('__')
      .map((s) => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    let node = data;
    for (const seg of segments.slice(0, -1)) {
      if (!isObject(node[seg])) node[seg] = {};
      node = node[seg] as JsonObject;
    }
    node[segments[segments.length - 1]!] = coerceEnvValue(raw);
    names.set(segments.join('.'), name);
  }
  return { source: 'environment', data, names };
}

function coerceEnvValue(raw: string): Json {
  const t = raw.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(t) as Json;
    } catch {
      return raw; // left as a string: validation then says what was expected, naming the variable
    }
  }
  return raw;
}

function recordOrigins(layer: Layer, value: Json, path: string, origin: Map<string, string>): void {
  if (path) {
    const envName = layer.names?.get(path);
    origin.set(path, envName ? `environment variable ${envName}` : layer.source);
  }
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) recordOrigins(layer, v, path ? `${path}.${k}` : k, origin);
  }
}

function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

let validator: ReturnType<typeof compileSchemaFile> | undefined;

function validate(config: JsonObject, origin: Map<string, string>): void {
  validator ??= compileSchemaFile(SCHEMA_FILE);
  if (validator(config)) return;
  const problems: string[] = [];
  let unknown = false;
  for (const e of validator.errors ?? []) {
    let key = instancePathToKey(e.instancePath);
    let what: string;
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      key = key ? `${key}.${extra}` : extra;
      what = 'unknown key';
      unknown = true;
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      key = key ? `${key}.${missing}` : missing;
      what = 'is required';
    } else {
      what = `${describeSchemaError(e)} (got ${JSON.stringify(valueAt(config, e.instancePath))})`;
    }
    problems.push(`${key}: ${what} [in ${originOf(key, origin)}]`);
  }
  const first = problems[0] ?? 'invalid configuration';
  throw new FirmwardenError(
    unknown && problems.every((p) => p.includes('unknown key')) ? ErrorCodes.CONFIG_UNKNOWN_KEY : ErrorCodes.CONFIG_INVALID,
    `configuration error: ${problems.length > 1 ? `\n  ${problems.join('\n  ')}` : first}`,
    { problems },
  );
}

/** The most specific layer that set this key (or one of its parents). */
function originOf(key: string, origin: Map<string, string>): string {
  let k = key.replace(/\[\d+\]/g, '');
  for (;;) {
    const o = origin.get(k);
    if (o) return o;
    const dot = k.lastIndexOf('.');
    if (dot < 0) return 'defaults';
    k = k.slice(0, dot);
  }
}

function valueAt(root: Json, pointer: string): Json | undefined {
  let node: Json | undefined = root;
  for (const seg of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[Number(seg)] : node[seg];
  }
  return node;
}
