//===- LinkInputs.cpp - The files a link reads, found as lld finds them ---===//
//
// To plan a link before lld runs, ld.pagelayout must know what lld will
// read: the files named on the command line, the libraries -l finds in the
// -L directories (a shared object before an archive, unless -Bstatic), the
// files a linker script such as Debian's libc.so names (GROUP, INPUT,
// AS_NEEDED), and the options that decide which members of an archive
// load (--whole-archive, --start-lib, -u, --entry).
//
// The command line is read with lld's own option syntax: "--name value",
// "--name=value", "-name value" for the options lld spells either way,
// "-lfoo" and "-l foo" for single letters. What matters is which
// arguments are option values rather than inputs: every lld option that
// takes a separate value is listed below (lld/ELF/Options.td), so a value
// is never read as an input file. An option this list does not know is
// taken for a flag; at worst its value, when it names an existing object,
// would add code the plan does not find in the link.
//
// Some links place code by rules the inputs do not show: a linker script
// with SECTIONS, --section-start, -Ttext, --shuffle-sections,
// -z keep-text-section-prefix. For those NotFromInputs says why, and the
// link is planned from a first lld pass instead.
//
//===----------------------------------------------------------------------===//

#include "LinkInputs.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace pagelayout {
namespace {

/// lld options that take a separate value and may be spelled with one
/// dash or two ("-soname x", "--soname x").
bool takesValueEitherDash(StringRef Name) {
  static const StringSet<> Names = {
      "auxiliary",      "compress-debug-sections",
      "defsym",         "split-stack-adjust-size",
      "Tbss",           "Tdata",
      "Ttext",          "Ttext-segment",
      "call-graph-ordering-file", "dynamic-linker",
      "dynamic-list",   "entry",
      "exclude-libs",   "filter",
      "fini",           "format",
      "hash-style",     "init",
      "just-symbols",   "keep-unique",
      "Map",            "orphan-handling",
      "print-symbol-order", "rpath",
      "retain-symbols-file", "script",
      "section-start",  "soname",
      "sort-section",   "sysroot",
      "target2",        "trace-symbol",
      "undefined",      "unresolved-symbols",
      "version-script", "wrap",
      "mllvm",          "plugin",
      "mips-got-size",  "library",
      "library-path",   "rpath-link"};
  return Names.contains(Name);
}

/// lld options that take a separate value and are spelled with two dashes
/// only.
bool takesValueTwoDashes(StringRef Name) {
  static const StringSet<> Names = {
      "compress-sections", "in-implib", "out-implib", "irpgo-profile",
      "chroot", "default-script", "dependency-file", "error-limit",
      "error-handling-script", "export-dynamic-symbol",
      "export-dynamic-symbol-list", "image-base", "oformat",
      "pack-dyn-relocs", "remap-inputs", "reproduce",
      "symbol-ordering-file", "threads", "time-trace-granularity",
      "undefined-glob", "rsp-quoting", "warn-backrefs-exclude", "why-live",
      "lto-known-safe-vtables", "opt-remarks-filename",
      "opt-remarks-hotness-threshold", "opt-remarks-passes",
      "opt-remarks-format", "shuffle-sections", "thinlto-cache-policy",
      "load-pass-plugin", "android-memtag-mode", "output"};
  return Names.contains(Name);
}

/// One-dash flags whose names begin with a letter that is also a
/// single-letter option with a joined value ("-eh-frame-hdr" is not
/// "-e h-frame-hdr").
bool isOneDashFlag(StringRef Name) {
  static const StringSet<> Names = {
      "eh-frame-hdr", "emit-relocs", "enable-new-dtags", "end-group",
      "end-lib", "error-unresolved-symbols", "export-dynamic", "long-plt",
      "merge-exidx-entries", "help", "unique", "undefined-version"};
  return Names.contains(Name);
}

/// Single letters whose value is joined ("-lm") or separate ("-l m").
bool isJoinedOrSeparateLetter(char C) {
  return StringRef("lLmoOzeRThyuG").contains(C);
}

class InputFinder {
public:
  explicit InputFinder(ArrayRef<const char *> Args) : Args(Args) {}
  LinkInputs run();

private:
  struct State {
    bool Static = false, WholeArchive = false;
  };
  void option(StringRef Name, StringRef Value, bool HasValue);
  void addFile(StringRef Path, bool InScript,
               size_t ArgIndex = LinkInputFile::NotAnArgument);
  void addLibrary(StringRef Name);
  std::optional<std::string> findFile(StringRef Dir, StringRef File) const;
  std::optional<std::string> findFromSearchPaths(StringRef File) const;
  void readScript(StringRef Path, StringRef Text);
  void notFromInputs(const Twine &Why) {
    if (R.NotFromInputs.empty())
      R.NotFromInputs = Why.str();
  }

  ArrayRef<const char *> Args;
  LinkInputs R;
  std::vector<std::string> SearchPaths;
  std::string Sysroot;
  State S;
  std::vector<State> Saved;
  bool InLib = false;
  bool BinaryFormat = false;
  bool KeepTextPrefix = false;
  /// Scripts being read, against GROUP loops.
  std::vector<std::string> ScriptStack;
};

std::optional<std::string> InputFinder::findFile(StringRef Dir,
                                                 StringRef File) const {
  SmallString<256> P;
  if (Dir.consume_front("="))
    P = Sysroot;
  else if (Dir.consume_front("$SYSROOT"))
    P = Sysroot;
  sys::path::append(P, Dir, File);
  if (sys::fs::is_regular_file(P))
    return std::string(P);
  return std::nullopt;
}

std::optional<std::string>
InputFinder::findFromSearchPaths(StringRef File) const {
  for (const std::string &Dir : SearchPaths)
    if (std::optional<std::string> P = findFile(Dir, File))
      return P;
  return std::nullopt;
}

// lld's searchLibrary: "-l:name" by its file name; "-lname" as
// libname.so (unless -Bstatic) or libname.a, directory by directory.
void InputFinder::addLibrary(StringRef Name) {
  std::optional<std::string> Found;
  if (Name.starts_with(":")) {
    Found = findFromSearchPaths(Name.drop_front());
  } else {
    for (const std::string &Dir : SearchPaths) {
      if (!S.Static)
        Found = findFile(Dir, ("lib" + Name + ".so").str());
      if (!Found)
        Found = findFile(Dir, ("lib" + Name + ".a").str());
      if (Found)
        break;
    }
  }
  // A library lld cannot find fails the link: lld says so.
  if (Found)
    addFile(*Found, /*InScript=*/false);
}

void InputFinder::addFile(StringRef Path, bool InScript, size_t ArgIndex) {
  if (BinaryFormat)
    return; // -b binary: raw data, no code
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getFile(
      Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Buf)
    return; // lld reports it
  file_magic Magic = identify_magic((*Buf)->getBuffer());
  switch (Magic) {
  case file_magic::archive:
  case file_magic::elf_relocatable:
  case file_magic::elf_shared_object:
  case file_magic::bitcode:
  case file_magic::elf_executable:
  case file_magic::elf_core:
  case file_magic::elf:
    R.Files.push_back({Path.str(), (*Buf)->getMemBufferRef(), Magic, ArgIndex,
                       InLib, S.WholeArchive});
    R.Buffers.push_back(std::move(*Buf));
    return;
  default:
    break;
  }
  (void)InScript;
  if (ScriptStack.size() > 16 || is_contained(ScriptStack, Path.str())) {
    notFromInputs("linker script '" + Path + "' includes itself");
    return;
  }
  ScriptStack.push_back(Path.str());
  readScript(Path, (*Buf)->getBuffer());
  ScriptStack.pop_back();
}

/// Splits a linker script into lld's tokens: words, quoted strings, and
/// the punctuation ( ) , ; = { } as tokens of their own; comments dropped.
std::vector<StringRef> scriptTokens(StringRef Text) {
  std::vector<StringRef> Tokens;
  while (!Text.empty()) {
    if (Text.starts_with("/*")) {
      size_t End = Text.find("*/", 2);
      Text = End == StringRef::npos ? StringRef() : Text.drop_front(End + 2);
      continue;
    }
    if (Text.front() == '#') {
      Text = Text.drop_until([](char C) { return C == '\n'; });
      continue;
    }
    if (isSpace(Text.front())) {
      Text = Text.drop_front();
      continue;
    }
    if (Text.front() == '"') {
      size_t End = Text.find('"', 1);
      if (End == StringRef::npos)
        End = Text.size() - 1;
      Tokens.push_back(Text.substr(1, End - 1));
      Text = Text.drop_front(End + 1);
      continue;
    }
    if (StringRef("(),;={}").contains(Text.front())) {
      Tokens.push_back(Text.take_front());
      Text = Text.drop_front();
      continue;
    }
    size_t N = Text.find_first_of(" \t\n\r\f\v(),;={}\"#");
    if (Text.substr(0, N).contains("/*"))
      N = Text.find("/*");
    Tokens.push_back(Text.substr(0, N));
    Text = Text.drop_front(std::min(N, Text.size()));
  }
  return Tokens;
}

// The commands of a script that only names inputs (Debian's libc.so:
// OUTPUT_FORMAT and GROUP with AS_NEEDED). Anything else may place code:
// the first pass then lays it out.
void InputFinder::readScript(StringRef Path, StringRef Text) {
  std::vector<StringRef> T = scriptTokens(Text);
  StringRef Dir = sys::path::parent_path(Path);
  auto File = [&](StringRef Name) {
    if (Name.consume_front("-l")) {
      addLibrary(Name);
      return;
    }
    SmallString<256> P;
    if (Name.consume_front("=")) {
      P = Sysroot;
      sys::path::append(P, Name);
    } else if (sys::path::is_absolute(Name)) {
      if (!Sysroot.empty() && Path.starts_with(Sysroot)) {
        P = Sysroot;
        sys::path::append(P, Name);
        if (!sys::fs::exists(P))
          P = Name;
      } else {
        P = Name;
      }
    } else {
      // lld's order: the script's directory, the current one, then -L.
      SmallString<256> Near(Dir);
      sys::path::append(Near, Name);
      if (!Dir.empty() && sys::fs::exists(Near))
        P = Near;
      else if (sys::fs::exists(Name))
        P = Name;
      else if (std::optional<std::string> F = findFromSearchPaths(Name))
        P = *F;
      else
        return; // lld reports it
    }
    addFile(P, /*InScript=*/true);
  };
  size_t I = 0;
  // A parenthesised list: files (GROUP, INPUT, AS_NEEDED) or names.
  std::function<bool(function_ref<void(StringRef)>)> List =
      [&](function_ref<void(StringRef)> Each) {
        if (I >= T.size() || T[I] != "(")
          return false;
        ++I;
        while (I < T.size() && T[I] != ")") {
          if (T[I] == "AS_NEEDED") {
            ++I;
            if (!List(Each))
              return false;
            continue;
          }
          if (T[I] != ",")
            Each(T[I]);
          ++I;
        }
        if (I >= T.size())
          return false;
        ++I;
        return true;
      };
  while (I < T.size()) {
    StringRef Cmd = T[I++];
    if (Cmd == ";")
      continue;
    bool OK;
    if (Cmd == "GROUP" || Cmd == "INPUT") {
      OK = List(File);
    } else if (Cmd == "OUTPUT_FORMAT" || Cmd == "OUTPUT_ARCH" ||
               Cmd == "TARGET") {
      OK = List([](StringRef) {});
    } else if (Cmd == "SEARCH_DIR") {
      OK = List([&](StringRef D) { SearchPaths.push_back(D.str()); });
    } else if (Cmd == "EXTERN") {
      OK = List([&](StringRef Sym) { R.Undefined.push_back(Sym.str()); });
    } else if (Cmd == "ENTRY") {
      OK = List([&](StringRef Sym) { R.Entry.push_back(Sym.str()); });
    } else {
      notFromInputs("linker script '" + Path + "' has " + Cmd +
                    ", which may place code");
      return;
    }
    if (!OK) {
      notFromInputs("linker script '" + Path + "' could not be read after " +
                    Cmd);
      return;
    }
  }
}

void InputFinder::option(StringRef Name, StringRef Value, bool HasValue) {
  if (HasValue) {
    if (Name == "l" || Name == "library")
      addLibrary(Value);
    else if (Name == "u" || Name == "undefined")
      R.Undefined.push_back(Value.str());
    else if (Name == "e" || Name == "entry")
      R.Entry.push_back(Value.str());
    else if (Name == "T" || Name == "script")
      addFile(Value, /*InScript=*/true);
    else if (Name == "dT" || Name == "default-script")
      notFromInputs("--default-script may place code");
    else if (Name == "section-start" || Name == "Ttext")
      notFromInputs("--" + Name + " places code");
    else if (Name == "shuffle-sections")
      notFromInputs("--shuffle-sections reorders code");
    else if (Name == "z" && Value == "keep-text-section-prefix")
      KeepTextPrefix = true;
    else if (Name == "z" && Value == "nokeep-text-section-prefix")
      KeepTextPrefix = false;
    else if (Name == "b" || Name == "format")
      BinaryFormat = Value == "binary";
    else if (Name == "icf")
      R.FoldsCode = Value != "none";
    else if (Name == "wrap" || Name == "defsym" || Name == "just-symbols" ||
             Name == "undefined-glob")
      notFromInputs("--" + Name + " changes which definitions the link "
                                  "takes");
    else if (Name == "randomize-section-padding")
      notFromInputs("--randomize-section-padding moves code");
    return;
  }
  if (Name.consume_front("icf=")) {
    R.FoldsCode = Name != "none";
    return;
  }
  StringSwitch<std::function<void()>>(Name)
      .Cases("Bstatic", "static", "dn", "non_shared", [&] { S.Static = true; })
      .Cases("Bdynamic", "dy", "call_shared", [&] { S.Static = false; })
      .Case("whole-archive", [&] { S.WholeArchive = true; })
      .Case("no-whole-archive", [&] { S.WholeArchive = false; })
      .Case("start-lib", [&] { InLib = true; })
      .Case("end-lib", [&] { InLib = false; })
      .Case("push-state", [&] { Saved.push_back(S); })
      .Case("pop-state",
            [&] {
              if (!Saved.empty()) {
                S = Saved.back();
                Saved.pop_back();
              }
            })
      .Case("gc-sections", [&] { R.GcSections = true; })
      .Case("no-gc-sections", [&] { R.GcSections = false; })
      .Cases("r", "relocatable", [&] { notFromInputs("a relocatable link"); })
      .Case("fat-lto-objects",
            [&] {
              notFromInputs("--fat-lto-objects links the objects' bitcode, "
                            "whose code LTO generates");
            })
      .Case("unique",
            [&] { notFromInputs("--unique keeps sections apart"); })
      .Case("fix-cortex-a53-843419",
            [&] { notFromInputs("--fix-cortex-a53-843419 adds code"); })
      .Default([] {})();
}

LinkInputs InputFinder::run() {
  // lld collects every -L (and --sysroot) before it reads an input.
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if (A == "-L" || A == "--library-path" || A == "-library-path") {
      if (I + 1 < Args.size())
        SearchPaths.push_back(Args[++I]);
    } else if (A.consume_front("--library-path=") ||
               A.consume_front("-library-path=") || A.consume_front("-L")) {
      SearchPaths.push_back(A.str());
    } else if (A == "--sysroot" || A == "-sysroot") {
      if (I + 1 < Args.size())
        Sysroot = Args[++I];
    } else if (A.consume_front("--sysroot=") || A.consume_front("-sysroot=")) {
      Sysroot = A.str();
    }
  }
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if (A.size() < 2 || A.front() != '-') {
      addFile(A, /*InScript=*/false, I);
      continue;
    }
    auto Next = [&]() -> std::optional<StringRef> {
      if (I + 1 < Args.size())
        return StringRef(Args[++I]);
      return std::nullopt; // lld reports the missing value
    };
    if (A.consume_front("--")) {
      auto [Name, Value] = A.split('=');
      if (A.contains('=')) {
        option(Name, Value, true);
      } else if (takesValueEitherDash(A) || takesValueTwoDashes(A)) {
        if (std::optional<StringRef> V = Next())
          option(A, *V, true);
      } else {
        option(A, {}, false);
      }
      continue;
    }
    A = A.drop_front();
    auto [Name, Value] = A.split('=');
    if (A.contains('=') && takesValueEitherDash(Name)) {
      option(Name, Value, true);
    } else if (takesValueEitherDash(A) || A == "dT" || A == "f" ||
               A == "F" || A == "b") {
      if (std::optional<StringRef> V = Next())
        option(A, *V, true);
    } else if (isJoinedOrSeparateLetter(A.front()) && !isOneDashFlag(A)) {
      StringRef Letter = A.take_front();
      if (A.size() > 1) {
        option(Letter, A.drop_front(), true);
      } else if (std::optional<StringRef> V = Next()) {
        option(Letter, *V, true);
      }
    } else {
      option(A, {}, false);
    }
  }
  if (KeepTextPrefix)
    notFromInputs("-z keep-text-section-prefix keeps .text.* sections in "
                  "output sections of their own");
  return std::move(R);
}

} // namespace

LinkInputs findLinkInputs(ArrayRef<const char *> Args) {
  return InputFinder(Args).run();
}

} // namespace pagelayout
