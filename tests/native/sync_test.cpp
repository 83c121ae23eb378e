// iHasco sync (TRAINING.md W13, W14; ACCESS.md T13): the payload of
// tests/fixtures/ihasco/payload.json merged into the training organisation at
// north, twice (the second time changing nothing), changed, malformed, and
// refused before the integration is connected or for a member.
//
// What the payload holds against tests/fixtures/training-org.json:
//   courses  IH-100 (already synced, same content), IH-200 and IH-300 (new)
//   people   P-1 Lee (upper-case email), P-2 Liz (mixed case, an unmapped
//            field), P-3 a contractor with a record but no user, P-4 nobody,
//            P-5 Kim (no custom fields)
//   results  R-9001 (already synced, same), R-9002 (P-2), R-9003 (by email),
//            R-9004 (unmatched person), R-9005 (unknown course), R-9006 (P-3:
//            a record but no user to hold the result)

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "calm/access.hpp"
#include "calm/training.hpp"
#include "calm/workflow.hpp"
#include "test_util.hpp"
#include "training_fixture.hpp"

namespace {

using calm::CommandResult;
using calm::test::training::as_set;
using calm::test::training::event_types;
using calm::test::training::find_in;
using calm::test::training::HasError;
using calm::test::training::ihasco_payload;
using calm::test::training::IsDenied;
using calm::test::training::IsOk;
using calm::test::training::IsRefused;
using calm::test::training::J;
using calm::test::training::kToday;
using calm::test::training::record_of;
using calm::test::training::SameState;
using calm::test::training::state_of;
using calm::test::training::training_item;
using calm::test::training::TrainingOrgTest;
using calm::test::training::value_of;
using nlohmann::json;

class SyncIhasco : public TrainingOrgTest {
 protected:
  CommandResult sync(json payload, std::string_view actor = "u-pm", std::string_view site = "north") {
    return run("integration.sync", actor, {{"site", std::string(site)}, {"payload", std::move(payload)}});
  }

  /// `kind:id` of every item of a report's `unmatched` list, sorted.
  static std::multiset<std::string> unmatched_of(const CommandResult& r) {
    std::multiset<std::string> out;
    for (const json& u : r.result.value("unmatched", json::array())) {
      out.insert(u.value("kind", std::string("?")) + ":" + u.value("id", std::string("?")));
    }
    return out;
  }

  /// The report without its `unmatched` list.
  static json counts_of(const CommandResult& r) {
    json out = r.result;
    if (out.is_object()) out.erase("unmatched");
    return out;
  }

  /// The number of results in the state with this external id.
  int results_with_external_id(std::string_view external) const {
    int n = 0;
    json exported = engine.export_snapshot();
    for (const json& r : exported["training"]["results"]) {
      if (r.value("externalId", std::string()) == external) ++n;
    }
    return n;
  }
};

const std::multiset<std::string> kUnmatched = {"person:P-4", "result:R-9004", "result:R-9005",
                                               "result:R-9006"};

// ============================================================ the first merge

TEST_F(SyncIhasco, W14_TheFirstSyncReportsCreatedUpdatedUnchangedAndUnmatchedPerKind) {
  CommandResult r = sync(ihasco_payload());
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(counts_of(r), J(R"({
    "courses": {"created": 2, "updated": 0, "unchanged": 1},
    "people": {"matched": 4, "unmatched": 1},
    "customFields": {"updated": 4, "unchanged": 1},
    "results": {"created": 2, "updated": 0, "unchanged": 1, "unmatched": 3},
    "fulfillments": {"completed": 0}})"));
  EXPECT_EQ(unmatched_of(r), kUnmatched);
  json ghost = find_in(r.result["unmatched"], "P-4");
  EXPECT_EQ(ghost["kind"], "person");
}

TEST_F(SyncIhasco, W14_TheFirstSyncEmitsOneEventPerChangeWithActorSystem) {
  CommandResult r = sync(ihasco_payload());
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(as_set(event_types(r)),
            as_set({"training.course.created", "training.course.created", "training.result.recorded",
                    "training.result.recorded", "personnel.record.updated", "training.integration.synced"}));
  std::multiset<std::string> subjects;
  for (const json& e : r.events) {
    EXPECT_EQ(e["site"], "north") << e.dump();
    EXPECT_EQ(e["at"], calm::test::training::kNow) << e.dump();
    if (e["type"] == "training.integration.synced") continue;
    EXPECT_EQ(e["actor"], "system") << "sync-made changes carry actor system: " << e.dump();
    if (e["type"] != "personnel.record.updated") subjects.insert(e["subject"].get<std::string>());
  }
  EXPECT_EQ(subjects, (std::multiset<std::string>{"ih:north:IH-200", "ih:north:IH-300", "ih:north:R-9002",
                                                  "ih:north:R-9003"}));
}

TEST_F(SyncIhasco, W14_CoursesAreUpsertedByExternalIdAsPublishedIhascoCourses) {
  ASSERT_TRUE(IsOk(sync(ihasco_payload())));
  json dse = training_item(engine, "courses", "ih:north:IH-200");
  ASSERT_FALSE(dse.is_null());
  EXPECT_EQ(dse["source"], "ihasco");
  EXPECT_EQ(dse["externalId"], "IH-200");
  EXPECT_EQ(dse["status"], "published");
  EXPECT_EQ(dse["site"], "north");
  EXPECT_EQ(dse["title"], "Display screen equipment");
  EXPECT_EQ(dse["description"], "iHasco: workstation set-up and breaks");
  EXPECT_EQ(dse["validityMonths"], 36);
  // The course that was already there is the same course, not a second one.
  int heights = 0;
  json exported = engine.export_snapshot();
  for (const json& c : exported["training"]["courses"]) {
    if (c.value("externalId", std::string()) == "IH-100") ++heights;
  }
  EXPECT_EQ(heights, 1);
  // A synced course is external: read-only without T7, never assigned by hand (W6).
  EXPECT_EQ(value_of(calm::course_view(engine, "u-pm", "ih:north:IH-200"))["readOnly"], true);
  EXPECT_TRUE(IsDenied(
      run("course.assign", "u-pm",
          {{"course", "ih:north:IH-200"}, {"assignment", "a-dse"}, {"people", json::array({"u-lee"})}}),
      "external-course"));
}

TEST_F(SyncIhasco, W14_PeopleAreMatchedToUsersAndRecordsByEmailCaseInsensitively) {
  ASSERT_TRUE(IsOk(sync(ihasco_payload())));
  // P-1 LEE.LEARNER@ACME.EXAMPLE -> rec-lee; P-2 Liz.Lane@Acme.Example -> rec-liz.
  EXPECT_EQ(record_of(engine, "rec-lee")["customFields"],
            J(R"({"department": "Warehouse", "employeeNumber": "E-1001"})"));
  EXPECT_EQ(record_of(engine, "rec-liz")["customFields"]["employeeNumber"], "E-1002");
  // P-3 has a record (mixed-case email there) but no user.
  EXPECT_EQ(record_of(engine, "rec-chris")["customFields"], J(R"({"department": "Contractors"})"));
  // Results follow their person: R-9002 (P-2) is Liz's, R-9003 (by email, mixed case) is Kim's.
  EXPECT_EQ(training_item(engine, "results", "ih:north:R-9002")["user"], "u-liz");
  EXPECT_EQ(training_item(engine, "results", "ih:north:R-9003")["user"], "u-kim");
  // Nobody else's record changed.
  EXPECT_EQ(record_of(engine, "rec-kim")["customFields"], json::object());
  EXPECT_EQ(record_of(engine, "rec-sam")["customFields"], json::object());
}

TEST_F(SyncIhasco, W14_CustomFieldsAreStoredAsMappedAndUnmappedOnesAreNotStored) {
  ASSERT_TRUE(IsOk(sync(ihasco_payload())));
  json liz = record_of(engine, "rec-liz")["customFields"];
  EXPECT_EQ(liz, J(R"({"department": "Office", "employeeNumber": "E-1002"})"));
  json exported = engine.export_snapshot();
  for (const json& rec : exported["personnel"]["records"]) {
    EXPECT_FALSE(rec["customFields"].contains("Shoe size")) << rec.dump();
    EXPECT_FALSE(rec["customFields"].contains("Department")) << rec.dump();
  }
}

TEST_F(SyncIhasco, W14_WithoutAMappingCustomFieldsAreStoredUnderTheirOwnNamesOnTheSitesRecordsOnly) {
  ASSERT_TRUE(
      IsOk(run("integration.connect", "u-siteadmin", {{"site", "south"}, {"settings", json::object()}})));
  CommandResult r = sync(J(R"({"people": [
      {"id": "S-1", "email": "SAM.SOUTH@acme.example", "customFields": {"Depot": "South", "Forklift": true}},
      {"id": "S-2", "email": "lee.learner@acme.example", "customFields": {"Depot": "Visiting"}}]})"),
                         "u-siteadmin", "south");
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(record_of(engine, "rec-sam")["customFields"], J(R"({"Depot": "South", "Forklift": true})"));
  // Lee is a user of the organisation, but his record is at north: not touched by a south sync.
  EXPECT_EQ(record_of(engine, "rec-lee")["customFields"], J(R"({"department": "Warehouse"})"));
  EXPECT_EQ(r.result["people"], J(R"({"matched": 2, "unmatched": 0})"));
  EXPECT_EQ(r.result["customFields"], J(R"({"updated": 2, "unchanged": 0})"));
}

TEST_F(SyncIhasco, W14_ResultsAreUpsertedByTheirExternalId) {
  ASSERT_TRUE(IsOk(sync(ihasco_payload())));
  json dse = training_item(engine, "results", "ih:north:R-9002");
  ASSERT_FALSE(dse.is_null());
  EXPECT_EQ(dse["source"], "ihasco");
  EXPECT_EQ(dse["externalId"], "R-9002");
  EXPECT_EQ(dse["course"], "ih:north:IH-200");
  EXPECT_EQ(dse["title"], "Display screen equipment");
  EXPECT_EQ(dse["completedOn"], "2026-02-10");
  EXPECT_EQ(dse["score"], 88);
  EXPECT_EQ(dse["expiresOn"], "2029-02-10");
  EXPECT_EQ(dse["file"], "https://certificates.ihasco.example/R-9002.pdf");
  EXPECT_EQ(results_with_external_id("R-9001"), 1);
  // iHasco corrects a score: the same result is updated, not duplicated.
  json payload = ihasco_payload();
  payload["results"][1]["score"] = 92;
  CommandResult again = sync(payload);
  ASSERT_TRUE(IsOk(again));
  EXPECT_EQ(again.result["results"], J(R"({"created": 0, "updated": 1, "unchanged": 2, "unmatched": 3})"));
  EXPECT_EQ(training_item(engine, "results", "ih:north:R-9002")["score"], 92);
  EXPECT_EQ(results_with_external_id("R-9002"), 1);
  EXPECT_EQ(as_set(event_types(again)), as_set({"training.result.updated", "training.integration.synced"}));
}

TEST_F(SyncIhasco, W14_SyncedResultsShowOnPeopleProfilesAndInInsights) {
  ASSERT_TRUE(IsOk(sync(ihasco_payload())));
  json liz = value_of(calm::training_of(engine, "u-pm", "u-liz", kToday));
  json dse = find_in(liz["results"], "ih:north:R-9002", "result");
  ASSERT_FALSE(dse.is_null()) << liz.dump();
  EXPECT_EQ(dse["source"], "ihasco");
  EXPECT_EQ(dse["state"], "valid");
  json v = value_of(calm::insights(engine, "u-pm", "north", kToday, false));
  EXPECT_EQ(v["totals"]["resultsExpiring"], 1);  // only Lee's first aid
  EXPECT_EQ(v["totals"]["resultsExpired"], 0);
}

// ======================================================= idempotent re-merge

TEST_F(SyncIhasco, W14_TheSameSyncTwiceChangesNothingTheSecondTime) {
  ASSERT_TRUE(IsOk(sync(ihasco_payload())));
  json after_first = state_of(engine);
  CommandResult second = sync(ihasco_payload());
  ASSERT_TRUE(IsOk(second));
  EXPECT_FALSE(second.duplicate) << "a new command id: a real second sync";
  EXPECT_EQ(counts_of(second), J(R"({
    "courses": {"created": 0, "updated": 0, "unchanged": 3},
    "people": {"matched": 4, "unmatched": 1},
    "customFields": {"updated": 0, "unchanged": 5},
    "results": {"created": 0, "updated": 0, "unchanged": 3, "unmatched": 3},
    "fulfillments": {"completed": 0}})"));
  EXPECT_EQ(unmatched_of(second), kUnmatched);
  EXPECT_EQ(event_types(second), std::vector<std::string>{"training.integration.synced"})
      << "no change events";
  EXPECT_TRUE(SameState(state_of(engine), after_first));
  // And a third time, after an export and load (the next session).
  calm::test::load_ok(engine, engine.export_snapshot());
  CommandResult third = sync(ihasco_payload());
  EXPECT_EQ(counts_of(third), counts_of(second));
  EXPECT_TRUE(SameState(state_of(engine), after_first));
}

TEST_F(SyncIhasco, W14_TwoPayloadPeopleWithTheSameEmailStillMergeIdempotently) {
  // iHasco can hold the same person twice (an old and a new account), with
  // emails differing only in case: the merge must still settle.
  json payload = J(R"({"people": [
      {"id": "P-old", "email": "lee.learner@acme.example", "customFields": {"Department": "Warehouse", "Employee No": "E-0001"}},
      {"id": "P-new", "email": "Lee.Learner@ACME.example", "customFields": {"Department": "Dispatch", "Employee No": "E-1001"}}]})");
  ASSERT_TRUE(IsOk(sync(payload)));
  json after_first = state_of(engine);
  CommandResult second = sync(payload);
  ASSERT_TRUE(IsOk(second));
  EXPECT_EQ(second.result["customFields"]["updated"], 0) << second.result.dump();
  EXPECT_EQ(event_types(second), std::vector<std::string>{"training.integration.synced"});
  EXPECT_EQ(record_of(engine, "rec-lee")["customFields"],
            after_first["personnel"]["records"][0]["customFields"]);
  EXPECT_TRUE(SameState(state_of(engine), after_first));
}

TEST_F(SyncIhasco, W14_AChangedPayloadUpdatesOnlyWhatChanged) {
  ASSERT_TRUE(IsOk(sync(ihasco_payload())));
  json payload = ihasco_payload();
  payload["courses"][0]["description"] = "iHasco: ladders, steps, scaffolds and MEWPs";
  payload["people"][1]["customFields"]["Department"] = "Finance";
  payload["results"][2]["score"] = 96;
  CommandResult r = sync(payload);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(counts_of(r), J(R"({
    "courses": {"created": 0, "updated": 1, "unchanged": 2},
    "people": {"matched": 4, "unmatched": 1},
    "customFields": {"updated": 1, "unchanged": 4},
    "results": {"created": 0, "updated": 1, "unchanged": 2, "unmatched": 3},
    "fulfillments": {"completed": 0}})"));
  EXPECT_EQ(as_set(event_types(r)), as_set({"training.course.updated", "training.result.updated",
                                            "personnel.record.updated", "training.integration.synced"}));
  for (const json& e : r.events) {
    if (e["type"] != "training.integration.synced") EXPECT_EQ(e["actor"], "system") << e.dump();
  }
  EXPECT_EQ(training_item(engine, "courses", "ih:north:IH-100")["description"],
            "iHasco: ladders, steps, scaffolds and MEWPs");
  EXPECT_EQ(record_of(engine, "rec-liz")["customFields"]["department"], "Finance");
  EXPECT_EQ(training_item(engine, "results", "ih:north:R-9003")["score"], 96);
}

TEST_F(SyncIhasco, W14_ReplayingTheSameSyncCommandIsADuplicate) {
  json c = calm::test::training::command("integration.sync", "u-pm",
                                         {{"site", "north"}, {"payload", ihasco_payload()}});
  CommandResult first = engine.apply(c);
  ASSERT_TRUE(IsOk(first));
  CommandResult again = engine.apply(c);
  EXPECT_TRUE(again.ok && again.duplicate);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.result, first.result);
}

TEST_F(SyncIhasco, W14_ADryRunReportsTheMergeAndChangesNothing) {
  json before = engine.export_snapshot();
  CommandResult dry = engine.dry_run(calm::test::training::command(
      "integration.sync", "u-pm", {{"site", "north"}, {"payload", ihasco_payload()}}));
  ASSERT_TRUE(IsOk(dry));
  EXPECT_TRUE(SameState(engine.export_snapshot(), before));
  CommandResult applied = sync(ihasco_payload());
  EXPECT_EQ(dry.result, applied.result);
}

TEST_F(SyncIhasco, W14_AnEmptyPayloadChangesNothing) {
  json before = state_of(engine);
  CommandResult r = sync(json::object());
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r.result, J(R"({
    "courses": {"created": 0, "updated": 0, "unchanged": 0},
    "people": {"matched": 0, "unmatched": 0},
    "customFields": {"updated": 0, "unchanged": 0},
    "results": {"created": 0, "updated": 0, "unchanged": 0, "unmatched": 0},
    "fulfillments": {"completed": 0},
    "unmatched": []})"));
  EXPECT_TRUE(SameState(state_of(engine), before));
}

// ====================================================== malformed payloads

TEST_F(SyncIhasco, W14_AMalformedPayloadIsRejectedWholeWithThePathsOfEveryProblem) {
  json before = engine.export_snapshot();
  json payload = ihasco_payload();
  payload["courses"][1].erase("title");
  payload["results"][0]["score"] = 150;
  CommandResult r = sync(payload);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.decision.has_value());
  EXPECT_TRUE(r.events.empty());
  EXPECT_TRUE(HasError(r, "/payload/courses/1/title", "missing-field"));
  EXPECT_TRUE(HasError(r, "/payload/results/0/score", "out-of-range"));
  // Nothing of the valid rest was merged either.
  EXPECT_TRUE(SameState(engine.export_snapshot(), before));
  EXPECT_TRUE(training_item(engine, "courses", "ih:north:IH-300").is_null());
  EXPECT_EQ(record_of(engine, "rec-lee")["customFields"], J(R"({"department": "Warehouse"})"));
}

TEST_F(SyncIhasco, W14_EachKindOfMalformedPayloadIsNamedByItsPath) {
  struct Case {
    const char* name;
    std::function<void(json&)> spoil;
    const char* path;
  };
  const std::vector<Case> cases = {
      {"payload not an object", [](json& c) { c["payload"] = "courses.csv"; }, "/payload"},
      {"payload missing", [](json& c) { c.erase("payload"); }, "/payload"},
      {"courses not an array", [](json& c) { c["payload"]["courses"] = json::object(); }, "/payload/courses"},
      {"a course not an object", [](json& c) { c["payload"]["courses"][2] = 7; }, "/payload/courses/2"},
      {"a course without id", [](json& c) { c["payload"]["courses"][0].erase("id"); },
       "/payload/courses/0/id"},
      {"validity not a number", [](json& c) { c["payload"]["courses"][0]["validityMonths"] = "12"; },
       "/payload/courses/0/validityMonths"},
      {"a person without email", [](json& c) { c["payload"]["people"][0].erase("email"); },
       "/payload/people/0/email"},
      {"a nested custom field",
       [](json& c) { c["payload"]["people"][1]["customFields"]["Department"] = json::object(); },
       "/payload/people/1/customFields/Department"},
      {"a result without completion date", [](json& c) { c["payload"]["results"][1].erase("completedOn"); },
       "/payload/results/1/completedOn"},
      {"a result without person or email",
       [](json& c) {
         c["payload"]["results"][0].erase("person");
         c["payload"]["results"][0].erase("email");
       },
       "/payload/results/0/person"},
      {"a negative score", [](json& c) { c["payload"]["results"][2]["score"] = -1; },
       "/payload/results/2/score"},
      {"two results with one id", [](json& c) { c["payload"]["results"][2]["id"] = "R-9001"; },
       "/payload/results/2/id"},
      {"two courses with one id", [](json& c) { c["payload"]["courses"][1]["id"] = "IH-100"; },
       "/payload/courses/1/id"},
  };
  json before = engine.export_snapshot();
  for (const Case& k : cases) {
    json c = calm::test::training::command("integration.sync", "u-pm",
                                           {{"site", "north"}, {"payload", ihasco_payload()}});
    k.spoil(c);
    CommandResult r = engine.apply(c);
    EXPECT_TRUE(HasError(r, k.path)) << k.name;
    EXPECT_TRUE(r.events.empty()) << k.name;
    EXPECT_TRUE(SameState(engine.export_snapshot(), before)) << k.name;
  }
}

// ================================================================ T13 guard

TEST_F(SyncIhasco, T13_SyncBeforeTheIntegrationIsConnectedIsDenied) {
  json before = engine.export_snapshot();
  EXPECT_TRUE(IsDenied(sync(ihasco_payload(), "u-siteadmin", "south"), "integration-not-connected", "T13"));
  EXPECT_TRUE(IsDenied(sync(ihasco_payload(), "u-owner", "south"), "integration-not-connected"));
  EXPECT_TRUE(
      IsDenied(sync(ihasco_payload(), "u-siteadmin", "hq"), "integration-not-connected"));  // never inherited
  EXPECT_TRUE(IsDenied(sync(ihasco_payload(), "u-siteadmin", "north-lab"), "integration-not-connected"));
  EXPECT_TRUE(SameState(engine.export_snapshot(), before));
  // Once connected, the same sync is allowed.
  ASSERT_TRUE(
      IsOk(run("integration.connect", "u-siteadmin", {{"site", "south"}, {"settings", json::object()}})));
  CommandResult r = sync(ihasco_payload(), "u-siteadmin", "south");
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(training_item(engine, "courses", "ih:south:IH-200").is_null());
  EXPECT_EQ(training_item(engine, "courses", "ih:south:IH-200")["site"], "south");
}

TEST_F(SyncIhasco, T13_SyncByAPersonnelMemberOrWithoutAPersonnelRoleIsDenied) {
  json before = engine.export_snapshot();
  EXPECT_TRUE(IsDenied(sync(ihasco_payload(), "u-lee"), "missing-role", "T13"));
  EXPECT_TRUE(IsDenied(sync(ihasco_payload(), "u-kim"), "missing-role"));
  EXPECT_TRUE(IsDenied(sync(ihasco_payload(), "u-nora"), "missing-role"));
  EXPECT_TRUE(IsDenied(sync(ihasco_payload(), "u-pm", "south"), "missing-role"));
  EXPECT_TRUE(IsDenied(sync(ihasco_payload(), "u-ghost"), "unknown-user"));
  EXPECT_TRUE(SameState(engine.export_snapshot(), before));
}

TEST_F(SyncIhasco, T13_PersonnelManagersAndAdminsMaySyncWhereConnected) {
  EXPECT_TRUE(IsOk(engine.dry_run(calm::test::training::command(
      "integration.sync", "u-pm", {{"site", "north"}, {"payload", json::object()}}))));
  EXPECT_TRUE(IsOk(engine.dry_run(calm::test::training::command(
      "integration.sync", "u-padmin", {{"site", "north"}, {"payload", json::object()}}))));
  EXPECT_TRUE(IsOk(engine.dry_run(calm::test::training::command(
      "integration.sync", "u-owner", {{"site", "north"}, {"payload", json::object()}}))));
}

// ======================================= W8 (changed): a synced result completes

TEST_F(SyncIhasco, W8_W14_AnArrivingIhascoResultCompletesThePersonsOpenFulfillmentOfThatCourse) {
  // Lee holds ih-f-lee-height, open, of IH-100; a new iHasco result for Lee on IH-100 arrives.
  ASSERT_EQ(training_item(engine, "fulfillments", "ih-f-lee-height")["status"], "in_progress");
  json payload = ihasco_payload();
  payload["results"].push_back(J(R"({"id": "R-9100", "course": "IH-100", "person": "P-1",
      "completedOn": "2026-03-01", "score": 92, "expiresOn": "2027-03-01"})"));
  CommandResult r = sync(payload);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r.result["fulfillments"], J(R"({"completed": 1})"));
  json f = training_item(engine, "fulfillments", "ih-f-lee-height");
  EXPECT_EQ(f["status"], "completed") << f.dump();
  json completed;
  for (const json& e : r.events) {
    if (e["type"] == "training.fulfillment.completed") completed = e;
  }
  ASSERT_FALSE(completed.is_null()) << r.to_json().dump();
  EXPECT_EQ(completed["subject"], "ih-f-lee-height");
  EXPECT_EQ(completed["actor"], "system");
  EXPECT_EQ(completed["details"]["result"], "ih:north:R-9100");
  // The same payload again changes nothing: no open fulfillment is left to complete.
  json after = state_of(engine);
  CommandResult again = sync(payload);
  ASSERT_TRUE(IsOk(again));
  EXPECT_EQ(again.result["fulfillments"], J(R"({"completed": 0})"));
  EXPECT_TRUE(SameState(state_of(engine), after));
}

TEST_F(SyncIhasco, W8_W14_AnUnchangedResultCompletesNothingAndOtherPeoplesFulfillmentsStayOpen) {
  // R-9001 (Lee, IH-100) is already synced: it arrives again unchanged, so it completes nothing.
  json payload = ihasco_payload();
  CommandResult r = sync(payload);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(r.result["fulfillments"], J(R"({"completed": 0})"));
  EXPECT_EQ(training_item(engine, "fulfillments", "ih-f-lee-height")["status"], "in_progress");
  // A new result for Kim on IH-100 leaves Lee's fulfillment open.
  payload["results"].push_back(
      J(R"({"id": "R-9101", "course": "IH-100", "person": "P-5", "completedOn": "2026-03-01"})"));
  ASSERT_TRUE(IsOk(sync(payload)));
  EXPECT_EQ(training_item(engine, "fulfillments", "ih-f-lee-height")["status"], "in_progress");
}

TEST_F(SyncIhasco, W8_ADryRunOfASyncThatCompletesAFulfillmentReportsItAndChangesNothing) {
  json payload = ihasco_payload();
  payload["results"][0]["score"] = 91;  // R-9001 updated: it arrives again, changed
  json before = engine.export_snapshot();
  CommandResult dry = engine.dry_run(
      calm::test::training::command("integration.sync", "u-pm", {{"site", "north"}, {"payload", payload}}));
  ASSERT_TRUE(IsOk(dry));
  EXPECT_EQ(dry.result["fulfillments"], J(R"({"completed": 1})"));
  EXPECT_TRUE(SameState(engine.export_snapshot(), before));
  ASSERT_TRUE(IsOk(sync(payload)));
  EXPECT_EQ(training_item(engine, "fulfillments", "ih-f-lee-height")["status"], "completed");
}

}  // namespace

// Issue 13: a sync whose payload is refused part-way (courses and people well
// formed, results not) leaves the export byte-identical.
TEST_F(SyncIhasco, W14_ASyncRefusedPartWayLeavesTheExportByteIdentical) {
  const std::string before = engine.export_snapshot().dump();
  json payload = ihasco_payload();
  payload["results"] = 5;
  const CommandResult r = sync(payload);
  EXPECT_FALSE(r.ok) << r.to_json().dump();
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(engine.export_snapshot().dump(), before);
}
