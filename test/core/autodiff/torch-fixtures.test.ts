/** Gradients against PyTorch autograd on small networks (scripts/make_op_fixtures.py). */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { GradOptions } from '../../../src/core/autodiff/gradient-model.js';
import { decodeModel } from '../../../src/core/onnx/codec.js';
import { relativeL2 } from '../../support/compare.js';
import { gradientRunner, meanSquareOf } from './harness.js';

const dir = new URL('../../fixtures/ops/', import.meta.url);
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();

interface Fixture {
  layer: string;
  input: { dims: number[]; data: number[] };
  objective: number;
  gradient: number[];
}

describe('gradients match PyTorch autograd', () => {
  it('has the fixtures', () => assert.ok(cases.length >= 10, `found ${cases.length}`));
  for (const name of cases) {
    const model = decodeModel(readFileSync(new URL(`${name}.onnx`, dir)));
    const variants: [label: string, opts: GradOptions][] = [
      ['', {}],
      [' (plain rules)', { fastPaths: false }],
      ...(model.graph.nodes.some((n) => n.opType === 'MaxPool')
        ? [[' (indices-free MaxPool)', { maxPoolBackward: 'indicesFree' }] as [string, GradOptions]]
        : []),
    ];
    for (const [label, opts] of variants) {
      it(`${name}${label}`, async () => {
        const fixture = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Fixture;
        const run = await gradientRunner(model, meanSquareOf(fixture.layer), opts);
        const { objective, gradient } = await run(Float32Array.from(fixture.input.data));
        assert.ok(
          Math.abs(objective - fixture.objective) <= 1e-5 * Math.abs(fixture.objective),
          `objective ${objective} vs ${fixture.objective}`,
        );
        const err = relativeL2(gradient, fixture.gradient);
        assert.ok(err <= 2e-3, `relative L2 error ${err}`);
      });
    }
  }
});
