/** Inceptionism's library API: models, the gradient engine, dreaming photos, images, and dream videos. */
import { channel, layer, negative, scaled, sum } from './core/visualize/objective.js';
export * from './node/image/index.js';
export * from './node/dream/index.js';
export { createGradientSession, createActivationSession } from './node/runtime/engine.js';
export type {
  ActivationSession,
  GradientResult,
  GradientSession,
  SessionOptions,
  TileShape,
} from './core/engine/index.js';
export { findLayer } from './core/models/layers.js';
export {
  loadModel,
  listBundledModels,
  type BundledModelInfo,
  type LayerInfo,
  type LoadedModel,
} from './node/models/index.js';
export { addModel, listInstalled, removeInstalled, type InstallRecord } from './node/models/installed.js';
export { catalogEntries, type CatalogEntry } from './node/models/catalog.js';
export { classObjective } from './core/models/descriptor.js';
export type { Objective, ObjectiveTerm, LayerTerm, GuideTerm } from './core/autodiff/objective.js';
export { buildGradientModel } from './core/autodiff/gradient-model.js';
export { encodeModel, decodeModel } from './core/onnx/codec.js';
export type { Model, Graph, Node, Tensor } from './core/onnx/ir.js';
export { prepareZoom, renderZoom, type ZoomOptions } from './node/video/zoom.js';
export { prepareVideo, renderVideo, type VideoOptions } from './node/video/video.js';
export { engineDreamer, type FrameDreamer } from './node/video/dreamer.js';
export { visualizeFeatures } from './node/visualize/features.js';
export type { FeatureObjective } from './core/visualize/objective.js';
export {
  DEFAULT_VISUALIZE_SETTINGS,
  type VisualizeSettings,
  type VisualizeSettingsInput,
} from './core/visualize/settings.js';
export type { VisualizeControl, VisualizeProgress } from './core/visualize/visualize.js';
export {
  renderAtlas,
  type AtlasControl,
  type AtlasOptions,
  type AtlasProgress,
  type AtlasResult,
} from './node/atlas/atlas.js';
export {
  explainPhoto,
  explanationMontage,
  type ChannelExplanation,
  type ExplainOptions,
  type PhotoExplanation,
} from './node/visualize/explain.js';
export { montage } from './core/visualize/montage.js';
/** What a feature visualization maximises: feature.channel('mixed4', 97), feature.negative(...), feature.sum(...). */
export const feature = { channel, layer, negative, scaled, sum } as const;
