// How the extension starts apigov-ls: settings -> command line. No `vscode` import, so the tests
// (and the protocol test that launches the real server) use exactly this code.
'use strict';
const fs = require('fs');
const path = require('path');
const cp = require('child_process');

// apigov-ls is not on PyPI: it installs from a checkout (or a git URL) of its repository
const INSTALL_COMMAND = 'python3 -m pip install <apigov-ls checkout>';
const SERVER_MODULE = 'apigov_ls.server';
const CLI_MODULE = 'apigov_ls.cli';
// vscode-languageclient's TransportKind.stdio (the enum value, kept here so this module stays vscode-free)
const TRANSPORT_STDIO = 0;

/**
 * A setting that chooses which program runs (or widens what it reads). In an untrusted workspace
 * only the user's (global) value counts: a cloned repository must not pick the program VS Code starts.
 * (VS Code does the same for the restrictedConfigurations in package.json; this keeps it true
 * whatever the VS Code version.)
 */
function programSetting(config, key, trusted) {
  if (trusted) return config.get(key);
  const info = config.inspect(key) || {};
  return info.globalValue !== undefined ? info.globalValue : info.defaultValue;
}

/** The server's executable and arguments from the `apigov.server.*` settings. */
function serverCommand(config, trusted) {
  const python = (programSetting(config, 'server.pythonPath', trusted) || '').trim();
  const extra = programSetting(config, 'server.args', trusted) || [];
  if (python) {
    return { command: python, args: ['-m', SERVER_MODULE, ...extra], kind: 'python' };
  }
  const exe = (programSetting(config, 'server.path', trusted) || 'apigov-ls').trim() || 'apigov-ls';
  return { command: exe, args: [...extra], kind: 'executable' };
}

/** vscode-languageclient ServerOptions (an Executable on stdio) for a resolved command. */
function serverOptions(cmd, resolved) {
  return { command: resolved, args: cmd.args.slice(), transport: TRANSPORT_STDIO, options: { env: process.env } };
}

/** The argv vscode-languageclient 11 spawns for an Executable: it appends --stdio for stdio. */
function spawnArgv(options) {
  const args = options.args ? options.args.slice() : [];
  if (options.transport === TRANSPORT_STDIO) args.push('--stdio');
  return [options.command, ...args];
}

/** An executable's absolute path: a path is checked as is, a bare name is looked up on PATH. */
function resolveExecutable(command, env = process.env, platform = process.platform) {
  const isFile = (p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT || '.EXE;.CMD;.BAT').split(';')] : [''];
  if (command.includes('/') || command.includes('\\') || path.isAbsolute(command)) {
    const full = path.resolve(command);
    return exts.map((e) => full + e).find(isFile) || null;
  }
  for (const dir of (env.PATH || env.Path || '').split(path.delimiter)) {
    if (!dir) continue;
    const found = exts.map((e) => path.join(dir, command + e)).find(isFile);
    if (found) return found;
  }
  return null;
}

/**
 * Check that the server can start, before handing it to the language client.
 * Resolves {ok: true, command} or {ok: false, message} with the install command in the message.
 */
function locateServer(cmd, env = process.env) {
  const resolved = resolveExecutable(cmd.command, env);
  if (cmd.kind === 'python') {
    if (!resolved) {
      return Promise.resolve({ ok: false, message: `apigov: the Python interpreter "${cmd.command}" (apigov.server.pythonPath) was not found.` });
    }
    return new Promise((resolve) => {
      cp.execFile(resolved, ['-c', `import ${SERVER_MODULE}`], { env, timeout: 20000 }, (err) => {
        resolve(err
          ? { ok: false, message: `apigov: apigov-ls is not installed for ${resolved}. Install it with: ${resolved} -m pip install <apigov-ls checkout>` }
          : { ok: true, command: resolved });
      });
    });
  }
  if (!resolved) {
    return Promise.resolve({
      ok: false,
      message: `apigov: the language server "${cmd.command}" was not found. Install it with: ${INSTALL_COMMAND} ` +
        '(or set apigov.server.path, or apigov.server.pythonPath to a Python that has it).',
    });
  }
  return Promise.resolve({ ok: true, command: resolved });
}

/** The `apigov` CLI that belongs to the same installation as the server (for `apigov explain`). */
function cliCommand(cmd, resolvedServer, platform = process.platform) {
  if (cmd.kind === 'python') return { command: resolvedServer, args: ['-m', CLI_MODULE] };
  const base = path.basename(resolvedServer).replace(/\.exe$/i, '');
  if (base === 'apigov-ls') {
    return { command: path.join(path.dirname(resolvedServer), platform === 'win32' ? 'apigov.exe' : 'apigov'), args: [] };
  }
  return { command: 'apigov', args: [] };
}

module.exports = {
  INSTALL_COMMAND, TRANSPORT_STDIO, programSetting, serverCommand, serverOptions, spawnArgv,
  resolveExecutable, locateServer, cliCommand,
};
