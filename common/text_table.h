// TextTable: rows of text in aligned columns a person can read, for
// metakv-sst-dump's output and metakv-bench's report.
//
// Column widths are the widest cell seen so far. A streaming table prints
// its rows a bounded chunk at a time, so memory does not grow with the row
// count: rows within one chunk line up exactly and later chunks only ever
// widen columns. A report table keeps every row, so every column fits its
// widest cell, and Format() returns the whole text. Cells are reused
// between rows: filling a row does not allocate once the buffers have
// grown. Lines carry no trailing spaces. Not thread-safe.
#ifndef METAKV_COMMON_TEXT_TABLE_H_
#define METAKV_COMMON_TEXT_TABLE_H_

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace metakv::common {

class TextTable {
 public:
  enum class Align : unsigned char { kLeft, kRight };

  struct Column {
    Column(std::string header_text, Align column_align = Align::kLeft, std::string group_label = {})
        : header(std::move(header_text)), align(column_align), group(std::move(group_label)) {}

    std::string header;
    Align align;
    // Consecutive columns with the same non-empty group share one label,
    // centred on a line above the header (columns widen to fit it); " | "
    // separates each group from the columns beside it. Empty: no group.
    std::string group;
  };

  static constexpr size_t kDefaultChunkRows = 512;

  // A streaming table: prints to *out, which must outlive the table, every
  // chunk_rows rows (chunk_rows >= 1), on Flush() and on destruction.
  // Shows the header line before the first row; an empty table prints
  // nothing.
  TextTable(std::ostream* out, std::vector<Column> columns, size_t chunk_rows = kDefaultChunkRows);
  // A report table: keeps every row; Format() returns the group labels (if
  // any), the header line, a rule of dashes, then the rows.
  explicit TextTable(std::vector<Column> columns);
  // Prints what is buffered.
  ~TextTable();
  TextTable(const TextTable&) = delete;
  TextTable& operator=(const TextTable&) = delete;

  // The cell of column i in the row being filled; empty at the row's start.
  // REQUIRES: i < the number of columns. Valid until the row ends.
  std::string& Cell(size_t i);
  // Sets the cells of a row and ends it. Missing trailing cells are blank;
  // extra cells are ignored.
  void AddRow(const std::vector<std::string>& cells);
  // Ends the row being filled; prints the buffered rows when a chunk is full.
  void EndRow();
  // Prints the buffered rows (and the header, before the first row).
  void Flush();
  // Rows ended so far.
  size_t rows() const { return rows_ended_; }

  // Prints no group labels, header line or rule. REQUIRES: before any row.
  void HideHeader() { header_printed_ = true; }
  // Prints a rule of dashes under the header line. REQUIRES: before any row.
  void ShowRule() { rule_ = true; }

  // REQUIRES: a report table. Everything the table holds, as text (the
  // header and rule even without rows; "" without columns).
  std::string Format();

 private:
  // Widens the columns to the buffered rows and the group labels.
  void Widen();
  void PrintHeader();
  // One line from cell(i) for each column i.
  template <typename CellOf>
  void PrintLine(CellOf cell_of);
  void PrintGroupLine();
  void WriteLine();

  // Constant after construction.
  std::unique_ptr<std::ostringstream> report_;  // a report table's text
  std::ostream* out_;
  std::vector<Column> columns_;
  size_t chunk_rows_;
  std::vector<std::string_view> gap_before_;  // before each column
  bool any_group_ = false;

  bool rule_ = false;
  bool header_printed_ = false;
  std::vector<std::vector<std::string>> buffered_;  // reused buffers
  size_t used_ = 0;                                 // rows filled in buffered_
  size_t rows_ended_ = 0;
  bool row_open_ = false;
  std::vector<size_t> widths_;
  std::string line_;
};

// Numbers for table cells: value with the given decimals
// (FormatFixed(1234.5678, 2) == "1234.57"), or "-" if it is not finite.
std::string FormatFixed(double value, int decimals);
// Rounded to an integer: FormatInteger(1234.5) == "1235".
std::string FormatInteger(double value);

}  // namespace metakv::common

#endif  // METAKV_COMMON_TEXT_TABLE_H_
