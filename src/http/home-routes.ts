import type { FastifyPluginAsync } from 'fastify';

// A white R on the review desk's navy, 16 × 16; `#` is ink, `.` background, ` ` transparent (the rounded corners).
const GLYPH = [
  ' ..............',
  '................',
  '................',
  '...########.....',
  '...#########....',
  '...###....###...',
  '...###....###...',
  '...###....###...',
  '...#########....',
  '...########.....',
  '...###..###.....',
  '...###...###....',
  '...###....###...',
  '...###.....###..',
  '................',
  ' .............. ',
].map((row) => row.padEnd(16, ' '));

/** A 32-bit ICO (one 16 × 16 BMP with alpha): what a browser asks for before any page says otherwise. */
function buildFavicon(): Buffer {
  const size = 16;
  const pixels = Buffer.alloc(size * size * 4);
  const mask = Buffer.alloc(size * 4); // the 1-bit AND mask, rows padded to 32 bits: unused with alpha
  for (let y = 0; y < size; y++) {
    // BMP rows run bottom-up; pixels are BGRA.
    const row = GLYPH[size - 1 - y]!;
    for (let x = 0; x < size; x++) {
      const at = (y * size + x) * 4;
      const c = row[x];
      const [r, g, b, a] =
        c === '#' ? [255, 255, 255, 255] : c === '.' ? [0x15, 0x32, 0x4f, 255] : [0, 0, 0, 0];
      pixels.writeUInt8(b, at);
      pixels.writeUInt8(g, at + 1);
      pixels.writeUInt8(r, at + 2);
      pixels.writeUInt8(a, at + 3);
    }
  }
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour and mask together
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([header, pixels, mask]);
  const dir = Buffer.alloc(22);
  dir.writeUInt16LE(1, 2); // type: icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(size, 6);
  dir.writeUInt8(size, 7);
  dir.writeUInt16LE(1, 10);
  dir.writeUInt16LE(32, 12);
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(22, 18);
  return Buffer.concat([dir, image]);
}

const FAVICON = buildFavicon();

/** `/` is where someone who only knows the address lands: the review desk. And the icon browsers ask for. */
export const homeRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', async (_req, reply) => reply.redirect('/review', 302));
  app.get('/favicon.ico', async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=86400').type('image/x-icon').send(FAVICON),
  );
};
