// Compares the changes another diff tool classes as breaking with obakit-codegen diff's report on the
// same pair of documents (both read by obakit's read stage: bundled, OpenAPI 3.0), and prints one
// JSON line: counts, times, and the breaking changes obakit does not report, each with its category
// (the categories are explained in README, "When Orange revises the API").
//
//   node bench/diff-side-by-side.cjs TOOL OLD.json NEW.json OBAKIT_REPORT.json OBAKIT_MS
//
// TOOL is `api-smart-diff` (a library, run here) or a JSON file of `@pb33f/openapi-changes report`.
'use strict';
const fs = require('fs');
const [tool, oldPath, newPath, obakitPath, obakitMs] = process.argv.slice(2);
const read = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));

function escape(token) {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

// The breaking changes of the other tool, each as a JSON pointer into the old or new document.
function otherBreaking() {
  if (tool === 'api-smart-diff') {
    const { apiCompare } = require(process.env.API_SMART_DIFF || 'api-smart-diff');
    const [before, after] = [read(oldPath), read(newPath)];
    const started = process.hrtime.bigint();
    const { diffs } = apiCompare(before, after);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const breaking = diffs
      .filter((d) => d.type === 'breaking')
      .map((d) => ({
        pointer: '#/' + d.path.map(escape).join('/'),
        action: d.action,
        text: d.description || `${d.action} ${d.path.join('/')}`,
      }));
    return { ms, total: diffs.length, breaking };
  }
  // @pb33f/openapi-changes `report` output: its changes locate themselves by line and column
  // (`context`) or a JSONPath, not a JSON pointer, so they are counted, not matched.
  const report = read(tool);
  let total = 0;
  let breaking = 0;
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    // libopenapi's changes: `change` (its type, a number) and `property`; `breaking` is left out
    // when false.
    if (typeof node.change === 'number' && typeof node.property === 'string') {
      total += 1;
      if (node.breaking === true) breaking += 1;
    }
    Object.values(node).forEach(walk);
  };
  walk(report);
  return { ms: Number(process.env.OTHER_MS || 0), total, breaking: null, breakingCount: breaking };
}

// The places a path of the other tool goes through in a document: api-smart-diff walks through
// `$ref`s (and writes a `$ref` with siblings as `allOf: [$ref]`), obakit reports where the schema is,
// so the path is walked the same way and every place it passes is kept.
function places(doc, pointer) {
  const tokens = pointer.replace(/^#\//, '').split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  const chain = [];
  let node = doc;
  let at = '#';
  const follow = () => {
    for (let i = 0; i < 32 && node && typeof node === 'object' && typeof node.$ref === 'string'; i++) {
      at = node.$ref;
      node = node.$ref.replace(/^#\//, '').split('/').reduce((n, t) => (n == null ? n : n[t.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (node && typeof node === 'object' && !(token in node) && typeof node.$ref === 'string') {
      follow();
      chain.push(at);
      if (token === 'allOf' && tokens[i + 1] === '0' && node && !('allOf' in node)) {
        i += 1;
        continue;
      }
    }
    node = node == null ? undefined : node[token];
    at = `${at}/${escape(token)}`;
    chain.push(at);
  }
  return chain;
}

// Whether obakit reports a change at this place: one of the last places the path goes through (the
// value, its schema, the object holding it) is a pointer of an obakit change, or holds one.
function reportedBy(obakit, docs, pointer) {
  const related = (a, b) => a && b && (a === b || a.startsWith(b + '/') || b.startsWith(a + '/'));
  const candidates = new Set([pointer]);
  // Too short a place (`#/components`, `#/paths/x`) would hold everything.
  const deep = (p) => p.split('/').length > 3;
  for (const doc of docs) for (const p of places(doc, pointer).slice(-4).filter(deep)) candidates.add(p);
  return obakit.changes.some((c) =>
    [...candidates].some((p) => related(c.old_pointer, p) || related(c.new_pointer, p)),
  );
}

// Why obakit does not report a breaking change of the other tool (README, "When Orange revises the API").
function category(entry) {
  const p = entry.pointer;
  if (/\/responses\/[0-9X]+$/.test(p) && entry.action === 'add') return 'new-status-served';
  if (/\/responses\/[0-9X]+$/.test(p)) return 'response-removed';
  if (/^#\/components\/securitySchemes/.test(p)) return 'security-scheme-added';
  if (/\/allOf\/[0-9]+$/.test(p)) return 'allof-part';
  if (/\/format$/.test(p)) return 'format-same-rust-type';
  if (/^#\/components\/schemas\//.test(p)) return 'schema-not-used-in-place';
  if (/\/example(s)?(\/|$)/.test(p)) return 'example';
  return 'other';
}

const obakit = read(obakitPath);
const other = otherBreaking();
const docs = [read(oldPath), read(newPath)];
const missing = (other.breaking || []).filter((b) => !reportedBy(obakit, docs, b.pointer));
const byCategory = {};
for (const m of missing) (byCategory[category(m)] ||= []).push(`${m.pointer} (${m.text})`);
console.log(
  JSON.stringify({
    tool: tool === 'api-smart-diff' ? 'api-smart-diff' : '@pb33f/openapi-changes',
    other_ms: Math.round(other.ms),
    obakit_ms: Number(obakitMs),
    other_changes: other.total,
    other_breaking: other.breaking ? other.breaking.length : other.breakingCount,
    obakit_changes: obakit.changes.length,
    obakit_breaking: obakit.summary.breaking,
    breaking_not_in_obakit: other.breaking ? missing.length : null,
    not_in_obakit: byCategory,
  }),
);
