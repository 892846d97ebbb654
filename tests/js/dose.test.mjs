import assert from "node:assert/strict";
import { test } from "node:test";

import {
  doneWhenCompleted,
  doneWhenSkipped,
  doneWhenStopped,
  phasesFor,
} from "../../static/js/dose.js";

const hold = (seconds, set, rep, side = "") => ({ kind: "hold", seconds, set, rep, side });
const tap = (set, rep, side = "") => ({ kind: "rep", seconds: 0, set, rep, side });
const rest = (seconds, set, rep, side = "") => ({ kind: "rest", seconds, set, rep, side });

// The holds and taps finished before the patient stops in phases[index], counted the way
// guided.js counts them: when a hold or tap ends, never for a rest.
function repsBefore(phases, index) {
  return phases.slice(0, index).filter((phase) => phase.kind !== "rest").length;
}

function indexOf(phases, { kind, set, rep, side = "" }) {
  const index = phases.findIndex(
    (phase) => phase.kind === kind && phase.set === set && phase.rep === rep && phase.side === side
  );
  assert.notEqual(index, -1, `no ${kind} phase for set ${set}, rep ${rep}, side "${side}"`);
  return index;
}

test("a timed hold on no particular side: hold, rest, and no rest after the last hold", () => {
  const dose = { sets: 1, reps: 3, hold: 30, rest: 10, side: "none" };
  assert.deepEqual(phasesFor(dose), [
    hold(30, 1, 1),
    rest(10, 1, 1),
    hold(30, 1, 2),
    rest(10, 1, 2),
    hold(30, 1, 3),
  ]);
});

test("repetitions without a hold are tapped, one phase each", () => {
  const dose = { sets: 1, reps: 3, hold: 0, rest: 5, side: "left" };
  assert.deepEqual(phasesFor(dose), [
    tap(1, 1, "left"),
    rest(5, 1, 1, "left"),
    tap(1, 2, "left"),
    rest(5, 1, 2, "left"),
    tap(1, 3, "left"),
  ]);
});

test("sets follow one another with the same rest between them", () => {
  const dose = { sets: 2, reps: 2, hold: 5, rest: 10, side: "right" };
  assert.deepEqual(phasesFor(dose), [
    hold(5, 1, 1, "right"),
    rest(10, 1, 1, "right"),
    hold(5, 1, 2, "right"),
    rest(10, 1, 2, "right"),
    hold(5, 2, 1, "right"),
    rest(10, 2, 1, "right"),
    hold(5, 2, 2, "right"),
  ]);
});

test("both sides: every set on the left, a rest, then every set on the right", () => {
  const dose = { sets: 2, reps: 1, hold: 20, rest: 15, side: "both" };
  assert.deepEqual(phasesFor(dose), [
    hold(20, 1, 1, "left"),
    rest(15, 1, 1, "left"),
    hold(20, 2, 1, "left"),
    rest(15, 2, 1, "left"),
    hold(20, 1, 1, "right"),
    rest(15, 1, 1, "right"),
    hold(20, 2, 1, "right"),
  ]);
});

test("no rest phases when the rest is 0", () => {
  const dose = { sets: 2, reps: 2, hold: 0, rest: 0, side: "both" };
  assert.deepEqual(phasesFor(dose), [
    tap(1, 1, "left"),
    tap(1, 2, "left"),
    tap(2, 1, "left"),
    tap(2, 2, "left"),
    tap(1, 1, "right"),
    tap(1, 2, "right"),
    tap(2, 1, "right"),
    tap(2, 2, "right"),
  ]);
});

test("a completed exercise records the whole dose, a skipped one nothing", () => {
  const dose = { sets: 3, reps: 10, hold: 5, rest: 30, side: "both" };
  assert.deepEqual(doneWhenCompleted(dose), { sets: 3, reps: 10, hold: 5 });
  assert.deepEqual(doneWhenSkipped(), { sets: 0, reps: 0, hold: 0 });
});

const bothSides = { sets: 2, reps: 5, hold: 10, rest: 5, side: "both" };

test("stopped in the first hold: nothing counted but the prescribed hold", () => {
  const phases = phasesFor(bothSides);
  const repsDone = repsBefore(phases, 0);
  assert.equal(repsDone, 0);
  assert.deepEqual(doneWhenStopped(bothSides, repsDone), { sets: 0, reps: 0, hold: 10 });
});

test("stopped partway through the first set: one set of the repetitions done", () => {
  const phases = phasesFor(bothSides);
  const stop = indexOf(phases, { kind: "rest", set: 1, rep: 3, side: "left" });
  const repsDone = repsBefore(phases, stop);
  assert.equal(repsDone, 3);
  assert.deepEqual(doneWhenStopped(bothSides, repsDone), { sets: 1, reps: 3, hold: 10 });
});

test("stopped in the middle of set 2: only the complete set counts, with every repetition", () => {
  const phases = phasesFor(bothSides);
  const stop = indexOf(phases, { kind: "hold", set: 2, rep: 3, side: "left" });
  const repsDone = repsBefore(phases, stop);
  assert.equal(repsDone, 7);
  assert.deepEqual(doneWhenStopped(bothSides, repsDone), { sets: 1, reps: 5, hold: 10 });
});

test("stopped on the other side: the first side's whole dose", () => {
  const phases = phasesFor(bothSides);
  const stop = indexOf(phases, { kind: "hold", set: 1, rep: 2, side: "right" });
  const repsDone = repsBefore(phases, stop);
  assert.equal(repsDone, 11);
  assert.deepEqual(doneWhenStopped(bothSides, repsDone), { sets: 2, reps: 5, hold: 10 });
});

test("stopped after the last phase: the same numbers as a completed exercise", () => {
  const phases = phasesFor(bothSides);
  const repsDone = repsBefore(phases, phases.length);
  assert.equal(repsDone, 20);
  assert.deepEqual(doneWhenStopped(bothSides, repsDone), doneWhenCompleted(bothSides));
});

test("stopped one repetition short on one side: the complete sets only", () => {
  const dose = { sets: 3, reps: 10, hold: 0, rest: 0, side: "none" };
  assert.deepEqual(doneWhenStopped(dose, 29), { sets: 2, reps: 10, hold: 0 });
});
