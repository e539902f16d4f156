// apigov-ls JavaScript worker: runs Spectral custom functions and evaluates JavaScript rulesets.
//
// Protocol: one JSON message per line. Requests on stdin: {"id", "op", ...}; answers on stdout:
// {"id", "ok": true, "result"} or {"id", "ok": false, "error": {"message", "code"}}.
// User code may print: console.* and process.stdout.write go to stderr, so stdout stays ours.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as nodePath from 'node:path';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import * as util from 'node:util';

const protocolWrite = process.stdout.write.bind(process.stdout);
const toStderr = (...args) => { process.stderr.write(util.format(...args) + '\n'); };
console.log = console.info = console.warn = console.debug = console.error = toStderr;
process.stdout.write = (chunk, ...rest) => process.stderr.write(chunk, ...rest);

const FALLBACK_DIR = process.env.APIGOV_JS_FALLBACK || '';   // folder holding node_modules/@stoplight/...
const SHARED = '$$apigov';                                     // marker of a shared object in a document

// bare imports that the ruleset's own node_modules lack come from the fallback folder (ESM: a
// resolve hook; CommonJS: NODE_PATH, set by the Python side)
if (FALLBACK_DIR) {
  const { register } = await import('node:module');
  register(new URL('./fallback_hooks.mjs', import.meta.url), {
    data: { parent: pathToFileURL(nodePath.join(FALLBACK_DIR, 'index.js')).href },
  });
}

const functions = [];            // id -> function
const documents = new Map();     // doc id -> {data, resolved, source, formats, graph}
const fnIds = new Map();         // function -> id (a function is registered once)

function register(fn) {
  let id = fnIds.get(fn);
  if (id === undefined) {
    id = functions.length;
    functions.push(fn);
    fnIds.set(fn, id);
  }
  return id;
}

// -- loading modules ---------------------------------------------------------------------
function requireFrom(file) {
  return createRequire(file);
}

const failedImports = new Map();   // file -> failed import() attempts (the ESM loader caches failures)

/** Load a module the way Spectral's CLI does: CommonJS through require, ESM through import().
 * A file changed since it was last loaded is evaluated again. */
async function loadModule(file) {
  const mtime = fs.statSync(file).mtimeMs;
  const req = requireFrom(file);
  const cached = req.cache[file];
  if (cached && loadedAt.get(file) !== mtime) delete req.cache[file];
  loadedAt.set(file, mtime);
  if (!isEsm(file)) return req(file);
  const n = failedImports.get(file) || 0;
  try {
    return await import(`${pathToFileURL(file).href}?mtime=${mtime}&n=${n}`);
  } catch (err) {
    failedImports.set(file, n + 1);
    throw err;
  }
}
const loadedAt = new Map();

const ESM_SYNTAX = /^\s*(?:import\s*[\w{*'"]|export\s+(?:default|const|let|var|function|async|class|\{|\*))/m;

/** ESM by extension, by the nearest package.json "type", or (a .js file in a CommonJS package)
 * by its syntax, as Node's --experimental-detect-module does. import() goes through the
 * fallback resolve hook; Node 20's require(esm) would not. */
function isEsm(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = nodePath.dirname(file); ; dir = nodePath.dirname(dir)) {
    const manifest = nodePath.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module') return true;
      } catch { /* unreadable package.json: decide by syntax */ }
      break;
    }
    if (nodePath.dirname(dir) === dir) break;
  }
  return ESM_SYNTAX.test(fs.readFileSync(file, 'utf8'));
}

function defaultExport(mod) {
  if (mod && typeof mod === 'object' && 'default' in mod) {
    const d = mod.default;
    // a CommonJS module compiled from ESM: {default: {...}} inside {default}
    if (d && typeof d === 'object' && 'default' in d && d.__esModule) return d.default;
    return d;
  }
  return mod;
}

// -- known Spectral exports: matched by identity so they run as built-in (Python) functions --
const KNOWN_MODULES = {
  functions: /[\\/]@stoplight[\\/]spectral-functions[\\/]dist[\\/]index\.js$/,
  oasFunctions: /[\\/]@stoplight[\\/]spectral-rulesets[\\/]dist[\\/]oas[\\/]functions[\\/]index\.js$/,
  formats: /[\\/]@stoplight[\\/]spectral-formats[\\/]dist[\\/]index\.js$/,
  rulesets: /[\\/]@stoplight[\\/]spectral-rulesets[\\/]dist[\\/]index\.js$/,
};

function knownExports(fromFile) {
  const names = { functions: new Map(), formats: new Map(), rulesets: new Map() };
  const seen = new Set();
  const add = (kind, exports) => {
    if (!exports || seen.has(exports)) return;
    seen.add(exports);
    for (const [name, value] of Object.entries(exports)) {
      if (kind === 'rulesets') {
        if (value && typeof value === 'object') names.rulesets.set(value, `spectral:${name}`);
      } else if (typeof value === 'function') {
        names[kind === 'formats' ? 'formats' : 'functions'].set(value, name);
      }
    }
  };
  for (const [file, mod] of Object.entries(requireFrom(fromFile).cache)) {
    for (const [kind, re] of Object.entries(KNOWN_MODULES)) {
      if (re.test(file)) add(kind === 'oasFunctions' ? 'functions' : kind, mod.exports);
    }
  }
  return names;
}

// -- serialising a JavaScript ruleset ----------------------------------------------------
function jsonValue(value) {
  return JSON.parse(JSON.stringify(value, (k, v) => (v instanceof RegExp ? String(v) : v)) ?? 'null');
}

function serializeRuleset(ruleset, known, file, stack = []) {
  if (stack.includes(ruleset)) throw new Error('the ruleset extends itself');
  const out = {};
  const formatName = (f) => known.formats.get(f) ?? (typeof f === 'string' ? f : `unknown-format:${f && f.name}`);
  const formats = (list) => list.map(formatName);
  for (const [key, value] of Object.entries(ruleset)) {
    if (key === 'extends') {
      const items = Array.isArray(value) ? value : [value];
      out.extends = items.map((item) => {
        if (Array.isArray(item)) return [extendTarget(item[0]), item[1]];
        return extendTarget(item);
      });
    } else if (key === 'rules') {
      out.rules = {};
      for (const [name, rule] of Object.entries(value)) out.rules[name] = serializeRule(rule);
    } else if (key === 'formats') {
      out.formats = formats(value);
    } else if (key === 'aliases') {
      out.aliases = {};
      for (const [name, alias] of Object.entries(value)) {
        out.aliases[name] = alias && typeof alias === 'object' && !Array.isArray(alias) && Array.isArray(alias.targets)
          ? { ...jsonValue(alias), targets: alias.targets.map((t) => ({ formats: formats(t.formats), given: t.given })) }
          : jsonValue(alias);
      }
    } else if (key === 'overrides') {
      out.overrides = value.map((ov) => {
        const o = { ...jsonValue({ ...ov, rules: undefined, extends: undefined }) };
        if (ov.rules) { o.rules = {}; for (const [n, r] of Object.entries(ov.rules)) o.rules[n] = serializeRule(r); }
        if (ov.extends) o.extends = serializeRuleset({ extends: ov.extends }, known, file, stack).extends;
        return o;
      });
    } else if (typeof value !== 'function') {
      out[key] = jsonValue(value);
    }
  }
  return out;

  function extendTarget(target) {
    if (typeof target === 'string') return target;
    const builtin = known.rulesets.get(target);
    // an unchanged built-in could be named, but rulesets patch them in place (IBM sets
    // formats of no-$ref-siblings): the definition as it is now is what counts
    const inline = serializeRuleset(target, known, file, [...stack, ruleset]);
    if (builtin) inline['x-apigov-builtin'] = builtin;
    return inline;
  }

  function serializeRule(rule) {
    if (rule === null || typeof rule !== 'object') return rule;
    const out = {};
    for (const [key, value] of Object.entries(rule)) {
      if (key === 'then') {
        const items = Array.isArray(value) ? value : [value];
        const then = items.map((t) => {
          const o = jsonValue({ ...t, function: undefined });
          o.function = functionName(t.function);
          return o;
        });
        out.then = Array.isArray(value) ? then : then[0];
      } else if (key === 'formats') {
        out.formats = formats(value);
      } else if (typeof value !== 'function') {
        out[key] = jsonValue(value);
      }
    }
    return out;
  }

  function functionName(fn) {
    if (typeof fn === 'string') return fn;
    if (typeof fn !== 'function') throw new Error(`a rule's then.function is not a function: ${typeof fn}`);
    const name = known.functions.get(fn);
    if (name !== undefined) return name;
    return `js:${register(fn)}:${fn.name || 'anonymous'}`;
  }
}

// -- documents ---------------------------------------------------------------------------
function rebuild(table, tree) {
  const built = new Array(table.length);
  const fix = (node) => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = fix(node[i]);
      return node;
    }
    const k = node[SHARED];
    if (k !== undefined && Object.keys(node).length === 1) {
      if (built[k] === undefined) built[k] = fix(table[k]);
      return built[k];
    }
    for (const key of Object.keys(node)) node[key] = fix(node[key]);
    return node;
  };
  return fix(tree);
}

function at(root, path) {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[seg];
  }
  return node;
}

function contextFor(doc, rule, path, givenPath) {
  return {
    document: doc.document,
    documentInventory: doc.inventory,
    rule,
    path,
    givenPath,
  };
}

function formatSet(names, fromFile) {
  const known = knownExports(fromFile);
  const set = new Set();
  for (const [fn, name] of known.formats) if (names.includes(name)) set.add(fn);
  return set;
}

// -- operations --------------------------------------------------------------------------
const ops = {
  async hello() {
    return { node: process.version, pid: process.pid };
  },

  async loadFunction({ path }) {
    const fn = defaultExport(await loadModule(path));
    if (typeof fn !== 'function') {
      throw Object.assign(new Error('the file does not export a function (module.exports = fn or export default fn)'), { code: 'NOT_A_FUNCTION' });
    }
    return { fn: register(fn), name: fn.name, validates: typeof fn.validator === 'function' };
  },

  async loadRuleset({ path }) {
    const ruleset = defaultExport(await loadModule(path));
    if (!ruleset || typeof ruleset !== 'object') throw new Error('the module does not export a ruleset object');
    return { ruleset: serializeRuleset(ruleset, knownExports(path), path) };
  },

  async validateOptions({ fn, options }) {
    const f = functions[fn];
    if (typeof f.validator !== 'function') return null;
    try {
      f.validator(options ?? null);
      return null;
    } catch (err) {
      return err && err.message ? err.message : String(err);
    }
  },

  async setDocument({ doc, table, unresolved, resolved, source, formats, graph, formatsFrom }) {
    const data = rebuild(table, unresolved);
    const full = rebuild(table, resolved);
    const document = { data, source, formats: formatSet(formats, formatsFrom || nodePath.join(process.cwd(), 'x.js')), parserResult: { data } };
    const inventory = {
      document, resolved: full, unresolved: data, source, graph: { nodes: graph },
      referencedDocuments: {},
      findAssociatedItemForPath: (path) => ({ document, path, missingPropertyPath: [] }),
    };
    documents.set(doc, { document, inventory, data, full });
    return null;
  },

  async dropDocument({ doc }) {
    documents.delete(doc);
    return null;
  },

  // every target of one rule's `then` in one message; answers one entry per target
  async call({ fn, doc, resolved, options, rule, targets }) {
    const f = functions[fn];
    const d = documents.get(doc);
    if (!d) throw new Error(`unknown document ${doc}`);
    const root = resolved ? d.full : d.data;
    const out = [];
    for (const [path, literal, givenPath] of targets) {
      const input = literal == null ? at(root, path) : literal[0];
      try {
        let res = f(input, options, contextFor(d, rule, path, givenPath));
        if (res && typeof res.then === 'function') res = await res;
        out.push(Array.isArray(res) && res.length ? res.map(cleanResult) : null);
      } catch (err) {
        out.push({ error: err && err.message ? err.message : String(err) });
      }
    }
    return out;
  },
};

function cleanResult(r) {
  const o = { message: r && r.message !== undefined ? String(r.message) : '' };
  if (r && Array.isArray(r.path)) o.path = r.path.map((p) => (typeof p === 'number' ? p : String(p)));
  return o;
}

// -- main loop ---------------------------------------------------------------------------
function reply(msg) {
  protocolWrite(JSON.stringify(msg) + '\n');
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
let queue = Promise.resolve();
rl.on('line', (line) => {
  if (!line) return;
  // one request at a time, in order: the Python side waits for each answer
  queue = queue.then(async () => {
    let req;
    try {
      req = JSON.parse(line);
      const op = ops[req.op];
      if (!op) throw new Error(`unknown op ${req.op}`);
      reply({ id: req.id, ok: true, result: await op(req) });
    } catch (err) {
      reply({
        id: req ? req.id : null, ok: false,
        error: { message: err && err.message ? err.message : String(err), code: err && err.code, stack: err && err.stack },
      });
    }
  });
});
rl.on('close', () => process.exit(0));
