// Side-by-side comparison of two question versions: each field flattened to
// text, then compared word by word (a longest-common-subsequence diff), so a
// reviewer sees exactly which words changed.
import { h } from "./dom.js";
import { formatName, stateName, titles } from "./taxonomy.js";

// tokens splits text into words and the whitespace between them.
function tokens(s) {
  return s.split(/(\s+)/).filter((t) => t !== "");
}

// lcsOps aligns two token lists: [op, token] pairs, op "=", "-" or "+".
// Common ends are trimmed first; a middle too large to align in the page
// is shown as replaced.
function lcsOps(x, y) {
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start += 1;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) { endX -= 1; endY -= 1; }
  const out = x.slice(0, start).map((t) => ["=", t]);
  const mx = x.slice(start, endX);
  const my = y.slice(start, endY);
  const n = mx.length;
  const m = my.length;
  if (n * m > 4_000_000) {
    out.push(...mx.map((t) => ["-", t]), ...my.map((t) => ["+", t]));
  } else {
    // lcs[i*w+j] = length of the LCS of mx[i:] and my[j:].
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i -= 1) {
      for (let j = m - 1; j >= 0; j -= 1) {
        lcs[i * w + j] = mx[i] === my[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (mx[i] === my[j]) { out.push(["=", mx[i]]); i += 1; j += 1; }
      else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) { out.push(["-", mx[i]]); i += 1; }
      else { out.push(["+", my[j]]); j += 1; }
    }
    while (i < n) { out.push(["-", mx[i]]); i += 1; }
    while (j < m) { out.push(["+", my[j]]); j += 1; }
  }
  out.push(...x.slice(endX).map((t) => ["=", t]));
  return out;
}

// similarity is the share of words two lines have in common, in order.
function similarity(a, b) {
  const x = tokens(a).filter((t) => t.trim());
  const y = tokens(b).filter((t) => t.trim());
  if (!x.length || !y.length) return 0;
  const same = lcsOps(x, y).filter(([op]) => op === "=").length;
  return same / Math.max(x.length, y.length);
}

// wordDiff returns [op, text] pairs: op is "=", "-" (only in a) or "+"
// (only in b). Lines are aligned first; a changed line is compared word by
// word only when it is mostly the same line reworded, otherwise it shows as
// removed and added whole (a word diff of unrelated sentences is noise).
export function wordDiff(a, b) {
  const lines = (s) => (s === "" ? [] : s.split(/(?<=\n)/));
  const ops = lcsOps(lines(a), lines(b));
  const out = [];
  const push = (op, t) => {
    const last = out[out.length - 1];
    if (last && last[0] === op) last[1] += t;
    else if (t) out.push([op, t]);
  };
  for (let k = 0; k < ops.length;) {
    if (ops[k][0] === "=") { push("=", ops[k][1]); k += 1; continue; }
    const removed = [];
    const added = [];
    while (k < ops.length && ops[k][0] !== "=") {
      (ops[k][0] === "-" ? removed : added).push(ops[k][1]);
      k += 1;
    }
    const pairs = Math.min(removed.length, added.length);
    for (let i = 0; i < Math.max(removed.length, added.length); i += 1) {
      if (i < pairs && similarity(removed[i], added[i]) >= 0.5) {
        for (const [op, t] of lcsOps(tokens(removed[i]), tokens(added[i]))) push(op, t);
      } else {
        if (i < removed.length) push("-", removed[i]);
        if (i < added.length) push("+", added[i]);
      }
    }
  }
  return out;
}

const list = (xs, fn = (x) => x) => (xs || []).map(fn).join("\n");

function guideFields(prefix, g) {
  g = g || {};
  const out = [
    [`${prefix}strong answer`, g.strong || ""],
    [`${prefix}adequate answer`, g.adequate || ""],
    [`${prefix}weak answer`, g.weak || ""],
  ];
  for (const l of g.levels || []) {
    out.push([`${prefix}${l.seniority} level`, [
      `Strong: ${l.strong || ""}`,
      l.adequate ? `Adequate: ${l.adequate}` : "",
      l.weak ? `Weak: ${l.weak}` : "",
    ].filter(Boolean).join("\n")]);
  }
  return out;
}

// flatten lists a question's reviewable fields as [label, text] pairs, in
// the order the question screen shows them.
export function flatten(q) {
  const out = [
    ["Question text", q.text || ""],
    ["State", stateName(q.state)],
    ["Roles", list(q.roles, titles.role)],
    ["Dimension", titles.dimension(q.dimension || "")],
    ["Competency", titles.competency(q.competency || "")],
    ["Response format", formatName(q.responseFormat)],
    ["Minutes", String(q.minutes || "")],
    ["Seniorities", list(q.seniorities) || "all"],
    ["Stacks", list(q.stacks, titles.stack) || "language-agnostic"],
    ["Collections", list(q.collections, titles.collection)],
    ["What it reveals", q.whatItReveals || ""],
    ["Follow-ups", list(q.followUps, (f, i) => `${i + 1}. ${f}`)],
    ...guideFields("Scoring guide: ", q.scoringGuide),
  ];
  for (const stack of Object.keys(q.stackVariants || {}).sort()) {
    const v = q.stackVariants[stack] || {};
    const name = `${titles.stack(stack)} variant`;
    out.push([`${name}: text`, v.text || ""]);
    out.push([`${name}: follow-ups`, list(v.followUps, (f, i) => `${i + 1}. ${f}`)]);
    out.push(...guideFields(`${name}: `, v.scoringGuide));
  }
  return out;
}

// compareRows pairs the fields of two versions by label; a field only one
// side has is empty on the other.
export function compareRows(a, b) {
  const fa = flatten(a);
  const fb = flatten(b);
  const labels = [...fa.map(([l]) => l)];
  for (const [l] of fb) if (!labels.includes(l)) labels.push(l);
  const get = (f, l) => (f.find(([x]) => x === l) || [l, ""])[1];
  return labels.map((l) => ({ label: l, a: get(fa, l), b: get(fb, l) }))
    .filter((r) => r.a !== "" || r.b !== "");
}

// renderSide shows one side of a diff: the other side's words are left out,
// this side's own words are marked.
function renderSide(parts, side) {
  const keep = side === "a" ? "-" : "+";
  const tag = side === "a" ? "del" : "ins";
  return parts.filter(([op]) => op === "=" || op === keep)
    .map(([op, t]) => (op === "=" ? t : h(tag, {}, t)));
}

// diffTable renders two versions side by side. Unchanged fields are folded
// away behind a toggle; changed rows are marked.
export function diffTable(a, b, { labelA, labelB }) {
  const rows = compareRows(a, b);
  const changed = rows.filter((r) => r.a !== r.b);
  const same = rows.filter((r) => r.a === r.b);
  const row = (r) => {
    const parts = wordDiff(r.a, r.b);
    const isChanged = r.a !== r.b;
    return h("tr", { class: isChanged ? "changed" : "same" },
      h("th", { scope: "row" }, r.label, isChanged ? h("span", { class: "visually-hidden" }, " (changed)") : null),
      h("td", { class: "side side-a" }, renderSide(parts, "a")),
      h("td", { class: "side side-b" }, renderSide(parts, "b")));
  };
  const head = h("thead", {}, h("tr", {},
    h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, labelA), h("th", { scope: "col" }, labelB)));
  const sameBody = h("tbody", { class: "unchanged", hidden: true }, same.map(row));
  const toggleID = `same-${Math.random().toString(36).slice(2)}`;
  const toggle = same.length ? h("button", {
    type: "button", class: "link-button", "aria-expanded": "false", "aria-controls": toggleID,
    on: { click: (e) => {
      sameBody.hidden = !sameBody.hidden;
      e.target.setAttribute("aria-expanded", String(!sameBody.hidden));
      e.target.textContent = sameBody.hidden ? `Show the ${same.length} unchanged fields` : "Hide the unchanged fields";
    } },
  }, `Show the ${same.length} unchanged fields`) : null;
  sameBody.id = toggleID;
  return h("div", { class: "diff" },
    h("p", { class: "diff-summary" }, changed.length
      ? `${changed.length} ${changed.length === 1 ? "field differs" : "fields differ"}. Removed words are struck through on the left, added words underlined on the right.`
      : "These versions have the same content."),
    h("div", { class: "table-wrap" }, h("table", { class: "diff-table" }, head,
      h("tbody", {}, changed.map(row)), sameBody)),
    toggle);
}
