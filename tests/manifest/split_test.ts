import { deepEqual, equal, ok } from "node:assert/strict";
import { nnunetSplits, splitFolds, splitProblems } from "../../src/manifest/split.ts";
import type { ManifestRow } from "../../src/manifest/types.ts";
import { createRng } from "../../src/random/rng.ts";

/** `n` rows; patient p = floor(i / perPatient); label_present from `label(i)`. */
function rows(
  n: number,
  perPatient = 1,
  label: (i: number) => string = (i) => i % 3 === 0 ? "1" : "0",
) {
  return Array.from({ length: n }, (_, i): ManifestRow => ({
    id: `case_${String(i).padStart(3, "0")}`,
    row: i + 2,
    paths: { image: `/d/case_${i}.nii.gz` },
    metadata: { patient_id: `p${Math.floor(i / perPatient)}`, label_present: label(i) },
  }));
}

const spread = (values: number[]) => Math.max(...values) - Math.min(...values);

Deno.test("splitFolds is deterministic, seed-dependent and independent of row order", () => {
  const all = rows(23);
  const a = splitFolds(all, { folds: 5, seed: 0 });
  deepEqual(splitFolds(all, { folds: 5, seed: 0 }).folds, a.folds);
  const shuffled = [...all];
  const rng = createRng(99);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  deepEqual(
    [...splitFolds(shuffled, { folds: 5, seed: 0 }).folds].sort(),
    [...a.folds].sort(),
  );
  const b = splitFolds(all, { folds: 5, seed: 1 });
  ok([...a.folds].some(([id, f]) => b.folds.get(id) !== f), "another seed, another split");
  // 23 subjects in 5 folds: sizes 5,5,5,4,4 in some order.
  deepEqual(a.counts.map((c) => c.rows).sort(), [4, 4, 5, 5, 5]);
  equal(a.folds.size, 23);
});

Deno.test("splitFolds with a group never puts one patient in two folds and balances sizes", () => {
  // 3 scans per patient, 40 patients, plus 2 patients with 6 scans.
  const all = [
    ...rows(120, 3),
    ...rows(12, 6).map((r) => ({
      ...r,
      id: `big_${r.id}`,
      metadata: { ...r.metadata, patient_id: `big${r.metadata!.patient_id}` },
    })),
  ];
  for (const seed of [0, 1, 2, 3]) {
    const s = splitFolds(all, { folds: 5, seed, group: "patient_id" });
    const foldOf = new Map<string, number>();
    for (const r of all) {
      const p = String(r.metadata!.patient_id);
      const f = s.folds.get(r.id)!;
      equal(foldOf.get(p) ?? f, f, `patient ${p} spans folds`);
      foldOf.set(p, f);
    }
    equal(s.groups, 42);
    ok(spread(s.counts.map((c) => c.rows)) <= 6, JSON.stringify(s.counts));
  }
});

Deno.test("splitFolds with stratify spreads every class evenly (counts differ by at most one)", () => {
  const all = rows(57, 1, (i) => ["a", "b", "b", "c", "c", "c", "c"][i % 7]);
  const s = splitFolds(all, { folds: 5, seed: 0, stratify: "label_present" });
  for (const v of ["a", "b", "c"]) {
    const per = s.counts.map((c) => c.strata[v] ?? 0);
    const total = all.filter((r) => r.metadata!.label_present === v).length;
    equal(per.reduce((x, y) => x + y, 0), total);
    ok(spread(per) <= 1, `${v}: ${per}`);
  }
  ok(spread(s.counts.map((c) => c.rows)) <= 1);
  // Grouped and stratified: groups stay whole, classes stay near-even.
  const grouped = splitFolds(rows(90, 2, (i) => Math.floor(i / 2) % 4 === 0 ? "1" : "0"), {
    folds: 5,
    seed: 7,
    group: "patient_id",
    stratify: "label_present",
  });
  for (const v of ["0", "1"]) ok(spread(grouped.counts.map((c) => c.strata[v] ?? 0)) <= 2);
});

Deno.test("splitProblems names empty group cells and too few groups", () => {
  const all = rows(4);
  delete all[2].metadata!.patient_id;
  deepEqual(splitProblems(all, { folds: 2, seed: 0, group: "patient_id" }).map((p) => p.message), [
    'Cannot split subject "case_002": its patient_id is empty',
  ]);
  deepEqual(
    splitProblems(rows(4, 2), { folds: 3, seed: 0, group: "patient_id" }).map((p) => p.message),
    [
      "Cannot make 3 folds from 2 groups (patient_id): every fold needs at least one",
    ],
  );
});

Deno.test("nnunetSplits lists train and val ids per fold (val disjoint, covering all)", () => {
  const all = rows(11);
  const s = splitFolds(all, { folds: 3, seed: 0 });
  const splits = nnunetSplits(s, 3);
  equal(splits.length, 3);
  const vals = splits.flatMap((f) => f.val).sort();
  deepEqual(vals, all.map((r) => r.id).sort());
  for (const [f, { train, val }] of splits.entries()) {
    equal(train.length + val.length, 11);
    ok(val.every((id) => s.folds.get(id) === f && !train.includes(id)));
    deepEqual(train, [...train].sort());
  }
});
