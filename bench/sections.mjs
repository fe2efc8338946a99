// The one place that reads and rewrites BENCHMARKS.md. Each benchmark owns a section between
// <!-- bench:NAME:start --> and <!-- bench:NAME:end -->; a writer replaces its own section and leaves the rest alone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const file = "BENCHMARKS.md";
const header = "# Benchmarks\n\nMeasured by the project's own commands on the machine named in each section. Numbers are rewritten by each run.\n\n";

const pattern = (name) => new RegExp(`<!-- bench:${name}:start -->([\\s\\S]*?)<!-- bench:${name}:end -->`);

export const readDoc = () => (existsSync(file) ? readFileSync(file, "utf8") : header);

/** The text inside section NAME of DOC (without its markers), or "". */
export const sectionOf = (doc, name) => doc.match(pattern(name))?.[1] ?? "";

/** DOC with section NAME replaced by TEXT (which carries its own markers); a new section goes where WHERE puts it
 *  (default: at the end). */
export const withSection = (doc, name, text, where = (d, t) => d.trimEnd() + "\n\n" + t + "\n") => {
  const re = pattern(name);
  return re.test(doc) ? doc.replace(re, () => text) : where(doc, text);
};

/** Replaces section NAME of BENCHMARKS.md with TEXT and says so. */
export const writeSection = (name, text) => {
  writeFileSync(file, withSection(readDoc(), name, text));
  console.error(`==> wrote the ${name} section of ${file}`);
};

/** Rewrites section NAME through EDIT (old text with markers → new text); nothing when the section is absent. */
export const editSection = (name, edit) => {
  const doc = readDoc();
  const m = doc.match(pattern(name));
  if (m) writeFileSync(file, doc.replace(pattern(name), () => edit(m[0])));
};
