/** The program's version, from package.json (three folders up, from src/apps/shared or dist/apps/shared). */
import { readFileSync } from 'node:fs';

let version: string | undefined;

export function programVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return version;
}
