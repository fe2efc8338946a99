// DOM helpers. Every string from the Api (paths, referrers, sources, event names…) is set as text, never as HTML.

/** el("td", {class: "num"}, "12") — children are nodes or strings (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatNumber(value) {
  return value === null || value === undefined ? "–" : integer.format(value);
}

export function formatPercent(fraction) {
  return fraction === null || fraction === undefined ? "–" : `${Math.round(fraction * 1000) / 10}%`;
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

export function formatChange(change) {
  if (change === null || change === undefined) return "";
  const pct = Math.round(change * 100);
  return `${pct > 0 ? "↑" : pct < 0 ? "↓" : "→"} ${Math.abs(pct)}%`;
}

/** Shows one of loading / empty / error in a widget's state line, or hides it (ready). */
export function setState(widget, state, message = "") {
  widget.dataset.status = state;
  widget.setAttribute("aria-busy", state === "loading" ? "true" : "false");
  const line = widget.querySelector("[data-state]");
  if (!line) return;
  line.hidden = state === "ready";
  line.classList.toggle("state-error", state === "error");
  line.textContent = state === "loading" ? "Loading…" : message;
}
