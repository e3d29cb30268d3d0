/** Writes the core's schema modules from scripts/schemas/*.proto. Run: npm run gen:schemas */
import { writeFile } from 'node:fs/promises';
import { SCHEMAS, schemaModule } from './schemas/generate.js';

for (const schema of SCHEMAS) await writeFile(schema.module, await schemaModule(schema));
