// Checks, before RocksDB reads an SST file, the parts of it that RocksDB
// 7.8 trusts without a checksum, so damage there is reported as corruption
// instead of crashing or exhausting memory.
//
// RocksDB reads a table's properties block without checksum verification,
// parses it, and verifies the checksum only afterwards (to tolerate the
// global sequence number that ingestion may rewrite inside it); its block
// parser asserts on some damage, which aborts the process with Debian's
// build. And it allocates a buffer of the size a block handle in the footer
// names before reading it. CheckTableMetaBlocks reads the footer, the
// metaindex block and the properties block with bounds-checked code of its
// own, verifies their checksums the way RocksDB does, and checks that their
// compression type is one RocksDB knows (it asserts on others). Pure
// function of the file: thread-safe.
//
// Index and data blocks are left to RocksDB, which verifies their
// checksums before decompressing them. A file crafted with a correct
// checksum over an unknown compression type in one of those blocks still
// makes Debian's RocksDB abort.
#ifndef METAKV_TOOLS_TABLE_CHECK_H_
#define METAKV_TOOLS_TABLE_CHECK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "metakv/status.h"

namespace metakv::tools {

// REQUIRES: the file at path ends in a block-based table footer with block
// checksums (CheckShape in sst_file.cc has checked that). Returns
// Corruption naming the path and what is wrong if a block handle in the
// footer or the metaindex points outside the file, or the metaindex or
// properties block's checksum does not match or its compression type is
// unknown; IOError if the file cannot be read; otherwise OK (also for a
// table without a properties block, which RocksDB then reports).
Status CheckTableMetaBlocks(const std::string& path, uint64_t file_bytes);

// The checksum RocksDB stores after a block, over the block and its
// compression type byte (block_and_type holds both), for the footer's
// checksum type: false if the type is none or unknown.
bool BlockChecksum(char checksum_type, std::string_view block_and_type, uint32_t* out);

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_TABLE_CHECK_H_
