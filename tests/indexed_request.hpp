// The indexed request the JS fast path writes for a decision request
// (js/index.js `#resolve`), built from the core's tables as the JS reads them
// (`ffi::indexed_keys`, `ffi::index`), for the native tests and the decide
// fuzzer. Header-only, shared by tests/native and tests/fuzz.

#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "calm/access.hpp"

namespace calm::testing {

// The words and bytes `read_indexed_words` reads.
struct Indexed {
  std::vector<std::uint32_t> words;
  std::string bytes;
  [[nodiscard]] calm::IndexedRequest request() const {
    return *calm::read_indexed_words(words.data(), bytes);
  }
};

// What the JS writes for `request` (`{ user, action, site?, resource? }`), or
// nothing when the JS asks it another way: an id it does not know, two
// resources named by id, a key or a value of a shape it does not index.
inline std::optional<Indexed> indexed_of(const nlohmann::json& tables, const nlohmann::json& index,
                                         const nlohmann::json& request) {
  using nlohmann::json;
  constexpr std::uint32_t kAbsent = 0xFFFFFFFF;
  if (!request.is_object()) return std::nullopt;
  Indexed out{std::vector<std::uint32_t>(tables.at("words").get<std::size_t>(), kAbsent), ""};
  auto find = [&](const std::string& collection, const json& id) -> std::optional<std::uint32_t> {
    const json& list = index.at(collection);
    if (!id.is_string()) return std::nullopt;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i] == id) return static_cast<std::uint32_t>(i);
    }
    return std::nullopt;
  };
  for (const auto& [name, value] : request.items()) {
    if (name != "user" && name != "action" && name != "site" && name != "resource") return std::nullopt;
  }
  if (!request.contains("user") || !request.contains("action") || !request["action"].is_string()) {
    return std::nullopt;
  }
  const auto user = find("users", request["user"]);
  const Index action = calm::find_action(request["action"].get<std::string>());
  if (!user || action == kNone) return std::nullopt;
  out.words[0] = *user;
  out.words[1] = action;
  if (request.contains("site")) {
    const auto site = find("sites", request["site"]);
    if (!site) return std::nullopt;
    out.words[2] = *site;
  }
  std::uint32_t key = 0;
  const json resource = request.value("resource", json::object());
  if (!resource.is_object()) return std::nullopt;
  for (const auto& [name, value] : resource.items()) {
    if (!tables.at("keys").contains(name)) return std::nullopt;
    const json& spec = tables["keys"][name];
    const std::size_t at = spec.at(2);
    if (out.words.at(at) != kAbsent) return std::nullopt;
    const bool block = name == "block";
    if (block ? !(value.is_object() && value.size() == 2 && value.contains("record") &&
                  value.contains("block") && value["block"].is_string())
              : !value.is_string()) {
      return std::nullopt;
    }
    const auto i = find(spec.at(1), block ? value["record"] : value);
    if (!i) return std::nullopt;
    out.words[at] = *i;
    if (block) {
      const std::string id = value["block"];
      out.words.at(at + 1) = static_cast<std::uint32_t>(out.bytes.size());
      out.words.at(at + 2) = static_cast<std::uint32_t>(id.size());
      out.bytes += id;
    }
    key |= spec.at(0).get<std::uint32_t>();
  }
  out.words[3] = key;
  return out;
}

}  // namespace calm::testing
