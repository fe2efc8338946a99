// Public share links. On /share/<token> the dashboard runs read-only for anyone holding the link: its data comes from
// /share/<token>/api/… (the Dashboard forwards that for the link's site only), and there is no session, site switcher,
// site settings or sign-out. For administrators, the "Public link" control of a site's settings.
import { ApiError, account, setApiBase } from "./api.js";
import { $, el } from "./dom.js";

const match = /^\/share\/([A-Za-z0-9_-]{43})\/?$/.exec(location.pathname);

/** The link's token when this page is a shared dashboard, else null. */
export const shareToken = match ? match[1] : null;

/** Turns the page into the shared dashboard of the link's site; returns a stand-in for the session (no user, no admin). */
export async function startShared(state) {
  const base = `/share/${shareToken}`;
  setApiBase(`${base}/api`);
  for (const id of ["#site", "#manage-sites", "#user", "#logout", "#logout-everywhere", "#api-reference"]) $(id).hidden = true;
  const response = await fetch(`${base}/site`, { headers: { Accept: "application/json" }, credentials: "omit" });
  if (!response.ok) throw new Error("this link does not exist or has been revoked.");
  const site = await response.json();
  state.site = site.site_id;
  document.title = `${site.name} · LiveInsight`;
  $("#site").after(
    el("span", { id: "shared-site", class: "max-w-[14rem] truncate font-semibold" }, site.name),
    el("span", { class: "rounded-full bg-slate-200 px-2 py-0.5 text-xs dark:bg-slate-800" }, "Public, read-only"));
  return { email: "", is_admin: false, csrf_token: "" };
}

async function copyText(input, button) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select(); // no clipboard access (e.g. plain http on another host): leave it selected for Ctrl+C
    return;
  }
  button.textContent = "Copied";
}

/** The site-settings control: whether a public link exists, create or replace it (its URL shown once), revoke it. */
export function shareControl(site) {
  const path = `sites/${encodeURIComponent(site.site_id)}/share`;
  // aria-live, not role=status: the settings form above already has the one status line of the editor.
  const status = el("p", { class: "text-sm", "aria-live": "polite", "data-share-status": true }, "Checking…");
  const result = el("div", { class: "text-sm" });
  const create = el("button", { type: "button", class: "btn", disabled: true }, "Create public link");
  const revoke = el("button", { type: "button", class: "btn", hidden: true }, "Revoke link");
  let active = false;

  function show(link) {
    active = link.active;
    status.textContent = active
      ? `A public link is active (created ${new Date(link.created_at).toLocaleString()} by ${link.created_by}).`
      : "No public link.";
    create.textContent = active ? "Replace link…" : "Create public link";
    create.disabled = false;
    revoke.hidden = !active;
  }

  const failed = (what) => (e) => {
    status.textContent = `${what}: ${e instanceof ApiError && e.status === 403 ? "only the site's administrators can do this." : e.message}`;
  };

  create.addEventListener("click", async () => {
    if (active && !confirm(`Replace the public link of ${site.name}? The current link stops working at once.`)) return;
    try {
      const made = await account("POST", path);
      show({ active: true, created_at: made.created_at, created_by: made.created_by });
      const url = el("input", { class: "control min-w-0 flex-1 font-mono text-xs", readonly: true, value: made.url, "aria-label": "Public link" });
      const copy = el("button", { type: "button", class: "btn" }, "Copy");
      copy.addEventListener("click", () => copyText(url, copy));
      result.replaceChildren(el("div", { class: "space-y-2 rounded-md border border-amber-400 bg-amber-50 p-3 text-amber-950 dark:bg-amber-950 dark:text-amber-100" },
        el("p", { class: "font-semibold" }, "Copy the link now: it is shown only this once."),
        el("div", { class: "flex gap-2" }, url, copy)));
    } catch (e) {
      failed("No link made")(e);
    }
  });

  revoke.addEventListener("click", async () => {
    if (!confirm(`Revoke the public link of ${site.name}? Anyone using it loses access at once.`)) return;
    try {
      await account("DELETE", path);
      result.replaceChildren();
      show({ active: false });
    } catch (e) {
      failed("Not revoked")(e);
    }
  });

  account("GET", path).then(show, failed("Public link"));
  return el("section", { class: "space-y-2 border-t border-slate-200 pt-3 dark:border-slate-700", "data-share": site.site_id, "aria-label": `Public link of ${site.name}` },
    el("h4", { class: "text-sm font-semibold" }, "Public link"),
    el("p", { class: "text-xs text-slate-600 dark:text-slate-400" },
      "Anyone with the link sees this site's dashboard, read-only, without signing in. Replacing or revoking it stops the old link at once."),
    status, el("div", { class: "flex flex-wrap gap-2" }, create, revoke), result);
}
