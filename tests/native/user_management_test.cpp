// User management commands (ACCESS.md sections 6 and 10, S1-S3; PERSONNEL.md
// PW5): access.set, access.setAll, access.applyTemplate, access.remove,
// owner.set and owner.unset, each checked by S1 and S2 role by role. Every
// escalation attempt is refused with `escalation` and changes nothing.
//
// Organisation: tests/fixtures/personnel-org.json (see personnel_test.cpp):
//   u-owner the only owner; u-siteadmin site/personnel/premises/documents admin at hq with
//   child sites; u-pm site, personnel, premises, documents manager at north (no cascade);
//   u-hr personnel admin at north; u-sm site manager, personnel member, documents manager
//   at south; south has autoCreateRecords on; u-newbie holds nothing; u-nora holds a grant
//   for `risks`, a module the organisation is not entitled to.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "calm/access.hpp"
#include "calm/personnel.hpp"
#include "calm/queries.hpp"
#include "calm/workflow.hpp"
#include "command_util.hpp"
#include "test_util.hpp"

namespace {

using calm::CommandResult;
using calm::Engine;
using calm::Role;
using calm::test::command;
using calm::test::IsDenied;
using calm::test::IsOk;
using calm::test::show;
using nlohmann::json;

constexpr std::string_view kAt = calm::test::kCommandAt;

json org_json() { return calm::test::fixture_json("personnel-org.json"); }

json set(std::string_view actor, std::string_view user, std::string_view site, std::string_view module,
         std::string_view role, bool cascade = false) {
  json fields{{"user", user}, {"site", site}, {"module", module}, {"role", role}};
  if (cascade) fields["includeChildSites"] = true;
  return command("access.set", actor, std::move(fields));
}

std::vector<json> events_of(const CommandResult& r, std::string_view type) {
  std::vector<json> out;
  for (json e : r.events) {
    if (e.value("type", std::string()) == type) out.push_back(e);
  }
  return out;
}

class UserManagementCommands : public ::testing::Test {
 protected:
  void SetUp() override { load(org_json()); }

  void load(const json& snapshot) {
    const auto errors = engine.load(snapshot.dump());
    ASSERT_TRUE(errors.empty()) << calm::test::describe(errors);
  }

  Role role(std::string_view user, std::string_view site, std::string_view module) const {
    const calm::Snapshot& s = engine.snapshot();
    const calm::Index u = s.user_ids.find(user);
    const calm::Index si = s.site_ids.find(site);
    const calm::Index m = s.module_ids.find(module);
    EXPECT_TRUE(u != calm::kNone && si != calm::kNone && m != calm::kNone)
        << user << " " << site << " " << module;
    if (u == calm::kNone || si == calm::kNone || m == calm::kNone) return Role::none;
    return engine.effective_role(u, si, m);
  }

  bool is_owner(std::string_view user) const {
    const calm::Snapshot& s = engine.snapshot();
    return s.owner[s.user_ids.find(user)];
  }

  bool can(std::string_view user, std::string_view action, std::string_view site) const {
    return calm::ffi::decide_value(engine, {{"user", user}, {"action", action}, {"site", site}}).allowed;
  }

  // The live records of `user` at `site`.
  std::vector<std::string> records_of(std::string_view user, std::string_view site) const {
    const calm::Snapshot& s = engine.snapshot();
    std::vector<std::string> out;
    for (calm::Index r = 0; r < s.records.size(); ++r) {
      const calm::Record& rec = s.records[r];
      if (!rec.deleted && rec.user == s.user_ids.find(user) && rec.site == s.site_ids.find(site)) {
        out.push_back(s.record_ids.at(r));
      }
    }
    return out;
  }

  // Applies `c`, expects the denial `code` (rule S1/S2 when given), and no change at all.
  void expect_denied(const json& c, std::string_view code, std::string_view rule = {}) {
    SCOPED_TRACE(c.dump());
    json before = engine.export_snapshot();
    EXPECT_TRUE(IsDenied(engine.apply(c), code, rule));
    EXPECT_EQ(engine.export_snapshot(), before) << "a denied command must change nothing";
  }

  Engine engine;
};

// ---- access.set: S1 ----------------------------------------------------------

TEST_F(UserManagementCommands, S1_SiteManagerSetsARoleAtTheirSiteAndItTakesEffect) {
  ASSERT_FALSE(can("u-lee", "personnel.record.create", "north"));
  const CommandResult r = engine.apply(set("u-pm", "u-lee", "north", "personnel", "manager"));
  ASSERT_TRUE(IsOk(r));
  const auto events = events_of(r, "site.access.changed");
  ASSERT_EQ(events.size(), 1u) << show(r);
  EXPECT_EQ(events[0]["actor"], "u-pm");
  EXPECT_EQ(events[0]["subject"], "u-lee");
  EXPECT_EQ(events[0]["site"], "north");
  EXPECT_EQ(events[0]["details"]["roles"], json({{"personnel", "manager"}})) << events[0].dump();
  EXPECT_EQ(role("u-lee", "north", "personnel"), Role::manager);
  EXPECT_TRUE(can("u-lee", "personnel.record.create", "north"));
}

TEST_F(UserManagementCommands, S1_SettingAccessNeedsManageUsersAtTheSite) {
  expect_denied(set("u-lee", "u-kim", "north", "personnel", "member"), "missing-site-permission");
  // A personnel admin without a site role cannot manage users either.
  expect_denied(set("u-hr", "u-kim", "north", "personnel", "member"), "missing-site-permission");
  expect_denied(set("u-newbie", "u-kim", "north", "personnel", "none"), "missing-site-permission");
}

TEST_F(UserManagementCommands, S1_SiteManagerCannotSetAccessAtAnotherSite) {
  expect_denied(set("u-pm", "u-lee", "south", "personnel", "member"), "missing-site-permission");
  // A2: a grant at north gives nothing at north-lab; A4 gives only member at hq.
  expect_denied(set("u-pm", "u-lee", "north-lab", "personnel", "member"), "missing-site-permission");
  expect_denied(set("u-pm", "u-lee", "hq", "personnel", "member"), "missing-site-permission");
}

TEST_F(UserManagementCommands, S1_A3_CascadedSiteAdminManagesEveryChildSite) {
  ASSERT_TRUE(IsOk(engine.apply(set("u-siteadmin", "u-lab", "north-lab", "personnel", "admin"))));
  EXPECT_EQ(role("u-lab", "north-lab", "personnel"), Role::admin);
  ASSERT_TRUE(IsOk(engine.apply(set("u-siteadmin", "u-sam", "south", "site", "admin"))));
}

TEST_F(UserManagementCommands, S1_OwnerSetsAnyEntitledRoleAnywhere) {
  ASSERT_TRUE(IsOk(engine.apply(set("u-owner", "u-newbie", "hq", "documents", "admin", true))));
  EXPECT_EQ(role("u-newbie", "north-lab", "documents"), Role::admin);
}

// ---- access.set: S2 ------------------------------------------------------------

TEST_F(UserManagementCommands, S2_SiteManagerGrantingSiteAdminIsEscalation) {
  expect_denied(set("u-pm", "u-lee", "north", "site", "admin"), "escalation", "S2");
  const CommandResult r = engine.apply(set("u-pm", "u-lee", "north", "site", "admin"));
  ASSERT_TRUE(r.decision.has_value());
  EXPECT_EQ(r.decision->to_json()["requires"].value("module", ""), "site") << show(r);
  EXPECT_EQ(r.decision->to_json()["requires"].value("role", ""), "admin") << show(r);
  EXPECT_EQ(role("u-lee", "north", "site"), Role::none);
}

TEST_F(UserManagementCommands, S2_PersonnelManagerGrantingPersonnelAdminIsEscalation) {
  expect_denied(set("u-pm", "u-lee", "north", "personnel", "admin"), "escalation", "S2");
  // Not even to themselves.
  expect_denied(set("u-pm", "u-pm", "north", "personnel", "admin"), "escalation", "S2");
}

TEST_F(UserManagementCommands, S2_GrantingARoleForAModuleTheEditorHoldsNothingOfIsEscalation) {
  // u-sm manages users at south but holds no premises role there.
  expect_denied(set("u-sm", "u-sam", "south", "premises", "member"), "escalation", "S2");
  // u-sm is a personnel member at south: manager is above that.
  expect_denied(set("u-sm", "u-sam", "south", "personnel", "manager"), "escalation", "S2");
}

TEST_F(UserManagementCommands, S2_CascadeToChildSitesIsEscalationWhenTheRoleIsAboveTheEditors) {
  expect_denied(set("u-pm", "u-lee", "north", "documents", "admin", true), "escalation", "S2");
}

TEST_F(UserManagementCommands, S2_CascadingARoleToChildSitesNeedsTheEditorsRoleAtEachOfThem) {
  // includeChildSites gives the role at north-lab too (A3), where u-pm holds no role and
  // no manage-users (A2): the grant would reach beyond the editor's own reach.
  json c = set("u-pm", "u-lee", "north", "personnel", "manager", true);
  SCOPED_TRACE(c.dump());
  json before = engine.export_snapshot();
  const CommandResult r = engine.apply(c);
  EXPECT_FALSE(r.ok) << show(r);
  ASSERT_TRUE(r.decision.has_value()) << show(r);
  const std::string code(calm::code_name(r.decision->code));
  EXPECT_TRUE(code == "escalation" || code == "missing-site-permission") << show(r);
  EXPECT_EQ(engine.export_snapshot(), before);
  EXPECT_EQ(role("u-lee", "north-lab", "personnel"), Role::none);
  // The same cascade by an editor whose role reaches every child site is fine.
  ASSERT_TRUE(IsOk(engine.apply(set("u-siteadmin", "u-lee", "north", "personnel", "manager", true))));
  EXPECT_EQ(role("u-lee", "north-lab", "personnel"), Role::manager);
}

TEST_F(UserManagementCommands, S2_RolesUpToTheEditorsOwnAreAllowed) {
  ASSERT_TRUE(IsOk(engine.apply(set("u-pm", "u-lee", "north", "site", "manager"))));
  ASSERT_TRUE(IsOk(engine.apply(set("u-pm", "u-lee", "north", "documents", "manager"))));
  ASSERT_TRUE(IsOk(engine.apply(set("u-sm", "u-dave", "south", "personnel", "member"))));
  EXPECT_EQ(role("u-lee", "north", "site"), Role::manager);
  EXPECT_EQ(role("u-dave", "south", "personnel"), Role::member);
}

TEST_F(UserManagementCommands, S2_SettingNoneAlwaysPassesTheEscalationTest) {
  // u-sm holds no premises role at south, u-pm holds less than u-hr's personnel admin.
  ASSERT_TRUE(IsOk(engine.apply(set("u-sm", "u-sam", "south", "premises", "none"))));
  ASSERT_TRUE(IsOk(engine.apply(set("u-pm", "u-hr", "north", "personnel", "none"))));
  EXPECT_EQ(role("u-hr", "north", "personnel"), Role::none);
}

TEST_F(UserManagementCommands, S2_EditingSomeoneWhoHoldsMoreThanTheEditorIsNotItselfRestricted) {
  ASSERT_TRUE(IsOk(engine.apply(set("u-pm", "u-hr", "north", "documents", "member"))));
  EXPECT_EQ(role("u-hr", "north", "documents"), Role::member);
  EXPECT_EQ(role("u-hr", "north", "personnel"), Role::admin) << "other modules are untouched";
}

TEST_F(UserManagementCommands, S2_A7_AModuleThatIsNotEntitledIsNotEntitledEvenForNone) {
  expect_denied(set("u-pm", "u-nora", "north", "risks", "none"), "not-entitled", "A7");
  expect_denied(set("u-owner", "u-nora", "north", "risks", "member"), "not-entitled", "A7");
}

TEST_F(UserManagementCommands, S2_NotEntitledComesBeforeMissingSitePermission) {
  expect_denied(set("u-lee", "u-kim", "north", "risks", "member"), "not-entitled");
  expect_denied(set("u-pm", "u-kim", "south", "risks", "member"), "not-entitled");
}

TEST_F(UserManagementCommands, S2_MissingSitePermissionComesBeforeEscalation) {
  expect_denied(set("u-lee", "u-kim", "north", "site", "admin"), "missing-site-permission");
}

TEST_F(UserManagementCommands, A8_UnknownModuleTargetAndSiteAreNamed) {
  expect_denied(set("u-owner", "u-lee", "north", "payroll", "member"), "unknown-module");
  expect_denied(set("u-owner", "u-ghost", "north", "personnel", "member"), "unknown-resource");
  expect_denied(set("u-owner", "u-lee", "west", "personnel", "member"), "unknown-site");
}

TEST_F(UserManagementCommands, S2_AnUnknownRoleIsRejectedAndChangesNothing) {
  json before = engine.export_snapshot();
  const CommandResult r = engine.apply(set("u-owner", "u-lee", "north", "personnel", "boss"));
  EXPECT_FALSE(r.ok) << show(r);
  EXPECT_FALSE(r.errors.empty()) << show(r);
  EXPECT_EQ(engine.export_snapshot(), before);
}

// ---- access.setAll ------------------------------------------------------------------

TEST_F(UserManagementCommands, S2_SetAllUpToTheEditorsRoleSetsEveryEntitledModule) {
  const CommandResult r = engine.apply(
      command("access.setAll", "u-pm", {{"user", "u-newbie"}, {"site", "north"}, {"role", "manager"}}));
  ASSERT_TRUE(IsOk(r));
  const auto events = events_of(r, "site.access.changed");
  ASSERT_EQ(events.size(), 1u) << show(r);
  EXPECT_EQ(
      events[0]["details"]["roles"],
      json(
          {{"site", "manager"}, {"personnel", "manager"}, {"premises", "manager"}, {"documents", "manager"}}))
      << "every entitled module, and not `risks`";
  for (const char* m : {"site", "personnel", "premises", "documents"}) {
    EXPECT_EQ(role("u-newbie", "north", m), Role::manager) << m;
  }
}

TEST_F(UserManagementCommands, S2_SetAllAboveTheEditorsOwnRoleIsEscalation) {
  expect_denied(command("access.setAll", "u-pm", {{"user", "u-lee"}, {"site", "north"}, {"role", "admin"}}),
                "escalation", "S2");
}

TEST_F(UserManagementCommands, S2_SetAllIsCheckedRoleByRole) {
  // u-sm: site manager, personnel member, documents manager, no premises at south.
  expect_denied(command("access.setAll", "u-sm", {{"user", "u-dave"}, {"site", "south"}, {"role", "member"}}),
                "escalation", "S2");
  const CommandResult r = engine.apply(
      command("access.setAll", "u-sm", {{"user", "u-dave"}, {"site", "south"}, {"role", "member"}}));
  ASSERT_TRUE(r.decision.has_value());
  EXPECT_EQ(r.decision->to_json()["requires"].value("module", ""), "premises") << show(r);
}

TEST_F(UserManagementCommands, S2_SetAllNoneRemovesEveryRoleAtTheSite) {
  ASSERT_TRUE(IsOk(engine.apply(
      command("access.setAll", "u-sm", {{"user", "u-sam"}, {"site", "south"}, {"role", "none"}}))));
  EXPECT_EQ(role("u-sam", "south", "personnel"), Role::none);
}

TEST_F(UserManagementCommands, S1_SetAllNeedsManageUsers) {
  expect_denied(command("access.setAll", "u-lee", {{"user", "u-kim"}, {"site", "north"}, {"role", "none"}}),
                "missing-site-permission");
}

// ---- access.applyTemplate -------------------------------------------------------------

TEST_F(UserManagementCommands, S3_ApplyingATemplateGivesTheGrantsItStandsFor) {
  const CommandResult r = engine.apply(command(
      "access.applyTemplate", "u-pm", {{"user", "u-newbie"}, {"site", "north"}, {"template", "tpl-staff"}}));
  ASSERT_TRUE(IsOk(r));
  const auto events = events_of(r, "site.access.changed");
  ASSERT_EQ(events.size(), 1u) << show(r);
  EXPECT_EQ(events[0]["details"]["template"], "tpl-staff");
  EXPECT_EQ(role("u-newbie", "north", "personnel"), Role::member);
  EXPECT_EQ(role("u-newbie", "north", "premises"), Role::member);
  EXPECT_EQ(role("u-newbie", "north", "site"), Role::none);
}

TEST_F(UserManagementCommands, S2_ATemplateAboveTheEditorsOwnRoleIsEscalation) {
  // tpl-hr-lead holds personnel admin; u-pm is a personnel manager.
  expect_denied(command("access.applyTemplate", "u-pm",
                        {{"user", "u-lee"}, {"site", "north"}, {"template", "tpl-hr-lead"}}),
                "escalation", "S2");
}

TEST_F(UserManagementCommands, S2_ATemplateIsCheckedRoleByRole) {
  // tpl-site-lead: site manager (u-sm may), personnel manager (u-sm is a member: no).
  expect_denied(command("access.applyTemplate", "u-sm",
                        {{"user", "u-dave"}, {"site", "south"}, {"template", "tpl-site-lead"}}),
                "escalation", "S2");
  // The same template by someone who holds every role in it.
  ASSERT_TRUE(
      IsOk(engine.apply(command("access.applyTemplate", "u-pm",
                                {{"user", "u-lee"}, {"site", "north"}, {"template", "tpl-site-lead"}}))));
  EXPECT_EQ(role("u-lee", "north", "site"), Role::manager);
}

TEST_F(UserManagementCommands, S1_ApplyingATemplateNeedsManageUsers) {
  expect_denied(command("access.applyTemplate", "u-lee",
                        {{"user", "u-kim"}, {"site", "north"}, {"template", "tpl-staff"}}),
                "missing-site-permission");
}

TEST_F(UserManagementCommands, S3_AnUnknownTemplateIsRejectedAndChangesNothing) {
  json before = engine.export_snapshot();
  const CommandResult r = engine.apply(command(
      "access.applyTemplate", "u-owner", {{"user", "u-kim"}, {"site", "north"}, {"template", "tpl-ghost"}}));
  EXPECT_FALSE(r.ok) << show(r);
  EXPECT_EQ(engine.export_snapshot(), before);
}

// ---- access.remove --------------------------------------------------------------------

TEST_F(UserManagementCommands, S1_SiteManagerRemovesAGrant) {
  const CommandResult r = engine.apply(
      command("access.remove", "u-pm", {{"user", "u-lee"}, {"site", "north"}, {"module", "personnel"}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(events_of(r, "site.access.changed").size(), 1u) << show(r);
  EXPECT_EQ(role("u-lee", "north", "personnel"), Role::none);
  EXPECT_FALSE(can("u-lee", "personnel.record.view", "north"));
}

TEST_F(UserManagementCommands, S1_RemovingAGrantNeedsManageUsers) {
  expect_denied(
      command("access.remove", "u-lee", {{"user", "u-kim"}, {"site", "north"}, {"module", "personnel"}}),
      "missing-site-permission", "S1");
  expect_denied(
      command("access.remove", "u-pm", {{"user", "u-sam"}, {"site", "south"}, {"module", "personnel"}}),
      "missing-site-permission", "S1");
}

TEST_F(UserManagementCommands, S2_RemovingARoleAboveTheEditorsOwnIsAllowed) {
  ASSERT_TRUE(IsOk(engine.apply(
      command("access.remove", "u-pm", {{"user", "u-hr"}, {"site", "north"}, {"module", "personnel"}}))));
  EXPECT_EQ(role("u-hr", "north", "personnel"), Role::none);
}

// ---- owner.set / owner.unset -------------------------------------------------------------

TEST_F(UserManagementCommands, S2_AnOwnerMakesAnOwner) {
  const CommandResult r = engine.apply(command("owner.set", "u-owner", {{"user", "u-pm"}}));
  ASSERT_TRUE(IsOk(r));
  const auto events = events_of(r, "site.access.changed");
  ASSERT_EQ(events.size(), 1u) << show(r);
  EXPECT_EQ(events[0]["subject"], "u-pm");
  EXPECT_EQ(events[0]["details"]["owner"], true);
  EXPECT_TRUE(is_owner("u-pm"));
  EXPECT_EQ(role("u-pm", "south", "personnel"), Role::admin);  // A6
}

TEST_F(UserManagementCommands, S2_ANonOwnerMakingAnOwnerIsEscalation) {
  // Not even an admin of every module at every site.
  expect_denied(command("owner.set", "u-siteadmin", {{"user", "u-pm"}}), "escalation", "S2");
  expect_denied(command("owner.set", "u-siteadmin", {{"user", "u-siteadmin"}}), "escalation", "S2");
  expect_denied(command("owner.set", "u-pm", {{"user", "u-pm"}}), "escalation", "S2");
  EXPECT_FALSE(is_owner("u-siteadmin"));
}

TEST_F(UserManagementCommands, S2_ANonOwnerUnmakingAnOwnerIsEscalation) {
  expect_denied(command("owner.unset", "u-siteadmin", {{"user", "u-owner"}}), "escalation", "S2");
  EXPECT_TRUE(is_owner("u-owner"));
}

TEST_F(UserManagementCommands, S2_UnsettingTheLastOwnerIsInvalidState) {
  expect_denied(command("owner.unset", "u-owner", {{"user", "u-owner"}}), "invalid-state");
  EXPECT_TRUE(is_owner("u-owner"));
}

TEST_F(UserManagementCommands, S2_AnOwnerUnsetsAnOwnerWhenAnotherRemains) {
  ASSERT_TRUE(IsOk(engine.apply(command("owner.set", "u-owner", {{"user", "u-siteadmin"}}))));
  ASSERT_TRUE(IsOk(engine.apply(command("owner.unset", "u-siteadmin", {{"user", "u-owner"}}))));
  EXPECT_FALSE(is_owner("u-owner"));
  EXPECT_TRUE(is_owner("u-siteadmin"));
  // u-owner is now an ordinary user: no role anywhere.
  EXPECT_EQ(role("u-owner", "north", "personnel"), Role::none);
  expect_denied(command("owner.set", "u-owner", {{"user", "u-owner"}}), "escalation", "S2");
}

TEST_F(UserManagementCommands, S2_MakingAnOwnerOfAnOwnerIsInvalidState) {
  expect_denied(command("owner.set", "u-owner", {{"user", "u-owner"}}), "invalid-state");
}

TEST_F(UserManagementCommands, A8_OwnerOfAnUnknownUserIsUnknownResource) {
  expect_denied(command("owner.set", "u-owner", {{"user", "u-ghost"}}), "unknown-resource");
}

// ---- The command machinery -------------------------------------------------------------

TEST_F(UserManagementCommands, TheSameAccessCommandIdTwiceIsAppliedOnce) {
  json c = set("u-pm", "u-lee", "north", "documents", "member");
  ASSERT_TRUE(IsOk(engine.apply(c)));
  json after = engine.export_snapshot();
  const CommandResult again = engine.apply(c);
  EXPECT_TRUE(again.ok && again.duplicate) << show(again);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(engine.export_snapshot(), after);
}

TEST_F(UserManagementCommands, ADryRunOfAnAccessCommandAnswersAndChangesNothing) {
  json before = engine.export_snapshot();
  EXPECT_TRUE(engine.dry_run(set("u-pm", "u-lee", "north", "documents", "member")).ok);
  EXPECT_TRUE(IsDenied(engine.dry_run(set("u-pm", "u-lee", "north", "documents", "admin")), "escalation"));
  EXPECT_TRUE(engine.dry_run(set("u-sm", "u-newbie", "south", "personnel", "member")).ok);
  EXPECT_EQ(engine.export_snapshot(), before);
  EXPECT_TRUE(records_of("u-newbie", "south").empty()) << "PW5 does not run in a dry run";
}

// ---- PW5: records made when a personnel role is given where autoCreateRecords is on ----

TEST_F(UserManagementCommands, PW5_GivingAPersonnelRoleCreatesTheMissingRecord) {
  const CommandResult r = engine.apply(set("u-sm", "u-newbie", "south", "personnel", "member"));
  ASSERT_TRUE(IsOk(r));
  const auto created = events_of(r, "personnel.record.created");
  ASSERT_EQ(created.size(), 1u) << show(r);
  EXPECT_EQ(created[0]["actor"], "system");
  EXPECT_EQ(created[0]["site"], "south");
  const auto records = records_of("u-newbie", "south");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(created[0]["subject"], records[0]);
  json view = calm::record_view(engine, "u-newbie", records[0]);
  ASSERT_TRUE(view.value("ok", false)) << view.dump();
  EXPECT_EQ(view["value"]["name"], "Nia Newbie");
  EXPECT_EQ(view["value"]["user"], "u-newbie");
}

TEST_F(UserManagementCommands, PW5_AppliedTemplateWithAPersonnelRoleCreatesTheRecord) {
  ASSERT_TRUE(
      IsOk(engine.apply(command("access.applyTemplate", "u-siteadmin",
                                {{"user", "u-newbie"}, {"site", "south"}, {"template", "tpl-staff"}}))));
  EXPECT_EQ(records_of("u-newbie", "south").size(), 1u);
}

TEST_F(UserManagementCommands, PW5_NoSecondRecordForSomeoneWhoHasOne) {
  const CommandResult r = engine.apply(set("u-siteadmin", "u-sam", "south", "personnel", "manager"));
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(events_of(r, "personnel.record.created").empty()) << show(r);
  EXPECT_EQ(records_of("u-sam", "south"), std::vector<std::string>{"rec-sam"});
}

TEST_F(UserManagementCommands, PW5_NoRecordWhereAutoCreateRecordsIsOff) {
  const CommandResult r = engine.apply(set("u-pm", "u-newbie", "north", "personnel", "member"));
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(events_of(r, "personnel.record.created").empty()) << show(r);
  EXPECT_TRUE(records_of("u-newbie", "north").empty());
}

TEST_F(UserManagementCommands, PW5_NoRecordWithoutAPersonnelRole) {
  CommandResult r = engine.apply(set("u-sm", "u-newbie", "south", "documents", "member"));
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(events_of(r, "personnel.record.created").empty()) << show(r);
  r = engine.apply(set("u-sm", "u-newbie", "south", "personnel", "none"));
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(records_of("u-newbie", "south").empty());
}

TEST_F(UserManagementCommands, PW5_NoRecordWhenTheGrantIsRefused) {
  EXPECT_TRUE(IsDenied(engine.apply(set("u-dave", "u-newbie", "south", "personnel", "member")),
                       "missing-site-permission"));
  EXPECT_TRUE(records_of("u-newbie", "south").empty());
}

TEST_F(UserManagementCommands, PW5_TurningAutoCreateRecordsOnAppliesToTheNextGrant) {
  ASSERT_TRUE(IsOk(engine.apply(command("settings.update", "u-pm",
                                        {{"site", "north"}, {"personnel", {{"autoCreateRecords", true}}}}))));
  ASSERT_TRUE(IsOk(engine.apply(set("u-pm", "u-newbie", "north", "personnel", "member"))));
  EXPECT_EQ(records_of("u-newbie", "north").size(), 1u);
}

TEST_F(UserManagementCommands, PW5_A3_ARoleCascadedToASiteWithAutoCreateRecordsCreatesTheRecordThere) {
  // A3: a grant at hq with includeChildSites gives its role at south, where autoCreateRecords is on.
  const CommandResult r = engine.apply(set("u-siteadmin", "u-newbie", "hq", "personnel", "member", true));
  ASSERT_TRUE(IsOk(r));
  ASSERT_EQ(role("u-newbie", "south", "personnel"), Role::member);
  EXPECT_EQ(records_of("u-newbie", "south").size(), 1u) << show(r);
  EXPECT_EQ(events_of(r, "personnel.record.created").size(), 1u) << show(r);
}

TEST_F(UserManagementCommands, PW5_ARoleGivenAgainAfterTheRecordWasDeletedCreatesANewRecord) {
  ASSERT_TRUE(IsOk(engine.apply(set("u-sm", "u-newbie", "south", "personnel", "member"))));
  const auto first = records_of("u-newbie", "south");
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(IsOk(engine.apply(command("record.delete", "u-siteadmin", {{"record", first[0]}}))));
  ASSERT_TRUE(IsOk(engine.apply(
      command("access.remove", "u-sm", {{"user", "u-newbie"}, {"site", "south"}, {"module", "personnel"}}))));
  ASSERT_TRUE(records_of("u-newbie", "south").empty());
  // Given a personnel role again, without a record: PW5 makes one.
  const CommandResult r = engine.apply(set("u-sm", "u-newbie", "south", "personnel", "member"));
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(records_of("u-newbie", "south").size(), 1u) << show(r);
  EXPECT_EQ(events_of(r, "personnel.record.created").size(), 1u) << show(r);
}

TEST_F(UserManagementCommands, PW5_RemovingARoleCreatesNoRecord) {
  // u-hr holds personnel admin at north and has no record there.
  ASSERT_TRUE(IsOk(engine.apply(command("settings.update", "u-pm",
                                        {{"site", "north"}, {"personnel", {{"autoCreateRecords", true}}}}))));
  ASSERT_TRUE(records_of("u-hr", "north").empty());
  const CommandResult r = engine.apply(
      command("access.remove", "u-pm", {{"user", "u-hr"}, {"site", "north"}, {"module", "documents"}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(events_of(r, "personnel.record.created").empty()) << "a removal grants nothing: " << show(r);
  EXPECT_TRUE(records_of("u-hr", "north").empty());
}

TEST_F(UserManagementCommands, PW5_GrantingOnlyAnotherModuleCreatesNoRecord) {
  ASSERT_TRUE(IsOk(engine.apply(command("settings.update", "u-pm",
                                        {{"site", "north"}, {"personnel", {{"autoCreateRecords", true}}}}))));
  const CommandResult r = engine.apply(set("u-pm", "u-hr", "north", "documents", "member"));
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(events_of(r, "personnel.record.created").empty())
      << "the command grants a documents role, not a personnel role: " << show(r);
  EXPECT_TRUE(records_of("u-hr", "north").empty());
}

TEST_F(UserManagementCommands, PW5_GivingAPersonnelRoleAgainCreatesTheRecordThatIsMissing) {
  ASSERT_TRUE(IsOk(engine.apply(command("settings.update", "u-pm",
                                        {{"site", "north"}, {"personnel", {{"autoCreateRecords", true}}}}))));
  const CommandResult r = engine.apply(set("u-pm", "u-hr", "north", "personnel", "manager"));
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(events_of(r, "personnel.record.created").size(), 1u) << show(r);
  EXPECT_EQ(records_of("u-hr", "north").size(), 1u);
}

// ---- includeChildSites on access.setAll and access.applyTemplate (section 10, changed) --------

TEST_F(UserManagementCommands, S2_A3_SetAllWithIncludeChildSitesCascadesEveryGrantItStandsFor) {
  const CommandResult r = engine.apply(
      command("access.setAll", "u-siteadmin",
              {{"user", "u-newbie"}, {"site", "north"}, {"role", "member"}, {"includeChildSites", true}}));
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(events_of(r, "site.access.changed").at(0)["details"]["includeChildSites"], true);
  for (const char* m : {"site", "personnel", "premises", "documents"}) {
    EXPECT_EQ(role("u-newbie", "north", m), Role::member) << m;
    EXPECT_EQ(role("u-newbie", "north-lab", m), Role::member) << m << " cascades to north-lab";
  }
  const json exported = engine.export_snapshot();
  for (const json& g : exported["grants"]) {
    if (g["user"] == "u-newbie") EXPECT_EQ(g.value("includeChildSites", false), true) << g.dump();
  }
}

TEST_F(UserManagementCommands, S2_SetAllWithoutIncludeChildSitesStaysAtTheSite) {
  ASSERT_TRUE(IsOk(engine.apply(
      command("access.setAll", "u-pm", {{"user", "u-newbie"}, {"site", "north"}, {"role", "member"}}))));
  EXPECT_EQ(role("u-newbie", "north", "personnel"), Role::member);
  EXPECT_EQ(role("u-newbie", "north-lab", "personnel"), Role::none);
}

TEST_F(UserManagementCommands, S2_SetAllWithIncludeChildSitesIsCheckedAtEveryChildSite) {
  // u-pm manages north only: the cascade reaches north-lab, beyond the editor's reach.
  json c =
      command("access.setAll", "u-pm",
              {{"user", "u-newbie"}, {"site", "north"}, {"role", "member"}, {"includeChildSites", true}});
  json before = engine.export_snapshot();
  const CommandResult r = engine.apply(c);
  ASSERT_TRUE(r.decision.has_value()) << show(r);
  const std::string code(calm::code_name(r.decision->code));
  EXPECT_TRUE(code == "escalation" || code == "missing-site-permission") << show(r);
  EXPECT_EQ(r.decision->to_json()["requires"].value("site", ""), "north-lab") << show(r);
  EXPECT_EQ(engine.export_snapshot(), before);
}

TEST_F(UserManagementCommands, S3_A3_ATemplateWithIncludeChildSitesCascadesEveryRoleInIt) {
  json fields{
      {"user", "u-newbie"}, {"site", "north"}, {"template", "tpl-staff"}, {"includeChildSites", true}};
  expect_denied(command("access.applyTemplate", "u-pm", fields), "missing-site-permission");
  ASSERT_TRUE(IsOk(engine.apply(command("access.applyTemplate", "u-siteadmin", fields))));
  EXPECT_EQ(role("u-newbie", "north-lab", "personnel"), Role::member);
  EXPECT_EQ(role("u-newbie", "north-lab", "premises"), Role::member);
  EXPECT_EQ(role("u-newbie", "north-lab", "site"), Role::none);
}

// ---- access.batch (section 10, changed): all or nothing ----------------------------------

json batch(std::string_view actor, std::string_view user, json changes) {
  return command("access.batch", actor, {{"user", user}, {"changes", std::move(changes)}});
}

json three_changes() {
  return json::array(
      {{{"type", "access.set"}, {"site", "north"}, {"module", "personnel"}, {"role", "member"}},
       {{"type", "access.set"}, {"site", "north"}, {"module", "premises"}, {"role", "manager"}},
       {{"type", "access.applyTemplate"}, {"site", "south"}, {"template", "tpl-staff"}}});
}

TEST_F(UserManagementCommands, Batch_AppliesEveryChangeInOneCommand) {
  const CommandResult r = engine.apply(batch("u-siteadmin", "u-newbie", three_changes()));
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(events_of(r, "site.access.changed").size(), 3u) << show(r);
  EXPECT_EQ(role("u-newbie", "north", "personnel"), Role::member);
  EXPECT_EQ(role("u-newbie", "north", "premises"), Role::manager);
  EXPECT_EQ(role("u-newbie", "south", "premises"), Role::member);
  // PW5 inside a batch: south has autoCreateRecords on.
  EXPECT_EQ(records_of("u-newbie", "south").size(), 1u);
}

TEST_F(UserManagementCommands, Batch_S2_ALastChangeThatEscalatesRefusesTheWholeBatchWithItsPath) {
  json changes = three_changes();
  changes[2] = {{"type", "access.set"}, {"site", "north"}, {"module", "site"}, {"role", "admin"}};
  json c = batch("u-pm", "u-newbie", changes);
  json before = engine.export_snapshot();
  const CommandResult dry = engine.dry_run(c);
  const CommandResult r = engine.apply(c);
  for (const CommandResult* answer : {&dry, &r}) {
    EXPECT_TRUE(IsDenied(*answer, "escalation", "S2"));
    EXPECT_EQ(answer->path, "/changes/2") << show(*answer);
    EXPECT_EQ(answer->to_json()["path"], "/changes/2");
    EXPECT_TRUE(answer->events.empty());
  }
  EXPECT_EQ(engine.export_snapshot(), before) << "nothing of the batch is applied";
  EXPECT_EQ(role("u-newbie", "north", "personnel"), Role::none);
}

TEST_F(UserManagementCommands, Batch_EachChangeIsCheckedAgainstTheStateTheEarlierOnesLeft) {
  // u-pm removes their own site role at north, then can no longer manage users there.
  json c =
      batch("u-pm", "u-pm",
            json::array(
                {{{"type", "access.remove"}, {"site", "north"}, {"module", "site"}},
                 {{"type", "access.set"}, {"site", "north"}, {"module", "personnel"}, {"role", "member"}}}));
  json before = engine.export_snapshot();
  const CommandResult r = engine.apply(c);
  EXPECT_TRUE(IsDenied(r, "missing-site-permission"));
  EXPECT_EQ(r.path, "/changes/1");
  EXPECT_EQ(engine.export_snapshot(), before);
  // Owners: making someone an owner twice in one batch is refused at the second change.
  const CommandResult twice =
      engine.apply(batch("u-owner", "u-hr", json::array({{{"type", "owner.set"}}, {{"type", "owner.set"}}})));
  EXPECT_TRUE(IsDenied(twice, "invalid-state", "S2"));
  EXPECT_EQ(twice.path, "/changes/1");
  EXPECT_FALSE(is_owner("u-hr"));
  ASSERT_TRUE(IsOk(engine.apply(
      batch("u-owner", "u-hr", json::array({{{"type", "owner.set"}}, {{"type", "owner.unset"}}})))));
  EXPECT_FALSE(is_owner("u-hr"));
}

TEST_F(UserManagementCommands, Batch_AMalformedBatchIsRejectedWithThePathOfTheChange) {
  json before = engine.export_snapshot();
  auto expect_error = [&](const json& c, std::string_view path) {
    SCOPED_TRACE(c.dump());
    const CommandResult r = engine.apply(c);
    EXPECT_FALSE(r.ok);
    bool found = false;
    for (const calm::Error& e : r.errors) found = found || e.path == path;
    EXPECT_TRUE(found) << "expected an error at " << path << ": " << show(r);
  };
  json set_one = {{"type", "access.set"}, {"site", "north"}, {"module", "personnel"}, {"role", "member"}};
  json with_user = set_one;
  with_user["user"] = "u-newbie";
  json with_id = set_one;
  with_id["id"] = "c-1";
  json no_site = set_one;
  no_site.erase("site");
  expect_error(batch("u-pm", "u-newbie", json::array({with_user})), "/changes/0/user");
  expect_error(batch("u-pm", "u-newbie", json::array({set_one, with_id})), "/changes/1/id");
  expect_error(batch("u-pm", "u-newbie", json::array({set_one, no_site})), "/changes/1/site");
  expect_error(batch("u-pm", "u-newbie", json::array({{{"type", "access.batch"}}})), "/changes/0/type");
  expect_error(batch("u-pm", "u-newbie", json::array({{{"type", "course.publish"}}})), "/changes/0/type");
  expect_error(batch("u-pm", "u-newbie", json::array({42})), "/changes/0");
  expect_error(batch("u-pm", "u-newbie", json::array()), "/changes");
  expect_error(command("access.batch", "u-pm", {{"changes", json::array({set_one})}}), "/user");
  EXPECT_EQ(engine.export_snapshot(), before);
  // An unknown actor or target is denied like any request naming them.
  expect_denied(batch("u-ghost", "u-newbie", json::array({set_one})), "unknown-user");
  expect_denied(batch("u-pm", "u-ghost", json::array({set_one})), "unknown-resource");
}

TEST_F(UserManagementCommands, Batch_TheSameBatchIdTwiceIsAppliedOnce) {
  json c = batch("u-siteadmin", "u-newbie", three_changes());
  ASSERT_TRUE(IsOk(engine.apply(c)));
  json after = engine.export_snapshot();
  const CommandResult again = engine.apply(c);
  EXPECT_TRUE(again.ok && again.duplicate);
  EXPECT_EQ(engine.export_snapshot(), after);
}

// ---- whatIf of a batch (section 10, changed) ----------------------------------------------

TEST_F(UserManagementCommands, WhatIf_APreviewOfABatchIsTheSumOfItsChangesAsTheBatchWouldApplyThem) {
  json body{{"user", "u-newbie"}, {"changes", three_changes()}};
  json before = engine.export_snapshot();
  json answer = calm::what_if(engine, "u-siteadmin", body);
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  EXPECT_EQ(engine.export_snapshot(), before) << "a preview changes nothing";
  EXPECT_EQ(answer["value"]["allowed"], true);
  // The same batch applied: every (user, site) of the preview gained exactly what the
  // applied state gained.
  Engine after;
  ASSERT_TRUE(after.load(before.dump()).empty());
  ASSERT_TRUE(IsOk(after.apply(batch("u-siteadmin", "u-newbie", three_changes()))));
  std::set<std::string> previewed;
  for (const json& c : answer["value"]["changes"]) {
    const std::string site = c["site"].get<std::string>();
    previewed.insert(site);
    const auto b = engine.capabilities("u-newbie", site);
    const auto a = after.capabilities("u-newbie", site);
    json gained = json::array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i].allowed() && !b[i].allowed())
        gained.push_back(std::string(calm::action_id(static_cast<calm::Index>(i))));
    }
    EXPECT_EQ(c["gained"], gained) << site;
  }
  EXPECT_EQ(previewed, (std::set<std::string>{"hq", "north", "south"}));
}

TEST_F(UserManagementCommands, WhatIf_ABatchWhoseLastChangeEscalatesIsPreviewedAndRefusedWithItsPath) {
  json changes = three_changes();
  changes[2] = {{"type", "access.set"}, {"site", "north"}, {"module", "site"}, {"role", "admin"}};
  json answer = calm::what_if(engine, "u-pm", {{"user", "u-newbie"}, {"changes", changes}});
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  EXPECT_EQ(answer["value"]["allowed"], false);
  EXPECT_EQ(answer["value"]["decision"]["code"], "escalation");
  EXPECT_EQ(answer["value"]["path"], "/changes/2");
  // The verdict is the batch's dry run.
  const CommandResult dry = engine.dry_run(batch("u-pm", "u-newbie", changes));
  EXPECT_EQ(dry.path, "/changes/2");
}

TEST_F(UserManagementCommands, WhatIf_ByAnEditorWhoIsNotAKnownUserIsRefusedUnknownUser) {
  for (const json& change : {json{{"user", "u-newbie"}, {"changes", three_changes()}},
                             json{{"user", "u-newbie"}, {"changes", json::array()}},
                             json{{"type", "owner.set"}, {"user", "u-newbie"}}}) {
    json answer = calm::what_if(engine, "u-ghost", change);
    EXPECT_FALSE(answer.value("ok", true)) << answer.dump();
    EXPECT_EQ(answer["decision"]["code"], "unknown-user") << answer.dump();
  }
  EXPECT_EQ(json(calm::what_if(engine, "", three_changes()))["decision"]["code"], "invalid-request");
}

}  // namespace

// Issue 13: an access command refused after it was read whole (escalation,
// S2) leaves the export byte-identical, as does its dry run.
TEST_F(UserManagementCommands, S2_ACommandRefusedPartWayLeavesTheExportByteIdentical) {
  const std::string before = engine.export_snapshot().dump();
  EXPECT_TRUE(IsDenied(engine.apply(set("u-pm", "u-lee", "north", "site", "admin")), "escalation", "S2"));
  EXPECT_EQ(engine.export_snapshot().dump(), before);
  EXPECT_TRUE(IsOk(engine.dry_run(set("u-pm", "u-lee", "north", "personnel", "manager"))));
  EXPECT_EQ(engine.export_snapshot().dump(), before) << "a dry run changes nothing";
}
