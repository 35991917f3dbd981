// contract.mjs — loads openapi.yaml and checks one recorded HTTP exchange against it.
//
// Why Ajv and not an "OpenAPI response validator" package: OpenAPI 3.1 schemas ARE JSON Schema
// 2020-12, and Ajv (ajv/dist/2020 + ajv-formats) is the maintained, widely used implementation of
// exactly that dialect. The OpenAPI-aware wrappers on npm are either 3.0-only and unmaintained
// (openapi-response-validator), tied to a web framework (express-openapi-validator), or rely on Ajv
// underneath anyway. What remains — find the operation for METHOD + path, look up the status and the
// media type — is the small, explicit code below.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];
const SPEC_ID = 'https://tutord.invalid/openapi.yaml';

// Follows a local "#/a/b" reference inside the spec (for responses, parameters, media types).
function deref(spec, node) {
  let seen = 0;
  while (node && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    if (++seen > 20) throw new Error(`reference loop at ${node.$ref}`);
    node = node.$ref
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at, key) => (at === undefined ? undefined : at[key]), spec);
  }
  return node;
}

// Rewrites local "#/..." references so they resolve against the spec registered with Ajv.
function anchorRefs(schema) {
  if (Array.isArray(schema)) return schema.map(anchorRefs);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? SPEC_ID + v : anchorRefs(v);
  }
  return out;
}

// "/students/{student_number}" → a regular expression over a concrete path; literal segments
// (":import" suffixes included) must match exactly, a variable matches one non-empty segment.
function templateRegex(template) {
  const parts = template.split(/(\{[^}]+\})/).map((part) =>
    part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('')}/?$`);
}

/** Parses the spec at `path` and prepares the matcher and the schema validator. */
export function loadContract(path) {
  const spec = YAML.parse(readFileSync(path, 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ components: spec.components ?? {} }, SPEC_ID);
  const paths = Object.entries(spec.paths ?? {}).map(([template, item]) => ({
    template,
    item,
    regex: templateRegex(template),
    // a literal segment beats a variable one ("/students:import" before "/students/{n}")
    literal: template.replace(/\{[^}]+\}/g, '').length,
  }));
  paths.sort((a, b) => b.literal - a.literal);
  return { spec, ajv, paths, cache: new Map() };
}

/** The operations of the spec as "METHOD /path" strings. */
export function operationsOf(contract) {
  const out = [];
  for (const { template, item } of contract.paths)
    for (const m of METHODS) if (item[m]) out.push(`${m.toUpperCase()} ${template}`);
  return out.sort();
}

function validatorFor(contract, key, schema) {
  if (!contract.cache.has(key)) contract.cache.set(key, contract.ajv.compile(anchorRefs(schema)));
  return contract.cache.get(key);
}

function mediaTypeOf(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function ajvErrors(validate) {
  return (validate.errors ?? []).map((e) => `body${e.instancePath || ''} ${e.message}` +
    (e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''));
}

// Checks status, media type and body against one response object; returns error strings.
function checkResponse(contract, key, response, ex) {
  const errors = [];
  const content = response.content ?? {};
  const media = mediaTypeOf(ex.content_type);
  if (Object.keys(content).length === 0) {
    if (ex.body) errors.push(`declares no body but one was sent (${ex.content_type})`);
    return errors;
  }
  const entry = deref(contract.spec, content[media]);
  if (!entry) {
    errors.push(`Content-Type "${ex.content_type}" is not declared (declared: ${Object.keys(content).join(', ')})`);
    return errors;
  }
  if (!entry.schema) return errors;
  let body = ex.body ?? '';
  if (media === 'application/json' || media.endsWith('+json')) {
    try {
      body = JSON.parse(body);
    } catch (e) {
      errors.push(`body is not JSON: ${e.message}`);
      return errors;
    }
  }
  const validate = validatorFor(contract, `${key} ${media}`, entry.schema);
  if (!validate(body)) errors.push(...ajvErrors(validate));
  return errors;
}

const GENERIC = {
  404: 'no operation matches this path: only the default 404 problem is allowed',
  405: 'the path exists but not for this method: only the default 405 problem is allowed',
};

// The default endpoint answers 404 (unknown path) or 405 (known path, other method) with a problem.
function checkUnrouted(contract, ex, status) {
  if (ex.status !== status) return [`${GENERIC[status]} (got ${ex.status})`];
  const problem = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  return checkResponse(contract, `default ${status}`, problem, ex);
}

/** Checks one exchange {method, path, status, content_type, body}; returns a list of error strings
 * (empty when the response is what the contract says). Also returns the operation key it matched. */
export function checkExchange(contract, ex) {
  const path = (ex.path ?? '').split('?')[0];
  const method = (ex.method ?? '').toLowerCase();
  const match = contract.paths.find((p) => p.regex.test(path));
  if (!match) return { op: null, errors: checkUnrouted(contract, ex, 404) };
  const operation = match.item[method];
  if (!operation) return { op: null, errors: checkUnrouted(contract, ex, 405) };
  const op = `${method.toUpperCase()} ${match.template}`;
  const responses = operation.responses ?? {};
  const declared = responses[String(ex.status)] ?? responses[`${String(ex.status)[0]}XX`] ?? responses.default;
  if (!declared)
    return { op, errors: [`status ${ex.status} is not declared (declared: ${Object.keys(responses).join(', ')})`] };
  return { op, errors: checkResponse(contract, `${op} ${ex.status}`, deref(contract.spec, declared), ex) };
}
