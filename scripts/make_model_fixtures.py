"""Writes the reference fixtures of test/fixtures/models/ with the PyTorch reference
(scripts/torch_keras.py): activations, objectives and their gradients w.r.t. the input pixels.

    /usr/bin/python3 scripts/make_model_fixtures.py

Values are computed in float64 arithmetic from the float32 weights tfjs dequantizes (so they are
the exact answer for the float32 model the engine runs) and stored as float32 little-endian.
Each fixture's header also records how far a float32 PyTorch run is from it, as a tolerance hint.
Read them from TypeScript with test/fixtures/models/read-fixture.ts.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

from torch_keras import REPO_ROOT, build_model

OUT_DIR = os.path.join(REPO_ROOT, 'test', 'fixtures', 'models')
CHANNELS = [3, 17]
# (height, width, seed, full): odd sizes exercise floor/ceil shape arithmetic; `full` adds the
# activation and the mean / channel objectives, the other size only the mean-square one.
SIZES = [(107, 131, 1, True), (96, 80, 2, False)]
FIXTURES = {
    'inception_v3': {'full': ['mixed3', 'mixed5'], 'small': ['mixed5']},
    'mobilenet_v2': {'full': ['block_6_project_BN', 'block_10_project_BN'], 'small': ['block_10_project_BN']},
}


def smooth_image(height, width, seed):
    """Deterministic RGB pixels 0..255, NCHW float32: bilinearly upsampled noise at two scales."""
    rng = np.random.default_rng(seed)
    image = np.zeros((1, 3, height, width))
    for cells, amplitude in ((4, 1.0), (16, 0.35)):
        coarse = torch.tensor(rng.standard_normal((1, 3, cells, cells)))
        image += amplitude * F.interpolate(coarse, size=(height, width), mode='bilinear', align_corners=False).numpy()
    image = (image - image.min()) / (image.max() - image.min()) * 255
    return image.astype(np.float32)


def term(layer, reduce, channels=None):
    """An objective term exactly as src/autodiff/objective.ts LayerTerm describes it."""
    spec = {'kind': 'layer', 'layer': layer, 'weight': 1, 'reduce': reduce}
    if channels is not None:
        spec['channels'] = channels
    return spec


def evaluate(act, spec):
    if 'channels' in spec:
        act = act[:, spec['channels']]
    return act.mean() if spec['reduce'] == 'mean' else (act * act).mean()


def objective_and_gradient(net, pixels, spec, dtype):
    x = torch.tensor(pixels, dtype=dtype, requires_grad=True)
    value = evaluate(net(x)[spec['layer']], spec)
    (grad,) = torch.autograd.grad(value, x)
    return float(value), grad.numpy().astype(np.float64)


def rel_l2(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def write_bin(name, array):
    array.astype('<f4').tofile(os.path.join(OUT_DIR, name))
    return {'file': name, 'shape': list(array.shape)}


def make_fixture(model, layer, height, width, input_file, pixels, full, nets):
    stem = f'{model}-{layer}-{height}x{width}'
    net64, net32 = nets
    act = net64(torch.tensor(pixels, dtype=torch.float64))[layer].detach().numpy()
    act32 = net32(torch.tensor(pixels))[layer].detach().numpy().astype(np.float64)
    specs = [term(layer, 'meanSquare')]
    if full:
        specs += [term(layer, 'mean'), term(layer, 'meanSquare', CHANNELS)]
    objectives = []
    for spec in specs:
        value, grad = objective_and_gradient(net64, pixels, spec, torch.float64)
        value32, grad32 = objective_and_gradient(net32, pixels, spec, torch.float32)
        suffix = spec['reduce'] + (''.join(f'-c{c}' for c in spec['channels']) if 'channels' in spec else '')
        objectives.append({
            'term': spec,
            'value': value,
            'gradient': write_bin(f'{stem}.grad-{suffix}.bin', grad),
            'float32Torch': {'value': value32, 'gradientRelL2': rel_l2(grad32, grad)},
        })
    header = {
        'format': 1,
        'model': model,
        'layer': layer,
        'input': {'file': input_file, 'shape': [1, 3, height, width],
                  'meaning': 'RGB pixels 0..255, NCHW; the model applies x / 127.5 - 1 itself'},
        'activation': write_bin(f'{stem}.activation.bin', act) if full else None,
        'activationLayout': 'NCHW',
        'float32TorchActivationRelL2': rel_l2(act32, act),
        'objectives': objectives,
        'objectiveDefinition': 'mean over all elements (N, selected channels, H, W) of act or act^2',
        'dtype': 'float32',
        'byteOrder': 'little-endian',
        'computedIn': 'float64 arithmetic; weights: tfjs float32 dequantization (q * scale + min)',
        'torchVersion': torch.__version__,
        'numpyVersion': np.__version__,
        'madeBy': 'scripts/make_model_fixtures.py (PyTorch reference scripts/torch_keras.py)',
    }
    with open(os.path.join(OUT_DIR, f'{stem}.json'), 'w') as f:
        json.dump(header, f, indent=1)
        f.write('\n')
    print(stem, {o['term']['reduce'] + str(o['term'].get('channels', '')): o['value'] for o in objectives})


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for height, width, seed, full in SIZES:
        pixels = smooth_image(height, width, seed)
        input_file = f'input-{height}x{width}.bin'
        write_bin(input_file, pixels)
        for model, layers in FIXTURES.items():
            chosen = layers['full' if full else 'small']
            nets = (build_model(model, chosen, torch.float64), build_model(model, chosen, torch.float32))
            for layer in chosen:
                make_fixture(model, layer, height, width, input_file, pixels, full, nets)


if __name__ == '__main__':
    main()
