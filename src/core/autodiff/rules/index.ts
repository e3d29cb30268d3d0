/** Gradient rules by ONNX op type (default domain). */
import type { GradRule } from '../grad-context.js';
import {
  batchNormGrad,
  clipGrad,
  leakyReluGrad,
  lrnGrad,
  reluGrad,
  sigmoidGrad,
  softmaxGrad,
  tanhGrad,
} from './activation.js';
import { convGrad, convTransposeGrad } from './conv.js';
import { addGrad, divGrad, mulGrad, subGrad } from './elementwise.js';
import { gemmGrad, matMulGrad } from './linear.js';
import { averagePoolGrad, globalAveragePoolGrad, maxPoolGrad } from './pool.js';
import {
  concatGrad,
  padGrad,
  passThroughGrad,
  reduceMeanGrad,
  reduceSumGrad,
  reduceSumSquareGrad,
  reshapeGrad,
  sliceGrad,
  splitGrad,
  transposeGrad,
} from './shape.js';

export const GRADIENT_RULES: ReadonlyMap<string, GradRule> = new Map<string, GradRule>([
  ['Conv', convGrad],
  ['ConvTranspose', convTransposeGrad],
  ['Relu', reluGrad],
  ['Clip', clipGrad],
  ['LeakyRelu', leakyReluGrad],
  ['Sigmoid', sigmoidGrad],
  ['Tanh', tanhGrad],
  ['Softmax', softmaxGrad],
  ['BatchNormalization', batchNormGrad],
  ['LRN', lrnGrad],
  ['MaxPool', maxPoolGrad],
  ['AveragePool', averagePoolGrad],
  ['GlobalAveragePool', globalAveragePoolGrad],
  ['Add', addGrad],
  ['Sum', addGrad],
  ['Sub', subGrad],
  ['Mul', mulGrad],
  ['Div', divGrad],
  ['Gemm', gemmGrad],
  ['MatMul', matMulGrad],
  ['Concat', concatGrad],
  ['Split', splitGrad],
  ['Slice', sliceGrad],
  ['Pad', padGrad],
  ['Flatten', reshapeGrad],
  ['Reshape', reshapeGrad],
  ['Squeeze', reshapeGrad],
  ['Unsqueeze', reshapeGrad],
  ['Transpose', transposeGrad],
  ['Identity', passThroughGrad],
  ['Dropout', passThroughGrad],
  ['ReduceMean', reduceMeanGrad],
  ['ReduceSum', reduceSumGrad],
  ['ReduceSumSquare', reduceSumSquareGrad],
]);
