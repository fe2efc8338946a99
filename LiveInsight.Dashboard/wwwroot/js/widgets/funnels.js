import { ApiError, askJson, deleteJson, getJson, postJson, putJson } from "../api.js";
import { el, formatDuration, formatNumber, setState } from "../dom.js";
import { COMPARISON_LABELS, dateRange, queryFilters } from "../query.js";

const funnelsPath = (siteId) => `sites/${encodeURIComponent(siteId)}/funnels`;
const WINDOWS = [["session", "Same session"], ["1h", "Within 1 hour"], ["24h", "Within 24 hours"], ["7d", "Within 7 days"]];
const MAX_STEPS = 8;
const percent = (value) => `${Math.round((value ?? 0) * 10) / 10}%`;

/** The site's funnels ({funnels: [...]}, GET /api/sites/{siteId}/funnels through the proxy). */
export const listFunnels = (siteId) => getJson(funnelsPath(siteId));

/**
 * The funnel view: a picker of the site's funnels and, for the picked one, a horizontal bar per step (its width the
 * share of step 1's visitors) with visitors, conversion from step 1 and from the previous step, drop-off and the
 * median time since the previous step, for the dashboard's period and filters (POST …/funnels/{id}/query). With the
 * view's comparison on, each step also shows its visitors in the compared period. The picked funnel is the view's
 * (state.funnel, in the URL); onPick(id) is told when the reader picks another. Step labels come from site admins and
 * are shown as text like every other label.
 */
export function funnelsWidget(container, onPick = () => {}) {
  const picker = el("select", { id: "funnel-picker", class: "control", "aria-label": "Funnel" });
  const steps = el("ol", { class: "space-y-3", "data-funnel-steps": true });
  const summary = el("p", { class: "text-sm text-slate-600 dark:text-slate-400", "data-funnel-summary": true });
  const card = el("div", { class: "card md:col-span-2 xl:col-span-3", id: "funnels", "data-widget": "funnels" },
    el("div", { class: "mb-3 flex flex-wrap items-center justify-between gap-2" },
      el("h2", { class: "card-title", id: "funnels-title" }, "Funnels"), picker),
    summary, steps,
    el("p", { class: "state", "data-state": true }, "Loading…"));
  container.append(card);
  setState(card, "loading");
  let current = null; // the state of the last load, for a change of funnel
  let picked = ""; // the funnel shown

  picker.addEventListener("change", () => {
    picked = picker.value;
    onPick(picked);
    if (current) load(current);
  });

  /** The bar's width through the CSSOM: the Content-Security-Policy allows no inline style attribute. */
  function bar(share) {
    const fill = el("div", { class: "h-3 rounded bg-indigo-500", "data-bar": true });
    fill.style.width = `${Math.max(0, Math.min(100, Number(share) || 0))}%`;
    return fill;
  }

  /** The same step in the compared period: "previous period: 12 visitors (40% of step 1)". */
  function compared(answer, s) {
    const before = answer.comparison?.steps?.[s.step - 1];
    if (!before) return null;
    return el("span", { class: "block text-xs text-slate-600 dark:text-slate-400", "data-step-comparison": before.visitors },
      `${COMPARISON_LABELS[answer.comparison.mode] ?? "compared period"}: ${formatNumber(before.visitors)} ${before.visitors === 1 ? "visitor" : "visitors"}` +
      (s.step === 1 ? "" : ` (${percent(before.conversion_rate)} of step 1)`));
  }

  function render(answer) {
    const first = answer.steps[0]?.visitors ?? 0;
    summary.textContent = `${formatNumber(first)} of ${formatNumber(answer.all_visitors)} visitors entered the funnel; ` +
      `${formatNumber(answer.steps.at(-1)?.visitors ?? 0)} completed it (${percent(answer.steps.at(-1)?.conversion_rate)}).`;
    steps.replaceChildren(...answer.steps.map((s) => el("li", { "data-funnel-step": s.step, "data-visitors": s.visitors },
      el("div", { class: "flex flex-wrap items-baseline justify-between gap-2 text-sm" },
        el("span", { class: "font-medium" }, `${s.step}. `, el("span", { "data-step-label": true }, s.label)),
        el("span", { class: "tabular-nums", "data-step-figures": true },
          `${formatNumber(s.visitors)} ${s.visitors === 1 ? "visitor" : "visitors"} · ${percent(s.conversion_rate)} of step 1` +
          (s.step === 1 ? "" : ` · ${percent(s.conversion_rate_step)} of step ${s.step - 1} · drop-off ${formatNumber(s.dropoff)} (${percent(s.dropoff_percentage)})`) +
          (s.median_seconds === null || s.median_seconds === undefined ? "" : ` · median ${formatDuration(s.median_seconds)}`)),
        compared(answer, s)),
      el("div", { class: "mt-1 h-3 w-full rounded bg-slate-100 dark:bg-slate-800", role: "img",
        "aria-label": `${s.label}: ${percent(s.conversion_rate)} of step 1` }, bar(first === 0 ? 0 : s.conversion_rate)))));
    const nobody = (steps) => (steps ?? []).every((s) => s.visitors === 0);
    setState(card, nobody(answer.steps) && nobody(answer.comparison?.steps) ? "empty" : "ready", "No visitor entered this funnel in this period.");
  }

  async function load(state) {
    current = state;
    const version = state.version;
    if (card.dataset.status !== "ready") setState(card, "loading");
    try {
      const { funnels } = await listFunnels(state.site);
      if (version !== state.version) return;
      picker.replaceChildren(...funnels.map((f) => el("option", { value: f.id }, f.name)));
      picker.hidden = funnels.length === 0;
      if (funnels.length === 0) {
        steps.replaceChildren();
        summary.textContent = "";
        setState(card, "empty", "No funnels yet: a site administrator adds them in the site's settings (Sites).");
        return;
      }
      picked = state.funnel; // the view's pick (the URL: a link, a reload, Back); none or unknown: the first funnel
      if (!funnels.some((f) => f.id === picked)) picked = funnels[0].id;
      picker.value = picked;
      const body = { date_range: dateRange(state), filters: queryFilters(state) };
      if (state.compare) body.include = { comparisons: { mode: state.compare } };
      const answer = await askJson(`${funnelsPath(state.site)}/${encodeURIComponent(picked)}/query`, body);
      if (version !== state.version || picker.value !== picked) return;
      render(answer);
    } catch (e) {
      if (version !== state.version) return;
      steps.replaceChildren();
      summary.textContent = "";
      setState(card, "error", e instanceof ApiError && e.status === 404 ? "Funnels are not available from this Api." : e.message);
    }
  }

  return { load };
}

/**
 * Site settings: the site's funnels with Edit and Delete, and a form with a name, a window and 2 to 8 steps (a page
 * path pattern such as /pricing/**, or a custom event's name with optionally one prop's value). Site administrators only.
 */
export function funnelsControl(site) {
  const status = el("p", { class: "text-sm", "aria-live": "polite", "data-funnels-status": true });
  const list = el("ul", { class: "space-y-1 text-sm", "data-funnels": site.site_id });
  const id = (name) => `funnel-${name}-${site.site_id}`;
  const name = el("input", { id: id("name"), class: "control w-full", placeholder: "Signup funnel", maxlength: 120 });
  const windowSelect = el("select", { id: id("window"), class: "control" }, WINDOWS.map(([value, text]) => el("option", { value }, text)));
  const rows = el("ol", { class: "space-y-2", "data-funnel-step-rows": true });
  const addStep = el("button", { type: "button", class: "btn" }, "Add step");
  const submit = el("button", { type: "submit", class: "btn" }, "Add funnel");
  const cancel = el("button", { type: "button", class: "btn", hidden: true }, "Cancel edit");
  const label = (input, text) => el("label", { for: input.id, class: "mb-1 block text-xs font-medium" }, text);
  let editing = null;
  let counter = 0;

  function stepRow(step = { kind: "page" }) {
    const n = ++counter;
    const kind = el("select", { id: id(`kind-${n}`), class: "control", "aria-label": "Step type" },
      el("option", { value: "page" }, "Page visit"), el("option", { value: "event" }, "Custom event"));
    const value = el("input", { id: id(`value-${n}`), class: "control w-full", "aria-label": "Page path or event name", maxlength: 300 });
    const propKey = el("input", { id: id(`prop-key-${n}`), class: "control w-full", placeholder: "prop key (optional)", "aria-label": "Prop key", maxlength: 300 });
    const propValue = el("input", { id: id(`prop-value-${n}`), class: "control w-full", placeholder: "prop value", "aria-label": "Prop value", maxlength: 2000 });
    const props = el("div", { class: "grid gap-2 sm:grid-cols-2" }, propKey, propValue);
    const sync = () => {
      props.hidden = kind.value !== "event";
      value.placeholder = kind.value === "page" ? "/pricing/**" : "Signup";
    };
    kind.value = step.kind;
    value.value = (step.kind === "page" ? step.path : step.event_name) ?? "";
    propKey.value = step.prop_key ?? "";
    propValue.value = step.prop_value ?? "";
    kind.addEventListener("change", sync);
    sync();
    const row = el("li", { class: "grid gap-2 sm:grid-cols-[auto_1fr_auto]", "data-funnel-step-row": true },
      kind, el("div", { class: "space-y-2" }, value, props),
      el("button", { type: "button", class: "btn", "aria-label": "Remove step", onclick: () => { row.remove(); syncButtons(); } }, "Remove"));
    row.read = () => {
      const body = { kind: kind.value };
      if (kind.value === "page") body.path = value.value.trim();
      else {
        body.event_name = value.value.trim();
        if (propKey.value.trim()) {
          body.prop_key = propKey.value.trim();
          body.prop_value = propValue.value;
        }
      }
      if (step.display_name) body.display_name = step.display_name;
      return body;
    };
    return row;
  }

  function syncButtons() {
    addStep.disabled = rows.children.length >= MAX_STEPS;
    for (const button of rows.querySelectorAll("[aria-label='Remove step']")) button.disabled = rows.children.length <= 2;
  }

  function fill(funnel) {
    editing = funnel;
    name.value = funnel?.name ?? "";
    windowSelect.value = funnel?.window ?? "session";
    rows.replaceChildren(...(funnel?.steps ?? [{ kind: "page" }, { kind: "page" }]).map(stepRow));
    submit.textContent = funnel ? "Save funnel" : "Add funnel";
    cancel.hidden = !funnel;
    syncButtons();
  }

  function show(funnels) {
    list.replaceChildren(...funnels.map((f) => el("li", { class: "flex items-center gap-2", "data-funnel": f.id },
      el("span", { class: "min-w-0 flex-1 truncate", title: f.name }, f.name),
      el("span", { class: "text-xs text-slate-600 dark:text-slate-400" }, `${f.steps.length} steps · ${WINDOWS.find(([w]) => w === f.window)?.[1] ?? f.window}`),
      el("button", { type: "button", class: "btn", "aria-label": `Edit funnel ${f.name}`, onclick: () => fill(f) }, "Edit"),
      el("button", { type: "button", class: "btn", "aria-label": `Delete funnel ${f.name}`, onclick: () => remove(f) }, "Delete"))));
    if (funnels.length === 0) list.replaceChildren(el("li", { class: "text-slate-600 dark:text-slate-400" }, "No funnels yet."));
  }

  async function refresh() {
    try {
      show((await listFunnels(site.site_id)).funnels);
    } catch (e) {
      status.textContent = `Funnels: ${e.message}`;
    }
  }

  async function remove(funnel) {
    if (!confirm(`Delete the funnel “${funnel.name}”?`)) return;
    try {
      await deleteJson(`${funnelsPath(site.site_id)}/${encodeURIComponent(funnel.id)}`);
      status.textContent = "Funnel deleted.";
      if (editing?.id === funnel.id) fill(null);
      await refresh();
    } catch (e) {
      status.textContent = `Funnel not deleted: ${e.message}`;
    }
  }

  /** A validation problem names fields such as steps[1].path: shown as "step 2: …". */
  function problemText(e) {
    const errors = e instanceof ApiError ? e.problem?.errors : null;
    if (!errors) return e.message;
    return Object.entries(errors).map(([field, messages]) =>
      `${field.replace(/^steps\[(\d+)\]\.?/, (_, i) => `step ${Number(i) + 1} `).trim()}: ${[].concat(messages).join(" ")}`).join(" ");
  }

  const form = el("form", { class: "space-y-2", "aria-label": `Add a funnel to ${site.name}` },
    el("div", { class: "grid gap-2 sm:grid-cols-2" }, el("div", {}, label(name, "Funnel name"), name), el("div", {}, label(windowSelect, "Steps must happen"), windowSelect)),
    rows,
    el("div", { class: "flex flex-wrap gap-2" }, addStep, submit, cancel));
  addStep.addEventListener("click", () => {
    rows.append(stepRow());
    syncButtons();
  });
  cancel.addEventListener("click", () => fill(null));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { name: name.value.trim(), window: windowSelect.value, steps: [...rows.children].map((row) => row.read()) };
    try {
      const saved = editing
        ? await putJson(`${funnelsPath(site.site_id)}/${encodeURIComponent(editing.id)}`, body)
        : await postJson(funnelsPath(site.site_id), body);
      status.textContent = `Funnel “${saved.name}” ${editing ? "saved" : "added"}.`;
      fill(null);
      await refresh();
    } catch (err) {
      status.textContent = `Funnel not ${editing ? "saved" : "added"}: ${problemText(err)}`;
    }
  });

  fill(null);
  refresh();
  return el("section", { class: "space-y-2 border-t border-slate-200 pt-3 dark:border-slate-700", "aria-label": `Funnels of ${site.name}` },
    el("h4", { class: "text-sm font-semibold" }, "Funnels"),
    el("p", { class: "text-xs text-slate-600 dark:text-slate-400" },
      "A funnel counts the visitors who go through its steps in order; the dashboard's Funnels view shows each step's conversion and drop-off. " +
      "Visitor ids change at midnight UTC (the daily salt), so no window reaches past it."),
    list, form, status);
}
