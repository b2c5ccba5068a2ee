// The bank: every filter ListQuestions has, state tabs with counts, and
// server-side paging, so a bank of any size costs one page per screen. The
// filter form is built once and stays put (focus and the caret survive
// typing); only the results reload, and a new filter cancels the request
// still in flight, so typing in the search box never queues stale pages.
import { api, describe, session } from "./api.js";
import { badge, debounce, field, h, replace, select } from "./dom.js";
import { hashFor, setHash } from "./shell.js";
import { formatName, formats, stateKind, stateName, states, taxonomy, titles } from "./taxonomy.js";

const filterKeys = ["query", "role", "dimension", "competency", "stack", "seniority", "responseFormat", "collection"];
const pageSizes = ["25", "50", "100"];
const defaults = { state: "STATE_ACTIVE", pageSize: "25", page: 1 };

// Page tokens of the pages seen so far, for "Previous" (a token is only
// valid with the filters that made it, so they are kept per signature).
let pages = { signature: "", tokens: [""] };

export async function render(main, { params }) {
  const tax = taxonomy();
  const cur = Object.fromEntries(filterKeys.map((k) => [k, params.get(k) || ""]));
  cur.state = states.some(([s]) => s === params.get("state")) ? params.get("state") : defaults.state;
  cur.pageSize = pageSizes.includes(params.get("pageSize")) ? params.get("pageSize") : defaults.pageSize;
  cur.page = Math.max(1, Number(params.get("page")) || 1);

  const opt = (list, all) => [["", all], ...list];
  const competencyOptions = () => opt(tax.competencies
    .filter((c) => !cur.dimension || c.dimension === cur.dimension)
    .map((c) => [c.id, c.title || c.id]), "Any competency");
  const controls = {
    query: h("input", { type: "search", name: "query", value: cur.query, placeholder: "Words in the text, id, follow-ups…", autocomplete: "off" }),
    role: select(opt(tax.roles.map((r) => [r.id, r.title || r.id]), "Any role"), cur.role, { name: "role" }),
    dimension: select(opt(tax.dimensions.map((d) => [d.id, d.title || d.id]), "Any dimension"), cur.dimension, { name: "dimension" }),
    competency: select(competencyOptions(), cur.competency, { name: "competency" }),
    stack: select(opt(tax.stacks.map((s) => [s.id, s.title || s.id]), "Any stack"), cur.stack, { name: "stack" }),
    seniority: select(opt(tax.seniorities.map((s) => [s, s]), "Any seniority"), cur.seniority, { name: "seniority" }),
    responseFormat: select(opt(formats, "Any format"), cur.responseFormat, { name: "responseFormat" }),
    collection: select(opt(tax.collections.map((c) => [c.id, c.title || c.id]), "Any collection"), cur.collection, { name: "collection" }),
    pageSize: select(pageSizes.map((n) => [n, `${n} a page`]), cur.pageSize, { name: "pageSize" }),
  };
  if (cur.collection && controls.collection.value !== cur.collection) {
    controls.collection.append(h("option", { value: cur.collection }, cur.collection));
    controls.collection.value = cur.collection;
  }

  const tabs = h("div", { class: "tabs", role: "group", "aria-label": "State" },
    states.map(([value, label]) => h("button", {
      type: "button", class: "tab", "data-state": value,
      on: { click: () => change({ state: value }) },
    }, label, " ", h("span", { class: "count", "data-count": value }, "…"))));
  const results = h("div", { class: "results" });
  const clear = h("button", { type: "button", class: "button", on: { click: () => {
    for (const k of filterKeys) controls[k].value = "";
    replace(controls.competency, competencyOptions().map(([v, l]) => h("option", { value: v }, l)));
    change(Object.fromEntries(filterKeys.map((k) => [k, ""])));
  } } }, "Clear filters");

  // change applies new parameters: the address, the tabs, then the results.
  function change(changes, { push = true } = {}) {
    Object.assign(cur, { page: 1 }, changes);
    const hashParams = {};
    for (const [k, v] of Object.entries(cur)) if (v !== defaults[k]) hashParams[k] = v;
    setHash(hashFor("bank", hashParams), { push });
    load();
  }

  for (const [key, control] of Object.entries(controls)) {
    if (key === "query") continue;
    control.addEventListener("change", () => {
      const changes = { [key]: control.value };
      if (key === "dimension") {
        replace(control.form.elements.competency, competencyOptions().map(([v, l]) => h("option", { value: v }, l)));
        const still = [...controls.competency.options].some((o) => o.value === cur.competency);
        if (!still) changes.competency = "";
        controls.competency.value = still ? cur.competency : "";
      }
      change(changes);
    });
  }
  // Searching as one types replaces the history entry: one entry per search,
  // not one per key.
  const search = debounce(() => {
    if (controls.query.value.trim() !== cur.query) change({ query: controls.query.value.trim() }, { push: false });
  }, 250);
  controls.query.addEventListener("input", search);
  controls.query.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); change({ query: controls.query.value.trim() }); }
  });

  // On a narrow window the filters other than search fold away (open
  // when one is set), so the list starts on the first screen.
  const narrow = window.matchMedia("(max-width: 640px)").matches;
  const setFilters = filterKeys.filter((k) => k !== "query" && cur[k]).length;
  const more = h("details", { class: "more-filters", open: !narrow || setFilters > 0 },
    h("summary", {}, "Filters", setFilters ? ` (${setFilters} set)` : ""),
    h("div", { class: "filter-grid" },
      field("Role", controls.role),
      field("Dimension", controls.dimension),
      field("Competency", controls.competency),
      field("Stack", controls.stack),
      field("Seniority", controls.seniority),
      field("Format", controls.responseFormat),
      field("Collection", controls.collection),
      field("Page size", controls.pageSize),
      h("div", { class: "field reset" }, clear)));
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter questions", on: { submit: (e) => e.preventDefault() } },
    field("Search", controls.query, { className: "search" }), more);

  replace(main,
    h("div", { class: "screen-head" }, h("h1", {}, "Question bank"),
      session.isAdmin ? h("a", { href: "#/new", class: "button primary" }, "New question") : null),
    filters, tabs, results);

  let controller = null;
  let counted = "";
  let countController = new AbortController();
  async function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    if (JSON.stringify(Object.fromEntries(filterKeys.map((k) => [k, cur[k]]))) !== counted) {
      countController.abort();
      countController = new AbortController();
    }
    const { signal } = controller;
    const f = Object.fromEntries(filterKeys.map((k) => [k, cur[k]]));
    const signature = JSON.stringify([f, cur.state, cur.pageSize]);
    if (pages.signature !== signature) pages = { signature, tokens: [""] };
    if (cur.page > pages.tokens.length) cur.page = 1; // a reload lost the earlier pages' tokens
    clear.hidden = !filterKeys.some((k) => cur[k]);
    for (const tab of tabs.children) {
      const on = tab.dataset.state === cur.state;
      tab.classList.toggle("selected", on);
      tab.setAttribute("aria-pressed", String(on));
    }
    // The other states' counts come from the same filters with a page of
    // one (totalSize is all they need), and only when the filters change:
    // paging and switching tabs leave them as they are.
    const countSignature = JSON.stringify(f);
    if (countSignature !== counted) {
      counted = countSignature;
      for (const [value] of states) {
        if (value === cur.state) continue;
        setCount(tabs, value, "…");
        api.listQuestions({ ...f, state: value, pageSize: 1 }, { signal: countController.signal })
          .then((r) => setCount(tabs, value, r.totalSize || 0))
          .catch((err) => { if (err.name !== "AbortError") setCount(tabs, value, "?"); });
      }
    }
    results.setAttribute("aria-busy", "true");
    results.classList.add("busy");
    if (!results.firstChild) replace(results, h("p", { class: "loading", role: "status" }, "Loading questions…"));
    try {
      const resp = await api.listQuestions({ ...f, state: cur.state, pageSize: cur.pageSize, pageToken: pages.tokens[cur.page - 1] }, { signal });
      setCount(tabs, cur.state, resp.totalSize || 0);
      if (resp.nextPageToken) pages.tokens[cur.page] = resp.nextPageToken;
      replace(results, renderPage(resp, cur, change));
    } catch (err) {
      if (err.name === "AbortError") return;
      replace(results, h("p", { class: "notice error", role: "alert" }, describe(err)));
    } finally {
      if (!signal.aborted) {
        results.removeAttribute("aria-busy");
        results.classList.remove("busy");
      }
    }
  }

  await load();
  return () => {
    if (controller) controller.abort();
    countController.abort();
  };
}

// rolesText names a question's roles, or "All roles" when it has every one.
function rolesText(roles = []) {
  const all = taxonomy().roles;
  if (roles.length && all.every((r) => roles.includes(r.id))) return "All roles";
  return roles.map(titles.role).join(", ");
}

function setCount(tabs, state, n) {
  const el = tabs.querySelector(`[data-count="${state}"]`);
  if (el) replace(el, typeof n === "number" ? n.toLocaleString() : n);
}

function renderPage(resp, cur, change) {
  const qs = resp.questions || [];
  const total = resp.totalSize || 0;
  if (!qs.length) {
    return h("p", { class: "empty" }, total ? "No more questions on this page." : `No ${stateName(cur.state).toLowerCase()} questions match these filters.`);
  }
  const pageSize = Number(cur.pageSize);
  const first = (cur.page - 1) * pageSize + 1;
  const last = first + qs.length - 1;
  const summary = `${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()}`;
  const pager = h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", class: "button", disabled: cur.page <= 1, on: { click: () => change({ page: cur.page - 1 }) } }, "← Previous"),
    h("span", { class: "page-summary" }, `Page ${cur.page} · ${summary}`),
    h("button", { type: "button", class: "button", disabled: !resp.nextPageToken, on: { click: () => change({ page: cur.page + 1 }) } }, "Next →"));
  const table = h("table", { class: "questions" },
    h("caption", {}, `${total.toLocaleString()} ${stateName(cur.state).toLowerCase()} ${total === 1 ? "question" : "questions"} · showing ${summary}`),
    h("thead", {}, h("tr", {},
      ["Question", "Competency", "Format", "Min", "Roles", "State"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, qs.map((q) => h("tr", {},
      h("td", { class: "q-main" },
        h("a", { href: `#/q/${encodeURIComponent(q.id)}`, class: "q-id" }, q.id),
        h("span", { class: "version" }, ` v${q.version}`),
        h("p", { class: "q-text" }, q.text)),
      h("td", { "data-label": "Competency" }, titles.competency(q.competency), h("br"), h("span", { class: "muted" }, titles.dimension(q.dimension))),
      h("td", { "data-label": "Format" }, formatName(q.responseFormat)),
      h("td", { "data-label": "Minutes", class: "num" }, q.minutes || ""),
      h("td", { "data-label": "Roles" }, rolesText(q.roles),
        q.stacks && q.stacks.length ? h("span", { class: "muted" }, ` · ${q.stacks.map(titles.stack).join(", ")} only`) : null),
      h("td", { "data-label": "State" }, badge(stateName(q.state), stateKind(q.state)))))));
  return [table, pager];
}
