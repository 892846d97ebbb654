import assert from "node:assert/strict";
import { test } from "node:test";

import {
  expired,
  isFresh,
  itemFrom,
  keptKey,
  localInputTime,
  outcome,
  pageKind,
  queuedKind,
  SHOW_SENT_FOR,
  tally,
  toSend,
  withFreshCsrf,
  withToken,
} from "../../static/js/offline.js";

const CONFIG = {
  scope: "/patients/me/",
  today: "/patients/me/today/",
  painReport: "/patients/me/pain/",
  offline: "/patients/me/offline/",
};
const DAY = 24 * 60 * 60 * 1000;

test("the worker keeps Today, each plan's session page, the pain report and the waiting list", () => {
  assert.equal(pageKind("/patients/me/today/", CONFIG), "today");
  assert.equal(pageKind("/patients/me/plans/12/session/", CONFIG), "session");
  assert.equal(pageKind("/patients/me/pain/", CONFIG), "pain");
  assert.equal(pageKind("/patients/me/offline/", CONFIG), "offline");
});

test("pages that need the network, and staff pages, are never kept", () => {
  for (const path of [
    "/patients/me/history/",
    "/patients/me/messages/",
    "/patients/me/account/",
    "/patients/me/pain/3/",
    "/patients/me/sessions/4/",
    "/patients/12/",
    "/patients/12/plans/new/",
    "/patients/me/plans/x/session/",
    "/patients/me/plans/12/session/extra/",
  ]) {
    assert.equal(pageKind(path, CONFIG), null, path);
  }
});

test("only sessions and pain reports wait on the phone", () => {
  assert.equal(queuedKind("/patients/me/plans/3/session/", CONFIG), "session");
  assert.equal(queuedKind("/patients/me/pain/", CONFIG), "pain");
  assert.equal(queuedKind("/patients/me/today/", CONFIG), null);
  assert.equal(queuedKind("/patients/me/account/", CONFIG), null);
});

test("a session page is kept once whatever the token of the start", () => {
  const first = "https://clinic.example/patients/me/plans/3/session/?token=a";
  const second = "https://clinic.example/patients/me/plans/3/session/?token=b";
  assert.equal(keptKey(first), keptKey(second));
  assert.equal(keptKey(first), "https://clinic.example/patients/me/plans/3/session/");
  assert.equal(
    withToken("https://clinic.example/patients/me/plans/3/session/", "abc"),
    "https://clinic.example/patients/me/plans/3/session/?token=abc",
  );
});

test("a kept page is shown no longer than a sign-in lasts", () => {
  const keptFor = 14 * DAY;
  const now = Date.UTC(2026, 11, 7, 9);
  assert.equal(isFresh(String(now - DAY), now, keptFor), true);
  assert.equal(isFresh(String(now - keptFor), now, keptFor), true);
  assert.equal(isFresh(String(now - keptFor - 1), now, keptFor), false);
  // A page kept "in the future" (a clock set back) or without a time is not trusted.
  assert.equal(isFresh(String(now + 2 * 60 * 1000), now, keptFor), false);
  assert.equal(isFresh(null, now, keptFor), false);
  assert.equal(isFresh("soon", now, keptFor), false);
});

test("a log waits with the form's own token, so the server records it once", () => {
  const fields = [
    ["csrfmiddlewaretoken", "old"],
    ["client_token", "6a1f"],
    ["pain_before", "3"],
  ];
  const item = itemFrom({ url: "https://x/patients/me/session/", kind: "session", fields, device: "d1", now: 5 });
  assert.equal(item.token, "6a1f");
  assert.equal(item.state, "waiting");
  assert.equal(item.device, "d1");
  assert.deepEqual(item.fields, fields);
  assert.deepEqual(withFreshCsrf(fields, "new"), [
    ["client_token", "6a1f"],
    ["pain_before", "3"],
    ["csrfmiddlewaretoken", "new"],
  ]);
});

test("a pain report made offline carries the moment it was made", () => {
  const made = Date.UTC(2026, 11, 7, 6, 30);
  const fields = [["client_token", "t"], ["score", "6"], ["reported_at", "forged"]];
  const item = itemFrom({ url: "https://x/patients/me/pain/", kind: "pain", fields, device: "d", now: made });
  assert.deepEqual(item.fields, [
    ["client_token", "t"],
    ["score", "6"],
    ["reported_at", "2026-12-07T06:30:00.000Z"],
  ]);
});

test("the server's answer says whether a log arrived, was refused, or must wait", () => {
  assert.deepEqual(outcome(200, { sent: true, url: "/patients/me/sessions/4/" }), {
    state: "sent",
    doneUrl: "/patients/me/sessions/4/",
    reasons: [],
  });
  assert.deepEqual(outcome(409, { sent: false, reasons: ["This plan is not active."] }), {
    state: "refused",
    doneUrl: "",
    reasons: ["This plan is not active."],
  });
  assert.equal(outcome(422, { sent: false, reasons: ["Pain: Choose a number."] }).state, "refused");
  // A server error, an out-of-date form token or an answer that is not ours: try again later.
  assert.equal(outcome(500, null).state, "waiting");
  assert.equal(outcome(403, null).state, "waiting");
  assert.equal(outcome(200, null).state, "waiting");
  assert.equal(outcome(422, { detail: "?" }).state, "waiting");
});

test("waiting logs are sent oldest first; sent ones are forgotten after a day", () => {
  const now = 10 * DAY;
  const items = [
    { token: "b", state: "waiting", savedAt: 2 },
    { token: "a", state: "signin", savedAt: 1 },
    { token: "c", state: "sent", savedAt: 0, sentAt: now - SHOW_SENT_FOR - 1 },
    { token: "d", state: "sent", savedAt: 0, sentAt: now - 1000 },
    { token: "e", state: "refused", savedAt: 3 },
  ];
  assert.deepEqual(
    toSend(items).map((item) => item.token),
    ["a", "b"],
  );
  assert.deepEqual(
    expired(items, now).map((item) => item.token),
    ["c"],
  );
});

test("another person's logs on the same phone are counted apart, never as one's own", () => {
  const items = [
    { device: "me", state: "waiting" },
    { device: "me", state: "sent" },
    { device: "me", state: "refused" },
    { device: "someone", state: "waiting" },
  ];
  assert.deepEqual(tally(items, "me"), { waiting: 1, signin: 0, sent: 1, refused: 1, other: 1 });
});

test("the time of a session done offline is the clinic's clock time, as the form reads it", () => {
  const moment = new Date(Date.UTC(2026, 2, 29, 0, 59)); // just before Europe's clocks change
  assert.equal(localInputTime(moment, "Europe/London"), "2026-03-29T00:59");
  assert.equal(localInputTime(new Date(Date.UTC(2026, 2, 29, 1, 1)), "Europe/London"), "2026-03-29T02:01");
  assert.equal(localInputTime(moment, "Pacific/Auckland"), "2026-03-29T13:59");
  assert.equal(localInputTime(moment, "America/New_York"), "2026-03-28T20:59");
});
