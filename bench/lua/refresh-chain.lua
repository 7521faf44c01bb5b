-- Refresh-token rotation chains: POST {"refresh": <token>}, then continue with the "refresh" of
-- the answer, so every token is used exactly once (rotation + blacklist on the server).
-- wrk's response() does not say which connection answered, so the tokens go through a queue:
-- it starts with one token per connection, each answer pushes its successor, each request pops
-- one. Tokens in the queue plus requests in flight stay equal to the number of chains, so a
-- connection always finds one. The file holds connections + 1 tokens: wrk calls request() once
-- after init() to check the script (script_verify_request), which pops and wastes one.
-- Usage: wrk ... -s refresh-chain.lua <url> -- <refresh-token-file>
local queue = {}
local head, tail = 1, 0

local function push(token)
  tail = tail + 1
  queue[tail] = token
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then push(line) end
  end
  if tail == 0 then error("no refresh tokens in " .. args[1]) end
end

function request()
  local token = "chain-broken"  -- Only when a previous answer had no token: the server says 401.
  if head <= tail then
    token = queue[head]
    queue[head] = nil
    head = head + 1
  end
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" },
    '{"refresh": "' .. token .. '"}')
end

function response(status, headers, body)
  local successor = body:match('"refresh"%s*:%s*"([^"]+)"')
  if successor then push(successor) end
end
