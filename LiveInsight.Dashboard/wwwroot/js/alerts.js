import { ApiError, deleteJson, getJson, postJson, putJson } from "./api.js";
import { el } from "./dom.js";
import { canManage } from "./sites.js";

// Alert rules and scheduled reports of the selected site, for its admins and owners. Everything the Api returns (rule
// names, goal names, addresses, webhook URLs, delivery errors) is set as text through dom.js.
const KINDS = {
  spike: "Traffic spike (this hour above N × the usual)",
  drop: "Traffic drop (no events for 30 minutes in a busy hour)",
  goal: "Goal (conversions in the last hour)",
};

function errorText(e) {
  if (e instanceof ApiError && e.problem?.errors) return Object.values(e.problem.errors).flat().join(" ");
  return e.message;
}

function describe(rule) {
  if (rule.kind === "spike") return rule.visitors_above ? `more than ${rule.visitors_above} current visitors` : `this hour above ${rule.baseline_factor} × the usual`;
  if (rule.kind === "drop") return rule.silent_minutes ? `no events for ${rule.silent_minutes} minutes` : `last hour below ${rule.baseline_factor} × the usual`;
  return `“${rule.goal}” ${rule.direction} ${rule.threshold} in ${rule.window_hours} h`;
}

export function alertsPanel(root, button) {
  let site = null;
  const status = el("p", { class: "text-sm", role: "status" });
  const rules = el("tbody");
  const reports = el("tbody");
  const deliveries = el("tbody");
  const base = () => `sites/${encodeURIComponent(site.site_id)}`;

  const kind = el("select", { id: "alert-kind", class: "control" }, Object.entries(KINDS).map(([k, label]) => el("option", { value: k }, label)));
  const goal = el("input", { id: "alert-goal", class: "control", maxlength: 200, placeholder: "Signup" });
  const threshold = el("input", { id: "alert-threshold", class: "control w-24", type: "number", min: 0, value: 1 });
  const email = el("input", { id: "alert-email", class: "control", type: "email", maxlength: 254, placeholder: "you@example.com" });
  const webhook = el("input", { id: "alert-webhook", class: "control", type: "url", maxlength: 2000, placeholder: "https://hooks.slack.com/…" });
  const format = el("select", { id: "alert-format", class: "control" }, ["json", "slack", "discord"].map((f) => el("option", { value: f }, f)));
  const ruleForm = el("form", { class: "flex flex-wrap items-end gap-2", onsubmit: addRule },
    el("label", { for: "alert-kind", class: "sr-only" }, "Kind"), kind,
    el("label", { for: "alert-goal", class: "text-sm" }, "Goal"), goal,
    el("label", { for: "alert-threshold", class: "text-sm" }, "above"), threshold,
    el("label", { for: "alert-email", class: "sr-only" }, "E-mail"), email,
    el("label", { for: "alert-webhook", class: "sr-only" }, "Webhook URL"), webhook,
    el("label", { for: "alert-format", class: "sr-only" }, "Webhook format"), format,
    el("button", { type: "submit", class: "btn-primary" }, "Add and turn on"));

  const reportEmail = el("input", { id: "report-email", class: "control", type: "email", maxlength: 254, required: true, placeholder: "you@example.com" });
  const frequency = el("select", { id: "report-frequency", class: "control" }, el("option", { value: "weekly" }, "weekly"), el("option", { value: "monthly" }, "monthly"));
  const hour = el("input", { id: "report-hour", class: "control w-20", type: "number", min: 0, max: 23, value: 8 });
  const reportForm = el("form", { class: "flex flex-wrap items-end gap-2", onsubmit: addReport },
    el("label", { for: "report-email", class: "sr-only" }, "Recipient"), reportEmail,
    el("label", { for: "report-frequency", class: "sr-only" }, "Frequency"), frequency,
    el("label", { for: "report-hour", class: "text-sm" }, "at hour (site time)"), hour,
    el("button", { type: "submit", class: "btn-primary" }, "Schedule report"));

  root.replaceChildren(status,
    el("h3", { class: "mt-2 font-semibold" }, "Alert rules"),
    el("p", { class: "text-sm text-slate-600 dark:text-slate-400" }, "Nothing is on until you add a rule. The signing secret of a webhook is shown once."),
    el("table", { class: "w-full text-sm" }, rules), ruleForm,
    el("h3", { class: "mt-4 font-semibold" }, "Scheduled reports"),
    el("table", { class: "w-full text-sm" }, reports), reportForm,
    el("h3", { class: "mt-4 font-semibold" }, "Recent deliveries"),
    el("table", { class: "w-full text-sm" }, deliveries));

  async function addRule(e) {
    e.preventDefault();
    const body = { kind: kind.value, enabled: true, emails: email.value ? [email.value] : [], webhooks: webhook.value ? [{ url: webhook.value, format: format.value }] : [] };
    if (kind.value === "goal") Object.assign(body, { goal: goal.value, threshold: Number(threshold.value), direction: "above" });
    try {
      const created = await postJson(`${base()}/alerts`, body);
      status.textContent = body.webhooks.length ? `Rule added. Webhook signing secret (shown once): ${created.webhook_secret}` : "Rule added.";
    } catch (e2) {
      status.textContent = `Not added: ${errorText(e2)}`;
    }
    refresh();
  }

  async function addReport(e) {
    e.preventDefault();
    try {
      await postJson(`${base()}/reports`, { email: reportEmail.value, frequency: frequency.value, hour: Number(hour.value) });
      status.textContent = "Report scheduled.";
    } catch (e2) {
      status.textContent = `Not scheduled: ${errorText(e2)}`;
    }
    refresh();
  }

  async function toggle(rule) {
    const { id, created_at: _c, ...rest } = rule;
    try {
      await putJson(`${base()}/alerts/${encodeURIComponent(id)}`, { ...rest, enabled: !rule.enabled });
    } catch (e) {
      status.textContent = `Not changed: ${errorText(e)}`;
    }
    refresh();
  }

  async function remove(path) {
    try {
      await deleteJson(`${base()}/${path}`);
    } catch (e) {
      status.textContent = `Not deleted: ${errorText(e)}`;
    }
    refresh();
  }

  function ruleRow(rule) {
    const to = [...rule.emails, ...rule.webhooks.map((w) => `${w.format}: ${w.url}`)].join(", ") || "nobody";
    return el("tr", { "data-rule": rule.id },
      el("td", {}, KINDS[rule.kind]?.split(" (")[0] ?? rule.kind),
      el("td", {}, describe(rule)),
      el("td", { class: "break-all" }, to),
      el("td", {}, el("button", { type: "button", class: "btn", onclick: () => toggle(rule) }, rule.enabled ? "Turn off" : "Turn on")),
      el("td", {}, el("button", { type: "button", class: "btn", onclick: () => remove(`alerts/${encodeURIComponent(rule.id)}`) }, "Delete")));
  }

  async function refresh() {
    if (!site) return;
    try {
      const [r, p, d] = await Promise.all([getJson(`${base()}/alerts`), getJson(`${base()}/reports`), getJson(`${base()}/alerts/deliveries`)]);
      rules.replaceChildren(...r.rules.map(ruleRow));
      reports.replaceChildren(...p.reports.map((x) => el("tr", { "data-report": x.id },
        el("td", { class: "break-all" }, x.email), el("td", {}, `${x.frequency} at ${x.hour}:00`),
        el("td", {}, el("button", { type: "button", class: "btn", onclick: () => remove(`reports/${encodeURIComponent(x.id)}`) }, "Delete")))));
      deliveries.replaceChildren(...d.deliveries.slice(0, 20).map((x) => el("tr", {},
        el("td", {}, new Date(x.at).toLocaleString()), el("td", {}, x.channel), el("td", { class: "break-all" }, x.target),
        el("td", {}, x.subject), el("td", {}, x.outcome), el("td", { class: "break-all" }, x.error ?? ""))));
    } catch (e) {
      status.textContent = e.message;
    }
  }

  button.addEventListener("click", () => {
    const panel = root.closest("section");
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) refresh();
  });

  /** Only the selected site's admins and owners see the button and the panel (rules hold webhook URLs). */
  function show(selected) {
    site = selected ?? null;
    const allowed = site ? canManage(site) : false;
    button.hidden = !allowed;
    const panel = root.closest("section");
    if (!allowed) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
    } else if (!panel.hidden) {
      refresh();
    }
  }

  return { show };
}
