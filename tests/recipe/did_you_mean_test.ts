import { equal } from "node:assert/strict";
import { deriveEditDistance, didYouMean, findClosest } from "../../src/recipe/did_you_mean.ts";

Deno.test("deriveEditDistance counts insertions, deletions and substitutions", () => {
  equal(deriveEditDistance("normalise", "normalize"), 1);
  equal(deriveEditDistance("clip", "clipp"), 1);
  equal(deriveEditDistance("", "abc"), 3);
  equal(deriveEditDistance("kitten", "sitting"), 3);
});

Deno.test("findClosest picks the nearest candidate within a third of the length", () => {
  equal(findClosest("interpolaton", ["interpolation", "grid"]), "interpolation");
  equal(findClosest("Normalize", ["normalize"]), "normalize");
  equal(findClosest("corner", ["center", "origin"]), undefined);
  equal(findClosest("xyz", ["load", "save"]), undefined);
});

Deno.test("didYouMean formats the suggestion or nothing", () => {
  equal(didYouMean("lod", ["load", "save"]), "; did you mean `load`?");
  equal(didYouMean("qqqq", ["load"]), "");
});
