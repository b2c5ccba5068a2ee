// The taxonomy, read once per sign-in: every select, checkbox list and
// title on the screens comes from it, so the console never hard-codes a
// role, stack or competency.
import { api } from "./api.js";

let cached = null;

export async function loadTaxonomy() {
  if (!cached) {
    const tax = await api.taxonomy();
    cached = {
      dimensions: tax.dimensions || [],
      competencies: tax.competencies || [],
      roles: tax.roles || [],
      stacks: tax.stacks || [],
      seniorities: tax.seniorities || [],
      collections: tax.collections || [],
      ratingScale: tax.ratingScale || [],
      reviewerGuidance: tax.reviewerGuidance || [],
    };
  }
  return cached;
}

export function forgetTaxonomy() { cached = null; }

export function taxonomy() { return cached; }

function titleOf(list, id) {
  const found = list.find((x) => x.id === id);
  return found ? found.title || id : id;
}

export const titles = {
  role: (id) => titleOf(cached.roles, id),
  dimension: (id) => titleOf(cached.dimensions, id),
  competency: (id) => titleOf(cached.competencies, id),
  stack: (id) => titleOf(cached.stacks, id),
  collection: (id) => titleOf(cached.collections, id),
};

export function competency(id) { return cached.competencies.find((c) => c.id === id); }
export function role(id) { return cached.roles.find((r) => r.id === id); }

export const formats = [
  ["RESPONSE_FORMAT_VIDEO", "Video"],
  ["RESPONSE_FORMAT_WRITTEN", "Written"],
];

export function formatName(f) {
  const found = formats.find(([v]) => v === f);
  return found ? found[1] : "—";
}

export const states = [
  ["STATE_ACTIVE", "Active"],
  ["STATE_DRAFT", "Draft"],
  ["STATE_RETIRED", "Retired"],
];

export function stateName(s) {
  const found = states.find(([v]) => v === s);
  return found ? found[1] : "Active";
}

export function stateKind(s) {
  return { STATE_DRAFT: "draft", STATE_RETIRED: "retired" }[s] || "active";
}

export function capitalize(s) { return s ? s[0].toUpperCase() + s.slice(1) : s; }
