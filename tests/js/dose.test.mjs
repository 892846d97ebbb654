import assert from "node:assert/strict";
import { test } from "node:test";

import {
  READY_SECONDS,
  SWITCH_SECONDS,
  doneWhenCompleted,
  doneWhenSkipped,
  doneWhenStopped,
  isWork,
  phasesFor,
} from "../../static/js/dose.js";
import { answerProblem } from "../../static/js/session.js";

const ready = (side = "", seconds = READY_SECONDS) => ({
  kind: "ready",
  seconds,
  set: 1,
  rep: 1,
  side,
});
const hold = (seconds, set, rep, side = "") => ({ kind: "hold", seconds, set, rep, side });
const tap = (set, rep, side = "") => ({ kind: "rep", seconds: 0, set, rep, side });
const rest = (seconds, set, rep, side = "") => ({ kind: "rest", seconds, set, rep, side });
const nextSet = (seconds, set, side = "") => ({ kind: "nextSet", seconds, set, rep: 1, side });
const change = (seconds, side) => ({ kind: "switch", seconds, set: 1, rep: 1, side });

test("a timed hold: get ready, hold and rest in turn, nothing after the last hold", () => {
  const dose = { sets: 1, reps: 3, hold: 30, rest: 10, side: "none" };
  assert.deepEqual(phasesFor(dose), [
    ready(),
    hold(30, 1, 1),
    rest(10, 1, 2),
    hold(30, 1, 2),
    rest(10, 1, 3),
    hold(30, 1, 3),
  ]);
});

test("repetitions without a hold are tapped, one phase each, on the side prescribed", () => {
  const dose = { sets: 1, reps: 3, hold: 0, rest: 5, side: "left" };
  assert.deepEqual(phasesFor(dose), [
    ready("left"),
    tap(1, 1, "left"),
    rest(5, 1, 2, "left"),
    tap(1, 2, "left"),
    rest(5, 1, 3, "left"),
    tap(1, 3, "left"),
  ]);
});

test("between sets a next-set phase of the prescribed rest", () => {
  const dose = { sets: 2, reps: 2, hold: 5, rest: 10, side: "right" };
  assert.deepEqual(phasesFor(dose), [
    ready("right"),
    hold(5, 1, 1, "right"),
    rest(10, 1, 2, "right"),
    hold(5, 1, 2, "right"),
    nextSet(10, 2, "right"),
    hold(5, 2, 1, "right"),
    rest(10, 2, 2, "right"),
    hold(5, 2, 2, "right"),
  ]);
});

test("both sides: every set on the left, switch sides, then every set on the right", () => {
  const dose = { sets: 2, reps: 1, hold: 20, rest: 15, side: "both" };
  assert.deepEqual(phasesFor(dose), [
    ready("left"),
    hold(20, 1, 1, "left"),
    nextSet(15, 2, "left"),
    hold(20, 2, 1, "left"),
    change(15, "right"),
    hold(20, 1, 1, "right"),
    nextSet(15, 2, "right"),
    hold(20, 2, 1, "right"),
  ]);
});

test("switching sides takes at least a few seconds, even with no rest prescribed", () => {
  const dose = { sets: 2, reps: 2, hold: 0, rest: 0, side: "both" };
  assert.deepEqual(phasesFor(dose), [
    ready("left"),
    tap(1, 1, "left"),
    tap(1, 2, "left"),
    tap(2, 1, "left"),
    tap(2, 2, "left"),
    change(SWITCH_SECONDS, "right"),
    tap(1, 1, "right"),
    tap(1, 2, "right"),
    tap(2, 1, "right"),
    tap(2, 2, "right"),
  ]);
});

test("the get-ready and switch times can be set", () => {
  const dose = { sets: 1, reps: 1, hold: 10, rest: 2, side: "both" };
  assert.deepEqual(phasesFor(dose, { ready: 3, switchSides: 8 }), [
    ready("left", 3),
    hold(10, 1, 1, "left"),
    change(8, "right"),
    hold(10, 1, 1, "right"),
  ]);
});

test("every dose runs sets × repetitions × sides repetitions, each once, in order", () => {
  for (const side of ["none", "left", "both"]) {
    for (const sets of [1, 2, 3]) {
      for (const reps of [1, 4]) {
        for (const rest of [0, 10]) {
          const dose = { sets, reps, hold: 5, rest, side };
          const work = phasesFor(dose).filter(isWork);
          const sides = side === "both" ? 2 : 1;
          assert.equal(work.length, sets * reps * sides);
          const order = work.map((phase) => `${phase.side}:${phase.set}:${phase.rep}`);
          assert.equal(new Set(order).size, order.length);
          assert.equal(phasesFor(dose).at(-1).kind, "hold", "nothing follows the last hold");
        }
      }
    }
  }
});

test("a completed exercise records the whole dose, a skipped one nothing", () => {
  const dose = { sets: 3, reps: 10, hold: 5, rest: 30, side: "both" };
  assert.deepEqual(doneWhenCompleted(dose), { status: "completed", sets: 3, reps: 10, hold: 5 });
  assert.deepEqual(doneWhenSkipped(), { status: "skipped", sets: 0, reps: 0, hold: 0 });
});

/* --- stopping partway ------------------------------------------------------------------- */

// What the player has counted when the patient stops in phases[index] after `held` whole
// seconds of it: every repetition finished before it, and the seconds of a hold under way.
function countedAt(phases, index, held = 0) {
  const reps = phases.slice(0, index).filter(isWork).length;
  return { reps, held: phases[index]?.kind === "hold" ? held : 0 };
}

function indexOf(phases, { kind, set, rep, side = "" }) {
  const index = phases.findIndex(
    (phase) => phase.kind === kind && phase.set === set && phase.rep === rep && phase.side === side
  );
  assert.notEqual(index, -1, `no ${kind} phase for set ${set}, rep ${rep}, side "${side}"`);
  return index;
}

const oneSide = { sets: 2, reps: 5, hold: 10, rest: 5, side: "none" };

test("stopped while getting ready: nothing counted, so skipped", () => {
  const phases = phasesFor(oneSide);
  assert.deepEqual(doneWhenStopped(oneSide, countedAt(phases, 0)), doneWhenSkipped());
});

test("stopped in the first hold: one repetition held for the whole seconds held", () => {
  const phases = phasesFor(oneSide);
  const first = indexOf(phases, { kind: "hold", set: 1, rep: 1 });
  assert.deepEqual(doneWhenStopped(oneSide, countedAt(phases, first, 6)), {
    status: "partial",
    sets: 1,
    reps: 1,
    hold: 6,
  });
  assert.deepEqual(doneWhenStopped(oneSide, countedAt(phases, first, 0)), doneWhenSkipped());
  // Fractions of a second held are not counted up.
  assert.equal(doneWhenStopped(oneSide, { reps: 0, held: 6.9 }).hold, 6);
});

test("stopped partway through the first set: 1 set of the repetitions done, the full hold", () => {
  const phases = phasesFor(oneSide);
  const stop = indexOf(phases, { kind: "rest", set: 1, rep: 4 });
  assert.deepEqual(doneWhenStopped(oneSide, countedAt(phases, stop)), {
    status: "partial",
    sets: 1,
    reps: 3,
    hold: 10,
  });
});

test("stopped in the middle of set 2: only the complete set counts, with every repetition", () => {
  const phases = phasesFor(oneSide);
  const stop = indexOf(phases, { kind: "hold", set: 2, rep: 3 });
  assert.deepEqual(doneWhenStopped(oneSide, countedAt(phases, stop, 9)), {
    status: "partial",
    sets: 1,
    reps: 5,
    hold: 10,
  });
});

test("tapped repetitions: the complete sets only, and no hold", () => {
  const dose = { sets: 3, reps: 10, hold: 0, rest: 0, side: "none" };
  assert.deepEqual(doneWhenStopped(dose, { reps: 29, held: 0 }), {
    status: "partial",
    sets: 2,
    reps: 10,
    hold: 0,
  });
  assert.deepEqual(doneWhenStopped(dose, { reps: 4, held: 0 }), {
    status: "partial",
    sets: 1,
    reps: 4,
    hold: 0,
  });
});

const bothSides = { sets: 2, reps: 5, hold: 10, rest: 5, side: "both" };

test("both sides: the repetitions of both sides are added and halved, rounding down", () => {
  const phases = phasesFor(bothSides);
  // Stopped in set 1 of the right side: 10 on the left and 3 on the right make 6 per side.
  const stop = indexOf(phases, { kind: "hold", set: 1, rep: 4, side: "right" });
  assert.equal(countedAt(phases, stop).reps, 13);
  assert.deepEqual(doneWhenStopped(bothSides, countedAt(phases, stop)), {
    status: "partial",
    sets: 1,
    reps: 5,
    hold: 10,
  });
  // 3 repetitions on the left only: 1 per side.
  const early = indexOf(phases, { kind: "rest", set: 1, rep: 4, side: "left" });
  assert.deepEqual(doneWhenStopped(bothSides, countedAt(phases, early)), {
    status: "partial",
    sets: 1,
    reps: 1,
    hold: 10,
  });
});

test("both sides: one repetition done counts as one, never as none", () => {
  const phases = phasesFor(bothSides);
  const stop = indexOf(phases, { kind: "rest", set: 1, rep: 2, side: "left" });
  assert.deepEqual(doneWhenStopped(bothSides, countedAt(phases, stop)), {
    status: "partial",
    sets: 1,
    reps: 1,
    hold: 10,
  });
});

test("both sides: one side of a single hold is the whole per-side dose, so ask", () => {
  const dose = { sets: 1, reps: 1, hold: 30, rest: 0, side: "both" };
  const phases = phasesFor(dose);
  const stop = indexOf(phases, { kind: "hold", set: 1, rep: 1, side: "right" });
  assert.deepEqual(doneWhenStopped(dose, countedAt(phases, stop, 12)), {
    status: "ask",
    sets: 1,
    reps: 1,
    hold: 30,
  });
});

test("wherever the patient stops, the form gets an answer the server takes", () => {
  const doses = [];
  for (const side of ["none", "right", "both"]) {
    for (const sets of [1, 2, 3]) {
      for (const reps of [1, 2, 5]) {
        for (const holdSeconds of [0, 1, 4]) {
          doses.push({ sets, reps, hold: holdSeconds, rest: 2, side });
        }
      }
    }
  }
  let checked = 0;
  for (const dose of doses) {
    const phases = phasesFor(dose);
    phases.forEach((phase, index) => {
      const helds = phase.kind === "hold" ? [...Array(phase.seconds).keys()] : [0];
      for (const held of helds) {
        const counted = countedAt(phases, index, held);
        const done = doneWhenStopped(dose, counted);
        const where = `${JSON.stringify(dose)} stopped in phase ${index} after ${held} s`;
        if (done.status === "partial") {
          assert.equal(answerProblem({ ...done, reason: "" }, dose), null, where);
        } else if (done.status === "skipped") {
          assert.equal(counted.reps + counted.held, 0, `${where}: skipped with something done`);
          assert.equal(answerProblem({ ...done, reason: "pain" }, dose), null, where);
        } else {
          assert.equal(done.status, "ask", where);
          const asPartial = { ...done, status: "partial", reason: "" };
          assert.equal(answerProblem(asPartial, dose), "partialWhole", where);
        }
        // Never more than was counted: the repetitions recorded, on one side, are no more
        // than those finished (or the one under way, held for fewer seconds than prescribed).
        const sides = dose.side === "both" ? 2 : 1;
        const perSide = Math.max(1, Math.floor(counted.reps / sides));
        if (done.status !== "skipped") {
          assert.ok(done.sets * done.reps <= perSide, `${where}: more than counted`);
          assert.equal(done.hold, counted.reps > 0 ? dose.hold : held, where);
        }
        checked += 1;
      }
    });
  }
  assert.ok(checked > 1000);
});
