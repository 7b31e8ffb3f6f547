-- Exercises errors and the runtime's reflective parts: error objects and
-- levels, pcall/xpcall with handlers, assert, error messages of the VM,
-- load/loadstring with environments and modes, string.dump round trips,
-- the debug library (getinfo, getlocal, upvalues, traceback, hooks),
-- select, require of a module written at run time, os and io.
local ok, err = pcall(error, {code = 7})
print("error table", ok, type(err), err.code)
print("error level", select(2, pcall(function() error("lvl", 0) end)))
print("error pos", (select(2, pcall(function() error("here") end))):match("errors.lua:%d+: here") ~= nil)
print("xpcall", xpcall(function() error("x") end, function(m) return "handled:" .. m:match("x$") end))
print("xpcall args", xpcall(function(a, b) return a + b end, print, 2, 3))
print("assert", pcall(assert, false, "assert msg"), pcall(assert, 1 == 1, "unused"))
local vm = {
  function() return nil + 1 end,
  function() return {} < {} end,
  function() return #nil end,
  function() local t = nil; return t.x end,
  function() return ("x")() end,
  function() return 1 // 0 end,
  function() return math.tointeger(2^63) .. "" end,
  function() return string.rep("x", -1) .. undefinedglobal.field end,
}
for i, f in ipairs(vm) do
  local ok2, e = pcall(f)
  print("vm error", i, ok2, (tostring(e):gsub("^.-:%d+: ", "")))
end
print("tostring(nil)", tostring(nil), tostring(true), type(print), type(nil))
-- load with chunks, environments and modes.
local env = {x = 5}
local f = load("return x * 2", "chunk", "t", env)
print("load env", f())
local pieces, i = {"return ", "1 + ", "41"}, 0
print("load fn", load(function() i = i + 1; return pieces[i] end)())
print("load err", load("return +"))
local dumped = string.dump(function(a) return a * 3 end)
print("dump", load(dumped, "d", "b")(14), pcall(load, dumped, "d", "t"))
print("dump strip", load(string.dump(function() return "s" end, true))())
-- debug library.
local function probe(p1, p2)
  local l1 = p1 + p2
  local info = debug.getinfo(1, "nSlu")
  local names = {}
  local idx = 1
  while true do
    local n, v = debug.getlocal(1, idx)
    if not n then break end
    names[#names + 1] = n .. "=" .. (type(v) == "table" and "table" or tostring(v))
    idx = idx + 1
  end
  return info.short_src:match("[^/]*$"), info.what, info.nparams, info.currentline > 0, table.concat(names, ",")
end
print("getinfo", probe(1, 2))
local up1, up2 = 10, 20
local function uses() return up1 + up2 end
print("upvalue", debug.getupvalue(uses, 1), debug.getupvalue(uses, 2))
debug.setupvalue(uses, 1, 100)
print("setupvalue", uses())
local tb = debug.traceback("tb", 1)
print("traceback", tb:match("^tb\nstack traceback:") ~= nil)
local calls = 0
debug.sethook(function() calls = calls + 1 end, "c")
for _ = 1, 10 do math.abs(-1) end
debug.sethook()
print("hook", calls >= 10, debug.gethook())
local lines = 0
debug.sethook(function() lines = lines + 1 end, "l")
local s = 0
for k = 1, 5 do s = s + k end
debug.sethook()
print("line hook", lines > 0, s)
print("select", select("#"), select("#", nil, nil), select(2, "a", "b", "c"), select(-2, "a", "b", "c"))
-- A module written and required at run time.
local dir = os.tmpname()
os.remove(dir)
local modpath = dir .. "_mod.lua"
local fh = assert(io.open(modpath, "w"))
fh:write("local M = {}\nfunction M.twice(v) return 2 * v end\nreturn M\n")
fh:close()
package.path = dir .. "_?.lua;" .. package.path
local mod = require("mod")
print("require", mod.twice(21), package.loaded.mod == mod, require("mod") == mod)
print("searchpath", package.searchpath("mod", dir .. "_?.lua") == modpath)
-- io: read formats, seek, lines with formats.
local data = os.tmpname()
fh = assert(io.open(data, "w"))
fh:write("12 3.5 word\nsecond line\n", string.rep("z", 10), "\n")
fh:close()
fh = assert(io.open(data, "r"))
print("read", fh:read("n", "n"), fh:read("l"), fh:read("L"), fh:read(4), fh:seek("cur"), fh:seek("end"))
fh:seek("set", 0)
print("read a", #fh:read("a"), fh:read("a"), fh:read("l"))
fh:close()
local count = 0
for a1, a2 in io.lines(data, 2, "l") do count = count + 1 end
print("lines", count, io.type(fh), io.type(io.stdout), io.type(42))
print("rename", os.rename(data, data .. ".2"), os.remove(data .. ".2"), select(2, os.remove(data .. ".none")) ~= nil)
os.remove(modpath)
print("os", type(os.time()), os.time({year = 2020, month = 1, day = 1, hour = 12}) - os.time({year = 2020, month = 1, day = 2, hour = 12}), os.date("!%Y-%m-%d %H:%M:%S", 0), type(os.clock()))
print("difftime", os.difftime(10, 4), os.getenv("PAGELAYOUT_SURELY_UNSET"))
