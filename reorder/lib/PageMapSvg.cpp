//===- PageMapSvg.cpp - A page map as a heat map (SVG, HTML) --------------===//
//
// One square per page holding code, in address order, row by row: its
// colour is the phase most of its code belongs to, its opacity how full it
// is, a dark frame marks a page startup touched and a white dot a page only
// later phases touched. Hovering a square shows the page's address, fill,
// phases and the functions on it (an SVG <title>: every browser and SVG
// viewer shows it). Two maps are drawn side by side, each with its totals,
// so a layout before and after can be seen at a glance: how scattered
// startup's pages are, and how many there are.
//
// The SVG is self-contained and deterministic (no scripts, no fonts to
// fetch); the HTML page embeds the same SVG beside the text report.
//
//===----------------------------------------------------------------------===//

#include "AddressText.h"
#include "pagelayout/reorder/PageMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

using namespace llvm;

namespace pagelayout {
namespace {

constexpr unsigned Cell = 14;      // a page's square, in pixels
constexpr unsigned Gap = 2;        // between squares
constexpr unsigned Margin = 16;    // around each panel
constexpr unsigned HeaderRows = 5; // lines of text above a panel's squares
constexpr unsigned LineHeight = 16;
/// Wide enough for a panel's header lines, and for the legend.
constexpr unsigned MinPanelWidth = 330;
constexpr unsigned LegendWidth = 600;
constexpr unsigned LegendHeight = 3 * LineHeight + Cell;
/// Names listed in a page's hover text; the rest are counted.
constexpr unsigned MaxNamesOnHover = 40;

std::string xmlEscape(StringRef Raw) {
  // Symbol names are bytes: invalid UTF-8 becomes U+FFFD, as in the JSON.
  std::string Fixed = json::isUTF8(Raw) ? Raw.str() : json::fixUTF8(Raw);
  StringRef S = Fixed;
  std::string Out;
  for (char C : S) {
    switch (C) {
    case '&':
      Out += "&amp;";
      break;
    case '<':
      Out += "&lt;";
      break;
    case '>':
      Out += "&gt;";
      break;
    case '"':
      Out += "&quot;";
      break;
    default:
      // Control characters are not allowed in XML 1.0 text.
      if (static_cast<unsigned char>(C) < 0x20 && C != '\n' && C != '\t')
        Out += '?';
      else
        Out += C;
    }
  }
  return Out;
}

/// Colours by phase, chosen to stay apart for colour-blind readers.
StringRef phaseColour(std::optional<Phase> P, bool RunsAnyway) {
  if (!P)
    return RunsAnyway ? "#8e6bb8" : "#9a9a9a";
  switch (*P) {
  case Phase::Startup:
    return "#d1495b";
  case Phase::FirstFrame:
    return "#edae49";
  case Phase::Steady:
    return "#66a182";
  case Phase::Cold:
    return "#3a6ea5";
  }
  return "#9a9a9a";
}

/// Squares per row: wider for big binaries, so the map stays readable.
unsigned columnsFor(size_t Pages) {
  if (Pages <= 256)
    return 16;
  if (Pages <= 2048)
    return 32;
  return 64;
}

unsigned panelWidth(size_t Pages) {
  return std::max(MinPanelWidth, 2 * Margin + columnsFor(Pages) * (Cell + Gap));
}

unsigned panelHeight(size_t Pages) {
  unsigned Cols = columnsFor(Pages);
  unsigned Rows = (Pages + Cols - 1) / Cols;
  return 2 * Margin + HeaderRows * LineHeight + Rows * (Cell + Gap);
}

std::string hoverText(const PageMap &M, size_t Index) {
  const MappedPage &P = M.Pages[Index];
  std::string S;
  raw_string_ostream OS(S);
  OS << "page " << Index << "  " << hex(P.Address) << "-"
     << hex(P.Address + M.PageSize) << ", " << P.CodeBytes * 100 / M.PageSize
     << "% code (" << join(P.Sections, ", ") << ")\n";
  if (M.havePhases()) {
    OS << "phases:";
    for (unsigned PI = 0; PI < NumPhases; ++PI)
      if (P.PhaseBytes[PI])
        OS << " " << phaseName(Phase(PI)) << " " << P.PhaseBytes[PI] << " B";
    if (P.UnphasedBytes)
      OS << (P.RunsAnyway ? " runs anyway " : " no phase ") << P.UnphasedBytes
         << " B";
    OS << "\n";
  }
  if (M.haveTouched()) {
    OS << "touched:";
    bool Any = false;
    for (unsigned RI = 0; RI < NumRunPhases; ++RI)
      if (P.touchedIn(RI)) {
        OS << " " << phaseName(Phase(RI)) << " (" << P.ExecutedBytes[RI]
           << " B run)";
        Any = true;
      }
    if (P.RunsAnyway) {
      OS << " by every run (code outside the layout)";
      Any = true;
    }
    OS << (Any ? "\n" : " no\n");
  }
  unsigned Listed = 0;
  for (unsigned CI : P.Code) {
    if (Listed++ == MaxNamesOnHover) {
      OS << "... and " << P.Code.size() - MaxNamesOnHover << " more\n";
      break;
    }
    const MappedCode &C = M.Code[CI];
    OS << C.Name;
    if (C.LayoutPhase)
      OS << " [" << phaseName(*C.LayoutPhase) << "]";
    OS << "\n";
  }
  return S;
}

void drawPanel(const PageMap &M, unsigned X0, StringRef Label,
               raw_ostream &OS) {
  unsigned Cols = columnsFor(M.Pages.size());
  OS << formatv("  <g class=\"map\" data-binary=\"{0}\" data-pages=\"{1}\" "
                "transform=\"translate({2},0)\">\n",
                xmlEscape(M.Binary), M.Pages.size(), X0);
  unsigned Y = Margin + LineHeight - 4;
  OS << formatv("    <text x=\"{0}\" y=\"{1}\" class=\"title\">{2}</text>\n",
                Margin, Y,
                xmlEscape((Label.empty() ? "" : Label.str() + ": ") +
                          M.Binary));
  Y += LineHeight;
  OS << formatv("    <text x=\"{0}\" y=\"{1}\">{2} code pages, {3} bytes"
                "</text>\n",
                Margin, Y, M.Pages.size(), M.CodeBytes);
  Y += LineHeight;
  if (M.haveTouched()) {
    const RunPhaseTotals &S = M.RunPhases[0];
    OS << formatv("    <text x=\"{0}\" y=\"{1}\">startup: {2} pages touched "
                  "(span bound {3}: {4:F2}x)</text>\n",
                  Margin, Y, S.TouchedPages, S.SpanBound,
                  M.startupPageEfficiency());
    Y += LineHeight;
    OS << formatv("    <text x=\"{0}\" y=\"{1}\">whole run: {2} pages touched"
                  "</text>\n",
                  Margin, Y, M.Run.TouchedPages);
  } else {
    OS << formatv("    <text x=\"{0}\" y=\"{1}\">{2}</text>\n", Margin, Y,
                  xmlEscape(M.havePhases() ? "phases from " + M.SourceName
                                           : "no phases: " + M.NoPhases));
  }
  unsigned Top = Margin + HeaderRows * LineHeight;
  for (size_t I = 0; I < M.Pages.size(); ++I) {
    const MappedPage &P = M.Pages[I];
    unsigned X = Margin + (I % Cols) * (Cell + Gap);
    unsigned Yp = Top + (I / Cols) * (Cell + Gap);
    double Opacity = 0.25 + 0.75 * std::min<double>(1.0, double(P.CodeBytes) /
                                                            M.PageSize);
    bool Startup = P.touchedIn(0);
    bool Later = !Startup && (P.touchedIn(1) || P.touchedIn(2));
    OS << formatv("    <g class=\"page\" data-address=\"{0}\">"
                  "<title>{1}</title>",
                  hex(P.Address), xmlEscape(hoverText(M, I)));
    OS << formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{2}\" "
                  "fill=\"{3}\" fill-opacity=\"{4:F2}\"{5}/>",
                  X, Yp, Cell,
                  phaseColour(P.mainPhase(), P.RunsAnyway), Opacity,
                  Startup ? " stroke=\"#111\" stroke-width=\"2\"" : "");
    if (Later)
      OS << formatv("<circle cx=\"{0}\" cy=\"{1}\" r=\"2\" fill=\"#fff\"/>",
                    X + Cell / 2, Yp + Cell / 2);
    OS << "</g>\n";
  }
  OS << "  </g>\n";
}

void drawLegend(unsigned Y, raw_ostream &OS) {
  struct Entry {
    StringRef Name;
    std::optional<Phase> P;
    bool Anyway;
  };
  const Entry Entries[] = {{"startup", Phase::Startup, false},
                           {"first_frame", Phase::FirstFrame, false},
                           {"steady", Phase::Steady, false},
                           {"cold", Phase::Cold, false},
                           {"runs anyway", std::nullopt, true},
                           {"no phase", std::nullopt, false}};
  unsigned X = Margin;
  OS << "  <g class=\"legend\">\n";
  for (const Entry &E : Entries) {
    OS << formatv("    <rect x=\"{0}\" y=\"{1}\" width=\"{2}\" "
                  "height=\"{2}\" fill=\"{3}\"/><text x=\"{4}\" y=\"{5}\">"
                  "{6}</text>\n",
                  X, Y, Cell, phaseColour(E.P, E.Anyway), X + Cell + 4,
                  Y + Cell - 2, E.Name);
    X += Cell + 12 + 8 * E.Name.size();
  }
  X = Margin;
  Y += Cell + LineHeight / 2;
  OS << formatv("    <rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{2}\" "
                "fill=\"#ccc\" stroke=\"#111\" stroke-width=\"2\"/>"
                "<text x=\"{3}\" y=\"{4}\">touched at startup</text>\n",
                X, Y, Cell, X + Cell + 4, Y + Cell - 2);
  X += Cell + 12 + 8 * 18;
  OS << formatv("    <rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{2}\" "
                "fill=\"#ccc\"/><circle cx=\"{3}\" cy=\"{4}\" r=\"2\" "
                "fill=\"#fff\"/><text x=\"{5}\" y=\"{6}\">touched later"
                "</text>\n",
                X, Y, Cell, X + Cell / 2, Y + Cell / 2, X + Cell + 4,
                Y + Cell - 2);
  X += Cell + 12 + 8 * 13;
  OS << formatv("    <text x=\"{0}\" y=\"{1}\">opacity: how full the page "
                "is</text>\n",
                X, Y + Cell - 2);
  OS << "  </g>\n";
}

void writeSvg(ArrayRef<const PageMap *> Maps, raw_ostream &OS) {
  unsigned Width = 0, Height = 0;
  for (const PageMap *M : Maps) {
    Width += panelWidth(M->Pages.size());
    Height = std::max(Height, panelHeight(M->Pages.size()));
  }
  unsigned LegendY = Height;
  Width = std::max(Width, LegendWidth);
  Height += LegendHeight + Margin;
  OS << formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                "height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                "font-family=\"sans-serif\" font-size=\"12\">\n",
                Width, Height);
  OS << "  <style>.title { font-weight: bold; } "
        ".page:hover rect { stroke: #000; stroke-width: 3; }</style>\n";
  OS << formatv("  <rect width=\"{0}\" height=\"{1}\" fill=\"#fff\"/>\n",
                Width, Height);
  unsigned X = 0;
  for (size_t I = 0; I < Maps.size(); ++I) {
    drawPanel(*Maps[I], X,
              Maps.size() == 2 ? (I ? "after" : "before") : StringRef(), OS);
    X += panelWidth(Maps[I]->Pages.size());
  }
  drawLegend(LegendY, OS);
  OS << "</svg>\n";
}

} // namespace

void writePageMapSvg(ArrayRef<const PageMap *> Maps, raw_ostream &OS) {
  OS << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  writeSvg(Maps, OS);
}

void writePageMapHtml(ArrayRef<const PageMap *> Maps, raw_ostream &OS) {
  // Polyglot markup: an HTML5 page that is also well-formed XML (xmllint
  // checks it), with the SVG inline.
  OS << "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
        "lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>"
        "\n<title>pagelayout report";
  for (const PageMap *M : Maps)
    OS << " " << xmlEscape(M->Binary);
  OS << "</title>\n<style>\nbody { font-family: sans-serif; margin: 1em; }\n"
        "pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; }\n"
        "</style>\n</head>\n<body>\n<h1>pagelayout report</h1>\n"
        "<p>One square per page of code (";
  OS << (Maps.empty() ? 4096 : Maps.front()->PageSize)
     << " bytes); hover a square for its functions.</p>\n";
  writeSvg(Maps, OS);
  PageMapPrintOptions Text;
  Text.ListFunctions = true;
  for (const PageMap *M : Maps) {
    std::string S;
    raw_string_ostream TOS(S);
    printPageMaps({M}, Text, TOS);
    OS << "<h2>" << xmlEscape(M->Binary) << "</h2>\n<pre>" << xmlEscape(S)
       << "</pre>\n";
  }
  OS << "</body>\n</html>\n";
}

} // namespace pagelayout
