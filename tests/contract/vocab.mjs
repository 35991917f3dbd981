// vocab.mjs LISTS SPEC — openapi.yaml's enums say what lib/vocab.h says: runs the LISTS program (every
// vocab list as JSON, in the engine's order) and checks that each enum of the contract that carries one
// of those lists names exactly its members, and that every list is carried by at least one enum.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';

const [listsProgram, specPath] = process.argv.slice(2);
const lists = JSON.parse(execFileSync(listsProgram, { encoding: 'utf8' }));
const schemas = YAML.parse(readFileSync(specPath, 'utf8')).components.schemas;

// Where the contract spells each list: a schema name, or a schema and one of its properties.
const carriers = {
  contact_kind: [['ContactKind']],
  direction: [['ContactDirection']],
  attendance: [['Attendance']],
  student_status: [['StudentStatus']],
  cohort: [['Cohort']],
  level: [['Level']],
  alloc_kind: [['AllocationKind']],
  raised_by: [['Concern', 'raised_by_role']],
  training_kind: [['TrainingKind']],
  finding_status: [['FindingStatus']],
  rule_type: [['RuleType']],
};

// The enum at a carrier: components.schemas[name] or its property, following allOf.
function enumAt([name, property]) {
  const schema = schemas[name];
  assert.ok(schema, `openapi.yaml has no schema ${name}`);
  if (!property) return schema.enum;
  const parts = [schema, ...(schema.allOf ?? [])];
  const found = parts.map((p) => p.properties?.[property]).find(Boolean);
  assert.ok(found, `schema ${name} has no property ${property}`);
  return found.enum;
}

const sorted = (values) => [...values].map(String).sort();
assert.deepEqual(Object.keys(carriers).sort(), Object.keys(lists).sort(), 'every vocab list has a carrier here');
let checked = 0;
for (const [list, places] of Object.entries(carriers)) {
  for (const place of places) {
    const values = enumAt(place);
    assert.ok(Array.isArray(values), `${place.join('.')} has no enum`);
    assert.deepEqual(sorted(values), sorted(lists[list]), `${place.join('.')} differs from lib/vocab.h ${list}`);
    checked++;
  }
}
// The comparison bites: a list with a member removed is told apart.
assert.notDeepEqual(sorted(lists.cohort.slice(1)), sorted(enumAt(carriers.cohort[0])));
console.log(`${checked} enums of the contract match lib/vocab.h`);
