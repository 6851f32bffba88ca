// TextTable: prints rows in columns a person can read, buffering a bounded
// number of rows at a time.
//
// Column widths are the widest cell seen so far, so rows within one chunk
// line up exactly and later chunks only ever widen columns. Cells are
// reused between rows: filling a row does not allocate once the buffers
// have grown. The last column is never padded. Not thread-safe.
#ifndef METAKV_TOOLS_TEXT_TABLE_H_
#define METAKV_TOOLS_TEXT_TABLE_H_

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace metakv::tools {

class TextTable {
 public:
  struct Column {
    std::string header;
    bool right_align = false;
  };

  // Borrows out, which must outlive the table. chunk_rows >= 1.
  TextTable(std::ostream* out, std::vector<Column> columns, size_t chunk_rows = 512);
  // Prints what is buffered.
  ~TextTable();
  TextTable(const TextTable&) = delete;
  TextTable& operator=(const TextTable&) = delete;

  // The cell of column i in the row being filled; empty at the row's start.
  std::string& Cell(size_t i);
  // Convenience: sets every cell of the row at once and ends it.
  void AddRow(const std::vector<std::string>& cells);
  // Ends the row being filled; prints the buffered rows when a chunk is full.
  void EndRow();
  // Prints the buffered rows (and the header, before the first row).
  void Flush();
  // Prints no header line.
  void HideHeader() { header_printed_ = true; }

 private:
  std::ostream* out_;
  std::vector<Column> columns_;
  size_t chunk_rows_;
  std::vector<std::vector<std::string>> rows_;  // reused buffers
  size_t used_ = 0;                             // rows filled in rows_
  bool row_open_ = false;
  bool header_printed_ = false;
  std::vector<size_t> widths_;
  std::string line_;
};

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_TEXT_TABLE_H_
