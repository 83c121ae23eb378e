#pragma once
// A read-only JSON document for loading snapshots fast: one pass over the
// text, values in an arena, strings viewed in place when they hold no escape.
// Strict RFC 8259 (UTF-8 validated, no trailing commas, no comments), nesting
// bounded. It offers the subset of nlohmann::json's reading API that the
// snapshot loader uses, so the loader is written once for both.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace calm::detail {

class FastValue;

/// An object member: the key and its value.
struct FastMember;

class FastValue {
 public:
  using value_t = nlohmann::json::value_t;

  FastValue() noexcept : integer_(0) {}

  [[nodiscard]] value_t type() const noexcept { return type_; }
  [[nodiscard]] bool is_null() const noexcept { return type_ == value_t::null; }
  [[nodiscard]] bool is_boolean() const noexcept { return type_ == value_t::boolean; }
  [[nodiscard]] bool is_string() const noexcept { return type_ == value_t::string; }
  [[nodiscard]] bool is_array() const noexcept { return type_ == value_t::array; }
  [[nodiscard]] bool is_object() const noexcept { return type_ == value_t::object; }
  [[nodiscard]] bool is_number_integer() const noexcept {
    return type_ == value_t::number_integer || type_ == value_t::number_unsigned;
  }
  [[nodiscard]] bool is_number_unsigned() const noexcept { return type_ == value_t::number_unsigned; }

  /// Elements of an array or members of an object; 0 otherwise.
  [[nodiscard]] std::size_t size() const noexcept {
    return type_ == value_t::array || type_ == value_t::object ? count_ : 0;
  }
  /// Array element `i` (`i < size()`).
  [[nodiscard]] const FastValue& operator[](std::size_t i) const noexcept { return elements_[i]; }
  /// Object members in document order (empty for non-objects).
  [[nodiscard]] std::span<const FastMember> items() const noexcept;
  /// The member `key` of an object, or nullptr (the last one wins on duplicates).
  [[nodiscard]] const FastValue* find(std::string_view key) const noexcept;
  [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }

  [[nodiscard]] std::string_view string() const noexcept { return {text_, count_}; }
  [[nodiscard]] bool boolean() const noexcept { return boolean_; }
  [[nodiscard]] std::int64_t integer() const noexcept { return integer_; }
  [[nodiscard]] std::uint64_t unsigned_integer() const noexcept { return unsigned_; }
  [[nodiscard]] double number() const noexcept { return number_; }

  /// A deep copy as nlohmann::json (for the free-form fields the model keeps).
  [[nodiscard]] nlohmann::json to_json() const;

 private:
  friend class FastParser;
  value_t type_ = value_t::null;
  std::uint32_t count_ = 0;
  union {
    const char* text_;
    const FastValue* elements_;
    const FastMember* members_;
    bool boolean_;
    std::int64_t integer_;
    std::uint64_t unsigned_;
    double number_;
  };
};

struct FastMember {
  std::string_view key;
  FastValue value;
};

inline std::span<const FastMember> FastValue::items() const noexcept {
  if (type_ != value_t::object) return {};
  return {members_, count_};
}

/// A bump allocator: memory is released all at once with the document.
class Arena {
 public:
  explicit Arena(std::size_t first_block) : next_block_(first_block < 4096 ? 4096 : first_block) {}
  void* allocate(std::size_t bytes, std::size_t align) {
    std::size_t offset = (used_ + align - 1) & ~(align - 1);
    if (blocks_.empty() || offset + bytes > capacity_) {
      capacity_ = bytes + align > next_block_ ? bytes + align : next_block_;
      // Left uninitialised (`make_unique` would zero every block first).
      blocks_.emplace_back(new std::max_align_t[capacity_ / sizeof(std::max_align_t) + 1]);  // NOLINT
      // Doubling up to 1 MiB, then 1 MiB at a time: at most that much is
      // left unused at the end (doubling left up to half of a large load's).
      next_block_ = next_block_ >= kGrowthCap / 2 ? kGrowthCap : next_block_ * 2;
      offset = 0;
    }
    used_ = offset + bytes;
    return reinterpret_cast<char*>(blocks_.back().get()) + offset;  // NOLINT: raw arena memory
  }

 private:
  std::vector<std::unique_ptr<std::max_align_t[]>> blocks_;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
  std::size_t next_block_;
  static constexpr std::size_t kGrowthCap = std::size_t{1} << 20;
};

/// The most values a document may hold (8 Mi, five times the large demo
/// organisation's 1.5 M in 25 MiB): a bound on the parser's memory, whatever
/// the shape of the text (a snapshot of `[0,0,...]` costs 16 bytes of arena
/// and of scratch per 2 bytes of text), so that a load within the size limit
/// never runs the wasm out of memory.
inline constexpr std::size_t kMaxValues = std::size_t{8} << 20;

/// A parsed document; values point into the arena and into the source text,
/// which must outlive the document.
class FastDocument {
 public:
  /// Parses `text`; on failure `ok()` is false and `error()` says why.
  FastDocument(std::string_view text, std::size_t max_depth);
  [[nodiscard]] bool ok() const noexcept { return error_.empty(); }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] std::string_view error_code() const noexcept { return error_code_; }
  [[nodiscard]] const FastValue& root() const noexcept { return root_; }

 private:
  std::unique_ptr<Arena> arena_;
  FastValue root_;
  std::string error_;
  std::string_view error_code_;
};

// Uniform reading helpers over nlohmann::json and FastValue.
inline std::string_view str(const nlohmann::json& v) { return v.get_ref<const std::string&>(); }
inline std::string_view str(const FastValue& v) { return v.string(); }
inline bool boolean_of(const nlohmann::json& v) { return v.get<bool>(); }
inline bool boolean_of(const FastValue& v) { return v.boolean(); }
inline std::int64_t int_of(const nlohmann::json& v) { return v.get<std::int64_t>(); }
inline std::int64_t int_of(const FastValue& v) { return v.integer(); }
inline std::uint64_t uint_of(const nlohmann::json& v) { return v.get<std::uint64_t>(); }
inline std::uint64_t uint_of(const FastValue& v) { return v.unsigned_integer(); }
inline const nlohmann::json* lookup(const nlohmann::json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}
inline const FastValue* lookup(const FastValue& object, std::string_view key) { return object.find(key); }
inline nlohmann::json to_json(const nlohmann::json& v) { return v; }
inline nlohmann::json to_json(const FastValue& v) { return v.to_json(); }

}  // namespace calm::detail
