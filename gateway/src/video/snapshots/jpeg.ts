/**
 * Just enough JPEG to trust a picture: the start-of-image marker, and the picture's size from its
 * start-of-frame segment, found by walking the marker segments so that EXIF and other APPn blocks
 * (which may hold thumbnails, themselves JPEGs) are skipped whole rather than searched.
 */

export interface JpegSize {
  width: number;
  height: number;
}

/** Starts with SOI followed by a marker (`FF D8 FF`), as every JPEG file does. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** SOF0..SOF15, leaving out DHT (C4), JPG (C8) and DAC (CC), which share the range. */
const isStartOfFrame = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** Markers that stand alone, without a length: TEM and RST0..RST7. */
const hasNoLength = (marker: number): boolean => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

/**
 * Width and height from the first start-of-frame segment; undefined when the bytes are not a JPEG,
 * are cut short before that segment, or reach the scan data (or the end of image) without one.
 */
export function jpegSize(bytes: Uint8Array): JpegSize | undefined {
  if (!isJpeg(bytes)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 1 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    if (hasNoLength(marker)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, start of scan: no frame header came first
    if (at + 4 > bytes.length) return undefined;
    const length = view.getUint16(at + 2);
    if (length < 2) return undefined;
    if (isStartOfFrame(marker)) {
      // Segment: length(2) precision(1) height(2) width(2) ...
      if (at + 9 > bytes.length || length < 7) return undefined;
      const height = view.getUint16(at + 5);
      const width = view.getUint16(at + 7);
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    at += 2 + length;
  }
  return undefined;
}
