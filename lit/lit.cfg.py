# lit configuration for pagelayout's regression tests.
import os
import shutil

import lit.formats

config.name = "pagelayout"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.pagelayout_obj_root, "lit")

# Our tools first, then LLVM 22's (FileCheck, yaml2obj, llvm-mc, ...).
path = os.pathsep.join(
    [config.pagelayout_tools_dir, config.pagelayout_plugin_dir,
     config.llvm_tools_dir,
     config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["PATH"] = path

# Tests call clang-22 and ld.lld by their LLVM 22 paths, never the system's.
config.substitutions.append(("%clang", os.path.join(config.llvm_tools_dir, "clang")))
config.substitutions.append(("%ld.lld", os.path.join(config.llvm_tools_dir, "ld.lld")))
config.substitutions.append(("%src", config.pagelayout_src_root))
# The SMF test tools (docs/smf.md).
config.substitutions.append(
    ("%elf2smf", os.path.join(config.pagelayout_smf_tools_dir, "elf2smf")))
config.substitutions.append(
    ("%smf-run", os.path.join(config.pagelayout_smf_tools_dir, "smf-run")))
config.substitutions.append(
    ("%ldpl", os.path.join(config.pagelayout_plugin_dir, "ld.pagelayout")))
# Build flags of an instrumented program: the recorder's runtime and header.
rt = config.pagelayout_runtime_dir
config.substitutions.append(
    ("%recorder_ldflags",
     f"-fno-sanitize-link-runtime -L{rt} -l:libpagelayout_rt.a -lpthread"))
config.substitutions.append(
    ("%recorder_gcc_ldflags", f"-L{rt} -l:libpagelayout_rt.a -lpthread"))
config.substitutions.append(
    ("%recorder_include",
     "-I" + os.path.join(config.pagelayout_src_root, "utils/recorder/include")))
config.substitutions.append(
    ("%ltoplugin", os.path.join(config.pagelayout_plugin_dir, "libPageLayoutLTO.so")))

# A sanitized tree (-DPAGELAYOUT_SANITIZE=address): its LTO plugin cannot
# load into clang or ld.lld, which have no sanitizer runtime.
if config.pagelayout_sanitize not in ("", "OFF"):
    config.available_features.add("sanitized")

if shutil.which("gcc"):
    config.available_features.add("gcc")
if shutil.which("g++"):
    config.available_features.add("gxx")

# perf_event_open sampling works here (not in every container or VM).
import subprocess
_probe = subprocess.run(
    [os.path.join(config.pagelayout_tools_dir, "pagelayout"), "record",
     "--mode=perf", "-o", os.devnull, "--", "true"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if _probe.returncode == 0:
    config.available_features.add("perf")

# valgrind's lackey is the exact oracle of the --mode=trace tests.
if shutil.which("valgrind"):
    config.available_features.add("valgrind")

# xmllint checks that report's SVG and HTML are well-formed.
if shutil.which("xmllint"):
    config.available_features.add("xmllint")

# Some refusals (a set-user-ID program under ptrace) do not apply to root.
if os.geteuid() == 0:
    config.available_features.add("root")
