-- Exercises the interpreter core: arithmetic, integers and floats,
-- closures, varargs, goto, metatables, error handling, coroutines.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print("fib", fib(20))
print("int/float", 7 // 2, 7 / 2, 7 % 3, -7 // 2, 2^10, 1e15 + 1, math.maxinteger + 0.0)
print("bitwise", 0xF0 | 0x0F, 0xFF & 0x0F, 1 << 10, 256 >> 4, ~0, 5 ~ 3)
local function counter()
  local c = 0
  return function() c = c + 1; return c end
end
local c1, c2 = counter(), counter()
c1(); c1()
print("closures", c1(), c2())
local function va(...) return select("#", ...), ... end
print("varargs", va(1, nil, 3))
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto continue end
    io.write(i, ":", j, " ")
    ::continue::
  end
end
print()
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__tostring = function(v) return "V(" .. v.x .. ")" end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__len = function(v) return v.x end
V.__call = function(v, y) return v.x * y end
local a, b = setmetatable({x = 1}, V), setmetatable({x = 2}, V)
print("meta", tostring(a + b), a == b, a < b, #b, b(21))
print("pcall", select(2, pcall(function() error({code = 42}) end)).code)
print("pcall msg", select(2, pcall(error, "boom", 0)))
print("xpcall", xpcall(function() local t = nil; return t.x end,
  function(m) return "handled: " .. tostring(m):gsub("^.-:%d+: ", "") end))
local co = coroutine.create(function(x, y)
  local z = coroutine.yield(x + y)
  local w = coroutine.yield(z * 2)
  return w + 1
end)
print("coroutine", coroutine.resume(co, 1, 2))
print("coroutine", coroutine.resume(co, 10))
print("coroutine", coroutine.resume(co, 5))
print("coroutine", coroutine.resume(co), coroutine.status(co))
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end end)
print("wrap", gen(), gen(), gen())
local t <close> = setmetatable({}, {__close = function() print("closed") end})
print("integer division by zero", pcall(function() return 1 // 0 end))
print("tostring", tostring(1/0), tostring(-1/0), tostring(0/0) ~= nil, math.type(1), math.type(1.0), math.type("1"))
