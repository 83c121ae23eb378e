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
  /// The collection of `index()` an indexed request names it by, alone;
  /// empty when an indexed request cannot name it.
  std::string_view collection;
  /// The code when its id names nothing live.
  Code unknown = Code::unknown_resource;
  /// Whether index `i` of `ids` names a live resource (in range, not deleted;
  /// a thread, not a reply).
  bool (*live)(const Snapshot& s, Index i) noexcept = nullptr;
};

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
  ResourceKeySpec{kCourse, "course", &Resource::course, &ResourceView::course, &Snapshot::course_ids, &Resolved::course, "courses", Code::unknown_resource, live_course},
  ResourceKeySpec{kFulfillment, "fulfillment", &Resource::fulfillment, &ResourceView::fulfillment, &Snapshot::fulfillment_ids, &Resolved::fulfillment, "fulfillments", Code::unknown_resource, live_fulfillment},
  ResourceKeySpec{kRecord, "record", &Resource::record, &ResourceView::record, &Snapshot::record_ids, &Resolved::record, "records", Code::unknown_resource, live_record},
  ResourceKeySpec{kBlock, "block", nullptr, nullptr, nullptr, nullptr, "", Code::unknown_resource, nullptr},
  ResourceKeySpec{kThread, "thread", &Resource::thread, &ResourceView::thread, &Snapshot::comment_ids, &Resolved::thread, "comments", Code::unknown_resource, live_thread},
  ResourceKeySpec{kCompany, "company", &Resource::company, &ResourceView::company, &Snapshot::company_ids, &Resolved::company, "companies", Code::unknown_resource, live_company},
  ResourceKeySpec{kTarget, "target", &Resource::target, &ResourceView::target, &Snapshot::user_ids, &Resolved::target, "users", Code::unknown_resource, live_user},
  ResourceKeySpec{kModule, "module", &Resource::module, &ResourceView::module, &Snapshot::module_ids, &Resolved::module, "", Code::unknown_module, live_module},
  ResourceKeySpec{kRole, "role", &Resource::role, &ResourceView::role, nullptr, nullptr, "", Code::invalid_request, nullptr},
};
// clang-format on

/// The key an indexed request names by `bit` alone, or null when it cannot.
inline const ResourceKeySpec* indexed_key(std::uint16_t bit) noexcept {
  for (const ResourceKeySpec& k : kResourceKeys) {
    if (k.bit == bit) return k.collection.empty() ? nullptr : &k;
  }
  return nullptr;
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
