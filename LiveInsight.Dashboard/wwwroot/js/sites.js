import { ApiError, deleteJson, getJson, patchJson, postJson } from "./api.js";
import { el } from "./dom.js";
import { shareControl } from "./share.js";
import { importsControl } from "./imports.js";
import { funnelsControl } from "./widgets/funnels.js";
import { lifecycleControl } from "./lifecycle.js";
import { installationControl } from "./installation.js";
import { goalsControl } from "./widgets/goals.js";

/** Settings and keys are for a site's admins and owners (the sites list carries the user's role). */
export const canManage = (site) => site.role === "admin" || site.role === "owner";
const lines = (text) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];

function snippet(apiUrl, publicKey) {
  return `<script defer src="${apiUrl}/liveinsight.js" data-api-key="${publicKey}"></script>`;
}

/** Other products' script tags pointed at LiveInsight (issue 20): only their host changes. */
function compatSnippets(apiUrl, site) {
  const domain = site.domains[0] ?? "example.com";
  return [
    `<script defer data-domain="${domain}" data-api="${apiUrl}/api/event" src="https://plausible.io/js/script.js"></script>`,
    `<script defer src="https://cloud.umami.is/script.js" data-website-id="${site.umami_website_id}" data-host-url="${apiUrl}"></script>`,
  ].join("\n");
}

function errorText(e) {
  if (e instanceof ApiError && e.problem?.errors) return Object.values(e.problem.errors).flat().join(" ");
  return e.message;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "never");

function field(id, label, input) {
  input.id = id;
  return el("div", { class: "min-w-0" }, el("label", { for: id, class: "mb-1 block text-xs font-medium" }, label), input);
}

/** Site management: create (installation administrators), snippet with the public key, settings, key rotation
 * (sites where the user's role is admin or owner; viewers never get these controls). */
export function sitesPanel(root, { apiUrl, onChanged, canCreate = true }) {
  const zoneList = el("datalist", { id: "time-zones" }, zones.map((z) => el("option", { value: z })));

  function secretNotice(title, keys) {
    return el("div", { class: "rounded-md border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:bg-amber-950 dark:text-amber-100" },
      el("p", { class: "font-semibold" }, title),
      el("p", {}, "Secret key (shown only now; it reads this site's stats through the Api): ", el("code", { class: "break-all" }, keys.secret_key)),
      el("p", {}, "Public key: ", el("code", { class: "break-all" }, keys.public_key)));
  }

  function siteEditor(site) {
    const n = site.site_id;
    const status = el("p", { class: "text-sm", role: "status" });
    const inputs = {
      name: el("input", { class: "control w-full", value: site.name, required: true }),
      domains: el("textarea", { class: "control w-full", rows: 2 }),
      time_zone: el("input", { class: "control w-full", list: "time-zones", value: site.time_zone }),
      honor_dnt: el("input", { type: "checkbox", class: "size-4", checked: site.honor_dnt }),
      allow_subdomains: el("input", { type: "checkbox", class: "size-4", checked: site.allow_subdomains }),
      allow_null_origin: el("input", { type: "checkbox", class: "size-4", checked: site.allow_null_origin }),
      accept_plausible: el("input", { type: "checkbox", class: "size-4", checked: site.accept_plausible }),
      identify_enabled: el("input", { type: "checkbox", class: "size-4", checked: site.identify_enabled }),
      excluded_paths: el("textarea", { class: "control w-full", rows: 2, placeholder: "/admin/**\n/preview" }),
      excluded_ip_ranges: el("textarea", { class: "control w-full", rows: 2, placeholder: "203.0.113.0/24" }),
      rate_limit_per_minute: el("input", { type: "number", min: 0, max: 10000000, step: 1, class: "control w-full", value: String(site.rate_limit_per_minute ?? 0) }),
    };
    inputs.domains.value = site.domains.join("\n");
    inputs.excluded_paths.value = site.excluded_paths.join("\n");
    inputs.excluded_ip_ranges.value = site.excluded_ip_ranges.join("\n");
    const code = el("pre", { class: "overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 text-xs dark:bg-slate-800" }, snippet(apiUrl, site.public_key));

    const form = el("form", { class: "grid gap-3 sm:grid-cols-2", "aria-label": `Settings of ${site.name}` },
      field(`name-${n}`, "Name", inputs.name),
      field(`tz-${n}`, "Time zone", inputs.time_zone),
      field(`domains-${n}`, "Domains (one per line)", inputs.domains),
      field(`paths-${n}`, "Excluded paths (one per line)", inputs.excluded_paths),
      field(`ips-${n}`, "Excluded IP ranges (CIDR, one per line)", inputs.excluded_ip_ranges),
      // The rate limit protects the whole installation: only its administrators change it (the proxy enforces this).
      ...(canCreate ? [field(`rate-${n}`, "Ingestion requests per minute (0 = the default, 1,000)", inputs.rate_limit_per_minute)] : []),
      el("div", { class: "flex items-center gap-2" }, inputs.honor_dnt,
        el("label", { for: `dnt-${n}`, class: "text-sm" }, "Honour Do-Not-Track and Global Privacy Control")),
      el("div", { class: "flex items-center gap-2" }, inputs.allow_subdomains,
        el("label", { for: `subdomains-${n}`, class: "text-sm" }, "Allow subdomains (blog.example.com for example.com)")),
      el("div", { class: "flex items-center gap-2 sm:col-span-2" }, inputs.allow_null_origin,
        el("label", { for: `null-origin-${n}`, class: "text-sm" },
          "Accept requests with \"Origin: null\" (sandboxed iframes, file:// pages); pages must still be on the domains above")),
      el("div", { class: "flex items-center gap-2 sm:col-span-2" }, inputs.accept_plausible,
        el("label", { for: `plausible-${n}`, class: "text-sm" }, "Accept Plausible's tracker (events sent to /api/event for these domains)")),
      el("div", { class: "sm:col-span-2" },
        el("div", { class: "flex items-center gap-2" }, inputs.identify_enabled,
          el("label", { for: `identify-${n}`, class: "text-sm" }, "Keep identified users (liveinsight.identify) for retention cohorts")),
        el("p", { class: "mt-1 text-xs text-amber-800 dark:text-amber-300", id: `identify-warning-${n}` },
          "Privacy: with this on, every event of a page that called liveinsight.identify(id) is stored with a keyed hash of " +
          "that id, so one person's visits are linked across days and devices. Without it nobody can link two days. The id " +
          "itself is never stored; visitors with Do-Not-Track or Global Privacy Control are never identified. Tell your " +
          "users in your privacy policy.")),
      el("div", { class: "flex flex-wrap gap-2 sm:col-span-2" },
        el("button", { type: "submit", class: "btn-primary" }, "Save settings"),
        el("button", { type: "button", class: "btn", onclick: rotate }, "Rotate keys…")),
      status);
    inputs.honor_dnt.id = `dnt-${n}`;
    inputs.allow_subdomains.id = `subdomains-${n}`;
    inputs.allow_null_origin.id = `null-origin-${n}`;
    inputs.accept_plausible.id = `plausible-${n}`;
    inputs.identify_enabled.id = `identify-${n}`;
    inputs.identify_enabled.setAttribute("aria-describedby", `identify-warning-${n}`);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      status.textContent = "Saving…";
      try {
        await patchJson(`sites/${encodeURIComponent(n)}`, {
          name: inputs.name.value,
          domains: lines(inputs.domains.value),
          time_zone: inputs.time_zone.value,
          honor_dnt: inputs.honor_dnt.checked,
          allow_subdomains: inputs.allow_subdomains.checked,
          allow_null_origin: inputs.allow_null_origin.checked,
          accept_plausible: inputs.accept_plausible.checked,
          identify_enabled: inputs.identify_enabled.checked,
          excluded_paths: lines(inputs.excluded_paths.value),
          excluded_ip_ranges: lines(inputs.excluded_ip_ranges.value),
          ...(canCreate ? { rate_limit_per_minute: Number(inputs.rate_limit_per_minute.value || 0) } : {}),
        });
        status.textContent = "Saved.";
        onChanged();
      } catch (e) {
        status.textContent = `Not saved: ${errorText(e)}`;
      }
    });

    async function rotate() {
      if (!confirm(`Replace both keys of ${site.name}? The old ones keep working for 24 hours: update the script tag on the site before then.`)) return;
      try {
        const keys = await postJson(`sites/${encodeURIComponent(n)}/rotate-keys`);
        code.textContent = snippet(apiUrl, keys.public_key);
        status.replaceChildren(secretNotice("Keys rotated.", keys));
        const { sites } = await getJson("sites");
        const fresh = sites.find((s) => s.site_id === n);
        if (fresh) renderKeys(fresh);
        onChanged();
      } catch (e) {
        status.textContent = `Keys not rotated: ${errorText(e)}`;
      }
    }

    // Keys, when each was last used, and the retired keys still in their grace period (revocable now).
    const keys = el("div", { class: "space-y-1 text-sm", "aria-label": `Keys of ${site.name}` });
    function renderKeys(summary) {
      const retired = summary.retired_keys ?? [];
      keys.replaceChildren(
        el("p", {}, "Public key ", el("code", { class: "break-all" }, summary.public_key), ` — last used: ${when(summary.public_key_last_used_at)}`),
        el("p", {}, `Secret key — last used: ${when(summary.secret_key_last_used_at)}`),
        retired.length === 0
          ? el("p", { class: "text-slate-500" }, "No retired keys.")
          : el("div", {},
            el("p", { class: "font-medium" }, "Retired keys (still accepted until their grace period ends):"),
            el("ul", { class: "list-disc pl-5" }, retired.map((k) => el("li", {},
              el("code", { class: "break-all" }, k.public_key), ` — valid until ${when(k.valid_until)}, last used: ${when(k.last_used_at)}`))),
            el("button", { type: "button", class: "btn mt-1", onclick: revokeRetired }, "Revoke now")));
    }

    async function revokeRetired() {
      if (!confirm(`Stop accepting the retired keys of ${site.name} now? Pages still using them stop being counted.`)) return;
      try {
        renderKeys(await deleteJson(`sites/${encodeURIComponent(n)}/retired-keys`));
        status.textContent = "Retired keys revoked.";
      } catch (e) {
        status.textContent = `Retired keys not revoked: ${errorText(e)}`;
      }
    }

    renderKeys(site);
    return el("details", { class: "rounded-md border border-slate-200 p-3 dark:border-slate-700" },
      el("summary", { class: "cursor-pointer font-medium" }, `${site.name} — ${site.domains.join(", ")}`),
      el("div", { class: "mt-3 space-y-3" },
        el("p", { class: "text-sm" }, "Script tag for the site's <head>:"), code,
        el("p", { class: "text-sm" }, "Umami website id: ", el("code", { class: "break-all", "aria-label": `Umami website id of ${site.name}` }, site.umami_website_id ?? "")),
        el("p", { class: "text-sm" }, "Switching from Plausible or Umami? Keep their script and change only its host:"),
        el("pre", { class: "overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 text-xs dark:bg-slate-800" }, compatSnippets(apiUrl, site)),
        keys, form, installationControl(site), goalsControl(site), funnelsControl(site), shareControl(site), importsControl(site),
        // Retention, export, erasure, reset and deletion: the site's owner only (the proxy refuses anyone else).
        // A deleted site's editor goes with the list's refresh, so what the deletion did is said above the list.
        ...(site.role === "owner" ? [lifecycleControl(site, { onDeleted: (text) => { notice.textContent = text; onChanged(); refresh(); } })] : [])));
  }

  function createForm() {
    const name = el("input", { class: "control w-full", required: true });
    const domains = el("input", { class: "control w-full", placeholder: "example.com", required: true });
    const status = el("div", { class: "text-sm sm:col-span-3", role: "status" });
    const form = el("form", { class: "grid items-end gap-3 sm:grid-cols-3", "aria-label": "Add a site" },
      field("new-site-name", "Name", name),
      field("new-site-domains", "Domains (comma separated)", domains),
      el("button", { type: "submit", class: "btn-primary" }, "Add site"),
      status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const created = await postJson("sites", { name: name.value, domains: lines(domains.value) });
        status.replaceChildren(secretNotice(`Site “${created.name}” created.`, created),
          el("pre", { class: "mt-2 overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 text-xs dark:bg-slate-800" },
            snippet(apiUrl, created.public_key)));
        name.value = "";
        domains.value = "";
        onChanged(created.site_id);
        refresh();
      } catch (e) {
        status.textContent = `Not created: ${errorText(e)}`;
      }
    });
    return form;
  }

  const list = el("div", { class: "space-y-2" });
  const notice = el("p", { class: "text-sm", role: "status", "data-sites-notice": "" });
  root.replaceChildren(zoneList, ...(canCreate ? [el("h3", { class: "mb-2 text-sm font-semibold" }, "Add a site"), createForm()] : []),
    el("h3", { class: "mb-2 mt-4 text-sm font-semibold" }, "Your sites"), notice, list);

  // Saving or rotating keys does not re-render the list: the new secret key stays on screen until the panel is reopened.
  async function refresh() {
    try {
      const { sites } = await getJson("sites");
      list.replaceChildren(...sites.filter(canManage).map(siteEditor));
    } catch (e) {
      list.replaceChildren(el("p", { class: "state state-error" }, e.message));
    }
  }

  return { refresh };
}
