/* The service worker of the patient's app (served at /sw.js, which calls start()). It keeps
 * Today, the player and the pain report for use without a network, keeps a session or pain
 * report done offline on the phone until it can be sent, and shows push notifications.
 *
 * Only the patient's own pages are in its scope; it keeps them for the person signed in on
 * this phone (the pages tell it who, by an opaque key) and forgets them when someone else
 * signs in, at sign-out, and once they are older than a sign-in lasts.
 */

import {
  KEPT_AT,
  SYNC_TAG,
  expired,
  isFresh,
  itemFrom,
  keptKey,
  outcome,
  pageKind,
  queuedKind,
  toSend,
  withFreshCsrf,
  withToken,
} from "./offline.js";
import * as store from "./store.js";

const PAGES = "rehabit-pages";
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

export function start(worker, config) {
  const STATIC = `rehabit-static-${config.version}`;
  const ownOrigin = new URL(worker.registration.scope).origin;

  worker.addEventListener("install", (event) => {
    event.waitUntil(
      caches
        .open(STATIC)
        .then((cache) => cache.addAll(config.static))
        .then(() => worker.skipWaiting()),
    );
  });

  worker.addEventListener("activate", (event) => {
    event.waitUntil(
      caches
        .keys()
        .then((names) =>
          Promise.all(
            names
              .filter((name) => name.startsWith("rehabit-static-") && name !== STATIC)
              .map((name) => caches.delete(name)),
          ),
        )
        .then(() => worker.clients.claim()),
    );
  });

  worker.addEventListener("fetch", (event) => {
    const request = event.request;
    const url = new URL(request.url);
    if (url.origin !== ownOrigin) return;
    if (request.method === "POST" && request.mode === "navigate") {
      const kind = queuedKind(url.pathname, config);
      if (kind) event.respondWith(sendOrKeep(request, kind));
      return;
    }
    if (request.method !== "GET") return;
    if (request.mode === "navigate" && url.pathname.startsWith(config.scope)) {
      event.respondWith(page(request, url));
    } else if (url.pathname.startsWith(config.staticPrefix)) {
      event.respondWith(staticFile(request));
    } else if (url.pathname.startsWith("/media/")) {
      event.respondWith(picture(request));
    }
  });

  worker.addEventListener("message", (event) => {
    const message = event.data || {};
    if (message.type === "hello") event.waitUntil(hello(message));
    if (message.type === "send") event.waitUntil(sendWaiting());
  });

  worker.addEventListener("sync", (event) => {
    if (event.tag === SYNC_TAG) event.waitUntil(sendWaiting());
  });

  worker.addEventListener("push", (event) => {
    let note = {};
    try {
      note = event.data ? event.data.json() : {};
    } catch {
      note = {};
    }
    event.waitUntil(
      worker.registration.showNotification(note.title || "Rehabit", {
        body: note.body || "",
        tag: note.tag || "rehabit",
        icon: config.icon,
        badge: config.icon,
        data: { url: note.url || config.today },
      }),
    );
  });

  worker.addEventListener("notificationclick", (event) => {
    event.notification.close();
    const target = new URL((event.notification.data || {}).url || config.today, ownOrigin).href;
    event.waitUntil(
      worker.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
        const open = windows.find((client) => client.url === target);
        if (open) return open.focus();
        return worker.clients.openWindow(target);
      }),
    );
  });

  // The network first, so an online patient always sees the latest plan; the kept copy when
  // there is no network.
  async function page(request, url) {
    const kind = pageKind(url.pathname, config);
    try {
      const response = await fetch(request);
      if (kind) await keep(url.href, response.clone());
      return response;
    } catch (error) {
      if (kind === "session" && !url.searchParams.get("token")) {
        // Each start of a session has its own token, as the server would give it.
        return Response.redirect(withToken(url.href, crypto.randomUUID()), 302);
      }
      const kept = (kind && (await keptPage(url.href))) || (await keptPage(new URL(config.offline, ownOrigin).href));
      if (kept) return kept;
      throw error;
    }
  }

  async function keep(href, response) {
    if (response.status !== 200 || response.type !== "basic") return;
    // The session page answers its plain address with a new token: the same page. Any other
    // redirect (to the sign-in page) is not the page asked for.
    if (response.redirected && keptKey(response.url) !== keptKey(href)) return;
    const headers = new Headers(response.headers);
    headers.set(KEPT_AT, String(Date.now()));
    const body = await response.blob();
    const cache = await caches.open(PAGES);
    await cache.put(keptKey(href), new Response(body, { status: 200, headers }));
  }

  async function keptPage(href) {
    const cache = await caches.open(PAGES);
    const found = await cache.match(keptKey(href));
    if (!found) return null;
    if (!isFresh(found.headers.get(KEPT_AT), Date.now(), config.keptFor)) {
      await cache.delete(keptKey(href));
      return null;
    }
    return found;
  }

  /* A page tells the worker who is signed in and which pages to keep ready: Today asks for its
   * plans' session pages, the pain report and the page of logs waiting to be sent. Someone
   * else signed in: everything kept for the previous person goes first. */
  async function hello({ device, keep: wanted = [], current }) {
    const before = await store.metaGet("device");
    const cache = await caches.open(PAGES);
    let urls = wanted;
    if (before !== device) {
      await caches.delete(PAGES);
      await store.metaSet("device", device);
      if (current) urls = [current, ...wanted];
    }
    urls = urls.filter((href) => pageKind(new URL(href).pathname, config));
    if (wanted.length) {
      // Session pages of plans no longer on Today go.
      const keepKeys = new Set(urls.map(keptKey));
      if (current) keepKeys.add(keptKey(current));
      for (const request of await cache.keys()) {
        if (pageKind(new URL(request.url).pathname, config) === "session" && !keepKeys.has(request.url)) {
          await cache.delete(request);
        }
      }
    }
    // One after another: a handful of pages, and no burst on the server at every Today.
    for (const href of urls) {
      try {
        const response = await fetch(href, { credentials: "same-origin" });
        await keep(href, response);
      } catch {
        // Offline or the server failed: the copy kept before stays.
      }
    }
    await sendWaiting();
  }

  /* A static file whose name carries its content's hash (as every release serves them) never
   * changes: the kept copy at once. Without a hash (while developing) the network first. */
  async function staticFile(request) {
    const cache = await caches.open(STATIC);
    if (HASHED.test(new URL(request.url).pathname)) {
      const found = await cache.match(request);
      if (found) return found;
    }
    try {
      const response = await fetch(request);
      if (response.ok) await cache.put(request, response.clone());
      return response;
    } catch (error) {
      const found = await cache.match(request);
      if (found) return found;
      throw error;
    }
  }

  // An exercise picture a clinic uploaded: the kept copy at once, refreshed behind it.
  async function picture(request) {
    const cache = await caches.open(PAGES);
    const found = await cache.match(request);
    const fresh = fetch(request)
      .then(async (response) => {
        if (response.ok) await cache.put(request, response.clone());
        return response;
      })
      .catch(() => null);
    return found || (await fresh) || Response.error();
  }

  // A session or pain report sent without a network waits on the phone.
  async function sendOrKeep(request, kind) {
    const copy = request.clone();
    try {
      return await fetch(request);
    } catch {
      const form = await copy.formData();
      const fields = [...form.entries()].filter(([, value]) => typeof value === "string");
      const item = itemFrom({
        url: request.url,
        kind,
        fields,
        device: await store.metaGet("device"),
        now: Date.now(),
      });
      await store.queuePut(item);
      try {
        await worker.registration.sync.register(SYNC_TAG);
      } catch {
        // No Background Sync here: the pages ask again when the phone is back online.
      }
      await tell();
      const offline = new URL(config.offline, ownOrigin);
      offline.searchParams.set("saved", item.token);
      return Response.redirect(offline.href, 303);
    }
  }

  let sending = null;
  function sendWaiting() {
    sending ??= send().finally(() => {
      sending = null;
    });
    return sending;
  }

  async function send() {
    const items = await store.queueAll();
    for (const item of expired(items, Date.now())) await store.queueDelete(item.token);
    const waiting = toSend(items);
    if (!waiting.length) return;
    let answer;
    try {
      answer = await fetch(config.sync, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch {
      return; // Still offline.
    }
    const signedIn =
      answer.ok && !answer.redirected && (answer.headers.get("content-type") || "").includes("json");
    if (!signedIn) {
      for (const item of waiting) await store.queuePut({ ...item, state: "signin" });
      await tell();
      return;
    }
    const { csrf, device } = await answer.json();
    for (const item of waiting) {
      // A log saved by someone else on this phone waits for them to sign in.
      if (item.device && item.device !== device) continue;
      let response;
      try {
        response = await fetch(item.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrf },
          body: new URLSearchParams(withFreshCsrf(item.fields, csrf)),
        });
      } catch {
        break; // The connection went again.
      }
      let body = null;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      const result = outcome(response.status, body);
      await store.queuePut({
        ...item,
        ...result,
        tries: item.tries + 1,
        sentAt: result.state === "sent" ? Date.now() : item.sentAt,
      });
    }
    await tell();
  }

  // Every open page of the app redraws what waits to be sent.
  async function tell() {
    const windows = await worker.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) client.postMessage({ type: "queue" });
  }
}
