// metakv::Status: the result of every metakv call that can fail.
//
// A Status is either OK or carries a code and a message naming what went
// wrong (for corruption: where). metakv never throws across its API; every
// failure is a Status. Status is a value type: copy and move freely; distinct
// objects may be used from distinct threads without synchronization.
#ifndef METAKV_STATUS_H_
#define METAKV_STATUS_H_

#include <string>
#include <string_view>

namespace metakv {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound = 1,
    kCorruption = 2,
    kNotSupported = 3,
    kInvalidArgument = 4,
    kIOError = 5,
    kBusy = 6,
    // The operation needs a state the record is not in (for example
    // Undelete of a record that is live).
    kFailedPrecondition = 7,
    // The record's retention or time to live has passed (for example
    // Undelete after the domain's retention).
    kExpired = 8,
    kAborted = 9,
  };

  // Creates an OK status.
  Status() noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  static Status FailedPrecondition(std::string_view msg) {
    return Status(Code::kFailedPrecondition, msg);
  }
  static Status Expired(std::string_view msg) { return Status(Code::kExpired, msg); }
  static Status Aborted(std::string_view msg) { return Status(Code::kAborted, msg); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsFailedPrecondition() const { return code_ == Code::kFailedPrecondition; }
  bool IsExpired() const { return code_ == Code::kExpired; }
  bool IsAborted() const { return code_ == Code::kAborted; }

  Code code() const { return code_; }
  // The message alone, without the code's name.
  const std::string& message() const { return msg_; }
  // "OK", or "<Code name>: <message>" (just the name if no message).
  std::string ToString() const;
  // The code's name: "OK", "NotFound", "InvalidArgument", ... as Code's
  // enumerators without the k.
  static std::string_view CodeName(Code code);

  // Marks the status as looked at, for call sites that deliberately ignore
  // it (for example a best-effort cleanup).
  void PermitUncheckedError() const {}

 private:
  Status(Code code, std::string_view msg) : code_(code), msg_(msg) {}

  Code code_ = Code::kOk;
  std::string msg_;
};

}  // namespace metakv

#endif  // METAKV_STATUS_H_
