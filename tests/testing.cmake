# metakv_testing: small-LSM options (tests/small_options.h) for the test
# suites and the fuzz targets. Both tests/ and fuzz/ include this file
# (either may be built without the other); the target is defined once.
include_guard(GLOBAL)
add_library(metakv_testing STATIC ${CMAKE_CURRENT_LIST_DIR}/small_options.cc)
target_link_libraries(metakv_testing PUBLIC metakv_internal)
