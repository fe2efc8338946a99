import { account, ApiError } from "./api.js";
import { el } from "./dom.js";

function errorText(e) {
  if (e instanceof ApiError && e.problem?.errors) return Object.values(e.problem.errors).flat().join(" ");
  return e.message;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "never");

/**
 * The signed-in account: two-factor sign-in (its own server page), the account's sessions (end one, or all others)
 * and personal API tokens (made for some of the user's sites, read or admin, shown once). Every value is text.
 */
export function accountPanel(root, button, { sites, singleSignOn }) {
  const status = el("p", { class: "text-sm", role: "status", id: "account-status" });
  const sessionRows = el("tbody");
  const tokenRows = el("tbody");
  const created = el("div", { class: "text-sm sm:col-span-3", role: "status" });

  function sessionRow(s) {
    const end = el("button", { type: "button", class: "btn" }, s.current ? "Sign out here" : "End");
    end.addEventListener("click", async () => {
      try {
        await account("DELETE", `sessions/${encodeURIComponent(s.id)}`);
        if (s.current) location.assign("/login");
        status.textContent = "Session ended.";
      } catch (e) {
        status.textContent = `Not ended: ${errorText(e)}`;
      }
      refresh();
    });
    return el("tr", { "data-session": s.id },
      el("td", { class: "break-all" }, s.user_agent, s.current ? el("span", { class: "ml-1 text-xs font-semibold" }, "(this browser)") : null),
      el("td", {}, when(s.created_at)), el("td", {}, when(s.last_seen_at)), el("td", {}, end));
  }

  function tokenRow(t) {
    const revoke = el("button", { type: "button", class: "btn" }, "Revoke");
    revoke.addEventListener("click", async () => {
      try {
        await account("DELETE", `tokens/${encodeURIComponent(t.id)}`);
        status.textContent = `Token "${t.name}" revoked.`;
      } catch (e) {
        status.textContent = `Not revoked: ${errorText(e)}`;
      }
      refresh();
    });
    return el("tr", { "data-token": t.id },
      el("td", { class: "break-all" }, t.name), el("td", {}, t.scope), el("td", { class: "break-all" }, t.site_ids.join(", ")),
      el("td", {}, t.expired ? `expired ${when(t.expires_at)}` : when(t.expires_at)), el("td", {}, when(t.last_used_at)), el("td", {}, revoke));
  }

  async function refresh() {
    try {
      const [list, tokens] = await Promise.all([account("GET", "sessions"), account("GET", "tokens")]);
      sessionRows.replaceChildren(...list.map(sessionRow));
      tokenRows.replaceChildren(...tokens.map(tokenRow));
    } catch (e) {
      status.textContent = errorText(e);
    }
  }

  function siteBoxes(fieldset) {
    fieldset.replaceChildren(el("legend", { class: "mb-1 text-xs font-medium" }, "Sites"),
      ...sites().map((s) => el("label", { class: "mr-3 inline-flex items-center gap-1 text-sm" },
        el("input", { type: "checkbox", value: s.site_id, "data-site": s.site_id }), s.name)));
  }

  const boxes = el("fieldset", { class: "sm:col-span-3" });

  function tokenForm() {
    const name = el("input", { id: "token-name", class: "control w-full", maxlength: 80, required: true, autocomplete: "off" });
    const scope = el("select", { id: "token-scope", class: "control" },
      el("option", { value: "read" }, "read (stats and queries)"), el("option", { value: "admin" }, "admin (also goals and alerts)"));
    const days = el("select", { id: "token-days", class: "control" },
      el("option", { value: "30" }, "30 days"), el("option", { value: "90" }, "90 days"), el("option", { value: "365" }, "1 year"));
    const form = el("form", { class: "grid items-end gap-3 sm:grid-cols-3", "aria-label": "Create a personal API token" },
      el("div", {}, el("label", { for: "token-name", class: "mb-1 block text-xs font-medium" }, "Token name"), name),
      el("div", {}, el("label", { for: "token-scope", class: "mb-1 block text-xs font-medium" }, "Scope"), scope),
      el("div", {}, el("label", { for: "token-days", class: "mb-1 block text-xs font-medium" }, "Expires in"), days),
      boxes,
      el("button", { type: "submit", class: "btn-primary" }, "Create token"),
      created);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const siteIds = [...boxes.querySelectorAll("input:checked")].map((b) => b.value);
      try {
        const answer = await account("POST", "tokens", { name: name.value, scope: scope.value, site_ids: siteIds, expires_in_days: Number(days.value) });
        const field = el("input", { id: "new-token", class: "control w-full font-mono text-xs", readonly: true, value: answer.token, "aria-label": "New token" });
        created.replaceChildren(el("div", { class: "rounded-md border border-amber-400 bg-amber-50 p-3 text-amber-950 dark:bg-amber-950 dark:text-amber-100" },
          el("p", { class: "font-semibold" }, "Copy this token now: it is shown only once. Send it as 'Authorization: Bearer <token>'."), field));
        name.value = "";
      } catch (e) {
        created.textContent = `No token: ${errorText(e)}`;
      }
      refresh();
    });
    return form;
  }

  const endOthers = el("button", { type: "button", class: "btn", id: "end-other-sessions" }, "End all other sessions");
  endOthers.addEventListener("click", async () => {
    try {
      await account("POST", "sessions/revoke-others");
      status.textContent = "Every other session ended.";
    } catch (e) {
      status.textContent = `Not ended: ${errorText(e)}`;
    }
    refresh();
  });

  const table = (headers, body) => el("div", { class: "overflow-x-auto" }, el("table", { class: "w-full text-left text-sm" },
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))), body));

  root.replaceChildren(status,
    singleSignOn ? null : el("p", { class: "mb-3 text-sm" }, el("a", { href: "/account/two-factor", class: "underline", id: "two-factor-link" }, "Two-factor sign-in settings")),
    el("h3", { class: "mt-2 font-semibold" }, "Sessions"),
    table(["Browser", "Signed in", "Last seen", ""], sessionRows), endOthers,
    el("h3", { class: "mt-4 font-semibold" }, "Personal API tokens"),
    el("p", { class: "text-xs text-slate-600 dark:text-slate-300" }, "For scripts: they read the API as you, on the sites you pick, until they expire or you revoke them."),
    table(["Name", "Scope", "Sites", "Expires", "Last used", ""], tokenRows), tokenForm());

  button.hidden = false;
  button.addEventListener("click", () => {
    const box = root.closest("section");
    box.hidden = !box.hidden;
    button.setAttribute("aria-expanded", String(!box.hidden));
    if (!box.hidden) {
      siteBoxes(boxes); // the site list may have changed since the page loaded
      refresh();
    }
  });
  return { refresh };
}
