-- Exercises metatables and metamethods (arithmetic, comparison, index,
-- newindex, call, concat, len, close, tostring, name), inheritance,
-- weak tables, rawget/rawset/rawequal/rawlen, and table library edge cases.
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({x = x, y = y}, V) end
V.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
V.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
V.__mul = function(a, b)
  if type(b) == "number" then return vec(a.x * b, a.y * b) end
  return a.x * b.x + a.y * b.y
end
V.__unm = function(a) return vec(-a.x, -a.y) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a:len2() < b:len2() end
V.__le = function(a, b) return a:len2() <= b:len2() end
V.__len = function(a) return 2 end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
V.__tostring = function(a) return "(" .. a.x .. "," .. a.y .. ")" end
V.__call = function(a, k) return a[k] end
V.__idiv = function(a, n) return vec(a.x // n, a.y // n) end
V.__mod = function(a, n) return vec(a.x % n, a.y % n) end
V.__band = function(a, n) return vec(a.x & n, a.y & n) end
V.__shl = function(a, n) return vec(a.x << n, a.y << n) end
function V:len2() return self.x * self.x + self.y * self.y end
local a, b = vec(1, 2), vec(3, 4)
print("arith", tostring(a + b), tostring(a - b), a * b, tostring(a * 3), tostring(-a))
print("cmp", a == vec(1, 2), a ~= b, a < b, a <= b, b < a)
print("misc", #a, a .. b, a("y"), tostring(b // 2), tostring(b % 3), tostring(b & 1), tostring(a << 2))
-- Inheritance through __index chains.
local Base = {}
Base.__index = Base
function Base.new(n) return setmetatable({n = n}, Base) end
function Base:name() return "base" .. self.n end
function Base:hello() return "hello from " .. self:name() end
local Derived = setmetatable({}, {__index = Base})
Derived.__index = Derived
function Derived.new(n) return setmetatable(Base.new(n), Derived) end
function Derived:name() return "derived" .. self.n end
print("inherit", Base.new(1):hello(), Derived.new(2):hello())
-- __index / __newindex functions, proxies.
local log = {}
local store = {}
local proxy = setmetatable({}, {
  __index = function(_, k) log[#log + 1] = "get " .. k; return store[k] end,
  __newindex = function(_, k, v) log[#log + 1] = "set " .. k; store[k] = v end,
})
proxy.a = 1; proxy.b = proxy.a + 1; local _ = proxy.c
print("proxy", table.concat(log, ";"), store.b, rawget(proxy, "a"))
local r = {}
rawset(r, "k", 5)
print("raw", rawget(r, "k"), rawequal(r, r), rawequal(a, vec(1, 2)), rawlen({1, 2, 3}), rawlen("abcd"))
-- __close and to-be-closed variables.
do
  local order = {}
  do
    local x <close> = setmetatable({}, {__close = function() order[#order + 1] = "x" end})
    local y <close> = setmetatable({}, {__close = function() order[#order + 1] = "y" end})
    order[#order + 1] = "body"
  end
  print("close", table.concat(order, ","))
  local ok, err = pcall(function()
    local z <close> = setmetatable({}, {__close = function(_, e) order[#order + 1] = "z:" .. tostring(e):match("boom") end})
    error("boom")
  end)
  print("close err", ok, table.concat(order, ","))
end
local c <const> = 10
print("const", c * 2)
-- Weak tables and the collector.
local weak = setmetatable({}, {__mode = "k"})
do
  for i = 1, 10 do weak[{}] = i end
end
collectgarbage("collect")
local left = 0
for _ in pairs(weak) do left = left + 1 end
print("weak", left)
local gced = 0
for i = 1, 20 do setmetatable({}, {__gc = function() gced = gced + 1 end}) end
collectgarbage("collect"); collectgarbage("collect")
print("gc", gced, collectgarbage("isrunning"), type(collectgarbage("count")))
print("gc modes", collectgarbage("incremental"), collectgarbage("generational"), collectgarbage("incremental"))
collectgarbage("step", 0)
-- __pairs-free iteration with sorted keys (hash order is per-run).
local t = {z = 1, a = 2, m = 3, [1] = "one", [2] = "two"}
local keys = {}
for k in pairs(t) do keys[#keys + 1] = tostring(k) end
table.sort(keys)
print("keys", table.concat(keys, " "))
print("next", next({}), select("#", next({})))
-- table library edge cases.
local arr = {5, 3, 8, 1, 9, 2}
table.sort(arr, function(x, y) return x > y end)
print("sort desc", table.concat(arr, " "))
table.insert(arr, 1, 100); table.insert(arr, 7)
print("insert", table.concat(arr, " "), table.remove(arr), table.remove(arr, 1), #arr)
print("move", table.concat(table.move({1, 2, 3, 4, 5}, 2, 4, 1), " "), table.concat(table.move({1, 2, 3}, 1, 3, 3, {}), " ", 3, 5))
print("unpack", table.unpack({1, 2, 3}, 2), select(-1, table.unpack({1, 2, 3})))
local p = table.pack(1, nil, 3)
print("pack", p.n, p[1], p[2], p[3])
local strs = {}
for i = 1, 100 do strs[i] = tostring((i * 37) % 101) end
table.sort(strs)
print("sort str", strs[1], strs[50], strs[100])
