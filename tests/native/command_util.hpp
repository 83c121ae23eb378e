#pragma once
/// \file
/// Helpers shared by the workflow tests (training, sync, personnel, user
/// management): command envelopes and assertions on command answers.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "calm/workflow.hpp"
#include "test_util.hpp"

namespace calm::test {

/// The fixtures' reference time (they are written for 2026-03-02).
inline constexpr std::string_view kCommandAt = "2026-03-02T09:00:00Z";

/// A command: `fields` plus the envelope. The id is `cmd-<n>` from a process-wide
/// counter unless `fields` names one.
inline nlohmann::json command(std::string_view type, std::string_view actor,
                              nlohmann::json fields = nlohmann::json::object(), std::string_view at = kCommandAt) {
  static int counter = 0;
  nlohmann::json c = fields.is_object() ? std::move(fields) : nlohmann::json::object();
  if (!c.contains("id")) c["id"] = "cmd-" + std::to_string(++counter);
  c["type"] = std::string(type);
  c["actor"] = std::string(actor);
  c["at"] = std::string(at);
  return c;
}

/// The answer as text, for failure messages.
inline std::string show(const CommandResult& r) { return r.to_json().dump(); }

/// Succeeded, and was not a duplicate.
inline ::testing::AssertionResult IsOk(const CommandResult& r) {
  if (r.ok && !r.decision && r.errors.empty() && !r.duplicate) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected ok, got " << show(r);
}

/// Refused by a decision with `code` (and `rule`, when given); no events.
inline ::testing::AssertionResult IsDenied(const CommandResult& r, std::string_view code,
                                           std::string_view rule = {}) {
  if (r.ok) return ::testing::AssertionFailure() << "expected a denial " << code << ", got " << show(r);
  if (!r.decision)
    return ::testing::AssertionFailure() << "expected a decision " << code << ", got " << show(r);
  if (code_of(*r.decision) != code) {
    return ::testing::AssertionFailure() << "expected code " << code << ", got " << show(r);
  }
  if (!rule.empty() && r.decision->rule != rule) {
    return ::testing::AssertionFailure() << "expected rule " << rule << ", got " << show(r);
  }
  if (r.decision->allowed)
    return ::testing::AssertionFailure() << "a denial must not be allowed: " << show(r);
  if (!r.events.empty())
    return ::testing::AssertionFailure() << "a refused command has no events: " << show(r);
  return ::testing::AssertionSuccess();
}

}  // namespace calm::test
