import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SCHEMAS, schemaModule } from '../../scripts/schemas/generate.js';

for (const schema of SCHEMAS) {
  test(`the generated ${schema.exportName} matches its .proto (npm run gen:schemas regenerates it)`, async () => {
    assert.equal(readFileSync(schema.module, 'utf8'), await schemaModule(schema));
  });
}
