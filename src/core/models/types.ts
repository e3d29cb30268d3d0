/** What a loaded dream model offers, whatever its source (bundled Keras, Caffe, ONNX files). */
import type { Model } from '../onnx/ir.js';

export interface LayerInfo {
  name: string;
  /** Output shape (CHW, or [units] for vectors) at the model's default input size. */
  shape: number[];
  channels: number;
  dreamable: boolean;
  /** Why the layer is not dreamable. */
  reason?: string;
}

export interface LoadedModel {
  name: string;
  /** Input `inputName`: [1, 3, H, W] RGB 0..255, H and W symbolic; every dreamable layer is a named tensor. */
  model: Model;
  inputName: string;
  /** [height, width] */
  defaultInputSize: [number, number];
  /** The smallest H = W that reaches the deepest dreamable layer. */
  minInputSize: number;
  layers: LayerInfo[];
  defaultLayer: string;
  /** The error for a class visualization, when the model's source knows why it has no classifier head. */
  noClassifierMessage?: string;
}
