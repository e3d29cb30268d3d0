/** ESLint as `npm run lint` runs it, on code planted at a path: what the boundary tests ask. */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: fileURLToPath(new URL('../..', import.meta.url)) });

/** The rules that report on `code` as if it were the file `path` (relative to the repository). */
export async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

export const RESTRICTED = '@typescript-eslint/no-restricted-imports';
