import assert from "node:assert/strict";
import { test } from "node:test";

import { fillPlaceholders } from "../../static/js/placeholders.js";

test("fills each placeholder, numbers included", () => {
  assert.equal(fillPlaceholders("Step {n} of {total}", { n: 2, total: 4 }), "Step 2 of 4");
});

test("fills every occurrence of a placeholder", () => {
  assert.equal(
    fillPlaceholders("{name}: done. Well done with {name}!", { name: "Prone press-up" }),
    "Prone press-up: done. Well done with Prone press-up!"
  );
});

test("a placeholder without a value stays as it is", () => {
  assert.equal(
    fillPlaceholders("Hold for {seconds} s, {where}", { seconds: 30 }),
    "Hold for 30 s, {where}"
  );
  assert.equal(fillPlaceholders("Next", undefined), "Next");
});

test("values are inserted literally, never read as patterns", () => {
  assert.equal(fillPlaceholders("Start {name}", { name: "$& {n} $1" }), "Start $& {n} $1");
});
