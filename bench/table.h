// metakv-bench's report tables are metakv-sst-dump's TextTable
// (tools/text_table.h, library metakv_texttable): its report form, built
// from columns alone, with group labels and Format().
#ifndef METAKV_BENCH_TABLE_H_
#define METAKV_BENCH_TABLE_H_

#include "tools/text_table.h"

namespace metakv::bench {

using tools::FormatFixed;
using tools::FormatInteger;
using tools::TextTable;

}  // namespace metakv::bench

#endif  // METAKV_BENCH_TABLE_H_
