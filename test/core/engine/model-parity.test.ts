/**
 * The converted bundled models and their input gradients against the PyTorch reference
 * (scripts/make_model_fixtures.py: an independent Keras evaluator on the same weights).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createActivationSession, createGradientSession } from '../../../src/node/runtime/engine.js';
import { loadModel } from '../../../src/node/models/index.js';
import { relativeL2 } from '../../support/compare.js';
import { listModelFixtures, readModelFixture } from '../../fixtures/models/read-fixture.js';

const releases: (() => Promise<void>)[] = [];
after(async () => {
  for (const release of releases) await release();
});

for (const name of listModelFixtures()) {
  const fixture = readModelFixture(name);
  const [, , height, width] = fixture.input.shape as [number, number, number, number];
  describe(`${fixture.model} ${fixture.layer} at ${width}x${height}`, () => {
    if (fixture.activation) {
      const expected = fixture.activation;
      test('activation matches PyTorch (relative L2 <= 1e-4)', async () => {
        const model = await loadModel(fixture.model);
        const session = await createActivationSession(model, fixture.layer, { height, width });
        releases.push(() => session.release());
        const actual = await session.run(fixture.input.data);
        assert.deepEqual(actual.dims, expected.shape);
        assert.ok(
          relativeL2(actual.data, expected.data) <= 1e-4,
          `relative L2 ${relativeL2(actual.data, expected.data)}`,
        );
      });
    }
    for (const objective of fixture.objectives) {
      const label = `${objective.term.reduce}${objective.term.channels ? ` of channels ${objective.term.channels.join(',')}` : ''}`;
      test(`gradient of ${label} matches PyTorch autograd (relative L2 <= 2e-3)`, async () => {
        const model = await loadModel(fixture.model);
        const session = await createGradientSession(model, { terms: [objective.term] }, { height, width });
        releases.push(() => session.release());
        const result = await session.run(fixture.input.data);
        assert.ok(
          Math.abs(result.objective - objective.value) <= 1e-4 * Math.abs(objective.value),
          `objective ${result.objective} vs ${objective.value}`,
        );
        const error = relativeL2(result.gradient, objective.gradient.data);
        assert.ok(error <= 2e-3, `gradient relative L2 ${error}`);
      });
    }
  });
}
