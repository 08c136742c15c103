// JPEG-looking test bytes; no vitest import, so the crash-test child can use it too.
/** A smallest valid JPEG-looking buffer (SOI marker + payload + EOI); contents are what the test checks. */
export function fakeJpeg(seed: number, size = 2048): Buffer {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = (seed * 31 + i * 7) & 0xff;
  buf[0] = 0xff;
  buf[1] = 0xd8;
  buf[2] = 0xff;
  buf[size - 2] = 0xff;
  buf[size - 1] = 0xd9;
  return buf;
}
