// apigov for VS Code: starts apigov-ls over stdio and adds fix-all, restart, output and explain commands.
'use strict';
const cp = require('child_process');
const vscode = require('vscode');
const { LanguageClient, RevealOutputChannelOn } = require('vscode-languageclient/node');
const server = require('./server');
const { serverSettings, sanitiseConfigurationResult } = require('./settings');

const CLIENT_ID = 'apigov';
const CLIENT_NAME = 'apigov';
const FIX_ALL_KIND = 'source.fixAll.apigov';
// files only: the server reads rulesets and $ref'd files from disk next to the document
const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'json' },
  { scheme: 'file', language: 'jsonc' },
];

const state = { client: undefined, output: undefined, cmd: undefined, located: undefined };

function settingsFor(scopeUri) {
  const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  return serverSettings(vscode.workspace.getConfiguration('apigov', scope), vscode.workspace.isTrusted);
}

function sendSettings() {
  const client = state.client;
  if (!client || !client.isRunning()) return Promise.resolve();
  return client.sendNotification('workspace/didChangeConfiguration', { settings: { apigov: settingsFor() } });
}

function clientOptions() {
  return {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: state.output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: settingsFor(),
    synchronize: { configurationSection: 'apigov' },
    middleware: {
      workspace: {
        // the server pulls section "apigov": answer with the sanitised settings (trust from VS Code)
        configuration: async (params, token, next) =>
          sanitiseConfigurationResult(params.items, await next(params, token), settingsFor),
        // replaces the client's own notification, which would copy raw settings (a workspace's "apigov.trusted")
        didChangeConfiguration: () => sendSettings(),
      },
    },
  };
}

function reportNotFound(message) {
  state.output.appendLine(message);
  vscode.window.showErrorMessage(message, 'Copy install command', 'Open settings').then((choice) => {
    if (choice === 'Copy install command') vscode.env.clipboard.writeText(server.INSTALL_COMMAND);
    if (choice === 'Open settings') vscode.commands.executeCommand('workbench.action.openSettings', 'apigov.server');
  });
}

async function startClient() {
  const config = vscode.workspace.getConfiguration('apigov');
  state.cmd = server.serverCommand(config, vscode.workspace.isTrusted);
  state.located = await server.locateServer(state.cmd);
  if (!state.located.ok) {
    reportNotFound(state.located.message);
    return undefined;
  }
  const options = server.serverOptions(state.cmd, state.located.command);
  state.output.appendLine(`apigov: starting ${server.spawnArgv(options).join(' ')}`);
  const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, options, clientOptions());
  state.client = client;
  try {
    await client.start();
  } catch (err) {
    state.output.appendLine(`apigov: the language server failed to start: ${err && err.message ? err.message : err}`);
    vscode.window.showErrorMessage('apigov: the language server failed to start (see the apigov output).', 'Show output')
      .then((choice) => choice && state.output.show(true));
  }
  return client;
}

async function stopClient() {
  const client = state.client;
  state.client = undefined;
  if (client) {
    try {
      await client.stop();
    } catch (err) {
      state.output.appendLine(`apigov: stopping the server: ${err && err.message ? err.message : err}`);
    }
  }
}

async function restartServer() {
  await stopClient();
  return startClient();
}

/** Ask the server for its fix-all action on the active document and apply it. */
async function fixAll() {
  const editor = vscode.window.activeTextEditor;
  const client = state.client;
  if (!editor || !client || !client.isRunning()) {
    vscode.window.showWarningMessage('apigov: open an API description (and let the server start) to fix it.');
    return false;
  }
  const doc = editor.document;
  const last = doc.lineCount - 1;
  const params = {
    textDocument: { uri: doc.uri.toString() },
    range: { start: { line: 0, character: 0 }, end: { line: last, character: doc.lineAt(last).text.length } },
    context: { diagnostics: [], only: [FIX_ALL_KIND], triggerKind: 1 },
  };
  const actions = (await client.sendRequest('textDocument/codeAction', params)) || [];
  // only the fix-all kind: a server that ignores `only` may also list single quick fixes
  const action = actions.find((a) => typeof a.kind === 'string' && a.kind.startsWith(FIX_ALL_KIND));
  if (!action || (!action.edit && !action.command)) {
    vscode.window.showInformationMessage('apigov: nothing in this file can be fixed automatically.');
    return false;
  }
  if (action.edit) {
    const edit = await client.protocol2CodeConverter.asWorkspaceEdit(action.edit);
    if (!(await vscode.workspace.applyEdit(edit))) return false;
  }
  if (action.command) {
    const command = typeof action.command === 'string' ? action : action.command;
    await client.sendRequest('workspace/executeCommand', { command: command.command, arguments: command.arguments });
  }
  return true;
}

function diagnosticCode(d) {
  return d.code !== null && typeof d.code === 'object' ? String(d.code.value) : d.code !== undefined ? String(d.code) : '';
}

/** The rule to explain: the apigov diagnostics under the cursor first, then the file's, else ask. */
async function pickRule() {
  const editor = vscode.window.activeTextEditor;
  const diags = editor ? vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source === 'apigov') : [];
  const here = editor ? diags.filter((d) => d.range.contains(editor.selection.active)) : [];
  const codes = [...new Set((here.length ? here : diags).map(diagnosticCode).filter(Boolean))];
  if (codes.length === 1) return codes[0];
  if (codes.length > 1) return vscode.window.showQuickPick(codes, { placeHolder: 'Rule to explain' });
  return vscode.window.showInputBox({ prompt: 'Rule code to explain (e.g. operation-description)' });
}

function docsLink(code) {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const d = vscode.languages.getDiagnostics(editor.document.uri).find((x) => diagnosticCode(x) === code && x.code && x.code.target);
  return d ? d.code.target : undefined;
}

/** `apigov explain RULE` from the server's installation, shown as a Markdown document. */
async function explainRule(code) {
  const rule = typeof code === 'string' && code ? code : await pickRule();
  if (!rule) return undefined;
  if (!state.located || !state.located.ok) {
    vscode.window.showErrorMessage(state.located ? state.located.message : 'apigov: the language server is not running.');
    return undefined;
  }
  const cli = server.cliCommand(state.cmd, state.located.command);
  const args = [...cli.args, 'explain', rule];
  const ruleset = vscode.workspace.getConfiguration('apigov').get('ruleset');
  // loading a workspace ruleset can run its code (JavaScript rulesets): only in trusted workspaces
  if (ruleset && vscode.workspace.isTrusted) args.push('--ruleset', ruleset);
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const text = await new Promise((resolve) => {
    cp.execFile(cli.command, args, { cwd: folder ? folder.uri.fsPath : undefined, timeout: 30000 }, (err, stdout, stderr) => {
      resolve(err ? { error: (stderr || err.message).trim() } : { stdout });
    });
  });
  if (text.error !== undefined) {
    state.output.appendLine(`apigov explain ${rule}: ${text.error}`);
    const link = docsLink(rule);
    if (link) return vscode.env.openExternal(link);
    vscode.window.showErrorMessage(`apigov: cannot explain ${rule}: ${text.error}`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text.stdout });
  return vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

async function activate(context) {
  state.output = vscode.window.createOutputChannel('apigov');
  context.subscriptions.push(
    state.output,
    vscode.commands.registerCommand('apigov.fixAll', fixAll),
    vscode.commands.registerCommand('apigov.restartServer', restartServer),
    vscode.commands.registerCommand('apigov.showOutput', () => state.output.show(true)),
    vscode.commands.registerCommand('apigov.explainRule', explainRule),
    // trust granted: restart so that workspace program settings and custom functions apply
    vscode.workspace.onDidGrantWorkspaceTrust(restartServer),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('apigov.server')) restartServer();
    }),
    { dispose: stopClient },
  );
  await startClient();
  return { get client() { return state.client; } };
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate, CLIENT_ID, DOCUMENT_SELECTOR, FIX_ALL_KIND };
