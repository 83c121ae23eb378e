// The JSON boundary (issue 14): malformed, coerced or oversized input is
// refused whole, never decided as something else, and never aborts.
//   - ACCESS.md section 11 step 1 (changed): ids and actions compared as
//     given; text that is not well-formed UTF-8 (a lone surrogate from JS) is
//     `invalid-request`; bytes after the JSON value (a NUL included) make it
//     malformed; past a documented size limit, a clear error.
//   - ACCESS.md section 10 (changed): whatIf by an editor that is not a known
//     user is refused like any request naming one.
//   - SNAPSHOT.md "What validation checks, exactly" (changed): assets,
//     notifications, step title/body/url, attempt answers and dates; and the
//     commands that write those fields check them the same way, so that no
//     command makes a state that would not reload.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calm/access.hpp"
#include "calm/personnel.hpp"
#include "calm/queries.hpp"
#include "calm/viewer.hpp"
#include "calm/workflow.hpp"
#include "command_util.hpp"
#include "test_util.hpp"

namespace {

using calm::Engine;
using calm::Input;
using nlohmann::json;

const std::string kRequest = R"({"user":"u-owner","action":"site.update","site":"north"})";

json decision_of(const std::string& text) { return json::parse(text); }

Engine training_engine() {
  Engine engine;
  calm::test::load_ok(engine, calm::test::fixture_json("training-org.json"));
  return engine;
}

// ---- Section 11 step 1: text after the value, malformed UTF-8 ----

TEST(Boundary, DecideJsonRefusesANulAndAnyTextAfterTheValue_Access11) {
  const Engine engine = training_engine();
  EXPECT_EQ(decision_of(calm::ffi::decide(engine, kRequest))["code"], "allowed");
  for (const std::string& text : {kRequest + std::string(1, '\0'), kRequest + std::string("\0garbage", 8),
                                  std::string("\0", 1) + kRequest, kRequest + " x", kRequest + "{}"}) {
    const json d = decision_of(calm::ffi::decide(engine, text));
    EXPECT_EQ(d["code"], "invalid-request") << d.dump();
    EXPECT_EQ(d["rule"], "ACCESS-11");
  }
}

TEST(Boundary, ALoneSurrogateIsInvalidRequestNeverAnotherId_Access11) {
  Engine engine;
  json snapshot = calm::test::fixture_json("training-org.json");
  snapshot["users"].push_back({{"id", "u-\xF0\x9F\x91\x91"}});  // u-👑
  snapshot["organisation"]["owners"].push_back("u-\xF0\x9F\x91\x91");
  calm::test::load_ok(engine, snapshot);
  EXPECT_EQ(decision_of(calm::ffi::decide(engine, 
                R"({"user":"u-\ud83d\udc51","action":"site.update","site":"north"})"))["code"],
            "allowed");
  // The escape of a lone surrogate, and its WTF-8 bytes (what JS sends for one).
  for (const std::string& user : {std::string(R"(u-\ud83dQ)"), std::string(R"(u-\udc51)"),
                                  std::string("u-\xED\xA0\xBDQ"), std::string("u-\xED\xB1\x91")}) {
    const json d = decision_of(
        calm::ffi::decide(engine, R"({"user":")" + user + R"(","action":"site.update","site":"north"})"));
    EXPECT_EQ(d["code"], "invalid-request") << user;
  }
  // Strings given directly (the views, capabilities, roles): the same.
  calm::Request request;
  request.user = "u-\xED\xA0\xBDQ";
  request.action = "site.update";
  request.site = "north";
  EXPECT_EQ(calm::test::code_of(engine.check(request)), "invalid-request");
  request.user = "u-\xF0\x9F\x91\x91";
  request.action = "site.update\xED\xA0\xBD";  // an action that is not UTF-8: malformed, not unknown
  EXPECT_EQ(calm::test::code_of(engine.check(request)), "invalid-request");
  for (const calm::Verdict& v : engine.capabilities("u-\xED\xA0\xBDQ", "north")) {
    EXPECT_EQ(calm::test::code_of(v), "invalid-request");
  }
  const json roles = json::parse(calm::ffi::roles(engine, "u-\xED\xA0\xBDQ"));
  EXPECT_EQ(roles["errors"][0]["code"], "invalid-request") << roles.dump();
  EXPECT_EQ(json::parse(calm::ffi::roles(engine, "u-nobody"))["errors"][0]["code"], "unknown-user");
  const json record = calm::record_view(engine, "u-\xED\xA0\xBDQ", "rec-lee");
  EXPECT_EQ(record["decision"]["code"], "invalid-request") << record.dump();
  const json sites = calm::sites_where(engine, "u-\xED\xA0\xBDQ", "site.update");
  EXPECT_EQ(sites["decision"]["code"], "invalid-request") << sites.dump();
}

TEST(Boundary, CommandsAndQuestionsRefuseANulAfterTheValue_Access11) {
  Engine engine = training_engine();
  const json command = calm::test::command("owner.set", "u-owner", {{"user", "u-lee"}});
  const std::string text = command.dump() + std::string("\0{}", 3);
  for (const std::string& answer : {calm::ffi::dry_run(engine, text), calm::ffi::apply(engine, text)}) {
    const json a = json::parse(answer);
    EXPECT_FALSE(a["ok"].get<bool>());
    EXPECT_EQ(a["errors"][0]["code"], "invalid-json") << answer;
  }
  EXPECT_EQ(json::parse(calm::ffi::who_can(
                engine, std::string(R"({"action":"site.update"})") + '\0'))["errors"][0]["code"],
            "invalid-json");
  EXPECT_EQ(json::parse(calm::ffi::what_if(engine, "u-owner", std::string("[]\0", 3)))["errors"][0]["code"],
            "invalid-json");
  EXPECT_FALSE(engine.load(std::string(calm::test::fixture("training-org.json")) + '\0').empty());
}

// ---- Section 11 step 1: documented size limits ----

TEST(Boundary, InputPastItsLimitIsRefusedBeforeParsing_Access11) {
  EXPECT_EQ(calm::input_limit(Input::snapshot), 64u << 20);
  EXPECT_EQ(calm::input_limit(Input::request), 1u << 20);
  EXPECT_EQ(calm::input_limit(Input::command), 16u << 20);
  EXPECT_EQ(calm::input_limit(Input::question), 1u << 20);
  Engine engine = training_engine();
  // Nesting that would be costly to parse: refused by size alone.
  const std::string request(calm::input_limit(Input::request) + 1, '[');
  const json d = decision_of(calm::ffi::decide(engine, request));
  EXPECT_EQ(d["code"], "invalid-request");
  EXPECT_NE(d["message"].get<std::string>().find("1 MiB"), std::string::npos) << d.dump();
  EXPECT_EQ(calm::ffi::decide(engine, request), calm::ffi::oversize(Input::request));

  const std::string command(calm::input_limit(Input::command) + 1, ' ');
  EXPECT_EQ(calm::ffi::apply(engine, command), calm::ffi::oversize(Input::command));
  EXPECT_EQ(calm::ffi::dry_run(engine, command), calm::ffi::oversize(Input::command));
  EXPECT_EQ(json::parse(calm::ffi::oversize(Input::command))["errors"][0]["code"], "too-large");

  const std::string question(calm::input_limit(Input::question) + 1, ' ');
  EXPECT_EQ(calm::ffi::who_can(engine, question), calm::ffi::oversize(Input::question));
  EXPECT_EQ(calm::ffi::what_if(engine, "u-owner", question), calm::ffi::oversize(Input::question));

  std::string snapshot = calm::test::fixture("training-org.json");
  snapshot.resize(calm::input_limit(Input::snapshot) + 1, ' ');  // valid JSON, one byte too many
  const json loaded = json::parse(calm::ffi::load(engine, snapshot));
  EXPECT_FALSE(loaded["ok"].get<bool>());
  EXPECT_EQ(loaded["errors"][0]["code"], "too-large");
  EXPECT_EQ(loaded["errors"][0]["path"], "");
  EXPECT_EQ(decision_of(calm::ffi::decide(engine, kRequest))["code"], "allowed") << "the previous snapshot stays";
}

TEST(Boundary, ASnapshotOfTooManyValuesIsRefusedWithinTheSizeLimit_Access11) {
  // 9 Mi zeros in an ignored field: 18 MiB of text, under the byte limit, but
  // past the value budget that bounds the parser's memory.
  std::string text = R"({"version":1,"organisation":{"id":"o"},"sites":[],"users":[],"grants":[],"pad":[0)";
  text.reserve(text.size() + (std::size_t{18} << 20) + 8);
  for (std::size_t i = 1; i < (std::size_t{9} << 20); ++i) text += ",0";
  text += "]}";
  ASSERT_LT(text.size(), calm::input_limit(Input::snapshot));
  Engine engine;
  const std::vector<calm::Error> errors = engine.load(text);
  ASSERT_EQ(errors.size(), 1u) << calm::test::describe(errors);
  EXPECT_EQ(errors[0].code, "too-large");
}

TEST(Boundary, DeeplyNestedRequestsAreInvalidNotAStackOverflow_Access11) {
  const Engine engine = training_engine();
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(decision_of(calm::ffi::decide(engine, deep))["code"], "invalid-request");
}

// ---- Section 10 (changed): whatIf by an unknown or malformed editor ----

TEST(Boundary, WhatIfByAnUnknownEmptyOrOverlongEditorIsRefused_Access10) {
  const Engine engine = training_engine();
  const json change = {
      {"type", "access.set"}, {"user", "u-lee"}, {"site", "north"}, {"module", "site"}, {"role", "member"}};
  EXPECT_TRUE(json(calm::what_if(engine, "u-owner", change))["ok"].get<bool>());
  for (const json& changes : {json::array(), change, json::array({change})}) {
    for (const auto& [editor, code] :
         std::vector<std::pair<std::string, std::string>>{{"u-nobody", "unknown-user"},
                                                          {"", "invalid-request"},
                                                          {std::string(130, 'x'), "invalid-request"}}) {
      const json answer = calm::what_if(engine, editor, changes);
      EXPECT_FALSE(answer["ok"].get<bool>()) << answer.dump();
      EXPECT_EQ(answer["decision"]["code"], code) << editor << " " << changes.dump();
    }
  }
}

// ---- SNAPSHOT.md "What validation checks, exactly" (changed) ----

struct Gap {
  const char* what;
  const char* fixture;
  std::function<void(json&)> change;
  const char* path;
};

TEST(SnapshotValidation, ChangedChecksRejectEachGapWithItsPath_Snapshot) {
  const std::vector<Gap> gaps = {
      {"an asset 0", "personnel-org.json", [](json& s) { s["personnel"]["records"][0]["assets"] = {0}; },
       "/personnel/records/0/assets/0"},
      {"an asset null", "personnel-org.json",
       [](json& s) { s["personnel"]["records"][0]["assets"] = json::array({nullptr}); },
       "/personnel/records/0/assets/0"},
      {"an asset string", "personnel-org.json",
       [](json& s) { s["personnel"]["records"][0]["assets"] = {"van"}; }, "/personnel/records/0/assets/0"},
      {"an asset without id", "personnel-org.json",
       [](json& s) {
         s["personnel"]["records"][0]["assets"] = {{{"name", "van"}}};
       },
       "/personnel/records/0/assets/0/id"},
      {"duplicate asset ids", "personnel-org.json",
       [](json& s) {
         s["personnel"]["records"][0]["assets"] = {{{"id", "as-1"}}, {{"id", "as-1"}}};
       },
       "/personnel/records/0/assets/1/id"},
      {"notifications -1", "personnel-org.json",
       [](json& s) { s["settings"]["north"]["personnel"]["notifications"] = -1; },
       "/settings/north/personnel/notifications"},
      {"a numeric step body", "training-org.json",
       [](json& s) { s["training"]["courses"][0]["steps"][0]["body"] = 5; },
       "/training/courses/0/steps/0/body"},
      {"a step url that is an object", "training-org.json",
       [](json& s) { s["training"]["courses"][0]["steps"][0]["url"] = json::object(); },
       "/training/courses/0/steps/0/url"},
      {"a numeric step title", "training-org.json",
       [](json& s) { s["training"]["courses"][0]["steps"][0]["title"] = 1; },
       "/training/courses/0/steps/0/title"},
      {"attempt answers \"\"", "training-org.json",
       [](json& s) { s["training"]["attempts"][0]["answers"] = ""; }, "/training/attempts/0/answers"},
      {"an answer that is not an array", "training-org.json",
       [](json& s) { s["training"]["attempts"][0]["answers"]["q1"] = "a"; },
       "/training/attempts/0/answers/q1"},
      {"an empty option id", "training-org.json",
       [](json& s) { s["training"]["attempts"][0]["answers"]["q1"] = {""}; },
       "/training/attempts/0/answers/q1/0"},
      {"dueDate tomorrow", "training-org.json",
       [](json& s) { s["training"]["assignments"][0]["dueDate"] = "tomorrow"; },
       "/training/assignments/0/dueDate"},
      {"a fulfillment dueDate 2026-02-30", "training-org.json",
       [](json& s) { s["training"]["fulfillments"][0]["dueDate"] = "2026-02-30"; },
       "/training/fulfillments/0/dueDate"},
      {"completedAt with a bad time", "training-org.json",
       [](json& s) { s["training"]["fulfillments"][0]["completedAt"] = "2026-01-15T25:00:00Z"; },
       "/training/fulfillments/0/completedAt"},
      {"completedOn empty", "training-org.json",
       [](json& s) { s["training"]["results"][0]["completedOn"] = ""; }, "/training/results/0/completedOn"},
      {"expiresOn a number", "training-org.json",
       [](json& s) { s["training"]["results"][0]["expiresOn"] = 2027; }, "/training/results/0/expiresOn"},
      {"createdAt garbage", "personnel-org.json",
       [](json& s) { s["personnel"]["comments"][0]["createdAt"] = "2026-02-01Tmorning"; },
       "/personnel/comments/0/createdAt"},
      {"issuedAt tomorrow", "training-org.json", [](json& s) { s["issuedAt"] = "tomorrow"; }, "/issuedAt"},
      {"validUntil 01/02/2026", "training-org.json", [](json& s) { s["validUntil"] = "01/02/2026"; },
       "/validUntil"},
  };
  for (const Gap& gap : gaps) {
    json snapshot = calm::test::fixture_json(gap.fixture);
    {
      Engine engine;
      ASSERT_TRUE(engine.load(snapshot.dump()).empty()) << gap.fixture << " must load before the change";
    }
    gap.change(snapshot);
    Engine engine;
    const std::vector<calm::Error> errors = engine.load(snapshot.dump());
    bool named = false;
    for (const calm::Error& e : errors) named = named || e.path == gap.path;
    EXPECT_TRUE(named) << gap.what << ": expected an error at " << gap.path << ", got\n"
                       << calm::test::describe(errors);
  }
}

TEST(SnapshotValidation, IsoDatesAndTimestampsAreTheOnlyDates_Snapshot) {
  // Probed through `issuedAt`; every date field is read by the same check.
  const json base = calm::test::fixture_json("training-org.json");
  auto loads_with = [&](const char* date) {
    json snapshot = base;
    snapshot["issuedAt"] = date;
    Engine engine;
    return engine.load(snapshot.dump()).empty();
  };
  for (const char* good : {"2026-02-28", "2024-02-29", "2026-01-15T10:00:00Z", "2026-01-15T10:00Z",
                           "2026-01-15T10:00:00.123Z", "2026-01-15T10:00:00+01:00",
                           "2026-01-15T10:00:00-0530", "2026-01-15T10:00:00", "2026-01-15 10:00:00Z"}) {
    EXPECT_TRUE(loads_with(good)) << good;
  }
  for (const char* bad :
       {"", "tomorrow", "2026-02-30", "2025-02-29", "2026-1-15", "2026-01-15T", "2026-01-15T10",
        "2026-01-15T24:00:00Z", "2026-01-15T10:60Z", "2026-01-15T10:00:00.Z", "2026-01-15T10:00:00ZZ",
        "2026-01-15T10:00:00+25:00", "2026-01-15x", "20260115"}) {
    EXPECT_FALSE(loads_with(bad)) << bad;
  }
}

// The commands that write those fields check them as a load would: a command
// cannot make a state that does not reload.
TEST(SnapshotValidation, CommandsCannotWriteWhatWouldNotReload_Snapshot) {
  using calm::test::command;
  Engine training = training_engine();
  Engine personnel;
  calm::test::load_ok(personnel, calm::test::fixture_json("personnel-org.json"));
  struct Case {
    const char* what;
    Engine* engine;
    json command;
    const char* path;
  };
  const std::vector<Case> cases = {
      {"course.assign dueDate tomorrow", &training,
       command(
           "course.assign", "u-owner",
           {{"course", "c-fire"}, {"assignment", "a-new"}, {"people", {"u-lee"}}, {"dueDate", "tomorrow"}}),
       "/dueDate"},
      {"result.record completedOn tomorrow", &training,
       command("result.record", "u-owner",
               {{"result",
                 {{"id", "r-new"}, {"user", "u-lee"}, {"course", "c-fire"}, {"completedOn", "tomorrow"}}}}),
       "/result/completedOn"},
      {"an `at` that is not a timestamp", &training,
       command("owner.set", "u-owner", {{"user", "u-lee"}}, "tomorrow"), "/at"},
      {"record.update assets [0]", &personnel,
       command("record.update", "u-owner", {{"record", "rec-lee"}, {"changes", {{"assets", {0}}}}}),
       "/changes/assets/0"},
      {"settings.update notifications -1", &personnel,
       command("settings.update", "u-owner", {{"site", "north"}, {"personnel", {{"notifications", -1}}}}),
       "/personnel/notifications"},
  };
  for (const Case& c : cases) {
    const json before = c.engine->export_snapshot();
    const calm::CommandResult answer = c.engine->apply(c.command);
    EXPECT_FALSE(answer.ok) << c.what << ": " << calm::test::show(answer);
    bool named = false;
    for (const calm::Error& e : answer.errors) named = named || e.path == c.path;
    EXPECT_TRUE(named) << c.what << ": expected an error at " << c.path << ", got "
                       << calm::test::show(answer);
    EXPECT_EQ(c.engine->export_snapshot(), before) << c.what << ": nothing changed";
    Engine reloaded;
    EXPECT_TRUE(reloaded.load(c.engine->export_snapshot().dump()).empty()) << c.what;
  }
}

// `{}` wrapped in `{"x": ...}` until it is nested `levels` deep.
json nested_objects(std::size_t levels) {
  json value = json::object();
  for (std::size_t i = 1; i < levels; ++i) value = json{{"x", std::move(value)}};
  return value;
}

TEST(SnapshotValidation, ACommandIsNestedSoThatTheStateItMakesStillLoads_Snapshot) {
  // A command is kept in the state (`appliedCommands`, 3 levels down) and its
  // free-form values are exported up to 7 levels down (a block's `data`):
  // commands are nested at most 123 levels, so every export (and every viewer
  // snapshot) stays within the 128 levels a load takes.
  using calm::test::command;
  Engine engine;
  calm::test::load_ok(engine, calm::test::fixture_json("personnel-org.json"));
  auto block_add = [](const std::string& id, std::size_t data_levels) {
    return command("block.add", "u-owner",
                   {{"id", id},
                    {"record", "rec-pia"},
                    {"block", {{"id", id}, {"type", "other"}, {"title", "Deep"}, {"data", nested_objects(data_levels)}}}});
  };
  auto reloads = [](const json& snapshot) {
    Engine reloaded;
    const std::vector<calm::Error> errors = reloaded.load(snapshot.dump());
    return errors.empty() ? std::string() : calm::test::describe(errors);
  };
  // At the limit: the command (1) > block (2) > data (3) and 120 levels more.
  ASSERT_TRUE(calm::test::IsOk(engine.apply(block_add("b-deepest", 121))));
  // An unknown member at the limit too: the command is kept whole.
  json unknown = command("owner.set", "u-owner", {{"id", "deep-owner"}, {"user", "u-lee"}});
  unknown["note"] = nested_objects(122);
  ASSERT_TRUE(calm::test::IsOk(engine.apply(unknown)));
  const json state = engine.export_snapshot();
  EXPECT_EQ(reloads(state), "");
  const json viewer = calm::viewer_snapshot(engine, "u-owner");
  ASSERT_EQ(viewer["ok"], true) << viewer.dump();
  EXPECT_EQ(reloads(viewer["value"]), "");

  // One level more is refused whole, with the path of the first level too many.
  std::string too_deep = "/block/data";
  for (int i = 0; i < 121; ++i) too_deep += "/x";
  for (const json& c : {block_add("b-deeper", 122), [&] {
                          json more = command("owner.set", "u-owner", {{"id", "deeper-owner"}, {"user", "u-kim"}});
                          more["note"] = nested_objects(123);
                          return more;
                        }()}) {
    const calm::CommandResult answer = engine.apply(c);
    ASSERT_FALSE(answer.ok) << calm::test::show(answer);
    ASSERT_EQ(answer.errors.size(), 1u) << calm::test::show(answer);
    EXPECT_EQ(answer.errors[0].code, "too-deep");
    EXPECT_NE(answer.errors[0].message.find("at most 123 levels"), std::string::npos) << answer.errors[0].message;
    if (c["type"] == "block.add") EXPECT_EQ(answer.errors[0].path, too_deep);
    EXPECT_FALSE(engine.dry_run(c).ok);
  }
  EXPECT_EQ(engine.export_snapshot(), state) << "nothing changed";
  // As text: past 128 levels refused before it is parsed (path ""), from 124
  // to 128 by the command check (the path of level 124).
  for (const std::size_t levels : {124u, 128u, 129u}) {
    json c = command("owner.set", "u-owner", {{"id", "text-owner"}, {"user", "u-kim"}});
    c["note"] = nested_objects(levels - 1);
    const json answer = json::parse(calm::ffi::apply(engine, c.dump()));
    EXPECT_EQ(answer["ok"], false) << levels;
    EXPECT_EQ(answer["errors"][0]["code"], "too-deep") << answer.dump();
    EXPECT_EQ(answer["errors"][0]["path"].get<std::string>().empty(), levels > 128) << answer.dump();
  }
  EXPECT_EQ(engine.export_snapshot(), state) << "nothing changed";
}

TEST(SnapshotValidation, ACommandsNestingIsCountedOnEveryBranch_Snapshot) {
  // The deepest branch decides, wherever it is: after shallow siblings, in an
  // array or an object, ending in an empty container or a scalar.
  using calm::test::command;
  Engine engine;
  calm::test::load_ok(engine, calm::test::fixture_json("personnel-org.json"));
  // `levels` containers, alternately arrays and objects, each holding an empty
  // container and a scalar before the next (so the branch is `levels + 1`
  // deep); the innermost holds `inner` (at most one level more) too.
  auto branch = [](std::size_t levels, const json& inner) {
    json value = inner;
    for (std::size_t i = 0; i < levels; ++i) {
      value = i % 2 == 0 ? json::array({json::array(), 1, std::move(value)})
                         : json{{"a", json::object()}, {"b", "x"}, {"z", std::move(value)}};
    }
    return value;
  };
  for (const json& inner : {json(nullptr), json::array(), json::object(), json{{"k", 1}}}) {
    json ok = command("owner.set", "u-owner", {{"id", "branch"}, {"user", "u-lee"}});
    ok["a"] = json::array({1, json::object()});
    ok["note"] = branch(121, inner);  // 1 + 122 levels
    ok["z"] = json::object();
    EXPECT_TRUE(calm::test::IsOk(engine.dry_run(ok))) << inner.dump();
    json deeper = ok;
    deeper["note"] = branch(122, inner);  // 1 + 123 levels
    const calm::CommandResult answer = engine.dry_run(deeper);
    ASSERT_EQ(answer.errors.size(), 1u) << inner.dump() << calm::test::show(answer);
    EXPECT_EQ(answer.errors[0].code, "too-deep");
    const json::json_pointer at(answer.errors[0].path);
    ASSERT_TRUE(deeper.contains(at)) << answer.errors[0].path;
    EXPECT_TRUE(deeper.at(at).is_structured()) << answer.errors[0].path;
    // The pointer names the container at level 124: 123 steps from the command.
    EXPECT_EQ(std::count(answer.errors[0].path.begin(), answer.errors[0].path.end(), '/'), 123)
        << answer.errors[0].path;
  }
}

TEST(SnapshotValidation, AViewerSnapshotIssuedAtMustBeADateItCanReload_Snapshot) {
  const Engine engine = training_engine();
  const json refused =
      json::parse(calm::ffi::viewer_snapshot(engine, "u-owner", R"({"issuedAt":"tomorrow"})"));
  EXPECT_FALSE(refused["ok"].get<bool>()) << refused.dump();
  EXPECT_EQ(refused["errors"][0]["path"], "/options/issuedAt") << refused.dump();
  const json issued =
      json::parse(calm::ffi::viewer_snapshot(engine, "u-owner", R"({"issuedAt":"2026-03-02T09:00:00Z"})"));
  ASSERT_TRUE(issued["ok"].get<bool>()) << issued.dump();
  Engine reloaded;
  EXPECT_TRUE(reloaded.load(issued["value"].dump()).empty());
}

TEST(SnapshotValidation, TheDemoOrganisationsAndFixturesStillLoad_Snapshot) {
  for (const char* path :
       {"examples/demo-org.json", "web/demo/demo-org.json", "tests/fixtures/training-org.json",
        "tests/fixtures/personnel-org.json", "tests/fixtures/snapshot-valid.json"}) {
    Engine engine;
    const std::vector<calm::Error> errors =
        engine.load(calm::test::read_text(calm::test::source_dir() / path));
    EXPECT_TRUE(errors.empty()) << path << ":\n" << calm::test::describe(errors);
  }
}

}  // namespace
