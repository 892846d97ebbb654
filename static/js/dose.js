/* The arithmetic of a dose in the guided session: the phases the player runs through, and what
 * the session log records when the patient finishes, stops partway or skips. No DOM and no
 * timers, so the same code runs in the browser and under `node --test tests/js/*.test.mjs`.
 *
 * A dose is { sets, reps, hold, rest, side }: hold and rest in seconds (hold 0 means the
 * patient taps once per repetition), side "none", "left", "right" or "both". The dose is per
 * side: "both" runs every set on the left, then every set on the right.
 */

// Seconds to get into position before the first repetition, and the least time given to change
// sides (the prescribed rest, when longer, is used instead).
export const READY_SECONDS = 5;
export const SWITCH_SECONDS = 5;

/* Every phase says which repetition it is or leads to ({ set, rep, side }), so the counters
 * always show where the patient is heading:
 *   ready    get into position, once at the start
 *   hold     a timed hold; rep: a repetition the patient taps when done (hold 0)
 *   rest     the prescribed rest between two repetitions of a set
 *   nextSet  the prescribed rest between two sets (left out when the rest is 0)
 *   switch   change sides ("both"), at least SWITCH_SECONDS
 * Nothing follows the last repetition. */
export function phasesFor(dose, timing = {}) {
  const ready = timing.ready ?? READY_SECONDS;
  const switchSeconds = Math.max(dose.rest, timing.switchSides ?? SWITCH_SECONDS);
  const sides = dose.side === "both" ? ["left", "right"] : [dose.side === "none" ? "" : dose.side];
  const work = dose.hold > 0 ? "hold" : "rep";
  const phases = [{ kind: "ready", seconds: ready, set: 1, rep: 1, side: sides[0] }];
  sides.forEach((side, sideIndex) => {
    if (sideIndex > 0) {
      phases.push({ kind: "switch", seconds: switchSeconds, set: 1, rep: 1, side });
    }
    for (let set = 1; set <= dose.sets; set += 1) {
      if (set > 1 && dose.rest > 0) {
        phases.push({ kind: "nextSet", seconds: dose.rest, set, rep: 1, side });
      }
      for (let rep = 1; rep <= dose.reps; rep += 1) {
        if (rep > 1 && dose.rest > 0) {
          phases.push({ kind: "rest", seconds: dose.rest, set, rep, side });
        }
        phases.push({ kind: work, seconds: dose.hold, set, rep, side });
      }
    }
  });
  return phases;
}

// Whether a phase is a repetition (timed or tapped), the only thing the player counts.
export function isWork(phase) {
  return phase.kind === "hold" || phase.kind === "rep";
}

// What the log records when the player has run every phase: the whole dose.
export function doneWhenCompleted(dose) {
  return { status: "completed", sets: dose.sets, reps: dose.reps, hold: dose.hold };
}

/* What the log records when the patient stops partway, from what the player counted:
 * counted.reps repetitions finished (over both sides) and counted.held whole seconds of the hold
 * under way. Never more than was counted:
 * - "both" (the dose is per side, the log has one set of numbers): the repetitions of both sides
 *   are added and halved, rounding down, but at least 1 once any was done;
 * - only complete sets count, each with every repetition; with none complete, 1 set of the
 *   repetitions finished;
 * - the hold is the prescribed one once a full hold was done; before that, 1 repetition held for
 *   the whole seconds held so far.
 * The server refuses "partly done" with nothing or with the whole dose, so:
 * status "skipped" when nothing was counted (the patient is asked why), and "ask" when the count
 * comes to the whole dose (one side of a 1 × 1 dose): the patient says what happened. */
export function doneWhenStopped(dose, counted) {
  const perSide = dose.sets * dose.reps;
  let reps = counted.reps;
  if (dose.side === "both" && reps > 0) {
    reps = Math.max(1, Math.floor(reps / 2));
  }
  reps = Math.min(reps, perSide);
  let done;
  if (reps === 0) {
    const held = dose.hold > 0 ? Math.min(Math.floor(counted.held || 0), dose.hold - 1) : 0;
    if (held <= 0) {
      return doneWhenSkipped();
    }
    done = { sets: 1, reps: 1, hold: held };
  } else if (reps >= dose.reps) {
    done = { sets: Math.floor(reps / dose.reps), reps: dose.reps, hold: dose.hold };
  } else {
    done = { sets: 1, reps, hold: dose.hold };
  }
  const whole = done.sets >= dose.sets && done.reps >= dose.reps && done.hold >= dose.hold;
  return { status: whole ? "ask" : "partial", ...done };
}

// What the log records for a skipped exercise.
export function doneWhenSkipped() {
  return { status: "skipped", sets: 0, reps: 0, hold: 0 };
}
