// Stand-ins for the `vscode` module and vscode-languageclient, installed through a Module._load hook,
// so that src/extension.js runs under plain node. They record what the extension does with them.
'use strict';
const Module = require('module');
const path = require('path');

function fakeConfiguration(values, workspaceValues = {}) {
  // values: user (global) settings; workspaceValues: the workspace's .vscode/settings.json
  const defaults = { 'server.path': 'apigov-ls', 'server.pythonPath': '', 'server.args': [], ruleset: null, run: 'onType', debounceMs: 200,
    severityOverrides: {}, include: [], exclude: [], maxFileSize: null, baseline: null, allowedRefRoots: [] };
  return {
    trustedView: true,
    get(key) {
      if (key in workspaceValues) return workspaceValues[key];
      if (key in values) return values[key];
      return defaults[key];
    },
    inspect(key) {
      return { key, defaultValue: defaults[key], globalValue: values[key], workspaceValue: workspaceValues[key] };
    },
  };
}

function createFakes({ settings = {}, workspaceSettings = {}, trusted = true } = {}) {
  const rec = {
    clients: [], commands: {}, errors: [], infos: [], warnings: [], appliedEdits: [], output: [], notifications: [],
    trustListeners: [], configListeners: [], opened: [],
  };

  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: 0, stopped: 0, running: false, requests: [] });
      this.responses = {};
      this.protocol2CodeConverter = { asWorkspaceEdit: async (edit) => ({ converted: edit }) };
      rec.clients.push(this);
    }
    async start() { this.started += 1; this.running = true; }
    async stop() { this.stopped += 1; this.running = false; }
    isRunning() { return this.running; }
    async sendRequest(method, params) {
      this.requests.push({ method, params });
      return this.responses[method];
    }
    async sendNotification(method, params) { rec.notifications.push({ method, params }); }
  }

  const languageclient = { LanguageClient, RevealOutputChannelOn: { Info: 1, Warn: 2, Error: 3, Never: 4 }, TransportKind: { stdio: 0 } };

  const disposable = () => ({ dispose() {} });
  const vscode = {
    ViewColumn: { Beside: -2 },
    Uri: { parse: (s) => ({ toString: () => s, fsPath: s.replace(/^file:\/\//, '') }) },
    workspace: {
      isTrusted: trusted,
      workspaceFolders: undefined,
      getConfiguration: (section) => {
        if (section !== 'apigov') throw new Error(`unexpected configuration section ${section}`);
        return fakeConfiguration(settings, workspaceSettings);
      },
      onDidGrantWorkspaceTrust: (fn) => { rec.trustListeners.push(fn); return disposable(); },
      onDidChangeConfiguration: (fn) => { rec.configListeners.push(fn); return disposable(); },
      applyEdit: async (edit) => { rec.appliedEdits.push(edit); return true; },
      openTextDocument: async (init) => { rec.opened.push(init); return init; },
    },
    window: {
      activeTextEditor: undefined,
      createOutputChannel: (name) => ({ name, appendLine: (l) => rec.output.push(l), show() { rec.outputShown = true; }, dispose() {} }),
      showErrorMessage: (msg) => { rec.errors.push(msg); return Promise.resolve(undefined); },
      showInformationMessage: (msg) => { rec.infos.push(msg); return Promise.resolve(undefined); },
      showWarningMessage: (msg) => { rec.warnings.push(msg); return Promise.resolve(undefined); },
      showTextDocument: async (doc) => doc,
      showQuickPick: async (items) => items[0],
      showInputBox: async () => undefined,
    },
    commands: {
      registerCommand: (id, fn) => { rec.commands[id] = fn; return disposable(); },
      executeCommand: async () => undefined,
    },
    languages: { getDiagnostics: () => [] },
    env: { clipboard: { writeText: async () => undefined }, openExternal: async () => true },
  };
  return { vscode, languageclient, rec };
}

/** Load src/extension.js fresh with the fakes; returns {extension, vscode, rec}. */
function loadExtension(options) {
  const fakes = createFakes(options);
  const original = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request === 'vscode') return fakes.vscode;
    if (request === 'vscode-languageclient/node') return fakes.languageclient;
    return original.call(this, request, parent, isMain);
  };
  const srcDir = path.resolve(__dirname, '..', 'src');
  for (const key of Object.keys(require.cache)) if (key.startsWith(srcDir)) delete require.cache[key];
  try {
    const extension = require(path.join(srcDir, 'extension.js'));
    return { extension, vscode: fakes.vscode, rec: fakes.rec };
  } finally {
    Module._load = original;
  }
}

function fakeContext() {
  return { subscriptions: [] };
}

module.exports = { loadExtension, fakeContext, fakeConfiguration };
