//===- CodeEndings.cpp - Where code goes when its symbol ends -------------===//
//
// See CodeEndings.h for what is proved and why.
//
//===----------------------------------------------------------------------===//

#include "CodeEndings.h"
#include "AddressText.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/MC/MCInst.h"

using namespace llvm;

namespace pagelayout {

void CodeEnding::see(const InstructionDecoder &D, const MCInst &Inst,
                     uint64_t Addr, uint64_t Len, std::optional<uint64_t> To,
                     uint64_t Begin, uint64_t End) {
  Flow F = D.flowAfter(Inst);
  if (LastRealEnd < Begin)
    LastRealEnd = Begin;
  if (F == Flow::Return)
    Returns = true;
  if (F == Flow::IndirectJump)
    JumpsAnywhere = true;
  if ((F == Flow::Jump || F == Flow::Branch) && To) {
    if (*To < Begin || *To >= End)
      JumpsOut.push_back(*To);
    else
      FurthestInside = std::max(FurthestInside, *To + 1);
  }
  if (F == Flow::Trap || !D.isNop(Inst)) {
    Last = F;
    LastTarget = To;
    LastRealEnd = Addr + Len;
  }
}

void CodeEnding::finish(uint64_t End) {
  // Only direct branches are looked at: an indirect jump into a function's
  // trailing nops would be a jump table's entry for an unreachable default
  // (which the jump-table analysis places at the function's end), or
  // hand-written code no compiler emits.
  if (LastRealEnd < End && FurthestInside > LastRealEnd)
    Last = Flow::Next;
}

bool isDeclaredNoReturn(StringRef Name) {
  Name = Name.take_until([](char C) { return C == '@'; }); // a version
  // libstdc++'s std::__throw_* helpers: _ZSt<len>__throw_<what>...
  if (Name.consume_front("_ZSt")) {
    StringRef Rest = Name.drop_while([](char C) { return C >= '0' && C <= '9'; });
    return Rest.size() < Name.size() &&
           (Rest.starts_with("__throw_") || Rest == "terminatev" ||
            Rest == "unexpectedv" ||
            Rest.starts_with("rethrow_exceptionNSt15__exception_ptr"));
  }
  // UBSan's handlers that abort (the recovering ones return).
  if (Name.starts_with("__ubsan_handle_") && Name.ends_with("_abort"))
    return true;
  return StringSwitch<bool>(Name)
      // ISO C, POSIX
      .Cases({"exit", "_exit", "_Exit", "quick_exit", "abort"}, true)
      .Cases({"longjmp", "_longjmp", "siglongjmp", "pthread_exit",
              "thrd_exit"},
             true)
      // glibc and BSD extensions declared __attribute__((noreturn))
      .Cases({"__assert_fail", "__assert_perror_fail", "__stack_chk_fail",
              "__stack_chk_fail_local", "__fortify_fail", "__chk_fail",
              "__longjmp_chk", "__libc_fatal", "__libc_start_main", "err",
              "errx", "verr", "verrx"},
             true)
      // the Itanium C++ ABI, libgcc's unwinder
      .Cases({"__cxa_throw", "__cxa_rethrow", "__cxa_bad_cast",
              "__cxa_bad_typeid", "__cxa_throw_bad_array_new_length",
              "__cxa_pure_virtual", "__cxa_deleted_virtual",
              "__cxa_call_unexpected", "__cxa_call_terminate",
              "_Unwind_Resume"},
             true)
      .Cases({"__ubsan_handle_builtin_unreachable",
              "__ubsan_handle_missing_return"},
             true)
      .Default(false);
}

NoReturnAnalysis::NoReturnAnalysis(const LinkedBinary &B,
                                   const FunctionIndex &Index,
                                   ArrayRef<CodeEnding> Ends,
                                   const InstructionDecoder &D)
    : B(B), Index(Index), Ends(Ends), D(D) {
  using Flow = CodeEnding::Flow;
  const std::vector<Atom> &Fns = B.Functions;
  size_t N = Fns.size();
  LastCallee.resize(N);
  for (size_t F = 0; F < N; ++F)
    LastCallee[F] = calleeOf(Ends[F]);

  // The greatest fixpoint: every function that could be a dead end is one
  // until a function it needs is found to return.
  NeverReturns.assign(N, false);
  std::vector<char> ByName(N, false);
  std::vector<std::vector<unsigned>> NeededBy(N);
  for (size_t F = 0; F < N; ++F) {
    if (any_of(Fns[F].Symbols, [](const AtomSymbol &S) {
          return isDeclaredNoReturn(S.Name);
        })) {
      NeverReturns[F] = ByName[F] = true;
      continue;
    }
    const CodeEnding &E = Ends[F];
    bool EndsInCall = E.Last == Flow::Call || E.Last == Flow::IndirectCall;
    if (E.Undecodable || E.Returns || E.JumpsAnywhere ||
        (InstructionDecoder::runsOn(E.Last) && !EndsInCall))
      continue;
    SmallVector<unsigned, 4> Needs;
    bool Candidate = true;
    for (uint64_t To : E.JumpsOut) {
      int G = Index.at(To);
      if (G < 0) {
        Candidate = false;
        break;
      }
      Needs.push_back(unsigned(G));
    }
    if (Candidate && EndsInCall) {
      const Callee &C = LastCallee[F];
      if (C.Function >= 0)
        Needs.push_back(unsigned(C.Function));
      else
        Candidate = isDeclaredNoReturn(C.Import);
    }
    if (!Candidate)
      continue;
    NeverReturns[F] = true;
    for (unsigned G : Needs)
      NeededBy[G].push_back(unsigned(F));
  }
  std::vector<unsigned> Returning;
  for (size_t F = 0; F < N; ++F)
    if (!NeverReturns[F])
      Returning.push_back(unsigned(F));
  while (!Returning.empty()) {
    unsigned G = Returning.back();
    Returning.pop_back();
    for (unsigned F : NeededBy[G])
      if (NeverReturns[F] && !ByName[F]) {
        NeverReturns[F] = false;
        Returning.push_back(F);
      }
  }
}

NoReturnAnalysis::Callee
NoReturnAnalysis::calleeOf(const CodeEnding &E) const {
  if (!E.LastTarget)
    return {};
  // call *slot(%rip): through the import's GOT slot, nothing else.
  if (E.Last == CodeEnding::Flow::IndirectCall)
    return {-1, B.importAt(*E.LastTarget).str()};
  if (E.Last == CodeEnding::Flow::Call)
    return calleeAt(*E.LastTarget);
  return {};
}

NoReturnAnalysis::Callee NoReturnAnalysis::calleeAt(uint64_t Target) const {
  if (int F = Index.startingAt(Target); F >= 0)
    return {F, ""};
  // A PLT entry: code outside the regions that jumps through an import's
  // slot, perhaps after a landing pad (endbr64).
  for (const LinkedBinary::CodeSection &Sec : B.OtherCode) {
    if (Target < Sec.Address || Target - Sec.Address >= Sec.Bytes.size())
      continue;
    uint64_t Off = Target - Sec.Address;
    for (int Step = 0; Step < 2 && Off < Sec.Bytes.size(); ++Step) {
      MCInst Inst;
      uint64_t Len = D.decode(Inst, Sec.Bytes.slice(Off), Sec.Address + Off);
      if (Len == 0)
        break;
      InstructionDecoder::Flow F = D.flowAfter(Inst);
      if (F == InstructionDecoder::Flow::IndirectJump) {
        if (std::optional<uint64_t> Slot =
                D.pcTarget(Inst, Sec.Address + Off, Len))
          return {-1, B.importAt(*Slot).str()};
        break;
      }
      if (F != InstructionDecoder::Flow::Next)
        break;
      Off += Len;
    }
    break;
  }
  return {};
}

std::string NoReturnAnalysis::runsOn(const CodeEnding &E,
                                     uint64_t EndAddress) const {
  std::string End = hex(EndAddress);
  if (E.Undecodable)
    return "may run on past its end at " + End +
           " (bytes that do not decode)";
  if (E.Last == CodeEnding::Flow::Call ||
      E.Last == CodeEnding::Flow::IndirectCall) {
    Callee C = calleeOf(E);
    if (calleeNeverReturns(C))
      return "";
    std::string Whom =
        C.Function >= 0 ? B.Functions[C.Function].displayName()
        : !C.Import.empty() ? C.Import
        : E.LastTarget      ? hex(*E.LastTarget)
                            : std::string("a computed address");
    return "ends in a call to " + Whom + " that may return, past its end at " +
           End;
  }
  if (InstructionDecoder::runsOn(E.Last))
    return "runs on past its end at " + End;
  return "";
}

FallThrough fallsInto(const LinkedBinary &B, const FunctionIndex &Index,
                      uint64_t End) {
  const Target &T = *B.Arch;
  uint64_t SpanEnd = B.TextAddress + B.TextBytes.size();
  for (uint64_t Addr = End; Addr >= B.TextAddress && Addr < SpanEnd;) {
    if (B.regionAt(Addr) < 0) {
      // Between regions: padding up to the next region runs on into it;
      // anything else is another section's code, which stays.
      const CodeRegion *Next = nullptr;
      for (const CodeRegion &R : B.Regions)
        if (R.Address >= Addr && (!Next || R.Address < Next->Address))
          Next = &R;
      if (!Next)
        return {FallThrough::OffSection, -1, Addr};
      for (; Addr < Next->Address; ++Addr) {
        uint8_t Byte = B.TextBytes[Addr - B.TextAddress];
        if (Byte == T.fillByte())
          return {FallThrough::Stops, -1, Addr};
        if (!T.isPadding(ArrayRef<uint8_t>(&Byte, 1)))
          return {FallThrough::OffSection, -1, Addr};
      }
      continue;
    }
    uint64_t RegionEnd = B.Regions[B.regionAt(Addr)].end();
    for (; Addr < RegionEnd; ++Addr) {
      if (int Fn = Index.at(Addr); Fn >= 0)
        return {FallThrough::IntoFunction, Fn, Addr};
      uint8_t Byte = B.TextBytes[Addr - B.TextAddress];
      if (Byte == T.fillByte())
        return {FallThrough::Stops, -1, Addr};
      if (!T.isPadding(ArrayRef<uint8_t>(&Byte, 1)))
        return {FallThrough::IntoCodeWithoutSymbol, -1, Addr};
    }
  }
  return {FallThrough::OffSection, -1, End};
}

} // namespace pagelayout
