// What every screen shares with the shell: the status line and navigation.
// (Kept apart from app.js so that screens do not import the router.)
import { h, replace } from "./dom.js";

let router = () => {};

export function setRouter(fn) { router = fn; }

// setStatus shows a short message above the screen (announced to screen
// readers); kind: "ok", "error" or "info".
// A message outlives the navigation that follows it (a save shows its
// result on the question it opens) and is cleared by the one after.
let statusAge = 0;

export function statusRouted() {
  statusAge += 1;
  if (statusAge > 1) setStatus("");
}

export function setStatus(message, kind = "info") {
  statusAge = 0;
  const statusEl = document.getElementById("status");
  replace(statusEl, message ? h("p", { class: ["notice", kind] }, message,
    h("button", { type: "button", class: "link-button dismiss", "aria-label": "Dismiss message", on: { click: () => setStatus("") } }, "×")) : null);
}

// navigate goes to a route; replaceEntry swaps the current history entry
// (for a screen that only updates its own parameters).
export function navigate(hash, { replaceEntry = false } = {}) {
  if (replaceEntry) {
    history.replaceState(null, "", hash);
    router();
  } else if (location.hash !== hash) {
    location.hash = hash; // the hashchange event routes
  } else {
    router();
  }
}

// hashFor builds "#/path?query" from a path and an object of parameters,
// leaving out empty ones; arrays become repeated parameters.
export function hashFor(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of [].concat(v)) if (one !== undefined && one !== null && one !== "") q.append(k, String(one));
  }
  const s = q.toString();
  return `#/${path}${s ? `?${s}` : ""}`;
}

// setHash records a screen's new parameters in the address without
// re-rendering the screen (it updates itself): push makes a history entry,
// so the back button returns to the previous filters.
export function setHash(hash, { push = true } = {}) {
  if (location.hash === hash) return;
  if (push) history.pushState(null, "", hash);
  else history.replaceState(null, "", hash);
}
