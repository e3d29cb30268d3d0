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
  /** The block (see BlockInfo) the layer is listed under, when the network names its modules. */
  block?: string;
}

/**
 * A module of an imported network, by the name its source gives it ('inception4c', 'layer3',
 * 'features.7'): a name users can type for the tensor it outputs.
 */
export interface BlockInfo {
  name: string;
  /** The layer (tensor) the block outputs. */
  output: string;
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
  /** Modules of the network, which stand for their output layers wherever a layer is named. */
  blocks?: BlockInfo[];
  /** A layer or block name. */
  defaultLayer: string;
  /** Good layers (or blocks) to dream, shallow to deep. */
  recommendedLayers?: string[];
  /** The error for a class visualization, when the model's source knows why it has no classifier head. */
  noClassifierMessage?: string;
}
