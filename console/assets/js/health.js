// Bank health: for one role, how many active questions each competency has
// by format and level, and how often each question would appear in
// assessments (its exposure), with the thin spots marked. Counts come from
// ListQuestions' totalSize with a page of one, so the screen costs the same
// on a bank of any size.
import { api, Code, describe } from "./api.js";
import { field, h, loading, replace, select } from "./dom.js";
import { hashFor, navigate } from "./shell.js";
import { capitalize, formatName, formats, role as roleOf, taxonomy, titles } from "./taxonomy.js";

// A cell with no question is a gap; one question means every candidate
// who needs it gets the same one.
const THIN = 1;
// A question in more than this share of assessments is over-exposed: the
// bank's own content gate holds every default assessment to at most half.
const OVEREXPOSED = 0.5;

export async function render(main, { params }) {
  const tax = taxonomy();
  const roleID = params.get("role") || (tax.roles[0] && tax.roles[0].id) || "";
  const roleSelect = select(tax.roles.map((r) => [r.id, r.title || r.id]), roleID, { name: "role" });
  const counts = h("section", { class: "card", "aria-labelledby": "counts-title" },
    h("h2", { id: "counts-title" }, "Active questions by competency, format and level"), loading("Counting…"));
  const exposure = h("section", { class: "card", "aria-labelledby": "exposure-title" },
    h("h2", { id: "exposure-title" }, "Exposure"), loading("Analysing exposure…"));
  const controller = new AbortController();
  roleSelect.addEventListener("change", () => navigate(hashFor("health", { role: roleSelect.value })));
  replace(main,
    h("h1", {}, "Bank health"),
    h("p", { class: "hint" }, "Where the bank is thin: competencies with few questions for a format or level, and questions that appear in most assessments because the bank offers no alternative."),
    h("form", { class: "inline-form", on: { submit: (e) => e.preventDefault() } }, field("Role", roleSelect)),
    counts, exposure);
  const role = roleOf(roleID);
  if (!role) return;
  await Promise.all([
    renderCounts(counts, role, controller.signal),
    renderExposure(exposure, role, controller.signal),
  ]);
  return () => controller.abort();
}

// pool runs async jobs a few at a time, so the browser's connection limit
// is not flooded and the page stays responsive.
async function pool(jobs, width = 6) {
  const results = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }));
  return results;
}

async function renderCounts(section, role, signal) {
  const tax = taxonomy();
  const levels = tax.seniorities;
  const comps = role.competencies || [];
  const count = (extra) => () => api.listQuestions({ role: role.id, state: "STATE_ACTIVE", pageSize: 1, ...extra }, { signal })
    .then((r) => r.totalSize || 0);
  const jobs = [];
  const keys = [];
  for (const c of comps) {
    keys.push([c, "", ""]);
    jobs.push(count({ competency: c }));
    for (const [f] of formats) {
      keys.push([c, f, ""]);
      jobs.push(count({ competency: c, responseFormat: f }));
      for (const l of levels) {
        keys.push([c, f, l]);
        jobs.push(count({ competency: c, responseFormat: f, seniority: l }));
      }
    }
  }
  let values;
  try {
    values = await pool(jobs);
  } catch (err) {
    if (err.name === "AbortError") return;
    replace(section, h("h2", { id: "counts-title" }, "Active questions by competency, format and level"), h("p", { class: "notice error" }, describe(err)));
    return;
  }
  const at = (c, f, l) => values[keys.findIndex(([kc, kf, kl]) => kc === c && kf === f && kl === l)];
  const cell = (n, label) => h("td", {
    class: ["num", n === 0 ? "gap" : n <= THIN ? "thin" : ""],
    "data-count": n,
  }, String(n), n === 0 ? h("span", { class: "visually-hidden" }, ` (gap: ${label})`) : n <= THIN ? h("span", { class: "visually-hidden" }, ` (thin: ${label})`) : null);
  // The thin spots, in words: per competency and format, what is missing.
  const findings = [];
  for (const c of comps) {
    for (const [f, name] of formats) {
      const any = at(c, f, "");
      const fmt = name.toLowerCase();
      if (any === 0) { findings.push(["gap", `${titles.competency(c)}: no ${fmt} question.`]); continue; }
      const missing = levels.filter((l) => at(c, f, l) === 0);
      if (missing.length) findings.push(["gap", `${titles.competency(c)}: no ${fmt} question at the ${missing.join(", ")} ${missing.length === 1 ? "level" : "levels"}.`]);
      if (any <= THIN) findings.push(["thin", `${titles.competency(c)}: only one ${fmt} question, so every candidate who gets one gets that one.`]);
    }
  }
  const table = h("table", { class: "health" },
    h("caption", {}, `${role.title || role.id}: counts of active questions. Questions that name no level count at every level.`),
    h("thead", {},
      h("tr", {}, h("th", { scope: "col", rowspan: 2 }, "Competency"), h("th", { scope: "col", rowspan: 2 }, "All"),
        formats.map(([, name]) => h("th", { scope: "colgroup", colspan: levels.length + 1 }, name))),
      h("tr", {}, formats.map(() => [h("th", { scope: "col" }, "Any"), levels.map((l) => h("th", { scope: "col" }, capitalize(l)))]))),
    h("tbody", {}, comps.map((c) => h("tr", { "data-competency": c },
      h("th", { scope: "row" }, titles.competency(c), h("br"), h("span", { class: "muted" }, titles.dimension((tax.competencies.find((x) => x.id === c) || {}).dimension || ""))),
      cell(at(c, "", ""), `${titles.competency(c)}`),
      formats.map(([f, name]) => [
        cell(at(c, f, ""), `${titles.competency(c)}, ${name}`),
        levels.map((l) => cell(at(c, f, l), `${titles.competency(c)}, ${name}, ${l}`)),
      ])))));
  replace(section,
    h("h2", { id: "counts-title" }, "Active questions by competency, format and level"),
    findings.length
      ? h("ul", { class: "findings" }, findings.map(([kind, text]) => h("li", { class: kind }, text)))
      : h("p", {}, "No gaps or thin spots for this role."),
    h("p", { class: "legend" }, h("span", { class: "swatch gap" }, "0"), " no question  ", h("span", { class: "swatch thin" }, "1"), " one question"),
    h("div", { class: "table-wrap" }, table));
}

async function renderExposure(section, role, signal) {
  const title = h("h2", { id: "exposure-title" }, "Exposure");
  let resp;
  try {
    resp = await api.analyzeExposure({ role: role.id }, { signal });
  } catch (err) {
    if (err.name === "AbortError") return;
    replace(section, title, h("p", { class: "notice error" }, err.code === Code.UNIMPLEMENTED
      ? "This server does not report exposure yet: it needs a newer version of qbank."
      : describe(err)));
    return;
  }
  const items = resp.items || [];
  const over = items.filter((it) => (it.exposure || 0) > OVEREXPOSED);
  const pct = (x) => `${Math.round((x || 0) * 1000) / 10} %`;
  replace(section, title,
    h("p", { class: "hint" }, `How often each eligible question would appear in a ${role.title || role.id} assessment with the default settings, over all seeds. 100 % means the bank offers no alternative to it.`),
    h("dl", { class: "meta" },
      h("dt", {}, "Most exposed"), h("dd", {}, pct(resp.maxExposure)),
      h("dt", {}, "Expected overlap"), h("dd", {}, `${pct(resp.expectedOverlap)} of one assessment's questions also in another`),
      h("dt", {}, "Distinct acceptable assessments"), h("dd", {}, `${resp.acceptableAssessmentsIsLowerBound ? "at least " : ""}${Number(resp.acceptableAssessments || 0).toLocaleString()}`),
      h("dt", {}, "Balance"), h("dd", {}, resp.balance === "BALANCE_CLOSEST_POSSIBLE" ? "Closest possible (no assessment is within tolerance)" : "Within tolerance")),
    h("p", {}, over.length
      ? `${over.length} ${over.length === 1 ? "question is" : "questions are"} in more than ${OVEREXPOSED * 100} % of assessments: add alternatives for ${over.length === 1 ? "its" : "their"} competency and format.`
      : `No question is in more than ${OVEREXPOSED * 100} % of assessments.`),
    h("div", { class: "table-wrap" }, h("table", { class: "exposure" },
      h("caption", { class: "visually-hidden" }, "Exposure of each eligible question, most exposed first"),
      h("thead", {}, h("tr", {}, ["Question", "Competency", "Format", "Min", "Exposure"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, items.map((it) => {
        const bar = h("span", { class: "exposure-fill" });
        bar.style.width = `${Math.min(100, (it.exposure || 0) * 100)}%`;
        return h("tr", { class: (it.exposure || 0) > OVEREXPOSED ? "overexposed" : "" },
          h("td", {}, h("a", { href: `#/q/${encodeURIComponent(it.questionId)}` }, it.questionId)),
          h("td", {}, titles.competency(it.competency)),
          h("td", {}, formatName(it.responseFormat)),
          h("td", { class: "num" }, it.minutes || ""),
          h("td", { class: "exposure-cell" }, h("span", { class: "exposure-track", "aria-hidden": "true" }, bar), ` ${pct(it.exposure)}`));
      })))));
}
