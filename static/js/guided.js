/* Guided mode for a home exercise session.
 *
 * Without this script the session page is a plain form: every exercise is listed with its
 * dose prefilled, and the patient ticks what they did. With it, the page shows one step at a
 * time and each exercise gets a timer that counts down every hold, counts repetitions and
 * sets, counts down the rest, switches sides, and fills in the form when the dose is done.
 * State changes are announced to screen readers through a polite live region.
 *
 * Loaded as a module, so it runs once the page has been parsed: the form and the
 * guided-strings JSON are there.
 */
import { doneWhenCompleted, doneWhenSkipped, doneWhenStopped, phasesFor } from "./dose.js";
import { fillPlaceholders } from "./placeholders.js";

var sessionForm = document.getElementById("session-form");
if (sessionForm) {
  guide(sessionForm);
}

function guide(form) {
  var secondMs = Number(form.dataset.secondMs) || 1000;
  var stringsNode = document.getElementById("guided-strings");
  var strings = stringsNode ? JSON.parse(stringsNode.textContent) : {};

  // Translated text from the page (json_script), with {name} placeholders filled in.
  function t(key, params) {
    return fillPlaceholders(strings[key] || key, params);
  }
  var steps = Array.prototype.slice.call(form.querySelectorAll(".session-step"));
  var audio = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function button(text, className) {
    var node = el("button", className || "btn btn-outline-secondary btn-lg", text);
    node.type = "button";
    return node;
  }

  function signal() {
    // A short tone and a buzz where the device allows; silence is fine where it does not.
    try {
      if (audio) {
        var oscillator = audio.createOscillator();
        var gain = audio.createGain();
        oscillator.frequency.value = 880;
        gain.gain.value = 0.15;
        oscillator.connect(gain);
        gain.connect(audio.destination);
        oscillator.start();
        oscillator.stop(audio.currentTime + 0.2);
      }
    } catch (error) {
      audio = null;
    }
    if (navigator.vibrate) {
      navigator.vibrate(200);
    }
  }

  function unlockAudio() {
    if (audio || !(window.AudioContext || window.webkitAudioContext)) {
      return;
    }
    try {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    } catch (error) {
      audio = null;
    }
  }

  /* --- one step at a time ------------------------------------------------------------ */

  var current = 0;
  var progress = el("p", "guided-progress fw-semibold mb-2");
  progress.setAttribute("aria-live", "polite");
  var nav = el("div", "guided-nav d-flex gap-2 mb-4");
  var back = button(t("back"));
  var next = button(t("next"), "btn btn-primary btn-lg flex-grow-1");
  nav.appendChild(back);
  nav.appendChild(next);
  form.insertBefore(progress, form.querySelector(".session-step"));
  form.appendChild(nav);
  form.classList.add("is-guided");

  function show(index, moveFocus) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach(function (step, position) {
      step.hidden = position !== current;
    });
    progress.textContent = t("step", { n: current + 1, total: steps.length });
    back.hidden = current === 0;
    next.hidden = current === steps.length - 1;
    if (moveFocus) {
      var heading = steps[current].querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  }

  back.addEventListener("click", function () {
    show(current - 1, true);
  });
  next.addEventListener("click", function () {
    show(current + 1, true);
  });

  /* --- the timer for each exercise ----------------------------------------------------- */

  function field(card, name) {
    return form.querySelector("[name='" + card.dataset.prefix + "-" + name + "']");
  }

  function setStatus(card, value) {
    var radio = form.querySelector(
      "input[name='" + card.dataset.prefix + "-status'][value='" + value + "']"
    );
    if (radio) {
      radio.checked = true;
    }
  }

  function setDone(card, done) {
    field(card, "sets_done").value = done.sets;
    field(card, "repetitions_done").value = done.reps;
    field(card, "hold_seconds_done").value = done.hold;
  }

  function watchPainReason(card) {
    var reason = field(card, "skip_reason");
    var warning = card.querySelector("[data-pain-stop]");
    if (!reason || !warning) {
      return;
    }
    var update = function () {
      warning.hidden = reason.value !== "pain";
    };
    reason.addEventListener("change", update);
    update();
  }

  function setupTimer(card) {
    var box = card.querySelector("[data-timer]");
    if (!box) {
      return;
    }
    var dose = {
      name: card.dataset.name,
      sets: Number(card.dataset.sets),
      reps: Number(card.dataset.reps),
      hold: Number(card.dataset.hold),
      rest: Number(card.dataset.rest),
      side: card.dataset.side
    };
    var phases = phasesFor(dose);
    var sideCount = dose.side === "both" ? 2 : 1;
    var index = -1;
    var remaining = 0;
    var deadline = 0;
    var ticker = null;
    var running = false;
    var finished = false;
    var repsDone = 0;

    var phaseText = el("p", "timer-phase h5 mb-1", t("ready"));
    var count = el("p", "timer-count display-3 fw-bold mb-1", "");
    count.setAttribute("aria-hidden", "true");
    var where = el("p", "timer-where mb-2", "");
    var live = el("p", "visually-hidden", "");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("role", "status");
    var controls = el("div", "d-flex flex-wrap gap-2");
    var start = button(t("start", { name: dose.name }), "btn btn-primary btn-lg");
    var repDone = button(t("repDone"), "btn btn-primary btn-lg");
    var stop = button(t("stopHere"));
    var skip = button(t("skip"), "btn btn-outline-danger btn-lg");
    repDone.hidden = true;
    stop.hidden = true;
    controls.appendChild(start);
    controls.appendChild(repDone);
    controls.appendChild(stop);
    controls.appendChild(skip);
    box.appendChild(phaseText);
    box.appendChild(count);
    box.appendChild(where);
    box.appendChild(live);
    box.appendChild(controls);
    box.hidden = false;

    function announce(text) {
      live.textContent = text;
    }

    function describe(phase) {
      var parts = [];
      if (dose.sets > 1) {
        parts.push(t("setOf", { n: phase.set, total: dose.sets }));
      }
      parts.push(t("repOf", { n: phase.rep, total: dose.reps }));
      if (phase.side) {
        parts.push(phase.side === "left" ? t("left") : t("right"));
      }
      return parts.join(" · ");
    }

    function stopTicker() {
      if (ticker !== null) {
        window.clearInterval(ticker);
        ticker = null;
      }
    }

    function tick() {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / secondMs));
      if (left !== remaining) {
        remaining = left;
        count.textContent = String(remaining);
      }
      if (Date.now() >= deadline) {
        stopTicker();
        endPhase();
      }
    }

    function runClock(seconds) {
      remaining = seconds;
      count.textContent = String(seconds);
      deadline = Date.now() + seconds * secondMs;
      stopTicker();
      ticker = window.setInterval(tick, Math.max(10, Math.floor(secondMs / 5)));
    }

    function beginPhase() {
      var phase = phases[index];
      where.textContent = describe(phase);
      repDone.hidden = phase.kind !== "rep";
      if (phase.kind === "hold") {
        phaseText.textContent = t("hold");
        announce(t("holdFor", { seconds: phase.seconds, where: describe(phase) }));
        runClock(phase.seconds);
      } else if (phase.kind === "rest") {
        phaseText.textContent = t("rest");
        announce(t("restFor", { seconds: phase.seconds }));
        runClock(phase.seconds);
      } else {
        phaseText.textContent = t("doOne");
        count.textContent = String(phase.rep);
        announce(t("doRep", { n: phase.rep, where: describe(phase) }));
      }
    }

    function endPhase() {
      var phase = phases[index];
      if (phase.kind !== "rest") {
        repsDone += 1;
        signal();
      }
      advance();
    }

    function advance() {
      index += 1;
      if (index >= phases.length) {
        complete();
        return;
      }
      beginPhase();
    }

    function complete() {
      finished = true;
      running = false;
      stopTicker();
      setStatus(card, "completed");
      setDone(card, doneWhenCompleted(dose));
      phaseText.textContent = t("done", { name: dose.name });
      count.textContent = "✓";
      where.textContent = "";
      start.hidden = true;
      repDone.hidden = true;
      stop.hidden = true;
      skip.hidden = true;
      announce(t("doneSay", { name: dose.name }));
      next.focus();
    }

    function partlyDone() {
      running = false;
      stopTicker();
      setStatus(card, "partial");
      setDone(card, doneWhenStopped(dose, repsDone));
      phaseText.textContent = t("stopped");
      where.textContent = "";
      repDone.hidden = true;
      stop.hidden = true;
      start.textContent = t("carryOn");
      start.hidden = false;
      announce(t("stoppedSay", { name: dose.name }));
      var reason = field(card, "skip_reason");
      if (reason) {
        reason.focus();
      }
    }

    start.addEventListener("click", function () {
      unlockAudio();
      if (finished) {
        return;
      }
      if (running) {
        running = false;
        stopTicker();
        remaining = Math.max(0, Math.ceil((deadline - Date.now()) / secondMs));
        start.textContent = t("carryOn");
        announce(t("paused"));
        return;
      }
      running = true;
      start.textContent = t("pause");
      stop.hidden = false;
      if (index < 0) {
        advance();
      } else if (phases[index].kind === "rep") {
        beginPhase();
      } else {
        phaseText.textContent = phases[index].kind === "hold" ? t("hold") : t("rest");
        announce(t("carryingOn"));
        runClock(remaining);
      }
    });

    repDone.addEventListener("click", function () {
      if (running && index >= 0 && phases[index].kind === "rep") {
        endPhase();
      }
    });

    stop.addEventListener("click", partlyDone);

    skip.addEventListener("click", function () {
      running = false;
      finished = true;
      stopTicker();
      setStatus(card, "skipped");
      setDone(card, doneWhenSkipped());
      phaseText.textContent = t("skipped");
      count.textContent = "";
      where.textContent = "";
      start.hidden = true;
      repDone.hidden = true;
      stop.hidden = true;
      skip.hidden = true;
      announce(t("skippedSay", { name: dose.name }));
      var reason = field(card, "skip_reason");
      if (reason) {
        reason.focus();
      }
    });
  }

  steps.forEach(function (step) {
    if (step.dataset.step === "exercise") {
      setupTimer(step);
      watchPainReason(step);
    }
  });

  /* --- start where the form needs attention, and submit once ---------------------------- */

  var firstInvalid = steps.findIndex(function (step) {
    return step.querySelector(".is-invalid, .invalid-feedback");
  });
  show(firstInvalid >= 0 ? firstInvalid : 0, false);

  var submit = form.querySelector("[data-submit]");
  var submitLabel = submit ? submit.textContent : "";
  form.addEventListener("submit", function () {
    if (submit) {
      // A second tap would be harmless (the server records one session), but say it's going.
      window.setTimeout(function () {
        submit.disabled = true;
        submit.textContent = t("saving");
      }, 0);
    }
  });
  // Coming back with the Back button restores the page as it was left: let it be sent again
  // (the same submission token means the session is still recorded once).
  window.addEventListener("pageshow", function () {
    if (submit) {
      submit.disabled = false;
      submit.textContent = submitLabel;
    }
  });
}
