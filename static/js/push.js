// Notifications on this device: the "Turn on" and "Turn off" buttons of the account pages.
// The page says what it can without JavaScript; this module finds out what the browser allows,
// subscribes it to the push service with the server's key and tells the server, or undoes that.

// The server's applicationServerKey arrives base64url-encoded; pushManager wants its bytes.
export function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) {
    bytes[index] = binary.charCodeAt(index);
  }
  return bytes;
}

export function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// iPhones and iPads, including iPads that call themselves a Mac.
export function isAppleMobile({ userAgent = "", platform = "", maxTouchPoints = 0 }) {
  return /iPhone|iPad|iPod/.test(userAgent) || (platform === "MacIntel" && maxTouchPoints > 1);
}

// Which of the section's sentences applies, and so which button shows:
// "on" and "off" for this device, "blocked" by the browser, "unsupported" by it, or
// "ios-install" on an iPhone whose Safari offers notifications only from the Home Screen.
export function pushState({ supported, appleMobile, standalone, permission, subscribed }) {
  if (!supported) {
    return appleMobile && !standalone ? "ios-install" : "unsupported";
  }
  if (permission === "denied") {
    return "blocked";
  }
  return subscribed && permission === "granted" ? "on" : "off";
}

function supportedIn(win) {
  return "serviceWorker" in win.navigator && "PushManager" in win && "Notification" in win;
}

// pushManager.subscribe needs the worker active. The account page may lie outside the worker's
// scope (staff pages do), where navigator.serviceWorker.ready would wait for ever.
function activated(registration) {
  const worker = registration.installing || registration.waiting;
  if (registration.active || !worker) {
    return Promise.resolve(registration);
  }
  return new Promise((resolve) => {
    worker.addEventListener("statechange", () => {
      if (worker.state === "activated") {
        resolve(registration);
      }
    });
  });
}

async function digest(text) {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

class PushToggle {
  constructor(root) {
    this.root = root;
    this.status = root.querySelector("[data-push-status]");
    this.onButton = root.querySelector("[data-push-on]");
    this.offButton = root.querySelector("[data-push-off]");
    this.known = new Set((root.dataset.known || "").split(",").filter(Boolean));
    this.onButton.addEventListener("click", () => this.turnOn());
    this.offButton.addEventListener("click", () => this.turnOff());
  }

  say(state) {
    const sentence = this.root.querySelector(`template[data-push-says="${state}"]`);
    this.status.textContent = sentence ? sentence.content.textContent.trim() : "";
    this.onButton.hidden = state !== "off";
    this.offButton.hidden = state !== "on";
  }

  registration() {
    const button = this.onButton;
    return navigator.serviceWorker.register(button.dataset.swUrl, {
      type: "module",
      scope: button.dataset.swScope,
    });
  }

  async subscription() {
    const scope = this.onButton.dataset.swScope;
    const registration = await navigator.serviceWorker.getRegistration(scope);
    return registration ? registration.pushManager.getSubscription() : null;
  }

  async show() {
    const supported = supportedIn(window);
    const appleMobile = isAppleMobile(navigator);
    const standalone =
      window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
    this.root.querySelector("[data-push-ios]").hidden = !appleMobile;
    let subscribed = false;
    if (supported) {
      const subscription = await this.subscription();
      subscribed = subscription !== null && this.known.has(await digest(subscription.endpoint));
    }
    const permission = supported ? Notification.permission : "default";
    this.say(pushState({ supported, appleMobile, standalone, permission, subscribed }));
  }

  async send(url, body, { missingIsFine = false } = {}) {
    const token = this.root.querySelector("input[name=csrfmiddlewaretoken]").value;
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    if (!response.ok && !(missingIsFine && response.status === 404)) {
      throw new Error(`The server answered ${response.status}`);
    }
  }

  async turnOn() {
    this.say("working");
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        this.say(Notification.permission === "denied" ? "blocked" : "off");
        return;
      }
      const registration = await activated(await this.registration());
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64UrlToBytes(this.root.dataset.publicKey),
      });
      await this.send(this.root.dataset.subscribeUrl, subscription.toJSON());
      this.known.add(await digest(subscription.endpoint));
      this.say("on");
    } catch (error) {
      console.error(error);
      this.say("failed");
      this.onButton.hidden = false;
    }
  }

  async turnOff() {
    this.say("working");
    try {
      const subscription = await this.subscription();
      if (subscription) {
        // Already forgotten by the server (stopped from the list of devices) is fine.
        await this.send(
          this.root.dataset.unsubscribeUrl,
          { endpoint: subscription.endpoint },
          { missingIsFine: true },
        );
        this.known.delete(await digest(subscription.endpoint));
        await subscription.unsubscribe();
      }
      this.say("off");
    } catch (error) {
      console.error(error);
      this.say("failed");
      this.offButton.hidden = false;
    }
  }
}

if (typeof document !== "undefined") {
  for (const root of document.querySelectorAll("[data-push]")) {
    new PushToggle(root).show();
  }
}
