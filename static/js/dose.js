/* The arithmetic of a dose in the guided session: the phases the timer runs through, and what
 * the session log records when the patient finishes, stops partway or skips. No DOM and no
 * timers, so the same code runs in the browser and under `node --test tests/js/*.test.mjs`.
 *
 * A dose is { sets, reps, hold, rest, side }: hold and rest in seconds (hold 0 means the
 * patient taps once per repetition), side "none", "left", "right" or "both". The dose is per
 * side: "both" runs every set on the left, then every set on the right.
 */

// Each repetition is one "hold" (timed) or "rep" (tapped) phase, followed by a "rest" phase
// unless rest is 0 or it is the very last repetition.
export function phasesFor(dose) {
  const sides = dose.side === "both" ? ["left", "right"] : [dose.side === "none" ? "" : dose.side];
  const phases = [];
  sides.forEach((side, sideIndex) => {
    for (let set = 1; set <= dose.sets; set += 1) {
      for (let rep = 1; rep <= dose.reps; rep += 1) {
        phases.push({ kind: dose.hold > 0 ? "hold" : "rep", seconds: dose.hold, set, rep, side });
        const last = sideIndex === sides.length - 1 && set === dose.sets && rep === dose.reps;
        if (!last && dose.rest > 0) {
          phases.push({ kind: "rest", seconds: dose.rest, set, rep, side });
        }
      }
    }
  });
  return phases;
}

// What the log records when the timer has run every phase: the whole dose.
export function doneWhenCompleted(dose) {
  return { sets: dose.sets, reps: dose.reps, hold: dose.hold };
}

// What the log records when the patient stops after repsDone holds or taps (rests not
// counted). The log has one set of numbers per exercise and the dose is per side, so only the
// first side counts: stopping on the second side records the first side's full dose. A set
// begun counts as one set; once a set is complete, only complete sets count, each with the
// full repetitions. The hold is the prescribed one, whatever the stopping point.
export function doneWhenStopped(dose, repsDone) {
  const perSide = dose.sets * dose.reps;
  const doneOnFirstSide = Math.min(repsDone, perSide);
  const fullSets = Math.floor(doneOnFirstSide / dose.reps);
  return {
    sets: Math.max(fullSets, doneOnFirstSide > 0 ? 1 : 0),
    reps: fullSets > 0 ? dose.reps : doneOnFirstSide,
    hold: dose.hold,
  };
}

// What the log records for a skipped exercise.
export function doneWhenSkipped() {
  return { sets: 0, reps: 0, hold: 0 };
}
