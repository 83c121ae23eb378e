// The decision the JS `explain` builds from `ffi::decision_parts`
// (js/index.js `#decisionOf`), for the native tests and the fuzzers: the
// words are the code's number, the bits of the `requires` members present and
// the UTF-16 length of each text piece; the pieces are cut from one UTF-8
// text by those lengths. Header-only, shared by tests/native and tests/fuzz.

#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "calm/ffi.hpp"

namespace calm::testing {

// The decision `{ allowed, code, message, requires, rule }` the parts make, or
// nothing when the lengths do not cover `text` exactly (a piece past its end,
// a word left over or text left over).
inline std::optional<nlohmann::json> decision_from_parts(const std::vector<std::uint32_t>& words,
                                                         std::size_t n, const std::string& text) {
  using nlohmann::json;
  static const json keys = json::parse(calm::ffi::requirement_keys());
  static const json codes = json::parse(calm::ffi::reason_codes());
  if (n < 2 || n > words.size() || words[0] >= codes.size()) return std::nullopt;
  std::size_t at = 0;
  std::size_t i = 2;
  bool short_text = false;
  auto piece = [&] {
    std::uint32_t units = i < n ? words[i++] : 0;
    const std::size_t start = at;
    while (units > 0 && at < text.size()) {
      const auto lead = static_cast<unsigned char>(text[at]);
      const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
      units -= std::min<std::uint32_t>(units, length == 4 ? 2 : 1);
      at += length;
    }
    short_text = short_text || units > 0;
    return text.substr(start, at - start);
  };
  const std::string rule = piece();
  const std::string message = piece();
  json needs = json::object();
  for (std::size_t b = 0; b < keys["requires"].size(); ++b) {
    if ((words[1] & (1U << b)) == 0) continue;
    const std::string key = keys["requires"][b];
    if (key == "owner") {
      needs[key] = true;
    } else if (key == "or") {
      for (const auto& name : keys["or"]) needs[key][name.get<std::string>()] = piece();
    } else {
      needs[key] = piece();
    }
  }
  if (short_text || i != n || at != text.size()) return std::nullopt;
  return json{{"allowed", codes.at(words[0]) == "allowed"},
              {"code", codes.at(words[0])},
              {"message", message},
              {"requires", needs},
              {"rule", rule}};
}

}  // namespace calm::testing
