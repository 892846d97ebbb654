/* The order of a guided session and the answers it may send. No DOM, tested with
 * `node --test tests/js/*.test.mjs`.
 *
 * A session runs before → each exercise → after. The player moves on by itself to the next
 * exercise that still needs an answer; exercises behind the patient are not revisited, and any
 * left without an answer are asked about before saving.
 */

// The next exercise after `from` (an index; -1 for the start) that still needs an answer, or -1
// when none is left after it.
export function nextExercise(answered, from) {
  for (let index = from + 1; index < answered.length; index += 1) {
    if (!answered[index]) {
      return index;
    }
  }
  return -1;
}

// The exercises that still need an answer before the session can be saved, in order.
export function unanswered(answered) {
  return answered.flatMap((done, index) => (done ? [] : [index]));
}

/* Why the server would refuse this answer about one exercise, or null when it would take it.
 * The same rules as the session log's (patients/services.py, entry_answer_check), so the page
 * never sends what will come back refused:
 *   "status"          no answer chosen
 *   "reason"          skipped without a reason
 *   "numbers"         a number missing or not a whole number from 0
 *   "completedShort"  done, with less than the dose
 *   "partialWhole"    partly done, with the whole dose
 *   "partialNothing"  partly done, with nothing
 * answer: { status, sets, reps, hold, reason }; dose: { sets, reps, hold }. */
export function answerProblem(answer, dose) {
  if (!["completed", "partial", "skipped"].includes(answer.status)) {
    return "status";
  }
  if (answer.status === "skipped") {
    return answer.reason ? null : "reason";
  }
  const typed = [answer.sets, answer.reps, answer.hold].map((value) => String(value ?? "").trim());
  if (typed.some((value) => !/^\d+$/.test(value))) {
    return "numbers";
  }
  const done = typed.map(Number);
  const whole = done.every((value, index) => value >= [dose.sets, dose.reps, dose.hold][index]);
  if (answer.status === "completed") {
    return whole ? null : "completedShort";
  }
  if (whole) {
    return "partialWhole";
  }
  return done.some((value) => value > 0) ? null : "partialNothing";
}
