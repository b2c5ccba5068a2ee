// One question as reviewers see it: the text and its stack variants, what
// it reveals, follow-ups and scoring anchors by level; its history (who,
// when, why), paged; and a side-by-side diff of any two versions. Admins
// also get Edit and Retire/Restore.
import { api, Code, describe, session } from "./api.js";
import { badge, confirmDialog, field, formatTime, h, loading, replace } from "./dom.js";
import { diffTable } from "./diff.js";
import { hashFor, navigate, setStatus } from "./shell.js";
import { capitalize, competency, formatName, role as roleOf, stateKind, stateName, titles } from "./taxonomy.js";

const historyPageSize = 10;

export async function render(main, { parts, params }) {
  const id = parts[1];
  const version = Number(params.get("v")) || 0;
  replace(main, loading(`Loading ${id}…`));
  let q;
  let head;
  try {
    [q, head] = await Promise.all([
      api.getQuestion(id, version),
      version ? api.getQuestion(id) : null,
    ]);
  } catch (err) {
    replace(main, breadcrumb(id), h("h1", {}, id), h("p", { class: "notice error", role: "alert" }, describe(err, { what: `Question “${id}”` })));
    return;
  }
  head = head || q;
  const isCurrent = q.version === head.version;

  const actions = h("div", { class: "actions" });
  if (session.isAdmin && isCurrent) {
    if (q.state !== "STATE_RETIRED") {
      actions.append(h("a", { href: `#/q/${encodeURIComponent(id)}/edit`, class: "button primary" }, "Edit"));
      actions.append(h("button", { type: "button", class: "button danger", on: { click: () => retireOrRestore(q, "retire") } }, "Retire…"));
    } else {
      actions.append(h("button", { type: "button", class: "button primary", on: { click: () => retireOrRestore(q, "restore") } }, "Restore…"));
    }
  }
  if (q.version > 1 || head.version > 1) {
    actions.append(h("a", { href: hashFor(`q/${encodeURIComponent(id)}/diff`, { a: Math.max(1, q.version - 1), b: q.version }), class: "button" },
      "Compare with the previous version"));
  }

  const history = h("section", { class: "history", "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, "Version history"), loading("Loading the history…"));

  replace(main,
    breadcrumb(id),
    h("div", { class: "screen-head" },
      h("h1", {}, id, " ", h("span", { class: "version" }, `v${q.version}`)),
      badge(stateName(q.state), stateKind(q.state))),
    isCurrent ? null : h("p", { class: "notice info" },
      `You are looking at version ${q.version}; the current version is ${head.version}. `,
      h("a", { href: `#/q/${encodeURIComponent(id)}` }, "Show the current version.")),
    q.state === "STATE_RETIRED" && isCurrent ? h("p", { class: "notice warn" },
      "Retired: new assessments do not use this question. Assessments that already contain it keep their pinned version.") : null,
    q.state === "STATE_DRAFT" && isCurrent ? h("p", { class: "notice info" },
      "Draft: not used in assessments until it is made active.") : null,
    actions,
    renderQuestion(q),
    history);
  // The A/B choice survives paging through the history.
  const chosen = { a: Math.max(1, Math.min(q.version, head.version) - 1), b: q.version };
  loadHistory(history, q, head.version, chosen, "");
}

function breadcrumb(id) {
  return h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" },
    h("a", { href: "#/bank" }, "Bank"), " › ", h("span", { "aria-current": "page" }, id));
}

// renderQuestion shows every field a reviewer uses.
export function renderQuestion(q) {
  const comp = competency(q.competency) || {};
  const meta = h("dl", { class: "meta" },
    term("Roles", (q.roles || []).map(titles.role).join(", ")),
    term("Dimension", titles.dimension(q.dimension)),
    term("Competency", titles.competency(q.competency)),
    term("Response", `${formatName(q.responseFormat)}, ${q.minutes || "?"} minutes`),
    term("Seniorities", (q.seniorities || []).length ? q.seniorities.join(", ") : "All"),
    term("Stacks", (q.stacks || []).length ? q.stacks.map(titles.stack).join(", ") : "Language-agnostic"),
    (q.collections || []).length ? term("Collections", q.collections.map(titles.collection).join(", ")) : null,
    term("This version", [q.author ? `by ${q.author}` : "", q.createTime ? `on ${formatTime(q.createTime)}` : ""].filter(Boolean).join(" ")),
    q.changeNote ? term("Why", q.changeNote) : null);

  const variants = Object.keys(q.stackVariants || {}).sort();
  return h("div", { class: "question" },
    h("section", { class: "card", "aria-labelledby": "text-title" },
      h("h2", { id: "text-title" }, "What the candidate is asked"),
      h("p", { class: "q-full-text", "data-testid": "question-text" }, q.text),
      meta),
    h("section", { class: "card", "aria-labelledby": "reveals-title" },
      h("h2", { id: "reveals-title" }, "What this reveals"),
      h("p", {}, q.whatItReveals || "—"),
      comp.greatLooksLike || comp.redFlags ? h("details", { class: "criteria" },
        h("summary", {}, `Evaluation criteria for ${comp.title || q.competency}`),
        criteriaFor(q, comp)) : null),
    h("section", { class: "card", "aria-labelledby": "followups-title" },
      h("h2", { id: "followups-title" }, "Follow-ups"),
      followUps(q.followUps)),
    h("section", { class: "card", "aria-labelledby": "guide-title" },
      h("h2", { id: "guide-title" }, "Scoring guide"),
      guide(q.scoringGuide)),
    variants.length ? h("section", { class: "card", "aria-labelledby": "variants-title" },
      h("h2", { id: "variants-title" }, "Stack variants"),
      h("p", { class: "hint" }, "The question as asked when an assessment is for one of these stacks. A variant without its own follow-ups or anchors uses the question's."),
      variants.map((stack) => {
        const v = q.stackVariants[stack] || {};
        return h("section", { class: "variant", "data-stack": stack },
          h("h3", {}, titles.stack(stack)),
          h("p", { class: "q-full-text" }, v.text || ""),
          ...variantExtras(v));
      })) : null);
}

// variantExtras shows a variant's own follow-ups and anchors, or says in
// one line that it uses the question's.
function variantExtras(v) {
  const ownFollowUps = (v.followUps || []).length > 0;
  const ownGuide = hasGuide(v.scoringGuide);
  if (!ownFollowUps && !ownGuide) return [h("p", { class: "muted" }, "Uses the question's own follow-ups and scoring guide.")];
  return [
    h("h4", {}, "Follow-ups"),
    ownFollowUps ? followUps(v.followUps) : h("p", { class: "muted" }, "The question's own follow-ups."),
    h("h4", {}, "Scoring anchors"),
    ownGuide ? guide(v.scoringGuide) : h("p", { class: "muted" }, "The question's own scoring guide."),
  ];
}

function criteriaFor(q, comp) {
  const out = [];
  const add = (heading, great, red) => out.push(h("div", { class: "criteria-block" },
    heading ? h("h3", {}, heading) : null,
    great ? [h("h4", {}, "What great looks like"), h("p", {}, great)] : null,
    red ? [h("h4", {}, "Red flags"), h("p", {}, red)] : null));
  add("", comp.greatLooksLike, comp.redFlags);
  for (const r of q.roles || []) {
    const c = ((roleOf(r) || {}).criteria || {})[q.competency];
    if (c && (c.greatLooksLike || c.redFlags)) add(`For ${titles.role(r)}`, c.greatLooksLike, c.redFlags);
  }
  return out;
}

function term(label, value) {
  return [h("dt", {}, label), h("dd", {}, value || "—")];
}

function followUps(list) {
  if (!list || !list.length) return h("p", { class: "muted" }, "None.");
  return h("ol", { class: "follow-ups" }, list.map((f) => h("li", {}, f)));
}

function hasGuide(g) {
  return g && (g.strong || g.adequate || g.weak || (g.levels || []).length);
}

function guide(g) {
  g = g || {};
  const rows = [];
  if (g.strong || g.adequate || g.weak) rows.push(["Any level", g.strong, g.adequate, g.weak]);
  for (const l of g.levels || []) rows.push([capitalize(l.seniority), l.strong, l.adequate, l.weak]);
  if (!rows.length) return h("p", { class: "muted" }, "No scoring guide yet.");
  return h("div", { class: "table-wrap" }, h("table", { class: "guide" },
    h("thead", {}, h("tr", {}, ["Level", "Strong", "Adequate", "Weak"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map(([level, strong, adequate, weak], i) => h("tr", {},
      h("th", { scope: "row" }, level),
      h("td", {}, strong || "—"),
      h("td", {}, adequate || (i > 0 ? "As for any level" : "—")),
      h("td", {}, weak || (i > 0 ? "As for any level" : "—")))))));
}

// loadHistory shows one page of versions, newest first, with A/B choices
// for a comparison.
async function loadHistory(section, q, headVersion, chosen, pageToken, prevTokens = []) {
  const body = h("div", { class: "history-body" }, loading("Loading the history…"));
  replace(section, h("h2", { id: "history-title" }, "Version history"), body);
  let resp;
  try {
    resp = await api.listVersions(q.id, { pageSize: historyPageSize, pageToken });
  } catch (err) {
    replace(body, h("p", { class: "notice error" }, describe(err)));
    return;
  }
  const versions = resp.versions || [];
  const compare = headVersion > 1;
  const chosenText = () => `Chosen: version ${chosen.a} and version ${chosen.b}. Pick A and B on any page of the history.`;
  const chosenHint = h("span", { class: "hint", "aria-live": "polite" }, chosenText());
  const form = h("form", { class: "history-form", on: {
    change: (e) => {
      if (e.target.name !== "a" && e.target.name !== "b") return;
      chosen[e.target.name] = Number(e.target.value);
      chosenHint.textContent = chosenText();
    },
    submit: (e) => {
      e.preventDefault();
      navigate(hashFor(`q/${encodeURIComponent(q.id)}/diff`, { a: Math.min(chosen.a, chosen.b), b: Math.max(chosen.a, chosen.b) }));
    },
  } });
  const table = h("table", { class: "history-table" },
    h("caption", { class: "visually-hidden" }, "Versions of this question, newest first"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Version"), h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Who"),
      h("th", { scope: "col" }, "Why"), h("th", { scope: "col" }, "State"),
      compare ? [
        h("th", { scope: "col" }, h("span", { "aria-hidden": "true" }, "A"), h("span", { class: "visually-hidden" }, "Compare from")),
        h("th", { scope: "col" }, h("span", { "aria-hidden": "true" }, "B"), h("span", { class: "visually-hidden" }, "Compare to"))] : null)),
    h("tbody", {}, versions.map((v) => h("tr", { class: v.version === q.version ? "shown" : "" },
      h("td", {}, h("a", { href: hashFor(`q/${encodeURIComponent(q.id)}`, { v: v.version === headVersion ? "" : v.version }) }, `v${v.version}`),
        v.version === headVersion ? h("span", { class: "muted" }, " (current)") : null),
      h("td", {}, formatTime(v.createTime)),
      h("td", {}, v.author || "—"),
      h("td", { class: "note" }, v.changeNote || h("span", { class: "muted" }, "no note")),
      h("td", {}, badge(stateName(v.state), stateKind(v.state))),
      compare ? [
        h("td", {}, h("input", { type: "radio", name: "a", value: v.version, "aria-label": `Compare from version ${v.version}`, props: { checked: v.version === chosen.a } })),
        h("td", {}, h("input", { type: "radio", name: "b", value: v.version, "aria-label": `Compare to version ${v.version}`, props: { checked: v.version === chosen.b } }))] : null))));
  const pager = h("div", { class: "pager" },
    prevTokens.length ? h("button", { type: "button", class: "button", on: { click: () => {
      const tokens = prevTokens.slice(0, -1);
      loadHistory(section, q, headVersion, chosen, prevTokens[prevTokens.length - 1], tokens);
    } } }, "← Newer versions") : null,
    resp.nextPageToken ? h("button", { type: "button", class: "button", on: { click: () =>
      loadHistory(section, q, headVersion, chosen, resp.nextPageToken, [...prevTokens, pageToken]) } }, "Older versions →") : null);
  append(form, table, headVersion > 1 ? h("div", { class: "actions" },
    h("button", { type: "submit", class: "button" }, "Compare the chosen versions"),
    chosenHint) : null);
  replace(body, h("div", { class: "table-wrap" }, form), pager);
}

function append(el, ...children) {
  for (const c of children) if (c) el.append(c);
}

// retireOrRestore confirms, saying what the change does to assessments,
// then applies it with the etag the screen was loaded with.
async function retireOrRestore(q, action) {
  const note = h("input", { type: "text", name: "changeNote", maxlength: 4000, autocomplete: "off" });
  const retire = action === "retire";
  const ok = await confirmDialog({
    title: retire ? `Retire “${q.id}”?` : `Restore “${q.id}”?`,
    body: retire
      ? [h("p", {}, "New assessments will no longer include this question, from the moment you confirm."),
        h("p", {}, `Assessments already assembled keep it: they are pinned to version ${q.version}, which stays readable. The question stays in the bank, read-only, until someone restores it.`)]
      : [h("p", {}, "The question becomes active again: new assessments may include it from the moment you confirm."),
        h("p", {}, "Nothing changes for assessments already assembled.")],
    extra: field("Why (optional)", note, { hint: retire ? "For example: superseded by a clearer question." : "For example: reviewed and still valid." }),
    confirmLabel: retire ? "Retire question" : "Restore question",
    danger: retire,
  });
  if (!ok) return;
  try {
    if (retire) await api.retire(q.id, q.etag, note.value.trim());
    else await api.restore(q.id, q.etag, note.value.trim());
    setStatus(retire ? `Retired “${q.id}”: new assessments no longer include it.` : `Restored “${q.id}”: new assessments may include it again.`, "ok");
  } catch (err) {
    setStatus(describe(err, { what: `question “${q.id}”` }) + (err.code === Code.ABORTED ? " The screen now shows the latest version; check it and try again." : ""), "error");
  }
  navigate(`#/q/${encodeURIComponent(q.id)}`, { replaceEntry: true });
}

// renderDiff compares two versions side by side.
export async function renderDiff(main, { parts, params }) {
  const id = parts[1];
  let a = Number(params.get("a")) || 0;
  let b = Number(params.get("b")) || 0;
  replace(main, loading("Loading both versions…"));
  let head;
  try {
    head = await api.getQuestion(id);
  } catch (err) {
    replace(main, breadcrumb(id), h("p", { class: "notice error" }, describe(err, { what: `Question “${id}”` })));
    return;
  }
  if (!b || b > head.version) b = head.version;
  if (!a || a > head.version) a = Math.max(1, b - 1);
  const choose = (name, value) => {
    const s = h("select", { name }, Array.from({ length: head.version }, (_, i) => head.version - i)
      .map((v) => h("option", { value: v }, `v${v}${v === head.version ? " (current)" : ""}`)));
    s.value = String(value);
    return s;
  };
  const selA = choose("a", a);
  const selB = choose("b", b);
  const picker = h("form", { class: "inline-form", on: { submit: (e) => {
    e.preventDefault();
    navigate(hashFor(`q/${encodeURIComponent(id)}/diff`, { a: selA.value, b: selB.value }));
  } } }, field("Version A", selA), field("Version B", selB),
  h("div", { class: "field" }, h("button", { type: "submit", class: "button" }, "Compare")));
  const out = h("div", {}, loading("Comparing…"));
  replace(main,
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" },
      h("a", { href: "#/bank" }, "Bank"), " › ", h("a", { href: `#/q/${encodeURIComponent(id)}` }, id), " › ",
      h("span", { "aria-current": "page" }, "Compare versions")),
    h("h1", {}, `Compare versions of ${id}`),
    picker, out);
  try {
    const { questions } = await api.batchGet([`${id}@${a}`, `${id}@${b}`]);
    const [qa, qb] = questions;
    const who = (q) => h("div", { class: "version-card" },
      h("h2", {}, `Version ${q.version}`),
      h("p", {}, [q.author ? `by ${q.author}` : "", q.createTime ? formatTime(q.createTime) : ""].filter(Boolean).join(" · ")),
      h("p", { class: "note" }, q.changeNote || h("span", { class: "muted" }, "no change note")));
    replace(out,
      h("div", { class: "version-cards" }, who(qa), who(qb)),
      diffTable(qa, qb, { labelA: `Version ${a}`, labelB: `Version ${b}` }));
  } catch (err) {
    replace(out, h("p", { class: "notice error" }, describe(err)));
  }
}
