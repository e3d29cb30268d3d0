/**
 * A HEIC file as phones write it, down to the boxes (ISO-BMFF: ftyp, then meta naming one hvc1
 * image item with its hvcC decoder configuration and size), with a few bytes standing in for the
 * HEVC stream: no HEVC encoder is at hand, and the studio must tell HEIC apart before decoding.
 */

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** A full box: version 0, no flags. */
const fullBox = (type: string, ...payload: Buffer[]) => box(type, Buffer.alloc(4), ...payload);

const u8 = (...values: number[]) => Buffer.from(values);
function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}
function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

/** Only the first box, with the brands an iPhone writes. */
export function heicBrandsOnly(): Buffer {
  return box('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'));
}

export function heicContainer(width: number, height: number): Buffer {
  const stream = Buffer.from([0, 0, 0, 4, 0x26, 0x01, 0xaf, 0x00]);
  // HEVCDecoderConfigurationRecord: Main profile, 8-bit 4:2:0, no parameter set arrays.
  const hvcC = box(
    'hvcC',
    u8(1, 0x01),
    u32(0x60000000),
    Buffer.alloc(6),
    u8(90),
    u16(0xf000),
    u8(0xfc, 0xfd, 0xf8, 0xf8),
    u16(0),
    u8(0x0f, 0),
  );
  const ispe = fullBox('ispe', u32(width), u32(height));
  const infe = box('infe', u8(2, 0, 0, 0), u16(1), u16(0), Buffer.from('hvc1\0', 'latin1'));
  const meta = (offset: number) =>
    fullBox(
      'meta',
      fullBox('hdlr', u32(0), Buffer.from('pict', 'latin1'), Buffer.alloc(12), u8(0)),
      fullBox('pitm', u16(1)),
      // One item, one extent: offset and length of 4 bytes each.
      fullBox('iloc', u8(0x44, 0x00), u16(1), u16(1), u16(0), u16(1), u32(offset), u32(stream.length)),
      fullBox('iinf', u16(1), infe),
      box('iprp', box('ipco', hvcC, ispe), fullBox('ipma', u32(1), u16(1), u8(2, 0x81, 0x02))),
    );
  const ftyp = heicBrandsOnly();
  const offset = ftyp.length + meta(0).length + 8;
  return Buffer.concat([ftyp, meta(offset), box('mdat', stream)]);
}
