-- apigov-ls for Neovim without plugins: `require("apigov").setup({...})`.
-- Neovim 0.8+ starts the server with vim.lsp.start(); 0.7 with vim.lsp.start_client() + buf_attach_client().
local M = {}

M.FIX_ALL_KIND = "source.fixAll.apigov"

M.defaults = {
  -- the server command: `apigov-ls` on PATH, or e.g. { "/path/to/python", "-m", "apigov_ls.server" }
  cmd = { "apigov-ls" },
  filetypes = { "yaml", "json" },
  -- the nearest folder holding one of these is the workspace root
  root_markers = { ".spectral.yaml", ".spectral.yml", ".spectral.json", ".git" },
  -- the server's "apigov" settings: ruleset, run ("onType"|"onSave"), severityOverrides, include,
  -- exclude, debounceMs, maxFileSize, allowedRefRoots (folders outside the workspace that $refs may
  -- read), trusted (true lets rulesets run their custom functions: only for code you trust)
  settings = {},
  -- opt-in: apply the server's fix-all (safe fixes only) before each :write of an attached buffer
  fix_on_save = false,
  fix_on_save_timeout_ms = 2000,
}

local function merged(opts)
  return vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
end

local uv = vim.uv or vim.loop -- vim.loop is deprecated from 0.10 on

-- Client methods: `client:request_sync(...)` from 0.11 on (the 0.10 `client.request_sync(...)` form is
-- deprecated there and goes in 0.13); 0.10 and older only have the closure, which takes no self.
local function request_sync(client, method, params, timeout_ms, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request_sync(method, params, timeout_ms, bufnr)
  end
  return client.request_sync(method, params, timeout_ms, bufnr)
end

--- The nearest ancestor folder of `path` that holds one of `markers`, else the file's folder.
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local current = dir
  while true do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(current .. "/" .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ":h")
    if parent == current then
      return dir
    end
    current = parent
  end
end

--- The client configuration for a buffer (shared by vim.lsp.start and start_client).
function M.client_config(bufnr, opts)
  local cfg = merged(opts)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = M.find_root(name ~= "" and name or vim.fn.getcwd() .. "/x", cfg.root_markers)
  return {
    name = "apigov",
    cmd = cfg.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = cfg.settings,
    -- answers the server's workspace/configuration request for section "apigov"
    settings = { apigov = cfg.settings },
  }
end

-- Neovim 0.7 has no vim.lsp.start(): one client per root folder, reused across buffers
local clients_by_root = {}

--- Start (or reuse) the apigov client for `bufnr` and attach it. Returns the client id.
function M.start(bufnr, opts)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local config = M.client_config(bufnr, opts)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients_by_root[config.root_dir]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(config)
    if not id then
      vim.notify("apigov: cannot start " .. table.concat(config.cmd, " "), vim.log.levels.ERROR)
      return nil
    end
    clients_by_root[config.root_dir] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- The apigov client attached to `bufnr`, if any.
function M.client(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.buf_get_clients
  for _, client in pairs(get(vim.lsp.get_clients and { bufnr = bufnr } or bufnr)) do
    if client.name == "apigov" then
      return client
    end
  end
  return nil
end

local function apply_action(client, action, bufnr)
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  end
  local command = type(action.command) == "table" and action.command or (type(action.command) == "string" and action or nil)
  if command then
    request_sync(client, "workspace/executeCommand", { command = command.command, arguments = command.arguments }, 2000, bufnr)
  end
end

--- Apply the server's fix-all code action to `bufnr`, synchronously. Returns true when something applied.
function M.fix_all(bufnr, timeout_ms)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.client(bufnr)
  if not client then
    return false
  end
  local last = vim.api.nvim_buf_line_count(bufnr) - 1
  local last_line = vim.api.nvim_buf_get_lines(bufnr, last, last + 1, false)[1] or ""
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = last, character = #last_line } },
    context = { diagnostics = {}, only = { M.FIX_ALL_KIND }, triggerKind = 1 },
  }
  local response = request_sync(client, "textDocument/codeAction", params, timeout_ms or 2000, bufnr)
  if not response or response.err or not response.result then
    return false
  end
  for _, action in ipairs(response.result) do
    if type(action.kind) == "string" and action.kind:sub(1, #M.FIX_ALL_KIND) == M.FIX_ALL_KIND then
      apply_action(client, action, bufnr)
      return true
    end
  end
  return false
end

--- Apply the fix-all before each :write of `bufnr` (buffer-local, set once). Its signature fits
--- `on_attach`, for the 0.11 `vim.lsp.config("apigov", { on_attach = require("apigov").fix_on_save })`.
function M.fix_on_save(_, bufnr, timeout_ms)
  vim.api.nvim_create_autocmd("BufWritePre", {
    group = vim.api.nvim_create_augroup("apigov_fix_on_save_" .. bufnr, { clear = true }),
    buffer = bufnr,
    callback = function()
      M.fix_all(bufnr, timeout_ms or M.defaults.fix_on_save_timeout_ms)
    end,
  })
end

--- Start apigov-ls for YAML/JSON buffers; `:ApigovFixAll`; opt-in fix-all on save.
function M.setup(opts)
  local cfg = merged(opts)
  local group = vim.api.nvim_create_augroup("apigov", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = cfg.filetypes,
    callback = function(args)
      if vim.api.nvim_buf_get_name(args.buf) ~= "" then -- the server lints files on disk, not scratch buffers
        M.start(args.buf, opts)
      end
    end,
  })
  if cfg.fix_on_save then
    vim.api.nvim_create_autocmd("BufWritePre", {
      group = group,
      callback = function(args)
        if M.client(args.buf) then
          M.fix_all(args.buf, cfg.fix_on_save_timeout_ms)
        end
      end,
    })
  end
  vim.api.nvim_create_user_command("ApigovFixAll", function()
    if not M.fix_all(0) then
      vim.notify("apigov: nothing to fix automatically", vim.log.levels.INFO)
    end
  end, { desc = "apigov: apply every safe fix in this buffer" })
end

return M
