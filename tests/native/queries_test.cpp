// Questions beyond one check (ACCESS.md section 9): whoCan, sitesWhere and
// whatIf must agree with the decision function. Seeded random snapshots
// (random_snapshot.hpp) check that
//   - whoCan lists a user iff `check_site_level` allows them (and, for actions
//     without required resource keys, iff `decide` allows), and with a resource
//     iff `decide` allows;
//   - sitesWhere lists a site iff `check_site_level` allows, in site pre-order,
//     and agrees with whoCan;
//   - whatIf's gained and lost actions equal the capabilities diffed before and
//     after applying the change (as an owner, on a copy loaded from
//     `export_snapshot()`), and its verdict equals a dry run by the editor.
// Hand-written cases on tests/fixtures/personnel-org.json show an Edit Access preview.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calm/access.hpp"
#include "calm/personnel.hpp"
#include "calm/queries.hpp"
#include "calm/workflow.hpp"
#include "random_snapshot.hpp"
#include "test_util.hpp"

namespace {

using calm::Engine;
using calm::Request;
using calm::Verdict;
using nlohmann::json;

constexpr std::string_view kAt = "2026-03-02T09:00:00Z";

// Actions that have required resource keys (ACCESS.md section 8: keys without `?`).
const std::set<std::string>& needs_resource() {
  static const std::set<std::string> actions = {
      "training.course.complete", "training.course.view",    "training.course.edit",
      "training.course.publish",  "training.course.archive", "training.course.assign",
      "training.course.delete",   "personnel.comment.view",  "users.access.set",
      "users.owner.set",          "users.owner.unset"};
  return actions;
}

// The actions that take each resource key (ACCESS.md section 8).
const std::map<std::string, std::vector<std::string>>& actions_by_key() {
  static const std::map<std::string, std::vector<std::string>> keys = {
      {"course",
       {"training.course.view", "training.course.edit", "training.course.publish", "training.course.archive",
        "training.course.assign", "training.course.delete", "training.assessment.review",
        "training.quiz.manage"}},
      {"fulfillment", {"training.course.complete"}},
      {"record",
       {"training.profile.view", "training.result.record", "personnel.record.view",
        "personnel.record.view_assets", "personnel.record.edit", "personnel.record.delete",
        "personnel.training.view", "personnel.comment.add", "personnel.file.view", "personnel.file.manage",
        "personnel.company.view", "personnel.block.view", "personnel.block.manage",
        "personnel.sensitive.view"}},
      {"thread", {"personnel.comment.view"}},
      {"company",
       {"personnel.company.view", "personnel.sensitive.view", "personnel.company.manage",
        "personnel.company.delete", "personnel.contact.delete"}},
      {"block", {"personnel.block.view", "personnel.block.manage", "personnel.sensitive.view"}},
      {"target", {"users.access.view", "users.access.edit", "users.owner.set", "users.owner.unset"}},
  };
  return keys;
}

std::vector<std::string> all_actions() {
  return json::parse(calm::ffi::actions()).get<std::vector<std::string>>();
}

bool load(Engine& engine, const json& snapshot) {
  const auto errors = engine.load(snapshot.dump());
  EXPECT_TRUE(errors.empty()) << calm::test::describe(errors);
  return errors.empty();
}

Request site_request(const std::string& user, const std::string& action, const std::string& site) {
  Request r;
  r.user = user;
  r.action = action;
  r.site = site;
  return r;
}

// The effective roles (not none) of `user` at `site`, as whoCan reports them.
json roles_at(const Engine& engine, calm::Index user, calm::Index site) {
  const calm::Snapshot& s = engine.snapshot();
  json roles = json::object();
  for (calm::Index m = 0; m < s.module_ids.size(); ++m) {
    const calm::Role role = engine.effective_role(user, site, m);
    if (role != calm::Role::none) roles[s.module_ids.at(m)] = std::string(calm::role_name(role));
  }
  return roles;
}

std::vector<std::string> listed_users(json answer) {
  std::vector<std::string> out;
  for (json entry : answer["value"]["users"]) out.push_back(entry["user"].get<std::string>());
  return out;
}

constexpr std::uint64_t kSeeds = 80;

// ---- whoCan -------------------------------------------------------------------

TEST(WhoCanQueries, ListsExactlyTheUsersTheDecisionFunctionAllowsOnRandomSnapshots) {
  const auto actions = all_actions();
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    calm_test::Rng rng(seed);
    json snap = calm_test::random_snapshot(rng);
    Engine engine;
    if (!load(engine, snap)) continue;
    const calm::Snapshot& s = engine.snapshot();
    for (const std::string& action : actions) {
      for (calm::Index site = 0; site < s.sites.size(); ++site) {
        const std::string site_id = s.site_ids.at(site);
        json answer = calm::test::who_can(engine, {{"action", action}, {"site", site_id}});
        ASSERT_TRUE(answer.value("ok", false)) << action << " at " << site_id << ": " << answer.dump();
        std::vector<std::string> expected;
        std::map<std::string, Verdict> verdicts;
        for (calm::Index u = 0; u < s.users.size(); ++u) {
          const std::string user = s.user_ids.at(u);
          const Request request = site_request(user, action, site_id);
          const Verdict v = engine.check_site_level(request);
          if (!needs_resource().count(action)) {
            EXPECT_EQ(v.allowed(), engine.decide(request).allowed) << user << " " << action << " " << site_id;
          } else {
            EXPECT_EQ(engine.decide(request).code, calm::Code::invalid_request)
                << action << " needs a resource key (section 11, step 3)";
          }
          if (v.allowed()) {
            expected.push_back(user);
            verdicts.emplace(user, v);
          }
        }
        EXPECT_EQ(listed_users(answer), expected) << action << " at " << site_id;
        for (json entry : answer["value"]["users"]) {
          const std::string user = entry["user"].get<std::string>();
          const calm::Index u = s.user_ids.find(user);
          if (!verdicts.count(user) || u == calm::kNone) continue;
          EXPECT_EQ(entry["rule"], std::string(verdicts.at(user).rule)) << user << " " << action;
          EXPECT_EQ(entry["roles"], roles_at(engine, u, site)) << user << " " << action;
          EXPECT_EQ(entry.value("owner", false), static_cast<bool>(s.owner[u])) << user;
        }
      }
    }
  }
}

TEST(WhoCanQueries, WithAResourceListsExactlyTheUsersDecideAllowsOnRandomSnapshots) {
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    calm_test::Rng rng(seed);
    json snap = calm_test::random_snapshot(rng);
    Engine engine;
    if (!load(engine, snap)) continue;
    const calm::Snapshot& s = engine.snapshot();
    // Every resource of the snapshot, as the resource objects requests carry.
    std::vector<std::pair<std::string, json>> resources;
    for (const std::string& c : s.course_ids.ids()) resources.emplace_back("course", json{{"course", c}});
    for (const std::string& f : s.fulfillment_ids.ids())
      resources.emplace_back("fulfillment", json{{"fulfillment", f}});
    for (calm::Index r = 0; r < s.records.size(); ++r) {
      resources.emplace_back("record", json{{"record", s.record_ids.at(r)}});
      for (const calm::Block& b : s.records[r].blocks) {
        resources.emplace_back("block", json{{"block", {{"record", s.record_ids.at(r)}, {"block", b.id}}}});
      }
    }
    for (calm::Index c = 0; c < s.comments.size(); ++c) {
      if (s.comments[c].parent == calm::kNone)
        resources.emplace_back("thread", json{{"thread", s.comment_ids.at(c)}});
    }
    for (const std::string& c : s.company_ids.ids()) resources.emplace_back("company", json{{"company", c}});
    for (const std::string& u : s.user_ids.ids()) resources.emplace_back("target", json{{"target", u}});
    for (const auto& [key, resource] : resources) {
      for (const std::string& action : actions_by_key().at(key)) {
        json request{{"action", action}, {"resource", resource}};
        // Actions about a target at a site need the site (section 8); owners are organisation-level.
        if (key == "target" && action.rfind("users.access.", 0) == 0) request["site"] = s.site_ids.at(0);
        json answer = calm::test::who_can(engine, request);
        ASSERT_TRUE(answer.value("ok", false)) << request.dump() << ": " << answer.dump();
        std::vector<std::string> expected;
        for (const std::string& user : s.user_ids.ids()) {
          json asked = request;
          asked["user"] = user;
          if (calm::ffi::decide_value(engine, asked).allowed) expected.push_back(user);
        }
        EXPECT_EQ(listed_users(answer), expected) << request.dump();
      }
    }
  }
}

// ---- sitesWhere -------------------------------------------------------------------

TEST(SitesWhereQueries, ListsExactlyTheSitesTheDecisionFunctionAllowsOnRandomSnapshots) {
  const auto actions = all_actions();
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    calm_test::Rng rng(seed);
    json snap = calm_test::random_snapshot(rng);
    Engine engine;
    if (!load(engine, snap)) continue;
    const calm::Snapshot& s = engine.snapshot();
    for (calm::Index u = 0; u < s.users.size(); ++u) {
      const std::string user = s.user_ids.at(u);
      for (const std::string& action : actions) {
        json answer = calm::sites_where(engine, user, action);
        ASSERT_TRUE(answer.value("ok", false)) << user << " " << action << ": " << answer.dump();
        json expected = json::array();
        for (calm::Index site : s.site_preorder) {  // parents before children
          const Request request = site_request(user, action, s.site_ids.at(site));
          const Verdict v = engine.check_site_level(request);
          if (!needs_resource().count(action)) EXPECT_EQ(v.allowed(), engine.decide(request).allowed);
          if (v.allowed()) expected.push_back({{"site", s.site_ids.at(site)}, {"rule", std::string(v.rule)}});
        }
        EXPECT_EQ(answer["value"]["sites"], expected) << user << " " << action;
      }
    }
  }
}

TEST(SitesWhereQueries, AgreesWithWhoCanOnRandomSnapshots) {
  const auto actions = all_actions();
  for (std::uint64_t seed = 1; seed <= kSeeds / 2; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    calm_test::Rng rng(seed * 7919);
    json snap = calm_test::random_snapshot(rng);
    Engine engine;
    if (!load(engine, snap)) continue;
    const calm::Snapshot& s = engine.snapshot();
    for (const std::string& action : actions) {
      std::set<std::pair<std::string, std::string>> by_who, by_where;
      for (const std::string& site : s.site_ids.ids()) {
        for (const std::string& user :
             listed_users(calm::test::who_can(engine, {{"action", action}, {"site", site}}))) {
          by_who.emplace(user, site);
        }
      }
      for (const std::string& user : s.user_ids.ids()) {
        json answer = calm::sites_where(engine, user, action);
        for (json entry : answer["value"]["sites"]) by_where.emplace(user, entry["site"].get<std::string>());
      }
      EXPECT_EQ(by_who, by_where) << action;
    }
  }
}

// ---- Hand-written whoCan / sitesWhere on the personnel organisation ----------------

class Queries : public ::testing::Test {
 protected:
  void SetUp() override {
    json doc = json::parse(calm::test::fixture("personnel-org.json"), nullptr, false);
    ASSERT_FALSE(doc.is_discarded());
    ASSERT_TRUE(load(engine, doc));
  }
  Engine engine;
};

using WhoCanFixture = Queries;

TEST_F(WhoCanFixture, P11_SensitiveDataOfARecordIsForItsSitesManagersAndAdminsOnly) {
  json answer =
      calm::test::who_can(engine, {{"action", "personnel.sensitive.view"}, {"resource", {{"record", "rec-lee"}}}});
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  EXPECT_EQ(listed_users(answer), (std::vector<std::string>{"u-owner", "u-siteadmin", "u-pm", "u-hr"}));
  for (json entry : answer["value"]["users"]) {
    if (entry["user"] == "u-owner") EXPECT_EQ(entry.value("owner", false), true);
    if (entry["user"] == "u-pm") {
      EXPECT_EQ(entry["roles"], json({{"site", "manager"},
                                      {"personnel", "manager"},
                                      {"premises", "manager"},
                                      {"documents", "manager"}}));
      EXPECT_FALSE(entry.contains("owner"));
    }
  }
}

TEST_F(WhoCanFixture, P6_ARestrictedThreadIsSeenByItsAuthorAndTheManagersOnly) {
  json answer =
      calm::test::who_can(engine, {{"action", "personnel.comment.view"}, {"resource", {{"thread", "cm-lee-1"}}}});
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  EXPECT_EQ(listed_users(answer),
            (std::vector<std::string>{"u-owner", "u-siteadmin", "u-pm", "u-hr", "u-lee"}));
}

TEST_F(WhoCanFixture, S2_OnlyOwnersMakeOwners) {
  json answer = calm::test::who_can(engine, {{"action", "users.owner.set"}, {"resource", {{"target", "u-pm"}}}});
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  EXPECT_EQ(listed_users(answer), (std::vector<std::string>{"u-owner"}));
}

TEST_F(WhoCanFixture, AnUnknownSiteOrActionIsAnsweredWithTheDecisionNotAnEmptyList) {
  EXPECT_EQ(
      calm::test::who_can(engine, {{"action", "personnel.record.view"}, {"site", "west"}})["decision"]["code"],
      "unknown-site");
  EXPECT_EQ(
      calm::test::who_can(engine, {{"action", "personnel.record.fly"}, {"site", "north"}})["decision"]["code"],
      "unknown-action");
}

using SitesWhereFixture = Queries;

TEST_F(SitesWhereFixture, A4_AChildSiteMemberViewsRecordsUpToTheRoot) {
  json answer = calm::sites_where(engine, "u-lab", "personnel.record.view");
  ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
  json sites = json::array();
  for (json entry : answer["value"]["sites"]) sites.push_back(entry["site"]);
  EXPECT_EQ(sites, json({"hq", "north", "north-lab"}));
}

TEST_F(SitesWhereFixture, A2_A3_ManagersCreateRecordsOnlyWhereTheirRoleReaches) {
  json pm = json::array(), admin = json::array();
  json pm_answer = calm::sites_where(engine, "u-pm", "personnel.record.create");
  json admin_answer = calm::sites_where(engine, "u-siteadmin", "personnel.record.create");
  for (json e : pm_answer["value"]["sites"]) pm.push_back(e["site"]);
  for (json e : admin_answer["value"]["sites"]) admin.push_back(e["site"]);
  EXPECT_EQ(pm, json({"north"}));
  EXPECT_EQ(admin, json({"hq", "north", "north-lab", "south"}));
}

TEST_F(SitesWhereFixture, AnUnknownUserIsAnsweredWithTheDecision) {
  EXPECT_EQ(json(calm::sites_where(engine, "u-ghost", "personnel.record.view"))["decision"]["code"],
            "unknown-user");
}

// ---- whatIf on random changes ----------------------------------------------------------

// The capabilities of every user at every site of `engine`, as action-id lists.
using CapabilityDiff = std::map<std::pair<std::string, std::string>, std::pair<json, json>>;

CapabilityDiff diff_capabilities(const Engine& before, const Engine& after) {
  const calm::Snapshot& s = before.snapshot();
  CapabilityDiff out;
  for (const std::string& user : s.user_ids.ids()) {
    for (const std::string& site : s.site_ids.ids()) {
      const auto a = before.capabilities(user, site);
      const auto b = after.capabilities(user, site);
      json gained = json::array(), lost = json::array();
      for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        const std::string action(calm::action_id(static_cast<calm::Index>(i)));
        if (!a[i].allowed() && b[i].allowed()) gained.push_back(action);
        if (a[i].allowed() && !b[i].allowed()) lost.push_back(action);
      }
      if (!gained.empty() || !lost.empty()) out[{user, site}] = {gained, lost};
    }
  }
  return out;
}

CapabilityDiff diff_of(json what_if_value) {
  CapabilityDiff out;
  for (json c : what_if_value["changes"]) {
    out[{c["user"].get<std::string>(), c["site"].get<std::string>()}] = {c["gained"], c["lost"]};
  }
  return out;
}

std::string show(const CapabilityDiff& d) {
  json j = json::array();
  for (const auto& [key, value] : d) {
    j.push_back({{"user", key.first}, {"site", key.second}, {"gained", value.first}, {"lost", value.second}});
  }
  return j.dump();
}

constexpr std::string_view kRoot = "u-whatif-root";

// A random access change body (no id, actor, at) against `engine`'s snapshot;
// owner changes name `favourite` half the time when it is given.
json random_change(const Engine& engine, calm_test::Rng& rng, const std::string& favourite) {
  const calm::Snapshot& s = engine.snapshot();
  std::vector<std::string> users;
  for (const std::string& u : s.user_ids.ids()) {
    if (u != kRoot) users.push_back(u);
  }
  std::vector<std::string> owners;
  for (calm::Index u : s.owners) {
    if (s.user_ids.at(u) != kRoot) owners.push_back(s.user_ids.at(u));
  }
  const std::vector<std::string>& sites = s.site_ids.ids();
  const std::vector<std::string>& modules = s.module_ids.ids();
  const std::vector<std::string>& templates = s.template_ids.ids();
  auto user = [&] { return rng.chance(0.02) ? std::string("u-ghost") : rng.pick(users); };
  auto site = [&] { return rng.chance(0.02) ? std::string("s-ghost") : rng.pick(sites); };
  auto module = [&] { return rng.chance(0.03) ? std::string("m-ghost") : rng.pick(modules); };
  auto role = [&] { return rng.pick(calm_test::role_names()); };
  const std::size_t kind = rng.below(100);
  if (kind < 40) {
    json c{
        {"type", "access.set"}, {"user", user()}, {"site", site()}, {"module", module()}, {"role", role()}};
    if (rng.chance(0.35)) c["includeChildSites"] = rng.chance(0.8);
    return c;
  }
  if (kind < 55) return {{"type", "access.setAll"}, {"user", user()}, {"site", site()}, {"role", role()}};
  if (kind < 70 && !templates.empty()) {
    return {{"type", "access.applyTemplate"},
            {"user", user()},
            {"site", site()},
            {"template", rng.pick(templates)}};
  }
  if (kind < 85) return {{"type", "access.remove"}, {"user", user()}, {"site", site()}, {"module", module()}};
  if (kind < 93)
    return {{"type", "owner.set"}, {"user", !favourite.empty() && rng.chance(0.5) ? favourite : user()}};
  return {{"type", "owner.unset"}, {"user", !owners.empty() && rng.chance(0.7) ? rng.pick(owners) : user()}};
}

json as_command(json change, std::string_view actor, int n) {
  change["id"] = "wi-" + std::to_string(n);
  change["actor"] = std::string(actor);
  change["at"] = std::string(kAt);
  return change;
}

TEST(WhatIfQueries, GainedAndLostEqualTheCapabilitiesBeforeAndAfterApplyingOnRandomChanges) {
  constexpr std::uint64_t kWhatIfSeeds = 50;
  int compared = 0, nonempty = 0, refused = 0;
  for (std::uint64_t seed = 1; seed <= kWhatIfSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    calm_test::Rng rng(seed * 104729);
    json snap = calm_test::random_snapshot(rng);
    // An owner outside every change applies it, so that no change stops the next.
    snap["users"].push_back({{"id", std::string(kRoot)}, {"name", "What-if root"}});
    snap["organisation"]["owners"].push_back(std::string(kRoot));
    // Half the time someone already holds admin for every module everywhere, so
    // that making them an owner changes no role, only the owner actions.
    std::string admin_everywhere;
    if (rng.chance(0.5)) {
      admin_everywhere = rng.pick(snap["users"].get<std::vector<json>>())["id"].get<std::string>();
      for (json site : snap["sites"]) {
        if (site.contains("parent")) continue;
        for (const char* m : {"site", "personnel", "premises", "documents", "operations"}) {
          snap["grants"].push_back({{"user", admin_everywhere},
                                    {"site", site["id"]},
                                    {"module", m},
                                    {"role", "admin"},
                                    {"includeChildSites", true}});
        }
      }
    }
    Engine engine;
    if (!load(engine, snap)) continue;
    json exported = engine.export_snapshot();
    const std::vector<std::string>& users = engine.snapshot().user_ids.ids();
    for (int round = 0; round < 8; ++round) {
      SCOPED_TRACE("round " + std::to_string(round));
      json change = random_change(engine, rng, admin_everywhere);
      if (rng.chance(0.25)) {
        json list = json::array({change});
        const std::size_t more = 1 + rng.below(2);
        for (std::size_t i = 0; i < more; ++i) list.push_back(random_change(engine, rng, admin_everywhere));
        change = std::move(list);
      }
      const std::string editor = rng.chance(0.2) ? std::string(kRoot) : rng.pick(users);
      json answer = calm::what_if(engine, editor, change);
      SCOPED_TRACE("whatIf(" + editor + ", " + change.dump() + ") = " + answer.dump());
      EXPECT_EQ(engine.export_snapshot(), exported) << "whatIf must change nothing";

      // Apply as the root owner, on a copy.
      Engine after;
      ASSERT_TRUE(load(after, exported));
      json list = change.is_array() ? change : json::array({change});
      bool all_applied = true;
      int n = 0;
      for (json one : list) {
        const calm::CommandResult r = after.apply(as_command(one, kRoot, ++n));
        if (!r.ok) all_applied = false;
      }
      if (!answer.value("ok", false)) {
        // A change naming an unknown id or malformed: not previewed, and not appliable either.
        EXPECT_FALSE(all_applied) << "whatIf refused a change an owner can apply";
        continue;
      }
      json& value = answer["value"];
      if (!change.is_array()) {  // the editor's verdict is the dry run's
        const calm::CommandResult dry = engine.dry_run(as_command(change, editor, 0));
        EXPECT_EQ(value["allowed"].get<bool>(), dry.ok) << dry.to_json().dump();
        if (!dry.ok && dry.decision && value.contains("decision")) {
          EXPECT_EQ(value["decision"]["code"], std::string(calm::code_name(dry.decision->code)));
        }
      }
      if (!all_applied) {
        ++refused;
        EXPECT_FALSE(value["allowed"].get<bool>()) << "a change no owner can apply cannot be allowed";
        continue;
      }
      // Capabilities of the original and of a fresh copy agree (the export round trip).
      Engine copy;
      ASSERT_TRUE(load(copy, exported));
      ASSERT_TRUE(diff_capabilities(engine, copy).empty()) << "export_snapshot() must keep every capability";
      const CapabilityDiff expected = diff_capabilities(engine, after);
      const CapabilityDiff got = diff_of(value);
      EXPECT_EQ(show(got), show(expected));
      ++compared;
      if (!expected.empty()) ++nonempty;
    }
  }
  // The comparison must not be vacuous.
  EXPECT_GT(compared, static_cast<int>(kWhatIfSeeds) * 3);
  EXPECT_GT(nonempty, static_cast<int>(kWhatIfSeeds));
  RecordProperty("compared", compared);
  RecordProperty("refused", refused);
}

// A batch (section 10, changed): whatIf of `{ user, changes }` answers as the
// batch's dry run by the editor does, and previews the state the batch leaves
// when an owner applies it.
TEST(WhatIfQueries, ABatchPreviewAgreesWithTheBatchsDryRunAndWithTheStateItLeaves) {
  constexpr std::uint64_t kSeeds = 30;
  int compared = 0, refused = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    calm_test::Rng rng(seed * 7919);
    json snap = calm_test::random_snapshot(rng);
    snap["users"].push_back({{"id", std::string(kRoot)}, {"name", "What-if root"}});
    snap["organisation"]["owners"].push_back(std::string(kRoot));
    Engine engine;
    if (!load(engine, snap)) continue;
    json exported = engine.export_snapshot();
    const std::vector<std::string>& users = engine.snapshot().user_ids.ids();
    for (int round = 0; round < 6; ++round) {
      SCOPED_TRACE("round " + std::to_string(round));
      json first = random_change(engine, rng, "");
      const json target = first["user"];
      json changes = json::array();
      const std::size_t n = 1 + rng.below(3);
      for (std::size_t i = 0; i < n; ++i) {
        json c = i == 0 ? first : random_change(engine, rng, "");
        c.erase("user");
        changes.push_back(std::move(c));
      }
      json body{{"user", target}, {"changes", changes}};
      const std::string editor = rng.chance(0.3) ? std::string(kRoot) : rng.pick(users);
      json answer = calm::what_if(engine, editor, body);
      SCOPED_TRACE("whatIf(" + editor + ", " + body.dump() + ") = " + answer.dump());
      EXPECT_EQ(engine.export_snapshot(), exported) << "whatIf must change nothing";
      json as_batch = body;
      as_batch["type"] = "access.batch";
      const calm::CommandResult dry = engine.dry_run(as_command(as_batch, editor, 0));
      if (!answer.value("ok", false)) {
        EXPECT_FALSE(dry.ok) << "whatIf refused a batch the editor can apply";
        continue;
      }
      json& value = answer["value"];
      EXPECT_EQ(value["allowed"].get<bool>(), dry.ok) << dry.to_json().dump();
      if (!dry.ok && dry.decision) {
        EXPECT_EQ(value["decision"]["code"], std::string(calm::code_name(dry.decision->code)));
        EXPECT_EQ(value["path"], dry.path);
      }
      Engine after;
      ASSERT_TRUE(load(after, exported));
      const calm::CommandResult applied = after.apply(as_command(as_batch, kRoot, 1));
      if (!applied.ok) {
        ++refused;
        EXPECT_FALSE(value["allowed"].get<bool>()) << "a batch no owner can apply cannot be allowed";
        continue;
      }
      EXPECT_EQ(show(diff_of(value)), show(diff_capabilities(engine, after)));
      ++compared;
    }
  }
  EXPECT_GT(compared, static_cast<int>(kSeeds) * 2);
  RecordProperty("compared", compared);
  RecordProperty("refused", refused);
}

// ---- Hand-written whatIf: the Edit Access preview -------------------------------------------

class WhatIfPreview : public Queries {
 protected:
  json preview(std::string_view editor, const json& change) {
    json before = engine.export_snapshot();
    json answer = calm::what_if(engine, editor, change);
    EXPECT_EQ(engine.export_snapshot(), before) << "a preview changes nothing";
    EXPECT_TRUE(answer.value("ok", false)) << answer.dump();
    return answer.value("value", json::object());
  }

  // The capability diff of applying `change` as u-owner on a copy.
  CapabilityDiff applied(const json& change) {
    Engine after;
    EXPECT_TRUE(load(after, engine.export_snapshot()));
    json list = change.is_array() ? change : json::array({change});
    int n = 100;
    for (json one : list) {
      const calm::CommandResult r = after.apply(as_command(one, "u-owner", ++n));
      EXPECT_TRUE(r.ok) << r.to_json().dump();
    }
    return diff_capabilities(engine, after);
  }
};

json change_for(json value, std::string_view user, std::string_view site) {
  for (json c : value["changes"]) {
    if (c["user"] == user && c["site"] == site) return c;
  }
  return json();
}

// The actions `user` gains at `site` in a whatIf answer (empty when none).
json gained_at(const json& value, std::string_view user, std::string_view site) {
  json c = change_for(value, user, site);
  return c.is_object() && c.contains("gained") ? c["gained"] : json::array();
}

bool has(const json& list, std::string_view action) {
  if (!list.is_array()) return false;
  return std::find(list.begin(), list.end(), json(std::string(action))) != list.end();
}

TEST_F(WhatIfPreview, EditAccessPreviewOfAPromotionListsTheActionsGainedAtTheSite) {
  const json change{{"type", "access.set"},
                    {"user", "u-lee"},
                    {"site", "north"},
                    {"module", "personnel"},
                    {"role", "manager"}};
  json v = preview("u-pm", change);
  EXPECT_EQ(v["allowed"], true);
  EXPECT_FALSE(v.contains("decision"));
  ASSERT_EQ(v["changes"].size(), 1u) << "only north changes: the implied member at hq stays" << v.dump();
  json c = change_for(v, "u-lee", "north");
  ASSERT_FALSE(c.is_null()) << v.dump();
  for (const char* action : {"personnel.record.create", "personnel.sensitive.view", "personnel.block.manage",
                             "personnel.insights.view", "training.insights.view", "training.course.create"}) {
    EXPECT_TRUE(has(c["gained"], action)) << action;
  }
  EXPECT_FALSE(has(c["gained"], "personnel.company.delete")) << "P13 needs admin";
  EXPECT_FALSE(has(c["gained"], "personnel.settings.edit")) << "P15 needs update-site too";
  EXPECT_TRUE(c["lost"].empty());
  EXPECT_EQ(show(diff_of(v)), show(applied(change)));
}

TEST_F(WhatIfPreview, RemovingAChildSiteRoleLosesTheImpliedParentRolesToo) {
  const json change{
      {"type", "access.remove"}, {"user", "u-lab"}, {"site", "north-lab"}, {"module", "personnel"}};
  json v = preview("u-siteadmin", change);
  EXPECT_EQ(v["allowed"], true);
  for (const char* site : {"north-lab", "north", "hq"}) {
    json c = change_for(v, "u-lab", site);
    ASSERT_FALSE(c.is_null()) << site << " " << v.dump();
    EXPECT_TRUE(has(c["lost"], "personnel.record.view")) << site;
    EXPECT_TRUE(c["gained"].empty()) << site;
  }
  EXPECT_EQ(show(diff_of(v)), show(applied(change)));
}

TEST_F(WhatIfPreview, S2_AnEscalationIsPreviewedWithTheEditorsDenial) {
  const json change{
      {"type", "access.set"}, {"user", "u-lee"}, {"site", "north"}, {"module", "site"}, {"role", "admin"}};
  json v = preview("u-pm", change);
  EXPECT_EQ(v["allowed"], false);
  EXPECT_EQ(v["decision"]["code"], "escalation");
  EXPECT_EQ(v["decision"]["rule"], "S2");
  EXPECT_TRUE(has(gained_at(v, "u-lee", "north"), "site.integrations.manage")) << v.dump();
  EXPECT_EQ(show(diff_of(v)), show(applied(change)));
}

TEST_F(WhatIfPreview, S1_APreviewByAUserWithoutManageUsersIsNotAllowed) {
  json v = preview("u-lee", {{"type", "access.set"},
                             {"user", "u-kim"},
                             {"site", "north"},
                             {"module", "personnel"},
                             {"role", "none"}});
  EXPECT_EQ(v["allowed"], false);
  EXPECT_EQ(v["decision"]["code"], "missing-site-permission");
}

TEST_F(WhatIfPreview, S2_ATemplateAboveTheEditorsRoleIsPreviewedAsEscalation) {
  json v = preview("u-pm", {{"type", "access.applyTemplate"},
                            {"user", "u-newbie"},
                            {"site", "north"},
                            {"template", "tpl-hr-lead"}});
  EXPECT_EQ(v["allowed"], false);
  EXPECT_EQ(v["decision"]["code"], "escalation");
}

TEST_F(WhatIfPreview, SeveralChangesArePreviewedTogether) {
  json change = json::array({{{"type", "access.set"},
                              {"user", "u-lee"},
                              {"site", "north"},
                              {"module", "premises"},
                              {"role", "member"}},
                             {{"type", "access.applyTemplate"},
                              {"user", "u-newbie"},
                              {"site", "north"},
                              {"template", "tpl-staff"}}});
  json v = preview("u-pm", change);
  EXPECT_EQ(v["allowed"], true);
  EXPECT_TRUE(has(gained_at(v, "u-lee", "north"), "personnel.record.view_assets")) << v.dump();
  EXPECT_TRUE(has(gained_at(v, "u-newbie", "north"), "personnel.record.view")) << v.dump();
  EXPECT_TRUE(has(gained_at(v, "u-newbie", "hq"), "personnel.record.view")) << "A4" << v.dump();
  EXPECT_EQ(show(diff_of(v)), show(applied(change)));
}

TEST_F(WhatIfPreview, S2_MakingAnOwnerOfSomeoneWhoAlreadyHoldsAdminEverywhereGainsTheOwnerActions) {
  // u-siteadmin already holds admin for every entitled module at every site;
  // becoming an owner still adds users.owner.set and users.owner.unset.
  const json change{{"type", "owner.set"}, {"user", "u-siteadmin"}};
  json v = preview("u-owner", change);
  EXPECT_EQ(v["allowed"], true);
  for (const char* site : {"hq", "north", "north-lab", "south"}) {
    EXPECT_TRUE(has(gained_at(v, "u-siteadmin", site), "users.owner.set")) << site << " " << v.dump();
    EXPECT_TRUE(has(gained_at(v, "u-siteadmin", site), "users.owner.unset")) << site << " " << v.dump();
  }
  EXPECT_EQ(show(diff_of(v)), show(applied(change)));
}

TEST_F(WhatIfPreview, S2_UnsettingTheLastOwnerIsPreviewedAsInvalidState) {
  json v = preview("u-owner", {{"type", "owner.unset"}, {"user", "u-owner"}});
  EXPECT_EQ(v["allowed"], false);
  EXPECT_EQ(v["decision"]["code"], "invalid-state");
  EXPECT_TRUE(v["changes"].empty()) << v.dump();
}

TEST_F(WhatIfPreview, AChangeForAnUnknownUserIsAnsweredWithTheDecision) {
  json answer = calm::what_if(engine, "u-pm",
                              {{"type", "access.set"},
                               {"user", "u-ghost"},
                               {"site", "north"},
                               {"module", "personnel"},
                               {"role", "member"}});
  EXPECT_FALSE(answer.value("ok", true));
  EXPECT_EQ(answer["decision"]["code"], "unknown-resource") << answer.dump();
}

}  // namespace
