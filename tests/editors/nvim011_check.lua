-- Drives headless Neovim 0.11 through editors/nvim, set up the way editors/nvim/README.md tells users:
--   APIGOV_SETUP=setup:  require("apigov").setup({ ..., fix_on_save = true })   (the vim.lsp.start path)
--   APIGOV_SETUP=native: lsp/apigov.lua through vim.lsp.config + vim.lsp.enable, fix-on-save as on_attach
-- Then the same session as nvim_check.lua (0.7), the 0.11 way: the quick fix through
-- vim.lsp.buf.code_action({ filter = ..., apply = true }), as a user's mapping would run it, then :write.
-- Results go to $APIGOV_RESULT as JSON; test_neovim_011.py checks them.
-- Environment: APIGOV_SETUP, APIGOV_RTP (editors/nvim), APIGOV_FILE, APIGOV_RESULT, APIGOV_TIMEOUT_MS,
-- APIGOV_CMD (JSON list; optional for native: without it lsp/apigov.lua's `apigov-ls` on PATH runs).
local result = { steps = {}, nvim = vim.version(), setup = os.getenv("APIGOV_SETUP"), deprecated = {},
                 pushes = 0, pulls = 0 }
local timeout = tonumber(os.getenv("APIGOV_TIMEOUT_MS") or "20000")
local started = vim.uv.hrtime()
local SLASH = "oas3-server-trailing-slash"

local function step(name, ok, detail)
  table.insert(result.steps, { name = name, ok = ok and true or false, detail = detail,
                               ms = math.floor((vim.uv.hrtime() - started) / 1e6) })
  if not ok then
    error("step failed: " .. name .. (detail and (": " .. vim.inspect(detail)) or ""), 0)
  end
end

-- Deprecated API the plugin calls: soft-deprecated in 0.11 (silent), a warning in 0.12, gone in 0.13
local deprecate = vim.deprecate
vim.deprecate = function(name, alternative, version, ...)
  table.insert(result.deprecated, { name = name, alternative = alternative, version = version,
                                    traceback = debug.traceback("", 2) })
  return deprecate(name, alternative, version, ...)
end

-- Which way diagnostics came: 0.11 advertises textDocument.diagnostic, so the server should be pulled
for method, counter in pairs({ ["textDocument/publishDiagnostics"] = "pushes", ["textDocument/diagnostic"] = "pulls" }) do
  local handler = vim.lsp.handlers[method]
  vim.lsp.handlers[method] = function(err, res, ctx, ...)
    result[counter] = result[counter] + 1
    return handler(err, res, ctx, ...)
  end
end

local function snapshot(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, { code = d.code, lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
                        message = d.message, severity = d.severity, source = d.source })
  end
  table.sort(out, function(a, b) return a.lnum < b.lnum end)
  return out
end

local function count(buf, code)
  local n = 0
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then n = n + 1 end
  end
  return n
end

local function apigov_client(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = "apigov" })[1]
end

local function configure()
  local cmd = os.getenv("APIGOV_CMD") and vim.json.decode(os.getenv("APIGOV_CMD")) or nil
  vim.opt.runtimepath:append(os.getenv("APIGOV_RTP"))
  if result.setup == "setup" then
    require("apigov").setup({ cmd = cmd, settings = { debounceMs = 50 }, fix_on_save = true })
  elseif result.setup == "native" then
    vim.lsp.config("apigov", {
      cmd = cmd,
      settings = { apigov = { debounceMs = 50 } },
      on_attach = require("apigov").fix_on_save,
    })
    vim.lsp.enable("apigov")
  else
    error("APIGOV_SETUP must be setup or native, not " .. tostring(result.setup), 0)
  end
end

local function run()
  configure()
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("APIGOV_FILE")))
  local buf = vim.api.nvim_get_current_buf()
  step("filetype yaml", vim.bo[buf].filetype == "yaml", vim.bo[buf].filetype)
  step("client attached", vim.wait(timeout, function() return apigov_client(buf) ~= nil end, 20))
  local client = apigov_client(buf)
  result.root_dir = client.root_dir
  result.cmd = client.config.cmd

  step("diagnostics published", vim.wait(timeout, function() return #vim.diagnostic.get(buf) >= 3 end, 20),
       snapshot(buf))
  result.initial = snapshot(buf)
  result.sync_kind = client.server_capabilities.textDocumentSync
  result.code_actions = client.server_capabilities.codeActionProvider and true or false

  local target
  for _, d in ipairs(result.initial) do
    if not target and d.code == SLASH then target = d end
  end
  -- the quick fix as a user gets it: cursor on the finding, the preferred action applied
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  local offered = {}
  vim.lsp.buf.code_action({
    context = { only = { "quickfix" } },
    filter = function(action)
      table.insert(offered, action.title)
      for _, d in ipairs(action.diagnostics or {}) do
        if action.isPreferred and action.edit and d.code == SLASH then
          result.quickfix_title = result.quickfix_title or action.title
          return true
        end
      end
      return false
    end,
    apply = true,
  })
  local before = vim.api.nvim_buf_get_lines(buf, target.lnum, target.lnum + 1, false)[1]
  step("quick fix applied", vim.wait(timeout, function()
    return vim.api.nvim_buf_get_lines(buf, target.lnum, target.lnum + 1, false)[1] ~= before
  end, 20), offered)
  result.offered = offered
  result.after_quickfix_line = vim.api.nvim_buf_get_lines(buf, target.lnum, target.lnum + 1, false)[1]
  step("one trailing slash left", vim.wait(timeout, function() return count(buf, SLASH) == 1 end, 20), snapshot(buf))
  result.after_quickfix = snapshot(buf)

  -- :write runs the documented fix-on-save (the server's source.fixAll.apigov action) first
  vim.cmd("write")
  step("no trailing slash after save", vim.wait(timeout, function() return count(buf, SLASH) == 0 end, 20),
       snapshot(buf))
  result.after_save = snapshot(buf)
  result.saved_text = table.concat(vim.fn.readfile(os.getenv("APIGOV_FILE")), "\n")
  result.modified_after_save = vim.bo[buf].modified

  client:stop()
  step("client stopped", vim.wait(timeout, function() return client:is_stopped() end, 20))
end

local ok, err = pcall(run)
result.ok = ok
result.error = not ok and tostring(err) or nil
local fh = io.open(os.getenv("APIGOV_RESULT"), "w")
fh:write(vim.json.encode(result))
fh:close()
if ok then vim.cmd("qall!") else vim.cmd("cquit") end
