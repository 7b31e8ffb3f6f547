//===- SmfBinary.cpp - SMF modules in and out of the code model -----------===//
//
// The only SMF-specific part of `pagelayout reorder` and `plan` on SMF
// modules: the reader that fills the code model from a module and the
// writer that puts a rewritten model back into it. The proof, the plan,
// the move, the code patch and the verification are the ELF ones.
//
// Reading (smf::readModule has validated every offset, size and index):
//   - the one region is the Code section from its start to the end of the
//     last function symbol; what follows it (elf2smf puts read-only data
//     there) is not laid out and stays;
//   - functions are the function symbols (aliases merged); LAYOUT_PINNED
//     pins a function; the phase bits are the module's own profile, used
//     when no --profile is given (all-zero bits mean "none": SMF writes 0
//     when it knows nothing);
//   - relocations inside the region are code fields, typed as the x86-64
//     ELF relocations they mean (Abs64 = R_X86_64_64, Pc32 = PC32, Plt32 =
//     PLT32, GotPcRel = GOTPCREL), so the proof treats them alike.
//
// Writing: the new code bytes; every function symbol, and every local
// symbol in the region (the loader resolves a relocation against a local
// symbol to code base + value: aliases, section markers), at its new
// value; each relocation's offset follows its field, and its addend is
// recomputed so that symbol + addend still reaches what it reached (a
// section marker plus an offset may name another function than the
// marker's); the entry point; and each laid-out function's phase bits set
// to the phase the plan gave it. Pinned functions keep everything.
//
// The loader computes relocated fields when it maps the module, so their
// stored bytes are only placeholders; they are re-targeted as in ELF all
// the same, so both verifiers check SMF exactly as they check ELF.
//
//===----------------------------------------------------------------------===//

#include "AddressText.h"
#include "CodeRewrite.h"
#include "FunctionsByAddress.h"
#include "pagelayout/reorder/BinaryRewriter.h"
#include "pagelayout/reorder/SmfFormat.h"
#include "pagelayout/schema/Diagnostic.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

namespace pagelayout {
namespace {

Error fail(StringRef Path, const Twine &Msg) {
  return makeLocatedError(Path, {}, Msg);
}

uint32_t elfTypeOf(uint8_t SmfType) {
  switch (SmfType) {
  case smf::RelocAbs64:
    return ELF::R_X86_64_64;
  case smf::RelocPc32:
    return ELF::R_X86_64_PC32;
  case smf::RelocPlt32:
    return ELF::R_X86_64_PLT32;
  case smf::RelocGotPcRel:
    return ELF::R_X86_64_GOTPCREL;
  default:
    return ELF::R_X86_64_NONE;
  }
}

/// The end of the last function: the region the layout may use.
uint64_t codeEnd(const smf::Module &M) {
  uint64_t End = 0;
  for (const smf::Symbol &S : M.Symbols)
    if (S.Type == smf::SymbolFunction && S.Size)
      End = std::max(End, S.Value + S.Size);
  return End;
}

uint64_t codeFileOffset(const smf::Module &M) {
  return M.DataOffset + M.Sections[M.CodeSection].Offset;
}

/// Symbols whose value is an offset into the region: they move with it.
bool followsCode(const smf::Symbol &S, uint64_t End) {
  return S.Value < End &&
         (S.Type == smf::SymbolFunction || S.Binding == smf::BindingLocal);
}

Phase phaseOf(smf::Phase P) { return Phase(uint8_t(P)); }

} // namespace

bool isSmfModule(StringRef Data) {
  return !Data.starts_with("\x7f"
                           "ELF") &&
         smf::findHeaderPlace(Data).has_value();
}

Expected<LinkedBinary> readSmfBinary(std::unique_ptr<MemoryBuffer> Buffer,
                                     const LinkedReadOptions &Opts) {
  Expected<smf::Module> M = smf::readModule(Buffer->getMemBufferRef());
  if (!M)
    return M.takeError();
  LinkedBinary B;
  B.Path = Buffer->getBufferIdentifier().str();
  B.Format = BinaryFormat::SMF;
  B.Machine = ELF::EM_X86_64; // readModule accepts x86-64 modules only
  B.Arch = &x86_64Target();
  if (M->CodeSection < 0)
    return fail(B.Path, "the module has no Code section: nothing to lay out");
  uint64_t End = codeEnd(*M);
  if (End == 0)
    return fail(B.Path, "no function symbols in the Code section");
  if (Opts.SmfCodeEnd >= End && Opts.SmfCodeEnd <= M->codeSize())
    End = Opts.SmfCodeEnd;
  const uint8_t *Base =
      reinterpret_cast<const uint8_t *>(Buffer->getBufferStart());
  B.Regions.push_back({"Code", unsigned(M->CodeSection), 0, End});
  B.TextAddress = 0;
  B.TextBytes = ArrayRef<uint8_t>(Base + codeFileOffset(*M), End);
  if (M->H.Flags & smf::FlagExecutable)
    B.Entry = M->H.EntryPoint;

  FunctionsByAddress Functions;
  for (const smf::Symbol &S : M->Symbols)
    if (S.Type == smf::SymbolFunction && S.Size)
      Functions.add(S.Value, S.Name, S.Size);
  Functions.take([&](uint64_t Addr, Atom &&A) {
    A.OriginalOffset = Addr;
    A.Origin = A.Symbols.front().Name;
    B.Functions.push_back(std::move(A));
  });
  // Pins and phases, by function.
  bool AnyPhase = false;
  for (const smf::Symbol &S : M->Symbols)
    if (S.Type == smf::SymbolFunction && S.Size &&
        S.phase() != smf::PhaseStartup)
      AnyPhase = true;
  for (unsigned I = 0; I < B.Functions.size(); ++I) {
    const Atom &F = B.Functions[I];
    for (const smf::Symbol &S : M->Symbols) {
      if (S.Type != smf::SymbolFunction || S.Value != F.OriginalOffset ||
          !S.Size)
        continue;
      if (S.pinned() && (B.InputPins.empty() || B.InputPins.back().first != I))
        B.InputPins.push_back(
            {I, "the module marks " + S.Name + " LAYOUT_PINNED"});
      if (AnyPhase)
        B.InputPhases.push_back({S.Name, phaseOf(S.phase())});
    }
  }
  if (!AnyPhase)
    B.NoInputPhases = "every function's phase bits are 0, which SMF also "
                      "writes when the compiler knows no phases";

  for (const smf::Relocation &R : M->Relocations)
    if (R.Offset < End)
      B.TextRelocations.push_back({R.Offset, elfTypeOf(R.Type)});
  llvm::stable_sort(B.TextRelocations, [](const RetainedRelocation &A,
                                          const RetainedRelocation &C) {
    return A.Offset < C.Offset;
  });
  B.RelocationSections.push_back("Reloc");
  B.Buffer = std::move(Buffer);
  return B;
}

namespace {

class SmfRewriter final : public FormatRewriter {
public:
  SmfRewriter(const LinkedBinary &B, const MoveSafety &S) : B(B), Safety(S) {}

  Error init() {
    Expected<smf::Module> Read = smf::readModule(B.Buffer->getMemBufferRef());
    if (!Read)
      return Read.takeError();
    M = std::move(*Read);
    Out = B.Buffer->getBuffer().str();
    Code.emplace(B, Safety, Out);
    return Error::success();
  }
  Error move(const std::vector<Atom> &Atoms, const LayoutPlan &P) override {
    Units = &Atoms;
    Plan = &P;
    return Code->move(Atoms, P);
  }
  Error patch() override;
  RewriteResult take() override {
    Result.Moved = Code->moved();
    return std::move(Result);
  }

private:
  const LinkedBinary &B;
  const MoveSafety &Safety;
  smf::Module M;
  std::string Out;
  std::optional<CodeRewrite> Code;
  const std::vector<Atom> *Units = nullptr;
  const LayoutPlan *Plan = nullptr;
  RewriteResult Result;
};

Error SmfRewriter::patch() {
  if (Error E = Code->patchCode())
    return E;
  const AddressMap &Map = Code->map();
  uint64_t End = B.TextBytes.size();
  // The code, as moved and patched in the image.
  std::copy_n(Out.data() + codeFileOffset(M), End, M.Code.begin());

  // Relocations first: their addends need the symbols' old values.
  for (smf::Relocation &R : M.Relocations) {
    const smf::Symbol &S = M.Symbols[R.SymbolIndex];
    uint64_t P = R.Offset;
    if (P < End)
      R.Offset = Map(P);
    if (!followsCode(S, End))
      continue; // an import: resolved by name, wherever the field went
    // What symbol + addend reaches, seen from the field: for a PC-relative
    // operand the end of its instruction (the addend is relative to the
    // field), for an absolute address the address itself.
    uint64_t K = 0;
    if (P < End && (R.Type == smf::RelocPc32 || R.Type == smf::RelocPlt32 ||
                    R.Type == smf::RelocGotPcRel)) {
      auto Insn = Safety.InstructionEnd.find(P);
      if (Insn != Safety.InstructionEnd.end()) {
        K = Insn->second - P;
      } else {
        // The field is on no decoded operand (damaged code): where its
        // instruction ends is unknown, so every plausible end must lead
        // to the same place, or the relocation cannot be kept right. An
        // instruction is at most 15 bytes: its end is at most 15 bytes
        // past the field's start.
        K = 4;
        uint64_t Base = S.Value + uint64_t(R.Addend);
        int64_t Shift = int64_t(Map(Base + K)) - int64_t(Base + K);
        for (uint64_t Tail = 0; Tail <= 15; ++Tail)
          if (int64_t(Map(Base + Tail)) - int64_t(Base + Tail) != Shift)
            return makeLocatedError(
                B.Path, {},
                "the relocation at code offset " + hex(P) +
                    " lies on no decoded instruction operand, and what it "
                    "reaches depends on where that instruction ends, "
                    "which moves apart; the module is damaged, nothing "
                    "was written");
      }
    }
    uint64_t Reaches = S.Value + uint64_t(R.Addend) + K;
    R.Addend = int64_t(Map(Reaches) - K - Map(S.Value));
  }
  for (smf::Symbol &S : M.Symbols)
    if (followsCode(S, End))
      S.Value = Map(S.Value);
  if (M.H.Flags & smf::FlagExecutable)
    M.H.EntryPoint = Map(M.H.EntryPoint);

  // Each laid-out function records the phase the plan gave it.
  std::vector<std::pair<uint64_t, const PlacedAtom *>> ByNewStart;
  for (const PlacedAtom &PA : Plan->Placement)
    if (!PA.Pinned && !(*Units)[PA.AtomIndex].Symbols.empty())
      ByNewStart.push_back({PA.Offset, &PA});
  llvm::sort(ByNewStart,
             [](const auto &A, const auto &C) { return A.first < C.first; });
  for (smf::Symbol &S : M.Symbols) {
    if (S.Type != smf::SymbolFunction || !S.Size || S.Value >= End)
      continue;
    auto It =
        llvm::upper_bound(ByNewStart, S.Value, [](uint64_t V, const auto &E) {
          return V < E.first;
        });
    if (It == ByNewStart.begin())
      continue;
    const PlacedAtom &PA = *std::prev(It)->second;
    if (S.Value - PA.Offset < (*Units)[PA.AtomIndex].Size)
      S.setPhase(smf::Phase(uint8_t(PA.AtomPhase)));
  }
  if (Error E = smf::checkWritable(M))
    return E;
  Result.Image = smf::writeModule(M);
  return Error::success();
}

} // namespace

Expected<std::unique_ptr<FormatRewriter>>
createSmfRewriter(const LinkedBinary &B, const MoveSafety &Safety) {
  auto R = std::make_unique<SmfRewriter>(B, Safety);
  if (Error E = R->init())
    return std::move(E);
  return std::unique_ptr<FormatRewriter>(std::move(R));
}

} // namespace pagelayout
