#!/usr/bin/env bash
# The one check a machine with an NVIDIA GPU runs (issue 13), from a checkout with network access:
# installs onnxruntime-node's CUDA provider (the repository's .npmrc skips it), then
# bench/device.ts: parity of the CUDA and WebGPU gradients with the CPU's (relative L2 at most
# 1e-3) and the default dream of a 1024x768 photo on cpu, cuda and webgpu, timed in the same run.
# Needs CUDA 12 and cuDNN 9 on the library path. Exits non-zero when a parity check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi: no NVIDIA GPU visible"
# ONNXRUNTIME_NODE_INSTALL wins over .npmrc's onnxruntime-node-install=skip.
ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node
ls node_modules/onnxruntime-node/bin/napi-v6/linux/x64/
npm run build
BENCH_ROUNDS="${BENCH_ROUNDS:-5}" node --import tsx bench/device.ts cpu cuda webgpu
