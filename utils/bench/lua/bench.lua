-- A CPU-bound workload for the overhead measurements: table churn, string
-- building, closures and sorting. The size comes from the first argument.
local n = tonumber(arg and arg[1]) or 200000
local t = {}
for i = 1, n do t[i] = (i * 7919) % n end
table.sort(t)
local acc = 0
for i = 1, n do acc = (acc + t[i] * i) % 1000003 end
local parts = {}
for i = 1, n // 10 do parts[#parts + 1] = string.format("%d:%x", i, i * 3) end
local s = table.concat(parts, ";")
local count = 0
for w in s:gmatch("%d+:") do count = count + 1 end
local function make(k) return function(x) return x * k + 1 end end
local f = make(3)
for i = 1, n do acc = (acc + f(i)) % 1000003 end
local m = {}
for i = 1, n // 4 do m["k" .. (i % 997)] = (m["k" .. (i % 997)] or 0) + i end
print(acc, count, #s, m.k1)
