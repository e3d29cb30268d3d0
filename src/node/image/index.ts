/** Image IO: reading photos to float RGB, writing results with their recipe. */
export { createRgbImage, type RgbImage } from '../../core/image/rgb.js';
export { readImage, DEFAULT_MAX_PIXELS, type LoadedImage, type ReadImageOptions } from './read.js';
export { writeImage, encodeImage, type WriteImageOptions } from './write.js';
export { readRecipe, recipeFromXmp, recipeToXmp, type Recipe } from './recipe.js';
export { outputFormatFor, isOutputImagePath, OUTPUT_EXTENSIONS, type OutputFormat } from './formats.js';
export { writeFileAtomic } from './files.js';
