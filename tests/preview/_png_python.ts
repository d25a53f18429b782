/**
 * An independent PNG decoder for the tests: Debian's /usr/bin/python3 reads the chunks, checks
 * every CRC with zlib.crc32, inflates IDAT with zlib and undoes all five PNG row filters with
 * numpy. Then `code` runs with the decoded `img` (H × W × 3 uint8) and the JSON input `inp`.
 */
import { HAVE_SCIPY } from "../volume/_scipy.ts";

export { HAVE_SCIPY };

const DECODER = `
import json, sys, struct, zlib
import numpy as np
import scipy.ndimage as nd
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'bad signature'
pos, idat, ihdr, chunks = 8, b'', None, []
while pos < len(data):
    n, = struct.unpack('>I', data[pos:pos+4]); kind = data[pos+4:pos+8]
    body = data[pos+8:pos+8+n]; crc, = struct.unpack('>I', data[pos+8+n:pos+12+n])
    assert zlib.crc32(kind + body) & 0xffffffff == crc, 'bad crc in %r' % kind
    chunks.append(kind.decode()); pos += 12 + n
    if kind == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT': idat += body
    elif kind == b'IEND': break
W, H, depth, ctype, comp, filt, inter = ihdr
assert (depth, ctype, inter) == (8, 2, 0), ihdr
raw = zlib.decompress(idat); stride = W * 3
assert len(raw) == H * (stride + 1), 'bad IDAT length'
img = np.zeros((H, stride), np.int32); prev = np.zeros(stride, np.int32)
for y in range(H):
    f = raw[y*(stride+1)]; line = np.frombuffer(raw, np.uint8, stride, y*(stride+1)+1).astype(np.int32)
    out = np.zeros(stride, np.int32)
    for x in range(stride):
        a = out[x-3] if x >= 3 else 0; b = prev[x]; c = prev[x-3] if x >= 3 else 0
        if f == 0: p = 0
        elif f == 1: p = a
        elif f == 2: p = b
        elif f == 3: p = (a + b) // 2
        else:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2*c)
            p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[x] = (line[x] + p) & 255
    img[y] = out; prev = out
img = img.reshape(H, W, 3).astype(np.uint8)
inp = json.loads(sys.stdin.read())
`;

/** Decodes the PNG file `path` in python and returns what `code` assigns to `out`. */
export async function checkPngInPython(
  path: string,
  code: string,
  input: unknown,
): Promise<unknown> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", `${DECODER}\n${code}\nprint(json.dumps(out))\n`, path],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const o = await child.output();
  if (!o.success) throw new Error(`python failed: ${new TextDecoder().decode(o.stderr)}`);
  return JSON.parse(new TextDecoder().decode(o.stdout));
}
