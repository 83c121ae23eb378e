#pragma once
// The definitions of `JsonReader`'s member templates, for the two files that
// instantiate them: json_util.cpp for `nlohmann::json` (commands and the
// other readers, compiled for size in the wasm build) and fast_json.cpp for
// `FastValue` (the snapshot loader, compiled for speed).

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dates.hpp"
#include "fast_json.hpp"
#include "json_util.hpp"

namespace calm::detail {

using nlohmann::json;

template <typename J>
const J* JsonReader::member(const J& object, std::string_view key, bool required, json::value_t type) {
  const J* it = lookup(object, key);
  if (it == nullptr) {
    if (required) fail_at(key, "missing-field", "expected `" + std::string(key) + "`");
    return nullptr;
  }
  if (it->type() != type) {
    fail_at(key, "wrong-type", "expected " + describe(type) + ", got " + describe(*it));
    return nullptr;
  }
  return it;
}

template <typename J>
std::string JsonReader::text(const J& object, std::string_view key) {
  const J* it = lookup(object, key);
  if (it == nullptr) return {};
  if (!it->is_string()) {
    fail_at(key, "wrong-type", "expected a string, got " + describe(*it));
    return {};
  }
  return std::string(str(*it));
}

template <typename J>
std::string JsonReader::date(const J& object, std::string_view key) {
  const J* it = lookup(object, key);
  if (it == nullptr) return {};
  if (!it->is_string()) {
    fail_at(key, "wrong-type", "expected an ISO-8601 date or timestamp, got " + describe(*it));
    return {};
  }
  const std::string_view value = str(*it);
  if (!is_iso_date_or_timestamp(value)) {
    fail_at(key, "invalid-date", "expected an ISO-8601 date or timestamp, got `" + clip(value) + "`");
    return {};
  }
  return std::string(value);
}

template <typename J>
std::optional<std::string> JsonReader::id_value(const J& value, std::string_view what) {
  if (!value.is_string()) {
    fail("wrong-type", "expected " + std::string(what) + " (a string), got " + describe(value));
    return std::nullopt;
  }
  const std::string_view s = str(value);
  if (!is_valid_id(s)) {
    fail("invalid-id",
         "expected " + std::string(what) + " of 1 to 128 bytes, got " + std::to_string(s.size()) + " bytes");
    return std::nullopt;
  }
  return std::string(s);
}

template <typename J>
std::optional<std::string> JsonReader::id(const J& object, std::string_view key, bool required) {
  const J* it = lookup(object, key);
  if (it == nullptr) {
    if (required) fail_at(key, "missing-field", "expected `" + std::string(key) + "`");
    return std::nullopt;
  }
  auto guard = push(key);
  return id_value(*it, "an id");
}

template <typename J>
std::optional<std::string> JsonReader::unique_id(const J& object, IdTable& seen, std::string_view what) {
  auto id_text = id(object, "id", kRequired);
  if (id_text && !seen.add(*id_text)) {
    fail_at("id", "duplicate-id", "duplicate " + std::string(what) + " id `" + clip(*id_text) + "`");
  }
  return id_text;
}

template <typename J>
Index JsonReader::ref_value(const J& value, const IdTable& table, std::string_view what) {
  // The hot path of a load: no allocation unless the reference is wrong.
  if (value.is_string()) {
    const std::string_view text = str(value);
    if (is_valid_id(text)) {
      const Index index = table.find(text);
      if (index == kNone) fail("dangling-reference", "no " + std::string(what) + " `" + clip(text) + "`");
      return index;
    }
  }
  (void)id_value(value, "a " + std::string(what) + " id");  // names what is wrong
  return kNone;
}

template <typename J>
Index JsonReader::ref(const J& object, std::string_view key, const IdTable& table, std::string_view what,
                      bool required) {
  const J* it = lookup(object, key);
  if (it == nullptr) {
    if (required) fail_at(key, "missing-field", "expected `" + std::string(key) + "`");
    return kNone;
  }
  auto guard = push(key);
  return ref_value(*it, table, what);
}

template <typename J>
std::vector<Index> JsonReader::ref_list(const J& object, std::string_view key, const IdTable& table,
                                        std::string_view what) {
  std::vector<Index> out;
  const J* list = member(object, key, kOptional, json::value_t::array);
  if (list == nullptr) return out;
  auto guard = push(key);
  out.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto gi = push(i);
    Index index = ref_value((*list)[i], table, what);
    if (index != kNone) out.push_back(index);
  }
  return out;
}

template <typename J>
std::optional<Role> JsonReader::role_value(const J& value) {
  if (value.is_string()) {
    if (auto role = parse_role(str(value))) return role;
  }
  fail(value.is_string() ? "unknown-enum" : "wrong-type",
       "expected one of `none`, `member`, `manager`, `admin`, got " +
           (value.is_string() ? "`" + clip(str(value)) + "`" : describe(value)));
  return std::nullopt;
}

template <typename J>
std::optional<Role> JsonReader::role(const J& object, std::string_view key, bool required) {
  const J* it = lookup(object, key);
  if (it == nullptr) {
    if (required) fail_at(key, "missing-field", "expected `" + std::string(key) + "`");
    return std::nullopt;
  }
  auto guard = push(key);
  return role_value(*it);
}

template <typename J>
bool JsonReader::boolean(const J& object, std::string_view key, bool fallback) {
  const J* it = lookup(object, key);
  if (it == nullptr) return fallback;
  if (!it->is_boolean()) {
    fail_at(key, "wrong-type", "expected a boolean, got " + describe(*it));
    return fallback;
  }
  return boolean_of(*it);
}

template <typename J>
int JsonReader::integer(const J& object, std::string_view key, int fallback, int min, int max) {
  const J* it = lookup(object, key);
  if (it == nullptr) return fallback;
  if (!it->is_number_integer()) {  // unsigned counts as integer in nlohmann
    fail_at(key, "wrong-type", "expected an integer, got " + describe(*it));
    return fallback;
  }
  const std::int64_t v =
      it->is_number_unsigned()
          ? static_cast<std::int64_t>(std::min<std::uint64_t>(
                uint_of(*it), static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())))
          : int_of(*it);
  if (v < min || v > max) {
    fail_at(key, "out-of-range",
            "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                std::to_string(v));
    return fallback;
  }
  return static_cast<int>(v);
}

#define CALM_INSTANTIATE_READER(J)                                                                    \
  template const J* JsonReader::member(const J&, std::string_view, bool, json::value_t);              \
  template std::string JsonReader::text(const J&, std::string_view);                                  \
  template std::string JsonReader::date(const J&, std::string_view);                                  \
  template std::optional<std::string> JsonReader::id(const J&, std::string_view, bool);               \
  template std::optional<std::string> JsonReader::id_value(const J&, std::string_view);               \
  template std::optional<std::string> JsonReader::unique_id(const J&, IdTable&, std::string_view);    \
  template Index JsonReader::ref(const J&, std::string_view, const IdTable&, std::string_view, bool); \
  template Index JsonReader::ref_value(const J&, const IdTable&, std::string_view);                   \
  template std::vector<Index> JsonReader::ref_list(const J&, std::string_view, const IdTable&,        \
                                                   std::string_view);                                 \
  template std::optional<Role> JsonReader::role(const J&, std::string_view, bool);                    \
  template std::optional<Role> JsonReader::role_value(const J&);                                      \
  template bool JsonReader::boolean(const J&, std::string_view, bool);                                \
  template int JsonReader::integer(const J&, std::string_view, int, int, int);

}  // namespace calm::detail
