// activate() with `vscode` and vscode-languageclient replaced by recorders (test/fake-vscode.js).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { loadExtension, fakeContext, fakeConfiguration } = require('./fake-vscode');
const { sanitiseConfigurationResult, serverSettings } = require('../src/settings');

function tempBin(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apigov-vscode-'));
  for (const [name, body] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return dir;
}

async function withPath(dir, fn) {
  const saved = process.env.PATH;
  process.env.PATH = dir;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

test('activate starts one client: id, command line from PATH, document selector, settings', async () => {
  const bin = tempBin({ 'apigov-ls': 'exit 0' });
  await withPath(bin, async () => {
    const { extension, rec } = loadExtension({ settings: { run: 'onSave', severityOverrides: { 'info-contact': 'off' } } });
    const context = fakeContext();
    await extension.activate(context);
    assert.strictEqual(rec.clients.length, 1);
    const client = rec.clients[0];
    assert.strictEqual(client.id, 'apigov');
    assert.strictEqual(client.serverOptions.command, path.join(bin, 'apigov-ls'));
    assert.deepStrictEqual(client.serverOptions.args, []);
    assert.strictEqual(client.serverOptions.transport, 0); // TransportKind.stdio: the client adds --stdio
    assert.deepStrictEqual(client.clientOptions.documentSelector.map((s) => `${s.scheme}:${s.language}`),
      ['file:yaml', 'file:json', 'file:jsonc']);
    const init = client.clientOptions.initializationOptions;
    assert.strictEqual(init.run, 'onSave');
    assert.deepStrictEqual(init.severityOverrides, { 'info-contact': 'off' });
    assert.strictEqual(init.trusted, true);
    assert.deepStrictEqual(Object.keys(init).sort(),
      ['allowedRefRoots', 'baseline', 'debounceMs', 'exclude', 'include', 'maxFileSize', 'ruleset', 'run', 'severityOverrides', 'trusted']);
    assert.strictEqual(client.started, 1);
    assert.ok(context.subscriptions.length >= 6, 'commands, listeners and the output channel are disposed with the extension');
    assert.deepStrictEqual(Object.keys(rec.commands).sort(),
      ['apigov.explainRule', 'apigov.fixAll', 'apigov.restartServer', 'apigov.showOutput']);
    await extension.deactivate();
    assert.strictEqual(client.stopped, 1);
  });
});

test('pythonPath starts `python -m apigov_ls.server` with the extra arguments', async () => {
  const bin = tempBin({ python9: 'exit 0' }); // answers `-c "import apigov_ls.server"` with success
  const python = path.join(bin, 'python9');
  const { extension, rec } = loadExtension({ settings: { 'server.pythonPath': python, 'server.args': ['--log-level', 'DEBUG'] } });
  await extension.activate(fakeContext());
  const client = rec.clients[0];
  assert.strictEqual(client.serverOptions.command, python);
  assert.deepStrictEqual(client.serverOptions.args, ['-m', 'apigov_ls.server', '--log-level', 'DEBUG']);
  await extension.deactivate();
});

test('a missing server gives an error with the install command and no client', async () => {
  const empty = tempBin({});
  await withPath(empty, async () => {
    const { extension, rec } = loadExtension();
    await extension.activate(fakeContext());
    assert.strictEqual(rec.clients.length, 0);
    assert.strictEqual(rec.errors.length, 1);
    assert.match(rec.errors[0], /"apigov-ls" was not found/);
    assert.match(rec.errors[0], /python3 -m pip install <apigov-ls checkout>/);
  });
});

test('a Python without apigov-ls is reported with that Python\'s pip command', async () => {
  const bin = tempBin({ python9: 'exit 1' });
  const python = path.join(bin, 'python9');
  const { extension, rec } = loadExtension({ settings: { 'server.pythonPath': python } });
  await extension.activate(fakeContext());
  assert.strictEqual(rec.clients.length, 0);
  assert.match(rec.errors[0], new RegExp(`${python.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -m pip install <apigov-ls checkout>`));
});

test('untrusted workspace: trusted=false everywhere, and workspace values cannot choose the program', async () => {
  const userBin = tempBin({ 'apigov-ls': 'exit 0' });
  const evilBin = tempBin({ 'evil-ls': 'exit 0' });
  await withPath(userBin, async () => {
    const { extension, rec } = loadExtension({
      trusted: false,
      settings: { allowedRefRoots: ['/home/me/shared-schemas'] },
      workspaceSettings: { 'server.path': path.join(evilBin, 'evil-ls'), trusted: true, allowedRefRoots: ['/'], run: 'onSave' },
    });
    await extension.activate(fakeContext());
    const client = rec.clients[0];
    assert.strictEqual(client.serverOptions.command, path.join(userBin, 'apigov-ls'));
    const init = client.clientOptions.initializationOptions;
    assert.strictEqual(init.trusted, false);
    assert.deepStrictEqual(init.allowedRefRoots, ['/home/me/shared-schemas']); // not the workspace's '/'
    assert.strictEqual(init.run, 'onSave'); // harmless workspace settings still apply
    // the server pulls section "apigov": the raw answer would carry the workspace's "trusted": true
    const mw = client.clientOptions.middleware.workspace;
    const items = [{ section: 'apigov' }, { section: 'yaml' }];
    const answer = await mw.configuration({ items }, undefined, async () => [{ trusted: true, run: 'onType' }, { other: 1 }]);
    assert.strictEqual(answer[0].trusted, false);
    assert.deepStrictEqual(answer[1], { other: 1 });
    // settings changes are sent sanitised too
    client.running = true;
    await mw.didChangeConfiguration(['apigov'], async () => assert.fail('the raw notification must not be sent'));
    const sent = rec.notifications.find((n) => n.method === 'workspace/didChangeConfiguration');
    assert.strictEqual(sent.params.settings.apigov.trusted, false);
    await extension.deactivate();
  });
});

test('granting trust restarts the server, which is then told trusted=true', async () => {
  const bin = tempBin({ 'apigov-ls': 'exit 0' });
  await withPath(bin, async () => {
    const { extension, vscode, rec } = loadExtension({ trusted: false });
    await extension.activate(fakeContext());
    vscode.workspace.isTrusted = true;
    await rec.trustListeners[0]();
    assert.strictEqual(rec.clients.length, 2);
    assert.strictEqual(rec.clients[0].stopped, 1);
    assert.strictEqual(rec.clients[1].clientOptions.initializationOptions.trusted, true);
    await extension.deactivate();
  });
});

test('restart command stops the client and starts a new one', async () => {
  const bin = tempBin({ 'apigov-ls': 'exit 0' });
  await withPath(bin, async () => {
    const { extension, rec } = loadExtension();
    await extension.activate(fakeContext());
    await rec.commands['apigov.restartServer']();
    assert.strictEqual(rec.clients.length, 2);
    assert.strictEqual(rec.clients[0].stopped, 1);
    assert.strictEqual(rec.clients[1].started, 1);
    await extension.deactivate();
    assert.strictEqual(rec.clients[1].stopped, 1);
  });
});

test('fix all asks for source.fixAll.apigov over the whole file and applies the edit', async () => {
  const bin = tempBin({ 'apigov-ls': 'exit 0' });
  await withPath(bin, async () => {
    const { extension, vscode, rec } = loadExtension();
    await extension.activate(fakeContext());
    const client = rec.clients[0];
    const lines = ['openapi: 3.0.3', 'info: {title: t, version: "1"}', 'paths: {}'];
    vscode.window.activeTextEditor = { document: {
      uri: { toString: () => 'file:///w/api.yaml' }, lineCount: lines.length, lineAt: (i) => ({ text: lines[i] }),
    } };
    const edit = { changes: { 'file:///w/api.yaml': [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '#' }] } };
    client.responses['textDocument/codeAction'] = [
      { title: 'Remove the trailing slash', kind: 'quickfix', edit: { changes: {} } },
      { title: 'Fix all', kind: 'source.fixAll.apigov', edit },
    ];
    assert.strictEqual(await rec.commands['apigov.fixAll'](), true);
    const request = client.requests[0];
    assert.strictEqual(request.method, 'textDocument/codeAction');
    assert.deepStrictEqual(request.params.context.only, ['source.fixAll.apigov']);
    assert.deepStrictEqual(request.params.range.end, { line: 2, character: 'paths: {}'.length });
    assert.deepStrictEqual(rec.appliedEdits, [{ converted: edit }]);
    client.responses['textDocument/codeAction'] = [{ title: 'only a quick fix', kind: 'quickfix', edit }];
    assert.strictEqual(await rec.commands['apigov.fixAll'](), false);
    assert.strictEqual(rec.appliedEdits.length, 1);
    assert.match(rec.infos[0], /nothing in this file/);
    await extension.deactivate();
  });
});

test('explain runs `apigov explain RULE` beside the server and opens the text as Markdown', async () => {
  const bin = tempBin({ 'apigov-ls': 'exit 0', apigov: 'echo "explained: $1 $2"' });
  await withPath(bin, async () => {
    const { extension, rec } = loadExtension();
    await extension.activate(fakeContext());
    await rec.commands['apigov.explainRule']('info-contact');
    assert.deepStrictEqual(rec.opened, [{ language: 'markdown', content: 'explained: explain info-contact\n' }]);
    await extension.deactivate();
  });
});

test('serverSettings never copies a "trusted" setting', () => {
  const config = fakeConfiguration({ trusted: true, ruleset: 'spectral:oas' });
  assert.strictEqual(serverSettings(config, false).trusted, false);
  assert.strictEqual(serverSettings(config, false).ruleset, 'spectral:oas');
  const out = sanitiseConfigurationResult([{}], [{ apigov: { trusted: true } }], () => ({ trusted: false }));
  assert.deepStrictEqual(out, [{ apigov: { trusted: false } }]);
});
