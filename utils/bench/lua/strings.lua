-- Exercises the string library in depth: patterns (find, match, gmatch,
-- gsub with string/table/function replacements, captures, anchors,
-- frontier, balanced), formatting, byte/char, rep/reverse/sub, case,
-- and pack/unpack with every common format.
local s = "The quick brown fox jumps over the lazy dog 42 times, 3.5 km"
print("find", s:find("quick"), s:find("o", 15), s:find("%d+"), s:find(".", 1, true))
print("match", s:match("(%a+) (%a+)"), s:match("(%d+)%s+(%a+)"), s:match("()fox()"))
print("anchor", ("hello"):match("^h(.-)o$"), ("hello"):match("^e"))
local words = {}
for w in s:gmatch("%a+") do words[#words + 1] = w:lower() end
print("gmatch", #words, table.concat(words, ","))
for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do io.write(k, v, ";") end
print()
print("gsub str", s:gsub("o", "0"))
print("gsub cap", ("hello world"):gsub("(%w+)", "<%1>"))
print("gsub tbl", ("$name is $age"):gsub("%$(%w+)", {name = "Ann", age = 7}))
print("gsub fn", ("1 2 3 4"):gsub("%d", function(d) return d * d end))
print("gsub n", ("aaaa"):gsub("a", "b", 2))
print("frontier", ("THE (quick) fox"):gsub("%f[%a]%a+", "W"))
print("balanced", ("f(a(b)c) g(d)"):match("%b()"))
print("classes", ("a1 B2_c3!"):gsub("[%w_]", "."), ("x\ty\nz"):gsub("%s", "_"))
print("sets", ("hello123"):match("[^%d]+"), ("2024-01-15"):match("(%d+)-(%d+)-(%d+)"))
print("format", string.format("%5d|%-5d|%05.1f|%x|%X|%o|%e|%g|%q|%s|%%|%c",
  42, 42, 3.14159, 255, 255, 8, 12345.678, 0.0001, "a\nb\"c", "str", 65))
print("format2", string.format("%10.3s|%-10s|%+d|% d|%a", "abcdef", "hi", 5, 5, 1.0))
print("byte/char", ("ABC"):byte(1, -1), string.char(72, 105))
print("rep", ("ab"):rep(3), ("ab"):rep(3, "-"), ("x"):rep(0))
print("reverse/sub", ("abcdef"):reverse(), ("abcdef"):sub(2, 4), ("abcdef"):sub(-3), ("abcdef"):sub(3))
print("case/len", ("MiXeD"):upper(), ("MiXeD"):lower(), #"hello", ("hello"):len())
local packed = string.pack("<i4 >I2 d z s1 B", -7, 513, 2.5, "zstr", "len", 200)
print("pack", #packed, string.unpack("<i4 >I2 d z s1 B", packed))
print("packsize", string.packsize("i4 i8 d"), string.packsize("!8 i1 i8"))
print("tostring", tostring(1 / 0), tostring(-1 / 0), tostring(0 / 0) ~= tostring(0 / 0) or "nan", tostring(2^63), math.type(2^53))
print("tonumber", tonumber("0x10"), tonumber("10", 2), tonumber("z", 36), tonumber(" 12 "), tonumber("1e2"), tonumber("abc"))
print("concat", 1 .. 2, 1.5 .. "x", "a" .. "b" .. "c")
local parts = {}
for i = 1, 200 do parts[i] = string.format("%03d", i) end
local joined = table.concat(parts, ",")
print("big", #joined, joined:sub(1, 20), select(2, joined:gsub(",", ",")))
print("utf8", utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), utf8.offset("häll€", 3), utf8.charpattern)
for p, c in utf8.codes("aé€") do io.write(p, "=", c, " ") end
print()
