/* What the player says aloud during a phase, as the key of a translated string and its values.
 * No DOM, tested with `node --test tests/js/*.test.mjs`.
 *
 * `left` is the whole seconds left in the phase: its full length when it begins, 0 when it
 * ends. A hold is spoken "Hold… 3, 2, 1, relax"; every other phase is named once as it begins.
 * The last three seconds are counted only in holds of more than three, so a short hold is not
 * all numbers.
 */
const NAMES = {
  ready: "sayReady",
  hold: "sayHold",
  rest: "sayRest",
  nextSet: "sayNextSet",
  switch: "saySwitch",
};

export function cueAt(phase, left) {
  if (phase.kind === "rep") {
    return left === phase.seconds ? { key: "sayRep", params: { n: phase.rep } } : null;
  }
  if (left === phase.seconds) {
    return { key: NAMES[phase.kind], params: {} };
  }
  if (phase.kind !== "hold") {
    return null;
  }
  if (left === 0) {
    return { key: "sayRelax", params: {} };
  }
  if (left <= 3 && phase.seconds > 3) {
    return { key: "sayCount", params: { n: left } };
  }
  return null;
}
