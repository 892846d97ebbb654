import assert from "node:assert/strict";
import { test } from "node:test";

import { answerProblem, nextExercise, unanswered } from "../../static/js/session.js";

test("the player moves on to the next exercise still without an answer", () => {
  assert.equal(nextExercise([false, false, false], -1), 0);
  assert.equal(nextExercise([true, false, false], 0), 1);
  // An exercise answered already (done before, or skipped) is passed over.
  assert.equal(nextExercise([true, true, false], 0), 2);
});

test("after the last exercise, or when the rest are answered, there is no next one", () => {
  assert.equal(nextExercise([true, true, true], 2), -1);
  assert.equal(nextExercise([true, true, true], 0), -1);
  assert.equal(nextExercise([], -1), -1);
});

test("exercises behind the patient are not revisited by the player", () => {
  // The first was passed over without an answer: it is asked about before saving instead.
  assert.equal(nextExercise([false, true, false], 1), 2);
  assert.equal(nextExercise([false, true, true], 2), -1);
  assert.deepEqual(unanswered([false, true, true]), [0]);
});

test("the exercises left to ask about, in order", () => {
  assert.deepEqual(unanswered([false, true, false, false]), [0, 2, 3]);
  assert.deepEqual(unanswered([true, true]), []);
});

const dose = { sets: 2, reps: 10, hold: 5 };
const answer = (status, sets, reps, hold, reason = "") => ({ status, sets, reps, hold, reason });

test("an exercise without an answer is refused", () => {
  assert.equal(answerProblem(answer("", "2", "10", "5"), dose), "status");
  assert.equal(answerProblem(answer(undefined, "2", "10", "5"), dose), "status");
});

test("done means at least the dose", () => {
  assert.equal(answerProblem(answer("completed", "2", "10", "5"), dose), null);
  assert.equal(answerProblem(answer("completed", "3", "12", "5"), dose), null);
  assert.equal(answerProblem(answer("completed", "2", "9", "5"), dose), "completedShort");
  assert.equal(answerProblem(answer("completed", "2", "10", "4"), dose), "completedShort");
});

test("partly done means something, and less than the whole dose", () => {
  assert.equal(answerProblem(answer("partial", "1", "10", "5"), dose), null);
  assert.equal(answerProblem(answer("partial", "0", "0", "3"), dose), null);
  assert.equal(answerProblem(answer("partial", "2", "10", "5"), dose), "partialWhole");
  assert.equal(answerProblem(answer("partial", "0", "0", "0"), dose), "partialNothing");
});

test("skipped needs a reason, whatever the numbers", () => {
  assert.equal(answerProblem(answer("skipped", "2", "10", "5", "pain"), dose), null);
  assert.equal(answerProblem(answer("skipped", "", "", "", "no_time"), dose), null);
  assert.equal(answerProblem(answer("skipped", "0", "0", "0"), dose), "reason");
});

test("numbers must be whole numbers from 0", () => {
  for (const bad of ["", " ", "-1", "1.5", "two", undefined]) {
    assert.equal(answerProblem(answer("partial", bad, "3", "5"), dose), "numbers", String(bad));
  }
  assert.equal(answerProblem(answer("partial", " 1 ", 3, 5), dose), null);
});

test("a tapped exercise (hold 0) done with 0 seconds held is the whole dose", () => {
  const tapped = { sets: 1, reps: 10, hold: 0 };
  assert.equal(answerProblem(answer("completed", "1", "10", "0"), tapped), null);
  assert.equal(answerProblem(answer("partial", "1", "10", "0"), tapped), "partialWhole");
  assert.equal(answerProblem(answer("partial", "1", "6", "0"), tapped), null);
});
