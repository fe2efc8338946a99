import { account, ApiError } from "./api.js";
import { auditTable } from "./audit.js";
import { el } from "./dom.js";

const ROLES = ["viewer", "admin", "owner"];
const DESCRIBED = { viewer: "viewer (reads the numbers)", admin: "admin (also settings and keys)", owner: "owner (also members and audit log)" };

function errorText(e) {
  if (e instanceof ApiError && e.problem?.errors) return Object.values(e.problem.errors).flat().join(" ");
  return e.message;
}

function roleSelect(id, value) {
  return el("select", { id, class: "control" }, ROLES.map((r) => el("option", { value: r, selected: r === value }, DESCRIBED[r])));
}

/**
 * Members of the selected site, for its owners: roles, removal, one-time invite links (shown once), the audit log,
 * and for installation administrators a form that creates an account directly. E-mails are shown as text only.
 */
export function membersPanel(root, button, { isAdmin, singleSignOn = false }) {
  let site = null;
  const status = el("p", { class: "text-sm", role: "status" });
  const list = el("tbody");
  const audit = el("div");
  const log = auditTable(audit);
  // Installation administrators also see every account and the installation's own log (users created).
  const users = el("tbody");
  const installation = el("div");
  const installationLog = isAdmin ? auditTable(installation, "Installation activity (users created)") : null;

  function userRow(u) {
    const roles = Object.entries(u.sites).map(([id, role]) => `${role} of ${id}`).join(", ");
    return el("tr", { "data-user": u.email },
      el("td", { class: "break-all" }, u.email),
      el("td", {}, u.role === "admin" ? "installation administrator" : u.single_sign_on ? "member (single sign-on)" : "member"),
      el("td", { class: "break-all" }, u.role === "admin" ? "every site (owner)" : roles || "no site"),
      el("td", {}, u.locked ? "locked" : ""));
  }

  async function refreshInstallation() {
    try {
      const { users: all } = await account("GET", "users");
      users.replaceChildren(...all.map(userRow));
    } catch (e) {
      users.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "state state-error" }, e.message)));
    }
    installationLog.load(null);
  }

  function memberRow(m) {
    const id = `member-role-${m.email}`;
    const select = roleSelect(id, m.role);
    select.disabled = m.installation_admin;
    select.addEventListener("change", () => change(m.email, select.value));
    return el("tr", { "data-email": m.email },
      el("td", { class: "break-all" }, m.email, m.installation_admin ? el("span", { class: "ml-1 text-xs text-slate-600 dark:text-slate-400" }, "(installation administrator)") : null),
      el("td", {}, el("label", { for: id, class: "sr-only" }, `Role of ${m.email}`), select),
      el("td", {}, m.installation_admin ? null : el("button", { type: "button", class: "btn", onclick: () => remove(m.email) }, "Remove")));
  }

  async function change(email, role) {
    try {
      await account("PUT", `sites/${encodeURIComponent(site.site_id)}/members/${encodeURIComponent(email)}`, { role });
      status.textContent = `${email} is now ${role}.`;
    } catch (e) {
      status.textContent = `Not changed: ${errorText(e)}`;
    }
    refresh();
  }

  async function remove(email) {
    if (!confirm(`Remove ${email} from ${site.name}?`)) return;
    try {
      await account("DELETE", `sites/${encodeURIComponent(site.site_id)}/members/${encodeURIComponent(email)}`);
      status.textContent = `${email} removed.`;
    } catch (e) {
      status.textContent = `Not removed: ${errorText(e)}`;
    }
    refresh();
  }

  function inviteForm() {
    const email = el("input", { id: "invite-email", type: "email", class: "control w-full", required: true, autocomplete: "off" });
    const role = roleSelect("invite-role", "viewer");
    const result = el("div", { class: "text-sm sm:col-span-3", role: "status" });
    const form = el("form", { class: "grid items-end gap-3 sm:grid-cols-3", "aria-label": "Invite someone" },
      el("div", {}, el("label", { for: "invite-email", class: "mb-1 block text-xs font-medium" }, "E-mail to invite"), email),
      el("div", {}, el("label", { for: "invite-role", class: "mb-1 block text-xs font-medium" }, "Role"), role),
      el("button", { type: "submit", class: "btn-primary" }, "Create invite link"),
      result);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const link = await account("POST", `sites/${encodeURIComponent(site.site_id)}/invites`, { email: email.value, role: role.value });
        const field = el("input", { id: "invite-link", class: "control w-full font-mono text-xs", readonly: true, value: link.url, "aria-label": "Invite link" });
        const copy = el("button", { type: "button", class: "btn" }, "Copy");
        copy.addEventListener("click", async () => {
          field.select();
          try { await navigator.clipboard.writeText(link.url); copy.textContent = "Copied"; } catch { copy.textContent = "Press Ctrl+C"; }
        });
        result.replaceChildren(el("div", { class: "rounded-md border border-amber-400 bg-amber-50 p-3 text-amber-950 dark:bg-amber-950 dark:text-amber-100" },
          el("p", { class: "font-semibold" }, `Send this link to ${email.value}. It is shown only now, works once and expires ${new Date(link.expires_at).toLocaleString()}.`),
          el("div", { class: "mt-2 flex gap-2" }, field, copy)));
        email.value = "";
        log.load(site.site_id);
      } catch (e) {
        result.textContent = `No invite: ${errorText(e)}`;
      }
    });
    return form;
  }

  /** With single sign-on, people have no password here: an owner gives an e-mail a role, and the person sees the site
   * when they next sign in through the identity provider. */
  function singleSignOnForm() {
    const email = el("input", { id: "sso-email", type: "email", class: "control w-full", required: true, autocomplete: "off" });
    const role = roleSelect("sso-role", "viewer");
    const result = el("p", { class: "text-sm sm:col-span-3", role: "status" });
    const form = el("form", { class: "grid items-end gap-3 sm:grid-cols-3", "aria-label": "Add by e-mail (single sign-on)" },
      el("div", {}, el("label", { for: "sso-email", class: "mb-1 block text-xs font-medium" }, "E-mail (signs in with single sign-on)"), email),
      el("div", {}, el("label", { for: "sso-role", class: "mb-1 block text-xs font-medium" }, "Role"), role),
      el("button", { type: "submit", class: "btn-primary" }, "Add"),
      result);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await account("PUT", `sites/${encodeURIComponent(site.site_id)}/members/${encodeURIComponent(email.value)}`, { role: role.value });
        result.textContent = `${email.value} is now ${role.value} of this site (from their next sign-in).`;
        email.value = "";
        refresh();
      } catch (e) {
        result.textContent = `Not added: ${errorText(e)}`;
      }
    });
    return form;
  }

  function addUserForm() {
    const email = el("input", { id: "new-user-email", type: "email", class: "control w-full", required: true, autocomplete: "off" });
    const password = el("input", { id: "new-user-password", type: "password", class: "control w-full", required: true, autocomplete: "new-password", minlength: 12 });
    const role = roleSelect("new-user-role", "viewer");
    const result = el("p", { class: "text-sm sm:col-span-4", role: "status" });
    const form = el("form", { class: "grid items-end gap-3 sm:grid-cols-4", "aria-label": "Add a user" },
      el("div", {}, el("label", { for: "new-user-email", class: "mb-1 block text-xs font-medium" }, "New user's e-mail"), email),
      el("div", {}, el("label", { for: "new-user-password", class: "mb-1 block text-xs font-medium" }, "Password (12+ characters)"), password),
      el("div", {}, el("label", { for: "new-user-role", class: "mb-1 block text-xs font-medium" }, "Role on this site"), role),
      el("button", { type: "submit", class: "btn-primary" }, "Add user"),
      result);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await account("POST", "users", { email: email.value, password: password.value, role: role.value, site_id: site.site_id });
        result.textContent = `${email.value} can now sign in.`;
        email.value = "";
        password.value = "";
        refresh();
      } catch (e) {
        result.textContent = `Not added: ${errorText(e)}`;
      }
    });
    return form;
  }

  // replaceChildren turns null into the text "null": the parts a role or an installation does not have are left out.
  root.replaceChildren(...[
    el("div", { class: "overflow-x-auto" }, el("table", { class: "data-table", "aria-label": "Members" },
      el("thead", {}, el("tr", {}, ["Member", "Role", ""].map((h) => el("th", { scope: "col" }, h)))), list)),
    status,
    el("h3", { class: "mb-2 mt-4 text-sm font-semibold" }, "Invite someone"), inviteForm(),
    singleSignOn ? el("h3", { class: "mb-2 mt-4 text-sm font-semibold" }, "Add someone who signs in with single sign-on") : null,
    singleSignOn ? singleSignOnForm() : null,
    isAdmin ? el("h3", { class: "mb-2 mt-4 text-sm font-semibold" }, "Add a user (installation administrators)") : null,
    isAdmin ? addUserForm() : null,
    audit,
    isAdmin ? el("h3", { class: "mb-2 mt-6 text-sm font-semibold" }, "All users (installation administrators)") : null,
    isAdmin ? el("div", { class: "overflow-x-auto" }, el("table", { class: "data-table table-auto", "aria-label": "All users" },
      el("thead", {}, el("tr", {}, ["E-mail", "Account", "Sites", "Sign-in"].map((h) => el("th", { scope: "col" }, h)))), users)) : null,
    installation].filter((part) => part !== null && part !== undefined));

  async function refresh() {
    if (!site) return;
    try {
      const { members } = await account("GET", `sites/${encodeURIComponent(site.site_id)}/members`);
      list.replaceChildren(...members.map(memberRow));
    } catch (e) {
      list.replaceChildren(el("tr", {}, el("td", { colspan: 3, class: "state state-error" }, e.message)));
    }
    log.load(site.site_id);
    if (isAdmin) refreshInstallation();
  }

  button.addEventListener("click", () => {
    const panel = root.closest("section");
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) refresh();
  });

  /** The selected site changed (or the list was reloaded): only its owners see the button and the panel. */
  function show(selected) {
    site = selected ?? null;
    const owner = site?.role === "owner";
    button.hidden = !owner;
    const panel = root.closest("section");
    if (!owner) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
    } else if (!panel.hidden) {
      refresh();
    }
  }

  return { show };
}
