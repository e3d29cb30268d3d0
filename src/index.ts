/** Inceptionism's library API: models, the gradient engine, dreaming photos, images, and dream videos. */
export * from './image/index.js';
export * from './dream/index.js';
export {
  createGradientSession,
  createActivationSession,
  type ActivationSession,
  type GradientResult,
  type GradientSession,
  type SessionOptions,
  type TileShape,
} from './engine/index.js';
export {
  loadModel,
  findLayer,
  listBundledModels,
  type BundledModelInfo,
  type LayerInfo,
  type LoadedModel,
} from './models/index.js';
export { addModel, listInstalled, removeInstalled, type InstallRecord } from './models/installed.js';
export { catalogEntries, type CatalogEntry } from './models/catalog.js';
export { classObjective } from './models/descriptor.js';
export type { Objective, ObjectiveTerm, LayerTerm, GuideTerm } from './autodiff/objective.js';
export { buildGradientModel } from './autodiff/gradient-model.js';
export { encodeModel, decodeModel } from './onnx/codec.js';
export type { Model, Graph, Node, Tensor } from './onnx/ir.js';
export { prepareZoom, renderZoom, type ZoomOptions } from './video/zoom.js';
export { prepareVideo, renderVideo, type VideoOptions } from './video/video.js';
export { engineDreamer, type FrameDreamer } from './video/dreamer.js';
