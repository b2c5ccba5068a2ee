// The console's only way to the server: the JSON gateway on this origin,
// with the token the user signed in with. The token lives in sessionStorage
// (gone when the tab closes) and travels only in the Authorization header:
// never in a URL, a cookie or local storage.

const TOKEN_KEY = "qbank.token";
const ROLE_KEY = "qbank.role";

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY) || ""; },
  get role() { return sessionStorage.getItem(ROLE_KEY) || ""; },
  get isAdmin() { return this.role === "admin"; },
  save(token, role) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(ROLE_KEY, role);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ROLE_KEY);
  },
};

// gRPC status codes, as google.rpc.Status carries them.
export const Code = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5,
  ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9,
  ABORTED: 10, OUT_OF_RANGE: 11, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14,
  DATA_LOSS: 15, UNAUTHENTICATED: 16,
};

const httpToCode = {
  400: Code.INVALID_ARGUMENT, 401: Code.UNAUTHENTICATED, 403: Code.PERMISSION_DENIED,
  404: Code.NOT_FOUND, 405: Code.UNIMPLEMENTED, 409: Code.ABORTED, 412: Code.ABORTED,
  413: Code.INVALID_ARGUMENT, 429: Code.RESOURCE_EXHAUSTED, 501: Code.UNIMPLEMENTED,
  503: Code.UNAVAILABLE, 504: Code.DEADLINE_EXCEEDED,
};

// ApiError is a failed call: the HTTP status, the google.rpc.Status code
// and message, its field violations and, when the server sends one, the
// ErrorInfo reason.
export class ApiError extends Error {
  constructor({ status = 0, code = Code.UNKNOWN, message = "", violations = [], reason = "", retryAfter = 0, network = false }) {
    super(message);
    Object.assign(this, { status, code, violations, reason, retryAfter, network });
  }
}

let onUnauthenticated = () => {};

// whenSignedOut sets what happens when the server stops accepting the
// token (it was revoked, or the server restarted with new tokens).
export function whenSignedOut(fn) { onUnauthenticated = fn; }

// request calls the API. path starts with /v1/; query is an object whose
// arrays become repeated parameters; body is sent as JSON. as: "json"
// (default), "blob" or "text" for downloads.
export async function request(method, path, { query, body, signal, as = "json", token = session.token } = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    for (const v of [].concat(value)) {
      if (v !== undefined && v !== null && v !== "") url.searchParams.append(key, String(v));
    }
  }
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let resp;
  try {
    resp = await fetch(url, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError({ network: true, code: Code.UNAVAILABLE, message: String(err.message || err) });
  }
  if (!resp.ok) {
    const err = await errorFrom(resp);
    if (err.code === Code.UNAUTHENTICATED && token === session.token) onUnauthenticated(err);
    throw err;
  }
  if (as === "blob") return resp.blob();
  if (as === "text") return resp.text();
  if (resp.status === 204) return {};
  const text = await resp.text();
  return text ? JSON.parse(text) : {};
}

async function errorFrom(resp) {
  const init = {
    status: resp.status,
    code: httpToCode[resp.status] ?? (resp.status >= 500 ? Code.INTERNAL : Code.UNKNOWN),
    retryAfter: Number(resp.headers.get("Retry-After")) || 0,
  };
  let text = "";
  try { text = await resp.text(); } catch { /* the body is optional */ }
  try {
    const st = JSON.parse(text);
    // A streamed route may wrap its status in {"error": …}.
    const s = st && st.error && typeof st.error === "object" ? st.error : st;
    if (typeof s.code === "number") init.code = s.code;
    init.message = s.message || "";
    for (const d of s.details || []) {
      const type = d["@type"] || "";
      if (type.endsWith("google.rpc.BadRequest")) init.violations = d.fieldViolations || [];
      if (type.endsWith("google.rpc.ErrorInfo")) init.reason = d.reason || "";
    }
  } catch {
    init.message = text.trim().slice(0, 300);
  }
  if (resp.status === 412) init.code = Code.ABORTED; // If-Match failed: stale etag
  return new ApiError(init);
}

// describe turns a failed call into a sentence a curator understands; the
// server's own message follows as the detail when it adds something.
export function describe(err, { what = "" } = {}) {
  if (!(err instanceof ApiError)) return `Something went wrong in the console: ${err && err.message ? err.message : err}.`;
  const detail = err.message ? ` (${err.message})` : "";
  if (err.network) return "The console could not reach the qbank server. Check that it is running and try again.";
  switch (err.code) {
    case Code.UNAUTHENTICATED:
      return "The server did not accept your token. Sign in again with a valid token.";
    case Code.PERMISSION_DENIED:
      return "Your token may read the bank but not change it. An admin token is needed for this.";
    case Code.NOT_FOUND:
      return `${what || "That"} does not exist${detail}.`;
    case Code.ALREADY_EXISTS:
      return `${what || "Something"} with that id already exists. Choose another id.`;
    case Code.ABORTED:
      return `Someone changed ${what || "this"} after you opened it, so your change was not saved.`;
    case Code.INVALID_ARGUMENT:
      return err.violations.length
        ? `Some fields need attention: ${err.violations.length === 1 ? "one problem" : `${err.violations.length} problems`} (shown next to each field).`
        : `The server refused the request${detail}.`;
    case Code.FAILED_PRECONDITION:
      return `This cannot be done with the bank as it is: ${err.message || "a precondition failed"}.`;
    case Code.RESOURCE_EXHAUSTED:
      return `Too many requests from this token. Wait ${err.retryAfter || "a few"} seconds and try again.`;
    case Code.UNAVAILABLE:
      return "The bank's database is not answering right now, so changes cannot be saved. Reading still works; try again in a moment.";
    case Code.DEADLINE_EXCEEDED:
      return "The server took too long to answer. Try again.";
    case Code.UNIMPLEMENTED:
      return "This server does not offer that yet: it needs a newer version of qbank.";
    case Code.CANCELLED:
      return "The request was cancelled.";
    default:
      return `The server hit an internal error${err.status ? ` (HTTP ${err.status})` : ""}. Try again; if it keeps happening, tell whoever runs qbank.`;
  }
}

// fieldLabels are the words a curator knows for the API's field paths.
const fieldLabels = {
  id: "Id", questionId: "Id", text: "Question text", roles: "Roles", dimension: "Dimension",
  competency: "Competency", whatItReveals: "What it reveals", responseFormat: "Response format",
  minutes: "Minutes", seniorities: "Seniorities", stacks: "Stacks", stackVariants: "Stack variants",
  followUps: "Follow-ups", scoringGuide: "Scoring guide", collections: "Collections",
  state: "State", changeNote: "Change note", etag: "Version check (etag)", title: "Title",
  owner: "Owner", role: "Role", seniority: "Seniority", minMinutes: "Minimum minutes",
  maxMinutes: "Maximum minutes", dimensionWeights: "Dimension weights",
  requiredQuestionIds: "Required questions", excludedQuestionIds: "Excluded questions",
  tolerancePoints: "Tolerance", templateId: "Template", seed: "Seed", strong: "Strong answer",
  adequate: "Adequate answer", weak: "Weak answer", levels: "Level guides",
  pageSize: "Page size", pageToken: "Page", query: "Search", updateMask: "Changed fields",
  questions: "Questions", refs: "Questions",
};

// fieldLabel renders an API field path ("question.stackVariants[go].text")
// in words ("Stack variants (go) › Question text").
export function fieldLabel(path) {
  const parts = path.replace(/^(question|template|assessment)\./, "").split(".");
  return parts.map((part) => {
    const m = part.match(/^([A-Za-z]+)(?:\[(.+)\])?$/);
    if (!m) return part;
    const label = fieldLabels[m[1]] || m[1];
    if (m[2] === undefined) return label;
    return /^\d+$/.test(m[2]) ? `${label} #${Number(m[2]) + 1}` : `${label} (${m[2]})`;
  }).join(" › ");
}

// api names each call the console makes.
export const api = {
  taxonomy: (o) => request("GET", "/v1/taxonomy", o),
  listQuestions: (query, o = {}) => request("GET", "/v1/questions", { ...o, query }),
  getQuestion: (id, version, o = {}) =>
    request("GET", `/v1/questions/${encodeURIComponent(id)}`, { ...o, query: version ? { version } : {} }),
  batchGet: (refs, o = {}) => request("GET", "/v1/questions:batchGet", { ...o, query: { refs } }),
  listVersions: (id, query, o = {}) =>
    request("GET", `/v1/questions/${encodeURIComponent(id)}/versions`, { ...o, query }),
  createQuestion: (question) => request("POST", "/v1/questions", { body: question }),
  updateQuestion: (question, mask) => request("PATCH", `/v1/questions/${encodeURIComponent(question.id)}`, {
    query: { updateMask: mask.join(",") }, body: question,
  }),
  retire: (id, etag, changeNote) =>
    request("POST", `/v1/questions/${encodeURIComponent(id)}:retire`, { body: { etag, changeNote } }),
  restore: (id, etag, changeNote) =>
    request("POST", `/v1/questions/${encodeURIComponent(id)}:restore`, { body: { etag, changeNote } }),
  assemble: (req, o = {}) => request("POST", "/v1/assessments:assemble", { ...o, body: req }),
  analyzeExposure: (req, o = {}) => request("POST", "/v1/assessments:analyzeExposure", { ...o, body: req }),
  listTemplates: (query, o = {}) => request("GET", "/v1/templates", { ...o, query }),
  getTemplate: (id) => request("GET", `/v1/templates/${encodeURIComponent(id)}`),
  createTemplate: (t) => request("POST", "/v1/templates", { body: t }),
  updateTemplate: (t, mask) => request("PATCH", `/v1/templates/${encodeURIComponent(t.id)}`, {
    query: { updateMask: mask.join(",") }, body: t,
  }),
  deleteTemplate: (id, etag) =>
    request("DELETE", `/v1/templates/${encodeURIComponent(id)}`, { query: { etag } }),
  importQuestions: (body) => request("POST", "/v1/questions:import", { body }),
  exportBank: (query) => request("GET", "/v1/question-bank:export", { query, as: "blob" }),
  bankPDF: (query) => request("GET", "/v1/question-bank.pdf", { query, as: "blob" }),
  interviewKitPDF: (query) => request("GET", "/v1/interview-kit.pdf", { query, as: "blob" }),
};

// signIn checks a token and finds its role. Reading the taxonomy proves the
// token is known; an empty dry-run import (which writes nothing, and which
// the server refuses before reading it unless the token is an admin's)
// tells an admin from a reader.
export async function signIn(token) {
  await request("GET", "/v1/taxonomy", { token });
  try {
    await request("POST", "/v1/questions:import", { token, body: { validateOnly: true, questions: [] } });
    return "admin";
  } catch (err) {
    if (err instanceof ApiError && err.code === Code.PERMISSION_DENIED) return "reader";
    if (err instanceof ApiError && err.code === Code.INVALID_ARGUMENT) return "admin";
    throw err;
  }
}
