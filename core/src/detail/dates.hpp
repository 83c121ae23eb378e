#pragma once
// Calendar dates as ISO-8601 `YYYY-MM-DD` strings. The engine never reads a
// clock: every date comes from a command or a query.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace calm::detail {

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3u : 9u)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct CivilDate {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
};

/// Parses the leading `YYYY-MM-DD` of an ISO-8601 date or timestamp.
std::optional<CivilDate> parse_date(std::string_view text) noexcept;
/// True for an ISO-8601 date (`YYYY-MM-DD`) or timestamp (the date, `T`,
/// `hh:mm`, optional `:ss` and fraction, optional `Z` or `+hh:mm`), as the
/// snapshot's and commands' date fields must be (SNAPSHOT.md, changed).
bool is_iso_date_or_timestamp(std::string_view text) noexcept;
/// The `YYYY-MM-DD` part of an ISO-8601 timestamp (the text itself when it is not one).
std::string date_part(std::string_view timestamp);
/// `date` plus `months` calendar months, the day clamped to the month's length.
std::string add_months(std::string_view date, int months);
/// Days from `a` to `b` (b - a), or nullopt when either is not a date.
std::optional<std::int64_t> days_between(std::string_view a, std::string_view b) noexcept;

}  // namespace calm::detail
