import assert from "node:assert/strict";
import { test } from "node:test";
import { closestMatch, editDistance } from "./did-you-mean.ts";

test("edit distance counts a swap of neighbours as one edit", () => {
  assert.equal(editDistance("prot", "port"), 1);
  assert.equal(editDistance("endpont", "endpoint"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
});

test("closestMatch suggests plausible typos only, ignoring case", () => {
  const keys = ["Host", "Port", "ExposureMode", "TrustedProxies"];
  assert.equal(closestMatch("Prot", keys), "Port");
  assert.equal(closestMatch("hots", keys), "Host");
  assert.equal(closestMatch("exposuremod", keys), "ExposureMode");
  assert.equal(closestMatch("TrustedProxy", keys), "TrustedProxies");
  assert.equal(closestMatch("Banana", keys), undefined);
  assert.equal(closestMatch("x".repeat(100_000), keys), undefined);
});
