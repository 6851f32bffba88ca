// Reads of what a Store holds underneath its rules, for verification tools
// (metakv-stress checks every stored record against its expectations):
// stored records as they are, tombstones and expired records included.
// Not part of the public API; needs the store Store::Open returned.
#ifndef METAKV_ENGINE_INSPECT_H_
#define METAKV_ENGINE_INSPECT_H_

#include <string>
#include <string_view>

#include "metakv/status.h"
#include "metakv/store.h"

namespace metakv {

// The stored value (a record, codecs/record_codec.h) at encoded_key
// (codecs/key_codec.h) in the domain, read from the latest state without
// any rule applied. NotFound if nothing is stored there; InvalidArgument
// for an unknown domain; Aborted once the store is closed.
Status ReadStoredValue(Store* store, std::string_view domain, std::string_view encoded_key,
                       std::string* value);

}  // namespace metakv

#endif  // METAKV_ENGINE_INSPECT_H_
