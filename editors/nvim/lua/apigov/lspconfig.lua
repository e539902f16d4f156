-- apigov-ls through nvim-lspconfig (which has no built-in entry for it):
--   require("apigov.lspconfig").setup({ settings = { ruleset = "spectral:oas" }, fix_on_save = true })
-- Extra nvim-lspconfig options (on_attach, capabilities, ...) go in `lspconfig = { ... }`.
local apigov = require("apigov")

local M = {}

function M.register()
  local configs = require("lspconfig.configs")
  if configs.apigov then
    return
  end
  local util = require("lspconfig.util")
  configs.apigov = {
    default_config = {
      cmd = apigov.defaults.cmd,
      filetypes = apigov.defaults.filetypes,
      root_dir = util.root_pattern(unpack(apigov.defaults.root_markers)),
      single_file_support = true,
      settings = { apigov = {} },
      init_options = {},
    },
    docs = {
      description = "apigov-ls: OpenAPI governance and security linting with Spectral-compatible rulesets",
    },
  }
end

function M.setup(opts)
  opts = opts or {}
  M.register()
  local settings = opts.settings or {}
  local user_on_attach = (opts.lspconfig or {}).on_attach
  local config = vim.tbl_deep_extend("force", {
    cmd = opts.cmd or apigov.defaults.cmd,
    settings = { apigov = settings },
    init_options = settings,
  }, opts.lspconfig or {})
  config.on_attach = function(client, bufnr)
    if opts.fix_on_save then
      apigov.fix_on_save(client, bufnr, opts.fix_on_save_timeout_ms)
    end
    if user_on_attach then
      user_on_attach(client, bufnr)
    end
  end
  require("lspconfig").apigov.setup(config)
end

return M
