# metakv_texttable: aligned text tables (tools/text_table.h), shared by
# metakv-sst-dump and metakv-bench and depending on nothing else in metakv.
# Both directories include this file (either may be built without the
# other); the target is defined once.
include_guard(GLOBAL)
add_library(metakv_texttable STATIC ${CMAKE_CURRENT_LIST_DIR}/text_table.cc)
target_include_directories(metakv_texttable PUBLIC ${PROJECT_SOURCE_DIR})
