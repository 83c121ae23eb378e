// Validation helpers (see detail/json_util.hpp).

#include "detail/json_util.hpp"

#include <limits>
#include <utility>

#include "detail/dates.hpp"

namespace calm::detail {

using nlohmann::json;

std::string describe(json::value_t type) {
  switch (type) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

std::string clip(std::string_view text) {
  if (text.size() <= 64) return std::string(text);
  std::size_t end = 64;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0u) == 0x80u) --end;
  return std::string(text.substr(0, end)) + "...";
}

std::string tick(std::string_view text) {
  std::string out = "`";
  out += clip(text);
  out += '`';
  return out;
}

std::string pointer_escape(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view json_text_fault(std::string_view text) noexcept {
  // nlohmann reads a NUL as the end of the text and would parse what comes
  // before it; JSON text never holds one outside a string, nor (unescaped)
  // inside one: malformed (ACCESS.md section 11 step 1).
  if (text.find('\0') != std::string_view::npos) return "invalid-json";
  // Nesting is bounded before parsing so that no later walk can exhaust the stack.
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return "too-deep";
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return {};
}

std::optional<std::string> too_deep_at(const json& value, std::size_t max_depth) {
  if (!value.is_structured()) return std::nullopt;
  if (max_depth == 0) return std::string();
  // One frame per open container: the container and the member being visited.
  struct Frame {
    const json* container;
    json::const_iterator at;
  };
  std::vector<Frame> frames;
  frames.push_back({&value, value.cbegin()});
  while (!frames.empty()) {
    Frame& top = frames.back();
    if (top.at == top.container->cend()) {
      frames.pop_back();
      if (!frames.empty()) ++frames.back().at;  // past the container just walked
      continue;
    }
    const json& child = *top.at;
    if (child.is_structured()) {
      // The child opens a level (an empty one too).
      if (frames.size() + 1 > max_depth) break;
      if (!child.empty()) {
        frames.push_back({&child, child.cbegin()});
        continue;
      }
    }
    ++top.at;
  }
  if (frames.empty()) return std::nullopt;
  std::string pointer;
  for (const Frame& frame : frames) {
    pointer += '/';
    if (frame.container->is_object()) {
      pointer += pointer_escape(frame.at.key());
    } else {
      pointer += std::to_string(frame.at - frame.container->cbegin());
    }
  }
  return pointer;
}

json parse_json(std::string_view text, std::vector<Error>& errors) {
  const std::string_view fault = json_text_fault(text);
  if (fault == "invalid-json") {
    errors.push_back({"invalid-json", "", "expected well-formed JSON text, got a NUL byte"});
    return json();
  }
  if (fault == "too-deep") {
    errors.push_back(
        {"too-deep", "", "expected JSON nested at most " + std::to_string(kMaxDepth) + " levels"});
    return json();
  }
  json document = json::parse(text.begin(), text.end(), nullptr, false);
  if (document.is_discarded()) {
    errors.push_back({"invalid-json", "", "expected well-formed JSON text"});
    return json();
  }
  return document;
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::size_t start = out.size();
  out += '"';
  // Runs of characters written as they are go in whole.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u >= 0x80) {
      // Non-ASCII: nlohmann validates UTF-8 and replaces what is invalid; let
      // it write this string so the bytes stay exactly the same.
      out.resize(start);
      out += dump(json(std::string(text)));
      return;
    }
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (u) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[u >> 4];
        out += kHex[u & 0xF];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void append_json(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      append_json_string(out, value.get_ref<const std::string&>());
      return;
    case json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append_json(out, member);
      }
      out += '}';
      return;
    }
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const json& element : value) {
        if (!first) out += ',';
        first = false;
        append_json(out, element);
      }
      out += ']';
      return;
    }
    default:  // null, numbers: rare here; nlohmann's own formatting.
      out += dump(value);
  }
}

JsonReader::PathGuard JsonReader::push(std::string_view key) {
  path_.push_back({key, 0, false});
  return PathGuard(path_);
}

JsonReader::PathGuard JsonReader::push(std::size_t index) {
  path_.push_back({{}, index, true});
  return PathGuard(path_);
}

std::string JsonReader::path() const {
  std::string out;
  for (const Segment& segment : path_) {
    out += '/';
    out += segment.is_index ? std::to_string(segment.index) : pointer_escape(segment.key);
  }
  return out;
}

void JsonReader::fail(std::string_view code, std::string message) {
  if (errors_.size() < kMaxErrors) {
    errors_.push_back({std::string(code), path(), std::move(message)});
  } else {
    ++dropped_;
  }
}

void JsonReader::adopt(std::vector<Error> errors) {
  for (Error& e : errors) {
    if (errors_.size() < kMaxErrors) {
      errors_.push_back(std::move(e));
    } else {
      ++dropped_;
    }
  }
}

void JsonReader::fail_at(std::string_view key, std::string_view code, std::string message) {
  auto guard = push(key);
  fail(code, std::move(message));
}

std::vector<Error> JsonReader::take_errors() {
  if (dropped_ > 0) {
    errors_.push_back({"too-many-errors", "", std::to_string(dropped_) + " more errors not shown"});
    dropped_ = 0;
  }
  return std::move(errors_);
}

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

CALM_INSTANTIATE_READER(json)
CALM_INSTANTIATE_READER(FastValue)
#undef CALM_INSTANTIATE_READER

}  // namespace calm::detail
