// The API reference page (/api-reference, signed-in users): the Api's OpenAPI document rendered as text (el →
// textContent), grouped by tag, with each operation's parameters and how to authenticate.
import { $, el } from "./dom.js";

const METHODS = ["get", "post", "put", "patch", "delete"];

function parameters(operation) {
  const list = operation.parameters ?? [];
  if (list.length === 0) return null;
  return el("ul", { class: "ml-4 list-disc text-sm" }, list.map((p) =>
    el("li", {}, el("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""})`, p.description ? ` — ${p.description}` : "")));
}

function operationItem(path, method, operation) {
  const open = (operation.security ?? [{ bearer: [] }]).every((s) => Object.keys(s).length === 0);
  return el("li", { class: "space-y-1 border-t border-slate-200 pt-2 dark:border-slate-700", "data-operation": operation.operationId ?? "" },
    el("p", {}, el("strong", { class: "font-mono uppercase" }, method), " ", el("code", { class: "break-all" }, path),
      open ? el("span", { class: "ml-2 text-xs text-slate-500" }, "no credential") : null),
    operation.summary ? el("p", { class: "text-sm text-slate-600 dark:text-slate-400" }, operation.summary) : null,
    parameters(operation),
    operation.requestBody ? el("p", { class: "text-sm" }, "Body: ", Object.keys(operation.requestBody.content ?? {}).join(", ")) : null);
}

async function main() {
  let document;
  try {
    const response = await fetch("/api-reference/openapi.json", { credentials: "same-origin" });
    if (response.status === 401) {
      location.assign(`/login?returnUrl=${encodeURIComponent("/api-reference")}`);
      return;
    }
    if (!response.ok) throw new Error(`the reference answered ${response.status}`);
    document = await response.json();
  } catch (e) {
    $("#error").textContent = `The API reference is not available: ${e.message}`;
    $("#error").hidden = false;
    return;
  }

  $("#server").textContent = document.servers?.[0]?.url ?? "";
  const scheme = document.components?.securitySchemes?.bearer;
  $("#auth").textContent = scheme
    ? `Authorization: Bearer … — ${scheme.description ?? ""}`
    : "No authentication scheme is declared.";

  const groups = new Map();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? "Other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push(operationItem(path, method, operation));
    }
  }
  $("#operations").replaceChildren(...[...groups.entries()].map(([tag, items]) =>
    el("section", { class: "card", "aria-label": tag },
      el("h2", { class: "card-title" }, tag),
      el("ul", { class: "space-y-2" }, items))));
}

main();
