import assert from "node:assert/strict";
import { test } from "node:test";

import { base64UrlToBytes, hex, isAppleMobile, pushState } from "../../static/js/push.js";

test("a base64url key becomes its bytes, with or without padding", () => {
  assert.deepEqual(Array.from(base64UrlToBytes("AQID")), [1, 2, 3]);
  assert.deepEqual(Array.from(base64UrlToBytes("-_8")), [0xfb, 0xff]);
  assert.deepEqual(Array.from(base64UrlToBytes("-_8=")), [0xfb, 0xff]);
});

test("a VAPID public key is a 65-byte uncompressed point", () => {
  const key =
    "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";
  const bytes = base64UrlToBytes(key);
  assert.equal(bytes.length, 65);
  assert.equal(bytes[0], 4);
});

test("a digest prints as lower-case hex, two digits a byte", () => {
  assert.equal(hex(new Uint8Array([0, 15, 255]).buffer), "000fff");
});

test("iPhones and iPads are told about the Home Screen, Macs are not", () => {
  const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15";
  assert.equal(isAppleMobile({ userAgent: iphone }), true);
  const mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15";
  assert.equal(isAppleMobile({ userAgent: mac, platform: "MacIntel", maxTouchPoints: 0 }), false);
  assert.equal(isAppleMobile({ userAgent: mac, platform: "MacIntel", maxTouchPoints: 5 }), true);
});

const state = (overrides) =>
  pushState({
    supported: true,
    appleMobile: false,
    standalone: false,
    permission: "default",
    subscribed: false,
    ...overrides,
  });

test("a browser without push cannot turn it on; Safari on an iPhone needs the Home Screen", () => {
  assert.equal(state({ supported: false }), "unsupported");
  assert.equal(state({ supported: false, appleMobile: true }), "ios-install");
  assert.equal(state({ supported: false, appleMobile: true, standalone: true }), "unsupported");
  assert.equal(state({ appleMobile: true, standalone: true }), "off");
});

test("permission refused is blocked, whatever the subscription", () => {
  assert.equal(state({ permission: "denied" }), "blocked");
  assert.equal(state({ permission: "denied", subscribed: true }), "blocked");
});

test("on only when the browser is subscribed, allowed, and known to the server", () => {
  assert.equal(state({ permission: "granted", subscribed: true }), "on");
  assert.equal(state({ permission: "granted", subscribed: false }), "off");
  assert.equal(state({ permission: "default", subscribed: true }), "off");
});
