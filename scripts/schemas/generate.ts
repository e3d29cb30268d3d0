/**
 * The protobuf schemas the core decodes with, compiled from the .proto files in this folder into
 * TypeScript modules (protobufjs JSON descriptors), so that no host reads a .proto file at run time.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import protobuf from 'protobufjs';

export interface Schema {
  proto: URL;
  /** The generated module, exporting the descriptor as `exportName`. */
  module: URL;
  exportName: string;
}

export const SCHEMAS: Schema[] = [
  {
    proto: new URL('./onnx.proto', import.meta.url),
    module: new URL('../../src/core/onnx/onnx-schema.ts', import.meta.url),
    exportName: 'ONNX_SCHEMA',
  },
  {
    proto: new URL('./caffe.proto', import.meta.url),
    module: new URL('../../src/core/convert/caffe/caffe-schema.ts', import.meta.url),
    exportName: 'CAFFE_SCHEMA',
  },
];

/** The generated module's text, formatted as the repository's prettier settings want it. */
export async function schemaModule({ proto, module, exportName }: Schema): Promise<string> {
  const source = await readFile(proto, 'utf8');
  // keepCase: field names stay as in the .proto (dim_value, not dimValue); the codecs read them so.
  const descriptor = protobuf.parse(source, { keepCase: true }).root.toJSON();
  const text = [
    `// Generated from scripts/schemas/${basename(fileURLToPath(proto))} by \`npm run gen:schemas\`; do not edit.`,
    "import type { INamespace } from 'protobufjs';",
    '',
    `export const ${exportName}: INamespace = ${JSON.stringify(descriptor)};`,
  ].join('\n');
  const config = await prettier.resolveConfig(fileURLToPath(module));
  return prettier.format(text, { ...config, parser: 'typescript' });
}
