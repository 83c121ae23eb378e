// Personnel workflow (PERSONNEL.md PW1-PW4, ACCESS.md P1-P17): the views are
// shaped for the viewer, so what a viewer may not see is checked for absence
// in the JSON itself; every command is checked for success and for each way
// it can be denied, and a denied command changes nothing.
//
// The organisation is tests/fixtures/personnel-org.json:
//   hq > north (Restrict Comment Viewing on) > north-lab; hq > south (autoCreateRecords on)
//   u-owner owner; u-siteadmin site/personnel/premises/documents admin at hq with child sites;
//   u-pm personnel, site, premises, documents manager at north; u-hr personnel admin at north
//   (no site or premises role); u-lee, u-kim personnel members at north; u-pia personnel and
//   premises member at north; u-nora no personnel role (premises, documents, risks at north);
//   u-lab personnel member at north-lab; u-sm site manager and personnel member at south;
//   u-sam personnel member at south.
//   rec-lee (north) holds every kind of block: b-emp (employment, flag absent: sensitive),
//   b-qual (qualification), b-dbs (flag true), b-ec (emergency contact: reveal required),
//   b-id (identity: sensitive), b-oh (other, flag true), b-rtw (right to work, flag false:
//   visible to members, no reveal), b-fin (financial, revealRequired false); by PW2 (changed)
//   every sensitive block without a revealRequired flag needs a reveal, and so does b-ec;
//   files f-cv and f-passport-scan (sensitive); asset ASSET-VAN-KX21-ABC; company
//   co-subco (sensitive data). Threads on rec-lee: cm-kim-1 (by Kim, replies by the manager
//   and Kim), cm-lee-1 (by Lee, replies by the manager and Lee), cm-pm-1 (by the manager).

#include "calm/personnel.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "calm/access.hpp"
#include "calm/workflow.hpp"
#include "command_util.hpp"
#include "test_util.hpp"

namespace {

using calm::CommandResult;
using calm::Engine;
using calm::test::command;
using calm::test::IsDenied;
using calm::test::IsOk;
using calm::test::show;
using nlohmann::json;

constexpr std::string_view kAt = calm::test::kCommandAt;

json org_json() { return calm::test::fixture_json("personnel-org.json"); }

// Fills `engine` from `snapshot`; a failed load is a test failure.
void load(Engine& engine, const json& snapshot) {
  const auto errors = engine.load(snapshot.dump());
  EXPECT_TRUE(errors.empty()) << calm::test::describe(errors);
}

json event_of(const CommandResult& r, std::string_view type) {
  for (json e : r.events) {
    if (e.value("type", std::string()) == type) return e;
  }
  return json();
}

json find_in(const json& list, std::string_view id) {
  if (!list.is_array()) return json();
  for (json item : list) {
    if (item.is_object() && item.value("id", std::string()) == id) return item;
  }
  return json();
}

std::set<std::string> ids_of(const json& list) {
  std::set<std::string> out;
  if (!list.is_array()) return out;
  for (json item : list) out.insert(item.value("id", std::string("?")));
  return out;
}

// True when the JSON text holds `needle` anywhere (keys or values).
bool mentions(const json& j, std::string_view needle) { return j.dump().find(needle) != std::string::npos; }

// The exported organisation without the ids of applied commands.
json state_of(const Engine& engine) {
  json s = engine.export_snapshot();
  s.erase("appliedCommands");
  return s;
}

json item_of(const json& state, const char* section, const char* collection, std::string_view id) {
  if (!state.contains(section) || !state[section].contains(collection)) return json();
  return find_in(state[section][collection], id);
}

calm::Decision decide(const Engine& engine, json request) { return calm::ffi::decide_value(engine, request); }

class PersonnelWorkflow : public ::testing::Test {
 protected:
  void SetUp() override { load(engine, org_json()); }

  // Applies `c`, expects the denial `code` and checks that nothing changed.
  void expect_denied(const json& c, std::string_view code, std::string_view rule = {}) {
    SCOPED_TRACE(c.dump());
    json before = engine.export_snapshot();
    const CommandResult r = engine.apply(c);
    EXPECT_TRUE(IsDenied(r, code, rule));
    EXPECT_EQ(engine.export_snapshot(), before) << "a denied command must change nothing";
  }

  // Applies `c`, expects errors (a malformed or inconsistent command) and no change.
  void expect_rejected(const json& c) {
    SCOPED_TRACE(c.dump());
    json before = engine.export_snapshot();
    const CommandResult r = engine.apply(c);
    EXPECT_FALSE(r.ok) << show(r);
    EXPECT_TRUE(r.events.empty()) << show(r);
    EXPECT_TRUE(r.decision.has_value() || !r.errors.empty()) << show(r);
    EXPECT_EQ(engine.export_snapshot(), before) << "a rejected command must change nothing";
  }

  json view(std::string_view user, std::string_view record = "rec-lee") const {
    json v = calm::record_view(engine, user, record);
    EXPECT_TRUE(v.value("ok", false)) << v.dump();
    return v.value("value", json::object());
  }

  Engine engine;
};

// Strings that exist only inside sensitive blocks, files and company data of the fixture.
const std::vector<std::string> kSensitiveOnLee = {"SALARY-GBP-31500",   "DBS-001234567890",
                                                  "PASSPORT-925665416", "OH-REFERRAL-77",
                                                  "BANK-ACCT-55779911", "FILE-PASSPORT-SCAN-LEE.pdf"};

// ---- The fixture ------------------------------------------------------------

TEST_F(PersonnelWorkflow, FixtureHoldsTheCasesTheseTestsNeed) {
  const calm::Snapshot& s = engine.snapshot();
  ASSERT_TRUE(engine.loaded());
  const calm::Index lee = s.record_ids.find("rec-lee");
  ASSERT_NE(lee, calm::kNone);
  // Sensitivity by flag and by type default (PERSONNEL.md Decision), reveal by default.
  std::set<std::string> sensitive, reveal;
  for (const calm::Block& b : s.records[lee].blocks) {
    if (b.sensitive) sensitive.insert(b.id);
    if (b.reveal_required) reveal.insert(b.id);
  }
  EXPECT_EQ(sensitive, (std::set<std::string>{"b-emp", "b-dbs", "b-id", "b-oh", "b-fin"}));
  // PW2 (changed): without the flag, every sensitive block and the emergency contact.
  EXPECT_EQ(reveal, (std::set<std::string>{"b-emp", "b-dbs", "b-ec", "b-id", "b-oh"}));
  EXPECT_TRUE(s.settings[s.site_ids.find("north")].restrict_comment_viewing);
  EXPECT_TRUE(s.settings[s.site_ids.find("south")].auto_create_records);
  EXPECT_FALSE(s.settings[s.site_ids.find("north")].auto_create_records);
}

// ---- PW1: views shaped for the viewer ---------------------------------------

TEST_F(PersonnelWorkflow, PW1_MemberRecordViewHoldsNoSensitiveBlock) {
  json v = view("u-lee");
  EXPECT_EQ(ids_of(v["blocks"]), (std::set<std::string>{"b-qual", "b-ec", "b-rtw"}));
  for (const std::string& secret : kSensitiveOnLee)
    EXPECT_FALSE(mentions(v, secret)) << secret << " in " << v.dump();
  // Not even the titles of the sensitive blocks: absent, not flagged.
  for (const char* title : {"Employment", "DBS check", "Passport", "Occupational health", "Bank details"}) {
    EXPECT_FALSE(mentions(v, title)) << title;
  }
  EXPECT_EQ(find_in(v["blocks"], "b-qual")["data"]["certificate"], "QUAL-FLT-2291");
}

TEST_F(PersonnelWorkflow, PW1_MemberRecordViewHoldsNoSensitiveBlockOfAnotherRecordEither) {
  json v = view("u-lee", "rec-kim");
  EXPECT_EQ(ids_of(v["blocks"]), (std::set<std::string>{"b-qual"}));
  EXPECT_FALSE(mentions(v, "SALARY-KIM-29000"));
  EXPECT_TRUE(mentions(v, "QUAL-FIRST-AID-KIM"));
}

TEST_F(PersonnelWorkflow, PW1_MemberRecordViewHoldsNoSensitiveFile) {
  json v = view("u-lee");
  EXPECT_EQ(ids_of(v["files"]), (std::set<std::string>{"f-cv"}));
  EXPECT_FALSE(mentions(v, "f-passport-scan"));
  EXPECT_FALSE(mentions(v, "FILE-PASSPORT-SCAN-LEE.pdf"));
}

TEST_F(PersonnelWorkflow, PW1_P11_ManagerRecordViewHoldsSensitiveBlocksAndFiles) {
  json v = view("u-pm");
  EXPECT_EQ(ids_of(v["blocks"]),
            (std::set<std::string>{"b-emp", "b-qual", "b-dbs", "b-ec", "b-id", "b-oh", "b-rtw", "b-fin"}));
  EXPECT_EQ(ids_of(v["files"]), (std::set<std::string>{"f-cv", "f-passport-scan"}));
  // Sensitive with revealRequired false: the data is there; the others are masked (PW2).
  EXPECT_TRUE(mentions(v, "BANK-ACCT-55779911"));
  for (const char* secret : {"SALARY-GBP-31500", "DBS-001234567890", "OH-REFERRAL-77"}) {
    EXPECT_FALSE(mentions(v, secret)) << secret;
  }
}

TEST_F(PersonnelWorkflow, PW1_P2_AssetsAreAbsentWithoutPremisesAccess) {
  for (const char* viewer : {"u-lee", "u-hr", "u-kim"}) {  // personnel roles, no premises role at north
    SCOPED_TRACE(viewer);
    json v = view(viewer);
    EXPECT_FALSE(v.contains("assets")) << v.dump();
    EXPECT_FALSE(mentions(v, "ASSET-VAN-KX21-ABC"));
    EXPECT_FALSE(mentions(v, "as-van"));
  }
}

TEST_F(PersonnelWorkflow, PW1_P2_AssetsArePresentWithPremisesMember) {
  for (const char* viewer : {"u-pia", "u-pm", "u-siteadmin", "u-owner"}) {
    SCOPED_TRACE(viewer);
    json v = view(viewer);
    ASSERT_TRUE(v.contains("assets")) << v.dump();
    EXPECT_EQ(find_in(v["assets"], "as-van")["name"], "ASSET-VAN-KX21-ABC");
  }
}

TEST_F(PersonnelWorkflow, PW1_P4_MemberCompanyViewHoldsNoSensitiveCompanyData) {
  json answer = calm::company_view(engine, "u-lee", "co-subco");
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  json& v = answer["value"];
  EXPECT_FALSE(v.contains("sensitive")) << v.dump();
  EXPECT_FALSE(mentions(v, "SUBCO-BANK-88442211"));
  EXPECT_FALSE(mentions(v, "SUBCO-INS-7781"));
  EXPECT_EQ(v["name"], "Subco Ltd");
  EXPECT_EQ(v["details"]["address"], "1 Trade Park, Northtown");
  EXPECT_EQ(ids_of(v["contacts"]), (std::set<std::string>{"ct-sue", "ct-raj"}));
}

TEST_F(PersonnelWorkflow, PW1_P11_ManagerCompanyViewHoldsSensitiveCompanyData) {
  json answer = calm::company_view(engine, "u-pm", "co-subco");
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  EXPECT_EQ(answer["value"]["sensitive"]["bankAccount"], "SUBCO-BANK-88442211");
}

TEST_F(PersonnelWorkflow, PW1_P4_RecordViewListsLinkedCompaniesWithoutTheirSensitiveData) {
  json v = view("u-lee");
  ASSERT_TRUE(v.contains("companies")) << v.dump();
  EXPECT_EQ(ids_of(v["companies"]), (std::set<std::string>{"co-subco"}));
  EXPECT_FALSE(mentions(v, "SUBCO-BANK-88442211"));
  EXPECT_FALSE(mentions(v, "SUBCO-INS-7781"));
}

TEST_F(PersonnelWorkflow, PW1_P4_CompanyViewIsDeniedWithoutAPersonnelRole) {
  json answer = calm::company_view(engine, "u-nora", "co-subco");
  EXPECT_FALSE(answer.value("ok", true));
  EXPECT_EQ(answer["decision"]["code"], "missing-role") << answer.dump();
  EXPECT_FALSE(mentions(answer, "SUBCO"));
  // South's member does not see north's company either.
  EXPECT_EQ(json(calm::company_view(engine, "u-sam", "co-subco"))["decision"]["code"], "missing-role");
}

TEST_F(PersonnelWorkflow, PW1_P6_MemberSeesOnlyThreadsTheyStartedWhenRestrictCommentViewingIsOn) {
  json v = view("u-lee");
  ASSERT_EQ(ids_of(v["threads"]), (std::set<std::string>{"cm-lee-1"})) << v["threads"].dump();
  // Every reply of the own thread, including the manager's.
  EXPECT_EQ(ids_of(find_in(v["threads"], "cm-lee-1")["replies"]),
            (std::set<std::string>{"cm-lee-1a", "cm-lee-1b"}));
  EXPECT_TRUE(mentions(v, "PM-REPLY-IN-LEE-THREAD"));
  for (const char* hidden : {"KIM-THREAD-ROOT", "PM-REPLY-IN-KIM-THREAD", "KIM-SECOND-REPLY",
                             "PM-PRIVATE-NOTE", "cm-kim-1", "cm-pm-1"}) {
    EXPECT_FALSE(mentions(v, hidden)) << hidden;
  }
}

TEST_F(PersonnelWorkflow, PW1_P6_CommentsViewHidesThreadsAMemberDidNotStart) {
  json answer = calm::comments_view(engine, "u-kim", "rec-lee");
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  json& threads = answer["value"]["threads"];
  EXPECT_EQ(ids_of(threads), (std::set<std::string>{"cm-kim-1"}));
  EXPECT_EQ(ids_of(find_in(threads, "cm-kim-1")["replies"]),
            (std::set<std::string>{"cm-kim-1a", "cm-kim-1b"}));
  EXPECT_FALSE(mentions(answer, "LEE-THREAD-ROOT"));
  EXPECT_FALSE(mentions(answer, "PM-PRIVATE-NOTE"));
}

TEST_F(PersonnelWorkflow, PW1_P6_ManagerSeesEveryThread) {
  EXPECT_EQ(ids_of(view("u-pm")["threads"]), (std::set<std::string>{"cm-kim-1", "cm-lee-1", "cm-pm-1"}));
  EXPECT_EQ(ids_of(view("u-hr")["threads"]), (std::set<std::string>{"cm-kim-1", "cm-lee-1", "cm-pm-1"}));
}

TEST_F(PersonnelWorkflow, PW1_P6_MemberSeesEveryThreadWhereRestrictCommentViewingIsOff) {
  json v = view("u-sam", "rec-sam");
  EXPECT_EQ(ids_of(v["threads"]), (std::set<std::string>{"cm-sam-1"}));
  EXPECT_TRUE(mentions(v, "SM-THREAD-ON-SAM"));
}

TEST_F(PersonnelWorkflow, PW1_P6_TurningRestrictCommentViewingOffShowsMembersEveryThread) {
  ASSERT_TRUE(IsOk(engine.apply(command(
      "settings.update", "u-pm", {{"site", "north"}, {"personnel", {{"restrictCommentViewing", false}}}}))));
  EXPECT_EQ(ids_of(view("u-lee")["threads"]), (std::set<std::string>{"cm-kim-1", "cm-lee-1", "cm-pm-1"}));
}

TEST_F(PersonnelWorkflow, PW1_P1_RecordViewIsDeniedWithoutAPersonnelRoleAndHoldsNoRecordData) {
  json answer = calm::record_view(engine, "u-nora", "rec-lee");
  EXPECT_FALSE(answer.value("ok", true));
  EXPECT_EQ(answer["decision"]["code"], "missing-role") << answer.dump();
  EXPECT_FALSE(answer.contains("value"));
  EXPECT_FALSE(mentions(answer, "QUAL-FLT-2291"));
  EXPECT_FALSE(mentions(answer, "LEE-THREAD-ROOT"));
  // A member at another site is denied too.
  EXPECT_EQ(json(calm::record_view(engine, "u-sam", "rec-lee"))["decision"]["code"], "missing-role");
}

TEST_F(PersonnelWorkflow, PW1_A4_ChildSiteMemberViewsParentRecordsAsMember) {
  json v = view("u-lab");
  EXPECT_EQ(ids_of(v["blocks"]), (std::set<std::string>{"b-qual", "b-ec", "b-rtw"}));
  EXPECT_TRUE(ids_of(v["threads"]).empty()) << "restricted at north: Lab started no thread";
}

TEST_F(PersonnelWorkflow, PW1_PeopleViewListsTheRecordsOfTheSiteOnly) {
  json answer = calm::people_view(engine, "u-lee", "north");
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  EXPECT_EQ(ids_of(answer["value"]["people"]),
            (std::set<std::string>{"rec-lee", "rec-kim", "rec-pia", "rec-nora", "rec-chris"}));
  for (const std::string& secret : kSensitiveOnLee) EXPECT_FALSE(mentions(answer, secret)) << secret;
  EXPECT_EQ(json(calm::people_view(engine, "u-nora", "north"))["decision"]["code"], "missing-role");
  EXPECT_EQ(json(calm::people_view(engine, "u-lee", "south"))["decision"]["code"], "missing-role");
}

// ---- PW2: reveal --------------------------------------------------------------

TEST_F(PersonnelWorkflow, PW2_RevealRequiredBlocksComeBackMaskedEvenToManagers) {
  json v = view("u-pm");
  // Without a revealRequired flag: every sensitive block (by flag or by type) and the emergency contact.
  for (const char* id : {"b-emp", "b-dbs", "b-ec", "b-id", "b-oh"}) {
    SCOPED_TRACE(id);
    json b = find_in(v["blocks"], id);
    EXPECT_EQ(b.value("masked", false), true) << b.dump();
    EXPECT_EQ(b.value("canReveal", false), true) << b.dump();
    EXPECT_FALSE(b.contains("data")) << b.dump();
  }
  for (const char* secret : {"PASSPORT-925665416", "EC-PHONE-07700900123", "SALARY-GBP-31500",
                             "DBS-001234567890", "OH-REFERRAL-77"}) {
    EXPECT_FALSE(mentions(v, secret)) << secret;
  }
  // revealRequired false overrides the default of a sensitive block; a block that is not
  // sensitive (the flag says so) and not an emergency contact needs no reveal.
  EXPECT_EQ(find_in(v["blocks"], "b-fin")["data"]["account"], "BANK-ACCT-55779911");
  EXPECT_FALSE(find_in(v["blocks"], "b-fin").value("masked", false));
  EXPECT_EQ(find_in(v["blocks"], "b-rtw")["data"]["shareCode"], "RTW-SHARE-W7X9");
  EXPECT_FALSE(find_in(v["blocks"], "b-rtw").value("masked", false));
}

TEST_F(PersonnelWorkflow, PW2_MemberSeesTheEmergencyContactMaskedAndTheNonSensitiveRightToWorkPlain) {
  json v = view("u-lee");
  json ec = find_in(v["blocks"], "b-ec");
  EXPECT_EQ(ec.value("masked", false), true) << ec.dump();
  EXPECT_EQ(ec.value("canReveal", false), true) << "P9 lets a member reveal what they may view";
  EXPECT_FALSE(ec.contains("data")) << ec.dump();
  EXPECT_FALSE(mentions(v, "EC-PHONE-07700900123"));
  json rtw = find_in(v["blocks"], "b-rtw");
  EXPECT_FALSE(rtw.value("masked", false)) << rtw.dump();
  EXPECT_TRUE(mentions(v, "RTW-SHARE-W7X9"));
}

TEST_F(PersonnelWorkflow, PW2_RevealShowsTheDataToTheRevealerAndEmitsAnEvent) {
  const CommandResult r =
      engine.apply(command("block.reveal", "u-pm", {{"record", "rec-lee"}, {"block", "b-id"}}));
  ASSERT_TRUE(IsOk(r));
  json e = event_of(r, "personnel.block.revealed");
  ASSERT_FALSE(e.is_null()) << show(r);
  EXPECT_EQ(e["actor"], "u-pm");
  EXPECT_EQ(e["subject"], "rec-lee");
  EXPECT_EQ(e["site"], "north");
  EXPECT_EQ(e["details"]["block"], "b-id");
  json b = find_in(view("u-pm")["blocks"], "b-id");
  EXPECT_EQ(b["data"]["passport"], "PASSPORT-925665416") << b.dump();
  EXPECT_FALSE(b.value("masked", false));
  // The other reveal-required blocks stay masked for the same viewer.
  EXPECT_FALSE(mentions(view("u-pm"), "EC-PHONE-07700900123"));
}

TEST_F(PersonnelWorkflow, PW2_RevealIsPerViewerOtherViewersStillSeeTheBlockMasked) {
  ASSERT_TRUE(
      IsOk(engine.apply(command("block.reveal", "u-pm", {{"record", "rec-lee"}, {"block", "b-id"}}))));
  for (const char* other : {"u-hr", "u-siteadmin", "u-owner"}) {
    SCOPED_TRACE(other);
    json b = find_in(view(other)["blocks"], "b-id");
    EXPECT_EQ(b.value("masked", false), true) << b.dump();
    EXPECT_FALSE(mentions(view(other), "PASSPORT-925665416"));
  }
}

TEST_F(PersonnelWorkflow, PW2_P11_RevealOfASensitiveBlockByAMemberIsDeniedAndTheBlockStaysHidden) {
  expect_denied(command("block.reveal", "u-lee", {{"record", "rec-lee"}, {"block", "b-id"}}), "missing-role",
                "P11");
  expect_denied(command("block.reveal", "u-lee", {{"record", "rec-lee"}, {"block", "b-emp"}}), "missing-role",
                "P11");
  EXPECT_FALSE(mentions(view("u-lee"), "PASSPORT-925665416"));
  expect_denied(command("block.reveal", "u-nora", {{"record", "rec-lee"}, {"block", "b-ec"}}), "missing-role",
                "P9");
  EXPECT_FALSE(mentions(view("u-lee"), "EC-PHONE-07700900123"));
}

TEST_F(PersonnelWorkflow, PW2_P9_AMemberRevealsAnEmergencyContactTheyMayView) {
  const CommandResult r =
      engine.apply(command("block.reveal", "u-lee", {{"record", "rec-lee"}, {"block", "b-ec"}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.block.revealed").is_null()) << show(r);
  json b = find_in(view("u-lee")["blocks"], "b-ec");
  EXPECT_FALSE(b.value("masked", false)) << b.dump();
  EXPECT_TRUE(mentions(b, "EC-PHONE-07700900123")) << b.dump();
  // For that viewer only.
  EXPECT_FALSE(mentions(view("u-kim"), "EC-PHONE-07700900123"));
}

TEST_F(PersonnelWorkflow, PW2_SensitiveFilesAreAbsentWithoutP11AndNeverMasked) {
  for (const char* viewer : {"u-pm", "u-hr"}) {
    json f = find_in(view(viewer)["files"], "f-passport-scan");
    EXPECT_FALSE(f.is_null()) << viewer;
    EXPECT_FALSE(f.contains("masked")) << f.dump();
  }
  EXPECT_TRUE(find_in(view("u-lee")["files"], "f-passport-scan").is_null());
}

TEST_F(PersonnelWorkflow, PW2_RevealOfAnUnknownBlockIsUnknownResource) {
  expect_denied(command("block.reveal", "u-pm", {{"record", "rec-lee"}, {"block", "b-nope"}}),
                "unknown-resource");
  expect_denied(command("block.reveal", "u-pm", {{"record", "rec-nope"}, {"block", "b-id"}}),
                "unknown-resource");
}

TEST_F(PersonnelWorkflow, PW2_DryRunOfARevealRevealsNothing) {
  const CommandResult r =
      engine.dry_run(command("block.reveal", "u-pm", {{"record", "rec-lee"}, {"block", "b-id"}}));
  EXPECT_TRUE(r.ok) << show(r);
  EXPECT_FALSE(mentions(view("u-pm"), "PASSPORT-925665416"));
}

TEST_F(PersonnelWorkflow, PW2_RevealLastsForTheEngineSessionAndIsNotExported) {
  ASSERT_TRUE(
      IsOk(engine.apply(command("block.reveal", "u-pm", {{"record", "rec-lee"}, {"block", "b-id"}}))));
  json exported = engine.export_snapshot();
  // The same engine, reloaded: still revealed (the session goes on).
  load(engine, exported);
  EXPECT_TRUE(mentions(view("u-pm"), "PASSPORT-925665416"));
  // Another engine (another session) given the exported state: masked again.
  Engine other;
  load(other, exported);
  json v = calm::record_view(other, "u-pm", "rec-lee");
  EXPECT_FALSE(mentions(v, "PASSPORT-925665416")) << v.dump();
}

// ---- PW3: record commands (P8) ------------------------------------------------

TEST_F(PersonnelWorkflow, PW3_P8_ManagerCreatesARecordAtTheirSite) {
  const CommandResult r = engine.apply(command(
      "record.create", "u-pm",
      {{"record",
        {{"id", "rec-new"}, {"site", "north"}, {"name", "Noel New"}, {"email", "noel@acme.example"}}}}));
  ASSERT_TRUE(IsOk(r));
  json e = event_of(r, "personnel.record.created");
  ASSERT_FALSE(e.is_null()) << show(r);
  EXPECT_EQ(e["subject"], "rec-new");
  EXPECT_EQ(e["site"], "north");
  json people = calm::people_view(engine, "u-lee", "north");
  EXPECT_TRUE(ids_of(people["value"]["people"]).count("rec-new")) << people.dump();
  EXPECT_EQ(view("u-lee", "rec-new")["name"], "Noel New");
}

TEST_F(PersonnelWorkflow, PW3_P8_MemberCannotCreateARecord) {
  expect_denied(
      command("record.create", "u-lee", {{"record", {{"id", "rec-new"}, {"site", "north"}, {"name", "X"}}}}),
      "missing-role", "P8");
  expect_denied(
      command("record.create", "u-nora", {{"record", {{"id", "rec-new"}, {"site", "north"}, {"name", "X"}}}}),
      "missing-role", "P8");
}

TEST_F(PersonnelWorkflow, PW3_P8_ManagerCannotCreateARecordAtAnotherSite) {
  expect_denied(
      command("record.create", "u-pm", {{"record", {{"id", "rec-new"}, {"site", "south"}, {"name", "X"}}}}),
      "missing-role", "P8");
  // A2: north's manager is nothing special at north-lab.
  expect_denied(command("record.create", "u-pm",
                        {{"record", {{"id", "rec-new"}, {"site", "north-lab"}, {"name", "X"}}}}),
                "missing-role", "P8");
}

TEST_F(PersonnelWorkflow, PW3_RecordCreateAtAnUnknownSiteIsUnknownSite) {
  expect_denied(
      command("record.create", "u-owner", {{"record", {{"id", "rec-new"}, {"site", "west"}, {"name", "X"}}}}),
      "unknown-site");
}

TEST_F(PersonnelWorkflow, PW3_RecordCreateWithAnExistingIdIsRejected) {
  expect_rejected(
      command("record.create", "u-pm", {{"record", {{"id", "rec-kim"}, {"site", "north"}, {"name", "X"}}}}));
}

TEST_F(PersonnelWorkflow, PW3_P8_ManagerUpdatesARecord) {
  const CommandResult r = engine.apply(
      command("record.update", "u-pm", {{"record", "rec-chris"}, {"changes", {{"name", "Chris Renamed"}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.record.updated").is_null()) << show(r);
  EXPECT_EQ(view("u-lee", "rec-chris")["name"], "Chris Renamed");
}

TEST_F(PersonnelWorkflow, PW3_P8_MemberCannotUpdateEvenTheirOwnRecord) {
  expect_denied(command("record.update", "u-lee", {{"record", "rec-lee"}, {"changes", {{"name", "Lee L"}}}}),
                "missing-role", "P8");
}

TEST_F(PersonnelWorkflow, PW3_RecordUpdateOfAnUnknownRecordIsUnknownResource) {
  expect_denied(command("record.update", "u-pm", {{"record", "rec-nope"}, {"changes", {{"name", "X"}}}}),
                "unknown-resource");
}

TEST_F(PersonnelWorkflow, PW3_DeletingARecordWithdrawsItsOpenFulfillmentsAndKeepsResults) {
  const CommandResult r = engine.apply(command("record.delete", "u-pm", {{"record", "rec-lee"}}));
  ASSERT_TRUE(IsOk(r));
  json e = event_of(r, "personnel.record.deleted");
  ASSERT_FALSE(e.is_null()) << show(r);
  EXPECT_EQ(e["details"]["withdrawn"], json::array({"f-lee-fire"})) << e.dump();
  json s = state_of(engine);
  EXPECT_EQ(item_of(s, "training", "fulfillments", "f-lee-fire")["status"], "withdrawn");
  EXPECT_EQ(item_of(s, "training", "fulfillments", "f-lee-induction")["status"], "completed");
  EXPECT_FALSE(item_of(s, "training", "results", "res-lee-induction").is_null()) << "results are kept";
  // Someone else's fulfillment at the site is untouched.
  EXPECT_EQ(item_of(s, "training", "fulfillments", "f-kim-fire")["status"], "not_started");
}

TEST_F(PersonnelWorkflow, PW3_DeletedRecordIsUnknownToChecksAndViews) {
  ASSERT_TRUE(IsOk(engine.apply(command("record.delete", "u-pm", {{"record", "rec-lee"}}))));
  EXPECT_EQ(calm::test::code_of(decide(engine, {{"user", "u-pm"},
                                                {"action", "personnel.record.view"},
                                                {"resource", {{"record", "rec-lee"}}}})),
            "unknown-resource");
  EXPECT_EQ(calm::test::code_of(decide(engine, {{"user", "u-pm"},
                                                {"action", "personnel.comment.view"},
                                                {"resource", {{"thread", "cm-lee-1"}}}})),
            "unknown-resource");
  EXPECT_EQ(json(calm::record_view(engine, "u-pm", "rec-lee"))["decision"]["code"], "unknown-resource");
  EXPECT_FALSE(ids_of(json(calm::people_view(engine, "u-pm", "north"))["value"]["people"]).count("rec-lee"));
  expect_denied(command("record.update", "u-pm", {{"record", "rec-lee"}, {"changes", {{"name", "X"}}}}),
                "unknown-resource");
}

TEST_F(PersonnelWorkflow, PW3_P8_MemberCannotDeleteARecord) {
  expect_denied(command("record.delete", "u-lee", {{"record", "rec-kim"}}), "missing-role", "P8");
  expect_denied(command("record.delete", "u-pm", {{"record", "rec-sam"}}), "missing-role", "P8");
}

// ---- PW3: blocks and files (P10) ------------------------------------------------

TEST_F(PersonnelWorkflow, PW3_P10_ManagerAddsABlock) {
  const CommandResult r = engine.apply(command("block.add", "u-pm",
                                               {{"record", "rec-kim"},
                                                {"block",
                                                 {{"id", "b-forklift"},
                                                  {"type", "qualification"},
                                                  {"title", "Forklift"},
                                                  {"data", {{"n", "FLT-9"}}}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.block.added").is_null()) << show(r);
  EXPECT_EQ(find_in(view("u-lee", "rec-kim")["blocks"], "b-forklift")["data"]["n"], "FLT-9");
}

TEST_F(PersonnelWorkflow, PW3_P10_MemberCannotAddABlock) {
  expect_denied(
      command("block.add", "u-lee",
              {{"record", "rec-lee"},
               {"block", {{"id", "b-x"}, {"type", "other"}, {"title", "X"}, {"data", json::object()}}}}),
      "missing-role", "P10");
}

TEST_F(PersonnelWorkflow, PW3_AnAddedBlockWithoutAFlagIsSensitiveByItsType) {
  ASSERT_TRUE(IsOk(engine.apply(command(
      "block.add", "u-pm",
      {{"record", "rec-kim"},
       {"block",
        {{"id", "b-dbs"}, {"type", "dbs"}, {"title", "DBS"}, {"data", {{"n", "DBS-KIM-NEW-42"}}}}}}))));
  EXPECT_FALSE(mentions(view("u-lee", "rec-kim"), "DBS-KIM-NEW-42"));
  // Sensitive without a revealRequired flag: masked until the manager reveals it (PW2).
  EXPECT_EQ(find_in(view("u-pm", "rec-kim")["blocks"], "b-dbs").value("masked", false), true);
  ASSERT_TRUE(
      IsOk(engine.apply(command("block.reveal", "u-pm", {{"record", "rec-kim"}, {"block", "b-dbs"}}))));
  EXPECT_TRUE(mentions(view("u-pm", "rec-kim"), "DBS-KIM-NEW-42"));
  // An identity block needs a reveal by default (PW2), even for the manager.
  ASSERT_TRUE(IsOk(engine.apply(command(
      "block.add", "u-pm",
      {{"record", "rec-kim"},
       {"block",
        {{"id", "b-id"}, {"type", "identity"}, {"title", "ID"}, {"data", {{"n", "ID-KIM-NEW-43"}}}}}}))));
  EXPECT_FALSE(mentions(view("u-pm", "rec-kim"), "ID-KIM-NEW-43"));
}

TEST_F(PersonnelWorkflow, PW3_P10_ManagerUpdatesABlock) {
  const CommandResult r =
      engine.apply(command("block.update", "u-pm",
                           {{"record", "rec-lee"},
                            {"block", "b-qual"},
                            {"changes", {{"data", {{"certificate", "QUAL-FLT-3000"}}}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.block.updated").is_null()) << show(r);
  EXPECT_EQ(find_in(view("u-lee")["blocks"], "b-qual")["data"]["certificate"], "QUAL-FLT-3000");
}

TEST_F(PersonnelWorkflow, PW3_P10_MemberCannotUpdateABlock) {
  expect_denied(command("block.update", "u-lee",
                        {{"record", "rec-lee"}, {"block", "b-qual"}, {"changes", {{"title", "Mine"}}}}),
                "missing-role", "P10");
}

TEST_F(PersonnelWorkflow, PW3_BlockUpdateOfAnUnknownBlockIsUnknownResource) {
  expect_denied(command("block.update", "u-pm",
                        {{"record", "rec-lee"}, {"block", "b-nope"}, {"changes", {{"title", "X"}}}}),
                "unknown-resource");
}

TEST_F(PersonnelWorkflow, PW3_P10_ManagerRemovesABlock) {
  const CommandResult r =
      engine.apply(command("block.remove", "u-pm", {{"record", "rec-lee"}, {"block", "b-qual"}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.block.removed").is_null()) << show(r);
  EXPECT_FALSE(ids_of(view("u-pm")["blocks"]).count("b-qual"));
}

TEST_F(PersonnelWorkflow, PW3_P10_MemberCannotRemoveABlock) {
  expect_denied(command("block.remove", "u-lee", {{"record", "rec-lee"}, {"block", "b-qual"}}),
                "missing-role", "P10");
}

TEST_F(PersonnelWorkflow, PW3_P10_ManagerAddsFilesAndASensitiveOneStaysHiddenFromMembers) {
  CommandResult r = engine.apply(command(
      "file.add", "u-pm", {{"record", "rec-kim"}, {"file", {{"id", "f-rota"}, {"name", "rota.pdf"}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.file.added").is_null()) << show(r);
  r = engine.apply(
      command("file.add", "u-pm",
              {{"record", "rec-kim"},
               {"file", {{"id", "f-medical"}, {"name", "FILE-KIM-MEDICAL.pdf"}, {"sensitive", true}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(ids_of(view("u-lee", "rec-kim")["files"]), (std::set<std::string>{"f-rota"}));
  EXPECT_FALSE(mentions(view("u-lee", "rec-kim"), "FILE-KIM-MEDICAL.pdf"));
  EXPECT_EQ(ids_of(view("u-pm", "rec-kim")["files"]), (std::set<std::string>{"f-rota", "f-medical"}));
}

TEST_F(PersonnelWorkflow, PW3_P10_MemberCannotAddAFile) {
  expect_denied(
      command("file.add", "u-lee", {{"record", "rec-lee"}, {"file", {{"id", "f-x"}, {"name", "x.pdf"}}}}),
      "missing-role", "P10");
}

TEST_F(PersonnelWorkflow, PW3_P10_ManagerRemovesAFile) {
  const CommandResult r =
      engine.apply(command("file.remove", "u-pm", {{"record", "rec-lee"}, {"file", "f-cv"}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.file.removed").is_null()) << show(r);
  EXPECT_FALSE(ids_of(view("u-pm")["files"]).count("f-cv"));
}

TEST_F(PersonnelWorkflow, PW3_P10_MemberCannotRemoveAFile) {
  expect_denied(command("file.remove", "u-lee", {{"record", "rec-lee"}, {"file", "f-cv"}}), "missing-role",
                "P10");
}

TEST_F(PersonnelWorkflow, PW3_RemovingAFileTheRecordDoesNotHoldIsRejected) {
  expect_rejected(command("file.remove", "u-pm", {{"record", "rec-lee"}, {"file", "f-nope"}}));
}

// ---- PW3: companies and contacts (P12, P13) ------------------------------------

TEST_F(PersonnelWorkflow, PW3_P12_ManagerCreatesACompany) {
  const CommandResult r = engine.apply(command("company.create", "u-pm",
                                               {{"company",
                                                 {{"id", "co-new"},
                                                  {"site", "north"},
                                                  {"name", "New Co"},
                                                  {"sensitive", {{"iban", "NEWCO-IBAN-1"}}}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.company.created").is_null()) << show(r);
  json lee = calm::company_view(engine, "u-lee", "co-new");
  ASSERT_TRUE(lee.value("ok", false)) << lee.dump();
  EXPECT_FALSE(mentions(lee, "NEWCO-IBAN-1"));
  EXPECT_TRUE(mentions(calm::company_view(engine, "u-pm", "co-new"), "NEWCO-IBAN-1"));
}

TEST_F(PersonnelWorkflow, PW3_P12_MemberCannotCreateACompany) {
  expect_denied(
      command("company.create", "u-lee", {{"company", {{"id", "co-new"}, {"site", "north"}, {"name", "X"}}}}),
      "missing-role", "P12");
  expect_denied(
      command("company.create", "u-pm", {{"company", {{"id", "co-new"}, {"site", "south"}, {"name", "X"}}}}),
      "missing-role", "P12");
}

TEST_F(PersonnelWorkflow, PW3_P12_ManagerUpdatesACompany) {
  const CommandResult r = engine.apply(
      command("company.update", "u-pm", {{"company", "co-subco"}, {"changes", {{"name", "Subco Group"}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.company.updated").is_null()) << show(r);
  EXPECT_EQ(json(calm::company_view(engine, "u-lee", "co-subco"))["value"]["name"], "Subco Group");
}

TEST_F(PersonnelWorkflow, PW3_P12_MemberCannotUpdateACompany) {
  expect_denied(command("company.update", "u-lee", {{"company", "co-subco"}, {"changes", {{"name", "X"}}}}),
                "missing-role", "P12");
}

TEST_F(PersonnelWorkflow, PW3_P13_ManagerCannotDeleteACompany) {
  expect_denied(command("company.delete", "u-pm", {{"company", "co-subco"}}), "missing-role", "P13");
  expect_denied(command("company.delete", "u-lee", {{"company", "co-subco"}}), "missing-role", "P13");
}

TEST_F(PersonnelWorkflow, PW3_P13_AdminDeletesACompanyAndItIsGoneFromViews) {
  const CommandResult r = engine.apply(command("company.delete", "u-hr", {{"company", "co-subco"}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.company.deleted").is_null()) << show(r);
  EXPECT_EQ(json(calm::company_view(engine, "u-hr", "co-subco"))["decision"]["code"], "unknown-resource");
  EXPECT_FALSE(ids_of(view("u-hr")["companies"]).count("co-subco"));
}

TEST_F(PersonnelWorkflow, PW3_P12_ManagerAddsAndUpdatesContacts) {
  CommandResult r =
      engine.apply(command("contact.add", "u-pm",
                           {{"company", "co-subco"}, {"contact", {{"id", "ct-new"}, {"name", "Nat New"}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.contact.added").is_null()) << show(r);
  r = engine.apply(
      command("contact.update", "u-pm",
              {{"company", "co-subco"}, {"contact", "ct-new"}, {"changes", {{"phone", "+44 1632 960999"}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.contact.updated").is_null()) << show(r);
  json contact = find_in(json(calm::company_view(engine, "u-lee", "co-subco"))["value"]["contacts"], "ct-new");
  EXPECT_EQ(contact["name"], "Nat New");
  EXPECT_EQ(contact["phone"], "+44 1632 960999");
}

TEST_F(PersonnelWorkflow, PW3_P12_MemberCannotAddOrUpdateContacts) {
  expect_denied(command("contact.add", "u-lee",
                        {{"company", "co-subco"}, {"contact", {{"id", "ct-x"}, {"name", "X"}}}}),
                "missing-role", "P12");
  expect_denied(command("contact.update", "u-lee",
                        {{"company", "co-subco"}, {"contact", "ct-sue"}, {"changes", {{"name", "X"}}}}),
                "missing-role", "P12");
}

TEST_F(PersonnelWorkflow, PW3_P13_OnlyAnAdminDeletesAContact) {
  expect_denied(command("contact.delete", "u-pm", {{"company", "co-subco"}, {"contact", "ct-raj"}}),
                "missing-role", "P13");
  const CommandResult r =
      engine.apply(command("contact.delete", "u-hr", {{"company", "co-subco"}, {"contact", "ct-raj"}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.contact.deleted").is_null()) << show(r);
  EXPECT_EQ(ids_of(json(calm::company_view(engine, "u-hr", "co-subco"))["value"]["contacts"]),
            (std::set<std::string>{"ct-sue"}));
}

// ---- PW3: comments (P5, P6) ------------------------------------------------------

TEST_F(PersonnelWorkflow, PW3_P5_MemberStartsAThreadAsTheActorAtTheCommandTime) {
  const CommandResult r = engine.apply(
      command("comment.add", "u-lee",
              {{"comment", {{"id", "cm-new"}, {"record", "rec-lee"}, {"body", "LEE-NEW-ROOT"}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_FALSE(event_of(r, "personnel.comment.added").is_null()) << show(r);
  json thread = find_in(view("u-lee")["threads"], "cm-new");
  ASSERT_FALSE(thread.is_null());
  EXPECT_EQ(thread["author"], "u-lee");
  EXPECT_EQ(thread["createdAt"], std::string(kAt));
  EXPECT_EQ(thread["body"], "LEE-NEW-ROOT");
  // Under Restrict Comment Viewing, Kim does not see Lee's new thread.
  EXPECT_FALSE(mentions(view("u-kim"), "LEE-NEW-ROOT"));
}

TEST_F(PersonnelWorkflow, PW3_P5_CommentingNeedsAPersonnelRole) {
  expect_denied(command("comment.add", "u-nora",
                        {{"comment", {{"id", "cm-new"}, {"record", "rec-lee"}, {"body", "hi"}}}}),
                "missing-role", "P5");
  expect_denied(command("comment.add", "u-sam",
                        {{"comment", {{"id", "cm-new"}, {"record", "rec-lee"}, {"body", "hi"}}}}),
                "missing-role", "P5");
}

TEST_F(PersonnelWorkflow, PW3_P6_MemberRepliesInTheirOwnThread) {
  const CommandResult r = engine.apply(command(
      "comment.add", "u-lee",
      {{"comment",
        {{"id", "cm-lee-1c"}, {"record", "rec-lee"}, {"parent", "cm-lee-1a"}, {"body", "LEE-REPLY-2"}}}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(ids_of(find_in(view("u-lee")["threads"], "cm-lee-1")["replies"]).count("cm-lee-1c"));
}

TEST_F(PersonnelWorkflow, PW3_P6_MemberCannotReplyInAThreadTheyCannotSee) {
  expect_denied(
      command(
          "comment.add", "u-lee",
          {{"comment", {{"id", "cm-x"}, {"record", "rec-lee"}, {"parent", "cm-kim-1"}, {"body", "me too"}}}}),
      "not-own-thread", "P6");
  // A reply to a reply of that thread is the same thread.
  expect_denied(
      command("comment.add", "u-lee",
              {{"comment",
                {{"id", "cm-x"}, {"record", "rec-lee"}, {"parent", "cm-kim-1a"}, {"body", "me too"}}}}),
      "not-own-thread", "P6");
}

TEST_F(PersonnelWorkflow, PW3_P6_ManagerRepliesInAnyThread) {
  ASSERT_TRUE(IsOk(engine.apply(command(
      "comment.add", "u-pm",
      {{"comment",
        {{"id", "cm-kim-1c"}, {"record", "rec-lee"}, {"parent", "cm-kim-1b"}, {"body", "noted"}}}}))));
  // Kim sees the manager's reply in Kim's thread.
  EXPECT_TRUE(ids_of(find_in(view("u-kim")["threads"], "cm-kim-1")["replies"]).count("cm-kim-1c"));
}

TEST_F(PersonnelWorkflow, PW3_P6_MemberRepliesInAnyThreadWhereRestrictionIsOff) {
  ASSERT_TRUE(IsOk(engine.apply(command(
      "comment.add", "u-sam",
      {{"comment", {{"id", "cm-sam-1b"}, {"record", "rec-sam"}, {"parent", "cm-sam-1"}, {"body", "ok"}}}}))));
}

TEST_F(PersonnelWorkflow, PW3_AReplyMustStayOnTheRecordOfItsThread) {
  expect_rejected(command(
      "comment.add", "u-pm",
      {{"comment",
        {{"id", "cm-x"}, {"record", "rec-chris"}, {"parent", "cm-lee-1"}, {"body", "wrong record"}}}}));
}

// ---- PW4: settings (P14, P15, P17) ------------------------------------------------

TEST_F(PersonnelWorkflow, PW4_P17_SettingsWithoutAnyPersonnelRoleGiveExactlyTheP17Message) {
  for (const auto& [user, site] : std::vector<std::pair<std::string, std::string>>{
           {"u-nora", "north"}, {"u-sam", "north"}, {"u-dave", "south"}, {"u-newbie", "hq"}}) {
    SCOPED_TRACE(user + " at " + site);
    json answer = calm::personnel_settings_view(engine, user, site);
    EXPECT_FALSE(answer.value("ok", true));
    EXPECT_EQ(answer["decision"]["code"], "missing-role") << answer.dump();
    EXPECT_EQ(answer["decision"]["message"], std::string(calm::test::kP17Message));
    EXPECT_FALSE(answer.contains("value"));
  }
}

TEST_F(PersonnelWorkflow, PW4_P17_SettingsWithoutThePersonnelEntitlementGiveExactlyTheP17Message) {
  json snap = org_json();
  snap["organisation"]["entitlements"] = json::array({"premises", "documents"});
  load(engine, snap);
  for (const char* user : {"u-pm", "u-owner"}) {
    SCOPED_TRACE(user);
    json answer = calm::personnel_settings_view(engine, user, "north");
    EXPECT_EQ(answer["decision"]["code"], "not-entitled") << answer.dump();
    EXPECT_EQ(answer["decision"]["message"], std::string(calm::test::kP17Message));
  }
}

TEST_F(PersonnelWorkflow, PW4_P14_MemberReadsSettingsButMayNotEditThem) {
  json answer = calm::personnel_settings_view(engine, "u-lee", "north");
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  json& v = answer["value"];
  EXPECT_EQ(v["restrictCommentViewing"], true);
  EXPECT_EQ(v["autoCreateRecords"], false);
  EXPECT_EQ(v["inboundEmailComments"], false);
  EXPECT_EQ(v["notifications"]["digest"], "weekly");
  EXPECT_EQ(v["canEdit"]["allowed"], false);
  EXPECT_EQ(v["canEdit"]["code"], "missing-site-permission");
}

TEST_F(PersonnelWorkflow, PW4_P15_CanEditNeedsUpdateSiteAsWell) {
  EXPECT_EQ(json(calm::personnel_settings_view(engine, "u-pm", "north"))["value"]["canEdit"]["allowed"], true);
  EXPECT_EQ(json(calm::personnel_settings_view(engine, "u-sm", "south"))["value"]["canEdit"]["allowed"], true);
  EXPECT_EQ(json(calm::personnel_settings_view(engine, "u-hr", "north"))["value"]["canEdit"]["code"],
            "missing-site-permission");
}

TEST_F(PersonnelWorkflow, PW4_A4_ChildSiteMemberReadsTheParentSettings) {
  EXPECT_TRUE(json(calm::personnel_settings_view(engine, "u-lab", "north")).value("ok", false));
  EXPECT_TRUE(json(calm::personnel_settings_view(engine, "u-lab", "hq")).value("ok", false));
}

TEST_F(PersonnelWorkflow, PW4_P15_SiteManagerWithAPersonnelRoleUpdatesSettings) {
  const CommandResult r = engine.apply(command(
      "settings.update", "u-pm", {{"site", "north"}, {"personnel", {{"inboundEmailComments", true}}}}));
  ASSERT_TRUE(IsOk(r));
  json e = event_of(r, "personnel.settings.updated");
  ASSERT_FALSE(e.is_null()) << show(r);
  EXPECT_EQ(e["site"], "north");
  json v = json(calm::personnel_settings_view(engine, "u-lee", "north"))["value"];
  EXPECT_EQ(v["inboundEmailComments"], true);
  EXPECT_EQ(v["restrictCommentViewing"], true) << "fields not named keep their value";
  ASSERT_TRUE(IsOk(
      engine.apply(command("settings.update", "u-sm",
                           {{"site", "south"}, {"personnel", {{"notifications", {{"digest", "daily"}}}}}}))));
}

TEST_F(PersonnelWorkflow, PW4_P15_SettingsUpdateWithoutUpdateSiteIsDenied) {
  expect_denied(command("settings.update", "u-hr",
                        {{"site", "north"}, {"personnel", {{"restrictCommentViewing", false}}}}),
                "missing-site-permission", "P15");
  expect_denied(
      command("settings.update", "u-lee", {{"site", "north"}, {"personnel", {{"autoCreateRecords", true}}}}),
      "missing-site-permission", "P15");
}

TEST_F(PersonnelWorkflow, PW4_P15_SettingsUpdateWithoutAPersonnelRoleIsMissingRole) {
  expect_denied(
      command("settings.update", "u-nora", {{"site", "north"}, {"personnel", {{"autoCreateRecords", true}}}}),
      "missing-role");
  // Settings are per site: north's site manager has only implied roles at hq.
  expect_denied(
      command("settings.update", "u-pm", {{"site", "hq"}, {"personnel", {{"autoCreateRecords", true}}}}),
      "missing-site-permission", "P15");
}

// ---- The command machinery, on personnel commands ----------------------------------

TEST_F(PersonnelWorkflow, PW3_TheSameCommandIdTwiceIsAppliedOnce) {
  json c = command("comment.add", "u-lee",
                   {{"comment", {{"id", "cm-once"}, {"record", "rec-lee"}, {"body", "ONCE"}}}});
  ASSERT_TRUE(IsOk(engine.apply(c)));
  json after_first = state_of(engine);
  const CommandResult again = engine.apply(c);
  EXPECT_TRUE(again.ok) << show(again);
  EXPECT_TRUE(again.duplicate) << show(again);
  EXPECT_TRUE(again.events.empty()) << show(again);
  EXPECT_EQ(state_of(engine), after_first);
}

TEST_F(PersonnelWorkflow, PW3_ADryRunAnswersLikeApplyAndChangesNothing) {
  json before = engine.export_snapshot();
  json ok = command("record.delete", "u-pm", {{"record", "rec-kim"}});
  const CommandResult preview = engine.dry_run(ok);
  EXPECT_TRUE(preview.ok) << show(preview);
  EXPECT_TRUE(
      IsDenied(engine.dry_run(command("record.delete", "u-lee", {{"record", "rec-kim"}})), "missing-role"));
  EXPECT_EQ(engine.export_snapshot(), before);
  EXPECT_TRUE(IsOk(engine.apply(ok)));
}

}  // namespace

// Issue 13: a personnel command refused after its guard passed (a file that
// is not on the record, read after the record) leaves the export byte-identical.
TEST_F(PersonnelWorkflow, P10_ACommandRefusedPartWayLeavesTheExportByteIdentical) {
  const std::string before = engine.export_snapshot().dump();
  const CommandResult r = engine.apply(command("file.remove", "u-pm", {{"record", "rec-lee"}, {"file", "f-nope"}}));
  EXPECT_FALSE(r.ok) << show(r);
  EXPECT_TRUE(r.events.empty()) << show(r);
  EXPECT_EQ(engine.export_snapshot().dump(), before);
}
