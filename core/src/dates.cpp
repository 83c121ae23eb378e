// Calendar dates (see detail/dates.hpp).

#include "detail/dates.hpp"

#include <cstdio>

namespace calm::detail {

namespace {
bool digits(std::string_view text, std::size_t from, std::size_t count) noexcept {
  for (std::size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

unsigned number(std::string_view text, std::size_t from, std::size_t count) noexcept {
  unsigned value = 0;
  for (std::size_t i = from; i < from + count; ++i) value = value * 10 + static_cast<unsigned>(text[i] - '0');
  return value;
}

bool leap(int year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned month_length(int year, unsigned month) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}
}  // namespace

std::optional<CivilDate> parse_date(std::string_view text) noexcept {
  if (text.size() < 10 || !digits(text, 0, 4) || text[4] != '-' || !digits(text, 5, 2) || text[7] != '-' ||
      !digits(text, 8, 2)) {
    return std::nullopt;
  }
  if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') return std::nullopt;
  CivilDate d{static_cast<int>(number(text, 0, 4)), number(text, 5, 2), number(text, 8, 2)};
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > month_length(d.year, d.month)) return std::nullopt;
  return d;
}

bool is_iso_date_or_timestamp(std::string_view text) noexcept {
  if (!parse_date(text)) return false;
  if (text.size() == 10) return true;
  // hh:mm after the `T` (parse_date also takes a space there: RFC 3339 does).
  std::size_t i = 11;
  auto two = [&](unsigned max) {
    if (text.size() < i + 2 || !digits(text, i, 2) || number(text, i, 2) > max) return false;
    i += 2;
    return true;
  };
  if (!two(23) || i >= text.size() || text[i++] != ':' || !two(59)) return false;
  if (i < text.size() && text[i] == ':') {
    ++i;
    if (!two(60)) return false;  // 60: a leap second
    if (i < text.size() && text[i] == '.') {
      const std::size_t start = ++i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
      if (i == start) return false;
    }
  }
  if (i == text.size()) return true;  // local time
  if (text[i] == 'Z') return i + 1 == text.size();
  if (text[i] != '+' && text[i] != '-') return false;
  ++i;
  if (!two(23)) return false;
  if (i < text.size() && text[i] == ':') ++i;
  return two(59) && i == text.size();
}

std::string date_part(std::string_view timestamp) {
  return parse_date(timestamp) ? std::string(timestamp.substr(0, 10)) : std::string(timestamp);
}

std::string add_months(std::string_view date, int months) {
  auto d = parse_date(date);
  if (!d) return {};
  const int total = d->year * 12 + static_cast<int>(d->month) - 1 + months;
  const int year = total / 12;
  const auto month = static_cast<unsigned>(total % 12 + 1);
  const unsigned day = d->day < month_length(year, month) ? d->day : month_length(year, month);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", year, month, day);
  return buffer;
}

std::optional<std::int64_t> days_between(std::string_view a, std::string_view b) noexcept {
  auto da = parse_date(a);
  auto db = parse_date(b);
  if (!da || !db) return std::nullopt;
  return days_from_civil(db->year, db->month, db->day) - days_from_civil(da->year, da->month, da->day);
}

}  // namespace calm::detail
