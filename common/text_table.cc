#include "common/text_table.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace metakv::common {

namespace {
constexpr std::string_view kColumnGap = "  ";
constexpr std::string_view kGroupGap = " | ";
}  // namespace

TextTable::TextTable(std::ostream* out, std::vector<Column> columns, size_t chunk_rows)
    : out_(out), columns_(std::move(columns)), chunk_rows_(std::max<size_t>(chunk_rows, 1)) {
  widths_.resize(columns_.size());
  gap_before_.resize(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    widths_[i] = columns_[i].header.size();
    if (!columns_[i].group.empty()) any_group_ = true;
    if (i > 0) gap_before_[i] = columns_[i].group == columns_[i - 1].group ? kColumnGap : kGroupGap;
  }
}

TextTable::TextTable(std::vector<Column> columns)
    : TextTable(nullptr, std::move(columns), std::numeric_limits<size_t>::max()) {
  report_ = std::make_unique<std::ostringstream>();
  out_ = report_.get();
  rule_ = true;
}

TextTable::~TextTable() { Flush(); }

std::string& TextTable::Cell(size_t i) {
  assert(i < columns_.size());
  if (!row_open_) {
    if (used_ == buffered_.size()) buffered_.emplace_back(columns_.size());
    for (auto& cell : buffered_[used_]) cell.clear();
    row_open_ = true;
  }
  return buffered_[used_][i];
}

void TextTable::AddRow(const std::vector<std::string>& cells) {
  if (columns_.empty()) return;
  for (size_t i = 0; i < columns_.size() && i < cells.size(); ++i) Cell(i) = cells[i];
  EndRow();
}

void TextTable::EndRow() {
  if (columns_.empty()) return;
  if (!row_open_) Cell(0);  // an empty row
  row_open_ = false;
  ++used_;
  ++rows_ended_;
  if (used_ >= chunk_rows_) Flush();
}

void TextTable::Widen() {
  for (size_t r = 0; r < used_; ++r) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      widths_[i] = std::max(widths_[i], buffered_[r][i].size());
    }
  }
  if (!any_group_) return;
  // Widen a group's columns evenly (the last ones first) until its label
  // fits above them.
  for (size_t begin = 0, end = 0; begin < columns_.size(); begin = end) {
    end = begin + 1;
    size_t span = widths_[begin];
    while (end < columns_.size() && gap_before_[end] == kColumnGap) {
      span += kColumnGap.size() + widths_[end];
      ++end;
    }
    const size_t label = columns_[begin].group.size();
    if (label <= span) continue;
    const size_t extra = label - span;
    const size_t count = end - begin;
    for (size_t k = 0; k < count; ++k) {
      widths_[end - 1 - k] += extra / count + (k < extra % count ? 1 : 0);
    }
  }
}

void TextTable::WriteLine() {
  while (!line_.empty() && line_.back() == ' ') line_.pop_back();
  line_.push_back('\n');
  out_->write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

template <typename CellOf>
void TextTable::PrintLine(CellOf cell_of) {
  line_.clear();
  for (size_t i = 0; i < columns_.size(); ++i) {
    line_.append(gap_before_[i]);
    const std::string_view cell = cell_of(i);
    const size_t pad = widths_[i] - std::min(widths_[i], cell.size());
    if (columns_[i].align == Align::kRight) line_.append(pad, ' ');
    line_.append(cell);
    if (columns_[i].align == Align::kLeft && i + 1 < columns_.size()) line_.append(pad, ' ');
  }
  WriteLine();
}

void TextTable::PrintGroupLine() {
  line_.clear();
  size_t begin = 0;  // the first column of the current span
  size_t span = 0;   // its width so far
  auto end_span = [&] {
    const std::string& label = columns_[begin].group;
    const size_t shown = std::min(span, label.size());
    const size_t left = (span - shown) / 2;
    line_.append(left, ' ');
    line_.append(label);
    line_.append(span - shown - left, ' ');
  };
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0 && gap_before_[i] == kGroupGap) {
      end_span();
      line_.append(kGroupGap);
      begin = i;
      span = 0;
    } else if (i > 0) {
      span += kColumnGap.size();
    }
    span += widths_[i];
  }
  end_span();
  WriteLine();
}

void TextTable::PrintHeader() {
  header_printed_ = true;
  if (any_group_) PrintGroupLine();
  PrintLine([this](size_t i) -> std::string_view { return columns_[i].header; });
  if (rule_) {
    std::string dashes;
    PrintLine([this, &dashes](size_t i) -> std::string_view {
      dashes.assign(widths_[i], '-');
      return dashes;
    });
  }
}

void TextTable::Flush() {
  if (used_ == 0 || columns_.empty()) return;
  Widen();
  if (!header_printed_) PrintHeader();
  for (size_t r = 0; r < used_; ++r) {
    PrintLine([this, r](size_t i) -> std::string_view { return buffered_[r][i]; });
  }
  used_ = 0;
}

std::string TextTable::Format() {
  assert(report_ != nullptr);
  if (report_ == nullptr || columns_.empty()) return {};
  Flush();
  if (!header_printed_) {
    Widen();
    PrintHeader();
  }
  return report_->str();
}

std::string FormatFixed(double value, int decimals) {
  if (!std::isfinite(value)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

std::string FormatInteger(double value) { return FormatFixed(std::round(value), 0); }

}  // namespace metakv::common
