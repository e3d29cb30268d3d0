/**
 * The dream recipe (options, seed, versions...) travels inside the output image as XMP, which
 * sharp writes and reads for PNG, JPEG, WebP, AVIF and TIFF alike.
 */
import sharp from 'sharp';
import { readInputFile } from './files.js';

export type Recipe = Record<string, unknown>;

const NAMESPACE = 'https://github.com/inceptionism/xmp/1.0/';
const RECIPE_ELEMENT = /<inceptionism:recipe>([\s\S]*?)<\/inceptionism:recipe>/;

/** An XMP packet holding the recipe as JSON text. */
export function recipeToXmp(recipe: Recipe): string {
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">' +
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    `<rdf:Description rdf:about="" xmlns:inceptionism="${NAMESPACE}">` +
    `<inceptionism:recipe>${escapeXml(JSON.stringify(recipe))}</inceptionism:recipe>` +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}

/** The recipe in an XMP packet, or undefined when it has none. */
export function recipeFromXmp(xmp: string): Recipe | undefined {
  const match = RECIPE_ELEMENT.exec(xmp);
  if (!match) return undefined;
  const value: unknown = JSON.parse(unescapeXml(match[1] ?? ''));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('the embedded recipe is not a JSON object');
  }
  return value as Recipe;
}

/** The recipe embedded in an image file by writeImage, or undefined when it has none. */
export async function readRecipe(path: string): Promise<Recipe | undefined> {
  const file = await readInputFile(path);
  let xmp: string | undefined;
  try {
    xmp = (await sharp(file, { limitInputPixels: false }).metadata()).xmpAsString;
  } catch (err) {
    throw new Error(`cannot read ${path}: not a supported image (corrupt or truncated?)`, { cause: err });
  }
  try {
    return xmp === undefined ? undefined : recipeFromXmp(xmp);
  } catch (err) {
    throw new Error(`cannot read the recipe in ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}
