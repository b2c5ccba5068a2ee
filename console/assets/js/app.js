// The console shell: sign-in, navigation, and a hash router that hands
// each screen the main element and its route parameters. Routes live in the
// fragment (#/bank?role=…), which never reaches the server, so the page is
// one static file and filters survive a reload and the back button.
import { ApiError, describe, session, signIn, whenSignedOut } from "./api.js";
import { field, h, replace } from "./dom.js";
import { forgetTaxonomy, loadTaxonomy } from "./taxonomy.js";
import { navigate, setRouter, setStatus, statusRouted } from "./shell.js";
import * as bank from "./bank.js";
import * as question from "./question.js";
import * as edit from "./edit.js";
import * as templates from "./templates.js";
import * as preview from "./preview.js";
import * as health from "./health.js";
import * as transfer from "./transfer.js";

const main = document.getElementById("main");

// parseRoute splits "#/q/some-id/edit?x=1" into path parts and params.
function parseRoute() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch { return p; } // a mistyped address is just not found
  });
  return { parts, params: new URLSearchParams(query) };
}

const routes = [
  { match: (p) => p.length === 0 || p[0] === "bank", screen: "bank", render: bank.render },
  { match: (p) => p[0] === "new", screen: "new", render: edit.renderCreate, admin: true },
  { match: (p) => p[0] === "q" && p.length === 2, screen: "bank", render: question.render },
  { match: (p) => p[0] === "q" && p[2] === "diff", screen: "bank", render: question.renderDiff },
  { match: (p) => p[0] === "q" && p[2] === "edit", screen: "bank", render: edit.renderEdit, admin: true },
  { match: (p) => p[0] === "templates", screen: "templates", render: templates.render },
  { match: (p) => p[0] === "preview", screen: "preview", render: preview.render },
  { match: (p) => p[0] === "health", screen: "health", render: health.render },
  { match: (p) => p[0] === "transfer", screen: "transfer", render: transfer.render },
];

let cleanup = null;
let generation = 0;

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  generation += 1;
  const mine = generation;
  if (!session.token) { renderSignIn(); return; }
  statusRouted();
  const { parts, params } = parseRoute();
  const r = routes.find((x) => x.match(parts));
  showShell(r ? r.screen : "");
  if (!r) {
    replace(main, h("h1", {}, "Not found"), h("p", {}, "There is no such screen. ", h("a", { href: "#/bank" }, "Go to the bank.")));
    return;
  }
  if (r.admin && !session.isAdmin) {
    replace(main, h("h1", {}, "Admins only"),
      h("p", {}, "You signed in with a reader token, which can read the bank but not change it. Sign in with an admin token to use this screen."));
    return;
  }
  // Each route renders into its own element: a screen still busy when the
  // user moves on (or is signed out) writes into a detached view, never
  // over the next screen.
  const view = h("div", { class: "view" }, h("p", { class: "loading", role: "status" }, "Loading…"));
  replace(main, view);
  try {
    await loadTaxonomy();
    if (mine !== generation) return;
    const done = await r.render(view, { parts, params, isCurrent: () => mine === generation });
    if (typeof done === "function") {
      if (mine === generation) cleanup = done;
      else done(); // the user moved on while this screen loaded
    }
  } catch (err) {
    if (mine !== generation) return;
    replace(view, h("h1", {}, "Could not load this screen"), h("p", { class: "notice error" }, describe(err)));
  }
  if (mine === generation) {
    const heading = main.querySelector("h1");
    document.title = heading ? `${heading.textContent} · qbank console` : "qbank console";
  }
  if (mine === generation && !main.contains(document.activeElement)) {
    main.focus({ preventScroll: true });
  }
}

function showShell(screen) {
  const nav = document.getElementById("nav");
  nav.hidden = false;
  document.getElementById("session").hidden = false;
  for (const a of nav.querySelectorAll("a")) {
    a.hidden = a.hasAttribute("data-admin") && !session.isAdmin;
    a.parentElement.hidden = a.hidden;
    if (a.dataset.screen === screen) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const roleEl = document.getElementById("session-role");
  roleEl.className = `badge ${session.isAdmin ? "badge-admin" : "badge-reader"}`;
  replace(roleEl, session.isAdmin ? "Admin" : "Reader · read-only");
  document.body.classList.toggle("read-only", !session.isAdmin);
}

function renderSignIn(message = "") {
  document.getElementById("nav").hidden = true;
  document.getElementById("session").hidden = true;
  const token = h("input", { type: "password", name: "token", autocomplete: "off", spellcheck: "false", required: true, id: "token" });
  const error = h("p", { class: "notice error", id: "sign-in-error", role: "alert", hidden: !message }, message);
  const submit = h("button", { type: "submit", class: "button primary" }, "Sign in");
  const form = h("form", { class: "card sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in"),
    h("p", {}, "Paste your qbank access token. An admin token can curate the bank; a reader token can look at everything but change nothing."),
    field("Access token", token, {
      hint: "On a development machine the tokens are in data/dev-tokens.json. The token stays in this browser tab only and is sent only to this server.",
    }),
    error,
    h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = token.value.trim();
    if (!value) return;
    submit.disabled = true;
    replace(submit, "Signing in…");
    try {
      const role = await signIn(value);
      session.save(value, role);
      forgetTaxonomy();
      setStatus(role === "admin" ? "Signed in as an admin." : "Signed in with a reader token: you can look at everything but not change it.", "ok");
      if (!location.hash || location.hash === "#/" || location.hash === "#") navigate("#/bank", { replaceEntry: true });
      else route();
    } catch (err) {
      error.hidden = false;
      replace(error, err instanceof ApiError && err.code === 16
        ? "That token was not accepted. Check that you copied all of it."
        : describe(err));
      submit.disabled = false;
      replace(submit, "Sign in");
      token.focus();
    }
  });
  replace(main, form);
  token.focus();
}

function signOut(message = "") {
  generation += 1; // whatever screen was loading is abandoned
  if (cleanup) { cleanup(); cleanup = null; }
  session.clear();
  forgetTaxonomy();
  setStatus("");
  renderSignIn(message);
}

document.getElementById("sign-out").addEventListener("click", () => signOut());
whenSignedOut(() => signOut("The server no longer accepts your token. Sign in again."));
setRouter(route);
window.addEventListener("hashchange", route);
route();
