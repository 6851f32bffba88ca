#include "bench/table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace metakv::bench {

namespace {

constexpr const char* kColumnGap = "  ";
constexpr const char* kGroupGap = " | ";

void Pad(std::string* line, const std::string& text, size_t width, TextTable::Align align) {
  const size_t fill = width > text.size() ? width - text.size() : 0;
  if (align == TextTable::Align::kRight) line->append(fill, ' ');
  line->append(text);
  if (align == TextTable::Align::kLeft) line->append(fill, ' ');
}

void RightTrimAndEnd(std::string* line) {
  while (!line->empty() && line->back() == ' ') line->pop_back();
  line->push_back('\n');
}

}  // namespace

void TextTable::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::Format() const {
  const size_t n = columns_.size();
  if (n == 0) return {};
  std::vector<size_t> width(n);
  for (size_t c = 0; c < n; ++c) {
    width[c] = columns_[c].header.size();
    for (const auto& row : rows_) width[c] = std::max(width[c], row[c].size());
  }

  // Spans of columns: [begin, end) with one group label (possibly empty).
  struct Span {
    size_t begin, end;
  };
  std::vector<Span> spans;
  for (size_t c = 0; c < n; ++c) {
    if (spans.empty() || columns_[c].group != columns_[spans.back().begin].group) {
      spans.push_back({c, c + 1});
    } else {
      spans.back().end = c + 1;
    }
  }
  auto span_width = [&](const Span& s) {
    size_t w = 0;
    for (size_t c = s.begin; c < s.end; ++c) w += width[c];
    return w + (s.end - s.begin - 1) * std::char_traits<char>::length(kColumnGap);
  };
  // Widen a group's columns evenly (last ones first) until its label fits.
  bool any_group = false;
  for (const Span& s : spans) {
    const std::string& label = columns_[s.begin].group;
    if (label.empty()) continue;
    any_group = true;
    const size_t w = span_width(s);
    if (label.size() <= w) continue;
    const size_t extra = label.size() - w;
    const size_t count = s.end - s.begin;
    for (size_t k = 0; k < count; ++k) {
      width[s.end - 1 - k] += extra / count + (k < extra % count ? 1 : 0);
    }
  }

  auto format_line = [&](auto cell_of) {
    std::string line;
    for (size_t si = 0; si < spans.size(); ++si) {
      if (si > 0) line += kGroupGap;
      for (size_t c = spans[si].begin; c < spans[si].end; ++c) {
        if (c > spans[si].begin) line += kColumnGap;
        Pad(&line, cell_of(c), width[c], columns_[c].align);
      }
    }
    RightTrimAndEnd(&line);
    return line;
  };

  std::string out;
  if (any_group) {
    std::string line;
    for (size_t si = 0; si < spans.size(); ++si) {
      if (si > 0) line += kGroupGap;
      const std::string& label = columns_[spans[si].begin].group;
      const size_t w = span_width(spans[si]);
      const size_t left = (w - std::min(w, label.size())) / 2;
      line.append(left, ' ');
      line += label;
      line.append(w - left - std::min(w, label.size()), ' ');
    }
    RightTrimAndEnd(&line);
    out += line;
  }
  out += format_line([&](size_t c) -> const std::string& { return columns_[c].header; });
  std::string rule = format_line([&](size_t c) { return std::string(width[c], '-'); });
  out += rule;
  for (const auto& row : rows_) {
    out += format_line([&](size_t c) -> const std::string& { return row[c]; });
  }
  return out;
}

std::string FormatFixed(double value, int decimals) {
  if (!std::isfinite(value)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

std::string FormatInteger(double value) { return FormatFixed(std::round(value), 0); }

}  // namespace metakv::bench
