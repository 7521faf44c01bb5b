-- POST {"token": "<token>"} as JSON, round-robin over a token file (one per line).
-- Usage: wrk ... -s verify-post.lua <url> -- <token-file>
local tokens = {}
local next_index = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then tokens[#tokens + 1] = line end
  end
  if #tokens == 0 then error("no tokens in " .. args[1]) end
end

function request()
  next_index = next_index % #tokens + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" },
    '{"token": "' .. tokens[next_index] .. '"}')
end
