-- Neovim 0.11+: with editors/nvim on 'runtimepath', `vim.lsp.enable("apigov")` uses this configuration.
-- Override settings with vim.lsp.config("apigov", { settings = { apigov = { ruleset = "spectral:oas" } } });
-- fix-all on :write with vim.lsp.config("apigov", { on_attach = require("apigov").fix_on_save }).
return {
  cmd = { "apigov-ls" },
  filetypes = { "yaml", "json" },
  root_markers = { ".spectral.yaml", ".spectral.yml", ".spectral.json", ".git" },
  settings = { apigov = {} },
}
