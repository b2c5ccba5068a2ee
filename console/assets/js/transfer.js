// Import and export. An import is checked first (a dry run that writes
// nothing) and shown item by item: what would be created, updated or left
// alone, and every problem with the item it belongs to. Only a clean check
// can be applied, and the import is all or nothing. Exports and PDFs are
// fetched with the token in a header and saved from a blob.
import { api, Code, describe, fieldLabel, session } from "./api.js";
import { downloadBlob, field, h, loading, replace, select } from "./dom.js";
import { setStatus } from "./shell.js";
import { states, taxonomy } from "./taxonomy.js";

export async function render(main) {
  replace(main,
    h("h1", {}, "Import and export"),
    session.isAdmin ? importSection() : h("section", { class: "card" }, h("h2", {}, "Import"),
      h("p", {}, "Importing changes the bank, so it needs an admin token. You can export and download everything below.")),
    exportSection(),
    pdfSection());
}

// parseBankFile reads what the bank's own tools write: an import request
// ({questions, source}, what `qbank export --format json` writes), a bare
// array of questions, or the HTTP export's lines (one JSON object a line:
// the header, then a question each; older servers wrap each in
// {"result": …}).
export function parseBankFile(text) {
  const trimmed = text.trim();
  if (!trimmed) throw new Error("the file is empty");
  try {
    const doc = JSON.parse(trimmed);
    if (Array.isArray(doc)) return { questions: doc };
    if (doc && Array.isArray(doc.questions)) return { questions: doc.questions, source: doc.source };
    if (doc && (doc.question || doc.header || doc.result)) return fromLines([doc]);
    if (doc && doc.id && doc.text !== undefined) return { questions: [doc] };
    throw new Error("it holds JSON, but not questions (expected an export or an import request)");
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  const lines = [];
  trimmed.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    try {
      lines.push(JSON.parse(line));
    } catch {
      throw new Error(`line ${i + 1} is not JSON (YAML files cannot be read here: export JSON with “qbank export --format json”)`);
    }
  });
  return fromLines(lines);
}

function fromLines(lines) {
  const out = { questions: [] };
  for (const raw of lines) {
    const msg = raw && raw.result ? raw.result : raw;
    if (raw && raw.error) throw new Error(`the export ended with an error: ${raw.error.message || "unknown"}`);
    if (msg.header) out.source = msg.header;
    else if (msg.question) out.questions.push(msg.question);
    else if (msg.id && msg.text !== undefined) out.questions.push(msg);
  }
  return out;
}

function importSection() {
  const input = h("input", { type: "file", name: "bankFile", accept: ".json,.ndjson,.jsonl,application/json,application/x-ndjson" });
  const out = h("div", { class: "import-result", "aria-live": "polite" });
  let parsed = null;
  let fileName = "";

  const check = async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    fileName = file.name;
    replace(out, loading(`Reading ${file.name}…`));
    try {
      parsed = parseBankFile(await file.text());
    } catch (err) {
      parsed = null;
      replace(out, h("p", { class: "notice error", role: "alert" }, `${file.name} cannot be imported: ${err.message}.`));
      return;
    }
    if (!parsed.questions.length) {
      replace(out, h("p", { class: "notice error", role: "alert" }, `${file.name} holds no questions.`));
      return;
    }
    replace(out, loading(`Checking ${parsed.questions.length} questions (nothing is written yet)…`));
    try {
      const resp = await api.importQuestions({ questions: parsed.questions, source: parsed.source, validateOnly: true });
      replace(out, preview(resp));
    } catch (err) {
      replace(out, problems(err));
    }
  };

  const preview = (resp) => {
    const results = resp.results || [];
    const byAction = (a) => results.filter((r) => r.action === a);
    const changes = (resp.createdCount || 0) + (resp.updatedCount || 0);
    const apply = h("button", { type: "button", class: "button primary", disabled: changes === 0, on: { click: async () => {
      apply.disabled = true;
      apply.textContent = "Importing…";
      try {
        const done = await api.importQuestions({ questions: parsed.questions, source: parsed.source, validateOnly: false });
        setStatus(`Imported ${fileName}: ${done.createdCount || 0} created, ${done.updatedCount || 0} updated, ${done.unchangedCount || 0} unchanged.`, "ok");
        replace(out, h("div", { class: "notice ok", role: "status" },
          h("p", {}, `Done. ${done.createdCount || 0} created, ${done.updatedCount || 0} updated, ${done.unchangedCount || 0} left as they were. The bank is now at revision ${done.bankRevision}.`)),
        resultsTable(done.results || []));
        input.value = "";
      } catch (err) {
        replace(out, problems(err));
      }
    } } }, changes ? `Import: create ${resp.createdCount || 0}, update ${resp.updatedCount || 0}` : "Nothing to import");
    return [
      h("div", { class: "notice ok", role: "status" },
        h("p", {}, `${fileName} is valid. Importing it would create ${resp.createdCount || 0}, update ${resp.updatedCount || 0} and leave ${resp.unchangedCount || 0} unchanged. Nothing has been written yet.`)),
      h("dl", { class: "counts" },
        h("dt", {}, "Created"), h("dd", { "data-count": "created" }, String(byAction("ACTION_CREATED").length)),
        h("dt", {}, "Updated"), h("dd", { "data-count": "updated" }, String(byAction("ACTION_UPDATED").length)),
        h("dt", {}, "Unchanged"), h("dd", { "data-count": "unchanged" }, String(byAction("ACTION_UNCHANGED").length))),
      h("div", { class: "actions" }, apply, h("button", { type: "button", class: "button", on: { click: () => { input.value = ""; replace(out); } } }, "Cancel")),
      resultsTable(results),
    ];
  };

  // problems lists what is wrong, item by item: "questions[3].competency"
  // belongs to item 4, shown with its id.
  const problems = (err) => {
    if (err.code !== Code.INVALID_ARGUMENT || !err.violations.length) {
      return h("p", { class: "notice error", role: "alert" }, `${fileName} was not imported: ${describe(err)}`);
    }
    const items = new Map();
    const general = [];
    for (const v of err.violations) {
      const m = v.field.match(/^questions\[(\d+)\]\.?(.*)$/);
      if (!m) { general.push(v); continue; }
      const i = Number(m[1]);
      if (!items.has(i)) items.set(i, []);
      items.get(i).push({ field: m[2], description: v.description });
    }
    const idOf = (i) => (parsed && parsed.questions[i] && parsed.questions[i].id) || "(no id)";
    return h("div", { class: "import-problems" },
      h("div", { class: "notice error", role: "alert" },
        h("p", {}, `${fileName} cannot be imported as it is: ${items.size} ${items.size === 1 ? "item has" : "items have"} problems${general.length ? ", and the file as a whole has some" : ""}. Nothing was written. Fix the file and choose it again.`),
        general.length ? h("ul", {}, general.map((v) => h("li", {}, `${fieldLabel(v.field)}: ${v.description}`))) : null),
      h("div", { class: "table-wrap" }, h("table", { class: "problems" },
        h("thead", {}, h("tr", {}, ["Item", "Question id", "Field", "Problem"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, [...items.entries()].sort(([a], [b]) => a - b).flatMap(([i, vs]) => vs.map((v, j) => h("tr", { "data-item": i },
          j === 0 ? h("th", { scope: "row", rowspan: vs.length }, `#${i + 1}`) : null,
          j === 0 ? h("td", { rowspan: vs.length, class: "q-id" }, idOf(i)) : null,
          h("td", {}, v.field ? fieldLabel(v.field) : "—"),
          h("td", {}, v.description))))))));
  };

  input.addEventListener("change", check);
  return h("section", { class: "card", "aria-labelledby": "import-title" },
    h("h2", { id: "import-title" }, "Import questions"),
    h("p", {}, "Choose a bank file: an export from this page, or from ", h("code", {}, "qbank export --format json"),
      ". It is checked first, and nothing changes until you confirm. New ids are created; changed questions get a new version (they need the etag they were exported with); unchanged ones are left alone. The import is all or nothing."),
    field("Bank file", input, { hint: "JSON or one JSON object a line (ndjson)." }),
    out);
}

function exportSection() {
  const tax = taxonomy();
  const role = select([["", "Every role"], ...tax.roles.map((r) => [r.id, r.title || r.id])], "", { name: "exportRole" });
  const collection = select([["", "Every collection"], ...tax.collections.map((c) => [c.id, c.title || c.id])], "", { name: "exportCollection" });
  const state = select([["", "Every state"], ...states], "", { name: "exportState" });
  const status = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button primary" }, "Download export");
  const form = h("form", { class: "inline-form", on: { submit: async (e) => {
    e.preventDefault();
    button.disabled = true;
    replace(status, loading("Exporting…"));
    try {
      const blob = await api.exportBank({ role: role.value, collection: collection.value, state: state.value });
      const name = `qbank-export${role.value ? `-${role.value}` : ""}${collection.value ? `-${collection.value}` : ""}.ndjson`;
      downloadBlob(blob, name);
      replace(status, h("p", { class: "notice ok", "data-bytes": blob.size }, `Saved ${name} (${Math.max(1, Math.round(blob.size / 1024)).toLocaleString()} KB).`));
    } catch (err) {
      replace(status, h("p", { class: "notice error" }, describe(err)));
    } finally {
      button.disabled = false;
    }
  } } },
  field("Role", role), tax.collections.length ? field("Collection", collection) : null, field("State", state),
  h("div", { class: "field" }, button));
  return h("section", { class: "card", "aria-labelledby": "export-title" },
    h("h2", { id: "export-title" }, "Export the bank"),
    h("p", {}, "One JSON object a line: a header with the taxonomy, then every matching question at its current version. It can be imported as it is."),
    form, status);
}

function pdfSection() {
  const tax = taxonomy();
  const role = select([["", "Every role"], ...tax.roles.map((r) => [r.id, r.title || r.id])], "", { name: "pdfRole" });
  const collection = select([["", "Every collection"], ...tax.collections.map((c) => [c.id, c.title || c.id])], "", { name: "pdfCollection" });
  const status = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button primary" }, "Download PDF");
  const form = h("form", { class: "inline-form", on: { submit: async (e) => {
    e.preventDefault();
    button.disabled = true;
    replace(status, loading("Typesetting the PDF…"));
    try {
      const blob = await api.bankPDF({ role: role.value, collection: collection.value });
      const name = `question-bank${role.value ? `-${role.value}` : ""}${collection.value ? `-${collection.value}` : ""}.pdf`;
      downloadBlob(blob, name);
      replace(status, h("p", { class: "notice ok", "data-bytes": blob.size }, `Saved ${name} (${Math.round(blob.size / 1024).toLocaleString()} KB).`));
    } catch (err) {
      replace(status, h("p", { class: "notice error" }, describe(err)));
    } finally {
      button.disabled = false;
    }
  } } },
  field("Role", role), tax.collections.length ? field("Collection", collection) : null,
  h("div", { class: "field" }, button));
  return h("section", { class: "card", "aria-labelledby": "pdf-title" },
    h("h2", { id: "pdf-title" }, "Question bank PDF"),
    h("p", {}, "The bank as a document for reviewers. Choose a role for that role's kit."),
    form, status);
}

// resultsTable lists what happens to each item: creations and updates in
// full, the unchanged folded away (a re-import of a large bank is mostly
// unchanged).
function resultsTable(results) {
  if (!results.length) return null;
  const names = { ACTION_CREATED: "create", ACTION_UPDATED: "update", ACTION_UNCHANGED: "unchanged" };
  const rows = (list) => h("div", { class: "table-wrap" }, h("table", { class: "import-results" },
    h("caption", { class: "visually-hidden" }, "What happens to each item"),
    h("thead", {}, h("tr", {}, ["Item", "Question id", "Action", "Version"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, list.map(([r, i]) => h("tr", { class: `action-${names[r.action] || "unknown"}` },
      h("th", { scope: "row" }, `#${i + 1}`),
      h("td", {}, h("a", { href: `#/q/${encodeURIComponent(r.id)}` }, r.id)),
      h("td", {}, names[r.action] || "—"),
      h("td", { class: "num" }, r.version ? `v${r.version}` : ""))))));
  const indexed = results.map((r, i) => [r, i]);
  const changes = indexed.filter(([r]) => r.action !== "ACTION_UNCHANGED");
  const same = indexed.filter(([r]) => r.action === "ACTION_UNCHANGED");
  return [
    changes.length ? rows(changes) : null,
    same.length ? h("details", { class: "sub" }, h("summary", {}, `${same.length} unchanged ${same.length === 1 ? "question" : "questions"}`), rows(same)) : null,
  ];
}
