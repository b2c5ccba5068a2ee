// Templates: saved assembly configurations, LayersRank's defaults and
// customers' own. Listed by owner; admins create, edit and delete them.
import { api, Code, describe, fieldLabel, session } from "./api.js";
import {
  checkbox, checkedValues, clearFieldErrors, confirmDialog, field, fieldset, h, loading, replace, select, showFieldError,
} from "./dom.js";
import { hashFor, navigate, setStatus } from "./shell.js";
import { capitalize, taxonomy, titles } from "./taxonomy.js";

export async function render(main, { parts, params }) {
  if (parts[1] === "new" || parts[2] === "edit") {
    if (!session.isAdmin) {
      replace(main, h("h1", {}, "Admins only"), h("p", {}, "A reader token can look at templates but not change them."));
      return;
    }
    return renderForm(main, parts[1] === "new" ? null : parts[1], params);
  }
  return renderList(main, params);
}

async function renderList(main, params) {
  const owner = params.get("owner") || "";
  const ownerInput = h("input", { type: "text", name: "owner", value: owner, autocomplete: "off", spellcheck: "false" });
  const form = h("form", { class: "inline-form", role: "search", "aria-label": "Templates by owner", on: { submit: (e) => {
    e.preventDefault();
    navigate(hashFor("templates", { owner: ownerInput.value.trim() }));
  } } },
  field("Owner", ownerInput, { hint: "A customer's org id: its templates plus LayersRank's defaults. Empty: every template." }),
  h("div", { class: "field" }, h("button", { type: "submit", class: "button" }, "Show")));
  const list = h("div", {}, loading("Loading templates…"));
  replace(main,
    h("div", { class: "screen-head" }, h("h1", {}, "Templates"),
      session.isAdmin ? h("a", { href: hashFor("templates/new", { owner }), class: "button primary" }, "New template") : null),
    h("p", { class: "hint" }, "A template is a saved assessment configuration: role, level, stacks, length and the questions it must or must not use."),
    form, list);

  const templates = [];
  try {
    let pageToken = "";
    do {
      const resp = await api.listTemplates({ owner, pageSize: 100, pageToken });
      templates.push(...(resp.templates || []));
      pageToken = resp.nextPageToken || "";
    } while (pageToken && templates.length < 1000);
  } catch (err) {
    replace(list, h("p", { class: "notice error" }, describe(err)));
    return;
  }
  if (!templates.length) {
    replace(list, h("p", { class: "empty" }, "No templates."));
    return;
  }
  const groups = new Map();
  for (const t of templates) {
    const key = t.owner || "";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(t);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)));
  const row = (t) => h("tr", { "data-template": t.id },
    h("td", {}, h("strong", {}, t.title || t.id), h("br"), h("span", { class: "muted" }, t.id)),
    h("td", {}, titles.role(t.role)),
    h("td", {}, t.seniority ? capitalize(t.seniority) : "Any"),
    h("td", {}, (t.stacks || []).map(titles.stack).join(", ") || "—"),
    h("td", { class: "num" }, `${t.minMinutes || 35}–${t.maxMinutes || 45}`),
    h("td", {}, weightsText(t.dimensionWeights) || "Role's own", t.tolerancePoints ? ` ±${t.tolerancePoints}` : ""),
    h("td", {}, requiredText(t)),
    h("td", { class: "row-actions" },
      h("a", { href: hashFor("preview", { template: t.id }), class: "button small" }, "Preview"),
      session.isAdmin ? [
        h("a", { href: `#/templates/${encodeURIComponent(t.id)}/edit`, class: "button small" }, "Edit"),
        h("button", { type: "button", class: "button small danger", on: { click: () => remove(t, owner) } }, "Delete…"),
      ] : null));
  const head = () => h("thead", {}, h("tr", {},
    ["Template", "Role", "Level", "Stacks", "Minutes", "Weights", "Questions", "Actions"].map((c) => h("th", { scope: "col" }, c))));
  replace(list, keys.map((key) => h("section", { class: "template-group" },
    h("h2", {}, key ? `Owner: ${key}` : "LayersRank defaults"),
    h("div", { class: "table-wrap" }, h("table", { class: "templates" }, head(), h("tbody", {}, groups.get(key).map(row)))))));
}

function weightsText(w) {
  if (!w || !Object.keys(w).length) return "";
  return taxonomy().dimensions.filter((d) => d.id in w).map((d) => `${d.title || d.id} ${w[d.id]}`).join(" / ");
}

function requiredText(t) {
  const parts = [];
  if ((t.requiredQuestionIds || []).length) parts.push(`${t.requiredQuestionIds.length} required`);
  if ((t.excludedQuestionIds || []).length) parts.push(`${t.excludedQuestionIds.length} excluded`);
  return parts.join(", ") || "—";
}

async function remove(t, owner) {
  const ok = await confirmDialog({
    title: `Delete the template “${t.title || t.id}”?`,
    body: [h("p", {}, "The template is removed for good. Assessments already assembled from it are not affected; new assemblies can no longer name it.")],
    confirmLabel: "Delete template", danger: true,
  });
  if (!ok) return;
  try {
    await api.deleteTemplate(t.id, t.etag);
    setStatus(`Deleted the template “${t.id}”.`, "ok");
  } catch (err) {
    setStatus(describe(err, { what: `the template “${t.id}”` }), "error");
  }
  navigate(hashFor("templates", { owner }), { replaceEntry: true });
}

const templateFields = {
  title: "title", role: "role", seniority: "seniority", stacks: "stacks", minMinutes: "min_minutes",
  maxMinutes: "max_minutes", dimensionWeights: "dimension_weights", requiredQuestionIds: "required_question_ids",
  excludedQuestionIds: "excluded_question_ids", tolerancePoints: "tolerance_points",
};

async function renderForm(main, id, params) {
  const tax = taxonomy();
  let t = {
    id: "", title: "", owner: params.get("owner") || "", role: "", seniority: "", stacks: [], minMinutes: 35, maxMinutes: 45,
    dimensionWeights: {}, requiredQuestionIds: [], excludedQuestionIds: [], tolerancePoints: 0,
  };
  if (id) {
    replace(main, loading(`Loading ${id}…`));
    try {
      t = { ...t, ...(await api.getTemplate(id)) };
    } catch (err) {
      replace(main, h("h1", {}, `Edit template ${id}`), h("p", { class: "notice error" }, describe(err, { what: `The template “${id}”` })));
      return;
    }
  }
  const base = { ...t };
  const inputs = {
    id: h("input", { type: "text", name: "id", value: t.id, autocomplete: "off", spellcheck: "false", maxlength: 64 }),
    title: h("input", { type: "text", name: "title", value: t.title, autocomplete: "off" }),
    owner: h("input", { type: "text", name: "owner", value: t.owner, autocomplete: "off", spellcheck: "false", disabled: Boolean(id) }),
    role: select([["", "Choose a role"], ...tax.roles.map((r) => [r.id, r.title || r.id])], t.role, { name: "role" }),
    seniority: select([["", "Any level"], ...tax.seniorities.map((s) => [s, capitalize(s)])], t.seniority, { name: "seniority" }),
    minMinutes: h("input", { type: "number", name: "minMinutes", min: 1, max: 180, value: t.minMinutes || 35 }),
    maxMinutes: h("input", { type: "number", name: "maxMinutes", min: 1, max: 180, value: t.maxMinutes || 45 }),
    tolerancePoints: h("input", { type: "number", name: "tolerancePoints", min: 0, max: 50, value: t.tolerancePoints || "", placeholder: "5" }),
    requiredQuestionIds: h("textarea", { name: "requiredQuestionIds", rows: 3, spellcheck: "false", props: { value: (t.requiredQuestionIds || []).join("\n") } }),
    excludedQuestionIds: h("textarea", { name: "excludedQuestionIds", rows: 3, spellcheck: "false", props: { value: (t.excludedQuestionIds || []).join("\n") } }),
  };
  const hasWeights = Object.keys(t.dimensionWeights || {}).length > 0;
  const override = h("input", { type: "checkbox", id: "override-weights", props: { checked: hasWeights } });
  const weightInputs = tax.dimensions.map((d) => {
    const input = h("input", { type: "number", min: 0, max: 100, name: `weight-${d.id}`, value: (t.dimensionWeights || {})[d.id] ?? d.weight });
    return { d, input, wrap: field(`${d.title || d.id} %`, input) };
  });
  const weightsBox = h("div", { class: "row", hidden: !hasWeights }, weightInputs.map((w) => w.wrap));
  override.addEventListener("change", () => { weightsBox.hidden = !override.checked; });
  const weightsGroup = h("fieldset", { class: "group" }, h("legend", {}, "Dimension weights"),
    h("label", { for: "override-weights", class: "choice" }, override, " Override the role's weights (they must sum to 100)"),
    weightsBox, h("p", { class: "field-error", hidden: true }));
  weightsGroup.errorSlot = weightsGroup.lastChild;
  weightsGroup.control = override;

  const wraps = {
    id: id ? null : field("Id", inputs.id, { hint: "Lowercase words joined by hyphens, e.g. acme-go-backend." }),
    title: field("Title", inputs.title),
    owner: field("Owner", inputs.owner, { hint: id ? "The owner cannot change." : "A customer's org id; empty for a LayersRank default." }),
    role: field("Role", inputs.role),
    seniority: field("Level", inputs.seniority),
    stacks: fieldset("Stacks", tax.stacks.map((s) => checkbox("stacks", s.id, s.title || s.id, (t.stacks || []).includes(s.id))),
      { hint: "In order of preference; the first a question has a variant for is used." }),
    minMinutes: field("Minimum minutes", inputs.minMinutes),
    maxMinutes: field("Maximum minutes", inputs.maxMinutes),
    dimensionWeights: weightsGroup,
    tolerancePoints: field("Tolerance (points)", inputs.tolerancePoints, { hint: "How far each dimension's share may be from its weight. Empty: 5." }),
    requiredQuestionIds: field("Required questions", inputs.requiredQuestionIds, { hint: "Question ids, one a line: every assessment includes them." }),
    excludedQuestionIds: field("Excluded questions", inputs.excludedQuestionIds, { hint: "Question ids, one a line: never used." }),
  };
  const summary = h("div", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const submit = h("button", { type: "submit", class: "button primary" }, id ? "Save template" : "Create template");
  const ids = (el) => el.value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  const read = () => {
    const out = {
      title: inputs.title.value.trim(), role: inputs.role.value, seniority: inputs.seniority.value,
      stacks: checkedValues(form, "stacks"), minMinutes: Number(inputs.minMinutes.value) || 0,
      maxMinutes: Number(inputs.maxMinutes.value) || 0, tolerancePoints: Number(inputs.tolerancePoints.value) || 0,
      requiredQuestionIds: ids(inputs.requiredQuestionIds), excludedQuestionIds: ids(inputs.excludedQuestionIds),
      dimensionWeights: {},
    };
    if (override.checked) for (const w of weightInputs) out.dimensionWeights[w.d.id] = Number(w.input.value) || 0;
    return out;
  };
  const form = h("form", { class: "template-form card", novalidate: true }, summary,
    wraps.id, wraps.title, wraps.owner,
    h("div", { class: "row" }, wraps.role, wraps.seniority),
    wraps.stacks,
    h("div", { class: "row" }, wraps.minMinutes, wraps.maxMinutes, wraps.tolerancePoints),
    wraps.dimensionWeights,
    h("div", { class: "row" }, wraps.requiredQuestionIds, wraps.excludedQuestionIds),
    h("div", { class: "actions" }, submit, h("a", { href: hashFor("templates", { owner: base.owner }), class: "button" }, "Cancel")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    summary.hidden = true;
    const values = read();
    let body;
    let mask = [];
    if (id) {
      const changed = Object.keys(templateFields).filter((k) => JSON.stringify(values[k] ?? null) !== JSON.stringify(norm(base)[k] ?? null));
      if (!changed.length) {
        summary.hidden = false;
        replace(summary, h("p", {}, "Nothing has changed, so there is nothing to save."));
        summary.focus();
        return;
      }
      mask = changed.map((k) => templateFields[k]);
      body = { id, etag: base.etag };
      for (const k of changed) body[k] = values[k];
    } else {
      body = { ...values, id: inputs.id.value.trim(), owner: inputs.owner.value.trim() };
    }
    submit.disabled = true;
    try {
      const saved = id ? await api.updateTemplate(body, mask) : await api.createTemplate(body);
      setStatus(id ? `Saved the template “${saved.id}”.` : `Created the template “${saved.id}”.`, "ok");
      navigate(hashFor("templates", { owner: saved.owner || "" }));
    } catch (err) {
      summary.hidden = false;
      if (err.code === Code.INVALID_ARGUMENT && err.violations.length) {
        const byField = new Map();
        for (const v of err.violations) {
          const key = v.field.replace(/^template\./, "").replace(/^templateId$/, "id").replace(/\[.*$/, "");
          if (!wraps[key]) continue; // listed in the summary only
          if (!byField.has(key)) byField.set(key, []);
          byField.get(key).push(`${capitalize(v.description)}.`);
        }
        for (const [key, messages] of byField) showFieldError(wraps[key], messages);
        replace(summary, h("p", {}, "The template was not saved: check the fields marked below."),
          h("ul", {}, err.violations.map((v) => h("li", {}, `${fieldLabel(v.field)}: ${v.description}`))));
      } else if (err.code === Code.ABORTED) {
        replace(summary, h("p", {}, "Someone changed this template after you opened it, so your change was not saved. ",
          h("a", { href: `#/templates/${encodeURIComponent(id)}/edit`, on: { click: (ev) => { ev.preventDefault(); navigate(`#/templates/${encodeURIComponent(id)}/edit`, { replaceEntry: true }); } } },
            "Open the current version"), " and make your change again."));
      } else {
        replace(summary, h("p", {}, describe(err, { what: "A template" })));
      }
      summary.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(main,
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, h("a", { href: "#/templates" }, "Templates"), " › ",
      h("span", { "aria-current": "page" }, id ? `Edit ${id}` : "New template")),
    h("h1", {}, id ? `Edit template ${id}` : "New template"),
    form);
  (id ? inputs.title : inputs.id).focus({ preventScroll: true });
}

function norm(t) {
  return {
    title: t.title || "", role: t.role || "", seniority: t.seniority || "", stacks: t.stacks || [],
    minMinutes: t.minMinutes || 0, maxMinutes: t.maxMinutes || 0, tolerancePoints: t.tolerancePoints || 0,
    requiredQuestionIds: t.requiredQuestionIds || [], excludedQuestionIds: t.excludedQuestionIds || [],
    // In the taxonomy's order, as the form builds it, so the two compare.
    dimensionWeights: Object.fromEntries(taxonomy().dimensions
      .filter((d) => d.id in (t.dimensionWeights || {})).map((d) => [d.id, t.dimensionWeights[d.id]])),
  };
}
