#include "tools/text_table.h"

#include <algorithm>
#include <cassert>

namespace metakv::tools {

namespace {
constexpr std::string_view kGap = "  ";
}

TextTable::TextTable(std::ostream* out, std::vector<Column> columns, size_t chunk_rows)
    : out_(out), columns_(std::move(columns)), chunk_rows_(std::max<size_t>(chunk_rows, 1)) {
  widths_.resize(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) widths_[i] = columns_[i].header.size();
}

TextTable::~TextTable() { Flush(); }

std::string& TextTable::Cell(size_t i) {
  assert(i < columns_.size());
  if (!row_open_) {
    if (used_ == rows_.size()) rows_.emplace_back(columns_.size());
    for (auto& cell : rows_[used_]) cell.clear();
    row_open_ = true;
  }
  return rows_[used_][i];
}

void TextTable::AddRow(const std::vector<std::string>& cells) {
  for (size_t i = 0; i < columns_.size() && i < cells.size(); ++i) Cell(i) = cells[i];
  EndRow();
}

void TextTable::EndRow() {
  if (!row_open_) Cell(0);  // an empty row
  row_open_ = false;
  ++used_;
  if (used_ >= chunk_rows_) Flush();
}

void TextTable::Flush() {
  if (used_ == 0) return;
  for (size_t r = 0; r < used_; ++r) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      widths_[i] = std::max(widths_[i], rows_[r][i].size());
    }
  }
  auto emit = [this](const std::vector<std::string>* cells) {
    line_.clear();
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string_view cell = cells ? std::string_view((*cells)[i]) : columns_[i].header;
      const bool last = i + 1 == columns_.size();
      const size_t pad = widths_[i] - std::min(widths_[i], cell.size());
      if (columns_[i].right_align) line_.append(pad, ' ');
      line_.append(cell);
      if (!last) {
        if (!columns_[i].right_align) line_.append(pad, ' ');
        line_.append(kGap);
      }
    }
    while (!line_.empty() && line_.back() == ' ') line_.pop_back();
    line_.push_back('\n');
    out_->write(line_.data(), static_cast<std::streamsize>(line_.size()));
  };
  if (!header_printed_) {
    emit(nullptr);
    header_printed_ = true;
  }
  for (size_t r = 0; r < used_; ++r) emit(&rows_[r]);
  used_ = 0;
}

}  // namespace metakv::tools
