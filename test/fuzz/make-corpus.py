#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, made from the lit tests' inputs.

Nothing here is committed as a binary: every seed is extracted or built
into OUT/<target>/ on each run (utils/fuzz.sh calls this script).

  profile        lit/**/*.yaml and the YAML files embedded in lit tests
                 (split-file "#--- name.yaml" blocks)
  yaml-tree      the same profiles, and the YAML of docs/profile-format.md
  orderfile      embedded .order/.cg files, and an order file and a call
                 graph written from each seed profile's functions and edges
  perf-script    embedded perf script text, and a longer one made from
                 the seed program's symbols
  raw            raw files of lit/record/Inputs/shape.c recorded in each
                 instrumentation mode (OUT/raw-module is the program, for
                 PAGELAYOUT_FUZZ_MODULE)
  linked-binary  lit/reorder/Inputs/features.c and friends linked with
                 --emit-relocs: non-PIE, PIE, static and static-pie (without
                 libc), shared, C++ with exceptions, one .text section, no
                 relocations; and the reorder tests' programs
  rewrite        the same binaries, each behind a mode byte (see
                 RewriteFuzzer.cpp)
  page-map       the rewrite and SMF seeds together (PageMapFuzzer.cpp)

A seed that fails to build is skipped with a note on stderr: the corpora
are a starting point, not a test.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def note(msg):
    print(f"make-corpus: {msg}", file=sys.stderr)


def split_blocks(text):
    """The files of a split-file test: [(name, contents)]."""
    blocks, name, lines = [], None, []
    for line in text.splitlines(keepends=True):
        m = re.match(r"^(?:#|//)--- (\S+)\s*$", line)
        if m:
            if name:
                blocks.append((name, "".join(lines)))
            name, lines = m.group(1), []
        elif name:
            lines.append(line)
    if name:
        blocks.append((name, "".join(lines)))
    return blocks


def seed_name(path, root):
    return os.path.relpath(path, root).replace(os.sep, "_")


def write(dirname, name, data):
    os.makedirs(dirname, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(dirname, name), mode) as f:
        f.write(data)


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, **kw)
    if r.returncode != 0:
        first = (r.stderr.strip().splitlines() or [""])[0]
        note(f"skipped: {' '.join(cmd)}: {first[:200]}")
        return False
    return True


def text_seeds(src, out):
    lit = os.path.join(src, "lit")
    profiles = []
    for dirpath, _, files in os.walk(lit):
        for f in sorted(files):
            path = os.path.join(dirpath, f)
            if f.endswith(".yaml"):
                with open(path) as fh:
                    profiles.append((seed_name(path, lit), fh.read()))
            if not f.endswith(".test"):
                continue
            with open(path) as fh:
                blocks = split_blocks(fh.read())
            base = seed_name(path, lit)[: -len(".test")]
            for name, body in blocks:
                seed = f"{base}_{name}"
                if name.endswith(".yaml"):
                    profiles.append((seed, body))
                elif name.endswith((".order", ".cg")):
                    write(f"{out}/orderfile", seed, body)
                elif "perf" in name and name.endswith(".txt"):
                    write(f"{out}/perf-script", seed, body)
    docs = os.path.join(src, "docs", "profile-format.md")
    if os.path.exists(docs):
        with open(docs) as fh:
            blocks = re.findall(r"```yaml\n(.*?)```", fh.read(), re.S)
        for i, body in enumerate(blocks):
            write(f"{out}/yaml-tree", f"profile-format-{i}.yaml", body)
    for seed, body in profiles:
        write(f"{out}/profile", seed, body)
        write(f"{out}/yaml-tree", seed, body)
        # An order file and a call graph of the same names.
        names = re.findall(r"name:\s*([^\s,}]+)", body)
        edges = re.findall(
            r"caller:\s*([^\s,}]+),\s*callee:\s*([^\s,}]+),\s*count:\s*(\d+)",
            body)
        if names:
            write(f"{out}/orderfile", seed + ".order",
                  "# from " + seed + "\n" + "\n".join(names) + "\n")
        if edges:
            write(f"{out}/orderfile", seed + ".cg",
                  "".join(f"{a} {b} {c}\n" for a, b, c in edges))


def binaries(src, out, clang, llvm_bin, work):
    features = os.path.join(src, "lit/reorder/Inputs/features.c")
    exceptions = os.path.join(src, "lit/link/Inputs/exceptions.cpp")
    variants = {
        "nopie": ["-O1", "-ffunction-sections", "-fno-pie", "-no-pie",
                  features, "-Wl,-q"],
        "pie": ["-O1", "-ffunction-sections", "-fPIE", "-pie", features,
                "-Wl,-q"],
        "nofs": ["-O2", features, "-Wl,-q"],
        # Static, without libc: glibc's 1 MB make each input 100 times
        # slower to prove. Never run, so libc's symbols may stay undefined.
        "static": ["-O1", "-ffunction-sections", "-static", "-nostdlib",
                   "-fno-pie", features, "-Wl,-q",
                   "-Wl,--unresolved-symbols=ignore-all", "-Wl,-e,main"],
        "static-pie": ["-O1", "-ffunction-sections", "-fPIE", "-static-pie",
                       "-nostdlib", features, "-Wl,-q",
                       "-Wl,--unresolved-symbols=ignore-all", "-Wl,-e,main"],
        "shared": ["-O1", "-ffunction-sections", "-fPIC", "-shared",
                   features, "-Wl,-q"],
        "cxx": ["-x", "c++", "-O1", "-ffunction-sections", exceptions,
                "-lstdc++", "-Wl,-q"],
        "norelocs": ["-O1", features],
    }
    built = []
    for name, args in variants.items():
        path = os.path.join(work, name)
        if run([clang, *args, "-o", path]):
            built.append((name, path))
    # The reorder tests' own programs (C with inline assembly: code outside
    # functions, nested symbols, odd sections) and hand-written assembly.
    reorder = os.path.join(src, "lit/reorder")
    mc, lld = os.path.join(llvm_bin, "llvm-mc"), os.path.join(llvm_bin, "ld.lld")
    for f in sorted(os.listdir(reorder)):
        if not f.endswith(".test"):
            continue
        with open(os.path.join(reorder, f)) as fh:
            blocks = split_blocks(fh.read())
        for bname, body in blocks:
            if bname.endswith(".c") and f != "rewrite.test":  # a library
                stem = f"{f[:-5]}_{bname[:-2]}"
                write(work, stem + ".c", body)
                exe = os.path.join(work, stem)
                if run([clang, "-O1", "-ffunction-sections", "-fno-pie",
                        "-no-pie", os.path.join(work, stem + ".c"), "-o", exe,
                        "-Wl,-q"]):
                    built.append((stem, exe))
                continue
            if not bname.endswith(".s") or bname.startswith("arm"):
                continue
            stem = f"{f[:-5]}_{bname[:-2]}"
            s, o, exe = (os.path.join(work, stem + ext) for ext in (".s", ".o", ""))
            write(work, stem + ".s", body)
            if run([mc, "-filetype=obj", "-triple=x86_64", s, "-o", o]) and \
                    run([lld, o, "-o", exe, "--emit-relocs"]):
                built.append((stem, exe))
    largest = 0
    for name, path in built:
        with open(path, "rb") as fh:
            data = fh.read()
        largest = max(largest, len(data))
        write(f"{out}/linked-binary", name, data)
        # Each profile shape; the page-size bit is left to mutation.
        for mode in range(4):
            write(f"{out}/rewrite", f"{name}.mode{mode}", bytes([mode]) + data)
            write(f"{out}/page-map", f"{name}.mode{mode}", bytes([mode]) + data)
    return largest


def smf_seeds(src, out, clang, elf2smf, work):
    """SMF modules of the SMF tests' C programs: v1.0, v1.1, v1.1 with a
    stub, and with phase bits and a pin."""
    if not elf2smf or not os.path.exists(elf2smf):
        note("no elf2smf: no SMF seeds")
        return
    smf = os.path.join(src, "lit/smf")
    for f in sorted(os.listdir(smf)):
        if not f.endswith(".test"):
            continue
        with open(os.path.join(smf, f)) as fh:
            blocks = split_blocks(fh.read())
        for bname, body in blocks:
            if not bname.endswith(".c"):
                continue
            stem = f"{f[:-5]}_{bname[:-2]}"
            c, o = (os.path.join(work, "smf-" + stem + ext) for ext in (".c", ".o"))
            write(work, "smf-" + stem + ".c", body)
            if not run([clang, "-O2", "-c", "-ffunction-sections",
                        "-fdata-sections", "-fno-jump-tables", "-fPIE", c,
                        "-o", o]):
                continue
            stub = os.path.join(work, "stub")
            write(work, "stub", "#!/usr/bin/smf-run\n")
            variants = {"v10": [], "v11": ["--version=1.1"],
                        "stub": ["--version=1.1", "--stub=" + stub],
                        "phases": ["--phase=main=startup", "--pin=main"]}
            for v, args in variants.items():
                mod = os.path.join(work, f"{stem}-{v}.smf")
                if not run([elf2smf, o, "-o", mod, *args]):
                    continue
                with open(mod, "rb") as fh:
                    data = fh.read()
                for mode in range(4):
                    write(f"{out}/smf", f"{stem}-{v}.mode{mode}",
                          bytes([mode]) + data)
                    write(f"{out}/page-map", f"{stem}-{v}.mode{mode}",
                          bytes([mode]) + data)


def raw_seeds(src, out, clang, llvm_bin, runtime_dir, work):
    shape = os.path.join(src, "lit/record/Inputs/shape.c")
    include = os.path.join(src, "utils/recorder/include")
    modes = {
        "first-call": ["-fsanitize-coverage=func,trace-pc-guard"],
        "blocks": ["-fsanitize-coverage=bb,trace-pc-guard,pc-table"],
        "scanned": ["-fsanitize-coverage=func,inline-bool-flag,pc-table"],
        "full": ["-finstrument-functions-after-inlining"],
    }
    module = None
    for mode, flags in modes.items():
        exe = os.path.join(work, f"shape-{mode}")
        if not run([clang, "-O1", "-ffunction-sections", *flags, "-I" + include,
                    shape, "-fno-sanitize-link-runtime", "-L" + runtime_dir,
                    "-l:libpagelayout_rt.a", "-lpthread", "-o", exe]):
            continue
        rawdir = os.path.join(work, f"raw-{mode}")
        os.makedirs(rawdir, exist_ok=True)
        env = dict(os.environ, PAGELAYOUT_OUT=os.path.join(rawdir, "%p.raw"))
        if not run([exe], env=env, cwd=work):
            continue
        for i, f in enumerate(sorted(os.listdir(rawdir))):
            shutil.copy(os.path.join(rawdir, f), f"{out}/raw/{mode}-{i}.raw")
        if mode == "full":
            module = exe
    if module:
        kept = os.path.join(out, "raw-module")
        shutil.copy(module, kept)
        # A perf script of the same program: samples with call chains and
        # without, in its functions.
        nm = subprocess.run([os.path.join(llvm_bin, "llvm-nm"),
                             "--defined-only", kept],
                            stdout=subprocess.PIPE, text=True).stdout
        syms = [l.split() for l in nm.splitlines()]
        fns = [(int(a, 16), n) for a, t, n in (s for s in syms if len(s) == 3)
               if t in "tT"]
        text, t = [], 100.0
        for i, (addr, name) in enumerate(fns[:40]):
            t += 0.00025
            chain = fns[i:i + 4]
            text.append(f"shape 4242 [001] {t:.6f}:     250000 cycles:u: \n")
            text += [f"\t    {a + 4:x} {n}+0x4 ({kept})\n" for a, n in chain]
            text.append("\n")
            text.append(f"shape 4243 {t:.6f}:  1 cpu-clock:u:  {addr:x} "
                        f"{name}+0x0 (/opt/app)\n")
        write(f"{out}/perf-script", "shape.perf", "".join(text))


def object_seeds(src, out, clang, llvm_bin, work):
    """Relocatable objects and an archive of them, for input-text: the
    reorder tests' C programs and assembly compiled (not linked), with
    -ffunction-sections and without, and C++ with COMDAT groups."""
    objects = []
    features = os.path.join(src, "lit/reorder/Inputs/features.c")
    exceptions = os.path.join(src, "lit/link/Inputs/exceptions.cpp")
    for name, args in {
            "features": ["-O1", "-ffunction-sections", features],
            "features-nofs": ["-O2", features],
            "cxx": ["-x", "c++", "-O1", "-ffunction-sections", exceptions],
    }.items():
        o = os.path.join(work, f"obj-{name}.o")
        if run([clang, "-c", *args, "-o", o]):
            objects.append((name, o))
    reorder = os.path.join(src, "lit/reorder")
    mc = os.path.join(llvm_bin, "llvm-mc")
    for f in sorted(os.listdir(reorder)):
        if not f.endswith(".test"):
            continue
        with open(os.path.join(reorder, f)) as fh:
            blocks = split_blocks(fh.read())
        for bname, body in blocks:
            if not bname.endswith(".s") or bname.startswith("arm"):
                continue
            stem = f"obj-{f[:-5]}_{bname[:-2]}"
            s, o = (os.path.join(work, stem + ext) for ext in (".s", ".o"))
            write(work, stem + ".s", body)
            if run([mc, "-filetype=obj", "-triple=x86_64", s, "-o", o]):
                objects.append((stem, o))
    for name, path in objects:
        with open(path, "rb") as fh:
            write(f"{out}/input-text", name, fh.read())
    ar = os.path.join(work, "objs.a")
    small = [p for _, p in objects if os.path.getsize(p) < 16384][:4]
    if small and run([os.path.join(llvm_bin, "llvm-ar"), "rc", ar, *small]):
        with open(ar, "rb") as fh:
            write(f"{out}/input-text", "archive", fh.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--clang", default="clang-22")
    ap.add_argument("--llvm-bin", default="/usr/lib/llvm-22/bin")
    ap.add_argument("--runtime-dir", required=True,
                    help="where libpagelayout_rt.a is")
    ap.add_argument("--elf2smf", help="the elf2smf tool, for SMF seeds")
    a = ap.parse_args()
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    for t in ("profile", "yaml-tree", "orderfile", "perf-script", "raw",
              "linked-binary", "rewrite", "smf", "page-map", "input-text"):
        os.makedirs(os.path.join(a.out, t))
    text_seeds(a.src, a.out)
    with tempfile.TemporaryDirectory(prefix="pagelayout-corpus-") as work:
        largest = binaries(a.src, a.out, a.clang, a.llvm_bin, work)
        object_seeds(a.src, a.out, a.clang, a.llvm_bin, work)
        raw_seeds(a.src, a.out, a.clang, a.llvm_bin, a.runtime_dir, work)
        smf_seeds(a.src, a.out, a.clang, a.elf2smf, work)
    # utils/fuzz.sh sizes -max_len of the ELF targets by this.
    write(a.out, "largest-binary", f"{largest}\n")
    for t in sorted(os.listdir(a.out)):
        d = os.path.join(a.out, t)
        if os.path.isdir(d):
            n = len(os.listdir(d))
            size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
            note(f"{t}: {n} seeds, {size} bytes")


if __name__ == "__main__":
    main()
