/**
 * GitHub's own REST description (`@octokit/openapi`, api.github.com) as a router and a validator.
 *
 * Every request the fake server answers is first matched to an operation of the description (path
 * template + method, like GitHub: a wrong method or a trailing slash is a 404), its JSON body is
 * validated against the operation's `requestBody` schema, and (in self-check mode) the fake's own
 * responses are validated against the operation's response schema. Validation errors are worded
 * the way GitHub words its JSON-schema errors ("Invalid request.\n\n…").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

/** A JSON schema as found in the description (OpenAPI 3.0 dialect). */
export type Schema = Record<string, unknown>;

interface RawOperation {
  operationId?: string;
  externalDocs?: { url?: string };
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
}

interface RawDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components: {
    schemas: Record<string, Schema>;
    examples: Record<string, { value: unknown }>;
    responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  };
}

/** One operation of the description. */
export interface Operation {
  operationId: string;
  method: string;
  template: string;
  documentationUrl: string;
  /** One matcher per path segment of the template. */
  segments: SegmentMatcher[];
  literalSegments: number;
  raw: RawOperation;
}

interface SegmentMatcher {
  literal?: string;
  regex?: RegExp;
  names: string[];
}

/** An operation matched to a concrete request path. */
export interface RouteMatch {
  operation: Operation;
  params: Record<string, string>;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
/** Path parameters GitHub lets span several segments when the client does not encode `/`. */
const SPANNING_PARAMS = new Set(['path', 'ref']);
const SCHEMA_ID = 'https://api.github.com.fake/schemas/';

/** ajv-formats is CommonJS; its default export arrives wrapped or not depending on the loader. */
export function addFormats(ajv: object): void {
  const mod = ajvFormats as unknown as { default: ((a: object) => void) & { default?: (a: object) => void } };
  (mod.default.default ?? mod.default)(ajv);
}

function segmentMatcher(segment: string): SegmentMatcher {
  if (!segment.includes('{')) return { literal: segment, names: [] };
  const names: string[] = [];
  const source = segment
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return '(.+?)';
    })
    .join('');
  return { regex: new RegExp(`^${source}$`), names };
}

/** The loaded description plus a cache of compiled validators. */
export class OpenApi {
  readonly doc: RawDocument;
  private readonly byMethod = new Map<string, Operation[]>();
  private readonly byId = new Map<string, Operation>();
  private readonly schemas: SchemaSet;

  constructor(doc: RawDocument) {
    this.doc = doc;
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, raw] of Object.entries(ops)) {
        if (!HTTP_METHODS.has(method) || !raw.operationId) continue;
        const segments = template.split('/').slice(1).map(segmentMatcher);
        const op: Operation = {
          operationId: raw.operationId,
          method: method.toUpperCase(),
          template,
          documentationUrl: raw.externalDocs?.url ?? 'https://docs.github.com/rest',
          segments,
          literalSegments: segments.filter((s) => s.literal !== undefined).length,
          raw,
        };
        const list = this.byMethod.get(op.method) ?? [];
        list.push(op);
        this.byMethod.set(op.method, list);
        this.byId.set(op.operationId, op);
      }
    }
    const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, logger: false });
    addFormats(ajv);
    this.schemas = new SchemaSet(ajv, doc.components.schemas);
  }

  operation(operationId: string): Operation | undefined {
    return this.byId.get(operationId);
  }

  /** Matches a raw (still percent-encoded) path such as `/repos/o/r/contents/a%2Fb.nix`. */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const parts = rawPath.split('/').slice(1);
    const candidates = this.byMethod.get(method.toUpperCase()) ?? [];
    let best: { op: Operation; params: Record<string, string>; score: number[] } | undefined;
    for (const op of candidates) {
      const params = matchSegments(op, parts, false) ?? matchSegments(op, parts, true);
      if (!params) continue;
      const spanning = op.segments.length !== parts.length ? 1 : 0;
      // Prefer exact segment counts, then more literal segments, then literals earlier.
      const score = [-spanning, op.literalSegments, ...op.segments.map((s) => (s.literal !== undefined ? 1 : 0))];
      if (!best || compareScores(score, best.score) > 0) best = { op, params, score };
    }
    return best && { operation: best.op, params: best.params };
  }

  /** The request body schema of an operation, if it takes JSON. */
  requestSchema(op: Operation): { schema: Schema; required: boolean } | undefined {
    const schema = op.raw.requestBody?.content?.['application/json']?.schema;
    return schema ? { schema, required: op.raw.requestBody?.required === true } : undefined;
  }

  /** Validates a request body; returns GitHub-style error lines (empty when valid). */
  validateRequest(op: Operation, body: unknown): string[] {
    const found = this.requestSchema(op);
    if (!found) return [];
    if (body === undefined) {
      return found.required ? ["For 'links/0/schema', nil is not an object."] : [];
    }
    const validate = this.validator(`req:${op.operationId}`, found.schema);
    if (validate(body)) return [];
    return githubErrorLines(validate.errors ?? []);
  }

  /** Validates a response body against the documented response for its status. */
  validateResponse(op: Operation, status: number, body: unknown): string[] {
    let response = op.raw.responses?.[String(status)];
    if (response?.$ref) {
      const name = response.$ref.split('/').pop()!;
      response = this.doc.components.responses[name];
    }
    if (!response) return [`status ${status} is not documented for ${op.operationId}`];
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return [];
    const validate = this.validator(`res:${op.operationId}:${status}`, schema);
    if (validate(body)) return [];
    return (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  }

  /** Validates a value against a named component schema (used by the response builders' tests). */
  validateComponent(name: string, value: unknown): string[] {
    const validate = this.validator(`component:${name}`, { $ref: `#/components/schemas/${name}` });
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  }

  /** A documented example value, deep-copied. */
  example<T = Record<string, unknown>>(name: string): T {
    const example = this.doc.components.examples[name];
    if (!example) throw new Error(`no example ${name} in the REST description`);
    return structuredClone(example.value) as T;
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    return this.schemas.validator(key, schema);
  }
}

/**
 * Lazily compiled validators over a set of component schemas: each component reachable from a
 * schema is added to ajv once, converted from the OpenAPI dialect.
 */
export class SchemaSet {
  private readonly added = new Set<string>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly ajv: Ajv,
    private readonly components: Record<string, Schema>,
  ) {}

  validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      this.addReferenced(schema);
      validate = this.ajv.compile(convertSchema(schema));
      this.validators.set(key, validate);
    }
    return validate;
  }

  private addReferenced(schema: unknown): void {
    const stack: unknown[] = [schema];
    while (stack.length) {
      const node = stack.pop();
      if (Array.isArray(node)) {
        stack.push(...node);
      } else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') {
            const name = value.replace('#/components/schemas/', '');
            if (!this.added.has(name)) {
              this.added.add(name);
              const target = this.components[name];
              if (!target) throw new Error(`dangling $ref ${value}`);
              this.ajv.addSchema({ ...convertSchema(target), $id: SCHEMA_ID + name });
              stack.push(target);
            }
          } else {
            stack.push(value);
          }
        }
      }
    }
  }
}

function matchSegments(op: Operation, parts: string[], spanning: boolean): Record<string, string> | undefined {
  const segs = op.segments;
  if (!spanning && segs.length !== parts.length) return undefined;
  if (spanning) {
    const last = segs[segs.length - 1];
    if (!last || last.names.length !== 1 || !SPANNING_PARAMS.has(last.names[0]!) || parts.length <= segs.length) {
      return undefined;
    }
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const isLast = i === segs.length - 1;
    const part = spanning && isLast ? parts.slice(i).join('/') : parts[i]!;
    if (part === '' || (spanning && isLast && parts.slice(i).some((p) => p === ''))) return undefined;
    if (seg.literal !== undefined) {
      if (seg.literal !== part) return undefined;
      continue;
    }
    const m = seg.regex!.exec(part);
    if (!m) return undefined;
    seg.names.forEach((name, k) => {
      params[name] = safeDecode(m[k + 1]!);
    });
  }
  return params;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const COPY_VERBATIM = new Set(['enum', 'const', 'default', 'required']);
const DROP = new Set(['example', 'examples', 'description', 'discriminator', 'summary', 'title', 'xml', 'externalDocs', 'deprecated', 'readOnly', 'writeOnly']);

/** OpenAPI 3.0 schema → JSON schema ajv understands (`nullable`, component `$ref`s). */
export function convertSchema(schema: unknown): Schema {
  return convert(schema) as Schema;
}

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (!node || typeof node !== 'object') return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === 'nullable' || DROP.has(key) || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.startsWith('#/components/schemas/') ? SCHEMA_ID + value.slice('#/components/schemas/'.length) : value;
    } else if ((key === 'properties' || key === 'patternProperties') && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
    } else if (COPY_VERBATIM.has(key)) {
      out[key] = value;
    } else {
      out[key] = convert(value);
    }
  }
  if (src.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

/** Words ajv errors the way GitHub's request validator does. */
export function githubErrorLines(errors: ErrorObject[]): string[] {
  const lines: string[] = [];
  const missing = new Map<string, string[]>();
  for (const e of errors) {
    const where = pointerToSchemaPath(e.instancePath);
    switch (e.keyword) {
      case 'required': {
        const list = missing.get(e.instancePath) ?? [];
        list.push((e.params as { missingProperty: string }).missingProperty);
        missing.set(e.instancePath, list);
        break;
      }
      case 'maxItems': {
        const data = e.data as unknown[] | undefined;
        lines.push(`No more than ${(e.params as { limit: number }).limit} items are allowed; ${data?.length ?? '?'} were supplied.`);
        break;
      }
      case 'maxLength': {
        const data = e.data as string | undefined;
        lines.push(`Only ${(e.params as { limit: number }).limit} characters are allowed; ${data?.length ?? '?'} were supplied.`);
        break;
      }
      case 'type':
        lines.push(`For '${where}', ${rubyish(e.data)} is not ${article((e.params as { type: string }).type)}.`);
        break;
      case 'enum':
        lines.push(
          `For '${where}', ${rubyish(e.data)} is not a member of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}.`,
        );
        break;
      case 'anyOf':
      case 'oneOf':
        lines.push(`For '${where}', ${rubyish(e.data)} is not a valid value.`);
        break;
      default:
        lines.push(`For '${where}', ${rubyish(e.data)} ${e.message ?? 'is invalid'}.`);
    }
  }
  for (const names of missing.values()) {
    const quoted = names.map((n) => `"${n}"`).join(', ');
    lines.unshift(names.length === 1 ? `${quoted} wasn't supplied.` : `${quoted} weren't supplied.`);
  }
  return [...new Set(lines)];
}

function pointerToSchemaPath(pointer: string): string {
  if (!pointer) return 'links/0/schema';
  return pointer
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? 'items' : `properties/${p}`))
    .join('/');
}

function rubyish(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  const s = JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function article(type: unknown): string {
  const t = Array.isArray(type) ? type.join(' or ') : String(type);
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/**
 * A data file shipped in a package, found through node's module search paths (some of these
 * packages' `exports` maps hide their JSON files from require.resolve).
 */
export function packageFile(pkg: string, file: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const candidate = join(dir, pkg, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find ${pkg}/${file}; is ${pkg} installed?`);
}

let shared: OpenApi | undefined;

/** The api.github.com description, loaded once per module registry (~13 MB of JSON). */
export function openApi(): OpenApi {
  if (!shared) {
    const file = packageFile('@octokit/openapi', 'generated/api.github.com.json');
    shared = new OpenApi(JSON.parse(readFileSync(file, 'utf8')) as RawDocument);
  }
  return shared;
}
