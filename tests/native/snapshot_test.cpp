// Snapshot validation (SNAPSHOT.md): malformed snapshots are rejected whole
// with the JSON Pointer of the offending value and a stable code; a failed
// load leaves the previous snapshot in force; unknown fields are ignored and
// optional keys default to empty.

#include "calm/snapshot.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calm/access.hpp"
#include "test_util.hpp"

namespace {

using calm::Engine;
using calm::Error;
using nlohmann::json;

json valid() {
  const json doc = json::parse(calm::test::fixture("snapshot-valid.json"), nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << "tests/fixtures/snapshot-valid.json must be JSON";
  return doc;
}

std::string describe_codes(const std::vector<Error>& errors) { return calm::test::describe(errors); }

/// Loads `text` into a fresh engine and expects a rejection that names `path`
/// with one of `codes`.
void expect_rejected(const std::string& text, const std::string& path,
                     std::initializer_list<const char*> codes) {
  Engine engine;
  const std::vector<Error> errors = engine.load(text);
  ASSERT_FALSE(errors.empty()) << "expected a rejection at '" << path << "'";
  EXPECT_FALSE(engine.loaded()) << "a rejected first load leaves nothing loaded";
  const Error* match = nullptr;
  for (const Error& e : errors) {
    EXPECT_FALSE(e.code.empty());
    EXPECT_FALSE(e.message.empty());
    if (e.path == path && match == nullptr) match = &e;
  }
  ASSERT_NE(match, nullptr) << "no error at '" << path << "':\n" << describe_codes(errors);
  bool code_ok = false;
  std::string wanted;
  for (const char* c : codes) {
    code_ok = code_ok || match->code == c;
    wanted += std::string(c) + " ";
  }
  EXPECT_TRUE(code_ok) << "at '" << path << "' got " << match->code << ", wanted one of " << wanted;

  // The same through load_snapshot and the JSON boundary.
  EXPECT_FALSE(calm::load_snapshot(std::string_view(text)).ok());  // std::string alone is ambiguous with json
  const json answer = json::parse(calm::ffi::load(engine, text), nullptr, false);
  ASSERT_FALSE(answer.is_discarded());
  EXPECT_EQ(answer.value("ok", true), false);
  ASSERT_TRUE(answer.contains("errors") && answer["errors"].is_array() && !answer["errors"].empty())
      << answer.dump();
  for (const json& e : answer["errors"]) {
    EXPECT_TRUE(e.contains("code") && e.contains("path") && e.contains("message")) << e.dump();
  }
}

void expect_rejected(const json& doc, const std::string& path, std::initializer_list<const char*> codes) {
  expect_rejected(doc.dump(), path, codes);
}

/// `valid()` changed by `edit`.
json with(const std::function<void(json&)>& edit) {
  json doc = valid();
  edit(doc);
  return doc;
}

json set(const std::string& pointer, json value) {
  return with([&](json& d) { d[json::json_pointer(pointer)] = std::move(value); });
}

json erase(const std::string& pointer) {
  return with([&](json& d) {
    const json::json_pointer p(pointer);
    json& parent = d[p.parent_pointer()];
    if (parent.is_array()) {
      parent.erase(static_cast<json::size_type>(std::stoul(p.back())));
    } else {
      parent.erase(p.back());
    }
  });
}

void expect_loads(const std::string& text) {
  Engine engine;
  const std::vector<Error> errors = engine.load(text);
  EXPECT_TRUE(errors.empty()) << describe_codes(errors);
  EXPECT_TRUE(engine.loaded());
}

std::string decide(const Engine& engine, const char* request) {
  return json::parse(calm::ffi::decide(engine, request)).value("code", std::string("<none>"));
}

// ---------------------------------------------------------------- loads

TEST(SnapshotLoad, TheValidFixtureLoadsWithStats) {
  Engine engine;
  EXPECT_FALSE(engine.loaded());
  const json answer = json::parse(calm::ffi::load(engine, calm::test::fixture("snapshot-valid.json")));
  EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
  EXPECT_TRUE(answer.contains("stats")) << answer.dump();
  EXPECT_TRUE(engine.loaded());
  EXPECT_EQ(engine.snapshot().organisation_id, "org-fixture");
  EXPECT_EQ(engine.snapshot().sites.size(), 4u);
  EXPECT_EQ(decide(engine, R"({"user":"u-1","action":"training.insights.view","site":"north"})"), "allowed");
}

TEST(SnapshotLoad, OptionalTopLevelKeysDefaultToEmpty) {
  Engine engine;
  const std::vector<Error> errors = engine.load(calm::test::fixture("snapshot-minimal.json"));
  ASSERT_TRUE(errors.empty()) << describe_codes(errors);
  const calm::Snapshot& s = engine.snapshot();
  EXPECT_TRUE(s.courses.empty());
  EXPECT_TRUE(s.records.empty());
  EXPECT_TRUE(s.groups.empty());
  EXPECT_TRUE(s.owners.empty());
  EXPECT_EQ(decide(engine, R"({"user":"u-1","action":"site.users.manage","site":"hq"})"), "allowed");
  // No entitlements: personnel is not entitled.
  EXPECT_EQ(decide(engine, R"({"user":"u-1","action":"personnel.record.view","site":"hq"})"), "not-entitled");
}

TEST(SnapshotLoad, UnknownExtraFieldsAreIgnored) {
  json doc = valid();
  doc["futureTopLevel"] = {{"anything", json::array({1, 2, 3})}};
  doc["organisation"]["plan"] = "gold";
  doc["sites"][1]["timezone"] = "Europe/London";
  doc["grants"][0]["expires"] = "2030-01-01";
  doc["users"][0]["avatar"] = nullptr;
  doc["training"]["courses"][0]["colour"] = 7;
  doc["personnel"]["records"][0]["blocks"][0]["icon"] = {{"x", 1}};
  Engine engine;
  const std::vector<Error> errors = engine.load(doc.dump());
  ASSERT_TRUE(errors.empty()) << describe_codes(errors);
  EXPECT_EQ(decide(engine, R"({"user":"u-1","action":"training.insights.view","site":"north"})"), "allowed");
}

TEST(SnapshotLoad, IncludeChildSitesDefaultsToFalse) {
  Engine engine;
  calm::test::load_ok(engine, valid());
  // u-1: personnel manager at north without includeChildSites.
  EXPECT_EQ(decide(engine, R"({"user":"u-1","action":"training.insights.view","site":"north-lab"})"),
            "missing-role");
}

TEST(SnapshotLoad, WorkflowHistoryIsNotValidated) {
  // A published course without steps, a completed fulfillment without attempts.
  json doc = valid();
  doc["training"]["courses"][1]["status"] = "published";
  doc["training"]["fulfillments"].push_back(
      {{"id", "f-3"}, {"course", "c-2"}, {"user", "u-2"}, {"status", "completed"}});
  expect_loads(doc.dump());
}

TEST(SnapshotLoad, AssessmentsFailingW9ValidityStillLoad) {
  // W9 validity binds publishing (W2), not what the server sends.
  const std::string q = "/training/courses/0/steps/1/assessment/questions";
  expect_loads(set(q, json::array()).dump());
  expect_loads(erase(q + "/0/options/1").dump());
  expect_loads(set(q + "/0/correct", json::array()).dump());
  expect_loads(erase(q + "/0/correct").dump());  // W11: a learner's snapshot may omit it
}

TEST(SnapshotLoad, BlockIdsAreUniquePerRecordOnly) {
  // rec-1 and rec-2 both hold a block `b-1` in the fixture.
  expect_loads(valid().dump());
}

TEST(SnapshotLoad, ModuleIdsAreData) {
  expect_loads(
      with([](json& d) {
        d["grants"].push_back({{"user", "u-1"}, {"site", "north"}, {"module", "risks"}, {"role", "admin"}});
      }).dump());
}

TEST(SnapshotLoad, AnIdOf128BytesIsAccepted) {
  const std::string id(128, 'x');
  expect_loads(with([&](json& d) {
                 d["sites"].push_back({{"id", id}, {"name", "Long"}, {"parent", "hq"}});
               }).dump());
}

TEST(SnapshotLoad, ATenMegabyteDisplayNameLoads) {
  const std::string name(10u * 1024u * 1024u, 'n');
  Engine engine;
  const std::vector<Error> errors = engine.load(set("/users/1/name", name).dump());
  ASSERT_TRUE(errors.empty()) << describe_codes(errors);
  EXPECT_EQ(engine.snapshot().users[engine.snapshot().user_ids.find("u-1")].name.size(), name.size());
}

TEST(SnapshotLoad, DeepNestingInAnIgnoredFieldNeverCrashes) {
  const int depth = 100000;
  std::string nested(static_cast<std::size_t>(depth), '[');
  nested.append(static_cast<std::size_t>(depth), ']');
  std::string text = valid().dump();
  text.insert(text.size() - 1, ",\"ignored\":" + nested);
  Engine engine;
  const std::vector<Error> errors = engine.load(text);  // rejected or loaded, never a crash
  for (const Error& e : errors) EXPECT_FALSE(e.code.empty());
  const json answer = json::parse(calm::ffi::load(engine, text), nullptr, false);
  EXPECT_FALSE(answer.is_discarded());
}

TEST(SnapshotLoad, ACommentCycleNeverCrashes) {
  // Not in SNAPSHOT.md's list, so only: rejected or loaded, and decisions still answer.
  const json doc = set("/personnel/comments/0/parent", "cm-2");
  Engine engine;
  const std::vector<Error> errors = engine.load(doc.dump());
  for (const Error& e : errors) EXPECT_FALSE(e.path.empty());
  (void)calm::ffi::decide(engine, 
      R"({"user":"u-1","action":"personnel.comment.view","resource":{"thread":"cm-1"}})");
}

// ---------------------------------------------------------------- a failed load

TEST(SnapshotLoad, AFailedLoadLeavesThePreviousSnapshotInForce) {
  Engine engine;
  calm::test::load_ok(engine, valid());
  const std::vector<const char*> requests = {
      R"({"user":"u-1","action":"training.insights.view","site":"north"})",
      R"({"user":"u-3","action":"training.insights.view","site":"north"})",
      R"({"user":"u-2","action":"site.integrations.manage","site":"north-lab"})",
      R"({"user":"u-owner","action":"users.owner.set","resource":{"target":"u-1"}})",
      R"({"user":"u-3","action":"personnel.comment.view","resource":{"thread":"cm-1"}})",
  };
  std::vector<std::string> before;
  for (const char* r : requests) before.push_back(calm::ffi::decide(engine, r));

  const std::vector<std::string> bad = {calm::test::fixture("snapshot-truncated.json"),
                                        calm::test::fixture("snapshot-site-cycle.json"),
                                        calm::test::fixture("snapshot-unknown-role.json"),
                                        set("/grants/0/user", "u-ghost").dump(),
                                        "",
                                        "null"};
  for (const std::string& text : bad) {
    EXPECT_FALSE(engine.load(text).empty());
    const json answer = json::parse(calm::ffi::load(engine, text));
    EXPECT_EQ(answer.value("ok", true), false);
  }
  EXPECT_TRUE(engine.loaded());
  EXPECT_EQ(engine.snapshot().organisation_id, "org-fixture");
  for (std::size_t i = 0; i < requests.size(); ++i)
    EXPECT_EQ(calm::ffi::decide(engine, requests[i]), before[i]) << requests[i];
}

TEST(SnapshotLoad, ASuccessfulLoadReplacesThePreviousSnapshot) {
  Engine engine;
  calm::test::load_ok(engine, valid());
  calm::test::load_ok(engine, json::parse(calm::test::fixture("snapshot-minimal.json")));
  EXPECT_EQ(engine.snapshot().organisation_id, "org-min");
  EXPECT_EQ(decide(engine, R"({"user":"u-2","action":"site.update","site":"hq"})"), "unknown-user");
}

// ---------------------------------------------------------------- not JSON, not an object

TEST(SnapshotRejects, TruncatedJson) {
  expect_rejected(calm::test::fixture("snapshot-truncated.json"), "", {"invalid-json"});
}

TEST(SnapshotRejects, EmptyText) { expect_rejected(std::string(), "", {"invalid-json"}); }

TEST(SnapshotRejects, InvalidUtf8) {
  const std::string text = calm::test::fixture("snapshot-invalid-utf8.json");
  ASSERT_NE(text.find("\xC3\x28"), std::string::npos);
  expect_rejected(text, "", {"invalid-json"});
}

TEST(SnapshotRejects, ARootThatIsNotAnObject) {
  expect_rejected(calm::test::fixture("snapshot-root-array.json"), "", {"wrong-type"});
  expect_rejected(std::string("null"), "", {"wrong-type"});
  expect_rejected(std::string("\"snapshot\""), "", {"wrong-type"});
  expect_rejected(std::string("1"), "", {"wrong-type"});
}

// ---------------------------------------------------------------- version

TEST(SnapshotRejects, UnsupportedVersion) {
  expect_rejected(calm::test::fixture("snapshot-version-2.json"), "/version", {"unsupported-version"});
  expect_rejected(set("/version", 0), "/version", {"unsupported-version"});
}

TEST(SnapshotRejects, AVersionThatIsAString) {
  expect_rejected(calm::test::fixture("snapshot-version-string.json"), "/version",
                  {"unsupported-version", "wrong-type"});
}

// ---------------------------------------------------------------- missing required fields

TEST(SnapshotRejects, MissingRequiredTopLevelFields) {
  for (const char* key : {"version", "organisation", "sites", "users", "grants"}) {
    SCOPED_TRACE(key);
    expect_rejected(erase(std::string("/") + key), std::string("/") + key, {"missing-field"});
  }
}

TEST(SnapshotRejects, MissingOrganisationId) {
  expect_rejected(calm::test::fixture("snapshot-missing-organisation-id.json"), "/organisation/id",
                  {"missing-field"});
}

TEST(SnapshotRejects, MissingIdsAndGrantFields) {
  expect_rejected(erase("/sites/1/id"), "/sites/1/id", {"missing-field"});
  expect_rejected(erase("/users/2/id"), "/users/2/id", {"missing-field"});
  expect_rejected(erase("/grants/0/role"), "/grants/0/role", {"missing-field"});
  expect_rejected(erase("/grants/1/site"), "/grants/1/site", {"missing-field"});
  expect_rejected(erase("/grants/2/user"), "/grants/2/user", {"missing-field"});
  expect_rejected(erase("/grants/3/module"), "/grants/3/module", {"missing-field"});
}

// ---------------------------------------------------------------- wrong types

TEST(SnapshotRejects, WrongTypes) {
  expect_rejected(set("/sites", json::object()), "/sites", {"wrong-type"});
  expect_rejected(set("/users", "u-1"), "/users", {"wrong-type"});
  expect_rejected(set("/grants", nullptr), "/grants", {"wrong-type"});
  expect_rejected(set("/organisation", json::array()), "/organisation", {"wrong-type"});
  expect_rejected(set("/sites/1/parent", 5), "/sites/1/parent", {"wrong-type"});
  expect_rejected(set("/sites/2", "north-lab"), "/sites/2", {"wrong-type"});
  expect_rejected(set("/grants/1/includeChildSites", "yes"), "/grants/1/includeChildSites", {"wrong-type"});
  expect_rejected(set("/grants/1/includeChildSites", 1), "/grants/1/includeChildSites", {"wrong-type"});
  expect_rejected(set("/grants/0/module", 5), "/grants/0/module", {"wrong-type"});
  expect_rejected(set("/organisation/owners", "u-owner"), "/organisation/owners", {"wrong-type"});
  expect_rejected(set("/organisation/entitlements/0", 3), "/organisation/entitlements/0", {"wrong-type"});
  expect_rejected(set("/users/1/email", 5), "/users/1/email", {"wrong-type"});
  expect_rejected(set("/settings/north/personnel/restrictCommentViewing", "yes"),
                  "/settings/north/personnel/restrictCommentViewing", {"wrong-type"});
  expect_rejected(set("/integrations/north/ihasco/connected", "true"), "/integrations/north/ihasco/connected",
                  {"wrong-type"});
  expect_rejected(set("/personnel/records/0/blocks/0/sensitive", "no"),
                  "/personnel/records/0/blocks/0/sensitive", {"wrong-type"});
  expect_rejected(set("/personnel/records/0/blocks/0/data", "x"), "/personnel/records/0/blocks/0/data",
                  {"wrong-type"});
  expect_rejected(set("/personnel/records/0/files/0/sensitive", 0), "/personnel/records/0/files/0/sensitive",
                  {"wrong-type"});
  expect_rejected(set("/training/courses", json::object()), "/training/courses", {"wrong-type"});
  expect_rejected(set("/settings/north/personnel", true), "/settings/north/personnel", {"wrong-type"});
  expect_rejected(set("/issuedAt", 5), "/issuedAt", {"wrong-type"});
  expect_rejected(set("/personnel/comments/0/body", json::array()), "/personnel/comments/0/body",
                  {"wrong-type"});
}

// ---------------------------------------------------------------- ids

TEST(SnapshotRejects, AnIdOf129BytesOrEmpty) {
  const std::string id(129, 'x');
  expect_rejected(with([&](json& d) {
                    d["sites"].push_back({{"id", id}, {"name", "Long"}});
                  }),
                  "/sites/4/id", {"invalid-id"});
  expect_rejected(set("/users/3/id", ""), "/users/3/id", {"invalid-id"});
  expect_rejected(set("/organisation/id", ""), "/organisation/id", {"invalid-id"});
  expect_rejected(set("/grants/0/module", ""), "/grants/0/module", {"invalid-id"});
}

TEST(SnapshotRejects, DuplicateIds) {
  expect_rejected(calm::test::fixture("snapshot-duplicate-site.json"), "/sites/3/id", {"duplicate-id"});
  expect_rejected(set("/users/2/id", "u-1"), "/users/2/id", {"duplicate-id"});
  expect_rejected(set("/personnel/records/0/blocks/1/id", "b-1"), "/personnel/records/0/blocks/1/id",
                  {"duplicate-id"});
  expect_rejected(
      set("/personnel/records/0/files", json::parse(R"([{"id":"f","name":"a"},{"id":"f","name":"b"}])")),
      "/personnel/records/0/files/1/id", {"duplicate-id"});
  expect_rejected(set("/personnel/companies/0/contacts/1/id", "ct-1"), "/personnel/companies/0/contacts/1/id",
                  {"duplicate-id"});
  expect_rejected(set("/training/courses/0/steps/1/id", "s1"), "/training/courses/0/steps/1/id",
                  {"duplicate-id"});
  expect_rejected(set("/training/courses/1/id", "c-1"), "/training/courses/1/id", {"duplicate-id"});
  expect_rejected(with([](json& d) {
                    json& questions = d["training"]["courses"][0]["steps"][1]["assessment"]["questions"];
                    json copy = questions[0];
                    questions.push_back(copy);
                  }),
                  "/training/courses/0/steps/1/assessment/questions/1/id", {"duplicate-id"});
  expect_rejected(set("/personnel/records/1/id", "rec-1"), "/personnel/records/1/id", {"duplicate-id"});
  expect_rejected(set("/personnel/comments/1/id", "cm-1"), "/personnel/comments/1/id", {"duplicate-id"});
}

// ---------------------------------------------------------------- enums

TEST(SnapshotRejects, UnknownEnumValues) {
  expect_rejected(calm::test::fixture("snapshot-unknown-role.json"), "/grants/3/role", {"unknown-enum"});
  expect_rejected(set("/grants/0/role", "Manager"), "/grants/0/role", {"unknown-enum"});
  expect_rejected(set("/templates/0/roles/personnel", "boss"), "/templates/0/roles/personnel",
                  {"unknown-enum"});
  expect_rejected(set("/training/courses/0/source", "udemy"), "/training/courses/0/source", {"unknown-enum"});
  expect_rejected(set("/training/courses/0/status", "live"), "/training/courses/0/status", {"unknown-enum"});
  expect_rejected(set("/training/courses/0/steps/0/type", "quiz"), "/training/courses/0/steps/0/type",
                  {"unknown-enum"});
  expect_rejected(set("/training/courses/0/steps/1/assessment/questions/0/kind", "essay"),
                  "/training/courses/0/steps/1/assessment/questions/0/kind", {"unknown-enum"});
  // `overdue` is derived, never stored.
  expect_rejected(set("/training/fulfillments/0/status", "overdue"), "/training/fulfillments/0/status",
                  {"unknown-enum"});
  expect_rejected(set("/training/results/0/source", "paper"), "/training/results/0/source", {"unknown-enum"});
  expect_rejected(set("/personnel/records/0/blocks/0/type", "medical"), "/personnel/records/0/blocks/0/type",
                  {"unknown-enum"});
}

// ---------------------------------------------------------------- references

TEST(SnapshotRejects, DanglingReferences) {
  const std::vector<std::pair<const char*, json>> cases = {
      {"/sites/1/parent", "nowhere"},
      {"/organisation/owners/0", "u-ghost"},
      {"/grants/0/site", "west"},
      {"/groups/0/site", "west"},
      {"/groups/0/members/1", "u-ghost"},
      {"/training/courses/0/site", "west"},
      {"/training/assignments/0/course", "c-ghost"},
      {"/training/assignments/0/people/0", "u-ghost"},
      {"/training/assignments/0/groups/0", "g-ghost"},
      {"/training/fulfillments/0/course", "c-ghost"},
      {"/training/fulfillments/0/user", "u-ghost"},
      {"/training/fulfillments/0/assignment", "a-ghost"},
      {"/training/attempts/0/fulfillment", "f-ghost"},
      {"/training/results/0/user", "u-ghost"},
      {"/training/results/0/course", "c-ghost"},
      {"/training/results/0/recordedBy", "u-ghost"},
      {"/personnel/records/0/site", "west"},
      {"/personnel/records/0/user", "u-ghost"},
      {"/personnel/records/0/companies/0", "co-ghost"},
      {"/personnel/companies/0/site", "west"},
      {"/personnel/comments/0/record", "rec-ghost"},
      {"/personnel/comments/0/author", "u-ghost"},
      {"/personnel/comments/1/parent", "cm-ghost"},
  };
  for (const auto& [pointer, value] : cases) {
    SCOPED_TRACE(pointer);
    expect_rejected(set(pointer, value), pointer, {"dangling-reference"});
  }
  expect_rejected(calm::test::fixture("snapshot-dangling-grant-user.json"), "/grants/2/user",
                  {"dangling-reference"});
}

TEST(SnapshotRejects, SettingsAndIntegrationsKeysMustBeSiteIds) {
  expect_rejected(set("/settings/west", json::parse(R"({"personnel":{"restrictCommentViewing":true}})")),
                  "/settings/west", {"dangling-reference"});
  expect_rejected(set("/integrations/west", json::parse(R"({"ihasco":{"connected":true}})")),
                  "/integrations/west", {"dangling-reference"});
}

// ---------------------------------------------------------------- cycles

TEST(SnapshotRejects, ASiteCycle) {
  Engine engine;
  const std::vector<Error> errors = engine.load(calm::test::fixture("snapshot-site-cycle.json"));
  ASSERT_FALSE(errors.empty());
  bool found = false;
  for (const Error& e : errors) {
    if (e.code == "site-cycle") {
      found = true;
      EXPECT_TRUE(e.path == "/sites/0/parent" || e.path == "/sites/1/parent" || e.path == "/sites/2/parent")
          << e.path;
    }
  }
  EXPECT_TRUE(found) << describe_codes(errors);
}

TEST(SnapshotRejects, ASiteThatIsItsOwnParent) {
  expect_rejected(set("/sites/3/parent", "south"), "/sites/3/parent", {"site-cycle"});
}

}  // namespace
