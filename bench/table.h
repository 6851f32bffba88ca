// Plain-text tables with aligned columns, for metakv-bench's report.
//
// Columns may be grouped: consecutive columns with the same non-empty group
// name get one group label centred above them, and " | " separates groups
// (and the ungrouped columns before them). Pure value type: thread-safe to
// read, not to mutate concurrently.
#ifndef METAKV_BENCH_TABLE_H_
#define METAKV_BENCH_TABLE_H_

#include <string>
#include <vector>

namespace metakv::bench {

class TextTable {
 public:
  enum class Align : unsigned char { kLeft, kRight };

  struct Column {
    std::string header;
    Align align = Align::kRight;
    std::string group;  // empty: no group label
  };

  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

  // Adds a row. Missing trailing cells are blank; extra cells are ignored.
  void AddRow(std::vector<std::string> cells);

  size_t rows() const { return rows_.size(); }

  // The table: a group label line (only if some column has a group), the
  // header line, a rule of dashes, then one line per row. Every line ends in
  // a newline and carries no trailing spaces.
  std::string Format() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Number formatting for table cells. "-" for values that are not finite.
// FormatFixed(1234.5678, 2) == "1234.57".
std::string FormatFixed(double value, int decimals);
// Rounded to an integer: FormatInteger(1234.5) == "1235".
std::string FormatInteger(double value);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_TABLE_H_
