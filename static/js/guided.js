/* The session player: guided mode for a home exercise session.
 *
 * Without this script the session page is a plain form: every exercise is listed with its dose
 * prefilled, and the patient says what they did. With it, the page goes before → one exercise at
 * a time, full screen → after. Each exercise runs by itself (get ready, hold, rest, next set,
 * switch sides) with a countdown ring, spoken cues, a tone and a buzz, and moves on to the next
 * exercise after a short pause. What goes into the form is what the player counted: the whole
 * dose only when it ran to the end; see dose.js for stopping partway. Exercises left without an
 * answer are asked about before the form is sent.
 */
import { doneWhenCompleted, doneWhenSkipped, doneWhenStopped, isWork, phasesFor } from "./dose.js";
import { answerProblem, nextExercise, unanswered } from "./session.js";
import { cueAt } from "./cues.js";
import { hush, keepAwake, say, setVoice, signal, unlockSound, voiceIsOn } from "./device.js";
import { fillPlaceholders } from "./placeholders.js";

// The pause before the next exercise starts by itself.
const NEXT_SECONDS = 5;
const SVG = "http://www.w3.org/2000/svg";
const RING = 2 * Math.PI * 52;

const sessionForm = document.getElementById("session-form");
if (sessionForm) {
  guide(sessionForm);
}

function guide(form) {
  const secondMs = Number(form.dataset.secondMs) || 1000;
  const stringsNode = document.getElementById("guided-strings");
  const strings = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  const t = (key, params) => fillPlaceholders(strings[key] || key, params);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className || "";
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function button(text, className) {
    const node = el("button", "btn " + className, text);
    node.type = "button";
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach((name) => node.setAttribute(name, attributes[name]));
    return node;
  }

  const steps = Array.from(form.querySelectorAll(".session-step"));
  const before = steps[0];
  const after = steps[steps.length - 1];
  const exercises = steps
    .filter((step) => step.dataset.step === "exercise")
    .map((section, index) => {
      const data = section.dataset;
      const dose = {
        sets: Number(data.sets),
        reps: Number(data.reps),
        hold: Number(data.hold),
        rest: Number(data.rest),
        side: data.side,
      };
      return {
        section,
        index,
        dose,
        name: data.name,
        prefix: data.prefix,
        phases: phasesFor(dose),
        at: -1,
        repsDone: 0,
        left: 0,
        finished: false,
        fields: section.querySelector(".entry-fields"),
        picture: section.querySelector(".exercise-picture:not(.is-empty)"),
        problem: el("p", "answer-problem", ""),
        withTimer: button(t("withTimer"), "btn-outline-dark btn-lg w-100 mt-2"),
      };
    });

  // One polite live region for the whole session: phases are announced, seconds are not.
  const live = el("p", "visually-hidden");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  form.prepend(live);
  const announce = (text) => {
    live.textContent = text;
  };
  let voice = voiceIsOn();
  const speak = (key, params) => say(t(key, params), voice);

  /* --- the form's fields for one exercise ------------------------------------------------- */

  const field = (exercise, name) => form.elements[exercise.prefix + "-" + name];

  function answerOf(exercise) {
    return {
      status: field(exercise, "status").value,
      sets: field(exercise, "sets_done").value,
      reps: field(exercise, "repetitions_done").value,
      hold: field(exercise, "hold_seconds_done").value,
      reason: field(exercise, "skip_reason").value,
    };
  }

  const problemOf = (exercise) => answerProblem(answerOf(exercise), exercise.dose);
  const answered = () => exercises.map((exercise) => problemOf(exercise) === null);

  function showStatus(exercise) {
    exercise.fields.dataset.status = field(exercise, "status").value;
  }

  // An exercise under way has no answer yet: it gets one when it ends.
  function unanswer(exercise) {
    record(exercise, { status: "", ...exercise.dose });
  }

  function record(exercise, done) {
    const status = done.status === "ask" ? "" : done.status;
    Array.from(field(exercise, "status")).forEach((radio) => {
      radio.checked = radio.value === status;
    });
    field(exercise, "sets_done").value = done.sets;
    field(exercise, "repetitions_done").value = done.reps;
    field(exercise, "hold_seconds_done").value = done.hold;
    showStatus(exercise);
  }

  exercises.forEach((exercise) => {
    const legend = exercise.fields.querySelector("legend");
    exercise.problem.hidden = true;
    exercise.problem.id = exercise.prefix + "-problem";
    legend.after(exercise.problem);
    exercise.fields.setAttribute("aria-describedby", exercise.problem.id);
    exercise.fields.addEventListener("change", (event) => {
      showStatus(exercise);
      // A number changes when its field loses focus, often to the tap on Continue: moving the
      // page then would take the button from under the finger, so the message waits for it.
      if (event.target.type !== "number") {
        exercise.problem.hidden = true;
      }
    });
    showStatus(exercise);
    // In the question before saving: do it now instead of saying what happened.
    exercise.withTimer.hidden = true;
    exercise.fields.after(exercise.withTimer);
    exercise.withTimer.addEventListener("click", () => showExercise(exercise, false));
    const reason = field(exercise, "skip_reason");
    const painStop = exercise.section.querySelector("[data-pain-stop]");
    const warn = () => {
      painStop.hidden = reason.value !== "pain";
    };
    reason.addEventListener("change", warn);
    warn();
    // One tap away, and one at a time: an open panel covers the clock, so a second would too.
    exercise.section.querySelectorAll("details").forEach((details) => {
      details.open = false;
      details.setAttribute("name", exercise.prefix + "-help");
    });
  });

  /* --- the player's screen, moved into the exercise shown ---------------------------------- */

  const bar = el("div", "player-bar");
  const back = button("", "btn-link player-nav");
  back.append(el("span", "player-chevron", "‹"), t("back"));
  back.firstChild.setAttribute("aria-hidden", "true");
  const voiceButton = button("", "btn-outline-dark player-voice");
  // A speaker, with sound waves when the cues are on and a cross when they are off.
  const line = {
    fill: "none",
    stroke: "currentColor",
    "stroke-width": "2",
    "stroke-linecap": "round",
  };
  const speaker = svg("svg", { viewBox: "0 0 24 24", width: "20", height: "20" });
  speaker.setAttribute("aria-hidden", "true");
  speaker.append(
    svg("path", { d: "M4 9h4l5-4v14l-5-4H4z", fill: "currentColor" }),
    svg("path", {
      ...line,
      class: "voice-on",
      d: "M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12",
    }),
    svg("path", { ...line, class: "voice-off", d: "M16 9l5 6M21 9l-5 6" })
  );
  voiceButton.append(speaker, " " + t("voice"));
  const forward = button("", "btn-link player-nav");
  forward.append(t("next"), el("span", "player-chevron", "›"));
  forward.lastChild.setAttribute("aria-hidden", "true");
  bar.append(back, voiceButton, forward);

  const stage = el("div", "player-stage");
  const phaseWord = el("p", "player-phase");
  // The exercise's picture stands beside the clock while the player shows it.
  const scene = el("div", "player-scene");
  const ring = el("div", "player-ring");
  const dial = svg("svg", { viewBox: "0 0 120 120", "aria-hidden": "true", focusable: "false" });
  const arc = svg("circle", {
    class: "ring-progress",
    cx: "60",
    cy: "60",
    r: "52",
    transform: "rotate(-90 60 60)",
    "stroke-dasharray": RING.toFixed(2),
  });
  dial.append(svg("circle", { class: "ring-track", cx: "60", cy: "60", r: "52" }), arc);
  const count = el("p", "player-count");
  count.setAttribute("aria-hidden", "true");
  const digits = el("span", "player-digits");
  const unit = el("span", "player-unit");
  count.append(digits, unit);
  ring.append(dial, count);
  scene.append(ring);
  const where = el("p", "player-where");
  const primary = button("", "btn-primary btn-lg player-primary");
  const repDone = button(t("repDone"), "btn-primary btn-lg player-primary");
  const secondary = el("div", "player-secondary");
  const stop = button(t("stopHere"), "btn-outline-dark");
  const skip = button(t("skip"), "btn-outline-dark");
  const later = button(t("notYet"), "btn-outline-dark");
  secondary.append(stop, skip, later);
  stage.append(phaseWord, scene, where, primary, repDone, secondary);

  // Shown under an exercise the player stopped or skipped, or one already answered.
  const answerBar = el("div", "answer-bar");
  const answerNote = el("p", "answer-note");
  const goOn = button(t("continue"), "btn-primary btn-lg w-100");
  const backToTimer = button(t("backToTimer"), "btn-outline-dark btn-lg w-100 mt-2");
  answerBar.append(goOn, backToTimer);

  function showVoice() {
    voiceButton.setAttribute("aria-pressed", String(voice));
  }
  showVoice();
  voiceButton.addEventListener("click", () => {
    voice = !voice;
    setVoice(voice);
    showVoice();
  });

  /* --- which step is shown --------------------------------------------------------------- */

  const questionIntro = el("div", "question-intro");
  const questionTitle = el("h2", "h4", t("questionTitle"));
  questionTitle.tabIndex = -1;
  questionIntro.append(questionTitle, el("p", "", t("questionHelp")));
  const questionEnd = el("div", "question-end mb-4");
  const questionGo = button(t("continue"), "btn-primary btn-lg w-100");
  questionEnd.append(questionGo);
  if (exercises.length) {
    exercises[0].section.before(questionIntro);
    exercises[exercises.length - 1].section.after(questionEnd);
  }
  let asked = [];
  let shown = null;

  function focusHeading(section) {
    const heading = section.querySelector("h2");
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }

  function showOnly(nodes, playerOpen) {
    steps.forEach((step) => {
      step.hidden = !nodes.includes(step);
    });
    exercises.forEach((exercise) => {
      exercise.withTimer.hidden = !nodes.includes(questionEnd);
    });
    questionIntro.hidden = !nodes.includes(questionIntro);
    questionEnd.hidden = !nodes.includes(questionEnd);
    document.body.classList.toggle("player-open", playerOpen);
    window.scrollTo(0, 0);
  }

  function setMode(exercise, mode) {
    exercise.section.classList.toggle("is-player", mode === "player");
    exercise.section.classList.toggle("is-answering", mode === "answer");
  }

  // The player's pieces leave the exercise they were shown in, and its picture goes back.
  let placed = null;
  function detach() {
    [bar, answerBar, answerNote].forEach((node) => node.remove());
    if (placed) {
      placed.section.querySelector(".exercise-media").prepend(placed.picture);
      placed = null;
    }
  }

  /* The drawing moves as the patient does: out to the end pose and held there through a hold,
   * back to the start through a rest, by itself otherwise, and still while paused. Its
   * data-timing says when it reaches the end pose, leaves it and is home again (seconds). */
  let holding = 0;
  function move(kind, resumed) {
    window.clearTimeout(holding);
    const motion = placed && placed.picture.querySelector("[data-timing]");
    const drawing = motion && motion.querySelector("svg");
    if (!drawing || !drawing.pauseAnimations) {
      return;
    }
    const [reach, leave, home] = motion.dataset.timing.split(" ").map(Number);
    const run = (from, to) => {
      drawing.setCurrentTime(resumed ? to : from);
      drawing.unpauseAnimations();
      holding = window.setTimeout(() => {
        drawing.pauseAnimations();
        drawing.setCurrentTime(to);
      }, resumed ? 0 : (to - from) * 1000);
    };
    if (kind === "hold") {
      run(0, reach);
    } else if (["rest", "nextSet", "switch", "done"].includes(kind)) {
      run(leave, home);
    } else if (kind === "paused") {
      drawing.pauseAnimations();
    } else {
      drawing.unpauseAnimations();
    }
  }

  function showPage(step) {
    halt();
    detach();
    shown = step;
    showOnly([step], false);
    focusHeading(step);
  }

  function showExercise(exercise, start) {
    halt();
    detach();
    shown = exercise;
    showOnly([exercise.section], true);
    const body = exercise.section.querySelector(".card-body");
    body.prepend(bar);
    exercise.section.querySelector("[data-timer]").append(stage);
    exercise.section.querySelector("[data-timer]").hidden = false;
    if (exercise.picture) {
      scene.prepend(exercise.picture);
      placed = exercise;
    }
    back.hidden = false;
    if (problemOf(exercise) === null && !start) {
      showAnswer(exercise, exercise.finished ? t("doneNote") : t("answeredNote"));
    } else {
      setMode(exercise, "player");
      draw(exercise);
      if (start) {
        begin(exercise);
      }
    }
    focusHeading(exercise.section);
  }

  function showAnswer(exercise, note) {
    setMode(exercise, "answer");
    document.body.classList.remove("player-open");
    answerNote.textContent = note;
    backToTimer.hidden = exercise.finished;
    exercise.fields.before(answerNote);
    exercise.section.querySelector(".card-body").append(answerBar);
    bar.remove();
  }

  function showQuestion() {
    halt();
    shown = null;
    asked = exercises.filter(
      (exercise) => problemOf(exercise) !== null || exercise.section.querySelector(".is-invalid")
    );
    detach();
    asked.forEach((exercise) => setMode(exercise, "answer"));
    showOnly([questionIntro, ...asked.map((exercise) => exercise.section), questionEnd], false);
    questionTitle.focus({ preventScroll: true });
  }

  // After the last exercise: the question about any left without an answer, then the rest.
  function finish() {
    if (unanswered(answered()).length === 0) {
      showPage(after);
    } else {
      showQuestion();
    }
  }

  function goToNext(from) {
    const next = nextExercise(answered(), from.index);
    if (next >= 0) {
      showExercise(exercises[next], false);
    } else {
      finish();
    }
  }

  // Says what is wrong with each answer the server would refuse; true when all are fine.
  function check(list) {
    let first = null;
    list.forEach((exercise) => {
      const problem = problemOf(exercise);
      exercise.problem.textContent = problem ? t("problem_" + problem) : "";
      exercise.problem.hidden = !problem;
      first = first || (problem && exercise);
    });
    if (!first) {
      return true;
    }
    const problem = problemOf(first);
    const target =
      problem === "reason"
        ? field(first, "skip_reason")
        : problem === "status" || problem === "completedShort"
          ? first.fields.querySelector("input[type=radio]")
          : field(first, "sets_done");
    target.focus();
    announce(first.name + ": " + first.problem.textContent);
    return false;
  }

  /* --- the clock: one countdown at a time ------------------------------------------------- */

  let clock = null;

  function runClock(seconds, onEnd) {
    stopClock();
    const started = Date.now();
    clock = { seconds, deadline: started + seconds * secondMs, left: seconds, onEnd };
    clock.ticker = window.setInterval(tick, Math.max(10, Math.floor(secondMs / 10)));
    showTime(seconds, 1);
  }

  function tick() {
    const msLeft = Math.max(0, clock.deadline - Date.now());
    const left = Math.ceil(msLeft / secondMs);
    drawRing(msLeft / (clock.seconds * secondMs));
    if (left !== clock.left) {
      clock.left = left;
      showTime(left);
      clock.onTick?.(left);
    }
    if (msLeft <= 0) {
      const onEnd = clock.onEnd;
      stopClock();
      onEnd();
    }
  }

  // Stops the countdown and gives the whole seconds it had left.
  function stopClock() {
    if (!clock) {
      return 0;
    }
    window.clearInterval(clock.ticker);
    const left = Math.ceil(Math.max(0, clock.deadline - Date.now()) / secondMs);
    clock = null;
    return left;
  }

  // The ring shows the part of the phase still to come.
  function drawRing(fraction) {
    arc.setAttribute("stroke-dashoffset", (RING * (1 - fraction)).toFixed(2));
  }

  function showTime(left, fraction) {
    digits.textContent = String(left);
    digits.classList.toggle("is-long", digits.textContent.length > 2);
    if (fraction !== undefined) {
      drawRing(fraction);
    }
  }

  /* --- running one exercise --------------------------------------------------------------- */

  let running = null; // the exercise whose phases are ticking
  let mode = "ready";

  function setControls(next) {
    mode = next;
    const phase = shown && shown.phases ? shown.phases[shown.at] : null;
    const tapping = mode === "running" && phase && phase.kind === "rep";
    stage.dataset.mode = mode;
    shown.section.classList.toggle("is-running", ["running", "paused", "next"].includes(mode));
    primary.hidden = tapping;
    repDone.hidden = !tapping;
    stop.hidden = !["running", "paused"].includes(mode);
    skip.hidden = !["ready", "running", "paused"].includes(mode);
    later.hidden = mode !== "next";
    const label = {
      ready: t("start"),
      running: t("pause"),
      paused: t("resume"),
      next: t("startNow"),
      done: t("continue"),
    }[mode];
    primary.textContent = label;
    if (mode === "ready") {
      primary.append(el("span", "visually-hidden", " " + shown.name));
    }
    forward.hidden = mode === "done";
  }

  function describe(exercise, phase) {
    const parts = [];
    if (exercise.dose.sets > 1) {
      parts.push(t("setOf", { n: phase.set, total: exercise.dose.sets }));
    }
    parts.push(t("repOf", { n: phase.rep, total: exercise.dose.reps }));
    if (phase.side) {
      parts.push(t(phase.side));
    }
    const text = parts.join(" · ");
    return isWork(phase) ? text : t("comingUp", { what: text });
  }

  // The screen of an exercise that is not ticking: ready to start, or paused where it was left.
  function draw(exercise) {
    const phase = exercise.phases[Math.max(exercise.at, 1)];
    stage.dataset.phase = exercise.at < 0 ? "ready" : exercise.phases[exercise.at].kind;
    move(exercise.at < 0 ? "ready" : "paused");
    if (exercise.at < 0) {
      phaseWord.textContent = t("readyWord");
      showTime(exercise.dose.hold || exercise.dose.reps, 1);
      unit.textContent = exercise.dose.hold ? t("seconds") : t("reps");
      where.textContent = describe(exercise, phase);
      setControls("ready");
    } else {
      phaseWord.textContent = t("paused");
      where.textContent = describe(exercise, exercise.phases[exercise.at]);
      setControls("paused");
    }
  }

  function begin(exercise) {
    unlockSound();
    unanswer(exercise);
    running = exercise;
    keepAwake(true);
    if (exercise.at < 0) {
      advance();
    } else {
      startPhase(exercise.left);
      announce(t("resumed"));
    }
  }

  function advance() {
    const exercise = running;
    exercise.at += 1;
    if (exercise.at >= exercise.phases.length) {
      complete(exercise);
      return;
    }
    exercise.left = exercise.phases[exercise.at].seconds;
    startPhase(exercise.left);
    announcePhase(exercise, exercise.phases[exercise.at]);
  }

  function announcePhase(exercise, phase) {
    const values = {
      seconds: phase.seconds,
      n: phase.rep,
      set: phase.set,
      name: exercise.name,
      side: phase.side ? t(phase.side) : "",
      where: describe(exercise, phase),
    };
    announce(t("announce_" + phase.kind, values));
  }

  // Runs the current phase of the running exercise from `left` seconds.
  function startPhase(left) {
    const exercise = running;
    const phase = exercise.phases[exercise.at];
    stage.dataset.phase = phase.kind;
    phaseWord.textContent = t("phase_" + phase.kind);
    where.textContent = describe(exercise, phase);
    setControls("running");
    move(phase.kind, left !== phase.seconds);
    if (left === phase.seconds) {
      const cue = cueAt(phase, left);
      speak(cue.key, cue.params);
      if (phase.kind === "hold") {
        signal(660);
      }
    }
    if (phase.kind === "rep") {
      showTime(phase.rep, (phase.rep - 1) / exercise.dose.reps);
      unit.textContent = t("ofReps", { total: exercise.dose.reps });
      return;
    }
    unit.textContent = t("seconds");
    runClock(left, () => endPhase());
    clock.seconds = phase.seconds;
    clock.onTick = (secondsLeft) => {
      exercise.left = secondsLeft;
      const spoken = secondsLeft > 0 ? cueAt(phase, secondsLeft) : null;
      if (spoken) {
        speak(spoken.key, spoken.params);
      }
    };
    tick();
  }

  function endPhase() {
    const exercise = running;
    const phase = exercise.phases[exercise.at];
    if (isWork(phase)) {
      exercise.repsDone += 1;
      signal();
    }
    const cue = phase.kind === "hold" ? cueAt(phase, 0) : null;
    if (cue) {
      speak(cue.key, cue.params);
    }
    advance();
  }

  function pause() {
    const exercise = running;
    const phase = exercise.phases[exercise.at];
    if (phase.kind !== "rep") {
      exercise.left = stopClock();
    }
    running = null;
    keepAwake(false);
    hush();
    draw(exercise);
    announce(t("pausedSay"));
  }

  // Stops whatever runs, keeping where each exercise was; used before any other step is shown.
  function halt() {
    if (running) {
      pause();
    }
    stopClock();
    keepAwake(false);
  }

  function complete(exercise) {
    running = null;
    exercise.finished = true;
    move("done");
    record(exercise, doneWhenCompleted(exercise.dose));
    const next = nextExercise(answered(), exercise.index);
    stage.dataset.phase = next >= 0 ? "next" : "done";
    where.textContent = t("done", { name: exercise.name });
    unit.textContent = "";
    if (next < 0) {
      keepAwake(false);
      phaseWord.textContent = t("allDoneWord");
      showTime("✓", 1);
      setControls("done");
      announce(t("doneSay", { name: exercise.name }) + " " + t("allDoneSay"));
      speak("sayAllDone");
      return;
    }
    const upcoming = exercises[next];
    phaseWord.textContent = t("nextWord", { name: upcoming.name });
    setControls("next");
    announce(t("doneSay", { name: exercise.name }) + " " + t("nextSay", { name: upcoming.name }));
    speak("nextWord", { name: upcoming.name });
    runClock(NEXT_SECONDS, () => showExercise(upcoming, true));
  }

  function stopHere() {
    const exercise = running || shown;
    const phase = exercise.phases[exercise.at];
    if (running) {
      exercise.left = phase.kind === "rep" ? 0 : stopClock();
      running = null;
    }
    keepAwake(false);
    hush();
    const held = phase && phase.kind === "hold" ? phase.seconds - exercise.left : 0;
    const done = doneWhenStopped(exercise.dose, { reps: exercise.repsDone, held });
    record(exercise, done);
    const note =
      done.status === "partial"
        ? t("stoppedNote")
        : t(done.status === "skipped" ? "stoppedNothing" : "stoppedAsk");
    showAnswer(exercise, note);
    announce(note);
    (done.status === "skipped" ? field(exercise, "skip_reason") : goOn).focus();
  }

  primary.addEventListener("click", () => {
    unlockSound();
    if (mode === "ready" || mode === "paused") {
      begin(shown);
    } else if (mode === "running") {
      pause();
    } else if (mode === "next") {
      const upcoming = exercises[nextExercise(answered(), shown.index)];
      showExercise(upcoming, true);
    } else {
      finish();
    }
  });

  repDone.addEventListener("click", () => {
    if (running && running.phases[running.at].kind === "rep") {
      endPhase();
    }
  });

  stop.addEventListener("click", stopHere);

  skip.addEventListener("click", () => {
    const exercise = shown;
    halt();
    record(exercise, doneWhenSkipped());
    showAnswer(exercise, t("skipNote"));
    announce(t("skipSay", { name: exercise.name }));
    field(exercise, "skip_reason").focus();
  });

  later.addEventListener("click", () => {
    showExercise(exercises[nextExercise(answered(), shown.index)], false);
  });

  back.addEventListener("click", () => {
    const index = shown.index;
    if (index > 0) {
      showExercise(exercises[index - 1], false);
    } else {
      showPage(before);
    }
  });

  forward.addEventListener("click", () => {
    const index = shown.index;
    if (index < exercises.length - 1) {
      showExercise(exercises[index + 1], false);
    } else {
      finish();
    }
  });

  goOn.addEventListener("click", () => {
    if (check([shown])) {
      goToNext(shown);
    }
  });

  backToTimer.addEventListener("click", () => {
    const exercise = shown;
    unanswer(exercise);
    showExercise(exercise, false);
  });

  questionGo.addEventListener("click", () => {
    if (check(asked)) {
      showPage(after);
    }
  });

  /* --- before and after -------------------------------------------------------------------- */

  const painBefore = form.elements.pain_before;
  const painProblem = el("p", "answer-problem", t("painFirst"));
  painProblem.hidden = true;
  const toExercises = button(t("next"), "btn-primary btn-lg w-100 mt-2");
  before.querySelector(".card-body").append(painProblem, toExercises);
  before.addEventListener("change", () => {
    painProblem.hidden = true;
  });
  toExercises.addEventListener("click", () => {
    if (painBefore && !painBefore.value) {
      painProblem.hidden = false;
      painBefore[0].focus();
      announce(t("painFirst"));
      return;
    }
    const first = nextExercise(answered(), -1);
    if (first >= 0) {
      showExercise(exercises[first], false);
    } else {
      finish();
    }
  });

  const backToExercises = button("", "btn-link player-nav mb-2");
  backToExercises.append(el("span", "player-chevron", "‹"), t("back"));
  backToExercises.firstChild.setAttribute("aria-hidden", "true");
  after.querySelector(".card-body").prepend(backToExercises);
  backToExercises.addEventListener("click", () => {
    if (exercises.length) {
      showExercise(exercises[exercises.length - 1], false);
    } else {
      showPage(before);
    }
  });

  /* --- saving once -------------------------------------------------------------------------- */

  const submit = form.querySelector("[data-submit]");
  let sending = false;
  form.addEventListener("submit", (event) => {
    if (sending) {
      event.preventDefault();
      return;
    }
    if (unanswered(answered()).length > 0) {
      event.preventDefault();
      showQuestion();
      return;
    }
    sending = true;
    submit.textContent = t("saving");
    submit.setAttribute("aria-disabled", "true");
  });
  // Back to this page from the next one: a page kept whole by the browser would offer the saved
  // session again, so ask the server, which says it is already saved.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && sending) {
      window.location.reload();
    }
  });

  /* --- where to start ------------------------------------------------------------------------ */

  form.classList.add("is-guided");
  const firstInvalid = steps.find((step) => step.querySelector(".is-invalid, .invalid-feedback"));
  if (firstInvalid && firstInvalid.dataset.step === "exercise") {
    showQuestion();
  } else if (firstInvalid) {
    showPage(firstInvalid);
  } else {
    showOnly([before], false);
    shown = before;
  }
}
