#pragma once
// The resource keys of ACCESS.md section 8, as one table: the key's name in a
// request, its bit, the request field that holds it, the id table that names
// it and what makes an id of it live. Every check path resolves resources
// through this table (the JSON request, the indexed request, the indexed
// `explain`), and the bindings hand the keys that an indexed request may name
// to JS from it, so no other code encodes them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "../actions.hpp"
#include "calm/access.hpp"
#include "calm/snapshot.hpp"

namespace calm::detail {

/// The resolved resources of a request.
struct Resolved {
  Index course = kNone;
  Index fulfillment = kNone;
  Index record = kNone;
  Index block = kNone;  // index within the record
  Index block_record = kNone;
  Index thread = kNone;
  Index company = kNone;
  Index target = kNone;
  Index module = kNone;
  Role role = Role::none;
};

struct ResourceKeySpec {
  std::uint16_t bit = 0;
  /// The key in a request's `resource`; also the `field` of an `unknown-*` denial.
  std::string_view name;
  /// The request field that holds it; null for `block` (`{ record, block }`).
  std::optional<std::string> Resource::*field = nullptr;
  /// The same field of a `ResourceView`.
  std::optional<std::string_view> ResourceView::*view = nullptr;
  /// The id table that names it; null for `block` and `role` (a role name).
  IdTable Snapshot::*ids = nullptr;
  /// Where its index goes once resolved; null for `block` and `role`.
  Index Resolved::*slot = nullptr;
  /// The collection of `ffi::index` an indexed request names it by.
  std::string_view collection;
  /// Which member of `IndexedRequest` holds its value, as the word of
  /// `read_indexed_words`: `kIdWord` (`resource`) for a key that names a
  /// resource by its id, `kBlockWord` (`block_record`; the block's id
  /// follows), `kModuleWord`, `kRoleWord`.
  std::uint8_t word = 0;
  /// The code when its id names nothing live.
  Code unknown = Code::unknown_resource;
  /// Whether index `i` of `ids` names a live resource (in range, not deleted;
  /// a thread, not a reply).
  bool (*live)(const Snapshot& s, Index i) noexcept = nullptr;
};

inline constexpr std::uint8_t kIdWord = 4;
inline constexpr std::uint8_t kBlockWord = 5;
inline constexpr std::uint8_t kModuleWord = 8;
inline constexpr std::uint8_t kRoleWord = 9;

inline bool live_course(const Snapshot& s, Index i) noexcept {
  return i < s.courses.size() && !s.courses[i].deleted;
}
inline bool live_fulfillment(const Snapshot& s, Index i) noexcept { return i < s.fulfillments.size(); }
inline bool live_record(const Snapshot& s, Index i) noexcept {
  return i < s.records.size() && !s.records[i].deleted;
}
inline bool live_thread(const Snapshot& s, Index i) noexcept {
  // A reply's id is not a thread id.
  return i < s.comments.size() && s.comments[i].parent == kNone && !s.records[s.comments[i].record].deleted;
}
inline bool live_company(const Snapshot& s, Index i) noexcept {
  return i < s.companies.size() && !s.companies[i].deleted;
}
inline bool live_user(const Snapshot& s, Index i) noexcept { return i < s.users.size(); }
inline bool live_module(const Snapshot& s, Index i) noexcept { return i < s.module_ids.size(); }

// clang-format off
/// In bit order, which is the order of resolution (section 11, step 5).
inline constexpr std::array kResourceKeys = {
  ResourceKeySpec{kCourse, "course", &Resource::course, &ResourceView::course, &Snapshot::course_ids, &Resolved::course, "courses", kIdWord, Code::unknown_resource, live_course},
  ResourceKeySpec{kFulfillment, "fulfillment", &Resource::fulfillment, &ResourceView::fulfillment, &Snapshot::fulfillment_ids, &Resolved::fulfillment, "fulfillments", kIdWord, Code::unknown_resource, live_fulfillment},
  ResourceKeySpec{kRecord, "record", &Resource::record, &ResourceView::record, &Snapshot::record_ids, &Resolved::record, "records", kIdWord, Code::unknown_resource, live_record},
  ResourceKeySpec{kBlock, "block", nullptr, nullptr, nullptr, nullptr, "records", kBlockWord, Code::unknown_resource, nullptr},
  ResourceKeySpec{kThread, "thread", &Resource::thread, &ResourceView::thread, &Snapshot::comment_ids, &Resolved::thread, "comments", kIdWord, Code::unknown_resource, live_thread},
  ResourceKeySpec{kCompany, "company", &Resource::company, &ResourceView::company, &Snapshot::company_ids, &Resolved::company, "companies", kIdWord, Code::unknown_resource, live_company},
  ResourceKeySpec{kTarget, "target", &Resource::target, &ResourceView::target, &Snapshot::user_ids, &Resolved::target, "users", kIdWord, Code::unknown_resource, live_user},
  ResourceKeySpec{kModule, "module", &Resource::module, &ResourceView::module, &Snapshot::module_ids, &Resolved::module, "modules", kModuleWord, Code::unknown_module, live_module},
  ResourceKeySpec{kRole, "role", &Resource::role, &ResourceView::role, nullptr, nullptr, "roles", kRoleWord, Code::invalid_request, nullptr},
};
// clang-format on

/// The keys that name a resource by its id (at most one in an indexed request).
inline constexpr std::uint16_t kIdKeys = [] {
  std::uint16_t bits = 0;
  for (const ResourceKeySpec& k : kResourceKeys) {
    if (k.word == kIdWord) bits |= k.bit;
  }
  return bits;
}();

/// Whether `keys` names at most one resource by its id, as an indexed request must.
inline constexpr bool at_most_one_id_key(std::uint16_t keys) noexcept {
  const std::uint16_t ids = keys & kIdKeys;
  return (ids & (ids - 1)) == 0;
}

/// The key's field in a request's resource (`k.field` must not be null).
inline const std::optional<std::string>& field_of(const Resource& r, const ResourceKeySpec& k) noexcept {
  return r.*k.field;
}
inline const std::optional<std::string_view>& field_of(const ResourceView& r,
                                                       const ResourceKeySpec& k) noexcept {
  return r.*k.view;
}

/// Whether the request names the key.
template <class R>
bool names(const R& r, const ResourceKeySpec& k) noexcept {
  return k.field != nullptr ? field_of(r, k).has_value() : r.block.has_value();
}

/// The bits of the keys the request names.
template <class R>
std::uint16_t present_keys(const R& r) noexcept {
  std::uint16_t keys = 0;
  for (const ResourceKeySpec& k : kResourceKeys) {
    if (names(r, k)) keys |= k.bit;
  }
  return keys;
}

}  // namespace calm::detail
