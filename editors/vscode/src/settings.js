// The server's settings ("apigov" section) as the extension sends them: initializationOptions,
// workspace/configuration answers and didChangeConfiguration all go through serverSettings().
'use strict';
const { programSetting } = require('./server');

/** Keys the server reads (apigov_ls/server/config.py), mirrored one to one by the extension's settings. */
const SERVER_KEYS = ['ruleset', 'run', 'debounceMs', 'severityOverrides', 'include', 'exclude', 'maxFileSize', 'baseline'];
/** Keys that widen what the server reads: only the user's own value counts in an untrusted workspace. */
const RESTRICTED_KEYS = ['allowedRefRoots'];

/**
 * `trusted` is never read from settings: it is VS Code's workspace trust. A workspace's own
 * .vscode/settings.json could otherwise say `"apigov.trusted": true` and run its ruleset's code.
 */
function serverSettings(config, workspaceTrusted) {
  const out = {};
  for (const key of SERVER_KEYS) {
    const value = config.get(key);
    if (value !== undefined) out[key] = value;
  }
  for (const key of RESTRICTED_KEYS) {
    const value = programSetting(config, key, workspaceTrusted);
    if (value !== undefined) out[key] = value;
  }
  out.trusted = workspaceTrusted === true;
  return out;
}

/** Replace the "apigov" entries of a workspace/configuration answer with sanitised settings. */
function sanitiseConfigurationResult(items, result, settingsFor) {
  if (!Array.isArray(result)) return result;
  return result.map((value, i) => {
    const item = items[i] || {};
    if (item.section === 'apigov') return settingsFor(item.scopeUri);
    if (item.section === undefined && value && typeof value === 'object' && 'apigov' in value) {
      return { ...value, apigov: settingsFor(item.scopeUri) };
    }
    return value;
  });
}

module.exports = { SERVER_KEYS, RESTRICTED_KEYS, serverSettings, sanitiseConfigurationResult };
