-- Drives headless Neovim through editors/nvim/lua/apigov: open a description, wait for diagnostics,
-- apply the quick fix for the first trailing-slash finding, then :write with fix_on_save so that the
-- server's fix-all removes the second one. Results go to $APIGOV_RESULT as JSON; test_nvim.py checks them.
-- Environment: APIGOV_RTP (editors/nvim), APIGOV_CMD (JSON list), APIGOV_FILE, APIGOV_RESULT, APIGOV_TIMEOUT_MS.
local result = { steps = {}, nvim = vim.version() }
local timeout = tonumber(os.getenv("APIGOV_TIMEOUT_MS") or "20000")
local started = vim.loop.hrtime()

local function step(name, ok, detail)
  table.insert(result.steps, { name = name, ok = ok and true or false, detail = detail,
                               ms = math.floor((vim.loop.hrtime() - started) / 1e6) })
  if not ok then
    error("step failed: " .. name .. (detail and (": " .. vim.inspect(detail)) or ""), 0)
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

local function run()
  vim.opt.runtimepath:prepend(os.getenv("APIGOV_RTP"))
  vim.cmd("filetype on")
  local apigov = require("apigov")
  apigov.setup({ cmd = vim.fn.json_decode(os.getenv("APIGOV_CMD")), fix_on_save = true, settings = { debounceMs = 50 } })

  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("APIGOV_FILE")))
  local buf = vim.api.nvim_get_current_buf()
  step("filetype yaml", vim.bo[buf].filetype == "yaml", vim.bo[buf].filetype)
  step("client attached", vim.wait(timeout, function() return apigov.client(buf) ~= nil end, 20))
  local client = apigov.client(buf)

  local SLASH = "oas3-server-trailing-slash"
  step("diagnostics published", vim.wait(timeout, function() return #vim.diagnostic.get(buf) >= 3 end, 20),
       snapshot(buf))
  result.initial = snapshot(buf)
  result.sync_kind = client.server_capabilities and client.server_capabilities.textDocumentSync
                       or client.resolved_capabilities and client.resolved_capabilities.text_document_did_change

  local function first_slash(diags)
    for _, d in ipairs(diags) do
      if d.code == SLASH then return d end
    end
  end
  local target = first_slash(result.initial)
  local function remove_slash_by_hand(d)
    -- the same edit the quick fix makes: the URL's last character, the slash
    vim.api.nvim_buf_set_text(buf, d.lnum, d.end_col - 1, d.lnum, d.end_col, { "" })
  end
  result.code_actions = client.server_capabilities.codeActionProvider and true or false
  if result.code_actions then
    -- Neovim 0.7's vim.diagnostic keeps no LSP range/message in user_data: rebuild the LSP diagnostic
    local lsp_diag = {
      range = { start = { line = target.lnum, character = target.col },
                ["end"] = { line = target.end_lnum, character = target.end_col } },
      message = target.message, code = target.code, severity = target.severity, source = target.source,
    }
    local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = lsp_diag.range,
      context = { diagnostics = { lsp_diag }, only = { "quickfix" } },
    }, timeout)
    local action
    for _, response in pairs(responses or {}) do
      for _, a in ipairs(response.result or {}) do
        for _, d in ipairs(a.diagnostics or {}) do
          if not action and a.edit and d.code == SLASH then action = a end
        end
      end
    end
    step("quick fix offered", action ~= nil, responses)
    result.quickfix_title = action.title
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  else
    -- no code actions advertised: the edit is made by hand so the session ends, and session_checks.py fails it
    remove_slash_by_hand(target)
  end
  result.after_quickfix_line = vim.api.nvim_buf_get_lines(buf, target.lnum, target.lnum + 1, false)[1]
  step("one trailing slash left", vim.wait(timeout, function() return count(buf, SLASH) == 1 end, 20), snapshot(buf))
  result.after_quickfix = snapshot(buf)

  -- :write runs fix_on_save (the server's source.fixAll.apigov action) before the file is written
  if not result.code_actions then
    remove_slash_by_hand(first_slash(snapshot(buf)))
  end
  vim.cmd("write")
  step("no trailing slash after save", vim.wait(timeout, function() return count(buf, SLASH) == 0 end, 20),
       snapshot(buf))
  result.after_save = snapshot(buf)
  result.saved_text = table.concat(vim.fn.readfile(os.getenv("APIGOV_FILE")), "\n")
  result.modified_after_save = vim.bo[buf].modified

  vim.lsp.stop_client(client.id)
  step("client stopped", vim.wait(timeout, function() return client.is_stopped() end, 20))
end

local ok, err = pcall(run)
result.ok = ok
result.error = not ok and tostring(err) or nil
local fh = io.open(os.getenv("APIGOV_RESULT"), "w")
fh:write(vim.fn.json_encode(result))
fh:close()
if ok then vim.cmd("qall!") else vim.cmd("cquit") end
