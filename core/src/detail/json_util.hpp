#pragma once
// Validation helpers: a reader that walks a JSON document while carrying the
// JSON Pointer of where it is, so that every error names its path.

#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calm/result.hpp"
#include "calm/snapshot.hpp"
#include "detail/fast_json.hpp"

namespace calm::detail {

/// Deepest nesting a document may have; deeper input is rejected before parsing.
inline constexpr std::size_t kMaxDepth = 128;
/// Deepest nesting a command may have. A command is kept in the state it
/// changes and exported with it: whole, under `appliedCommands` (its root 4
/// levels down), and its free-form values (a block's `data`, a step's body,
/// custom fields, ...) at most 7 levels down
/// (`/personnel/records/i/blocks/j/data`, `/training/courses/i/steps/j/<key>`).
/// A value `d` levels down in the command is at most `kMaxCommandDepth - d + 1`
/// deep itself, so the export stays within `kMaxDepth` and loads again.
inline constexpr std::size_t kDeepestFreeFormValue = 7;
inline constexpr std::size_t kMaxCommandDepth = kMaxDepth + 2 - kDeepestFreeFormValue;
static_assert(kMaxCommandDepth + 3 <= kMaxDepth, "an applied command must export within kMaxDepth");
/// Errors kept per load; the rest are counted in one final error.
inline constexpr std::size_t kMaxErrors = 100;

/// What is wrong with `text` before it is parsed: "invalid-json" for a NUL
/// byte, "too-deep" for nesting past `kMaxDepth`, empty when neither.
std::string_view json_text_fault(std::string_view text) noexcept;

/// The JSON Pointer of the first array or object in `value` that opens more
/// than `max_depth` levels down (`value` itself is level 1), or nothing when
/// `value` is nested at most `max_depth` levels. Iterative: any depth is safe.
std::optional<std::string> too_deep_at(const nlohmann::json& value, std::size_t max_depth);

/// "a string", "null", "an array", ... for messages.
std::string describe(nlohmann::json::value_t type);
template <typename J>
std::string describe(const J& value) {
  return describe(value.type());
}
/// Clips user text for messages (64 bytes, on a UTF-8 boundary).
std::string clip(std::string_view text);
/// User text clipped and in backticks, as messages name ids: `` `u-lee` ``.
std::string tick(std::string_view text);
/// Escapes a key for a JSON Pointer (`~` -> `~0`, `/` -> `~1`).
std::string pointer_escape(std::string_view key);
/// Parses JSON text without exceptions; errors get `invalid-json` or `too-deep`.
nlohmann::json parse_json(std::string_view text, std::vector<Error>& errors);
/// Serialises to compact JSON, replacing invalid UTF-8 rather than throwing.
std::string dump(const nlohmann::json& value);
/// Appends `value` to `out` exactly as `dump` writes it (the same bytes),
/// without building a second document: for the hot decision paths.
void append_json(std::string& out, const nlohmann::json& value);
/// Appends `text` as a JSON string, as `dump` writes it.
void append_json_string(std::string& out, std::string_view text);

class JsonReader {
 public:
  static constexpr bool kRequired = true;
  static constexpr bool kOptional = false;

  /// One step of the current JSON Pointer; rendered only when an error is
  /// recorded. INVARIANT: a key outlives the guard that pushed it.
  struct Segment {
    std::string_view key;
    std::size_t index = 0;
    bool is_index = false;
  };

  class [[nodiscard]] PathGuard {
   public:
    explicit PathGuard(std::vector<Segment>& path) : path_(path) {}
    ~PathGuard() { path_.pop_back(); }
    PathGuard(const PathGuard&) = delete;
    PathGuard& operator=(const PathGuard&) = delete;

   private:
    std::vector<Segment>& path_;
  };

  // Inline: called for every member and element a snapshot has, from the
  // loader (compiled for speed) while this file's out-of-line code is
  // compiled for size in the wasm build.
  PathGuard push(std::string_view key) {
    path_.push_back({key, 0, false});
    return PathGuard(path_);
  }
  PathGuard push(std::size_t index) {
    path_.push_back({{}, index, true});
    return PathGuard(path_);
  }

  void fail(std::string_view code, std::string message);
  /// Records errors found by another reader (their paths as they are).
  void adopt(std::vector<Error> errors);
  /// Fails at `path()/key` without pushing.
  void fail_at(std::string_view key, std::string_view code, std::string message);
  [[nodiscard]] bool failed() const noexcept { return !errors_.empty(); }
  /// The current JSON Pointer.
  [[nodiscard]] std::string path() const;
  std::vector<Error> take_errors();

  /// The member `key` of `object` when present with the right type.
  template <typename J>
  const J* member(const J& object, std::string_view key, bool required, nlohmann::json::value_t type);
  /// A display string; empty when absent; wrong type is an error.
  template <typename J>
  std::string text(const J& object, std::string_view key);
  /// An optional ISO-8601 date or timestamp at `key` ("" when absent); any
  /// other value (a string such as `tomorrow` included) is an error.
  template <typename J>
  std::string date(const J& object, std::string_view key);
  /// An id field.
  template <typename J>
  std::optional<std::string> id(const J& object, std::string_view key, bool required);
  /// The value at the current path as an id.
  template <typename J>
  std::optional<std::string> id_value(const J& value, std::string_view what);
  /// An id field that must be unique in `seen`.
  template <typename J>
  std::optional<std::string> unique_id(const J& object, IdTable& seen, std::string_view what);
  /// A reference field resolved in `table`; `kNone` when absent or dangling.
  template <typename J>
  Index ref(const J& object, std::string_view key, const IdTable& table, std::string_view what,
            bool required);
  /// The value at the current path as a reference.
  template <typename J>
  Index ref_value(const J& value, const IdTable& table, std::string_view what);
  /// An optional array of references.
  template <typename J>
  std::vector<Index> ref_list(const J& object, std::string_view key, const IdTable& table,
                              std::string_view what);
  template <typename J>
  std::optional<Role> role(const J& object, std::string_view key, bool required);
  template <typename J>
  std::optional<Role> role_value(const J& value);
  template <typename J>
  bool boolean(const J& object, std::string_view key, bool fallback);
  template <typename J>
  int integer(const J& object, std::string_view key, int fallback, int min, int max);

  /// An enum field read by name; returns the index in `names` cast to `E`.
  template <typename E, std::size_t N, typename J>
  E enumeration(const J& object, std::string_view key, const std::array<std::string_view, N>& names,
                E fallback, bool required) {
    const J* it = lookup(object, key);
    if (it == nullptr) {
      if (required) fail_at(key, "missing-field", "expected `" + std::string(key) + "`");
      return fallback;
    }
    if (it->is_string()) {
      const std::string_view s = str(*it);
      for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == s) return static_cast<E>(i);
      }
    }
    std::string expected = "expected one of";
    for (std::size_t i = 0; i < N; ++i) expected += (i == 0 ? " `" : ", `") + std::string(names[i]) + "`";
    fail_at(key, it->is_string() ? "unknown-enum" : "wrong-type", expected + ", got " + describe(*it));
    return fallback;
  }

 private:
  std::vector<Segment> path_;
  std::vector<Error> errors_;
  std::size_t dropped_ = 0;
};

/// Reads the `steps` of a course object (TRAINING.md), replacing `out`.
template <typename J>
void read_steps(JsonReader& reader, const J& course, std::vector<Step>& out);
/// Reads the `assessment` of a step object, when present.
template <typename J>
void read_assessment(JsonReader& reader, const J& step, Step& out);
/// Reads a record's `assets` array (SNAPSHOT.md, changed): objects, each with
/// an id unique in the record. Other fields are kept as given.
template <typename J>
nlohmann::json read_assets(JsonReader& reader, const J& assets);
/// Reads an attempt's `answers` (SNAPSHOT.md, changed): question id -> array
/// of option ids.
template <typename J>
nlohmann::json read_answers(JsonReader& reader, const J& answers);

}  // namespace calm::detail
