// Copies the server's ruleset schema into the extension, so the .vsix carries the same schema the
// server validates rulesets with (one source of truth: apigov_ls/schemas/ruleset.schema.json).
'use strict';
const fs = require('fs');
const path = require('path');

const source = path.resolve(__dirname, '..', '..', '..', 'apigov_ls', 'schemas', 'ruleset.schema.json');
const target = path.resolve(__dirname, '..', 'schemas', 'ruleset.schema.json');

const text = fs.readFileSync(source, 'utf8');
JSON.parse(text); // refuse to package a broken schema
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, text);
console.log(`copied ${path.relative(process.cwd(), source)} -> ${path.relative(process.cwd(), target)}`);
