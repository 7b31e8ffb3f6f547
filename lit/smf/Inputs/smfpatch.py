#!/usr/bin/env python3
"""Writes a damaged copy of an SMF v1.0 module (header at offset 0), for
tests of the reader's errors:  smfpatch.py IN OUT FIELD=VALUE...

FIELD is header.NAME, section[I].NAME, symbol[I].NAME or reloc[I].NAME, with
the field names of docs/smf.md, or code[OFFSET] (one byte of the Code
section); VALUE is an integer (0x.. allowed).
`truncate=N` keeps the first N bytes."""
import struct
import sys

HEADER = {"version_major": (4, "B"), "version_minor": (5, "B"),
          "arch": (7, "B"), "flags": (8, "I"), "compression": (12, "B"),
          "section_count": (16, "I"), "section_table_offset": (24, "Q"),
          "symbol_table_offset": (32, "Q"), "symbol_count": (40, "I"),
          "entry_point": (48, "Q")}
SECTION = {"section_type": (0, "B"), "flags": (4, "I"), "offset": (8, "Q"),
           "size": (16, "Q"), "virtual_size": (24, "Q"),
           "alignment": (32, "Q")}
SYMBOL = {"name_offset": (0, "I"), "name_hash": (4, "I"), "sym_type": (8, "B"),
          "binding": (9, "B"), "flags": (11, "B"), "value": (16, "Q"),
          "size": (24, "Q")}
RELOC = {"offset": (0, "Q"), "symbol_index": (8, "I"), "reloc_type": (12, "B"),
         "addend": (16, "q")}


def main():
    src, dst, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
    data = bytearray(open(src, "rb").read())
    sections = struct.unpack_from("<Q", data, 24)[0]
    count = struct.unpack_from("<I", data, 16)[0]
    symbols = struct.unpack_from("<Q", data, 32)[0]
    relocs = None
    for i in range(count):
        if data[sections + 56 * i] == 5:
            relocs = struct.unpack_from("<Q", data, sections + 56 * i + 8)[0]
    for edit in edits:
        field, value = edit.split("=")
        value = int(value, 0)
        if field == "truncate":
            del data[value:]
            continue
        if field.startswith("code["):
            code = None
            for i in range(count):
                if data[sections + 56 * i] == 1:
                    code = struct.unpack_from("<Q", data, sections + 56 * i + 8)[0]
            data[code + int(field[5:-1], 0)] = value
            continue
        table, name = field.split(".")
        if table == "header":
            base, layout = 0, HEADER
        else:
            kind, index = table.rstrip("]").split("[")
            index = int(index)
            base, size, layout = {"section": (sections, 56, SECTION),
                                  "symbol": (symbols, 40, SYMBOL),
                                  "reloc": (relocs, 24, RELOC)}[kind]
            base += size * index
        offset, fmt = layout[name]
        struct.pack_into("<" + fmt, data, base + offset, value)
    open(dst, "wb").write(bytes(data))


if __name__ == "__main__":
    main()
