// One or more tests per rule id of ACCESS.md sections 2-8 and 11, through the
// C++ API (`calm::Engine::check`, `effective_role`, `roles`, `capabilities`)
// and through the JSON boundary (`ffi::decide_value`).
//
// T14 (group expansion on assignment) is a workflow command, not a decision:
// `decide` only says who may assign (T6), so it has no test here.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "../decision_parts.hpp"
#include "../indexed_request.hpp"
#include "calm/access.hpp"
#include "test_util.hpp"

namespace {

using calm::Code;
using calm::Engine;
using calm::Index;
using calm::kNone;
using calm::Request;
using calm::Resource;
using calm::Role;
using calm::SitePermission;
using nlohmann::json;

constexpr std::string_view kP17 = calm::test::kP17Message;

/// The world of these tests: hq > north > north-lab > annex, hq > south, and
/// a second root `remote`.
json world() {
  return json::parse(R"json({
  "version": 1,
  "organisation": { "id": "org-rules", "name": "Rules Ltd",
                    "entitlements": ["personnel", "premises", "documents"], "owners": ["u-owner"] },
  "sites": [
    { "id": "hq", "name": "Head Office" },
    { "id": "north", "name": "North", "parent": "hq" },
    { "id": "north-lab", "name": "North Lab", "parent": "north" },
    { "id": "annex", "name": "Annex", "parent": "north-lab" },
    { "id": "south", "name": "South", "parent": "hq" },
    { "id": "remote", "name": "Remote" }
  ],
  "users": [
    { "id": "u-owner", "name": "Owner", "email": "owner@example.com" },
    { "id": "u-direct", "name": "Direct", "email": "direct@example.com" },
    { "id": "u-cascade", "name": "Cascade", "email": "cascade@example.com" },
    { "id": "u-deep", "name": "Deep", "email": "deep@example.com" },
    { "id": "u-childadmin", "name": "Child Admin", "email": "childadmin@example.com" },
    { "id": "u-mixed", "name": "Mixed", "email": "mixed@example.com" },
    { "id": "u-premises", "name": "Premises", "email": "premises@example.com" },
    { "id": "u-none", "name": "None", "email": "none@example.com" },
    { "id": "u-risk", "name": "Risk", "email": "risk@example.com" },
    { "id": "u-sitemgr", "name": "Site Manager", "email": "sitemgr@example.com" },
    { "id": "u-siteadmin", "name": "Site Admin", "email": "siteadmin@example.com" },
    { "id": "u-sitemember", "name": "Site Member", "email": "sitemember@example.com" },
    { "id": "u-hradmin", "name": "HR Admin", "email": "hradmin@example.com" },
    { "id": "u-member", "name": "Member", "email": "member@example.com" },
    { "id": "u-member2", "name": "Member Two", "email": "member2@example.com" },
    { "id": "u-nobody", "name": "Nobody", "email": "nobody@example.com" }
  ],
  "grants": [
    { "user": "u-direct", "site": "north", "module": "personnel", "role": "manager" },
    { "user": "u-cascade", "site": "north", "module": "personnel", "role": "manager", "includeChildSites": true },
    { "user": "u-deep", "site": "annex", "module": "personnel", "role": "member" },
    { "user": "u-childadmin", "site": "south", "module": "personnel", "role": "admin" },
    { "user": "u-mixed", "site": "north", "module": "personnel", "role": "member" },
    { "user": "u-mixed", "site": "hq", "module": "personnel", "role": "admin", "includeChildSites": true },
    { "user": "u-premises", "site": "north-lab", "module": "premises", "role": "manager" },
    { "user": "u-none", "site": "north", "module": "personnel", "role": "none", "includeChildSites": true },
    { "user": "u-risk", "site": "north", "module": "risks", "role": "admin" },
    { "user": "u-sitemgr", "site": "north", "module": "site", "role": "manager" },
    { "user": "u-sitemgr", "site": "north", "module": "personnel", "role": "member" },
    { "user": "u-siteadmin", "site": "north", "module": "site", "role": "admin" },
    { "user": "u-siteadmin", "site": "north", "module": "personnel", "role": "manager" },
    { "user": "u-sitemember", "site": "north", "module": "site", "role": "member" },
    { "user": "u-hradmin", "site": "north", "module": "personnel", "role": "admin" },
    { "user": "u-hradmin", "site": "north", "module": "site", "role": "admin" },
    { "user": "u-member", "site": "north", "module": "personnel", "role": "member" },
    { "user": "u-member", "site": "north", "module": "premises", "role": "member" },
    { "user": "u-member2", "site": "north", "module": "personnel", "role": "member" }
  ],
  "groups": [ { "id": "g-north", "name": "North team", "site": "north", "members": ["u-member", "u-member2"] } ],
  "templates": [
    { "id": "tpl-hr", "name": "HR lead", "roles": { "personnel": "admin", "site": "member" } },
    { "id": "tpl-ops", "name": "Operations", "roles": { "operations": "member" } }
  ],
  "settings": { "north": { "personnel": { "restrictCommentViewing": true } } },
  "integrations": { "north": { "ihasco": { "connected": true } }, "south": { "ihasco": { "connected": false } } },
  "training": {
    "courses": [
      { "id": "c-calm", "site": "north", "title": "Fire safety", "source": "calm", "status": "published",
        "steps": [ { "id": "s1", "type": "content", "title": "Exits" } ] },
      { "id": "c-ih", "site": "north", "title": "Manual handling", "source": "ihasco", "externalId": "IH-1",
        "status": "published", "steps": [ { "id": "s1", "type": "video", "title": "Lifting" } ] },
      { "id": "c-south", "site": "south", "title": "South induction", "source": "calm", "status": "draft", "steps": [] }
    ],
    "assignments": [ { "id": "a-1", "course": "c-calm", "people": ["u-nobody"], "groups": ["g-north"] } ],
    "fulfillments": [
      { "id": "f-member", "course": "c-calm", "user": "u-member", "assignment": "a-1", "status": "in_progress" },
      { "id": "f-member2", "course": "c-calm", "user": "u-member2", "assignment": "a-1", "status": "not_started" },
      { "id": "f-nobody", "course": "c-calm", "user": "u-nobody", "assignment": "a-1", "status": "not_started" },
      { "id": "f-owner", "course": "c-calm", "user": "u-owner", "status": "not_started" },
      { "id": "f-member-ih", "course": "c-ih", "user": "u-member", "status": "not_started" }
    ],
    "attempts": [],
    "results": []
  },
  "personnel": {
    "records": [
      { "id": "rec-m", "site": "north", "user": "u-member", "name": "Member",
        "blocks": [
          { "id": "b-emp", "type": "employment", "title": "Employment", "data": {} },
          { "id": "b-other", "type": "other", "title": "Locker", "data": {} },
          { "id": "b-flag", "type": "other", "title": "Medical note", "sensitive": true, "data": {} },
          { "id": "b-dbs-open", "type": "dbs", "title": "DBS (cleared)", "sensitive": false, "data": {} }
        ],
        "files": [ { "id": "file-1", "name": "cv.pdf" } ], "companies": ["co-n"] },
      { "id": "rec-s", "site": "south", "name": "South person", "blocks": [], "files": [], "companies": [] }
    ],
    "companies": [
      { "id": "co-n", "site": "north", "name": "North Co", "details": {}, "contacts": [ { "id": "ct-1", "name": "Carla" } ] },
      { "id": "co-s", "site": "south", "name": "South Co", "details": {}, "contacts": [] }
    ],
    "comments": [
      { "id": "t-member", "record": "rec-m", "author": "u-member", "body": "Hi", "createdAt": "2026-01-01T09:00:00Z" },
      { "id": "t-member2", "record": "rec-m", "author": "u-member2", "body": "Hello", "createdAt": "2026-01-01T09:30:00Z" },
      { "id": "r-1", "record": "rec-m", "author": "u-direct", "parent": "t-member", "body": "Noted", "createdAt": "2026-01-01T10:00:00Z" }
    ]
  }
})json");
}

/// Builds a request for the C++ API.
Request rq(std::string user, std::string action, std::optional<std::string> site = std::nullopt,
           Resource resource = {}) {
  Request r;
  r.user = std::move(user);
  r.action = std::move(action);
  r.site = std::move(site);
  r.resource = std::move(resource);
  return r;
}

class World : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (engine_ != nullptr) return;
    engine_ = new Engine();  // NOLINT: shared by every suite of this file, lives for the process
    const std::vector<calm::Error> errors = engine_->load(world().dump());
    ASSERT_TRUE(errors.empty()) << calm::test::describe(errors);
  }
  static const Engine& engine() { return *engine_; }
  static const calm::Snapshot& snap() { return engine_->snapshot(); }

  static Index site(std::string_view id) { return snap().site_ids.find(id); }
  static Index user(std::string_view id) { return snap().user_ids.find(id); }
  static Index module(std::string_view id) { return snap().module_ids.find(id); }
  static Role role(std::string_view u, std::string_view s, std::string_view m) {
    const Index ui = user(u), si = site(s), mi = module(m);
    EXPECT_NE(ui, kNone) << u;
    EXPECT_NE(si, kNone) << s;
    EXPECT_NE(mi, kNone) << m;
    if (ui == kNone || si == kNone || mi == kNone) return Role::none;
    return engine().effective_role(ui, si, mi);
  }
  static bool permission(std::string_view u, std::string_view s, SitePermission p) {
    return engine().has_site_permission(user(u), site(s), p);
  }

  /// The code of a check through the C++ API.
  static std::string code(const Request& request) { return calm::test::code_of(engine().check(request)); }
  static std::string code(std::string u, std::string action, std::string s) {
    return code(rq(std::move(u), std::move(action), std::move(s)));
  }
  static std::string code(std::string u, std::string action, Resource resource) {
    return code(rq(std::move(u), std::move(action), std::nullopt, std::move(resource)));
  }
  /// The code of a decision through the JSON boundary.
  static std::string jcode(const json& request) {
    return calm::test::code_of(calm::ffi::decide_value(engine(), request));
  }
  static std::string jcode(const char* request_text) { return jcode(json::parse(request_text)); }

  inline static Engine* engine_ = nullptr;
};

Resource course(std::string id) {
  Resource r;
  r.course = std::move(id);
  return r;
}
Resource fulfillment(std::string id) {
  Resource r;
  r.fulfillment = std::move(id);
  return r;
}
Resource record(std::string id) {
  Resource r;
  r.record = std::move(id);
  return r;
}
Resource thread(std::string id) {
  Resource r;
  r.thread = std::move(id);
  return r;
}
Resource company(std::string id) {
  Resource r;
  r.company = std::move(id);
  return r;
}
Resource block(std::string rec, std::string id) {
  Resource r;
  r.block = calm::BlockRef{std::move(rec), std::move(id)};
  return r;
}
Resource access(std::string target, std::string mod, std::string role_name) {
  Resource r;
  r.target = std::move(target);
  r.module = std::move(mod);
  r.role = std::move(role_name);
  return r;
}
Resource target(std::string id) {
  Resource r;
  r.target = std::move(id);
  return r;
}

// ---------------------------------------------------------------- section 2

class RoleResolution : public World {};

TEST_F(RoleResolution, A1_DirectGrantGivesItsRoleAtItsSite) {
  EXPECT_EQ(role("u-direct", "north", "personnel"), Role::manager);
  EXPECT_EQ(role("u-childadmin", "south", "personnel"), Role::admin);
  EXPECT_EQ(role("u-member", "north", "premises"), Role::member);
  EXPECT_EQ(role("u-direct", "north", "premises"), Role::none);
  EXPECT_EQ(code("u-direct", "training.insights.view", "north"), "allowed");
}

TEST_F(RoleResolution, A1_NoneGrantGrantsNothing) {
  EXPECT_EQ(role("u-none", "north", "personnel"), Role::none);
  EXPECT_EQ(code("u-none", "personnel.record.view", "north"), "missing-role");
}

TEST_F(RoleResolution, A2_GrantAtParentGivesNothingAtChildren) {
  EXPECT_EQ(role("u-direct", "north-lab", "personnel"), Role::none);
  EXPECT_EQ(role("u-direct", "annex", "personnel"), Role::none);
  EXPECT_EQ(code("u-direct", "personnel.record.view", "north-lab"), "missing-role");
  EXPECT_FALSE(permission("u-siteadmin", "north-lab", SitePermission::manage_integrations));
}

TEST_F(RoleResolution, A3_CascadingGrantReachesEveryDescendant) {
  EXPECT_EQ(role("u-cascade", "north", "personnel"), Role::manager);
  EXPECT_EQ(role("u-cascade", "north-lab", "personnel"), Role::manager);
  EXPECT_EQ(role("u-cascade", "annex", "personnel"), Role::manager);
  EXPECT_EQ(role("u-cascade", "south", "personnel"), Role::none);
  EXPECT_EQ(role("u-cascade", "remote", "personnel"), Role::none);
  EXPECT_EQ(code("u-cascade", "training.insights.view", "annex"), "allowed");
}

TEST_F(RoleResolution, A3_CascadeReachesChildSitesAddedLater) {
  json next = world();
  next["sites"].push_back({{"id", "annex-2"}, {"name", "Second annex"}, {"parent", "annex"}});
  Engine later;
  calm::test::load_ok(later, next);
  const calm::Snapshot& s = later.snapshot();
  EXPECT_EQ(
      later.effective_role(s.user_ids.find("u-cascade"), s.site_ids.find("annex-2"), calm::kModulePersonnel),
      Role::manager);
  EXPECT_EQ(calm::test::code_of(later.check(rq("u-cascade", "training.insights.view", "annex-2"))),
            "allowed");
}

TEST_F(RoleResolution, A4_ChildSiteAccessImpliesMemberOnParents) {
  EXPECT_EQ(role("u-deep", "annex", "personnel"), Role::member);
  EXPECT_EQ(role("u-deep", "north-lab", "personnel"), Role::member);
  EXPECT_EQ(role("u-deep", "north", "personnel"), Role::member);
  EXPECT_EQ(code("u-deep", "personnel.record.view", "north"), "allowed");
}

TEST_F(RoleResolution, A4_ImplicationIsTransitiveToTheRootAndNoFurther) {
  EXPECT_EQ(role("u-deep", "hq", "personnel"), Role::member);
  EXPECT_EQ(role("u-deep", "south", "personnel"), Role::none);
  EXPECT_EQ(role("u-deep", "remote", "personnel"), Role::none);
  EXPECT_EQ(code("u-deep", "personnel.record.view", "south"), "missing-role");
}

TEST_F(RoleResolution, A4_ImplicationNeverGivesMoreThanMember) {
  EXPECT_EQ(role("u-childadmin", "hq", "personnel"), Role::member);
  EXPECT_EQ(role("u-cascade", "hq", "personnel"), Role::member);
  EXPECT_EQ(code("u-childadmin", "training.insights.view", "hq"), "missing-role");
  EXPECT_EQ(code("u-childadmin", "personnel.company.delete", "hq"), "missing-role");
  EXPECT_FALSE(permission("u-sitemgr", "hq", SitePermission::manage_users));
  EXPECT_EQ(role("u-sitemgr", "hq", "site"), Role::member);
}

TEST_F(RoleResolution, A4_ImplicationIsPerModule) {
  EXPECT_EQ(role("u-premises", "north", "premises"), Role::member);
  EXPECT_EQ(role("u-premises", "hq", "premises"), Role::member);
  EXPECT_EQ(role("u-premises", "north", "personnel"), Role::none);
  EXPECT_EQ(role("u-premises", "north", "site"), Role::none);
  EXPECT_EQ(code("u-premises", "personnel.record.view", "north"), "missing-role");
}

TEST_F(RoleResolution, A4_NoneGrantImpliesNothingOnParents) {
  EXPECT_EQ(role("u-none", "hq", "personnel"), Role::none);
  EXPECT_EQ(role("u-none", "annex", "personnel"), Role::none);
}

TEST_F(RoleResolution, A5_SourcesCombineByMaximum) {
  EXPECT_EQ(role("u-mixed", "north", "personnel"), Role::admin);  // direct member, cascade admin
  EXPECT_EQ(role("u-mixed", "annex", "personnel"), Role::admin);
  EXPECT_EQ(role("u-mixed", "hq", "personnel"), Role::admin);  // direct admin beats implied member
  EXPECT_EQ(code("u-mixed", "personnel.company.delete", "north"), "allowed");
}

TEST_F(RoleResolution, A6_OwnersHoldAdminForEveryModuleEverywhere) {
  for (const char* s : {"hq", "north", "north-lab", "annex", "south", "remote"}) {
    for (const char* m : {"site", "personnel", "premises", "documents"}) {
      EXPECT_EQ(role("u-owner", s, m), Role::admin) << s << " " << m;
    }
  }
  EXPECT_EQ(code("u-owner", "personnel.company.delete", "remote"), "allowed");
}

TEST_F(RoleResolution, A7_ModuleWithoutEntitlementGivesNoneToEveryoneIncludingOwners) {
  EXPECT_EQ(role("u-risk", "north", "risks"), Role::none);
  EXPECT_EQ(role("u-owner", "north", "risks"), Role::none);
  EXPECT_EQ(role("u-owner", "north", "operations"), Role::none);
}

TEST_F(RoleResolution, A7_SiteModuleIsAlwaysEntitled) {
  // The entitlements list does not name `site`.
  EXPECT_EQ(role("u-sitemgr", "north", "site"), Role::manager);
  EXPECT_EQ(role("u-owner", "remote", "site"), Role::admin);
  EXPECT_EQ(code("u-sitemgr", "site.update", "north"), "allowed");
}

TEST_F(RoleResolution, A7_TrainingNeedsThePersonnelEntitlement) {
  json w = world();
  w["organisation"]["entitlements"] = json::array({"premises"});
  Engine engine;
  calm::test::load_ok(engine, w);
  const calm::Snapshot& s = engine.snapshot();
  EXPECT_EQ(
      engine.effective_role(s.user_ids.find("u-owner"), s.site_ids.find("north"), calm::kModulePersonnel),
      Role::none);
  EXPECT_EQ(
      engine.effective_role(s.user_ids.find("u-hradmin"), s.site_ids.find("north"), calm::kModulePersonnel),
      Role::none);
  for (const char* u : {"u-owner", "u-hradmin"}) {
    EXPECT_EQ(calm::test::code_of(engine.check(rq(u, "training.insights.view", "north"))), "not-entitled")
        << u;
    EXPECT_EQ(calm::test::code_of(engine.check(rq(u, "training.course.create", "north"))), "not-entitled")
        << u;
    EXPECT_EQ(calm::test::code_of(engine.check(rq(u, "training.integration.connect", "north"))),
              "not-entitled")
        << u;
  }
  EXPECT_EQ(calm::test::code_of(engine.check(
                rq("u-owner", "training.course.complete", std::nullopt, fulfillment("f-owner")))),
            "not-entitled");
  // Site permissions stay.
  EXPECT_EQ(calm::test::code_of(engine.check(rq("u-hradmin", "site.integrations.manage", "north"))),
            "allowed");
}

TEST_F(RoleResolution, A8_UnknownUserSiteAndModuleAreDeniedNamingTheId) {
  const calm::Verdict unknown_user = engine().check(rq("u-ghost", "personnel.record.view", "north"));
  EXPECT_EQ(unknown_user.code, Code::unknown_user);
  EXPECT_NE(unknown_user.field.find("user"), std::string_view::npos) << unknown_user.field;
  const calm::Verdict unknown_site = engine().check(rq("u-direct", "personnel.record.view", "west"));
  EXPECT_EQ(unknown_site.code, Code::unknown_site);
  EXPECT_NE(unknown_site.field.find("site"), std::string_view::npos) << unknown_site.field;
  EXPECT_EQ(code(rq("u-hradmin", "users.access.set", "north", access("u-member", "payroll", "member"))),
            "unknown-module");
  EXPECT_EQ(module("payroll"), kNone);
  // Known modules: the three, and ids named in entitlements, grants, templates.
  EXPECT_EQ(module("site"), calm::kModuleSite);
  EXPECT_EQ(module("personnel"), calm::kModulePersonnel);
  EXPECT_EQ(module("premises"), calm::kModulePremises);
  EXPECT_NE(module("documents"), kNone);
  EXPECT_NE(module("risks"), kNone);
  EXPECT_NE(module("operations"), kNone);
}

// ---------------------------------------------------------------- section 3

class SitePermissions : public World {};

TEST_F(SitePermissions, UpdateSiteNeedsSiteManager) {
  EXPECT_TRUE(permission("u-sitemgr", "north", SitePermission::update_site));
  EXPECT_TRUE(permission("u-siteadmin", "north", SitePermission::update_site));
  EXPECT_FALSE(permission("u-sitemember", "north", SitePermission::update_site));
  EXPECT_FALSE(permission("u-direct", "north", SitePermission::update_site));
  EXPECT_EQ(code("u-sitemgr", "site.update", "north"), "allowed");
  EXPECT_EQ(code("u-sitemember", "site.update", "north"), "missing-site-permission");
}

TEST_F(SitePermissions, ManageUsersNeedsSiteManager) {
  EXPECT_TRUE(permission("u-sitemgr", "north", SitePermission::manage_users));
  EXPECT_FALSE(permission("u-sitemember", "north", SitePermission::manage_users));
  EXPECT_EQ(code("u-sitemgr", "site.users.manage", "north"), "allowed");
  EXPECT_EQ(code("u-sitemember", "site.users.manage", "north"), "missing-site-permission");
}

TEST_F(SitePermissions, ManageIntegrationsNeedsSiteAdmin) {
  EXPECT_TRUE(permission("u-siteadmin", "north", SitePermission::manage_integrations));
  EXPECT_FALSE(permission("u-sitemgr", "north", SitePermission::manage_integrations));
  EXPECT_EQ(code("u-siteadmin", "site.integrations.manage", "north"), "allowed");
  const calm::Verdict denied = engine().check(rq("u-sitemgr", "site.integrations.manage", "north"));
  EXPECT_EQ(denied.code, Code::missing_site_permission);
  EXPECT_EQ(denied.permission, SitePermission::manage_integrations);
}

TEST_F(SitePermissions, OwnersHoldAllThreeEverywhere) {
  for (const char* s : {"hq", "annex", "remote"}) {
    EXPECT_TRUE(permission("u-owner", s, SitePermission::update_site)) << s;
    EXPECT_TRUE(permission("u-owner", s, SitePermission::manage_users)) << s;
    EXPECT_TRUE(permission("u-owner", s, SitePermission::manage_integrations)) << s;
  }
}

TEST_F(SitePermissions, PermissionsNeverGiveMissingRoleAndNamesAreStable) {
  EXPECT_EQ(code("u-nobody", "site.update", "north"), "missing-site-permission");
  EXPECT_EQ(code("u-nobody", "users.view", "north"), "missing-site-permission");
  EXPECT_EQ(calm::site_permission_name(SitePermission::update_site), "update-site");
  EXPECT_EQ(calm::site_permission_name(SitePermission::manage_users), "manage-users");
  EXPECT_EQ(calm::site_permission_name(SitePermission::manage_integrations), "manage-integrations");
  const calm::Decision d = engine().decide(rq("u-sitemember", "site.update", "north"));
  EXPECT_EQ(d.to_json()["requires"].value("sitePermission", std::string()), "update-site") << d.to_json().dump();
}

// ---------------------------------------------------------------- section 4

class Training : public World {};

TEST_F(Training, T1_CompletingNeedsYourOwnFulfillment) {
  EXPECT_EQ(code("u-member", "training.course.complete", fulfillment("f-member")), "allowed");
  EXPECT_EQ(code("u-member", "training.course.complete", fulfillment("f-member2")), "not-own-fulfillment");
  EXPECT_EQ(code("u-direct", "training.course.complete", fulfillment("f-member")), "not-own-fulfillment");
  EXPECT_EQ(code("u-owner", "training.course.complete", fulfillment("f-member")), "not-own-fulfillment");
  EXPECT_EQ(code("u-owner", "training.course.complete", fulfillment("f-owner")), "allowed");
  EXPECT_EQ(code("u-member", "training.course.complete", fulfillment("f-member-ih")), "allowed");
}

TEST_F(Training, T2_EveryPersonnelRoleViewsOwnProgress) {
  EXPECT_EQ(code("u-member", "training.progress.view_own", "north"), "allowed");
  EXPECT_EQ(code("u-direct", "training.progress.view_own", "north"), "allowed");
  EXPECT_EQ(code("u-nobody", "training.progress.view_own", "north"), "missing-role");
}

TEST_F(Training, T3_InsightsNeedManager) {
  EXPECT_EQ(code("u-member", "training.insights.view", "north"), "missing-role");
  EXPECT_EQ(code("u-direct", "training.insights.view", "north"), "allowed");
  EXPECT_EQ(code("u-hradmin", "training.insights.view", "north"), "allowed");
  const calm::Verdict v = engine().check(rq("u-member", "training.insights.view", "north"));
  EXPECT_EQ(v.module, calm::kModulePersonnel);
  EXPECT_EQ(v.needed, Role::manager);
  EXPECT_EQ(v.held, Role::member);
}

TEST_F(Training, T4_EveryPersonnelRoleViewsTrainingOnProfiles) {
  EXPECT_EQ(code("u-member", "training.profile.view", record("rec-m")), "allowed");
  EXPECT_EQ(code("u-member", "training.profile.view", "north"), "allowed");
  EXPECT_EQ(code("u-member", "training.profile.view", record("rec-s")), "missing-role");
}

TEST_F(Training, T5_MembersSeeOnlyCoursesTheyHoldAFulfillmentOf) {
  EXPECT_EQ(code("u-member", "training.course.view", course("c-calm")), "allowed");
  EXPECT_EQ(code("u-sitemgr", "training.course.view", course("c-calm")), "not-assigned");
  EXPECT_EQ(code("u-member2", "training.course.view", course("c-ih")), "not-assigned");
  EXPECT_EQ(code("u-direct", "training.course.view", course("c-ih")), "allowed");
  EXPECT_EQ(code("u-owner", "training.course.view", course("c-south")), "allowed");
  EXPECT_EQ(code("u-nobody", "training.course.view", course("c-calm")), "missing-role");
}

TEST_F(Training, T6_ManagersCreateEditPublishArchiveAndAssignCalmCourses) {
  EXPECT_EQ(code("u-direct", "training.course.create", "north"), "allowed");
  EXPECT_EQ(code("u-member", "training.course.create", "north"), "missing-role");
  for (const char* action : {"training.course.edit", "training.course.publish", "training.course.archive",
                             "training.course.assign"}) {
    EXPECT_EQ(code("u-direct", action, course("c-calm")), "allowed") << action;
    EXPECT_EQ(code("u-member", action, course("c-calm")), "missing-role") << action;
    EXPECT_EQ(code("u-direct", action, course("c-south")), "missing-role") << action;
  }
}

TEST_F(Training, T6_PublishArchiveAssignOnAnExternalCourseAreExternalCourseAfterTheRoleCheck) {
  for (const char* action :
       {"training.course.publish", "training.course.archive", "training.course.assign"}) {
    EXPECT_EQ(code("u-member", action, course("c-ih")), "missing-role") << action;
    EXPECT_EQ(code("u-direct", action, course("c-ih")), "external-course") << action;
    EXPECT_EQ(code("u-hradmin", action, course("c-ih")), "external-course") << action;
    EXPECT_EQ(code("u-owner", action, course("c-ih")), "external-course") << action;
  }
}

TEST_F(Training, T7_ExternalCourseEditAndDeleteNeedManagerAndManageIntegrations) {
  for (const char* action : {"training.course.edit", "training.course.delete"}) {
    EXPECT_EQ(code("u-member", action, course("c-ih")), "missing-role") << action;
    EXPECT_EQ(code("u-direct", action, course("c-ih")), "missing-site-permission") << action;
    EXPECT_EQ(code("u-siteadmin", action, course("c-ih")), "allowed") << action;
    EXPECT_EQ(code("u-owner", action, course("c-ih")), "allowed") << action;
  }
  const calm::Decision d =
      engine().decide(rq("u-direct", "training.course.edit", std::nullopt, course("c-ih")));
  EXPECT_EQ(d.rule, "T7");
  EXPECT_EQ(d.to_json()["requires"].value("sitePermission", std::string()), "manage-integrations") << d.to_json().dump();
}

TEST_F(Training, T8_ManagersDeleteCalmCourses) {
  EXPECT_EQ(code("u-direct", "training.course.delete", course("c-calm")), "allowed");
  EXPECT_EQ(code("u-member", "training.course.delete", course("c-calm")), "missing-role");
}

TEST_F(Training, T9_ManagersRecordManualResults) {
  EXPECT_EQ(code("u-direct", "training.result.record", record("rec-m")), "allowed");
  EXPECT_EQ(code("u-member", "training.result.record", record("rec-m")), "missing-role");
  EXPECT_EQ(code("u-direct", "training.result.record", "north"), "allowed");
}

TEST_F(Training, T10_ManagersReviewAssessments) {
  EXPECT_EQ(code("u-direct", "training.assessment.review", course("c-calm")), "allowed");
  EXPECT_EQ(code("u-direct", "training.assessment.review", course("c-ih")), "allowed");
  EXPECT_EQ(code("u-member", "training.assessment.review", "north"), "missing-role");
}

TEST_F(Training, T11_ManagersManageQuizzesAndExternalQuizzesNeedT7) {
  EXPECT_EQ(code("u-direct", "training.quiz.manage", "north"), "allowed");
  EXPECT_EQ(code("u-direct", "training.quiz.manage", course("c-calm")), "allowed");
  EXPECT_EQ(code("u-member", "training.quiz.manage", course("c-calm")), "missing-role");
  EXPECT_EQ(code("u-direct", "training.quiz.manage", course("c-ih")), "missing-site-permission");
  EXPECT_EQ(code("u-siteadmin", "training.quiz.manage", course("c-ih")), "allowed");
}

TEST_F(Training, T12_ConnectingIhascoNeedsPersonnelAdminAndManageIntegrations) {
  EXPECT_EQ(code("u-hradmin", "training.integration.connect", "north"), "allowed");
  EXPECT_EQ(code("u-siteadmin", "training.integration.connect", "north"),
            "missing-role");  // personnel manager
  EXPECT_EQ(code("u-mixed", "training.integration.connect", "north"),
            "missing-site-permission");  // no site role
  EXPECT_EQ(code("u-owner", "training.integration.connect", "south"), "allowed");
}

TEST_F(Training, T13_SyncNeedsManagerAndAConnectedIntegration) {
  EXPECT_EQ(code("u-direct", "training.integration.sync", "north"), "allowed");
  EXPECT_EQ(code("u-member", "training.integration.sync", "north"), "missing-role");
  EXPECT_EQ(code("u-childadmin", "training.integration.sync", "south"), "integration-not-connected");
  EXPECT_EQ(code("u-owner", "training.integration.sync", "south"), "integration-not-connected");
  EXPECT_EQ(code("u-owner", "training.integration.sync", "hq"),
            "integration-not-connected");  // no entry at all
  EXPECT_EQ(code("u-cascade", "training.integration.sync", "north-lab"),
            "integration-not-connected");  // not inherited
}

TEST_F(Training, T15_AFulfillmentWithoutPersonnelMemberCannotBeCompleted) {
  EXPECT_EQ(code("u-nobody", "training.course.complete", fulfillment("f-nobody")), "missing-role");
}

// ---------------------------------------------------------------- section 5

class Personnel : public World {};

TEST_F(Personnel, P1_EveryPersonnelRoleViewsRecords) {
  EXPECT_EQ(code("u-member", "personnel.record.view", record("rec-m")), "allowed");
  EXPECT_EQ(code("u-member", "personnel.record.view", record("rec-s")), "missing-role");
  EXPECT_EQ(code("u-nobody", "personnel.record.view", "north"), "missing-role");
}

TEST_F(Personnel, P2_AssetsAlsoNeedPremisesMember) {
  EXPECT_EQ(code("u-member", "personnel.record.view_assets", record("rec-m")), "allowed");
  EXPECT_EQ(code("u-member2", "personnel.record.view_assets", record("rec-m")), "missing-role");
  EXPECT_EQ(code("u-premises", "personnel.record.view_assets", "north"), "missing-role");
  const calm::Verdict v = engine().check(rq("u-member2", "personnel.record.view_assets", "north"));
  EXPECT_EQ(v.module, calm::kModulePremises);
  const calm::Verdict w = engine().check(rq("u-premises", "personnel.record.view_assets", "north"));
  EXPECT_EQ(w.module, calm::kModulePersonnel);  // personnel is checked before premises
}

TEST_F(Personnel, P3_EveryPersonnelRoleViewsTraining) {
  EXPECT_EQ(code("u-member", "personnel.training.view", record("rec-m")), "allowed");
  EXPECT_EQ(code("u-nobody", "personnel.training.view", record("rec-m")), "missing-role");
}

TEST_F(Personnel, P4_EveryPersonnelRoleViewsCompanies) {
  Resource r = record("rec-m");
  r.company = "co-n";
  EXPECT_EQ(code("u-member", "personnel.company.view", r), "allowed");
  EXPECT_EQ(code("u-member", "personnel.company.view", company("co-s")), "missing-role");
}

TEST_F(Personnel, P5_EveryPersonnelRoleAddsComments) {
  EXPECT_EQ(code("u-member", "personnel.comment.add", record("rec-m")), "allowed");
  EXPECT_EQ(code("u-nobody", "personnel.comment.add", record("rec-m")), "missing-role");
}

TEST_F(Personnel, P6_UnderRestrictCommentViewingMembersSeeOnlyThreadsTheyStarted) {
  EXPECT_EQ(code("u-member", "personnel.comment.view", thread("t-member")), "allowed");
  EXPECT_EQ(code("u-member", "personnel.comment.view", thread("t-member2")), "not-own-thread");
  EXPECT_EQ(code("u-member2", "personnel.comment.view", thread("t-member")), "not-own-thread");
  EXPECT_EQ(code("u-direct", "personnel.comment.view", thread("t-member2")), "allowed");
  EXPECT_EQ(code("u-owner", "personnel.comment.view", thread("t-member2")), "allowed");
  EXPECT_EQ(code("u-deep", "personnel.comment.view", thread("t-member")),
            "not-own-thread");  // implied member
  EXPECT_EQ(code("u-member", "personnel.comment.view", thread("r-1")), "unknown-resource");
}

TEST_F(Personnel, P6_WithoutRestrictCommentViewingMembersSeeEveryThread) {
  json w = world();
  w["settings"]["north"]["personnel"]["restrictCommentViewing"] = false;
  Engine engine;
  calm::test::load_ok(engine, w);
  EXPECT_EQ(calm::test::code_of(
                engine.check(rq("u-member", "personnel.comment.view", std::nullopt, thread("t-member2")))),
            "allowed");
  w.erase("settings");  // defaults: off
  Engine defaults;
  calm::test::load_ok(defaults, w);
  EXPECT_EQ(calm::test::code_of(
                defaults.check(rq("u-member2", "personnel.comment.view", std::nullopt, thread("t-member")))),
            "allowed");
}

TEST_F(Personnel, P7_InsightsNeedManager) {
  EXPECT_EQ(code("u-member", "personnel.insights.view", "north"), "missing-role");
  EXPECT_EQ(code("u-direct", "personnel.insights.view", "north"), "allowed");
}

TEST_F(Personnel, P8_ManagersCreateEditAndDeleteRecords) {
  EXPECT_EQ(code("u-direct", "personnel.record.create", "north"), "allowed");
  EXPECT_EQ(code("u-member", "personnel.record.create", "north"), "missing-role");
  for (const char* action : {"personnel.record.edit", "personnel.record.delete"}) {
    EXPECT_EQ(code("u-direct", action, record("rec-m")), "allowed") << action;
    EXPECT_EQ(code("u-member", action, record("rec-m")), "missing-role") << action;
  }
}

TEST_F(Personnel, P9_MembersViewNonSensitiveBlocksAndFiles) {
  EXPECT_EQ(code("u-member", "personnel.block.view", block("rec-m", "b-other")), "allowed");
  EXPECT_EQ(code("u-member", "personnel.block.view", block("rec-m", "b-dbs-open")),
            "allowed");  // flag false wins
  EXPECT_EQ(code("u-member", "personnel.block.view", record("rec-m")), "allowed");
  EXPECT_EQ(code("u-member", "personnel.file.view", record("rec-m")), "allowed");
  EXPECT_EQ(code("u-nobody", "personnel.file.view", record("rec-m")), "missing-role");
}

TEST_F(Personnel, P9_P11_SensitiveBlocksNeedManagerToView) {
  EXPECT_EQ(code("u-member", "personnel.block.view", block("rec-m", "b-emp")),
            "missing-role");  // type default
  EXPECT_EQ(code("u-member", "personnel.block.view", block("rec-m", "b-flag")), "missing-role");  // flag true
  EXPECT_EQ(code("u-direct", "personnel.block.view", block("rec-m", "b-emp")), "allowed");
  const calm::Verdict v =
      engine().check(rq("u-member", "personnel.block.view", std::nullopt, block("rec-m", "b-emp")));
  EXPECT_EQ(v.needed, Role::manager);
}

TEST_F(Personnel, P10_ManagersManageBlocksAndFiles) {
  EXPECT_EQ(code("u-direct", "personnel.block.manage", block("rec-m", "b-other")), "allowed");
  EXPECT_EQ(code("u-member", "personnel.block.manage", block("rec-m", "b-other")), "missing-role");
  EXPECT_EQ(code("u-direct", "personnel.file.manage", record("rec-m")), "allowed");
  EXPECT_EQ(code("u-member", "personnel.file.manage", record("rec-m")), "missing-role");
}

TEST_F(Personnel, P11_SensitiveDataNeedsManager) {
  EXPECT_EQ(code("u-direct", "personnel.sensitive.view", "north"), "allowed");
  EXPECT_EQ(code("u-direct", "personnel.sensitive.view", company("co-n")), "allowed");
  EXPECT_EQ(code("u-member", "personnel.sensitive.view", company("co-n")), "missing-role");
  EXPECT_EQ(code("u-member", "personnel.sensitive.view", block("rec-m", "b-other")), "missing-role");
}

TEST_F(Personnel, P12_ManagersManageCompanies) {
  EXPECT_EQ(code("u-direct", "personnel.company.manage", company("co-n")), "allowed");
  EXPECT_EQ(code("u-member", "personnel.company.manage", company("co-n")), "missing-role");
}

TEST_F(Personnel, P13_OnlyAdminsDeleteCompaniesAndContacts) {
  for (const char* action : {"personnel.company.delete", "personnel.contact.delete"}) {
    EXPECT_EQ(code("u-hradmin", action, company("co-n")), "allowed") << action;
    EXPECT_EQ(code("u-direct", action, company("co-n")), "missing-role") << action;
  }
}

TEST_F(Personnel, P14_AnyPersonnelRoleViewsSettings) {
  EXPECT_EQ(code("u-member", "personnel.settings.view", "north"), "allowed");
  EXPECT_EQ(code("u-deep", "personnel.settings.view", "north"), "allowed");
  EXPECT_EQ(code("u-sitemember", "personnel.settings.view", "north"), "missing-role");
}

TEST_F(Personnel, P15_EditingSettingsNeedsSettingsViewAndUpdateSite) {
  EXPECT_EQ(code("u-sitemgr", "personnel.settings.edit", "north"),
            "allowed");  // personnel member + site manager
  EXPECT_EQ(code("u-member", "personnel.settings.edit", "north"), "missing-site-permission");
  EXPECT_EQ(code("u-hradmin", "personnel.settings.edit", "north"), "allowed");
  EXPECT_EQ(code("u-sitemember", "personnel.settings.edit", "north"), "missing-role");
  json w = world();
  w["grants"].push_back(
      {{"user", "u-sitemember"}, {"site", "north"}, {"module", "site"}, {"role", "manager"}});
  Engine engine;
  calm::test::load_ok(engine, w);  // site manager, still no personnel role
  EXPECT_EQ(calm::test::code_of(engine.check(rq("u-sitemember", "personnel.settings.edit", "north"))),
            "missing-role");
}

TEST_F(Personnel, P16_RevealingIsCheckedByP11) {
  Resource r = record("rec-m");
  r.block = calm::BlockRef{"rec-m", "b-emp"};
  EXPECT_EQ(code("u-direct", "personnel.sensitive.view", r), "allowed");
  EXPECT_EQ(code("u-member", "personnel.sensitive.view", r), "missing-role");
}

TEST_F(Personnel, P17_SettingsDenialHasTheExactMessage) {
  const calm::Decision d = engine().decide(rq("u-nobody", "personnel.settings.view", "north"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.code, Code::missing_role);
  EXPECT_EQ(d.message, kP17);
  const json answer = json::parse(
      calm::ffi::decide(engine(), R"({"user":"u-premises","action":"personnel.settings.view","site":"north"})"));
  EXPECT_EQ(answer.value("message", std::string()), kP17);
  EXPECT_EQ(answer.value("code", std::string()), "missing-role");
}

TEST_F(Personnel, P17_NotEntitledSettingsViewHasTheExactMessageToo) {
  json w = world();
  w["organisation"]["entitlements"] = json::array({"premises"});
  Engine engine;
  calm::test::load_ok(engine, w);
  const calm::Decision d = engine.decide(rq("u-owner", "personnel.settings.view", "north"));
  EXPECT_EQ(d.code, Code::not_entitled);
  EXPECT_EQ(d.message, kP17);
}

TEST_F(Personnel, P17_OtherDenialsDoNotUseTheSettingsMessage) {
  EXPECT_NE(engine().decide(rq("u-nobody", "personnel.record.view", "north")).message, kP17);
  EXPECT_NE(engine().decide(rq("u-member", "personnel.settings.edit", "north")).message, kP17);
}

TEST_F(Personnel, P18_ManagersManagePersonnelTraining) {
  EXPECT_EQ(code("u-direct", "personnel.training.manage", "north"), "allowed");
  EXPECT_EQ(code("u-member", "personnel.training.manage", "north"), "missing-role");
}

// ---------------------------------------------------------------- section 6

class UserManagement : public World {};

TEST_F(UserManagement, S1_UserManagementAndAccessScreensNeedManageUsers) {
  for (const char* action : {"users.view", "users.access.view", "users.access.edit"}) {
    EXPECT_EQ(code("u-sitemgr", action, "north"), "allowed") << action;
    EXPECT_EQ(code("u-sitemember", action, "north"), "missing-site-permission") << action;
    EXPECT_EQ(code("u-hradmin", action, "south"), "missing-site-permission") << action;
    EXPECT_EQ(code("u-owner", action, "remote"), "allowed") << action;
  }
  EXPECT_EQ(code(rq("u-sitemgr", "users.access.edit", "north", target("u-hradmin"))), "allowed");
  EXPECT_EQ(code(rq("u-sitemgr", "users.access.view", "north", target("u-ghost"))), "unknown-resource");
}

TEST_F(UserManagement, S2_NoEscalationAboveTheEditorsOwnRole) {
  EXPECT_EQ(code(rq("u-siteadmin", "users.access.set", "north", access("u-nobody", "personnel", "manager"))),
            "allowed");
  EXPECT_EQ(code(rq("u-siteadmin", "users.access.set", "north", access("u-nobody", "personnel", "admin"))),
            "escalation");
  EXPECT_EQ(code(rq("u-sitemgr", "users.access.set", "north", access("u-nobody", "site", "admin"))),
            "escalation");
  EXPECT_EQ(code(rq("u-sitemgr", "users.access.set", "north", access("u-nobody", "site", "manager"))),
            "allowed");
  EXPECT_EQ(code(rq("u-sitemgr", "users.access.set", "north", access("u-nobody", "premises", "member"))),
            "escalation");
  EXPECT_EQ(code(rq("u-owner", "users.access.set", "annex", access("u-nobody", "premises", "admin"))),
            "allowed");
  const calm::Decision d = engine().decide(
      rq("u-siteadmin", "users.access.set", "north", access("u-nobody", "personnel", "admin")));
  EXPECT_EQ(d.rule, "S2");
}

TEST_F(UserManagement, S2_SettingNoneAlwaysPassesTheEscalationTest) {
  EXPECT_EQ(code(rq("u-sitemgr", "users.access.set", "north", access("u-hradmin", "premises", "none"))),
            "allowed");
  EXPECT_EQ(code(rq("u-sitemgr", "users.access.set", "north", access("u-hradmin", "documents", "none"))),
            "allowed");
}

TEST_F(UserManagement, S2_DeniesInTheOrderNotEntitledMissingSitePermissionEscalation) {
  EXPECT_EQ(code(rq("u-sitemember", "users.access.set", "north", access("u-nobody", "risks", "none"))),
            "not-entitled");
  EXPECT_EQ(code(rq("u-siteadmin", "users.access.set", "north", access("u-nobody", "operations", "none"))),
            "not-entitled");
  EXPECT_EQ(code(rq("u-sitemember", "users.access.set", "north", access("u-nobody", "personnel", "admin"))),
            "missing-site-permission");
  EXPECT_EQ(code(rq("u-direct", "users.access.set", "north", access("u-nobody", "personnel", "admin"))),
            "missing-site-permission");
}

TEST_F(UserManagement, S2_EditingSomeoneWhoHoldsMoreIsNotRestricted) {
  EXPECT_EQ(code(rq("u-sitemgr", "users.access.set", "north", access("u-hradmin", "personnel", "member"))),
            "allowed");
}

TEST_F(UserManagement, S2_OnlyOwnersMakeOrUnmakeOwners) {
  EXPECT_EQ(code(rq("u-owner", "users.owner.set", std::nullopt, target("u-member"))), "allowed");
  EXPECT_EQ(code(rq("u-owner", "users.owner.unset", std::nullopt, target("u-owner"))), "allowed");
  EXPECT_EQ(code(rq("u-hradmin", "users.owner.set", std::nullopt, target("u-member"))), "escalation");
  EXPECT_EQ(code(rq("u-hradmin", "users.owner.unset", "north", target("u-owner"))), "escalation");
}

TEST_F(UserManagement, S3_TemplateModulesAreKnownAndCheckedRoleByRole) {
  // tpl-hr = { personnel: admin, site: member } applied by a site admin who is personnel manager.
  EXPECT_EQ(code(rq("u-siteadmin", "users.access.set", "north", access("u-nobody", "personnel", "admin"))),
            "escalation");
  EXPECT_EQ(code(rq("u-siteadmin", "users.access.set", "north", access("u-nobody", "site", "member"))),
            "allowed");
  // tpl-ops names `operations`: a known module (not unknown-module), not entitled.
  EXPECT_EQ(code(rq("u-owner", "users.access.set", "north", access("u-nobody", "operations", "member"))),
            "not-entitled");
}

// ---------------------------------------------------------------- section 7

class ReasonCodes : public World {};

TEST_F(ReasonCodes, Section7_CodesHaveStableNamesInPriorityOrder) {
  const std::vector<std::string> expected = {"invalid-request",
                                             "unknown-action",
                                             "unknown-user",
                                             "unknown-site",
                                             "unknown-resource",
                                             "unknown-module",
                                             "not-entitled",
                                             "missing-role",
                                             "missing-site-permission",
                                             "not-assigned",
                                             "not-own-thread",
                                             "not-own-fulfillment",
                                             "external-course",
                                             "integration-not-connected",
                                             "escalation",
                                             "invalid-state",
                                             "allowed"};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(calm::code_name(static_cast<Code>(i)), expected[i]);
  }
}

TEST_F(ReasonCodes, Section7_EveryDecisionIsExplained) {
  const calm::Decision denied = engine().decide(rq("u-member", "training.insights.view", "north"));
  EXPECT_FALSE(denied.allowed);
  EXPECT_FALSE(denied.message.empty());
  EXPECT_EQ(denied.message.find('\n'), std::string::npos);
  EXPECT_FALSE(denied.rule.empty());
  EXPECT_EQ(denied.to_json()["requires"].value("module", std::string()), "personnel") << denied.to_json().dump();
  EXPECT_EQ(denied.to_json()["requires"].value("role", std::string()), "manager") << denied.to_json().dump();
  const json j = denied.to_json();
  for (const char* key : {"allowed", "code", "message", "rule", "requires"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["code"], "missing-role");

  json w = world();
  w["organisation"]["entitlements"] = json::array({"premises"});
  Engine engine;
  calm::test::load_ok(engine, w);
  const calm::Decision ne = engine.decide(rq("u-owner", "training.insights.view", "north"));
  EXPECT_EQ(ne.to_json()["requires"].value("entitlement", std::string()), "personnel") << ne.to_json().dump();

  const calm::Decision ok = World::engine().decide(rq("u-direct", "training.insights.view", "north"));
  EXPECT_TRUE(ok.allowed);
  EXPECT_EQ(ok.code, Code::allowed);
}

TEST_F(ReasonCodes, Section7_DecideNeverGivesInvalidStateAndNeverAllowsWithADenialCode) {
  const std::vector<std::string> users = {"u-owner",  "u-member", "u-direct", "u-hradmin",
                                          "u-nobody", "u-deep",   "u-sitemgr"};
  const std::vector<std::string> sites = {"hq", "north", "annex", "south", "remote"};
  std::size_t checked = 0;
  for (Index a = 0; a < calm::action_count(); ++a) {
    for (const std::string& u : users) {
      for (const std::string& s : sites) {
        const calm::Verdict v = engine().check(rq(u, std::string(calm::action_id(a)), s));
        EXPECT_NE(v.code, Code::invalid_state) << calm::action_id(a) << " " << u << " " << s;
        EXPECT_EQ(v.allowed(), v.code == Code::allowed);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, calm::action_count() * users.size() * sites.size());
}

TEST_F(ReasonCodes, Section7_MalformedRequestsAreNeverAllowed) {
  const char* malformed[] = {
      "null",
      "[]",
      "\"x\"",
      "{}",
      "1",
      "{\"user\":\"u-owner\"}",
      "{\"action\":\"site.update\",\"site\":\"hq\"}",
      "{\"user\":\"u-owner\",\"action\":\"site.update\",\"site\":5}",
      "{\"user\":\"u-owner\",\"action\":\"site.update\"}",
      "{\"user\":\"u-owner\",\"action\":\"site.update\",\"site\":\"hq\",\"resource\":7}",
      "not json at all",
      "",
      "{\"user\":\"u-owner\",\"action\":\"site.update\",\"site\":\"hq\"",
      "{\"user\":\"u-owner\",\"action\":\"site.update\",\"site\":\"hq\",\"resource\":{\"x\":1}}"};
  for (const char* text : malformed) {
    const json answer = json::parse(calm::ffi::decide(engine(), text), nullptr, false);
    ASSERT_FALSE(answer.is_discarded()) << text;
    EXPECT_EQ(answer.value("allowed", true), false) << text;
    EXPECT_EQ(answer.value("code", std::string()), "invalid-request") << text;
  }
}

// ---------------------------------------------------------------- section 8

class DecisionRequests : public World {};

struct ActionKeys {
  const char* action;
  std::vector<std::pair<const char*, bool>> keys;  // key, required
};

/// The table of ACCESS.md section 8, transcribed.
const std::vector<ActionKeys>& action_table() {
  static const std::vector<ActionKeys> table = {
      {"training.course.complete", {{"fulfillment", true}}},
      {"training.progress.view_own", {}},
      {"training.insights.view", {}},
      {"training.profile.view", {{"record", false}}},
      {"training.course.view", {{"course", true}}},
      {"training.course.create", {}},
      {"training.course.edit", {{"course", true}}},
      {"training.course.publish", {{"course", true}}},
      {"training.course.archive", {{"course", true}}},
      {"training.course.assign", {{"course", true}}},
      {"training.course.delete", {{"course", true}}},
      {"training.result.record", {{"record", false}}},
      {"training.assessment.review", {{"course", false}}},
      {"training.quiz.manage", {{"course", false}}},
      {"training.integration.connect", {}},
      {"training.integration.sync", {}},
      {"personnel.record.view", {{"record", false}}},
      {"personnel.record.view_assets", {{"record", false}}},
      {"personnel.record.edit", {{"record", false}}},
      {"personnel.record.delete", {{"record", false}}},
      {"personnel.record.create", {}},
      {"personnel.training.view", {{"record", false}}},
      {"personnel.comment.add", {{"record", false}}},
      {"personnel.file.view", {{"record", false}}},
      {"personnel.file.manage", {{"record", false}}},
      {"personnel.company.view", {{"record", false}, {"company", false}}},
      {"personnel.comment.view", {{"thread", true}}},
      {"personnel.insights.view", {}},
      {"personnel.settings.view", {}},
      {"personnel.settings.edit", {}},
      {"personnel.training.manage", {}},
      {"personnel.block.view", {{"record", false}, {"block", false}}},
      {"personnel.block.manage", {{"record", false}, {"block", false}}},
      {"personnel.sensitive.view", {{"record", false}, {"block", false}, {"company", false}}},
      {"personnel.company.manage", {{"company", false}}},
      {"personnel.company.delete", {{"company", false}}},
      {"personnel.contact.delete", {{"company", false}}},
      {"site.update", {}},
      {"site.users.manage", {}},
      {"site.integrations.manage", {}},
      {"users.view", {}},
      {"users.access.view", {{"target", false}}},
      {"users.access.edit", {{"target", false}}},
      {"users.access.set", {{"target", true}, {"module", true}, {"role", true}}},
      {"users.owner.set", {{"target", true}}},
      {"users.owner.unset", {{"target", true}}},
  };
  return table;
}

/// A well-formed value of each resource key, all at site north.
json key_value(const std::string& key) {
  if (key == "course") return "c-calm";
  if (key == "fulfillment") return "f-owner";
  if (key == "record") return "rec-m";
  if (key == "thread") return "t-member";
  if (key == "block") return {{"record", "rec-m"}, {"block", "b-other"}};
  if (key == "company") return "co-n";
  if (key == "target") return "u-member";
  if (key == "module") return "personnel";
  return "member";  // role
}

TEST_F(DecisionRequests, Section8_TheActionTableHoldsExactlyTheActionsOfTheSpec) {
  EXPECT_EQ(calm::action_count(), action_table().size());
  std::set<std::string> ids;
  for (const ActionKeys& row : action_table()) {
    const Index index = calm::find_action(row.action);
    ASSERT_NE(index, kNone) << row.action;
    EXPECT_EQ(calm::action_id(index), row.action);
    ids.insert(row.action);
  }
  const json listed = json::parse(calm::ffi::actions());
  ASSERT_TRUE(listed.is_array());
  std::set<std::string> listed_ids;
  for (const json& id : listed) listed_ids.insert(id.get<std::string>());
  EXPECT_EQ(listed_ids, ids);
  EXPECT_EQ(calm::find_action("training.course"), kNone);
}

TEST_F(DecisionRequests, Section8_EachActionTakesExactlyItsResourceKeys) {
  const std::vector<std::string> all_keys = {"course",  "fulfillment", "record", "thread", "block",
                                             "company", "target",      "module", "role"};
  for (const ActionKeys& row : action_table()) {
    json base = {
        {"user", "u-owner"}, {"action", row.action}, {"site", "north"}, {"resource", json::object()}};
    std::set<std::string> taken;
    for (const auto& [key, required] : row.keys) {
      taken.insert(key);
      if (required) base["resource"][key] = key_value(key);
    }
    // With its required keys and a site, the shape is accepted.
    EXPECT_NE(jcode(base), "invalid-request") << base.dump();
    // Every optional key is accepted too.
    json full = base;
    for (const auto& [key, required] : row.keys) full["resource"][key] = key_value(key);
    EXPECT_NE(jcode(full), "invalid-request") << full.dump();
    // Any key the action does not take is invalid.
    for (const std::string& key : all_keys) {
      if (taken.count(key) != 0) continue;
      json extra = base;
      extra["resource"][key] = key_value(key);
      EXPECT_EQ(jcode(extra), "invalid-request") << extra.dump();
    }
    // Every required key is required.
    for (const auto& [key, required] : row.keys) {
      if (!required) continue;
      json missing = base;
      missing["resource"].erase(key);
      EXPECT_EQ(jcode(missing), "invalid-request") << missing.dump();
    }
  }
}

TEST_F(DecisionRequests, Section8_TheResourceSiteIsUsedWhenSiteIsLeftOut) {
  EXPECT_EQ(jcode(R"({"user":"u-direct","action":"training.course.edit","resource":{"course":"c-calm"}})"),
            "allowed");
  EXPECT_EQ(
      jcode(
          R"({"user":"u-member","action":"training.course.complete","resource":{"fulfillment":"f-member"}})"),
      "allowed");
  EXPECT_EQ(
      jcode(R"({"user":"u-member","action":"personnel.comment.view","resource":{"thread":"t-member"}})"),
      "allowed");
  EXPECT_EQ(jcode(R"({"user":"u-direct","action":"personnel.company.manage","resource":{"company":"co-n"}})"),
            "allowed");
  EXPECT_EQ(
      jcode(
          R"({"user":"u-member","action":"personnel.block.view","resource":{"block":{"record":"rec-m","block":"b-other"}}})"),
      "allowed");
}

TEST_F(DecisionRequests, Section8_ASiteThatDisagreesWithTheResourceIsInvalid) {
  EXPECT_EQ(
      jcode(
          R"({"user":"u-owner","action":"training.course.edit","site":"south","resource":{"course":"c-calm"}})"),
      "invalid-request");
  EXPECT_EQ(
      jcode(
          R"({"user":"u-owner","action":"training.course.edit","site":"hq","resource":{"course":"c-calm"}})"),
      "invalid-request");
  EXPECT_EQ(
      jcode(
          R"({"user":"u-owner","action":"personnel.company.view","resource":{"record":"rec-m","company":"co-s"}})"),
      "invalid-request");
  EXPECT_EQ(
      jcode(
          R"({"user":"u-owner","action":"training.course.edit","site":"north","resource":{"course":"c-calm"}})"),
      "allowed");
}

TEST_F(DecisionRequests, Section8_AReplyIdIsNotAThreadId) {
  EXPECT_EQ(code("u-owner", "personnel.comment.view", thread("r-1")), "unknown-resource");
  EXPECT_EQ(code("u-owner", "personnel.comment.view", thread("t-member")), "allowed");
}

TEST_F(DecisionRequests, Section8_ABlockAndARecordMustNameTheSameRecord) {
  json w = world();
  w["personnel"]["records"].push_back(
      {{"id", "rec-m2"},
       {"site", "north"},
       {"name", "Second"},
       {"blocks", {{{"id", "b-other"}, {"type", "other"}, {"title", "x"}, {"data", json::object()}}}},
       {"files", json::array()},
       {"companies", json::array()}});
  Engine engine;
  calm::test::load_ok(engine, w);
  Resource r = record("rec-m");
  r.block = calm::BlockRef{"rec-m2", "b-other"};
  EXPECT_EQ(calm::test::code_of(engine.check(rq("u-owner", "personnel.block.view", std::nullopt, r))),
            "invalid-request");
  r.block = calm::BlockRef{"rec-m", "b-other"};
  EXPECT_EQ(calm::test::code_of(engine.check(rq("u-owner", "personnel.block.view", std::nullopt, r))),
            "allowed");
}

TEST_F(DecisionRequests, Section8_EveryRequestNeedsASiteExceptOwnerChanges) {
  EXPECT_EQ(jcode(R"({"user":"u-owner","action":"training.insights.view"})"), "invalid-request");
  EXPECT_EQ(jcode(R"({"user":"u-owner","action":"users.access.view","resource":{"target":"u-member"}})"),
            "invalid-request");
  EXPECT_EQ(jcode(R"({"user":"u-owner","action":"users.owner.set","resource":{"target":"u-member"}})"),
            "allowed");
  EXPECT_EQ(
      jcode(
          R"({"user":"u-owner","action":"users.owner.unset","site":"north","resource":{"target":"u-member"}})"),
      "allowed");
}

TEST_F(DecisionRequests, Section8_TheAnswerHasAllowedCodeMessageAndRequires) {
  const json answer = json::parse(
      calm::ffi::decide(engine(), R"({"user":"u-member","action":"training.insights.view","site":"north"})"));
  ASSERT_TRUE(answer.is_object());
  EXPECT_EQ(answer["allowed"], false);
  EXPECT_EQ(answer["code"], "missing-role");
  EXPECT_TRUE(answer["message"].is_string());
  EXPECT_TRUE(answer["requires"].is_object());
}

TEST_F(DecisionRequests, Section8_TheCppAndJsonEntryPointsAgree) {
  const Request r = rq("u-direct", "training.course.publish", std::nullopt, course("c-ih"));
  const calm::Decision a = engine().decide(r);
  const calm::Decision b = calm::ffi::decide_value(engine(), 
      json::parse(R"({"user":"u-direct","action":"training.course.publish","resource":{"course":"c-ih"}})"));
  EXPECT_EQ(a.code, Code::external_course);
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.allowed, b.allowed);
  const calm::ffi::ParsedRequest parsed = calm::ffi::parse_request(
      json::parse(R"({"user":"u-direct","action":"training.course.publish","resource":{"course":"c-ih"}})"));
  EXPECT_TRUE(parsed.shape_error.empty());
  EXPECT_EQ(parsed.request.user, "u-direct");
  EXPECT_EQ(parsed.request.resource.course, std::optional<std::string>("c-ih"));
  EXPECT_FALSE(calm::ffi::parse_request(json::parse(R"({"user":"u-direct","action":5})")).shape_error.empty());
}

// ---------------------------------------------------------------- section 11

class FinePrint : public World {};

TEST_F(FinePrint, Section11_ShapeComesBeforeUnknownAction) {
  EXPECT_EQ(jcode(R"({"user":"u-owner","action":"nope","site":"north","resource":{"course":5}})"),
            "invalid-request");
  EXPECT_EQ(jcode(R"({"user":"u-owner","action":"nope","site":"north","resource":{"foo":5}})"),
            "unknown-action");
}

// Found by tests/fuzz/decide_fuzzer: a misspelt `resource` was ignored, so the
// request was answered as the broader site-level question, and allowed.
TEST_F(FinePrint, Section11_Step1_ARequestTakesOnlyUserActionSiteAndResource) {
  EXPECT_EQ(jcode(R"({"user":"u-owner","action":"site.update","site":"north"})"), "allowed");
  for (const char* text :
       {R"({"user":"u-owner","action":"site.update","site":"north","res2urce":{"target":"u-x"}})",
        R"({"user":"u-owner","action":"site.update","site":"north","resources":{}})",
        R"({"user":"u-owner","action":"site.update","site":"north","":null})",
        R"({"user":"u-owner","action":"nope","site":"north","extra":1})"}) {
    const json answer = json::parse(calm::ffi::decide(engine(), text));
    EXPECT_EQ(answer["code"], "invalid-request") << text;
    EXPECT_EQ(answer["allowed"], false) << text;
  }
}

TEST_F(FinePrint, Section11_IdsAreOneTo128Utf8Bytes) {
  const std::string id128(128, 's'), id129(129, 's');
  EXPECT_EQ(jcode(json{{"user", "u-owner"}, {"action", "site.update"}, {"site", id128}}), "unknown-site");
  EXPECT_EQ(jcode(json{{"user", "u-owner"}, {"action", "site.update"}, {"site", id129}}), "invalid-request");
  EXPECT_EQ(jcode(json{{"user", "u-owner"}, {"action", "site.update"}, {"site", ""}}), "invalid-request");
  std::string two_byte;
  for (int i = 0; i < 64; ++i) two_byte += "\xC3\xA9";  // é
  EXPECT_EQ(jcode(json{{"user", "u-owner"}, {"action", "site.update"}, {"site", two_byte}}), "unknown-site");
  EXPECT_EQ(jcode(json{{"user", "u-owner"}, {"action", "site.update"}, {"site", two_byte + "\xC3\xA9"}}),
            "invalid-request");
  EXPECT_TRUE(calm::is_valid_id(id128));
  EXPECT_FALSE(calm::is_valid_id(id129));
  EXPECT_FALSE(calm::is_valid_id(""));
}

TEST_F(FinePrint, Section11_UnknownIdsInOrderUserSiteResourceModule) {
  EXPECT_EQ(code(rq("u-ghost", "training.course.view", "west", course("c-ghost"))), "unknown-user");
  EXPECT_EQ(code(rq("u-owner", "training.course.view", "west", course("c-ghost"))), "unknown-site");
  EXPECT_EQ(code(rq("u-owner", "training.course.view", "south", course("c-ghost"))), "unknown-resource");
  EXPECT_EQ(code(rq("u-owner", "users.access.set", "north", access("u-ghost", "payroll", "member"))),
            "unknown-resource");
  EXPECT_EQ(code(rq("u-owner", "users.access.set", "north", access("u-member", "payroll", "member"))),
            "unknown-module");
}

TEST_F(FinePrint, Section11_SiteAgreementComesAfterUnknownIdsAndBeforeRoles) {
  EXPECT_EQ(code(rq("u-owner", "training.course.edit", "west", course("c-calm"))), "unknown-site");
  EXPECT_EQ(code(rq("u-nobody", "training.course.edit", "south", course("c-calm"))), "invalid-request");
}

TEST_F(FinePrint, Section11_OwnersPassRoleChecksButNotResourceConditions) {
  EXPECT_EQ(code("u-owner", "training.course.complete", fulfillment("f-member")), "not-own-fulfillment");
  EXPECT_EQ(code("u-owner", "training.integration.sync", "south"), "integration-not-connected");
  EXPECT_EQ(code("u-owner", "training.course.assign", course("c-ih")), "external-course");
  EXPECT_EQ(code("u-owner", "training.integration.connect", "annex"), "allowed");
}

TEST_F(FinePrint, Section11_CompletingAnExternalCourseIsAllowed) {
  EXPECT_EQ(code("u-member", "training.course.complete", fulfillment("f-member-ih")), "allowed");
}

TEST_F(FinePrint, Section11_SettingsAndIntegrationsAreNeverInherited) {
  // Restrict Comment Viewing is on at north; a thread at north-lab is not restricted.
  json w = world();
  w["personnel"]["records"].push_back({{"id", "rec-lab"},
                                       {"site", "north-lab"},
                                       {"name", "Lab"},
                                       {"blocks", json::array()},
                                       {"files", json::array()},
                                       {"companies", json::array()}});
  w["personnel"]["comments"].push_back({{"id", "t-lab"},
                                        {"record", "rec-lab"},
                                        {"author", "u-owner"},
                                        {"body", "x"},
                                        {"createdAt", "2026-01-01T00:00:00Z"}});
  w["grants"].push_back(
      {{"user", "u-member2"}, {"site", "north-lab"}, {"module", "personnel"}, {"role", "member"}});
  Engine engine;
  calm::test::load_ok(engine, w);
  EXPECT_EQ(calm::test::code_of(
                engine.check(rq("u-member2", "personnel.comment.view", std::nullopt, thread("t-lab")))),
            "allowed");
  EXPECT_EQ(calm::test::code_of(engine.check(rq("u-cascade", "training.integration.sync", "north-lab"))),
            "integration-not-connected");
}

TEST_F(FinePrint, Section11_ModulesAreCheckedEntitlementFirstThenRolesInOrder) {
  json w = world();
  w["organisation"]["entitlements"] = json::array({"personnel"});
  Engine engine;
  calm::test::load_ok(engine, w);
  // P2: personnel then premises; not-entitled premises beats missing-role personnel.
  EXPECT_EQ(calm::test::code_of(engine.check(rq("u-nobody", "personnel.record.view_assets", "north"))),
            "not-entitled");
  EXPECT_EQ(calm::test::code_of(engine.check(rq("u-owner", "personnel.record.view_assets", "north"))),
            "not-entitled");
}

// ---------------------------------------------------------------- section 9 queries

class EngineQueries : public World {};

const calm::EffectiveRole* find_row(const std::vector<calm::EffectiveRole>& rows, Index s, Index m) {
  for (const calm::EffectiveRole& row : rows) {
    if (row.site == s && row.module == m) return &row;
  }
  return nullptr;
}

bool has_source(const calm::EffectiveRole& row, calm::RoleSource::Kind kind, Role r, Index from) {
  return std::any_of(row.sources.begin(), row.sources.end(), [&](const calm::RoleSource& src) {
    return src.kind == kind && src.role == r && src.from == from;
  });
}

TEST_F(EngineQueries, Section9_RolesShowDirectGrants) {
  const auto rows = engine().roles(user("u-direct"));
  const calm::EffectiveRole* north = find_row(rows, site("north"), calm::kModulePersonnel);
  ASSERT_NE(north, nullptr);
  EXPECT_EQ(north->role, Role::manager);
  EXPECT_TRUE(north->entitled);
  EXPECT_TRUE(has_source(*north, calm::RoleSource::Kind::direct, Role::manager, kNone));
  EXPECT_EQ(find_row(rows, site("north-lab"), calm::kModulePersonnel), nullptr);  // A2: nothing there
  // A direct grant that does not cascade says so (no includeChildSites in the JSON).
  for (const calm::RoleSource& src : north->sources) EXPECT_FALSE(src.include_child_sites);
  const json answer = json::parse(calm::ffi::roles(engine(), "u-direct"));
  for (const json& row : answer["value"]) {
    for (const json& src : row["sources"]) EXPECT_FALSE(src.contains("includeChildSites")) << row.dump();
  }
}

TEST_F(EngineQueries, Section9_RolesShowCascadeFromTheGrantSite) {
  const auto rows = engine().roles(user("u-cascade"));
  for (const char* s : {"north-lab", "annex"}) {
    const calm::EffectiveRole* row = find_row(rows, site(s), calm::kModulePersonnel);
    ASSERT_NE(row, nullptr) << s;
    EXPECT_EQ(row->role, Role::manager) << s;
    EXPECT_TRUE(has_source(*row, calm::RoleSource::Kind::cascade, Role::manager, site("north"))) << s;
  }
  // The parent is implied by the grant's site (A4 through A3).
  const calm::EffectiveRole* hq = find_row(rows, site("hq"), calm::kModulePersonnel);
  ASSERT_NE(hq, nullptr);
  EXPECT_EQ(hq->role, Role::member);
  EXPECT_TRUE(has_source(*hq, calm::RoleSource::Kind::implied, Role::member, site("north")));
  // At the grant's own site the grant is direct (A1); a cascade entry from itself is also acceptable.
  const calm::EffectiveRole* own = find_row(rows, site("north"), calm::kModulePersonnel);
  ASSERT_NE(own, nullptr);
  EXPECT_TRUE(has_source(*own, calm::RoleSource::Kind::direct, Role::manager, kNone) ||
              has_source(*own, calm::RoleSource::Kind::cascade, Role::manager, site("north")));
  // The direct source says that it cascades, for Edit Access's "include child sites".
  EXPECT_TRUE(std::any_of(own->sources.begin(), own->sources.end(), [](const calm::RoleSource& src) {
    return src.kind == calm::RoleSource::Kind::direct && src.include_child_sites;
  }));
  const json answer = json::parse(calm::ffi::roles(engine(), "u-cascade"));
  bool flagged = false;
  for (const json& row : answer["value"]) {
    if (row["site"] != "north" || row["module"] != "personnel") continue;
    for (const json& src : row["sources"])
      flagged = flagged || (src["kind"] == "direct" && src.value("includeChildSites", false));
  }
  EXPECT_TRUE(flagged) << answer.dump();
}

TEST_F(EngineQueries, Section9_RolesShowImplicationByTheChildSite) {
  const auto rows = engine().roles(user("u-deep"));
  for (const char* s : {"north-lab", "north", "hq"}) {
    const calm::EffectiveRole* row = find_row(rows, site(s), calm::kModulePersonnel);
    ASSERT_NE(row, nullptr) << s;
    EXPECT_EQ(row->role, Role::member) << s;
    EXPECT_TRUE(has_source(*row, calm::RoleSource::Kind::implied, Role::member, site("annex"))) << s;
  }
  EXPECT_EQ(find_row(rows, site("south"), calm::kModulePersonnel), nullptr);
  EXPECT_EQ(find_row(rows, site("remote"), calm::kModulePersonnel), nullptr);
}

TEST_F(EngineQueries, Section9_RolesShowOwnersEverywhere) {
  const auto rows = engine().roles(user("u-owner"));
  for (const char* s : {"hq", "north", "north-lab", "annex", "south", "remote"}) {
    for (Index m : {calm::kModuleSite, calm::kModulePersonnel, calm::kModulePremises}) {
      const calm::EffectiveRole* row = find_row(rows, site(s), m);
      ASSERT_NE(row, nullptr) << s << " " << m;
      EXPECT_EQ(row->role, Role::admin);
      EXPECT_TRUE(std::any_of(row->sources.begin(), row->sources.end(), [](const calm::RoleSource& src) {
        return src.kind == calm::RoleSource::Kind::owner;
      }));
    }
  }
}

TEST_F(EngineQueries, Section9_RolesCombineSourcesAndFlagModulesWithoutEntitlement) {
  const auto mixed = engine().roles(user("u-mixed"));
  const calm::EffectiveRole* north = find_row(mixed, site("north"), calm::kModulePersonnel);
  ASSERT_NE(north, nullptr);
  EXPECT_EQ(north->role, Role::admin);
  EXPECT_TRUE(has_source(*north, calm::RoleSource::Kind::direct, Role::member, kNone));
  EXPECT_TRUE(has_source(*north, calm::RoleSource::Kind::cascade, Role::admin, site("hq")));

  const auto risk = engine().roles(user("u-risk"));
  const calm::EffectiveRole* row = find_row(risk, site("north"), module("risks"));
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->role, Role::none);
  EXPECT_FALSE(row->entitled);
}

TEST_F(EngineQueries, Section9_RolesAreInSitePreOrderAndModuleOrder) {
  const auto rows = engine().roles(user("u-owner"));
  const auto& pre = snap().site_preorder;
  auto position = [&](Index s) { return std::find(pre.begin(), pre.end(), s) - pre.begin(); };
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto a = std::make_pair(position(rows[i - 1].site), rows[i - 1].module);
    const auto b = std::make_pair(position(rows[i].site), rows[i].module);
    EXPECT_LT(a, b) << i;
  }
  EXPECT_TRUE(engine().roles(user("u-nobody")).empty());
}

TEST_F(EngineQueries, Section9_RolesJsonListsTheSameRows) {
  const json answer = json::parse(calm::ffi::roles(engine(), "u-deep"));
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  EXPECT_EQ(answer["value"].size(), engine().roles(user("u-deep")).size());
  const json unknown = json::parse(calm::ffi::roles(engine(), "u-ghost"));
  EXPECT_FALSE(unknown.value("ok", true)) << unknown.dump();
}

TEST_F(EngineQueries, Section9_CapabilitiesListEveryActionOnce) {
  const std::vector<calm::Verdict> caps = engine().capabilities("u-member", "north");
  ASSERT_EQ(caps.size(), calm::action_count());
  std::set<Index> seen;
  for (const calm::Verdict& v : caps) seen.insert(v.action);
  EXPECT_EQ(seen.size(), calm::action_count());
  EXPECT_EQ(seen.count(kNone), 0u);

  const std::string text = calm::ffi::capabilities(engine(), "u-member", "north");
  const json answer = json::parse(text);
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  calm::Request request;
  request.user = "u-member";
  request.site = "north";
  json expected = json::object();
  for (Index a = 0; a < calm::action_count(); ++a) {
    const std::string id(calm::action_id(a));
    ASSERT_TRUE(answer["value"].contains(id)) << id;
    EXPECT_TRUE(answer["value"][id].contains("allowed")) << id;
    request.action = id;
    expected[id] = engine().explain(request, caps[a]).to_json();
  }
  // Written directly: the same bytes as nlohmann's document of the decisions.
  EXPECT_EQ(text,
            json({{"ok", true}, {"value", expected}}).dump(-1, ' ', false, json::error_handler_t::replace));
}

// The words the JS `can` / `explain` fast path writes for a request (see
// `read_request_words`): the request's strings in `bytes`, described by words.
struct Words {
  std::vector<std::uint32_t> words{0, 0, 0, 0, 0, 0xFFFFFFFF, 0};
  std::string bytes;
  void put(std::size_t at, std::string_view text) {
    words[at] = static_cast<std::uint32_t>(bytes.size());
    words[at + 1] = static_cast<std::uint32_t>(text.size());
    bytes += text;
  }
  static Words of(const json& request) {
    Words w;
    w.put(0, request.at("user").get<std::string>());
    w.put(2, request.at("action").get<std::string>());
    if (request.contains("site")) w.put(4, request["site"].get<std::string>());
    if (request.contains("resource")) {
      for (const auto& [key, value] : request["resource"].items()) {
        const std::size_t at = w.words.size();
        w.words.resize(at + 6, 0xFFFFFFFF);
        w.put(at, key);
        if (value.is_string()) {
          w.put(at + 2, value.get<std::string>());
        } else {
          w.put(at + 2, value.at("record").get<std::string>());
          w.put(at + 4, value.at("block").get<std::string>());
        }
        ++w.words[6];
      }
    }
    return w;
  }
};

// The decision the JS `explain` builds from `ffi::decision_parts` of `view`
// (tests/decision_parts.hpp, as js/index.js `#decisionOf` reads them).
template <class R>  // RequestView or IndexedRequest
json decision_from_parts(const calm::Engine& engine, const R& view) {
  std::vector<std::uint32_t> words(16);
  std::string text;
  const auto n = calm::ffi::decision_parts(engine, view, words, text);
  if (!n) return "no parts";
  const auto decision = calm::testing::decision_from_parts(words, *n, text);
  if (!decision) return "the lengths do not cover the text";
  return *decision;
}

TEST_F(EngineQueries, RequestWordsDecideAsTheRequestsJsonText) {
  // Section 11: the JS fast path (strings in wasm memory, no JSON) gives the
  // bytes decide_json gives, for every user x action x site, with each kind of
  // resource key (one id, a block, module and role, an unknown key).
  const calm::Snapshot& s = engine().snapshot();
  std::vector<json> resources = {json(nullptr),
                                 {{"course", s.course_ids.at(0)}},
                                 {{"fulfillment", s.fulfillment_ids.at(0)}},
                                 {{"record", s.record_ids.at(0)}, {"company", "nope"}},
                                 {{"thread", "nope"}},
                                 {{"block", {{"record", s.record_ids.at(0)}, {"block", "b-1"}}}},
                                 {{"target", s.user_ids.at(1)}, {"module", "personnel"}, {"role", "manager"}},
                                 {{"target", s.user_ids.at(1)}, {"module", "personnel"}, {"role", "boss"}},
                                 {{"colour", "red"}}};
  std::size_t compared = 0;
  for (Index u = 0; u < s.user_ids.size(); ++u) {
    for (Index a = 0; a < calm::action_count(); ++a) {
      for (Index site = 0; site <= s.site_ids.size(); ++site) {
        json request{{"user", s.user_ids.at(u)}, {"action", std::string(calm::action_id(a))}};
        if (site < s.site_ids.size()) request["site"] = s.site_ids.at(site);
        const json& resource = resources[(u + a + site) % resources.size()];
        if (!resource.is_null()) request["resource"] = resource;
        const Words w = Words::of(request);
        const auto view = calm::read_request_words(w.words.data(), w.words.size(), w.bytes);
        ASSERT_TRUE(view.has_value()) << request.dump();
        EXPECT_EQ(calm::ffi::decide(engine(), *view), calm::ffi::decide(engine(), request.dump())) << request.dump();
        EXPECT_EQ(engine().check(*view).allowed(), engine().decide(calm::to_request(*view)).allowed);
        EXPECT_EQ(decision_from_parts(engine(), *view), json::parse(calm::ffi::decide(engine(), *view))) << request.dump();
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1000u);
}

TEST_F(EngineQueries, IndexedRequestsDecideAsTheRequestsJsonText) {
  // Section 11: the JS fast path with every id known (indices in, no JSON)
  // gives the verdict `check` gives for the request's ids, and the decision
  // (as text and in parts) decide_json gives for its JSON, for every user x
  // action x site, with no key, each key named by an id, a block alone and
  // with its record, a role to set, and their errors (a block that is not
  // the record's, an unknown block, a block id that is not one, records that
  // differ). The keys and their lists come from the core's key table, as the
  // JS reads them.
  const calm::Snapshot& s = engine().snapshot();
  const json tables = json::parse(calm::ffi::indexed_keys());
  const json index = json::parse(calm::ffi::index(engine()));
  EXPECT_EQ(tables, json::parse(R"({"words": 10, "keys": {"course": [1, "courses", 4],
    "fulfillment": [2, "fulfillments", 4], "record": [4, "records", 4], "block": [8, "records", 5],
    "thread": [16, "comments", 4], "company": [32, "companies", 4], "target": [64, "users", 4],
    "module": [128, "modules", 8], "role": [256, "roles", 9]}})"));
  EXPECT_EQ(index.at("roles"), json::parse(R"(["none", "member", "manager", "admin"])"));
  const std::string r0 = s.record_ids.at(0);
  const std::string r1 = s.record_ids.at(1);
  const json block{{"record", r0}, {"block", "b-1"}};
  const std::vector<json> resources = {
      json(nullptr),
      {{"course", s.course_ids.at(0)}},
      {{"fulfillment", s.fulfillment_ids.at(0)}},
      {{"record", r0}},
      {{"thread", s.comment_ids.at(0)}},
      {{"company", s.company_ids.at(0)}},
      {{"target", s.user_ids.at(1)}},
      {{"block", block}},
      {{"record", r0}, {"block", block}},
      {{"record", r1}, {"block", block}},
      {{"block", {{"record", r0}, {"block", "nope"}}}},
      {{"block", {{"record", r0}, {"block", ""}}}},
      {{"target", s.user_ids.at(1)}, {"module", "personnel"}, {"role", "manager"}},
      {{"target", s.user_ids.at(0)}, {"module", "site"}, {"role", "none"}},
      {{"target", s.user_ids.at(1)}, {"module", "premises"}, {"role", "admin"}},
      {{"target", s.user_ids.at(1)}, {"role", "member"}},
  };
  std::map<std::string, std::size_t> indexed_by_kind;
  for (Index u = 0; u < s.user_ids.size(); ++u) {
    for (Index a = 0; a < calm::action_count(); ++a) {
      for (Index site = 0; site <= s.site_ids.size(); ++site) {
        for (std::size_t k = (u + a + site) % 4; k < resources.size(); k += 4) {
          json request{{"user", s.user_ids.at(u)}, {"action", std::string(calm::action_id(a))}};
          if (site < s.site_ids.size()) request["site"] = s.site_ids.at(site);
          if (!resources[k].is_null()) request["resource"] = resources[k];
          const auto indexed = calm::testing::indexed_of(tables, index, request);
          ASSERT_TRUE(indexed.has_value()) << request.dump();
          const calm::IndexedRequest q = indexed->request();
          const std::string decided = calm::ffi::decide(engine(), request.dump());
          const calm::ffi::ParsedRequest parsed = calm::ffi::parse_request(request);
          EXPECT_EQ(engine().check(q).code, engine().check(parsed.request).code) << request.dump();
          EXPECT_EQ(calm::ffi::explain(engine(), q), decided) << request.dump();
          EXPECT_EQ(decision_from_parts(engine(), q), json::parse(decided)) << request.dump();
          ++indexed_by_kind[resources[k].dump()];
        }
      }
    }
  }
  ASSERT_EQ(indexed_by_kind.size(), resources.size());
  for (const auto& [kind, count] : indexed_by_kind) EXPECT_GT(count, 50u) << kind;
  // What the JS asks another way: two resources named by id, an unknown id, a key no table indexes.
  const json base{{"user", s.user_ids.at(0)}, {"action", "personnel.record.view"}};
  for (const json& resource : {json{{"record", r0}, {"company", s.company_ids.at(0)}}, json{{"record", "nope"}},
                               json{{"module", "nope"}}, json{{"role", "boss"}}, json{{"colour", "red"}},
                               json{{"block", r0}}, json{{"record", json{{"record", r0}, {"block", "b-1"}}}}}) {
    json request = base;
    request["resource"] = resource;
    EXPECT_FALSE(calm::testing::indexed_of(tables, index, request).has_value()) << request.dump();
  }
  // Out of range: no answer (the JS then asks by words).
  calm::IndexedRequest out_of_range{static_cast<Index>(s.user_ids.size()), 0, kNone, 0, kNone};
  std::vector<std::uint32_t> words(16);
  std::string text;
  EXPECT_FALSE(calm::ffi::decision_parts(engine(), out_of_range, words, text).has_value());
  EXPECT_EQ(calm::ffi::explain(engine(), out_of_range), "");
  // Two resources named by id (the JS never sends one): the check refuses it, and no answer by parts or text.
  calm::IndexedRequest two{0, calm::find_action("personnel.record.view"), kNone, 4 | 32, 0};
  EXPECT_EQ(engine().check(two).code, calm::Code::invalid_request);
  EXPECT_FALSE(calm::ffi::decision_parts(engine(), two, words, text).has_value());
  EXPECT_EQ(calm::ffi::explain(engine(), two), "");
}

TEST_F(EngineQueries, IndexedRequestWordsOutsideTheirBytesAreNotRead) {
  std::vector<std::uint32_t> words(calm::kIndexedRequestWords, 0xFFFFFFFF);
  words[0] = 0;
  words[1] = 0;
  words[3] = 8;  // block
  words[5] = 0;
  words[6] = 0;
  words[7] = 3;
  EXPECT_EQ(calm::read_indexed_words(words.data(), "b-1")->block, "b-1");
  EXPECT_FALSE(calm::read_indexed_words(words.data(), "b-").has_value());
  words[6] = 1;
  EXPECT_FALSE(calm::read_indexed_words(words.data(), "b-1").has_value());
  words[6] = 0xFFFFFFFF;
  EXPECT_FALSE(calm::read_indexed_words(words.data(), "b-1").has_value());
  // A key word wider than the table's bits names keys no action takes.
  words[6] = 0;
  words[3] = 0x10008;
  EXPECT_EQ(engine().check(*calm::read_indexed_words(words.data(), "b-1")).code, calm::Code::invalid_request);
}

TEST_F(EngineQueries, RequestWordsOutsideTheirBytesOrOfTheWrongShapeAreNotRead) {
  Words w = Words::of({{"user", "u"}, {"action", "site.update"}, {"site", "s"}});
  EXPECT_TRUE(calm::read_request_words(w.words.data(), w.words.size(), w.bytes).has_value());
  EXPECT_FALSE(calm::read_request_words(w.words.data(), 6, w.bytes).has_value());
  EXPECT_FALSE(calm::read_request_words(w.words.data(), w.words.size(), w.bytes.substr(0, 3)).has_value());
  Words wrong = Words::of({{"user", "u"}, {"action", "a"}, {"resource", {{"course", "c"}}}});
  wrong.put(11, "second");  // a course with two values
  EXPECT_FALSE(calm::read_request_words(wrong.words.data(), wrong.words.size(), wrong.bytes).has_value());
  Words many = Words::of({{"user", "u"}, {"action", "a"}});
  many.words[6] = 1;  // a field the words do not hold
  EXPECT_FALSE(calm::read_request_words(many.words.data(), many.words.size(), many.bytes).has_value());
}

TEST_F(EngineQueries, JsonStringsAreReadAsNlohmannReadsThemWhereverTheirSpecialBytesFall) {
  // The reader scans a string's plain bytes eight at a time: a quote, an
  // escape, a control character, DEL, non-ASCII or invalid UTF-8 at each
  // place of a site's name of 0 to 17 bytes is read (or refused) as
  // nlohmann reads it.
  const std::vector<std::string> specials = {"\"",   "\\\"", "\\\\",     "\\n",
                                             "\\u00e9", "\x01", "\x1f",     "\x7f",
                                             "\x80", "\xc3\xa9", "\xc3", "\xf0\x9f\x94\x92",
                                             "\xed\xa0\x80", " ", "~"};
  json base = json::parse(calm::ffi::snapshot(engine()));
  base["sites"][0]["name"] = "@NAME@";
  const std::string shape = base.dump();
  const std::size_t hole = shape.find("@NAME@");
  ASSERT_NE(hole, std::string::npos);
  std::size_t read = 0;
  std::size_t refused = 0;
  for (std::size_t length = 0; length < 18; ++length) {
    for (std::size_t at = 0; at <= length; ++at) {
      for (const std::string& special : specials) {
        const std::string name = std::string(at, 'a') + special + std::string(length - at, 'b');
        const std::string text = shape.substr(0, hole) + name + shape.substr(hole + 6);
        const json parsed = json::parse(text, nullptr, false);
        calm::Engine loaded;
        const auto errors = loaded.load(text);
        if (parsed.is_discarded()) {
          ASSERT_FALSE(errors.empty()) << name;
          EXPECT_EQ(errors[0].code, "invalid-json") << name;
          ++refused;
        } else {
          ASSERT_TRUE(errors.empty()) << name;
          EXPECT_EQ(json::parse(calm::ffi::snapshot(loaded))["sites"][0]["name"], parsed["sites"][0]["name"]) << name;
          ++read;
        }
      }
    }
  }
  EXPECT_GT(read, 1000u);
  EXPECT_GT(refused, 500u);
}

TEST_F(EngineQueries, DecisionTextIsWhatNlohmannWritesForAnyString) {
  // Quotes, backslashes, control characters, non-ASCII and invalid UTF-8 in
  // ids that messages quote: the directly written text has nlohmann's bytes.
  const std::vector<std::string> ids = {"plain",         "with \"quotes\"", "back\\slash",
                                        "tab\there",     "nl\nline",        std::string("nul\0x", 5),
                                        "\x01\x1f\x7f",  "caf\xc3\xa9",     "\xf0\x9f\x94\x92 lock",
                                        "bad \xff utf8", "/slash/"};
  const auto dump = [](const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  for (const std::string& id : ids) {
    // capabilities_json quotes the unknown site in every message.
    const std::vector<calm::Verdict> caps = engine().capabilities("u-member", id);
    calm::Request request;
    request.user = "u-member";
    request.site = id;
    json expected = json::object();
    for (Index a = 0; a < calm::action_count(); ++a) {
      request.action = std::string(calm::action_id(a));
      expected[request.action] = engine().explain(request, caps[a]).to_json();
    }
    EXPECT_EQ(calm::ffi::capabilities(engine(), "u-member", id), dump(json{{"ok", true}, {"value", expected}}))
        << id;

    // decide_json, for the ids JSON text can carry (valid UTF-8).
    json text_request{
        {"user", "u-member"}, {"action", "training.course.view"}, {"resource", {{"course", id}}}};
    const std::string text = dump(text_request);
    const json reparsed = json::parse(text, nullptr, false);
    if (reparsed.is_discarded() || reparsed != text_request) continue;
    EXPECT_EQ(calm::ffi::decide(engine(), text), dump(calm::ffi::decide_value(engine(), text_request).to_json())) << id;
  }
}

// The compact capabilities: one code per action, numbered as `reason_codes`
// names them, and each action's decision rendered on demand with the bytes
// the whole map has for it.
TEST_F(EngineQueries, Section9_CapabilityCodesAndOneCapabilityMatchTheMap) {
  const json names = json::parse(calm::ffi::reason_codes());
  ASSERT_EQ(names.front(), "invalid-request");
  ASSERT_EQ(names.back(), "allowed");
  for (const auto& [user, site] : std::vector<std::pair<std::string, std::string>>{
           {"u-member", "north"}, {"u-deep", "north"}, {"u-ghost", "north"}, {"u-member", "nowhere"}, {"", "north"}}) {
    const json map = json::parse(calm::ffi::capabilities(engine(), user, site))["value"];
    std::vector<std::uint8_t> codes(calm::action_count() + 3, 0xEE);
    ASSERT_EQ(calm::ffi::capability_codes(engine(), user, site, codes), calm::action_count());
    EXPECT_EQ(codes[calm::action_count()], 0xEE) << "writes no more than one byte per action";
    for (Index a = 0; a < calm::action_count(); ++a) {
      const std::string id(calm::action_id(a));
      EXPECT_EQ(names.at(codes[a]), map[id]["code"]) << user << " at " << site << ": " << id;
      EXPECT_EQ(calm::ffi::capability(engine(), user, site, id),
                map[id].dump(-1, ' ', false, json::error_handler_t::replace))
          << user << " at " << site << ": " << id;
    }
    std::vector<std::uint8_t> two(2);
    EXPECT_EQ(calm::ffi::capability_codes(engine(), user, site, two), 2u);
  }
  const json unknown = json::parse(calm::ffi::capability(engine(), "u-member", "north", "no.such.action"));
  EXPECT_EQ(unknown["code"], "unknown-action");
  EXPECT_FALSE(unknown["allowed"]);
}

TEST_F(EngineQueries, Section9_CapabilitiesAnswerResourceActionsAtSiteLevel) {
  const std::vector<calm::Verdict> caps = engine().capabilities("u-member", "north");
  auto verdict = [&](std::string_view action) -> std::string {
    for (const calm::Verdict& v : caps) {
      if (v.action == calm::find_action(action)) return calm::test::code_of(v);
    }
    return "<absent>";
  };
  // Role, entitlement and site permission only: no fulfillment, thread or block condition.
  EXPECT_EQ(verdict("training.course.view"), "allowed");
  EXPECT_EQ(verdict("training.course.complete"), "allowed");
  EXPECT_EQ(verdict("personnel.comment.view"), "allowed");
  EXPECT_EQ(verdict("personnel.record.view_assets"), "allowed");
  EXPECT_EQ(verdict("training.insights.view"), "missing-role");
  EXPECT_EQ(verdict("training.course.edit"), "missing-role");
  EXPECT_EQ(verdict("site.update"), "missing-site-permission");
  EXPECT_EQ(verdict("users.access.view"), "missing-site-permission");

  const calm::Verdict site_level = engine().check_site_level(rq("u-member", "training.course.view", "north"));
  EXPECT_EQ(site_level.code, Code::allowed);
  const calm::Verdict manager_edit =
      engine().check_site_level(rq("u-direct", "training.course.edit", "north"));
  EXPECT_EQ(manager_edit.code, Code::allowed);

  const std::vector<calm::Verdict> owner = engine().capabilities("u-owner", "remote");
  for (const calm::Verdict& v : owner) {
    if (v.action == calm::find_action("training.integration.sync")) continue;  // remote is not connected
    EXPECT_EQ(v.code, Code::allowed) << calm::action_id(v.action);
  }
}

TEST_F(EngineQueries, Section9_CapabilitiesOfAnUnknownUserOrSiteAreNotAllowed) {
  for (const calm::Verdict& v : engine().capabilities("u-ghost", "north")) EXPECT_FALSE(v.allowed());
  for (const calm::Verdict& v : engine().capabilities("u-owner", "west")) EXPECT_FALSE(v.allowed());
  const json answer = json::parse(calm::ffi::capabilities(engine(), "u-owner", "west"), nullptr, false);
  ASSERT_FALSE(answer.is_discarded());
}

}  // namespace
