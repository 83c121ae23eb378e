#pragma once
/// \file
/// Training views (TRAINING.md, issue 3): answers shaped for the person asking.
/// Nothing they may not see is in them. Every view asks the decision function
/// (ACCESS.md T2-T5, T10) and never reads a clock: dates come in.
///
/// Each returns `{ ok: true, value }`, `{ ok: false, decision }` when the
/// viewer is denied, or `{ ok: false, errors }` for a malformed argument.

#include <nlohmann/json.hpp>
#include <string_view>

#include "calm/access.hpp"

namespace calm {

/// My Courses / Inbox for `user` on `date` (T2): `{ open, overdue, completed,
/// expiring, expired }`, each fulfillment with its progress and T1 decision.
[[nodiscard]] nlohmann::json my_courses(const Engine& engine, std::string_view user, std::string_view date);

/// One course as `user` may see it (T5); answer keys only for quiz managers (T11).
[[nodiscard]] nlohmann::json course_view(const Engine& engine, std::string_view user,
                                         std::string_view course);

/// Attempts on a fulfillment: the viewer's own, or anyone's with T10.
[[nodiscard]] nlohmann::json attempts_view(const Engine& engine, std::string_view user,
                                           std::string_view fulfillment);

/// Training Insights (W15, T3) at `site` on `date`; with `include_child_sites`
/// the descendants where the viewer holds T3 too.
[[nodiscard]] nlohmann::json insights(const Engine& engine, std::string_view user, std::string_view site,
                                      std::string_view date, bool include_child_sites);

/// The training of `person` (a user id) as shown on their People profile (T4),
/// limited to the sites where the viewer holds T4.
[[nodiscard]] nlohmann::json training_of(const Engine& engine, std::string_view user, std::string_view person,
                                         std::string_view date);

/// `fresh` or `stale` (SNAPSHOT.md "Freshness") on `date`; `fresh` when the
/// snapshot has no `validUntil`.
[[nodiscard]] std::string_view freshness(const Engine& engine, std::string_view date);

}  // namespace calm
