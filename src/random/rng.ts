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
