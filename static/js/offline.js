/* The rules of the patient's app on their phone, shared by the service worker (worker.js) and
 * the pages (app.js): which pages are kept for use without a network, how long, and how a
 * session or pain report saved on the phone is sent and what the server's answer means.
 * No DOM and no network: tested with `node --test tests/js/*.test.mjs`.
 */

export const SYNC_TAG = "rehabit-send";
// Kept pages carry the time they were kept in this header (the worker adds it).
export const KEPT_AT = "x-rehabit-kept-at";
// A sent log stays listed ("Sent") this long, so the patient sees it arrive.
export const SHOW_SENT_FOR = 24 * 60 * 60 * 1000;

function sessionPattern(scope) {
  return new RegExp(`^${scope}plans/(\\d+)/session/$`);
}

/* What kind of kept page an address is: "today", "session", "pain", "offline", or null for a
 * page the worker never keeps (history, messages, the account: they need the network). */
export function pageKind(pathname, config) {
  if (pathname === config.today) return "today";
  if (pathname === config.painReport) return "pain";
  if (pathname === config.offline) return "offline";
  if (sessionPattern(config.scope).test(pathname)) return "session";
  return null;
}

/* What kind of log a form sent to this address is, when it can wait on the phone: a session
 * of a plan, or a pain report. */
export function queuedKind(pathname, config) {
  const kind = pageKind(pathname, config);
  return kind === "session" || kind === "pain" ? kind : null;
}

/* The key a page is kept under: its address without the query, since each start of a session
 * has its own token in the address while the page is the same. */
export function keptKey(href) {
  const url = new URL(href);
  return url.origin + url.pathname;
}

// The session page's address for a new start, with a token of its own.
export function withToken(href, token) {
  const url = new URL(href);
  url.searchParams.set("token", token);
  return url.href;
}

/* Whether a page kept at `keptAt` (ms) may still be shown: not after the patient's sign-in
 * would have ended, nor when the phone's clock says it was kept in the future. */
export function isFresh(keptAt, now, keptFor) {
  const kept = Number(keptAt);
  if (!Number.isFinite(kept) || kept <= 0) return false;
  return kept <= now + 60 * 1000 && now - kept <= keptFor;
}

/* A log as it waits on the phone: the form's fields as they were posted, the address they were
 * posted to, and the token that makes the server record it once however often it is sent. */
export function itemFrom({ url, kind, fields, device, now }) {
  const token = fieldValue(fields, "client_token");
  return {
    token: token || `${kind}-${now}`,
    kind,
    url,
    // A pain report is of the moment it was made, not of when the network came back.
    fields:
      kind === "pain"
        ? [...fields.filter(([key]) => key !== "reported_at"), ["reported_at", new Date(now).toISOString()]]
        : fields,
    device: device || "",
    savedAt: now,
    state: "waiting",
    reasons: [],
    doneUrl: "",
    tries: 0,
  };
}

export function fieldValue(fields, name) {
  const found = fields.find(([key]) => key === name);
  return found ? found[1] : "";
}

export function fieldValues(fields, name) {
  return fields.filter(([key]) => key === name).map(([, value]) => value);
}

// The fields with the form token of the current sign-in in place of the one saved.
export function withFreshCsrf(fields, csrf) {
  return [
    ...fields.filter(([key]) => key !== "csrfmiddlewaretoken"),
    ["csrfmiddlewaretoken", csrf],
  ];
}

/* What the server's answer to a sent log means for it:
 *   sent     recorded (now or before: the token makes a resend land on the same log)
 *   refused  the server will not take it, for the reasons it gives (shown to the patient)
 *   waiting  try again later (the server failed, or the form token was out of date) */
export function outcome(status, body) {
  if (status >= 200 && status < 300 && body && body.sent) {
    return { state: "sent", doneUrl: String(body.url || ""), reasons: [] };
  }
  if ([400, 409, 410, 422].includes(status) && body && Array.isArray(body.reasons)) {
    return { state: "refused", doneUrl: "", reasons: body.reasons.map(String) };
  }
  return { state: "waiting", doneUrl: "", reasons: [] };
}

// The logs to send now: those waiting, or waiting for their person to sign in again.
export function toSend(items) {
  return items
    .filter((item) => item.state === "waiting" || item.state === "signin")
    .sort((a, b) => a.savedAt - b.savedAt);
}

// The logs to forget: sent ones once they have been shown for a day.
export function expired(items, now) {
  return items.filter((item) => item.state === "sent" && now - (item.sentAt || 0) > SHOW_SENT_FOR);
}

/* How many of this person's logs are in each state; another person's are counted apart, never
 * shown. */
export function tally(items, device) {
  const counts = { waiting: 0, signin: 0, sent: 0, refused: 0, other: 0 };
  for (const item of items) {
    if (item.device !== device) counts.other += 1;
    else counts[item.state] = (counts[item.state] || 0) + 1;
  }
  return counts;
}

/* "2026-12-07T09:30" for a datetime-local field: the time now on the clinic's clock, which is
 * the one the server reads the field in. */
export function localInputTime(date, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone || undefined,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
