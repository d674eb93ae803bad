/**
 * JPEG framing: splits a stream of concatenated JPEGs (ffmpeg's image2pipe) into whole images by
 * walking the marker segments (so bytes inside a table never look like an end), and reads a
 * JPEG's size from its SOF marker.
 */

/** A JPEG larger than this is not one (the stream is out of step): the splitter starts over. */
const MAX_JPEG_BYTES = 32 * 1024 * 1024;

/** Where the JPEG starting at `start` ends (after EOI); -1 if not all there yet, -2 if not a JPEG. */
export function jpegEnd(buffer: Buffer, start = 0): number {
  if (buffer.length - start < 2) return -1;
  if (buffer[start] !== 0xff || buffer[start + 1] !== 0xd8) return -2;
  let at = start + 2;
  for (;;) {
    // Marker segments up to the start of scan.
    if (buffer.length - at < 2) return -1;
    if (buffer[at] !== 0xff) return -2;
    const marker = buffer[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd9) return at + 2;
    if (buffer.length - at < 4) return -1;
    const length = buffer.readUInt16BE(at + 2);
    if (length < 2) return -2;
    at += 2 + length;
    if (marker !== 0xda) continue;
    // Entropy-coded data: a marker is 0xFF followed by anything but 0x00 (stuffing) or RSTn.
    for (;;) {
      const ff = buffer.indexOf(0xff, at);
      if (ff === -1 || ff + 1 >= buffer.length) return -1;
      const next = buffer[ff + 1]!;
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) {
        at = ff + 1 + (next === 0xff ? 0 : 1);
        continue;
      }
      at = ff;
      break;
    }
  }
}

export class JpegSplitter {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const end = jpegEnd(this.buffer);
      if (end === -1) {
        if (this.buffer.length > MAX_JPEG_BYTES) this.buffer = Buffer.alloc(0);
        break;
      }
      if (end === -2) {
        // Out of step: skip to the next start of image.
        const next = this.buffer.indexOf(Buffer.from([0xff, 0xd8]), 1);
        this.buffer = next === -1 ? Buffer.alloc(0) : this.buffer.subarray(next);
        continue;
      }
      out.push(Buffer.from(this.buffer.subarray(0, end)));
      this.buffer = this.buffer.subarray(end);
    }
    return out;
  }
}

/** Width and height from the first SOF marker, or undefined when there is none. */
export function jpegSize(jpeg: Buffer): { width: number; height: number } | undefined {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at] !== 0xff) return undefined;
    const marker = jpeg[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = jpeg.readUInt16BE(at + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof && at + 9 <= jpeg.length) return { height: jpeg.readUInt16BE(at + 5), width: jpeg.readUInt16BE(at + 7) };
    if (marker === 0xda || marker === 0xd9) return undefined;
    at += 2 + length;
  }
  return undefined;
}
