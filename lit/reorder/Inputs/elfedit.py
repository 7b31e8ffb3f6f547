# elfedit.py: damages a linked x86-64 ELF file in one precise way, for the
# tests of what the rewriter does with hostile input. Every edit copies IN
# to OUT; IN is never changed.
#
#   elfedit.py reloc IN OUT --section .rela.text [--at ADDR | --function F]
#              [--index K] [--offset ADDR] [--delta N] [--type T] [--addend A]
#   elfedit.py reloc ... [--copy-of J] [--symbol N]  (J: entry to copy)
#   elfedit.py symbol IN OUT --name N [--shndx-of SECTION] [--value V]
#              [--size S]
#   elfedit.py section IN OUT --name S [--addr ADDR] [--file-offset OFF]
#              [--flags F]
#   elfedit.py show IN --section S        (prints: index addr offset size)
#   elfedit.py function IN --name F       (prints: addr size)
#   elfedit.py bytes IN --offset OFF --size N   (file bytes, hex)
#
# Where a number is expected, SECTION@end, SECTION@size or SECTION@fileend
# (its last address + 1, its size, its last file offset + 1) may stand,
# followed by +N or -N: `.text@end-4`.
import argparse, struct, sys


class Elf:
    def __init__(self, path):
        self.data = bytearray(open(path, 'rb').read())
        d = self.data
        self.shoff, = struct.unpack_from('<Q', d, 0x28)
        self.shnum, self.shstrndx = struct.unpack_from('<HH', d, 0x3c)
        self.sections = []
        for i in range(self.shnum):
            h = self.shoff + i * 64
            name, typ, flags, addr, off, size, link, info, align, entsize = \
                struct.unpack_from('<IIQQQQIIQQ', d, h)
            self.sections.append(dict(index=i, hdr=h, name_off=name, type=typ,
                                      addr=addr, offset=off, size=size,
                                      link=link, info=info))
        strtab = self.sections[self.shstrndx]['offset']
        for s in self.sections:
            s['name'] = d[strtab + s['name_off']:].split(b'\0', 1)[0].decode()

    def section(self, name):
        for s in self.sections:
            if s['name'] == name:
                return s
        sys.exit('no section ' + name)

    def symbols(self):
        symtab = next(s for s in self.sections if s['type'] == 2)
        strtab = self.sections[symtab['link']]['offset']
        for i in range(symtab['size'] // 24):
            at = symtab['offset'] + i * 24
            name, info, other, shndx, value, size = \
                struct.unpack_from('<IBBHQQ', self.data, at)
            yield (self.data[strtab + name:].split(b'\0', 1)[0].decode(),
                   at, info, shndx, value, size)

    def function(self, name):
        for sym in self.symbols():
            if sym[0] == name and sym[2] & 0xf == 2:
                return sym
        sys.exit('no function ' + name)


NUMBER_FILE = None


def num(s):
    if '@' not in s:
        return int(s, 0)
    name, rest = s.split('@', 1)
    for sign in '+-':
        if sign in rest:
            what, delta = rest.split(sign, 1)
            delta = int(sign + delta, 0)
            break
    else:
        what, delta = rest, 0
    sec = Elf(NUMBER_FILE).section(name)
    base = {'end': sec['addr'] + sec['size'], 'size': sec['size'],
            'fileend': sec['offset'] + sec['size']}[what]
    return base + delta


def main():
    global NUMBER_FILE
    NUMBER_FILE = sys.argv[2]
    p = argparse.ArgumentParser()
    p.add_argument('op')
    p.add_argument('input')
    p.add_argument('output', nargs='?')
    p.add_argument('--section')
    p.add_argument('--at', type=num)
    p.add_argument('--function')
    p.add_argument('--index', type=num, default=0)
    p.add_argument('--offset', type=num)
    p.add_argument('--delta', type=num)
    p.add_argument('--type', type=num)
    p.add_argument('--addend', type=num)
    p.add_argument('--name')
    p.add_argument('--shndx-of')
    p.add_argument('--addr', type=num)
    p.add_argument('--size', type=num)
    p.add_argument('--copy-of', type=num)
    p.add_argument('--symbol', type=num)
    p.add_argument('--value', type=num)
    p.add_argument('--file-offset', type=num)
    p.add_argument('--flags', type=num)
    a = p.parse_args()
    e = Elf(a.input)
    d = e.data
    if a.op == 'show':
        s = e.section(a.section)
        print(s['index'], hex(s['addr']), hex(s['offset']), hex(s['size']))
        return
    if a.op == 'function':
        sym = e.function(a.name)
        print(hex(sym[4]), sym[5])
        return
    if a.op == 'bytes':
        print(d[a.offset:a.offset + a.size].hex())
        return
    if a.op == 'reloc':
        s = e.section(a.section)
        entries = [s['offset'] + i * 24 for i in range(s['size'] // 24)]
        if a.function:
            _, _, _, _, value, size = e.function(a.function)
            inside = [at for at in entries
                      if value <= struct.unpack_from('<Q', d, at)[0] < value + size]
            at = inside[a.index]
        elif a.at is not None:
            at = next(at for at in entries
                      if struct.unpack_from('<Q', d, at)[0] == a.at)
        else:
            at = entries[a.index]
        off, info, addend = struct.unpack_from('<QQq', d, at)
        if a.copy_of is not None:
            off, info, addend = struct.unpack_from('<QQq', d, entries[a.copy_of])
        if a.symbol is not None:
            info = (a.symbol << 32) | (info & 0xffffffff)
        if a.offset is not None:
            off = a.offset & (2**64 - 1)
        if a.delta is not None:
            off = (off + a.delta) & (2**64 - 1)
        if a.type is not None:
            info = (info & ~0xffffffff) | a.type
        if a.addend is not None:
            addend = a.addend
        struct.pack_into('<QQq', d, at, off, info, addend)
    elif a.op == 'symbol':
        sym = e.function(a.name)
        if a.shndx_of is not None:
            struct.pack_into('<H', d, sym[1] + 6, e.section(a.shndx_of)['index'])
        if a.value is not None:
            struct.pack_into('<Q', d, sym[1] + 8, a.value)
        if a.size is not None:
            struct.pack_into('<Q', d, sym[1] + 16, a.size)
    elif a.op == 'section':
        s = e.section(a.name)
        if a.addr is not None:
            struct.pack_into('<Q', d, s['hdr'] + 16, a.addr)
        if a.file_offset is not None:
            struct.pack_into('<Q', d, s['hdr'] + 24, a.file_offset)
        if a.flags is not None:
            struct.pack_into('<Q', d, s['hdr'] + 8, a.flags)
    else:
        sys.exit('unknown operation ' + a.op)
    open(a.output, 'wb').write(d)


main()
