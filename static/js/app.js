/* The patient's pages as an app on their phone: registers the service worker (worker.js),
 * tells it whose pages to keep and which, shows what waits on the phone to be sent, offers to
 * install Rehabit, and clears what the phone kept at sign-out. Every page works without it.
 */

import { fieldValue, fieldValues, localInputTime, tally } from "./offline.js";
import * as store from "./store.js";

const app = document.body.dataset;
const worker = "serviceWorker" in navigator && app.appWorker ? navigator.serviceWorker : null;
const STALE_PAGE = 5 * 60 * 1000;
// How many of this person's logs wait on the phone (kept current for signing out).
let waitingCount = 0;

function tellWorker(message) {
  if (!worker) return;
  worker.ready.then((registration) => registration.active && registration.active.postMessage(message));
}

async function ownItems() {
  try {
    return (await store.queueAll()).filter((item) => item.device === app.appDevice);
  } catch {
    return [];
  }
}

function words(element, name, values = {}) {
  return (element.dataset[name] || "").replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

// Today and the other pages: a line saying what waits on the phone, with a link to the list.
async function drawBanner() {
  const banner = document.querySelector("[data-queue-banner]");
  if (!banner) return;
  const counts = tally(await ownItems(), app.appDevice);
  const waiting = counts.waiting + counts.signin;
  const text = banner.querySelector("[data-queue-text]");
  banner.classList.toggle("alert-warning", waiting > 0 || counts.refused > 0);
  banner.classList.toggle("alert-success", !waiting && !counts.refused && counts.sent > 0);
  if (counts.refused) text.textContent = words(banner, "refused", { n: counts.refused });
  else if (waiting) text.textContent = words(banner, "waiting", { n: waiting });
  else if (counts.sent) text.textContent = words(banner, "sent", { n: counts.sent });
  banner.hidden = !(waiting || counts.refused || counts.sent);
}

// The page of what waits to be sent: each log with its state, read from the phone.
async function drawList() {
  const list = document.querySelector("[data-queue-list]");
  if (!list) return;
  const items = (await ownItems()).sort((a, b) => b.savedAt - a.savedAt);
  const row = document.getElementById("queue-item");
  const saved = new URLSearchParams(location.search).get("saved");
  list.replaceChildren(
    ...items.map((item) => {
      const node = row.content.firstElementChild.cloneNode(true);
      const when = new Date(item.savedAt).toLocaleString(document.documentElement.lang, {
        weekday: "long",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
      node.dataset.state = item.state;
      node.dataset.token = item.token;
      node.querySelector("[data-what]").textContent =
        item.kind === "pain"
          ? words(list, "pain", { score: fieldValue(item.fields, "score") })
          : words(list, "session");
      node.querySelector("[data-when]").textContent = when;
      node.querySelector("[data-state]").textContent = words(list, item.state);
      const reasons = node.querySelector("[data-reasons]");
      reasons.replaceChildren(
        ...item.reasons.map((reason) => Object.assign(document.createElement("li"), { textContent: reason })),
      );
      const link = node.querySelector("[data-done]");
      link.hidden = !(item.state === "sent" && item.doneUrl);
      if (item.doneUrl) link.href = item.doneUrl;
      const remove = node.querySelector("[data-remove]");
      remove.hidden = item.state !== "refused";
      remove.addEventListener("click", async () => {
        await store.queueDelete(item.token);
        redraw();
      });
      if (item.token === saved) node.classList.add("is-new");
      return node;
    }),
  );
  document.querySelector("[data-queue-empty]").hidden = items.length > 0;
  showAdvice(items.find((item) => item.token === saved) || items.find(isWaitingPain));
}

function isWaitingPain(item) {
  return item.kind === "pain" && item.state !== "sent" && fieldValues(item.fields, "red_flags").length;
}

// A warning sign ticked without a network: the advice at once, from the page kept on the phone.
function showAdvice(item) {
  const flags = item && item.kind === "pain" ? fieldValues(item.fields, "red_flags") : [];
  for (const advice of document.querySelectorAll("[data-advice]")) {
    let shown = 0;
    for (const line of advice.querySelectorAll("[data-flag]")) {
      line.hidden = !flags.includes(line.dataset.flag);
      shown += line.hidden ? 0 : 1;
    }
    advice.hidden = !shown;
  }
  const emergency = document.querySelector("[data-advice=emergency]");
  const urgent = document.querySelector("[data-advice=urgent]");
  if (emergency && !emergency.hidden && urgent) urgent.hidden = true;
}

async function countWaiting() {
  const counts = tally(await ownItems(), app.appDevice);
  waitingCount = counts.waiting + counts.signin;
}

function redraw() {
  countWaiting();
  drawBanner();
  drawList();
}

// A session page kept on the phone: this start's token (from the address) and the time now.
function freshenForms() {
  const session = document.getElementById("session-form");
  if (session) {
    const token = new URLSearchParams(location.search).get("token");
    const field = session.querySelector("[name=client_token]");
    if (token && field && !document.getElementById("session-errors")) field.value = token;
    const when = session.querySelector("[name=performed_at]");
    const rendered = Number(session.dataset.rendered) * 1000;
    if (when && rendered && Date.now() - rendered > STALE_PAGE) {
      when.value = localInputTime(new Date(), session.dataset.zone);
    }
  }
  const pain = document.querySelector("form[data-pain-form]");
  if (pain && !document.getElementById("form-errors") && crypto.randomUUID) {
    // The kept page has one token; each report made from it needs its own.
    pain.querySelector("[name=client_token]").value = crypto.randomUUID();
  }
}

// Offer to install where the browser can (Chromium), or explain it once on an iPhone.
function offerInstall() {
  const hint = document.querySelector("[data-install]");
  const guide = document.querySelector("[data-ios-guide]");
  const installed =
    matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  if (hint && !installed && !localStorage.getItem("rehabit.install.dismissed")) {
    addEventListener("beforeinstallprompt", (event) => {
      event.preventDefault();
      hint.hidden = false;
      hint.querySelector("[data-install-now]").onclick = async () => {
        event.prompt();
        await event.userChoice;
        hint.hidden = true;
      };
    });
    hint.querySelector("[data-install-later]").onclick = () => {
      localStorage.setItem("rehabit.install.dismissed", "1");
      hint.hidden = true;
    };
  }
  const iphone = /iPhone|iPad|iPod/.test(navigator.userAgent) && !window.MSStream;
  if (guide && iphone && !installed && !localStorage.getItem("rehabit.ios.guided")) {
    guide.hidden = false;
    localStorage.setItem("rehabit.ios.guided", "1");
    guide.querySelector("[data-ios-close]").onclick = () => {
      guide.hidden = true;
    };
  }
}

/* Signing out leaves nothing of the patient on the phone: the server's answer clears what the
 * app kept (Clear-Site-Data). Logs not sent yet are tried once more first; if some still
 * cannot go, the patient is asked before they are lost. With nothing waiting, signing out is
 * the plain form post. */
function guardSignOut() {
  for (const form of document.querySelectorAll("form[data-sign-out]")) {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.cleared || !waitingCount) return;
      event.preventDefault();
      let unsent = tally(await ownItems(), app.appDevice);
      if (unsent.waiting + unsent.signin && navigator.onLine) {
        tellWorker({ type: "send" });
        await new Promise((resolve) => setTimeout(resolve, 3000));
        unsent = tally(await ownItems(), app.appDevice);
      }
      const count = unsent.waiting + unsent.signin;
      if (count && !confirm(words(form, "unsent", { n: count }))) return;
      if ("caches" in window) {
        for (const name of await caches.keys()) await caches.delete(name);
      }
      await store.forgetAll();
      form.dataset.cleared = "1";
      form.submit();
    });
  }
}

if (worker) {
  worker
    .register(app.appWorker, { type: "module", scope: app.appScope })
    .then(() => {
      const keep = [...document.querySelectorAll("a[data-keep]")].map((link) => link.href);
      if (app.appOffline) keep.push(new URL(app.appOffline, location.href).href);
      tellWorker({
        type: "hello",
        device: app.appDevice,
        keep: document.querySelector("[data-keep-pages]") ? keep : [],
        current: location.href,
      });
    })
    .catch(() => {
      // No worker (an old browser, a private window): the pages work online as always.
    });
  worker.addEventListener("message", (event) => {
    if ((event.data || {}).type === "queue") redraw();
  });
  addEventListener("online", () => tellWorker({ type: "send" }));
}
const sendNow = document.querySelector("[data-send-now]");
if (sendNow) sendNow.addEventListener("click", () => tellWorker({ type: "send" }));
freshenForms();
offerInstall();
guardSignOut();
redraw();
