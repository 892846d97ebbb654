/* What the player asks of the phone: spoken cues, a tone and a buzz, and a screen that stays on
 * while an exercise runs. Each is best effort: where a browser lacks one, the player carries on
 * without it.
 */
const VOICE_KEY = "rehabit.spokenCues";

export function voiceIsOn() {
  try {
    return window.localStorage.getItem(VOICE_KEY) !== "off";
  } catch (error) {
    return true;
  }
}

export function setVoice(on) {
  try {
    window.localStorage.setItem(VOICE_KEY, on ? "on" : "off");
  } catch (error) {
    // Private browsing may refuse storage: the choice then lasts for this page only.
  }
  if (!on) {
    hush();
  }
}

export function say(text, on) {
  if (!on || !window.speechSynthesis || !window.SpeechSynthesisUtterance) {
    return;
  }
  try {
    // A new cue replaces one not yet spoken, so the voice never lags behind the clock.
    window.speechSynthesis.cancel();
    const utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || "en";
    window.speechSynthesis.speak(utterance);
  } catch (error) {
    // No voice on this device.
  }
}

export function hush() {
  try {
    window.speechSynthesis?.cancel();
  } catch (error) {
    // Nothing was speaking.
  }
}

let audio = null;

// Browsers allow sound only after a tap: call this from one.
export function unlockSound() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (audio || !Context) {
    return;
  }
  try {
    audio = new Context();
  } catch (error) {
    audio = null;
  }
}

export function signal(pitch = 880) {
  try {
    if (audio) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = pitch;
      gain.gain.value = 0.15;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.2);
    }
  } catch (error) {
    audio = null;
  }
  navigator.vibrate?.(200);
}

/* The screen stays on while `wanted` is true. The lock is let go when the page is hidden (the
 * browser would drop it anyway) and asked for again when the page is shown and still wanted. */
let lock = null;
let asking = false;
let wanted = false;

function letGo() {
  const held = lock;
  lock = null;
  held?.release().catch(() => {});
}

export function keepAwake(on) {
  wanted = on;
  if (!on) {
    letGo();
    return;
  }
  if (lock || asking || !navigator.wakeLock || document.visibilityState !== "visible") {
    return;
  }
  asking = true;
  navigator.wakeLock.request("screen").then(
    (sentinel) => {
      asking = false;
      lock = sentinel;
      sentinel.addEventListener("release", () => {
        if (lock === sentinel) {
          lock = null;
        }
      });
      if (!wanted) {
        letGo();
      }
    },
    () => {
      asking = false;
    }
  );
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") {
    keepAwake(wanted);
  } else {
    letGo();
  }
});
