-- Exercises the standard library: string, table, math, utf8, os, io.
local s = "The quick brown fox jumps over the lazy dog"
print(#s, s:upper(), s:lower():rep(2, "|"):len())
print(s:find("fox"), s:find("o", 20, true), s:match("(%a+) dog"))
for w in s:gmatch("%a+") do io.write(w:sub(1, 1)) end
print()
print(s:gsub("o", "0"), ("abc"):byte(1, -1), string.char(72, 105))
print(string.format("%5d|%-5s|%.3f|%x|%q|%g|%s", 42, "ab", math.pi, 255, "a\nb", 1e20, nil))
print(("%d items"):format(3), ("x"):rep(3, ","), ("hello"):reverse())
local packed = string.pack("i4 z d", 7, "str", 2.5)
print(#packed, string.unpack("i4 z d", packed))
local t = {}
for i = 1, 50 do t[i] = (i * 37) % 101 end
table.sort(t)
print(table.concat(t, ",", 1, 10))
table.sort(t, function(a, b) return a > b end)
print(t[1], t[#t], #t)
table.insert(t, 1, -1); table.insert(t, 1000)
print(t[1], t[#t], table.remove(t), table.remove(t, 1), #t)
print(table.unpack({1, 2, 3}))
local moved = table.move({1, 2, 3, 4}, 2, 4, 1, {})
print(moved[1], moved[2], moved[3])
print(select("#", table.unpack(table.pack(1, nil, 3), 1, 3)))
print(math.floor(-3.5), math.ceil(-3.5), math.abs(-4), math.max(3, 9, 1), math.min(3, 9, 1))
print(math.fmod(7, 3), math.sqrt(144), math.tointeger(8.0), math.ult(1, -1), string.format("%.4f", math.sin(1)))
math.randomseed(42)
local r = {}
for i = 1, 5 do r[i] = math.random(1, 100) end
print("random", #r)
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), utf8.codepoint("€"))
for p, c in utf8.codes("aé€") do io.write(p, "=", c, " ") end
print()
print(type(os.time()), type(os.clock()), os.date("!%Y-%m-%d", 0), os.getenv("NO_SUCH_VARIABLE_PAGELAYOUT"))
local name = os.tmpname()
local f = assert(io.open(name, "w"))
f:write("line one\n", "line two\n", 3.5, "\n")
f:close()
for line in io.lines(name) do io.write("[", line, "]") end
print()
f = assert(io.open(name, "r"))
print(f:read("l"), f:read("n"), f:seek("set", 0), f:read(4))
f:close()
os.remove(name)
print(tostring(tonumber("0x1F")), tonumber("  12  "), tonumber("z", 36), tonumber("1e2"))
print(next({}), rawequal(t, t), rawlen({1, 2}), rawget({a = 1}, "a"))
local weak = setmetatable({}, {__mode = "k"})
weak[{}] = 1
collectgarbage()
print("gc", collectgarbage("count") > 0, collectgarbage("step"), collectgarbage("isrunning"))
print(load("return 1 + ...")(41), pcall(load, "syntax error here"))
print(string.dump(function() return 1 end) ~= nil)
