import { deepEqual, equal } from "node:assert/strict";
import { matchesWhere, parseWhere, WhereSyntaxError } from "../../src/manifest/where.ts";
import type { ManifestRow } from "../../src/manifest/types.ts";

const row = (metadata: ManifestRow["metadata"], id = "s1"): ManifestRow => ({
  id,
  row: 2,
  paths: { image: "/x.nii" },
  metadata,
});

Deno.test("parseWhere reads =, !=, in and not in with bare and quoted values", () => {
  deepEqual(parseWhere("fold!=0"), {
    text: "fold!=0",
    column: "fold",
    negate: true,
    values: ["0"],
  });
  deepEqual(parseWhere(" site = A "), {
    text: " site = A ",
    column: "site",
    negate: false,
    values: ["A"],
  });
  deepEqual(parseWhere("fold in 1, 2,3").values, ["1", "2", "3"]);
  equal(parseWhere("fold in 1,2").negate, false);
  deepEqual(parseWhere("site not in A,B"), {
    text: "site not in A,B",
    column: "site",
    negate: true,
    values: ["A", "B"],
  });
  deepEqual(parseWhere('site="St. Mary, North"').values, ["St. Mary, North"]);
  deepEqual(parseWhere("split=").values, [""]);
});

Deno.test("parseWhere reports the column of a syntax error and never evaluates code", () => {
  const at = (text: string) => {
    try {
      parseWhere(text);
    } catch (e) {
      if (e instanceof WhereSyntaxError) return [e.col, e.message];
      throw e;
    }
    throw new Error(`parsed: ${text}`);
  };
  deepEqual(at("fold==0")[0], 6);
  deepEqual(at("fold<0")[0], 5);
  deepEqual(at("=0")[0], 1);
  deepEqual(at("fold=0,1")[0], 7);
  deepEqual(at('site="A')[0], 6);
  deepEqual(at("fold in")[0], 8);
  // Anything after the operator is literal text, compared as is: nothing is evaluated.
  const literal = parseWhere("fold=0 || true");
  deepEqual(literal.values, ["0 || true"]);
  equal(matchesWhere(row({ fold: "0" }), [literal]), false);
  equal(matchesWhere(row({ fold: "0 || true" }), [literal]), true);
});

Deno.test("matchesWhere compares cell text, treats empty cells as empty text, ANDs conditions", () => {
  const fold0 = row({ fold: 0, site: "A" });
  const fold3 = row({ fold: "3", site: "B" });
  const none = row({ site: "B" });
  const not0 = [parseWhere("fold!=0")];
  deepEqual([fold0, fold3, none].map((r) => matchesWhere(r, not0)), [false, true, true]);
  deepEqual([fold0, fold3, none].map((r) => matchesWhere(r, [parseWhere("fold=")])), [
    false,
    false,
    true,
  ]);
  const both = [parseWhere("site in A,B"), parseWhere("fold not in 0,1")];
  deepEqual([fold0, fold3, none].map((r) => matchesWhere(r, both)), [false, true, true]);
  equal(matchesWhere(row({}, "sub-7"), [parseWhere("id=sub-7")]), true);
  equal(matchesWhere(row({ flag: true }), [parseWhere("flag=true")]), true);
});
