// Assessment preview: what a candidate would get for a role, stacks, level
// and length, before anyone is invited. The items with their reasons and
// minutes, the dimension shares against the weights, "draw again" for
// another seed, and the interview kit for exactly these items.
import { api, Code, describe } from "./api.js";
import { checkbox, checkedValues, field, fieldset, h, loading, replace, select } from "./dom.js";
import { hashFor, setHash } from "./shell.js";
import { capitalize, formatName, taxonomy, titles } from "./taxonomy.js";

export async function render(main, { params }) {
  const tax = taxonomy();
  let templates = [];
  try {
    templates = (await api.listTemplates({ pageSize: 100 })).templates || [];
  } catch { /* the preview works without templates */ }
  const p = (k) => params.get(k) || "";
  const inputs = {
    template: select([["", "None: set everything here"], ...templates.map((t) => [t.id, `${t.title || t.id}${t.owner ? ` (${t.owner})` : ""}`])], p("template"), { name: "template" }),
    role: select([["", "Choose a role"], ...tax.roles.map((r) => [r.id, r.title || r.id])], p("role"), { name: "role" }),
    seniority: select([["", "Any level"], ...tax.seniorities.map((s) => [s, capitalize(s)])], p("seniority"), { name: "seniority" }),
    minMinutes: h("input", { type: "number", name: "minMinutes", min: 1, max: 180, value: p("min"), placeholder: "35" }),
    maxMinutes: h("input", { type: "number", name: "maxMinutes", min: 1, max: 180, value: p("max"), placeholder: "45" }),
    tolerance: h("input", { type: "number", name: "tolerance", min: 0, max: 50, value: p("tolerance"), placeholder: "5" }),
    seed: h("input", { type: "number", name: "seed", value: p("seed"), placeholder: "random", step: 1 }),
  };
  const chosenStacks = params.getAll("stacks");
  const stacks = fieldset("Stacks", tax.stacks.map((s) => checkbox("stacks", s.id, s.title || s.id, chosenStacks.includes(s.id))),
    { hint: "Stack-specific questions and variants for these stacks." });
  const roleHint = "Required unless the template sets one.";
  const submit = h("button", { type: "submit", class: "button primary" }, "Assemble");
  const form = h("form", { class: "card preview-form", novalidate: true },
    h("div", { class: "row" },
      field("Template", inputs.template, { hint: "Start from a saved configuration; what you set here overrides it." }),
      field("Role", inputs.role, { hint: roleHint }),
      field("Level", inputs.seniority)),
    stacks,
    h("div", { class: "row" },
      field("Minimum minutes", inputs.minMinutes),
      field("Maximum minutes", inputs.maxMinutes),
      field("Tolerance (points)", inputs.tolerance, { hint: "Allowed distance of each dimension's share from its weight." }),
      field("Seed", inputs.seed, { hint: "The same seed on the same bank gives the same assessment." })),
    h("div", { class: "actions" }, submit));
  const out = h("div", { class: "preview-result", "aria-live": "polite" });
  replace(main,
    h("h1", {}, "Assessment preview"),
    h("p", { class: "hint" }, "See exactly what a candidate would be asked, and why, before anyone is invited."),
    form, out);

  const readRequest = () => {
    const req = {};
    if (inputs.template.value) req.templateId = inputs.template.value;
    if (inputs.role.value) req.role = inputs.role.value;
    if (inputs.seniority.value) req.seniority = inputs.seniority.value;
    const st = checkedValues(form, "stacks");
    if (st.length) req.stacks = st;
    if (inputs.minMinutes.value) req.minMinutes = Number(inputs.minMinutes.value);
    if (inputs.maxMinutes.value) req.maxMinutes = Number(inputs.maxMinutes.value);
    if (inputs.tolerance.value !== "") req.tolerancePoints = Number(inputs.tolerance.value);
    if (inputs.seed.value !== "") req.seed = inputs.seed.value;
    return req;
  };
  const remember = (req) => setHash(hashFor("preview", {
    template: req.templateId, role: req.role, seniority: req.seniority, stacks: req.stacks,
    min: req.minMinutes, max: req.maxMinutes, tolerance: req.tolerancePoints, seed: req.seed,
  }), { push: false });

  let controller = null;
  async function assemble() {
    const req = readRequest();
    if (!req.role && !req.templateId) {
      replace(out, h("p", { class: "notice error", role: "alert" }, "Choose a role or a template first."));
      inputs.role.focus();
      return;
    }
    if (req.seed === undefined) {
      req.seed = String(randomSeed());
      inputs.seed.value = req.seed;
    }
    remember(req);
    if (controller) controller.abort();
    controller = new AbortController();
    submit.disabled = true;
    replace(out, loading("Assembling…"));
    try {
      const resp = await api.assemble(req, { signal: controller.signal });
      replace(out, renderResult(resp, req, { drawAgain, templates }));
    } catch (err) {
      if (err.name === "AbortError") return;
      const why = err.code === Code.INVALID_ARGUMENT && err.violations.length
        ? h("ul", {}, err.violations.map((v) => h("li", {}, `${v.field}: ${v.description}`)))
        : null;
      replace(out, h("div", { class: "notice error", role: "alert" },
        h("p", {}, err.code === Code.FAILED_PRECONDITION
          ? `The bank cannot make this assessment: ${err.message}. Try a longer range, fewer constraints or another level.`
          : describe(err)), why));
    } finally {
      submit.disabled = false;
    }
  }
  function drawAgain() {
    inputs.seed.value = String(randomSeed());
    assemble();
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); assemble(); });
  if (p("role") || p("template")) await assemble();
  return () => controller && controller.abort();
}

function randomSeed() {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return (a[0] % 2_000_000_000) + 1;
}

function renderResult(resp, req, { drawAgain, templates }) {
  const tax = taxonomy();
  const items = resp.items || [];
  const balanced = resp.balance !== "BALANCE_CLOSEST_POSSIBLE";
  const tolerance = resp.tolerancePoints || req.tolerancePoints || 5;
  const weights = resp.dimensionWeights || {};
  const shares = resp.dimensionShares || {};
  const kit = h("div", { class: "kit" });
  const kitButton = h("button", { type: "button", class: "button", on: { click: () => downloadKit(resp, req, templates, kit, kitButton) } },
    "Interview kit (PDF)");
  const dims = tax.dimensions.filter((d) => d.id in weights || d.id in shares);
  const bar = h("div", { class: "share-bar", role: "img", "aria-label": `Dimension shares: ${dims.map((d) => `${d.title} ${fmt(shares[d.id] || 0)} %`).join(", ")}` },
    dims.map((d, i) => {
      const seg = h("span", { class: `seg seg-${i % 4}`, title: `${d.title}: ${fmt(shares[d.id] || 0)} %` }, `${d.title} ${fmt(shares[d.id] || 0)} %`);
      seg.style.width = `${shares[d.id] || 0}%`; // CSSOM, which the CSP allows (no style attribute is parsed)
      return seg;
    }));
  const rows = dims.map((d, i) => {
    const share = shares[d.id] || 0;
    const weight = weights[d.id] ?? d.weight;
    const off = Math.abs(share - weight) > tolerance + 1e-9;
    const track = h("div", { class: "track", "aria-hidden": "true" });
    const band = h("span", { class: "band" });
    band.style.left = `${Math.max(0, weight - tolerance)}%`;
    band.style.width = `${Math.min(100, weight + tolerance) - Math.max(0, weight - tolerance)}%`;
    const fill = h("span", { class: `fill seg-${i % 4}` });
    fill.style.width = `${share}%`;
    const mark = h("span", { class: "mark" });
    mark.style.left = `${weight}%`;
    track.append(band, fill, mark);
    return h("div", { class: ["share-row", off && "off"] },
      h("span", { class: "share-label" }, d.title || d.id),
      track,
      h("span", { class: "share-figure" }, `${fmt(share)} % `, h("span", { class: "muted" }, `(target ${weight} ± ${tolerance})`), off ? h("strong", { class: "off-label" }, " outside") : null));
  });
  return [
    h("section", { class: "card summary", "aria-labelledby": "summary-title" },
      h("h2", { id: "summary-title" }, `${items.length} questions · ${resp.totalMinutes} minutes`),
      h("p", {}, h("span", { class: ["badge", balanced ? "badge-active" : "badge-draft"] }, balanced ? "Within tolerance" : "Closest possible"),
        " ", balanced
          ? `Every dimension's share of minutes is within ${tolerance} points of its weight.`
          : `No assessment the bank allows is within ${tolerance} points of every weight; this is one of the closest.`),
      bar, h("div", { class: "share-rows" }, rows),
      h("p", { class: "muted" }, `Seed ${resp.seed} · bank revision ${resp.bankRevision}. The same seed on this revision gives the same questions.`),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "button primary", on: { click: drawAgain } }, "Draw again"),
        kitButton),
      kit),
    h("ol", { class: "items" }, items.map((it) => h("li", { class: "card item" },
      h("p", { class: "q-full-text" }, it.text),
      h("p", { class: "item-meta" },
        h("a", { href: hashFor(`q/${encodeURIComponent(it.questionId)}`, { v: it.version }) }, `${it.questionId} v${it.version}`),
        ` · ${titles.dimension(it.dimension)} › ${titles.competency(it.competency)} · ${formatName(it.responseFormat)} · ${it.minutes} min`,
        it.stack ? ` · ${titles.stack(it.stack)}` : ""),
      h("p", { class: "reason" }, it.reason || "")))),
  ];
}

function fmt(x) {
  return (Math.round(x * 10) / 10).toLocaleString();
}

// downloadKit fetches the interview kit for exactly these items (with the
// token in the header, never the URL) and opens it from a blob.
async function downloadKit(resp, req, templates, kit, button) {
  let role = req.role;
  if (!role && req.templateId) role = (templates.find((t) => t.id === req.templateId) || {}).role;
  const query = { role, refs: (resp.items || []).map((it) => `${it.questionId}@${it.version}`) };
  if (req.stacks && req.stacks.length) query.stacks = req.stacks;
  else if (req.templateId) {
    const t = templates.find((x) => x.id === req.templateId);
    if (t && t.stacks && t.stacks.length) query.stacks = t.stacks;
  }
  button.disabled = true;
  replace(kit, loading("Preparing the interview kit…"));
  try {
    const blob = await api.interviewKitPDF(query);
    const pdf = blob.type === "application/pdf" ? blob : new Blob([blob], { type: "application/pdf" });
    const url = URL.createObjectURL(pdf);
    const name = `interview-kit-${role || "assessment"}-seed-${resp.seed}.pdf`;
    replace(kit, h("p", { class: "notice ok" }, `Interview kit ready (${Math.round(pdf.size / 1024)} KB): `,
      h("a", { href: url, target: "_blank", rel: "noopener", class: "kit-open", "data-bytes": pdf.size }, "open it"),
      " or ", h("a", { href: url, download: name, class: "kit-save" }, "save it"), "."));
    window.open(url, "_blank", "noopener");
  } catch (err) {
    // An older server has no such route: a 404 that names no question.
    const noRoute = err.code === Code.NOT_FOUND && (err.reason === "ROUTE_NOT_FOUND" || (!err.reason && /^not found$/i.test(err.message)));
    replace(kit, h("p", { class: "notice error" }, noRoute
      ? "This server cannot make interview kits yet: it needs a newer version of qbank."
      : describe(err, { what: "A question of this assessment" })));
  } finally {
    button.disabled = false;
  }
}

