//===- CodeEndings.h - Where code goes when its symbol ends -----*- C++ -*-===//
//
// A function symbol's size says where its bytes end, not where its code
// does. Code may run on past the end: hand-written assembly that falls into
// the next label, a conditional branch whose fall-through lld's
// --optimize-bb-jumps made the next section, a call that returns into the
// padding before the next function. Whatever such code runs into must stay
// right after it, so a move must keep the two together; moving one alone
// makes the run land in the fill (a trap) or in another function.
//
// Where a function's last instruction leaves (a jump, a return, a trap)
// nothing runs on. Where it is a call, the question is whether the callee
// returns: compilers end a function with a call only to one that does not
// (exit, abort, __stack_chk_fail, __cxa_throw, a noreturn function of the
// program), and assemblers then pad with nops up to the next function, so
// "it is padding" proves nothing. The callee is named (a function of the
// binary; an imported one through its PLT entry or GOT slot) and known
// not to return when
//   - its name is one that C, POSIX, the C++ ABI or glibc declare as never
//     returning (a short list, below), or
//   - its own code cannot return: no return instruction, no indirect jump,
//     every jump out of it and the call it ends with reach functions that
//     cannot return either (a greatest fixpoint over the call graph: a
//     cycle of such functions never returns; objtool reasons the same way
//     about the kernel's noreturn functions).
// Otherwise the call may return, and the code is taken to run on.
//
//===----------------------------------------------------------------------===//

#ifndef PAGELAYOUT_REORDER_CODEENDINGS_H
#define PAGELAYOUT_REORDER_CODEENDINGS_H

#include "FunctionIndex.h"
#include "pagelayout/reorder/LinkedBinary.h"
#include "pagelayout/reorder/Target.h"
#include <optional>
#include <string>
#include <vector>

namespace pagelayout {

/// What decoding one function found about how its code ends and leaves.
struct CodeEnding {
  using Flow = InstructionDecoder::Flow;
  bool Undecodable = false;  ///< bytes that do not decode
  bool Returns = false;      ///< a return instruction anywhere
  bool JumpsAnywhere = false; ///< an indirect jump anywhere
  /// The last instruction that is not a nop (a trap counts), after
  /// finish(): Next when nops after it can be reached.
  Flow Last = Flow::Next;
  /// Its PC-relative target: a code address for Call, the memory operand's
  /// address (a GOT slot) for IndirectCall.
  std::optional<uint64_t> LastTarget;
  std::vector<uint64_t> JumpsOut; ///< direct jumps and branches leaving it

  /// Notes one instruction, at [Addr, Addr + Len) of the code [Begin, End).
  void see(const InstructionDecoder &D, const llvm::MCInst &Inst,
           uint64_t Addr, uint64_t Len, std::optional<uint64_t> To,
           uint64_t Begin, uint64_t End);
  /// After the last instruction: nops after the last real instruction run
  /// on when a direct branch of the code reaches them.
  void finish(uint64_t End);

private:
  uint64_t LastRealEnd = 0;     ///< end of the last instruction not a nop
  uint64_t FurthestInside = 0;  ///< furthest direct target inside, + 1
};

/// Whether C, POSIX, the Itanium C++ ABI, libstdc++, libgcc or glibc
/// declare the function \p Name as never returning.
bool isDeclaredNoReturn(llvm::StringRef Name);

/// Which of a binary's functions can never return, and so whether the call
/// a function ends with returns.
class NoReturnAnalysis {
public:
  /// \p Ends parallel to \p B's Functions; \p D decodes PLT entries.
  NoReturnAnalysis(const LinkedBinary &B, const FunctionIndex &Index,
                   llvm::ArrayRef<CodeEnding> Ends,
                   const InstructionDecoder &D);

  /// Empty when code ending as \p E at \p End cannot run on past its end;
  /// else how it may ("runs on past its end at 0x...", "ends in a call to
  /// X that may return, ...").
  std::string runsOn(const CodeEnding &E, uint64_t End) const;
  bool neverReturns(unsigned Fn) const { return NeverReturns[Fn]; }

private:
  /// A call's callee: a function of the binary, or an import by name.
  struct Callee {
    int Function = -1;
    std::string Import;
  };
  Callee calleeOf(const CodeEnding &E) const;
  Callee calleeAt(uint64_t Target) const;
  bool calleeNeverReturns(const Callee &C) const {
    return C.Function >= 0 ? bool(NeverReturns[C.Function])
                           : isDeclaredNoReturn(C.Import);
  }

  const LinkedBinary &B;
  const FunctionIndex &Index;
  llvm::ArrayRef<CodeEnding> Ends;
  const InstructionDecoder &D;
  std::vector<Callee> LastCallee; ///< per function: its last call's callee
  std::vector<char> NeverReturns;
};

/// Where execution that runs on past \p End, the end of code in the region
/// holding \p Begin, arrives. The bytes after it are padding up to the next
/// code; padding runs on (nops do) until a fill byte, which traps: there
/// the run stops in the input already, and no move changes that.
struct FallThrough {
  enum Kind { Stops, IntoFunction, IntoCodeWithoutSymbol, OffSection } What;
  int Function = -1;
  uint64_t At = 0;
};
/// \p End may be a region's end: the scan goes on into a region that
/// follows after padding (lld's -z keep-text-section-prefix puts .text.hot
/// right after .text); code of another section there is OffSection.
FallThrough fallsInto(const LinkedBinary &B, const FunctionIndex &Index,
                      uint64_t End);

} // namespace pagelayout

#endif
