-- A headless Neovim session that uses Faultline as a real LSP client would, driven by
-- test/neovim.test.ts. It starts `node dist/server.js --stdio` with the API that Neovim 0.7 has
-- (vim.lsp.start_client + vim.lsp.buf_attach_client; vim.lsp.start is 0.8+), opens a risky SQL
-- file and a TypeScript file, waits for their diagnostics, asks for the code actions at a finding,
-- applies the rule's quick fix (picked by its title, as a user picks it: the time-zone fix on a
-- column of unknown type is unsafe, so not preferred), runs "Show documentation" and asks for the
-- hover, waits for the diagnostic to go, writes what it saw as JSON to
-- FAULTLINE_NVIM_OUTPUT and quits. Every wait is vim.wait on a condition, bounded by a timeout.
-- Any failure is written to the output as { error = ... } and exits non-zero.

local env = vim.env
local server = env.FAULTLINE_NVIM_SERVER
local node = env.FAULTLINE_NVIM_NODE
local root = env.FAULTLINE_NVIM_ROOT
local output = env.FAULTLINE_NVIM_OUTPUT
local WAIT_MS = 20000

local function write_output(value)
  local file = assert(io.open(output, 'w'))
  file:write(vim.fn.json_encode(value))
  file:close()
end

local function wait_for(what, condition)
  if not vim.wait(WAIT_MS, condition, 50) then
    error('timed out after ' .. WAIT_MS .. ' ms waiting for ' .. what)
  end
end

-- Neovim 0.7 puts the LSP code on the diagnostic itself in some builds and only in user_data in
-- others, so read both.
local function code_of(diagnostic)
  if diagnostic.code ~= nil then return diagnostic.code end
  local lsp = diagnostic.user_data and diagnostic.user_data.lsp
  return lsp and lsp.code or nil
end

local function faultline_diagnostics(bufnr)
  local found = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    if diagnostic.source == 'faultline' then
      table.insert(found, {
        line = diagnostic.lnum,
        col = diagnostic.col,
        code = code_of(diagnostic),
        severity = diagnostic.severity,
        message = diagnostic.message,
      })
    end
  end
  return found
end

local function has_code(bufnr, code)
  for _, diagnostic in ipairs(faultline_diagnostics(bufnr)) do
    if diagnostic.code == code then return true end
  end
  return false
end

-- vim.diagnostic keeps only some LSP fields in user_data.lsp, so the range, message and severity
-- are rebuilt the way Neovim's own vim.lsp.buf.code_action does. Columns are bytes; the test
-- files are ASCII, where bytes and UTF-16 units agree.
local function to_lsp(diagnostic)
  return vim.tbl_extend('keep', {
    range = {
      start = { line = diagnostic.lnum, character = diagnostic.col },
      ['end'] = { line = diagnostic.end_lnum, character = diagnostic.end_col },
    },
    severity = diagnostic.severity,
    message = diagnostic.message,
    source = diagnostic.source,
    code = code_of(diagnostic),
  }, (diagnostic.user_data and diagnostic.user_data.lsp) or {})
end

local function open(path, filetype, client_id)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  -- Filetype detection normally does this; setting it keeps the test independent of runtime files.
  if vim.bo[bufnr].filetype ~= filetype then vim.bo[bufnr].filetype = filetype end
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'buf_attach_client failed for ' .. path)
  return bufnr
end

local function run()
  local client_id = vim.lsp.start_client({
    name = 'faultline',
    cmd = { node, server, '--stdio' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'root' } },
  })
  assert(client_id, 'vim.lsp.start_client returned nothing')
  local client = vim.lsp.get_client_by_id(client_id)
  wait_for('the server to initialize', function() return client.initialized end)

  local sql = open(root .. '/daily-active-users.sql', 'sql', client_id)
  wait_for('SQL diagnostics', function() return has_code(sql, 'timezone-naive-date-bucket') end)
  local sql_diagnostics = faultline_diagnostics(sql)

  local ts = open(root .. '/orders.ts', 'typescript', client_id)
  wait_for('TypeScript diagnostics', function() return has_code(ts, 'sql-built-from-strings') end)
  local ts_diagnostics = faultline_diagnostics(ts)

  -- Code actions at the time-zone finding of the SQL file, with the diagnostic as the server sent it.
  vim.api.nvim_set_current_buf(sql)
  local lsp_diagnostic
  for _, diagnostic in ipairs(vim.diagnostic.get(sql)) do
    if code_of(diagnostic) == 'timezone-naive-date-bucket' then lsp_diagnostic = to_lsp(diagnostic) end
  end
  assert(lsp_diagnostic, 'the LSP form of the time-zone diagnostic')
  local responses = vim.lsp.buf_request_sync(sql, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(sql) },
    range = lsp_diagnostic.range,
    context = { diagnostics = { lsp_diagnostic } },
  }, WAIT_MS)
  assert(responses and responses[client_id], 'no codeAction response')
  assert(responses[client_id].err == nil, 'codeAction failed: ' .. vim.inspect(responses[client_id].err))
  local actions = responses[client_id].result or {}
  local titles, preferred, documentation = {}, nil, nil
  for _, action in ipairs(actions) do
    table.insert(titles, action.title)
    if action.edit and action.title:find('^Bucket in ') and preferred == nil then preferred = action end
    if action.command and action.title:find('^Show documentation') then documentation = action.command end
  end
  assert(preferred and preferred.edit, 'the time-zone quick fix with an edit among: ' .. table.concat(titles, ' | '))
  assert(documentation, 'the Show documentation action among: ' .. table.concat(titles, ' | '))

  -- "Show documentation" as Neovim runs a command it has no handler for: workspace/executeCommand
  -- to the server (#14: it failed with -32601 when only the VS Code client knew the command).
  local executed = vim.lsp.buf_request_sync(sql, 'workspace/executeCommand', documentation, WAIT_MS)
  assert(executed and executed[client_id], 'no executeCommand response')
  local command_error = executed[client_id].err

  -- The hover over the finding: Markdown with why it bites and the docs link.
  local hovers = vim.lsp.buf_request_sync(sql, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(sql) },
    position = lsp_diagnostic.range.start,
  }, WAIT_MS)
  assert(hovers and hovers[client_id], 'no hover response')
  local hover = hovers[client_id].result

  vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding or 'utf-16')
  wait_for('the time-zone diagnostic to go after the fix', function()
    return not has_code(sql, 'timezone-naive-date-bucket')
  end)

  write_output({
    sql = sql_diagnostics,
    ts = ts_diagnostics,
    actions = titles,
    applied = preferred.title,
    documentation_command = documentation.command,
    documentation_error = command_error and vim.inspect(command_error) or vim.NIL,
    hover = hover and hover.contents or vim.NIL,
    fixed_text = table.concat(vim.api.nvim_buf_get_lines(sql, 0, -1, false), '\n'),
    after_fix = faultline_diagnostics(sql),
  })
end

local ok, message = pcall(run)
if not ok then
  write_output({ error = tostring(message) })
  vim.cmd('cquit 1')
end
vim.lsp.stop_client(vim.lsp.get_active_clients())
vim.cmd('qall!')
