//===- Symbolizer.cpp - Runtime addresses to function names ---------------===//

#include "pagelayout/record/Symbolizer.h"
#include "pagelayout/record/ModuleFile.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/BuildID.h"
#include "llvm/Object/ELFObjectFile.h"

using namespace llvm;
using namespace llvm::object;

namespace pagelayout {

Symbolizer::ModuleSymbols &Symbolizer::load(StringRef Path) {
  auto [It, Inserted] = Cache.try_emplace(Path);
  ModuleSymbols &M = It->second;
  if (!Inserted)
    return M;
  Expected<OwningBinary<ObjectFile>> Obj = openModuleFile(Path);
  if (!Obj) {
    // A system error (the file is gone or unreadable) is expected for
    // raw files from elsewhere; anything else means no module is there.
    handleAllErrors(Obj.takeError(), [&](const ErrorInfoBase &E) {
      M.Problem = E.message();
      M.NotAModule =
          E.convertToErrorCode().category() != std::generic_category();
    });
    return M;
  }
  auto *ELF = dyn_cast<ELFObjectFileBase>(Obj->getBinary());
  if (!ELF)
    return M;
  M.BuildId = toHex(getBuildID(ELF), /*LowerCase=*/true);
  auto Collect = [&](auto Symbols) {
    for (const ELFSymbolRef &S : Symbols) {
      Expected<SymbolRef::Type> Type = S.getType();
      Expected<uint64_t> Addr = S.getAddress();
      Expected<StringRef> Name = S.getName();
      if (Type && Addr && Name && *Type == SymbolRef::ST_Function &&
          S.getSize() && !Name->empty())
        M.Functions.push_back({*Addr, S.getSize(), Name->str()});
      consumeError(Type.takeError());
      consumeError(Addr.takeError());
      consumeError(Name.takeError());
    }
  };
  Collect(ELF->symbols());
  if (M.Functions.empty())
    Collect(ELF->getDynamicSymbolIterators());
  // Aliases share an address; keep the first name (symbol table order)
  // after a stable sort, so the result does not depend on sort internals.
  llvm::stable_sort(M.Functions,
                    [](const FunctionSymbol &A, const FunctionSymbol &B) {
                      return A.Address < B.Address;
                    });
  return M;
}

Error Symbolizer::loadModules(const RawProcess &P) {
  for (const RawModule &Mod : P.Modules) {
    const ModuleSymbols &M = load(Mod.Path);
    if (M.NotAModule)
      return createStringError(
          P.FileName + ": module '" + Mod.Path + "': " + M.Problem +
          "; the recorded process cannot have loaded it: the raw file is "
          "corrupt or from elsewhere, or the path names another file now");
  }
  return Error::success();
}

void Symbolizer::warnUnread(ModuleSymbols &M, StringRef Path,
                            StringRef RawFile) {
  // The vDSO has no file; its code is not ours.
  if (M.Problem.empty() || M.Warned || Path.contains("vdso") || !Warn)
    return;
  M.Warned = true;
  Warn("warning: " + (RawFile.empty() ? "" : RawFile + ": ") +
       "cannot read module '" + Path + "': " + M.Problem +
       "; its functions stay unnamed");
}

std::optional<SymbolizedFunction> Symbolizer::lookup(const RawProcess &P,
                                                     uint64_t Address) {
  for (const RawModule &Mod : P.Modules) {
    if (Address < Mod.Begin || Address >= Mod.End)
      continue;
    ModuleSymbols &M = load(Mod.Path);
    warnUnread(M, Mod.Path, P.FileName);
    uint64_t VAddr = Address - Mod.Base;
    auto It = llvm::upper_bound(
        M.Functions, VAddr,
        [](uint64_t A, const FunctionSymbol &F) { return A < F.Address; });
    // Walk back over aliases and nested symbols to one that covers VAddr.
    while (It != M.Functions.begin()) {
      --It;
      if (VAddr < It->Address + It->Size) {
        auto First = It;
        while (First != M.Functions.begin() &&
               std::prev(First)->Address == It->Address)
          --First;
        return SymbolizedFunction{First->Name, First->Address + Mod.Base,
                                  First->Size};
      }
      if (It->Address + It->Size + (1u << 20) < VAddr)
        break; // nothing this far back can cover it
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::string Symbolizer::buildId(StringRef Path) { return load(Path).BuildId; }

} // namespace pagelayout
