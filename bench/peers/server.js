'use strict';
// bench/peers/server.js — the peer for bench/run: GET /students/:n in Fastify + pg, doing what tutord
// does for that route and nothing less:
//   - HS256 bearer token verified by fast-jwt (the verifier @fastify/jwt uses), algorithm pinned,
//     `exp` required, `nbf`/`iat` checked with tutord's default 30 s leeway, no verified-token cache;
//     401 problem+json otherwise;
//   - the caller's access scope from the token's roles/schools, as tutord's api/store/access.c builds it;
//   - the same SQL for the same role, as tutord's api/store/repo_students.c chooses it: sees-all callers
//     (admin, registry) run `student_get_all` (PEER_SQL_ALL_FILE: the student number only), a caller who
//     is a tutor and nothing else `student_get_tutor` (PEER_SQL_TUTOR_FILE: the number and the tutor),
//     everyone else `student_get` (PEER_SQL_FILE: the number and the five scope parameters); bench/run
//     writes the files from tutord's own prepared statements; each a named prepared statement on every
//     pooled connection, as role tutord_app;
//   - the JSON written from the statement's columns as tutord writes it (tutord_student_json's text:
//     `"key" : value` pairs, PostgreSQL's string escapes, then status_history), with an ETag of the
//     version; 404 problem+json.
// Environment: PEER_PORT, PEER_DATABASE_URL (libpq URL with host= socket dir), PEER_POOL_SIZE,
// PEER_JWT_SECRET, PEER_SQL_FILE, PEER_SQL_ALL_FILE, PEER_SQL_TUTOR_FILE. Listens on 127.0.0.1 only; no
// request logging (Fastify's default).
const fs = require('node:fs');
const Fastify = require('fastify');
const { Pool } = require('pg');
const { createVerifier } = require('fast-jwt');

const env = (name) => {
  const v = process.env[name];
  if (!v) { console.error(`peer: ${name} is not set`); process.exit(2); }
  return v;
};

const url = new URL(env('PEER_DATABASE_URL'));
const pool = new Pool({
  host: url.searchParams.get('host'),
  port: Number(url.searchParams.get('port')),
  user: url.searchParams.get('user'),
  database: url.pathname.replace(/^\//, ''),
  max: Number(env('PEER_POOL_SIZE')),
  options: '-c role=tutord_app',
});
const sql = fs.readFileSync(env('PEER_SQL_FILE'), 'utf8').trim();
const sqlAll = fs.readFileSync(env('PEER_SQL_ALL_FILE'), 'utf8').trim();
const sqlTutor = fs.readFileSync(env('PEER_SQL_TUTOR_FILE'), 'utf8').trim();
const verify = createVerifier({
  key: env('PEER_JWT_SECRET'),
  algorithms: ['HS256'],
  requiredClaims: ['exp'],
  clockTolerance: 30000,
  cache: false,
});

function problem(reply, status, title, detail) {
  return reply.code(status).type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

// The five access-scope parameters of api/store/access.c: sees_all, self_student, schools, senior, tutor.
function scopeOf(claims) {
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  const has = (...r) => r.some((x) => roles.includes(x));
  const schools = Array.isArray(claims.schools) ? claims.schools : [];
  return [
    has('admin', 'registry') ? 't' : 'f',
    has('student') ? claims.sub : null,
    '{' + schools.map((s) => `"${s}"`).join(',') + '}',
    has('senior_tutor') ? claims.sub : null,
    has('tutor', 'senior_tutor') ? claims.sub : null,
  ];
}

const app = Fastify({ logger: false });

app.addHook('onRequest', async (req, reply) => {
  const h = req.headers.authorization || '';
  if (!h.startsWith('Bearer ')) return problem(reply, 401, 'Unauthorized', 'a bearer token is required');
  try {
    req.claims = verify(h.slice(7));
  } catch (e) {
    return problem(reply, 401, 'Unauthorized', 'the token is not valid');
  }
  if (typeof req.claims.sub !== 'string') return problem(reply, 401, 'Unauthorized', 'the token has no sub');
});

// The statement tutord runs for this caller: student_get_all when the scope sees all, student_get_tutor
// for a tutor who is nothing else, else student_get.
function statementFor(n, claims) {
  const scope = scopeOf(claims);
  if (scope[0] === 't') return { name: 'student_get_all', text: sqlAll, values: [n], rowMode: 'array' };
  if (scope[1] === null && scope[3] === null && scope[4] !== null)
    return { name: 'student_get_tutor', text: sqlTutor, values: [n, scope[4]], rowMode: 'array' };
  return { name: 'student_get', text: sql, values: [n, ...scope], rowMode: 'array' };
}

// The statements' columns, in order, and whether each is a string to quote (else JSON text already).
const KEYS = [['student_number', 1], ['name', 1], ['email', 1], ['school', 1], ['partner_school', 1],
  ['programme', 1], ['level', 1], ['cohort', 1], ['status', 1], ['registered_on', 0], ['course_start', 0],
  ['date_of_birth', 0], ['version', 0], ['created_at', 0], ['updated_at', 0]];
const SHORT = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', '\\': '\\\\' };

// A JSON string as PostgreSQL's escape_json writes it.
function pgString(text) {
  return '"' + text.replace(/[\u0000-\u001f"\\]/g,
    (c) => SHORT[c] || '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

// The representation tutord writes from the row (repo_students.c student_one_json).
function studentJson(row) {
  let out = '{';
  KEYS.forEach(([key, quote], i) => {
    const v = row[i];
    out += (i ? ', "' : '"') + key + '" : ' + (v === null ? 'null' : quote ? pgString(v) : v);
  });
  const history = row[KEYS.length] === null ? [] : row[KEYS.length].split(',').map((item) => {
    const space = item.indexOf(' ');
    return `{"status" : "${item.slice(0, space)}", "from" : ${item.slice(space + 1)}}`;
  });
  return out + ',"status_history":[' + history.join(', ') + ']}';
}

app.get('/students/:n', async (req, reply) => {
  const res = await pool.query(statementFor(req.params.n, req.claims));
  if (res.rows.length === 0) return problem(reply, 404, 'Not Found', 'no such student');
  const row = res.rows[0]; // the representation's columns, then the version
  reply.header('ETag', `"${row[KEYS.length + 1]}"`).type('application/json');
  return reply.send(studentJson(row));
});

app.listen({ host: '127.0.0.1', port: Number(env('PEER_PORT')) }).catch((e) => {
  console.error(`peer: ${e.message}`);
  process.exit(1);
});
