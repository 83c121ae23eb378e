#pragma once
/// \file
/// Helpers shared by the training workflow and iHasco sync tests: the
/// training organisation fixture (tests/fixtures/training-org.json), command
/// envelopes and assertions (command_util.hpp) and lookups in exported state.
///
/// The fixture, on the reference date 2026-03-02:
///   sites  hq > north > north-lab, hq > south; iHasco connected at north only
///   u-owner      organisation owner
///   u-pm         personnel manager at north (no site role)
///   u-siteadmin  site admin and personnel admin at hq, both with child sites
///   u-padmin     personnel admin at north, no site role
///   u-lee, u-liz, u-kim  personnel members at north (group g-north-team,
///                        with u-nora)
///   u-nora       no personnel role (premises member at north)
///   u-lab        personnel member at north-lab; u-sam at south
///   c-manual-handling draft (content, document, assessment), c-fire published
///   (content, video, assessment: pass mark 75, 3 attempts, 4 questions),
///   c-coshh archived, ih:north:IH-100 iHasco, c-lab-safety at north-lab,
///   c-food at south.

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calm/access.hpp"
#include "calm/training.hpp"
#include "calm/workflow.hpp"
#include "command_util.hpp"
#include "test_util.hpp"

namespace calm::test::training {

using nlohmann::json;

/// The date the fixture is written for.
inline constexpr std::string_view kToday = "2026-03-02";
/// A timestamp on that date.
inline constexpr std::string_view kNow = kCommandAt;

using calm::test::fixture_json;

/// JSON written inline in a test.
inline json J(const char* text) { return json::parse(text); }

/// The strings of `v` as a multiset (order-free comparison).
inline std::multiset<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

/// tests/fixtures/training-org.json.
inline json org() { return fixture_json("training-org.json"); }

/// tests/fixtures/ihasco/payload.json.
inline json ihasco_payload() { return fixture_json("ihasco/payload.json"); }

using calm::test::command;
using calm::test::IsDenied;
using calm::test::IsOk;
using calm::test::show;

/// Refused because of a state rule: `invalid-state` with `rule`.
inline ::testing::AssertionResult IsRefused(const CommandResult& r, std::string_view rule) {
  return IsDenied(r, "invalid-state", rule);
}

/// Rejected with an error at `path` (and `code`, when given).
inline ::testing::AssertionResult HasError(const CommandResult& r, std::string_view path,
                                           std::string_view code = {}) {
  if (r.ok) return ::testing::AssertionFailure() << "expected an error at '" << path << "', got " << show(r);
  for (const Error& e : r.errors) {
    if (e.path == path && (code.empty() || e.code == code)) {
      if (e.message.empty()) return ::testing::AssertionFailure() << "error without a message: " << show(r);
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "expected an error at '" << path << "' " << code << ", got " << show(r);
}

/// The event types of an answer, in order.
inline std::vector<std::string> event_types(const CommandResult& r) {
  std::vector<std::string> out;
  for (const json& e : r.events) out.push_back(e.value("type", std::string("?")));
  return out;
}

/// The first event of `type`, or null.
inline json event_of(const CommandResult& r, std::string_view type) {
  for (const json& e : r.events) {
    if (e.value("type", std::string()) == type) return e;
  }
  return json();
}

/// The item of `list` whose `key` is `id`, or null.
inline json find_in(const json& list, std::string_view id, std::string_view key = "id") {
  if (!list.is_array()) return json();
  for (const json& item : list) {
    if (item.is_object() && item.contains(key) && item[std::string(key)] == id) return item;
  }
  return json();
}

/// The exported state without the applied command ids (which grow with every
/// command): what the organisation looks like.
inline json state_of(const Engine& engine) {
  json s = engine.export_snapshot();
  s.erase("appliedCommands");
  return s;
}

/// Two states are equal; on failure, the JSON Patch from `expected` to `actual`
/// (not two full dumps).
inline ::testing::AssertionResult SameState(const json& actual, const json& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the state differs: " << json::diff(expected, actual).dump();
}

/// A training collection (`courses`, `fulfillments`, ...) item of the export.
inline json training_item(const Engine& engine, std::string_view collection, std::string_view id) {
  const json s = engine.export_snapshot();
  return find_in(s["training"][std::string(collection)], id);
}

/// A personnel record of the export.
inline json record_of(const Engine& engine, std::string_view id) {
  const json s = engine.export_snapshot();
  return find_in(s["personnel"]["records"], id);
}

/// The `value` of an `{ ok: true, value }` view; a failed view is a test failure (null).
inline json value_of(const json& view) {
  EXPECT_TRUE(view.is_object() && view.value("ok", false)) << view.dump();
  return view.is_object() && view.contains("value") ? view["value"] : json();
}

/// The decision code of a `{ ok: false, decision }` view, or "" when none.
inline std::string view_code(const json& view) {
  if (!view.is_object() || view.value("ok", true) || !view.contains("decision")) return "";
  return view["decision"].value("code", std::string());
}

/// Ids of the items of `list` under `key`, sorted.
inline std::vector<std::string> ids_in(const json& list, std::string_view key) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const json& item : list) {
    if (item.is_object() && item.contains(key) && item[std::string(key)].is_string()) {
      out.push_back(item[std::string(key)].get<std::string>());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// An engine with the training organisation loaded.
class TrainingOrgTest : public ::testing::Test {
 protected:
  void SetUp() override { load_ok(engine, org()); }

  /// Applies a command made by `command(...)`.
  CommandResult run(std::string_view type, std::string_view actor, json fields = json::object(),
                    std::string_view at = kNow) {
    return engine.apply(command(type, actor, std::move(fields), at));
  }

  /// Dry-runs a command made by `command(...)`.
  CommandResult try_run(std::string_view type, std::string_view actor, json fields = json::object(),
                        std::string_view at = kNow) const {
    return engine.dry_run(command(type, actor, std::move(fields), at));
  }

  /// The status of a fulfillment in the exported state.
  std::string status_of(std::string_view fulfillment) const {
    return training_item(engine, "fulfillments", fulfillment).value("status", std::string("<absent>"));
  }

  Engine engine;
};

}  // namespace calm::test::training
