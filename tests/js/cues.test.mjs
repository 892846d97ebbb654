import assert from "node:assert/strict";
import { test } from "node:test";

import { cueAt } from "../../static/js/cues.js";

// Everything said during a phase, second by second from its start to its end.
function spoken(phase) {
  const said = [];
  for (let left = phase.seconds; left >= 0; left -= 1) {
    const cue = cueAt(phase, left);
    if (cue) {
      said.push(cue.params.n === undefined ? cue.key : `${cue.key} ${cue.params.n}`);
    }
  }
  return said;
}

const phase = (kind, seconds, rep = 1) => ({ kind, seconds, set: 1, rep, side: "" });

test("a hold: Hold… 3, 2, 1, relax", () => {
  assert.deepEqual(spoken(phase("hold", 30)), [
    "sayHold",
    "sayCount 3",
    "sayCount 2",
    "sayCount 1",
    "sayRelax",
  ]);
});

test("a hold of three seconds or less is not all numbers", () => {
  assert.deepEqual(spoken(phase("hold", 3)), ["sayHold", "sayRelax"]);
  assert.deepEqual(spoken(phase("hold", 4)), [
    "sayHold",
    "sayCount 3",
    "sayCount 2",
    "sayCount 1",
    "sayRelax",
  ]);
});

test("the other phases are named once as they begin", () => {
  assert.deepEqual(spoken(phase("ready", 5)), ["sayReady"]);
  assert.deepEqual(spoken(phase("rest", 10)), ["sayRest"]);
  assert.deepEqual(spoken(phase("nextSet", 30)), ["sayNextSet"]);
  assert.deepEqual(spoken(phase("switch", 5)), ["saySwitch"]);
});

test("a tapped repetition is called by its number", () => {
  assert.deepEqual(spoken(phase("rep", 0, 4)), ["sayRep 4"]);
});
