#include "metakv/status.h"

namespace metakv {

std::string_view Status::CodeName(Code code) {
  const char* name = "Unknown";
  switch (code) {
    case Code::kOk:
      name = "OK";
      break;
    case Code::kNotFound:
      name = "NotFound";
      break;
    case Code::kCorruption:
      name = "Corruption";
      break;
    case Code::kNotSupported:
      name = "NotSupported";
      break;
    case Code::kInvalidArgument:
      name = "InvalidArgument";
      break;
    case Code::kIOError:
      name = "IOError";
      break;
    case Code::kBusy:
      name = "Busy";
      break;
    case Code::kFailedPrecondition:
      name = "FailedPrecondition";
      break;
    case Code::kExpired:
      name = "Expired";
      break;
    case Code::kAborted:
      name = "Aborted";
      break;
  }
  return name;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(code_));
  if (!msg_.empty()) {
    out += ": ";
    out += msg_;
  }
  return out;
}

}  // namespace metakv
