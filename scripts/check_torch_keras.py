"""Checks scripts/torch_keras.py against the original tfjs model (scripts/tfjs-activations.ts):
same input, activations compared by relative L2 error (must be <= 1e-4).

    /usr/bin/python3 scripts/check_torch_keras.py [height width]
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

from torch_keras import REPO_ROOT, build_model
from make_model_fixtures import smooth_image

CHECKS = {'inception_v3': ['mixed3', 'mixed5'], 'mobilenet_v2': ['block_6_project_BN', 'block_10_project_BN']}
TOLERANCE = 1e-4


def rel_l2(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def main():
    height, width = (int(v) for v in sys.argv[1:3]) if len(sys.argv) == 3 else (107, 131)
    pixels = smooth_image(height, width, seed=1)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        input_path = os.path.join(tmp, 'input.bin')
        pixels.astype('<f4').tofile(input_path)
        for model, layers in CHECKS.items():
            out_dir = os.path.join(tmp, model)
            subprocess.run(['node', '--import', 'tsx', 'scripts/tfjs-activations.ts', model, input_path,
                            str(height), str(width), out_dir, *layers], cwd=REPO_ROOT, check=True, capture_output=True)
            for dtype in (torch.float32, torch.float64):
                acts = build_model(model, layers, dtype)(torch.tensor(pixels, dtype=dtype))
                for layer in layers:
                    ours = acts[layer].detach().numpy().transpose(0, 2, 3, 1).astype(np.float64)
                    theirs = np.fromfile(os.path.join(out_dir, f'{layer}.bin'), dtype='<f4').reshape(ours.shape)
                    err = rel_l2(ours, theirs)
                    worst = max(worst, err)
                    print(json.dumps({'model': model, 'layer': layer, 'torch_dtype': str(dtype), 'shape': list(ours.shape),
                                      'rel_l2_vs_tfjs': err}))
    print(json.dumps({'worst_rel_l2': worst, 'tolerance': TOLERANCE, 'ok': worst <= TOLERANCE}))
    sys.exit(0 if worst <= TOLERANCE else 1)


if __name__ == '__main__':
    main()
