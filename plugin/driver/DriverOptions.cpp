//===- DriverOptions.cpp - ld.pagelayout's own options --------------------===//
//
// ld.pagelayout accepts every lld option unchanged; it only removes its own
// --layout-* options before handing the command line to lld. Response files
// are expanded first (GNU quoting, as lld does) so options inside them are
// found; lld then sees the same arguments it would have read itself.
//
//===----------------------------------------------------------------------===//

#include "DriverOptions.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/Threading.h"

using namespace llvm;

namespace pagelayout {
namespace {

/// Matches "--Name=V", "-Name=V", "--Name V", "-Name V". Advances I past a
/// separate value. Returns the value, or nullopt when Argv[I] is not Name.
Expected<std::optional<StringRef>> takeValue(ArrayRef<const char *> Argv,
                                             size_t &I, StringRef Name) {
  StringRef A = Argv[I];
  if (!A.consume_front("--") && !A.consume_front("-"))
    return std::nullopt;
  if (!A.consume_front(Name))
    return std::nullopt;
  if (A.consume_front("="))
    return std::optional<StringRef>(A);
  if (!A.empty())
    return std::nullopt;
  if (I + 1 >= Argv.size())
    return createStringError("missing argument to --" + Name);
  return std::optional<StringRef>(StringRef(Argv[++I]));
}

bool isFlag(StringRef A, StringRef Name) {
  return A == ("--" + Name).str() || A == ("-" + Name).str();
}

/// The value of lld's --threads at \p I, in takeValue's spellings (the
/// value stays on lld's command line), if that is the option there.
std::optional<StringRef> threadsValue(ArrayRef<const char *> Args, size_t I) {
  Expected<std::optional<StringRef>> V = takeValue(Args, I, "threads");
  if (!V) {
    consumeError(V.takeError()); // lld says the value is missing
    return StringRef();
  }
  return *V;
}

} // namespace

void applyLldThreads(const DriverOptions &Opts) {
  // lld's driver: --threads=N, else no more than 16 threads.
  if (Opts.ThreadCount)
    parallel::strategy = hardware_concurrency(Opts.ThreadCount);
  else if (parallel::strategy.compute_thread_count() > 16)
    parallel::strategy = hardware_concurrency(16);
}

Expected<DriverOptions> parseDriverOptions(ArrayRef<const char *> Argv,
                                           StringSaver &Saver) {
  SmallVector<const char *, 64> Expanded(Argv.begin(), Argv.end());
  cl::ExpansionContext Expansion(Saver.getAllocator(),
                                 cl::TokenizeGNUCommandLine);
  if (Error E = Expansion.expandResponseFiles(Expanded))
    return std::move(E);
  DriverOptions O;
  for (size_t I = 0; I < Expanded.size(); ++I) {
    StringRef A = Expanded[I];
    if (isFlag(A, "layout-strict")) {
      O.Strict = O.AnyLayoutOption = true;
      continue;
    }
    struct ValueOption {
      StringRef Name;
      std::function<Error(StringRef)> Apply;
    } Options[] = {
        {"layout-profile",
         [&](StringRef V) {
           O.ProfilePaths.push_back(V.str());
           return Error::success();
         }},
        {"layout-report",
         [&](StringRef V) {
           O.ReportPath = V.str();
           return Error::success();
         }},
        {"layout-lto-plugin",
         [&](StringRef V) {
           O.LtoPlugin = V.str();
           return Error::success();
         }},
        {"layout-page-size",
         [&](StringRef V) -> Error {
           uint64_t N;
           if (V.getAsInteger(0, N) || N < 16 || !isPowerOf2_64(N))
             return createStringError("--layout-page-size=" + V +
                                      ": expected a power of two of at "
                                      "least 16 (e.g. 4096, 16384, 65536)");
           O.PageSize = N;
           return Error::success();
         }},
        {"layout-plan-from",
         [&](StringRef V) -> Error {
           if (V != "auto" && V != "link")
             return createStringError("--layout-plan-from=" + V +
                                      ": expected 'auto' or 'link'");
           O.PlanFromLink = V == "link";
           return Error::success();
         }},
        {"layout-phase-align",
         [&](StringRef V) -> Error {
           if (V != "page" && V != "none")
             return createStringError("--layout-phase-align=" + V +
                                      ": expected 'page' or 'none'");
           O.PhaseAlign = V == "page";
           return Error::success();
         }},
    };
    bool Taken = false;
    for (ValueOption &Opt : Options) {
      size_t J = I;
      Expected<std::optional<StringRef>> V = takeValue(Expanded, J, Opt.Name);
      if (!V)
        return V.takeError();
      if (!*V)
        continue;
      if (Error E = Opt.Apply(**V))
        return std::move(E);
      O.AnyLayoutOption = Taken = true;
      I = J;
      break;
    }
    if (!Taken) {
      // lld's own option, and also ours: seen here, kept for lld.
      if (isFlag(A, "fatal-warnings"))
        O.FatalWarnings = true;
      else if (isFlag(A, "verbose"))
        O.Verbose = true;
      else if (std::optional<StringRef> V = threadsValue(Expanded, I)) {
        unsigned N = 0;
        O.ThreadCount = to_integer(*V, N, 0) ? N : 0;
      } else if (isFlag(A, "no-fatal-warnings"))
        O.FatalWarnings = false;
      if (A.starts_with("--layout-") || A.starts_with("-layout-"))
        return createStringError(
            "unknown option '" + A +
            "'; ld.pagelayout knows --layout-profile, --layout-page-size, "
            "--layout-report, --layout-phase-align, --layout-plan-from, "
            "--layout-lto-plugin and --layout-strict");
      O.LldArgs.push_back(Expanded[I]);
    }
  }
  return O;
}

bool isHelpRun(ArrayRef<const char *> Args) {
  return any_of(Args,
                [](StringRef A) { return A == "--help" || A == "-help"; });
}

bool isInformationalRun(ArrayRef<const char *> Args) {
  for (StringRef A : Args)
    if (A == "--version" || A == "-version")
      return true;
  // -v prints the version and goes on linking when there are inputs.
  return isHelpRun(Args) ||
         all_of(Args, [](StringRef A) { return A == "-v" || A == "-V"; });
}

void printLayoutHelp(raw_ostream &OS) {
  OS << R"(
pagelayout options:
  --layout-lto-plugin=<path>|none
                          The pass plugin for LTO inputs (default: found
                          next to ld.pagelayout or in ../lib; none: do not
                          load it)
  --layout-page-size=<n>  Page size, a power of two of at least 16 (default
                          4096; 16384, 65536, 2097152 ...)
  --layout-phase-align=page|none
                          Start each phase on a page (default), or only
                          order the functions
  --layout-plan-from=auto|link
                          Plan from the inputs' section and symbol tables
                          and link once where they tell what lld will
                          place (default), or always from a first lld
                          pass (link)
  --layout-profile=<file> Lay out code by this profile (YAML or an lld
                          ordering file); given several times, the profiles
                          are merged as 'pagelayout profile merge' does
  --layout-report=<file>  Write the achieved layout read back from the
                          output (.json, .txt or YAML)
  --layout-strict         Profile functions missing from the link, or a
                          profile that does not fit it, are an error
With --fatal-warnings, ld.pagelayout's own warnings are errors too, and
nothing is written.
)";
}

bool isRelocatableLink(ArrayRef<const char *> Args) {
  for (StringRef A : Args)
    if (A == "-r" || A == "--relocatable" || A == "-relocatable")
      return true;
  return false;
}

std::string outputPath(ArrayRef<const char *> Args) {
  std::string Out = "a.out";
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if ((A == "-o" || A == "--output" || A == "-output") && I + 1 < Args.size())
      Out = Args[++I];
    else if (A.consume_front("--output=") || A.consume_front("-output="))
      Out = A.str();
    else if (A.starts_with("-o") && A.size() > 2 && A != "-omagic" &&
             !A.starts_with("-oformat") && !A.starts_with("-orphan-handling"))
      Out = A.drop_front(2).str();
  }
  return Out;
}

} // namespace pagelayout
