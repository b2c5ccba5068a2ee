// Building the page from data without ever parsing data as HTML: every
// string becomes a text node or an attribute value. The page's CSP requires
// Trusted Types, so assigning an HTML string to an element would throw anyway.

let nextID = 0;

// uid returns an id unique in the page, for label/control pairs.
export function uid(prefix = "f") {
  nextID += 1;
  return `${prefix}-${nextID}`;
}

// h builds an element. attrs: plain attributes (false/null/undefined are
// left out, true is an empty attribute), `class` (string or array), `on`
// (event name → handler), `props` (DOM properties such as value or checked).
// Children may be nodes, strings (as text), numbers, arrays, or null.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") {
      const names = Array.isArray(value) ? value.filter(Boolean) : [value];
      if (names.length) el.className = names.join(" ");
    } else if (key === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (key === "props") {
      Object.assign(el, value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

// append adds children (text, nodes, nested arrays) to el.
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// replace empties el and fills it with children.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// field wraps a control with its label, an optional hint, and an error
// slot the form can fill from the API's field violations.
export function field(label, control, { hint, id, errorKey, className } = {}) {
  const controlID = control.id || id || uid("c");
  control.id = controlID;
  const error = h("p", { class: "field-error", id: `${controlID}-error`, hidden: true });
  const described = [];
  let hintEl = null;
  if (hint) {
    hintEl = h("p", { class: "hint", id: `${controlID}-hint` }, hint);
    described.push(hintEl.id);
  }
  described.push(error.id);
  control.setAttribute("aria-describedby", described.join(" "));
  const wrap = h("div", { class: ["field", className] },
    h("label", { for: controlID }, label), hintEl, control, error);
  if (errorKey) wrap.dataset.field = errorKey;
  wrap.errorSlot = error;
  wrap.control = control;
  return wrap;
}

// fieldset groups checkboxes or radios under a legend, with an error slot.
export function fieldset(legend, children, { hint, errorKey, className } = {}) {
  const error = h("p", { class: "field-error", hidden: true, id: uid("e") });
  const hintEl = hint ? h("p", { class: "hint" }, hint) : null;
  const fs = h("fieldset", { class: ["group", className], "aria-describedby": error.id },
    h("legend", {}, legend), hintEl, h("div", { class: "choices" }, children), error);
  if (errorKey) fs.dataset.field = errorKey;
  fs.errorSlot = error;
  return fs;
}

// checkbox is a labelled checkbox.
export function checkbox(name, value, label, checked = false) {
  const id = uid("cb");
  return h("label", { class: "choice", for: id },
    h("input", { type: "checkbox", id, name, value, props: { checked } }), " ", label);
}

// radio is a labelled radio button.
export function radio(name, value, label, checked = false) {
  const id = uid("rb");
  return h("label", { class: "choice", for: id },
    h("input", { type: "radio", id, name, value, props: { checked } }), " ", label);
}

// select builds a <select> from [value, label] pairs.
export function select(options, value = "", attrs = {}) {
  const el = h("select", attrs,
    options.map(([v, label]) => h("option", { value: v }, label)));
  el.value = value;
  return el;
}

// checkedValues returns the values of the checked inputs named name in root.
export function checkedValues(root, name) {
  return [...root.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

// showError fills a field's error slot and marks its control invalid.
export function showFieldError(wrap, messages) {
  const slot = wrap.errorSlot;
  if (!slot) return;
  slot.hidden = false;
  replace(slot, messages.join(" "));
  const control = wrap.control || wrap.querySelector("input, textarea, select");
  if (control) control.setAttribute("aria-invalid", "true");
  wrap.classList.add("invalid");
  // A folded section must not hide a problem.
  for (let d = wrap.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
}

// clearFieldErrors empties every error slot under root.
export function clearFieldErrors(root) {
  for (const el of root.querySelectorAll(".invalid")) el.classList.remove("invalid");
  for (const el of root.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of root.querySelectorAll(".field-error")) {
    el.hidden = true;
    el.replaceChildren();
  }
}

// formatTime shows a timestamp in the reader's locale, with the zone.
export function formatTime(ts) {
  if (!ts) return "";
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

// downloadBlob saves a blob under a file name, through a temporary link (the
// blob URL lives only in this page and carries no token).
export function downloadBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// debounce delays fn until calls stop for ms.
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// badge is a small coloured label, e.g. a state.
export function badge(text, kind) {
  return h("span", { class: ["badge", kind && `badge-${kind}`] }, text);
}

// spinner is a loading line for a region that is waiting on the API.
export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, text);
}

// confirmDialog asks a yes/no question in a modal <dialog> (focus is
// trapped and Escape cancels, by the browser). body: nodes; extra: nodes
// placed before the buttons (e.g. a change-note field). Resolves true
// when confirmed.
export function confirmDialog({ title, body, confirmLabel, danger = false, extra = null }) {
  return new Promise((resolve) => {
    const titleID = uid("dlg");
    const ok = h("button", { type: "submit", class: ["button", danger ? "danger" : "primary"], value: "ok" }, confirmLabel);
    const cancel = h("button", { type: "button", class: "button" }, "Cancel");
    const form = h("form", { method: "dialog" },
      h("h2", { id: titleID }, title), body, extra,
      h("div", { class: "actions" }, ok, cancel));
    const dialog = h("dialog", { "aria-labelledby": titleID, class: "dialog" }, form);
    let confirmed = false;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      confirmed = true;
      dialog.close();
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
