-- POST {"username": ..., "password": ...} as JSON, round-robin over a username file (one per
-- line); every user has the same password.
-- Usage: wrk ... -s login-post.lua <url> -- <username-file> <password>
local usernames = {}
local password
local next_index = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then usernames[#usernames + 1] = line end
  end
  if #usernames == 0 then error("no usernames in " .. args[1]) end
  password = args[2]
end

function request()
  next_index = next_index % #usernames + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" },
    '{"username": "' .. usernames[next_index] .. '", "password": "' .. password .. '"}')
end
