#pragma once
/// \file
/// Expected failures as values: an `Error` names a JSON path and what was
/// expected; `Result<T>` holds either a value or a list of errors.

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace calm {

/// One validation or input error.
struct Error {
  /// Stable machine code, e.g. `wrong-type`, `missing-field`, `dangling-reference`.
  std::string code;
  /// JSON Pointer of the offending value, e.g. `/grants/3/role` (empty for the root).
  std::string path;
  /// One-line human message, lowercase start, no final period.
  std::string message;
};

/// A value or the errors that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  /// Success.
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor): ergonomic return
  /// Failure; `errors` must not be empty.
  Result(std::vector<Error> errors)
      : state_(std::move(errors)) {}  // NOLINT(google-explicit-constructor): ergonomic return

  /// True when a value is held.
  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  /// The value; only valid when `ok()`.
  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  /// The value; only valid when `ok()`.
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  /// The value moved out; only valid when `ok()`.
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
  /// The errors; only valid when `!ok()`.
  [[nodiscard]] const std::vector<Error>& errors() const { return std::get<1>(state_); }

 private:
  std::variant<T, std::vector<Error>> state_;
};

}  // namespace calm
