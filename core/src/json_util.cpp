// Validation helpers (see detail/json_util.hpp).

#include "detail/json_util.hpp"

#include <limits>
#include <utility>

#include "detail/dates.hpp"
#include "detail/json_reader_impl.hpp"

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

CALM_INSTANTIATE_READER(json)
#undef CALM_INSTANTIATE_READER

}  // namespace calm::detail
