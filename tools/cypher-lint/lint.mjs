#!/usr/bin/env node
// Lint .cypher files with Neo4j's own Cypher parser and semantic analysis, as shipped in
// @neo4j-cypher/language-support (pinned in package.json).
//
// Usage: node lint.mjs --schema schema.json [--strict] [--expect] PATH...
//   PATH        a .cypher file, or a directory searched recursively for *.cypher files
//   --schema F  JSON file declaring the graph (see schema.json); default: schema.json here
//   --strict    warnings fail too
//   --expect    fixture mode: each line with `// expect-error: TEXT` must get an error whose
//               message contains TEXT on that line, and no line without one may get an error
//
// Every diagnostic prints as `file:line:col: error|warning: message` (1-based line and
// column). Exit 0: no error; 1: errors (or unmet expectations); 2: usage or I/O problem.
//
// What is checked (API: lintCypherQuery(text, dbSchema, {consoleCommandsEnabled: false})):
// - syntax errors (ANTLR grammar of the chosen Cypher version, default "CYPHER 5");
// - semantic errors from Neo4j's front end compiled to JS: undefined variables, RETURN not
//   last, wrong argument count or types of functions, removed syntax such as exists(n.p);
// - parameters not declared in the schema (always an error);
// - functions: not in the built-in Neo4j function catalog the package ships (its exported
//   testData.mockSchema; APOC/GDS functions are left out since ArcadeDB has neither) plus
//   the schema's "extraFunctions" -> error; arity and argument types are checked too;
// - procedures: none are declared, so any `CALL some.procedure()` is an error;
// - labels, relationship types and property keys not declared -> warning; deprecations ->
//   warning.
// Note: Neo4j's grammar rejects a statement made only of comments, so a file that ends with
// a comment after its last `;` (or holds only comments) gets "Expected any of CYPHER,
// EXPLAIN, PROFILE or a statement". Put comments before a statement, not after the last one.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCHEMA_KEYS = new Set([
  'description',
  'cypherVersion',
  'labels',
  'relationshipTypes',
  'propertyKeys',
  'parameters',
  'extraFunctions',
]);
const ERROR = 1; // vscode-languageserver DiagnosticSeverity.Error
const EXPECT_RE = /\/\/\s*expect-error:\s*(.+?)\s*$/;

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { schema: join(HERE, 'schema.json'), strict: false, expect: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--schema') {
      if (i + 1 >= argv.length) throw new UsageError('--schema needs a file');
      opts.schema = argv[++i];
    } else if (arg.startsWith('--schema=')) opts.schema = arg.slice('--schema='.length);
    else if (arg === '--strict') opts.strict = true;
    else if (arg === '--expect') opts.expect = true;
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write('usage: node lint.mjs --schema schema.json [--strict] [--expect] PATH...\n');
      process.exit(0);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else opts.paths.push(arg);
  }
  if (opts.paths.length === 0) throw new UsageError('no file or directory given');
  return opts;
}

function stringList(raw, key) {
  const value = raw[key] ?? [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new UsageError(`schema: "${key}" must be a list of strings`);
  }
  return value;
}

/** Read our schema file and build the library's DbSchema from it. */
function loadSchema(file) {
  let raw;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read schema ${file}: ${err.message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`schema ${file}: must be a JSON object`);
  }
  const unknown = Object.keys(raw).filter((k) => !SCHEMA_KEYS.has(k));
  if (unknown.length) throw new UsageError(`schema ${file}: unknown keys ${unknown.join(', ')}`);

  const version = raw.cypherVersion ?? 'CYPHER 5';
  const catalog = testData.mockSchema.functions;
  if (!catalog[version]) {
    throw new UsageError(`schema: cypherVersion must be one of ${Object.keys(catalog).join(', ')}`);
  }
  // Parameters: a list of names or an object of name -> example value. The library only
  // asks whether a name is declared (value !== undefined), so names map to null.
  let parameters = raw.parameters ?? {};
  if (Array.isArray(parameters)) parameters = Object.fromEntries(stringList(raw, 'parameters').map((p) => [p, null]));
  else if (typeof parameters !== 'object' || parameters === null) {
    throw new UsageError('schema: "parameters" must be a list of names or an object');
  } else parameters = Object.fromEntries(Object.keys(parameters).map((p) => [p, null]));

  const functions = {};
  for (const [v, fns] of Object.entries(catalog)) {
    const kept = Object.entries(fns).filter(([, fn]) => fn.isBuiltIn);
    for (const name of stringList(raw, 'extraFunctions')) {
      const known = fns[name];
      if (!known) throw new UsageError(`schema: extraFunctions: ${name} is not in the catalog`);
      kept.push([name, known]);
    }
    functions[v] = Object.fromEntries(kept);
  }
  const procedures = Object.fromEntries(Object.keys(catalog).map((v) => [v, {}]));

  return {
    defaultLanguage: version,
    labels: stringList(raw, 'labels'),
    relationshipTypes: stringList(raw, 'relationshipTypes'),
    propertyKeys: stringList(raw, 'propertyKeys'),
    parameters,
    functions,
    procedures,
  };
}

function collectFiles(paths) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.cypher')) files.push(full);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return files;
}

function displayName(file) {
  const rel = relative(process.cwd(), resolve(file));
  return rel.startsWith('..') ? file : rel;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dbSchema = loadSchema(opts.schema);
  const files = collectFiles(opts.paths);
  let errors = 0;
  let warnings = 0;
  let failed = false;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const name = displayName(file);
    const { diagnostics } = lintCypherQuery(text, dbSchema, { consoleCommandsEnabled: false });
    const expected = new Map(); // 0-based line -> expected message fragment
    if (opts.expect) {
      text.split(/\r?\n/).forEach((line, i) => {
        const m = EXPECT_RE.exec(line);
        if (m) expected.set(i, m[1]);
      });
    }
    const met = new Set();
    for (const d of diagnostics) {
      const { line, character } = d.range.start;
      const isError = d.severity === ERROR || opts.strict;
      const kind = d.severity === ERROR ? 'error' : 'warning';
      const message = d.message.replace(/\s+/g, ' ').trim();
      const want = expected.get(line);
      if (isError && want !== undefined && message.includes(want)) met.add(line);
      // In --expect mode, follow-up errors on a line that expects an error are tolerated.
      const tolerated = isError && want !== undefined;
      console.log(`${name}:${line + 1}:${character + 1}: ${kind}: ${message}`);
      if (isError) {
        errors++;
        if (!tolerated) failed = true;
      } else warnings++;
    }
    for (const [line, want] of expected) {
      if (!met.has(line)) {
        console.log(`${name}:${line + 1}:1: error: expected an error containing "${want}", got none`);
        failed = true;
      }
    }
    if (!opts.expect && errors > 0) failed = true;
  }
  process.stderr.write(
    `cypher-lint: ${files.length} file(s), ${errors} error(s), ${warnings} warning(s)` +
      `${opts.expect ? (failed ? ', expectations NOT met' : ', all expectations met') : ''}\n`,
  );
  if (files.length === 0) process.stderr.write('cypher-lint: no .cypher files found\n');
  return failed ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`cypher-lint: ${err instanceof UsageError ? err.message : err.stack}\n`);
  process.exitCode = 2;
}
