// Creating and editing a question: a form for every field, each of the
// API's field violations shown next to its field, and a change note asked
// for. An edit sends only the fields the admin changed (the update mask),
// with the etag of the version the form was opened at; when someone else
// saved first (409), the screen shows what they changed and lets the admin
// re-apply their own changes on top of the new version.
import { api, Code, describe, fieldLabel } from "./api.js";
import {
  checkbox, checkedValues, clearFieldErrors, field, fieldset, formatTime, h, loading, radio, replace, select,
  showFieldError, uid,
} from "./dom.js";
import { diffTable } from "./diff.js";
import { navigate, setStatus } from "./shell.js";
import { capitalize, formats, taxonomy, titles } from "./taxonomy.js";

// The content fields, as the form edits them: JSON name → update-mask path.
const contentFields = {
  text: "text", roles: "roles", dimension: "dimension", competency: "competency",
  whatItReveals: "what_it_reveals", responseFormat: "response_format", minutes: "minutes",
  seniorities: "seniorities", stacks: "stacks", stackVariants: "stack_variants", followUps: "follow_ups",
  scoringGuide: "scoring_guide", collections: "collections", state: "state",
};

export async function renderCreate(main) {
  const blank = {
    id: "", text: "", roles: [], dimension: "", competency: "", whatItReveals: "",
    responseFormat: "RESPONSE_FORMAT_VIDEO", minutes: 5, seniorities: [], stacks: [], stackVariants: {},
    followUps: [], scoringGuide: {}, collections: [], state: "STATE_ACTIVE",
  };
  return mountForm(main, { mode: "create", model: blank });
}

export async function renderEdit(main, { parts }) {
  const id = parts[1];
  replace(main, loading(`Loading ${id}…`));
  let q;
  try {
    q = await api.getQuestion(id);
  } catch (err) {
    replace(main, h("h1", {}, `Edit ${id}`), h("p", { class: "notice error" }, describe(err, { what: `Question “${id}”` })));
    return;
  }
  if (q.state === "STATE_RETIRED") {
    replace(main, h("h1", {}, `Edit ${id}`),
      h("p", { class: "notice warn" }, "This question is retired, so it is read-only. Restore it first, from ",
        h("a", { href: `#/q/${encodeURIComponent(id)}` }, "its page"), "."));
    return;
  }
  return mountForm(main, { mode: "edit", model: normalize(q), base: normalize(q) });
}

// normalize gives every content field a value, so the form and the
// comparison of "what did I change" see the same shape.
function normalize(q) {
  const g = (x) => ({
    strong: (x && x.strong) || "", adequate: (x && x.adequate) || "", weak: (x && x.weak) || "",
    levels: ((x && x.levels) || []).map((l) => ({ seniority: l.seniority, strong: l.strong || "", adequate: l.adequate || "", weak: l.weak || "" })),
  });
  const variants = {};
  for (const [stack, v] of Object.entries(q.stackVariants || {})) {
    variants[stack] = { text: v.text || "", followUps: v.followUps || [], scoringGuide: g(v.scoringGuide) };
  }
  return {
    ...q,
    text: q.text || "", roles: q.roles || [], dimension: q.dimension || "", competency: q.competency || "",
    whatItReveals: q.whatItReveals || "", responseFormat: q.responseFormat || "", minutes: q.minutes || 0,
    seniorities: q.seniorities || [], stacks: q.stacks || [], stackVariants: variants,
    followUps: q.followUps || [], scoringGuide: g(q.scoringGuide), collections: q.collections || [],
    state: q.state || "STATE_ACTIVE",
  };
}

// same compares two field values by content (key order in objects aside).
function same(a, b) {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  }
  return v;
}

// changedFields lists the content fields whose values differ.
function changedFields(from, to) {
  return Object.keys(contentFields).filter((k) => !same(from[k], to[k]));
}

function mountForm(main, { mode, model, base, rebased = null }) {
  const tax = taxonomy();
  const registry = new Map(); // API field path → the field's wrapper
  const errorSummary = h("div", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  let dirty = false;

  // ---- simple fields
  const idInput = h("input", { type: "text", name: "id", value: model.id || "", autocomplete: "off", spellcheck: "false", maxlength: 64 });
  const text = h("textarea", { name: "text", rows: 4, maxlength: 2000, props: { value: model.text } });
  const reveals = h("textarea", { name: "whatItReveals", rows: 3, maxlength: 4000, props: { value: model.whatItReveals } });
  const dimension = select([["", "Choose a dimension"], ...tax.dimensions.map((d) => [d.id, `${d.title || d.id} (${d.weight} %)`])], model.dimension, { name: "dimension" });
  const competency = select([], "", { name: "competency" });
  const fillCompetencies = () => {
    const keep = competency.value || model.competency;
    replace(competency, h("option", { value: "" }, dimension.value ? "Choose a competency" : "Choose a dimension first"),
      tax.competencies.filter((c) => c.dimension === dimension.value).map((c) => h("option", { value: c.id }, c.title || c.id)));
    competency.value = [...competency.options].some((o) => o.value === keep) ? keep : "";
  };
  dimension.addEventListener("change", fillCompetencies);
  fillCompetencies();
  if (model.competency && !competency.value && model.dimension === dimension.value) competency.value = model.competency;
  const minutes = h("input", { type: "number", name: "minutes", min: 1, max: 15, step: 1, value: model.minutes || "", inputmode: "numeric" });
  const note = h("textarea", { name: "changeNote", rows: 2, maxlength: 4000, required: mode === "edit" });

  const rolesGroup = fieldset("Roles", tax.roles.map((r) => checkbox("roles", r.id, r.title || r.id, model.roles.includes(r.id))),
    { hint: "Assessments for these roles may use the question." });
  const formatGroup = fieldset("Response format", formats.map(([v, l]) => radio("responseFormat", v, l, model.responseFormat === v)));
  const senioritiesGroup = fieldset("Seniorities", tax.seniorities.map((s) => checkbox("seniorities", s, capitalize(s), model.seniorities.includes(s))),
    { hint: "None ticked means every level." });
  const stacksGroup = fieldset("Stacks", tax.stacks.map((s) => checkbox("stacks", s.id, s.title || s.id, model.stacks.includes(s.id))),
    { hint: "None ticked means language-agnostic. Ticked: only assessments for one of these stacks use it." });
  const collectionsGroup = tax.collections.length || model.collections.length
    ? fieldset("Collections", [
      ...tax.collections.map((c) => checkbox("collections", c.id, c.title || c.id, model.collections.includes(c.id))),
      ...model.collections.filter((id) => !tax.collections.some((c) => c.id === id)).map((id) => checkbox("collections", id, id, true)),
    ], { hint: "Named sets, such as the published bank." })
    : null;
  const stateGroup = fieldset("State", [
    radio("state", "STATE_ACTIVE", "Active: assessments may use it", model.state !== "STATE_DRAFT"),
    radio("state", "STATE_DRAFT", "Draft: kept out of assessments", model.state === "STATE_DRAFT"),
  ]);

  const followUps = listEditor("Follow-ups", "followUps", model.followUps, {
    itemLabel: "Follow-up", addLabel: "Add a follow-up",
    hint: "Probes for the final round, in the order a reviewer would ask them.",
  });
  const guide = guideEditor("scoringGuide", model.scoringGuide, "Scoring guide");
  const variants = variantsEditor(model.stackVariants);

  const wraps = {
    id: mode === "create" ? field("Id", idInput, { hint: "Lowercase words joined by hyphens, 3–64 characters, e.g. cache-invalidation-incident. It never changes." }) : null,
    text: field("Question text", text, { hint: "Exactly what the candidate reads or hears." }),
    roles: rolesGroup,
    dimension: field("Dimension", dimension),
    competency: field("Competency", competency),
    whatItReveals: field("What it reveals", reveals, { hint: "The signal a reviewer should listen for." }),
    responseFormat: formatGroup,
    minutes: field("Minutes", minutes, { hint: "Expected response time, 1–15." }),
    seniorities: senioritiesGroup,
    stacks: stacksGroup,
    collections: collectionsGroup,
    state: stateGroup,
    changeNote: field(mode === "edit" ? "Why this change" : "Why this question (optional)", note,
      { hint: "Recorded in the version history, with your name and the time." }),
  };

  // read collects the form into a question and registers, for each API
  // field path, the element its violations belong next to.
  function read() {
    registry.clear();
    for (const [key, wrap] of Object.entries(wraps)) if (wrap) registry.set(key, wrap);
    const q = {
      text: text.value.trim(),
      roles: checkedValues(form, "roles"),
      dimension: dimension.value,
      competency: competency.value,
      whatItReveals: reveals.value.trim(),
      responseFormat: (form.querySelector('input[name="responseFormat"]:checked') || {}).value || "",
      minutes: Number(minutes.value) || 0,
      seniorities: checkedValues(form, "seniorities"),
      stacks: checkedValues(form, "stacks"),
      collections: collectionsGroup ? checkedValues(form, "collections") : [],
      followUps: followUps.collect(registry, "followUps"),
      scoringGuide: guide.collect(registry, "scoringGuide"),
      stackVariants: variants.collect(registry),
      state: (form.querySelector('input[name="state"]:checked') || {}).value || "STATE_ACTIVE",
    };
    return q;
  }

  const submit = h("button", { type: "submit", class: "button primary" }, mode === "create" ? "Create question" : "Save changes");
  const cancelHref = mode === "create" ? "#/bank" : `#/q/${encodeURIComponent(model.id)}`;
  const conflict = h("div", { class: "conflict", hidden: true });
  const form = h("form", { class: "question-form", novalidate: true },
    errorSummary,
    conflict,
    rebased,
    h("section", { class: "card" }, h("h2", {}, "The question"),
      wraps.id, wraps.text, wraps.whatItReveals,
      h("div", { class: "row" }, wraps.dimension, wraps.competency),
      h("div", { class: "row" }, wraps.responseFormat, wraps.minutes),
      wraps.roles, wraps.seniorities, wraps.stacks, wraps.collections, wraps.state),
    h("section", { class: "card" }, h("h2", {}, "Follow-ups"), followUps.el),
    h("section", { class: "card" }, h("h2", {}, "Scoring guide"), guide.el),
    h("section", { class: "card" }, h("h2", {}, "Stack variants"), variants.el),
    h("section", { class: "card" }, h("h2", {}, mode === "edit" ? "Change note" : "Note"), wraps.changeNote),
    h("div", { class: "actions sticky-actions" }, submit, h("a", { href: cancelHref, class: "button" }, "Cancel")));
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("change", () => { dirty = true; });

  // Closing the tab with unsaved changes asks first. One guard at a time:
  // re-mounting the form (after a conflict) replaces it.
  removeLeaveGuard();
  leaveGuard = (e) => {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  };
  window.addEventListener("beforeunload", leaveGuard);

  function showViolations(violations) {
    clearFieldErrors(form);
    const byWrap = new Map();
    for (const v of violations) {
      const path = v.field.replace(/^question\./, "").replace(/^questionId$/, "id");
      const [key, wrap] = nearest(registry, path);
      if (!wrap) continue; // listed in the summary only
      // A problem deeper than the field it is shown at says where.
      const sub = path === key ? "" : `${fieldLabel(path.slice(key.length).replace(/^\./, ""))}: `;
      if (!byWrap.has(wrap)) byWrap.set(wrap, []);
      byWrap.get(wrap).push(`${sub}${capitalize(v.description)}.`.replace(/\.\.$/, "."));
    }
    for (const [wrap, messages] of byWrap) showFieldError(wrap, messages);
    errorSummary.hidden = false;
    replace(errorSummary,
      h("p", {}, `The question was not saved: ${violations.length === 1 ? "one field needs" : `${violations.length} fields need`} attention.`),
      h("ul", {}, violations.map((v) => {
        const path = v.field.replace(/^question\./, "").replace(/^questionId$/, "id");
        const [, wrap] = nearest(registry, path);
        const label = `${fieldLabel(path)}: ${v.description}`;
        if (!wrap) return h("li", {}, label);
        return h("li", {}, h("a", { href: "#", on: { click: (e) => {
          e.preventDefault();
          const control = wrap.control || wrap.querySelector("input, textarea, select");
          if (control) control.focus();
        } } }, label));
      })));
    errorSummary.focus();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    errorSummary.hidden = true;
    const q = read();
    const changeNote = note.value.trim();
    let body;
    let mask = [];
    if (mode === "edit") {
      const changed = changedFields(base, normalize(q));
      if (!changed.length) {
        errorSummary.hidden = false;
        replace(errorSummary, h("p", {}, "Nothing has changed, so there is nothing to save."));
        errorSummary.focus();
        return;
      }
      if (!changeNote) {
        showFieldError(wraps.changeNote, ["Say why you made this change: it goes into the version history."]);
        errorSummary.hidden = false;
        replace(errorSummary, h("p", {}, "Add a change note before saving."));
        note.focus();
        return;
      }
      mask = changed.map((k) => contentFields[k]);
      body = { id: model.id, etag: base.etag, changeNote };
      for (const k of changed) body[k] = q[k];
    } else {
      body = { ...q, changeNote };
      const id = idInput.value.trim();
      if (id) body.id = id;
    }
    submit.disabled = true;
    const label = submit.textContent;
    submit.textContent = "Saving…";
    try {
      const saved = mode === "edit" ? await api.updateQuestion(body, mask) : await api.createQuestion(body);
      dirty = false;
      setStatus(mode === "edit"
        ? `Saved “${saved.id}”: it is now at version ${saved.version}.`
        : `Created “${saved.id}” at version ${saved.version}.`, "ok");
      navigate(`#/q/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      if (err.code === Code.INVALID_ARGUMENT && err.violations.length) {
        showViolations(err.violations);
      } else if (mode === "edit" && err.code === Code.ABORTED) {
        await showConflict(q, changeNote);
      } else {
        errorSummary.hidden = false;
        replace(errorSummary, h("p", {}, describe(err, { what: mode === "create" ? "A question" : "this question" })));
        errorSummary.focus();
      }
    } finally {
      // While a conflict is shown, saving again would only meet it again:
      // the admin re-applies or discards first.
      submit.disabled = !conflict.hidden;
      submit.textContent = label;
    }
  });

  // showConflict explains a stale etag: what changed between the version
  // the form was opened at and the current one, and a way to re-apply.
  async function showConflict(mine, changeNote) {
    conflict.hidden = false;
    replace(conflict, loading("Someone else saved this question while you were editing. Loading their version…"));
    let current;
    try {
      current = normalize(await api.getQuestion(model.id));
    } catch (err) {
      replace(conflict, h("p", { class: "notice error" }, describe(err)));
      return;
    }
    const yours = changedFields(base, normalize(mine));
    const theirs = changedFields(base, current);
    const both = yours.filter((k) => theirs.includes(k) && !same(normalize(mine)[k], current[k]));
    const reapply = h("button", { type: "button", class: "button primary", on: { click: () => {
      const merged = { ...current };
      for (const k of yours) merged[k] = normalize(mine)[k];
      const notice = h("div", { class: "notice info", role: "status" },
        h("p", {}, `Your changes (${yours.map(fieldName).join(", ")}) are now applied on top of version ${current.version}. Check the form, then save.`),
        both.length ? h("p", { class: "strong" }, `You and ${current.author || "they"} both changed ${both.map(fieldName).join(", ")}: the form holds your version of ${both.length === 1 ? "it" : "them"}.`) : null);
      mountForm(main, { mode, model: { ...merged, changeNote: "" }, base: current, rebased: notice });
      const noteEl = main.querySelector('textarea[name="changeNote"]');
      if (noteEl) noteEl.value = changeNote;
      main.querySelector(".notice").scrollIntoView({ block: "start" });
    } } }, `Re-apply my changes on top of version ${current.version}`);
    const discard = h("button", { type: "button", class: "button", on: { click: () => {
      dirty = false;
      mountForm(main, { mode, model: current, base: current });
    } } }, "Discard my changes and edit the new version");
    replace(conflict,
      h("div", { class: "notice warn", role: "alert", tabindex: "-1" },
        h("h2", {}, "Someone else changed this question"),
        h("p", {}, `While you were editing version ${base.version}, ${current.author || "someone"} saved version ${current.version}${current.updateTime ? ` (${formatTime(current.updateTime)})` : ""}${current.changeNote ? `: “${current.changeNote}”` : ""}. Your changes were not saved.`),
        h("p", {}, `You changed: ${yours.map(fieldName).join(", ") || "nothing"}. They changed: ${theirs.map(fieldName).join(", ") || "only its state or etag"}.`),
        h("div", { class: "actions" }, reapply, discard)),
      h("h3", {}, `What changed since you opened the form (version ${base.version} → ${current.version})`),
      diffTable(base, current, { labelA: `Version ${base.version} (you opened)`, labelB: `Version ${current.version} (now)` }));
    conflict.querySelector(".notice").focus();
    conflict.scrollIntoView({ block: "start" });
  }

  const title = mode === "create" ? "New question" : `Edit ${model.id}`;
  replace(main,
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, h("a", { href: "#/bank" }, "Bank"), " › ",
      mode === "edit" ? [h("a", { href: `#/q/${encodeURIComponent(model.id)}` }, model.id), " › "] : null,
      h("span", { "aria-current": "page" }, mode === "create" ? "New question" : "Edit")),
    h("div", { class: "screen-head" }, h("h1", {}, title),
      mode === "edit" ? h("span", { class: "muted" }, `editing version ${base.version}`) : null),
    form);
  (mode === "create" ? idInput : text).focus({ preventScroll: true });
  return removeLeaveGuard;
}

let leaveGuard = null;

function removeLeaveGuard() {
  if (leaveGuard) window.removeEventListener("beforeunload", leaveGuard);
  leaveGuard = null;
}

const fieldNames = {
  text: "text", roles: "roles", dimension: "dimension", competency: "competency", whatItReveals: "what it reveals",
  responseFormat: "format", minutes: "minutes", seniorities: "seniorities", stacks: "stacks",
  stackVariants: "stack variants", followUps: "follow-ups", scoringGuide: "scoring guide",
  collections: "collections", state: "state",
};

function fieldName(k) { return fieldNames[k] || k; }

// nearest finds the registered field for a path, or for the closest
// enclosing path ("followUps[3]" → "followUps"): [path found, its field].
function nearest(registry, path) {
  let p = path;
  while (p) {
    if (registry.get(p)) return [p, registry.get(p)];
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return ["", null];
}

// listEditor edits a list of texts (follow-ups): each item a textarea with
// a remove button; blank items are left out.
function listEditor(label, key, values, { itemLabel, addLabel, hint }) {
  const items = h("ol", { class: "list-editor" });
  const group = h("fieldset", { class: "group" }, h("legend", { class: "visually-hidden" }, label),
    hint ? h("p", { class: "hint" }, hint) : null, items);
  const errorSlot = h("p", { class: "field-error", hidden: true });
  group.append(errorSlot);
  group.errorSlot = errorSlot;
  const add = (value = "", focus = false) => {
    const ta = h("textarea", { rows: 2, maxlength: 2000, props: { value } });
    const li = h("li", {});
    const n = () => [...items.children].indexOf(li) + 1;
    const wrap = field(`${itemLabel} ${items.children.length + 1}`, ta);
    const remove = h("button", { type: "button", class: "link-button", on: { click: () => {
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      renumber();
      (next ? next.querySelector("textarea") : addButton).focus();
      items.dispatchEvent(new Event("input", { bubbles: true }));
    } } }, "Remove");
    remove.setAttribute("aria-label", `Remove ${itemLabel.toLowerCase()} ${n()}`);
    li.append(wrap, remove);
    li.wrap = wrap;
    li.textarea = ta;
    li.remove$ = remove;
    items.append(li);
    if (focus) ta.focus();
  };
  const renumber = () => {
    [...items.children].forEach((li, i) => {
      li.wrap.querySelector("label").textContent = `${itemLabel} ${i + 1}`;
      li.remove$.setAttribute("aria-label", `Remove ${itemLabel.toLowerCase()} ${i + 1}`);
    });
  };
  const addButton = h("button", { type: "button", class: "button", on: { click: () => add("", true) } }, addLabel);
  for (const v of values) add(v);
  group.append(addButton);
  return {
    el: group,
    // collect returns the non-blank items and registers each under
    // key[i], i being its index in what is sent.
    collect(registry, prefix) {
      registry.set(prefix, group);
      const out = [];
      for (const li of items.children) {
        const v = li.textarea.value.trim();
        if (!v) continue;
        registry.set(`${prefix}[${out.length}]`, li.wrap);
        out.push(v);
      }
      return out;
    },
  };
}

// guideEditor edits a scoring guide: the general anchors and, per
// seniority, optional level anchors.
function guideEditor(key, g, label) {
  const tax = taxonomy();
  g = g || {};
  const strong = h("textarea", { rows: 3, maxlength: 4000, props: { value: g.strong || "" } });
  const adequate = h("textarea", { rows: 3, maxlength: 4000, props: { value: g.adequate || "" } });
  const weak = h("textarea", { rows: 3, maxlength: 4000, props: { value: g.weak || "" } });
  const wraps = {
    strong: field("Strong answer", strong, { hint: "What a strong answer sounds like." }),
    adequate: field("Adequate answer", adequate),
    weak: field("Weak answer", weak),
  };
  const levels = tax.seniorities.map((s) => {
    const l = (g.levels || []).find((x) => x.seniority === s);
    const on = h("input", { type: "checkbox", props: { checked: Boolean(l) } });
    const onID = uid("lv");
    on.id = onID;
    const ls = h("textarea", { rows: 2, maxlength: 4000, props: { value: (l && l.strong) || "" } });
    const la = h("textarea", { rows: 2, maxlength: 4000, props: { value: (l && l.adequate) || "" } });
    const lw = h("textarea", { rows: 2, maxlength: 4000, props: { value: (l && l.weak) || "" } });
    const lwraps = {
      strong: field(`Strong answer at ${s} level`, ls),
      adequate: field(`Adequate answer at ${s} level`, la, { hint: "Empty: the general anchor." }),
      weak: field(`Weak answer at ${s} level`, lw, { hint: "Empty: the general anchor." }),
    };
    const body = h("div", { class: "level-body", hidden: !l }, lwraps.strong, lwraps.adequate, lwraps.weak);
    const errorSlot = h("p", { class: "field-error", hidden: true });
    const box = h("div", { class: "level" },
      h("label", { for: onID, class: "choice" }, on, ` Anchors for the ${s} level`), errorSlot, body);
    box.errorSlot = errorSlot;
    box.control = on;
    on.addEventListener("change", () => { body.hidden = !on.checked; if (on.checked) ls.focus(); });
    return { s, on, ls, la, lw, lwraps, box };
  });
  const levelsGroup = h("fieldset", { class: "group levels" },
    h("legend", {}, `${label}: by level`),
    h("p", { class: "hint" }, "Where the question is asked at several levels: a strong junior answer is not a strong senior answer."),
    levels.map((l) => l.box));
  const levelsError = h("p", { class: "field-error", hidden: true });
  levelsGroup.append(levelsError);
  levelsGroup.errorSlot = levelsError;
  return {
    el: h("div", { class: "guide-editor" }, wraps.strong, wraps.adequate, wraps.weak, levelsGroup),
    collect(registry, prefix) {
      registry.set(prefix, wraps.strong);
      registry.set(`${prefix}.strong`, wraps.strong);
      registry.set(`${prefix}.adequate`, wraps.adequate);
      registry.set(`${prefix}.weak`, wraps.weak);
      registry.set(`${prefix}.levels`, levelsGroup);
      const out = { strong: strong.value.trim(), adequate: adequate.value.trim(), weak: weak.value.trim(), levels: [] };
      for (const l of levels) {
        if (!l.on.checked) continue;
        const i = out.levels.length;
        registry.set(`${prefix}.levels[${i}]`, l.box);
        registry.set(`${prefix}.levels[${i}].seniority`, l.box);
        registry.set(`${prefix}.levels[${i}].strong`, l.lwraps.strong);
        registry.set(`${prefix}.levels[${i}].adequate`, l.lwraps.adequate);
        registry.set(`${prefix}.levels[${i}].weak`, l.lwraps.weak);
        out.levels.push({ seniority: l.s, strong: l.ls.value.trim(), adequate: l.la.value.trim(), weak: l.lw.value.trim() });
      }
      return out;
    },
  };
}

function hasAnchors(g) {
  return Boolean(g && (g.strong || g.adequate || g.weak || (g.levels || []).length));
}

// variantsEditor edits the stack variants: per stack, the reworded text
// with its own follow-ups and anchors.
function variantsEditor(variants) {
  const tax = taxonomy();
  const list = h("div", { class: "variants" });
  const errorSlot = h("p", { class: "field-error", hidden: true });
  const entries = [];
  const stackChoice = select([["", "Choose a stack"], ...tax.stacks.map((s) => [s.id, s.title || s.id])], "");
  const add = (stack, v, focus = false) => {
    const text = h("textarea", { rows: 3, maxlength: 2000, props: { value: v.text || "" } });
    const wrap = field(`${titles.stack(stack)} text`, text, { hint: `The question as candidates for ${titles.stack(stack)} read it.` });
    const fu = listEditor(`${titles.stack(stack)} follow-ups`, "followUps", v.followUps || [], {
      itemLabel: `${titles.stack(stack)} follow-up`, addLabel: "Add a follow-up for this stack",
      hint: "Empty: the question's own follow-ups.",
    });
    const guide = guideEditor("scoringGuide", v.scoringGuide || {}, `${titles.stack(stack)} anchors`);
    const section = h("section", { class: "variant", "data-stack": stack },
      h("div", { class: "screen-head" }, h("h3", {}, `${titles.stack(stack)} variant`),
        h("button", { type: "button", class: "link-button", on: { click: () => {
          section.remove();
          entries.splice(entries.indexOf(entry), 1);
          refreshChoice();
          stackChoice.focus();
          list.dispatchEvent(new Event("input", { bubbles: true }));
        } } }, `Remove the ${titles.stack(stack)} variant`)),
      wrap,
      // Follow-ups and anchors of their own are the exception: folded away
      // unless the variant has some.
      h("details", { class: "sub", open: (v.followUps || []).length > 0 },
        h("summary", {}, `Follow-ups for ${titles.stack(stack)}`, h("span", { class: "muted" }, " (empty: the question's own)")), fu.el),
      h("details", { class: "sub", open: hasAnchors(v.scoringGuide) },
        h("summary", {}, `Scoring anchors for ${titles.stack(stack)}`, h("span", { class: "muted" }, " (empty: the question's own)")), guide.el));
    const entry = { stack, text, wrap, fu, guide, section };
    entries.push(entry);
    list.append(section);
    refreshChoice();
    if (focus) text.focus();
  };
  const refreshChoice = () => {
    for (const o of stackChoice.options) o.disabled = Boolean(o.value) && entries.some((e) => e.stack === o.value);
    stackChoice.value = "";
  };
  const addButton = h("button", { type: "button", class: "button", on: { click: () => {
    if (stackChoice.value) add(stackChoice.value, {}, true);
    else stackChoice.focus();
  } } }, "Add variant");
  for (const stack of Object.keys(variants || {}).sort()) add(stack, variants[stack]);
  const adder = h("div", { class: "row adder" }, field("Add a variant for", stackChoice), h("div", { class: "field" }, addButton));
  const el = h("div", {},
    h("p", { class: "hint" }, "A variant rewords the question for one stack's tools and idioms. Assessments for that stack show the variant instead of the general text."),
    errorSlot, list, adder);
  el.errorSlot = errorSlot;
  el.control = stackChoice;
  return {
    el,
    collect(registry) {
      registry.set("stackVariants", el);
      const out = {};
      for (const e of entries) {
        const prefix = `stackVariants[${e.stack}]`;
        registry.set(prefix, e.wrap);
        registry.set(`${prefix}.text`, e.wrap);
        out[e.stack] = {
          text: e.text.value.trim(),
          followUps: e.fu.collect(registry, `${prefix}.followUps`),
          scoringGuide: e.guide.collect(registry, `${prefix}.scoringGuide`),
        };
      }
      return out;
    },
  };
}
