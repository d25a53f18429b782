/**
 * Deterministic random numbers (SPEC §5). `deriveSeed` hashes (run seed,
 * subject id, step index, copy index) — never worker id, order or time — and
 * `createRng` turns a seed into a generator (sfc32 over a splitmix32-expanded
 * state) that gives the same sequence on every platform.
 */

/** A seeded generator of uniform and normal deviates. */
export interface Rng {
  /** Uniform in [0, 1) with 32 random bits. */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer uniform in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** Standard normal deviate (Box–Muller). */
  normal(): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
}

function fnv1a(bytes: Uint8Array, h: number): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seed of one random step for one output: a 32-bit hash of its identity. */
export function deriveSeed(
  runSeed: number,
  subjectId: string,
  stepIndex: number,
  copy: number,
): number {
  const text = JSON.stringify([runSeed, subjectId, stepIndex, copy]);
  const h1 = fnv1a(new TextEncoder().encode(text), 0x811c9dc5);
  return splitmix32(h1)();
}

/** A generator seeded with `seed` (any 32-bit integer). */
export function createRng(seed: number): Rng {
  const mix = splitmix32(seed >>> 0);
  let a = mix(), b = mix(), c = mix(), d = mix();
  const next32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next32();
  let spare: number | undefined;
  const next = () => next32() / 4294967296;
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    bernoulli: (p) => next() < p,
  };
}

/** Ziggurat tables (Marsaglia & Tsang 2000, 128 layers) for `fillNormal`. */
const ZIG = (() => {
  const kn = new Int32Array(128), wn = new Float64Array(128), fn = new Float64Array(128);
  const m1 = 2147483648;
  let dn = 3.442619855899, tn = dn;
  const vn = 9.91256303526217e-3, q = vn / Math.exp(-0.5 * dn * dn);
  kn[0] = Math.floor((dn / q) * m1);
  kn[1] = 0;
  wn[0] = q / m1;
  wn[127] = dn / m1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / m1;
  }
  return { kn, wn, fn };
})();

/**
 * Fills `out` with normal deviates (× std + mean; added to the values already
 * there when `accumulate`) drawn from the 32-bit stream of `createRng(seed)`,
 * by the ziggurat method: a bulk path for noise over millions of voxels (the
 * generator state stays in local variables).
 */
export function fillNormal(
  seed: number,
  out: Float32Array | Float64Array,
  options: { mean?: number; std?: number; accumulate?: boolean } = {},
): void {
  const mean = options.mean ?? 0, std = options.std ?? 1, acc = options.accumulate ?? false;
  const { kn, wn, fn } = ZIG;
  const mix = splitmix32(seed >>> 0);
  // sfc32 state (as createRng); kept in locals in the hot loop, in `st` for the rare tail.
  const st = new Int32Array([mix(), mix(), mix(), mix()]);
  const next = (): number => {
    const t = (((st[0] + st[1]) | 0) + st[3]) | 0;
    st[3] = (st[3] + 1) | 0;
    st[0] = st[1] ^ (st[1] >>> 9);
    st[1] = (st[2] + (st[2] << 3)) | 0;
    st[2] = (((st[2] << 21) | (st[2] >>> 11)) + t) | 0;
    return t;
  };
  for (let w = 0; w < 12; w++) next();
  const uni = () => ((next() >>> 0) + 0.5) / 4294967296;
  const tail = (hz: number, iz: number): number => {
    for (;;) {
      const x = hz * wn[iz];
      if (iz === 0) {
        let x0 = 0, y = 0;
        do {
          x0 = -Math.log(uni()) * 0.2904764;
          y = -Math.log(uni());
        } while (y + y < x0 * x0);
        return hz > 0 ? 3.442619855899 + x0 : -3.442619855899 - x0;
      }
      if (fn[iz] + uni() * (fn[iz - 1] - fn[iz]) < Math.exp(-0.5 * x * x)) return x;
      hz = next();
      iz = hz & 127;
      if (Math.abs(hz) < kn[iz]) return hz * wn[iz];
    }
  };
  let a = st[0], b = st[1], c = st[2], d = st[3];
  for (let i = 0; i < out.length; i++) {
    const hz = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (((c << 21) | (c >>> 11)) + hz) | 0;
    const iz = hz & 127;
    let z: number;
    if (Math.abs(hz) < kn[iz]) z = hz * wn[iz];
    else {
      st[0] = a, st[1] = b, st[2] = c, st[3] = d;
      z = tail(hz, iz);
      a = st[0], b = st[1], c = st[2], d = st[3];
    }
    out[i] = acc ? out[i] + mean + std * z : mean + std * z;
  }
}
