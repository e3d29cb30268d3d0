/**
 * Telling HEIC photos (HEVC in a HEIF container, what phones write) by their brands: sharp's
 * prebuilt libvips reads HEIF's AVIF flavour but has no HEVC decoder, so a HEIC photo needs a
 * message of its own rather than "not a supported image".
 */

/** ISO-BMFF brands of HEVC images and image sequences. */
const HEVC_BRANDS: ReadonlySet<string> = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);

/** The brands of a file's leading ftyp box (major brand first), or none. */
function ftypBrands(file: Buffer): string[] {
  if (file.length < 16 || file.toString('latin1', 4, 8) !== 'ftyp') return [];
  const end = Math.min(file.readUInt32BE(0), file.length);
  const brands = [file.toString('latin1', 8, 12)];
  // After the major brand comes a 4-byte minor version, then the compatible brands.
  for (let at = 16; at + 4 <= end; at += 4) brands.push(file.toString('latin1', at, at + 4));
  return brands;
}

export function isHeic(file: Buffer): boolean {
  return ftypBrands(file).some((brand) => HEVC_BRANDS.has(brand));
}
