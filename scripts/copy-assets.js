// After tsc: copies the non-TypeScript files of src/ (schemas, catalog, label lists) into dist/.
import { cpSync } from 'node:fs';

cpSync('src', 'dist', { recursive: true, filter: (path) => !path.endsWith('.ts') });
