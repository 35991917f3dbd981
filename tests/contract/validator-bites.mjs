// validator-bites.mjs SPEC — proves the response check bites: deliberately wrong responses (wrong
// status, wrong field type, missing required field, undocumented field, wrong content type, unknown
// operation, body that is not JSON) must each be reported, right ones must pass, and the command
// line must fail on a bad log and on an empty one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkExchange, loadContract } from './contract.mjs';

const specPath = process.argv[2];
const contract = loadContract(specPath);
const school = { code: 'CMS', name: 'Computing', version: 1,
  created_at: '2026-09-01T09:00:00.123456+00:00', updated_at: '2026-09-01T09:00:00.123456+00:00' };
const json = (method, path, status, body, contentType = 'application/json') =>
  ({ method, path, status, content_type: contentType, body: typeof body === 'string' ? body : JSON.stringify(body) });
const problem = (status) => ({ type: '/problems/not-found', title: 'Not found', status, detail: 'no such school' });

const good = [
  json('GET', '/healthz', 200, { status: 'ok' }),
  json('GET', '/schools/CMS', 200, school, 'application/json; charset=utf-8'),
  json('GET', '/schools/CMS?x=1', 404, problem(404), 'application/problem+json'),
  json('GET', '/no/such/path', 404, problem(404), 'application/problem+json'),
  json('DELETE', '/healthz', 405, { ...problem(405), type: '/problems/method-not-allowed' }, 'application/problem+json'),
];
const bad = {
  'wrong status': [json('GET', '/healthz', 418, { status: 'ok' }), /status 418 is not declared/],
  'wrong field type': [json('GET', '/schools/CMS', 200, { ...school, version: '1' }), /body\/version must be integer/],
  'missing required field': [json('GET', '/schools/CMS', 200, (({ name, ...rest }) => rest)(school)),
    /must have required property 'name'/],
  'undocumented field': [json('GET', '/schools/CMS', 200, { ...school, secret: 1 }), /additional properties \(secret\)/],
  'wrong content type': [json('GET', '/healthz', 200, { status: 'ok' }, 'text/plain'), /Content-Type "text\/plain" is not declared/],
  'problem sent as application/json': [json('GET', '/schools/CMS', 404, problem(404)), /Content-Type "application\/json" is not declared/],
  'wrong enum value': [json('GET', '/healthz', 200, { status: 'fine' }), /must be equal to constant/],
  'bad date-time': [json('GET', '/schools/CMS', 200, { ...school, created_at: 'yesterday' }), /must match format "date-time"/],
  'body not JSON': [json('GET', '/healthz', 200, '{status: ok'), /body is not JSON/],
  'unrouted path answered 200': [json('GET', '/no/such/path', 200, { status: 'ok' }), /no operation matches/],
  'undocumented method answered 200': [json('DELETE', '/healthz', 200, { status: 'ok' }), /not for this method/],
  'problem missing status': [json('GET', '/schools/CMS', 404, { type: '/problems/not-found', title: 'Not found' },
    'application/problem+json'), /must have required property 'status'/],
};

let checked = 0;
for (const ex of good) {
  const { errors } = checkExchange(contract, ex);
  assert.deepEqual(errors, [], `a right response was refused: ${ex.method} ${ex.path} ${ex.status}: ${errors}`);
  checked++;
}
for (const [what, [ex, expected]] of Object.entries(bad)) {
  const { errors } = checkExchange(contract, ex);
  assert.ok(errors.some((e) => expected.test(e)), `${what} was not reported as ${expected}: got ${JSON.stringify(errors)}`);
  checked++;
}

// The command line: a log with one bad line fails, an empty log fails, a good log passes.
const dir = mkdtempSync(join(tmpdir(), 'contract-bites-'));
const run = (lines) => {
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(log, lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
  try {
    execFileSync(process.execPath, [new URL('./validate-exchanges.mjs', import.meta.url).pathname, specPath, log],
      { stdio: 'pipe' });
    return 0;
  } catch (e) {
    return e.status;
  }
};
assert.equal(run(good), 0, 'a log of right responses must pass');
assert.equal(run([...good, bad['wrong field type'][0]]), 1, 'a log with a wrong response must fail');
assert.equal(run([]), 1, 'an empty log must fail');
checked += 3;
console.log(`the contract check bites: ${checked} cases behaved`);
