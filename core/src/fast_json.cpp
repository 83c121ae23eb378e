// The fast read-only JSON document (see detail/fast_json.hpp).

#include "detail/fast_json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "calm/snapshot.hpp"
#include "detail/json_reader_impl.hpp"

namespace calm::detail {

using nlohmann::json;

const FastValue* FastValue::find(std::string_view key) const noexcept {
  if (!is_object()) return nullptr;
  for (std::size_t i = count(); i > 0; --i) {
    if (members_[i - 1].key == key) return &members_[i - 1].value;
  }
  return nullptr;
}

json FastValue::to_json() const {
  switch (type()) {
    case value_t::null:
      return nullptr;
    case value_t::boolean:
      return boolean_;
    case value_t::number_integer:
      return integer();
    case value_t::number_unsigned:
      return unsigned_integer();
    case value_t::number_float:
      return number();
    case value_t::string:
      return std::string(string());
    case value_t::array: {
      json out = json::array();
      for (std::size_t i = 0; i < count(); ++i) out.push_back(elements_[i].to_json());
      return out;
    }
    case value_t::object: {
      json out = json::object();
      for (std::size_t i = 0; i < count(); ++i)
        out[std::string(members_[i].key)] = members_[i].value.to_json();
      return out;
    }
    default:
      return nullptr;
  }
}

// The parser's per-depth work lists, kept between parses: a request of a few
// bytes is parsed without allocating them again (only its arena).
struct ParserScratch {
  std::vector<std::vector<FastValue>> elements;
  std::vector<std::vector<FastMember>> members;
};

class FastParser {
 public:
  FastParser(std::string_view text, Arena& arena, std::size_t max_depth)
      : p_(text.data()), end_(text.data() + text.size()), arena_(arena), max_depth_(max_depth) {
    // Taken from the cache (a nested parse finds it empty and makes its own).
    std::swap(elements_, cache().elements);
    std::swap(members_, cache().members);
    if (elements_.size() < max_depth + 2) elements_.resize(max_depth + 2);
    if (members_.size() < max_depth + 2) members_.resize(max_depth + 2);
  }
  ~FastParser() {
    // A failed parse leaves some entries, at the depths it reached. A list
    // grown for a snapshot's long array is let go (it would stay allocated,
    // unused, beside the loaded snapshot); a request's short ones are kept.
    for (std::size_t d = 0; d <= deepest_ && d < elements_.size(); ++d) {
      elements_[d].clear();
      members_[d].clear();
      if (elements_[d].capacity() > kKeptScratch) std::vector<FastValue>().swap(elements_[d]);
      if (members_[d].capacity() > kKeptScratch) std::vector<FastMember>().swap(members_[d]);
    }
    std::swap(elements_, cache().elements);
    std::swap(members_, cache().members);
  }
  FastParser(const FastParser&) = delete;
  FastParser& operator=(const FastParser&) = delete;

  bool parse(FastValue& root) {
    skip_space();
    if (!value(root, 0)) return false;
    skip_space();
    if (p_ != end_) return fail("invalid-json", "unexpected text after the JSON value");
    return true;
  }

  std::string error;
  std::string_view code;

 private:
  bool fail(std::string_view c, std::string message) {
    if (error.empty()) {
      code = c;
      error = std::move(message);
    }
    return false;
  }

  void skip_space() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // Skips the bytes a string holds as they are (printable ASCII other than
  // `"` and `\`) eight at a time: most of a snapshot's text is ids and names.
  void skip_plain() noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    auto zero_byte = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
    while (end_ - p_ >= 8) {
      std::uint64_t v;
      std::memcpy(&v, p_, 8);
      const std::uint64_t special = zero_byte(v ^ (kOnes * '"')) | zero_byte(v ^ (kOnes * '\\')) |
                                    ((v - kOnes * 0x20) & ~v & kHigh) | (v & kHigh);
      if (special != 0) return;
      p_ += 8;
    }
  }

  template <typename T>
  T* allocate(std::size_t n) {
    return static_cast<T*>(arena_.allocate(n * sizeof(T), alignof(T)));
  }

  bool literal(const char* word, std::size_t length) {
    if (static_cast<std::size_t>(end_ - p_) < length || std::memcmp(p_, word, length) != 0) {
      return fail("invalid-json", "expected well-formed JSON text");
    }
    p_ += length;
    return true;
  }

  bool value(FastValue& out, std::size_t depth) {
    if (depth > deepest_) deepest_ = depth;
    if (p_ == end_) return fail("invalid-json", "expected a JSON value, got the end of the text");
    if (++values_ > kMaxValues) {
      return fail("too-large", "expected at most " + std::to_string(kMaxValues) + " JSON values");
    }
    switch (*p_) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"': {
        std::string_view s;
        if (!string(s)) return false;
        if (s.size() > FastValue::kMaxCount) {
          return fail("too-large",
                      "expected strings of at most " + std::to_string(FastValue::kMaxCount) + " bytes");
        }
        out.set(FastValue::value_t::string, s.size());
        out.text_ = s.data();
        return true;
      }
      case 't':
        out.set(FastValue::value_t::boolean, 0);
        out.boolean_ = true;
        return literal("true", 4);
      case 'f':
        out.set(FastValue::value_t::boolean, 0);
        out.boolean_ = false;
        return literal("false", 5);
      case 'n':
        out.set(FastValue::value_t::null, 0);
        return literal("null", 4);
      default:
        return number(out);
    }
  }

  bool array(FastValue& out, std::size_t depth) {
    if (depth > max_depth_) {
      return fail("too-deep", "expected JSON nested at most " + std::to_string(max_depth_) + " levels");
    }
    ++p_;  // [
    std::vector<FastValue>& scratch = elements_[depth];
    const std::size_t start = scratch.size();
    skip_space();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
    } else {
      while (true) {
        skip_space();
        scratch.emplace_back();
        if (!value(scratch.back(), depth)) return false;
        skip_space();
        if (p_ == end_) return fail("invalid-json", "unterminated array");
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ == ']') {
          ++p_;
          break;
        }
        return fail("invalid-json", "expected `,` or `]` in an array");
      }
    }
    const std::size_t n = scratch.size() - start;
    FastValue* items = allocate<FastValue>(n);
    for (std::size_t i = 0; i < n; ++i) new (&items[i]) FastValue(scratch[start + i]);
    scratch.resize(start);
    out.set(FastValue::value_t::array, n);  // n <= kMaxValues < kMaxCount
    out.elements_ = items;
    return true;
  }

  bool object(FastValue& out, std::size_t depth) {
    if (depth > max_depth_) {
      return fail("too-deep", "expected JSON nested at most " + std::to_string(max_depth_) + " levels");
    }
    ++p_;  // {
    std::vector<FastMember>& scratch = members_[depth];
    const std::size_t start = scratch.size();
    skip_space();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
    } else {
      while (true) {
        skip_space();
        if (p_ == end_ || *p_ != '"') return fail("invalid-json", "expected a string key in an object");
        std::string_view key;
        if (!string(key)) return false;
        skip_space();
        if (p_ == end_ || *p_ != ':') return fail("invalid-json", "expected `:` after an object key");
        ++p_;
        skip_space();
        scratch.push_back(FastMember{key, FastValue()});
        if (!value(scratch.back().value, depth)) return false;
        skip_space();
        if (p_ == end_) return fail("invalid-json", "unterminated object");
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ == '}') {
          ++p_;
          break;
        }
        return fail("invalid-json", "expected `,` or `}` in an object");
      }
    }
    const std::size_t n = scratch.size() - start;
    FastMember* items = allocate<FastMember>(n);
    for (std::size_t i = 0; i < n; ++i) new (&items[i]) FastMember(scratch[start + i]);
    scratch.resize(start);
    out.set(FastValue::value_t::object, n);  // n <= kMaxValues < kMaxCount
    out.members_ = items;
    return true;
  }

  static int hex(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Validates one UTF-8 sequence starting at p_ (a byte >= 0x80); advances.
  bool utf8() {
    const std::size_t n = calm::utf8_sequence(p_, end_);
    if (n == 0) return fail("invalid-json", "invalid UTF-8 in a string");
    p_ += n;
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(std::uint32_t& out) {
    if (end_ - p_ < 4) return fail("invalid-json", "invalid `\\u` escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex(p_[i]);
      if (h < 0) return fail("invalid-json", "invalid `\\u` escape");
      out = (out << 4) | static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    return true;
  }

  // A string at p_ (on its opening quote). Without escapes it is a view of the
  // source; with escapes it is decoded into the arena.
  bool string(std::string_view& out) {
    ++p_;  // "
    const char* start = p_;
    skip_plain();
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\') return escaped_string(start, out);
      if (c < 0x20) return fail("invalid-json", "a control character in a string");
      if (c >= 0x80) {
        if (!utf8()) return false;
      } else {
        ++p_;
      }
    }
    return fail("invalid-json", "unterminated string");
  }

  bool escaped_string(const char* start, std::string_view& out) {
    std::string decoded(start, static_cast<std::size_t>(p_ - start));
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        char* copy = allocate<char>(decoded.size() + 1);
        std::memcpy(copy, decoded.data(), decoded.size());
        out = std::string_view(copy, decoded.size());
        return true;
      }
      if (c < 0x20) return fail("invalid-json", "a control character in a string");
      if (c >= 0x80) {
        const char* from = p_;
        if (!utf8()) return false;
        decoded.append(from, static_cast<std::size_t>(p_ - from));
        continue;
      }
      if (c != '\\') {
        decoded += static_cast<char>(c);
        ++p_;
        continue;
      }
      ++p_;
      if (p_ == end_) break;
      const char e = *p_++;
      switch (e) {
        case '"':
          decoded += '"';
          break;
        case '\\':
          decoded += '\\';
          break;
        case '/':
          decoded += '/';
          break;
        case 'b':
          decoded += '\b';
          break;
        case 'f':
          decoded += '\f';
          break;
        case 'n':
          decoded += '\n';
          break;
        case 'r':
          decoded += '\r';
          break;
        case 't':
          decoded += '\t';
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
              return fail("invalid-json", "a lone surrogate");
            p_ += 2;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail("invalid-json", "a lone surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail("invalid-json", "a lone surrogate");
          }
          append_utf8(decoded, cp);
          break;
        }
        default:
          return fail("invalid-json", "an invalid escape in a string");
      }
    }
    return fail("invalid-json", "unterminated string");
  }

  bool number(FastValue& out) {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail("invalid-json", "expected well-formed JSON text");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail("invalid-json", "a malformed number");
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail("invalid-json", "a malformed number");
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (integral) {
      if (*start == '-') {
        std::int64_t v = 0;
        auto r = std::from_chars(start, p_, v);
        if (r.ec == std::errc() && r.ptr == p_) {
          FastNumber n;
          n.integer = v;
          return set_number(out, FastValue::value_t::number_integer, n);
        }
      } else {
        std::uint64_t v = 0;
        auto r = std::from_chars(start, p_, v);
        if (r.ec == std::errc() && r.ptr == p_) {
          FastNumber n;
          if (v <= static_cast<std::uint64_t>(INT64_MAX)) {
            n.integer = static_cast<std::int64_t>(v);
            return set_number(out, FastValue::value_t::number_integer, n);
          }
          n.unsigned_integer = v;
          return set_number(out, FastValue::value_t::number_unsigned, n);
        }
      }
    }
    // std::from_chars for double is missing from Emscripten 3.1.6's libc++: strtod
    // on a bounded copy (the grammar was checked above, so it parses whole).
    char buffer[64];
    const auto length = static_cast<std::size_t>(p_ - start);
    if (length >= sizeof buffer) return fail("invalid-json", "a number longer than 63 characters");
    std::memcpy(buffer, start, length);
    buffer[length] = '\0';
    char* parsed_end = nullptr;
    const double d = std::strtod(buffer, &parsed_end);
    if (parsed_end != buffer + length) return fail("invalid-json", "a malformed number");
    FastNumber n;
    n.number = d;  // out of range parses to +-inf or 0; JSON numbers are read as given
    return set_number(out, FastValue::value_t::number_float, n);
  }

  bool set_number(FastValue& out, FastValue::value_t type, const FastNumber& n) {
    FastNumber* stored = allocate<FastNumber>(1);
    *stored = n;
    out.set(type, 0);
    out.number_ = stored;
    return true;
  }

  const char* p_;
  const char* end_;
  Arena& arena_;
  std::size_t max_depth_;
  /// The most entries a kept work list holds on to between parses.
  static constexpr std::size_t kKeptScratch = 256;
  static ParserScratch& cache() noexcept {
    static thread_local ParserScratch scratch;
    return scratch;
  }

  std::size_t values_ = 0;
  std::size_t deepest_ = 0;  // the deepest `depth` a value was read at (its children are one deeper)
  std::vector<std::vector<FastValue>> elements_;
  std::vector<std::vector<FastMember>> members_;
};

FastDocument::FastDocument(std::string_view text, std::size_t max_depth)
    // Blocks of a sixteenth of the text, at most 1 MiB: a request's document
    // fits one small block; a snapshot's leaves at most about 1 MiB unused.
    : arena_(std::make_unique<Arena>(std::min<std::size_t>(text.size() / 16, std::size_t{1} << 20))) {
  FastParser parser(text, *arena_, max_depth);
  if (!parser.parse(root_)) {
    error_ = parser.error;
    error_code_ = parser.code;
    root_ = FastValue();
  }
}

// The snapshot loader's reader, compiled with this file (for speed in the wasm build).
CALM_INSTANTIATE_READER(FastValue)
#undef CALM_INSTANTIATE_READER

}  // namespace calm::detail
