// Seeded property tests of calm::Engine (ACCESS.md). Each test states one
// property and the rule it follows from; snapshots and requests come from
// random_snapshot.hpp. On failure the seed, the change and the request are
// printed.

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "calm/access.hpp"
#include "calm/ffi.hpp"
#include "random_snapshot.hpp"

namespace {

using nlohmann::json;

constexpr std::uint64_t kFirstSeed = 7000;
constexpr std::uint64_t kSnapshots = 300;
constexpr int kRequests = 40;

struct Loaded {
  calm::Engine engine;
  bool ok = false;
  std::string errors;
  explicit Loaded(const json& snapshot) {
    const std::string answer = calm::ffi::load(engine, snapshot.dump());
    const json parsed = json::parse(answer, nullptr, false);
    ok = parsed.is_object() && parsed.value("ok", false);
    if (!ok) errors = answer;
  }
  calm::Decision decide(const json& request) const { return calm::ffi::decide_value(engine, request); }
};

std::vector<json> requests_for(const json& snapshot, calm_test::Rng& rng, int n) {
  std::vector<json> out;
  for (int i = 0; i < n; ++i) out.push_back(calm_test::random_request(snapshot, rng));
  return out;
}

std::string name(calm::Code code) { return std::string(calm::code_name(code)); }

std::vector<std::string> ids_of(const json& array) {
  std::vector<std::string> out;
  for (const json& item : array) out.push_back(item["id"].get<std::string>());
  return out;
}

json random_grant(const json& snapshot, calm_test::Rng& rng) {
  static const std::vector<std::string> modules = {"site", "personnel", "premises", "documents", "risks", "newmod"};
  json g = {{"user", rng.pick(ids_of(snapshot["users"]))},
            {"site", rng.pick(ids_of(snapshot["sites"]))},
            {"module", rng.pick(modules)},
            {"role", rng.pick(calm_test::role_names())}};
  if (rng.chance(0.4)) g["includeChildSites"] = rng.chance(0.6);
  return g;
}

// The action needs `module` for its role check (ACCESS.md sections 4-6, 8).
bool action_needs(const json& request, const std::string& module) {
  if (!request.is_object() || !request.contains("action") || !request["action"].is_string()) return false;
  const std::string action = request["action"].get<std::string>();
  if (module == "personnel" && (action.rfind("training.", 0) == 0 || action.rfind("personnel.", 0) == 0)) {
    return calm_ref::action_keys(action).has_value();
  }
  if (module == "premises" && action == "personnel.record.view_assets") return true;
  if (action == "users.access.set" && request.contains("resource") && request["resource"].is_object()) {
    const json& resource = request["resource"];
    return resource.contains("module") && resource["module"] == module;
  }
  return false;
}

// A5: adding a grant only adds a source, and sources combine by maximum, so
// no effective role goes down and no allowed request becomes denied. (The
// member-only conditions T5 and P6 and the S2 escalation bound only ever
// favour a higher role, so they keep this monotone.)
TEST(Property, AddingAGrantNeverTurnsAnAllowIntoADeny_A5) {
  std::size_t checked = 0;
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots; ++seed) {
    calm_test::Rng rng(seed);
    json snapshot = calm_test::random_snapshot(rng);
    const Loaded before(snapshot);
    ASSERT_TRUE(before.ok) << "seed " << seed << ": " << before.errors;
    const std::vector<json> requests = requests_for(snapshot, rng, kRequests);
    for (int round = 0; round < 3; ++round) {
      json grown = snapshot;
      const json grant = random_grant(snapshot, rng);
      grown["grants"].push_back(grant);
      const Loaded after(grown);
      ASSERT_TRUE(after.ok) << "seed " << seed << ": " << after.errors;
      for (const json& request : requests) {
        const calm::Decision was = before.decide(request);
        if (!was.allowed) continue;
        const calm::Decision now = after.decide(request);
        ++checked;
        EXPECT_TRUE(now.allowed) << "seed " << seed << ": adding grant " << grant.dump() << " denied "
                                 << request.dump() << " with " << name(now.code);
      }
      // Every effective role is at least what it was.
      const calm::Snapshot& a = before.engine.snapshot();
      const calm::Snapshot& b = after.engine.snapshot();
      for (calm::Index u = 0; u < a.user_ids.size(); ++u) {
        for (calm::Index s = 0; s < a.site_ids.size(); ++s) {
          for (calm::Index m = 0; m < a.module_ids.size(); ++m) {
            const calm::Role r0 = before.engine.effective_role(u, s, m);
            const calm::Role r1 = after.engine.effective_role(
                b.user_ids.find(a.user_ids.at(u)), b.site_ids.find(a.site_ids.at(s)), b.module_ids.find(a.module_ids.at(m)));
            EXPECT_GE(static_cast<int>(r1), static_cast<int>(r0))
                << "seed " << seed << ": adding " << grant.dump() << " lowered role(" << a.user_ids.at(u) << ", "
                << a.site_ids.at(s) << ", " << a.module_ids.at(m) << ")";
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000u);
}

// A7: without the entitlement to m, every action that needs m is denied, with
// `not-entitled` unless an earlier step of section 11 (invalid-request,
// unknown-*) already decided; every other action is decided exactly as before.
TEST(Property, RemovingAnEntitlementDeniesEveryActionOfThatModule_A7) {
  std::size_t denied = 0;
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    const Loaded before(snapshot);
    ASSERT_TRUE(before.ok) << "seed " << seed << ": " << before.errors;
    const std::vector<json> requests = requests_for(snapshot, rng, kRequests);
    for (const std::string module : {"personnel", "premises"}) {
      json reduced = snapshot;
      json& entitlements = reduced["organisation"]["entitlements"];
      const std::size_t n = entitlements.size();
      entitlements.erase(std::remove(entitlements.begin(), entitlements.end(), json(module)), entitlements.end());
      if (entitlements.size() == n) continue;  // was not entitled
      const Loaded after(reduced);
      ASSERT_TRUE(after.ok) << "seed " << seed << ": " << after.errors;
      for (const json& request : requests) {
        const calm::Decision was = before.decide(request);
        const calm::Decision now = after.decide(request);
        if (action_needs(request, module)) {
          const calm::Code expected = was.code < calm::Code::not_entitled ? was.code : calm::Code::not_entitled;
          EXPECT_FALSE(now.allowed) << "seed " << seed << ": without " << module << ": " << request.dump();
          EXPECT_EQ(name(now.code), name(expected))
              << "seed " << seed << ": without " << module << ": " << request.dump() << " (was " << name(was.code)
              << ")";
          denied += was.allowed ? 1 : 0;
        } else {
          EXPECT_EQ(now.allowed, was.allowed) << "seed " << seed << ": without " << module << ": " << request.dump();
          EXPECT_EQ(name(now.code), name(was.code))
              << "seed " << seed << ": without " << module << ": " << request.dump();
        }
      }
    }
  }
  EXPECT_GT(denied, 100u) << "too few allowed requests turned into not-entitled: the property was barely exercised";
}

// A7: the `site` module is always entitled: listing it in the entitlements or
// not changes no decision.
TEST(Property, ListingTheSiteModuleAsAnEntitlementChangesNothing_A7) {
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots / 3; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    json toggled = snapshot;
    json& entitlements = toggled["organisation"]["entitlements"];
    const std::size_t n = entitlements.size();
    entitlements.erase(std::remove(entitlements.begin(), entitlements.end(), json("site")), entitlements.end());
    if (entitlements.size() == n) entitlements.push_back("site");
    const Loaded a(snapshot);
    const Loaded b(toggled);
    ASSERT_TRUE(a.ok && b.ok) << "seed " << seed << ": " << a.errors << b.errors;
    for (const json& request : requests_for(snapshot, rng, kRequests)) {
      const calm::Decision x = a.decide(request);
      const calm::Decision y = b.decide(request);
      EXPECT_EQ(name(x.code), name(y.code)) << "seed " << seed << ": " << request.dump();
    }
  }
}

// A6: making the actor an organisation owner never turns an allowed request
// into a denied one (owners pass every role and site-permission check and
// S2; the resource conditions are about the same actor, so they still hold).
TEST(Property, MakingTheActorAnOwnerNeverTurnsAnAllowIntoADeny_A6) {
  std::size_t checked = 0;
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    const Loaded before(snapshot);
    ASSERT_TRUE(before.ok) << "seed " << seed << ": " << before.errors;
    for (const json& request : requests_for(snapshot, rng, kRequests)) {
      const calm::Decision was = before.decide(request);
      if (!was.allowed) continue;
      const std::string actor = request["user"].get<std::string>();
      json promoted = snapshot;
      json& owners = promoted["organisation"]["owners"];
      if (std::find(owners.begin(), owners.end(), json(actor)) == owners.end()) owners.push_back(actor);
      const Loaded after(promoted);
      ASSERT_TRUE(after.ok) << "seed " << seed << ": " << after.errors;
      const calm::Decision now = after.decide(request);
      ++checked;
      EXPECT_TRUE(now.allowed) << "seed " << seed << ": owner " << actor << " denied " << request.dump() << " with "
                               << name(now.code);
    }
  }
  EXPECT_GT(checked, 1000u);
}

// A6: an owner is allowed whatever any user is allowed: for an allowed
// request by u, the same request by an owner o is allowed too. Excluded is
// the one condition that names the actor's own data, T1 (the fulfillment
// belongs to u, so o gets `not-own-fulfillment`, section 11 "More"). T5 and
// P6 restrict members only, and an owner is admin; entitlements cannot stand
// in the way because u's request already passed them.
TEST(Property, AnOwnerIsAllowedWhateverAnyoneIsAllowedExceptAnotherUsersFulfillment_A6_T1) {
  std::size_t checked = 0;
  std::size_t t1 = 0;
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    const json& owners = snapshot["organisation"]["owners"];
    if (owners.empty()) continue;
    const Loaded loaded(snapshot);
    ASSERT_TRUE(loaded.ok) << "seed " << seed << ": " << loaded.errors;
    for (const json& request : requests_for(snapshot, rng, kRequests)) {
      const calm::Decision was = loaded.decide(request);
      if (!was.allowed) continue;
      for (const json& owner : owners) {
        json by_owner = request;
        by_owner["user"] = owner;
        const calm::Decision now = loaded.decide(by_owner);
        if (request["action"] == "training.course.complete" && owner != request["user"]) {
          ++t1;
          EXPECT_EQ(name(now.code), "not-own-fulfillment") << "seed " << seed << ": " << by_owner.dump();
          continue;
        }
        ++checked;
        EXPECT_TRUE(now.allowed) << "seed " << seed << ": " << request.dump() << " is allowed but not for owner "
                                 << owner << " (" << name(now.code) << ")";
      }
    }
  }
  EXPECT_GT(checked, 500u);
  EXPECT_GT(t1, 0u);
}

// A6, S2, T5, P6: an owner's request is never denied for a role, a site
// permission, escalation, or the member-only conditions; only by the shape,
// unknown ids, entitlements (A7) and the actor-independent or own-data
// conditions (T1, external-course, T13).
TEST(Property, OwnersAreNeverDeniedForRolesSitePermissionsOrEscalation_A6) {
  std::size_t checked = 0;
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    const json& owners = snapshot["organisation"]["owners"];
    if (owners.empty()) continue;
    const Loaded loaded(snapshot);
    ASSERT_TRUE(loaded.ok) << "seed " << seed << ": " << loaded.errors;
    for (json request : requests_for(snapshot, rng, kRequests)) {
      if (!request.is_object()) continue;
      request["user"] = rng.pick(std::vector<json>(owners.begin(), owners.end()));
      const calm::Code code = loaded.decide(request).code;
      ++checked;
      EXPECT_TRUE(code != calm::Code::missing_role && code != calm::Code::missing_site_permission &&
                  code != calm::Code::escalation && code != calm::Code::not_assigned &&
                  code != calm::Code::not_own_thread)
          << "seed " << seed << ": owner denied " << request.dump() << " with " << name(code);
    }
  }
  EXPECT_GT(checked, 1000u);
}

// Helpers over the site forest of a snapshot JSON.
std::string parent_of(const json& snapshot, const std::string& site) {
  for (const json& s : snapshot["sites"]) {
    if (s["id"] == site) return s.contains("parent") ? s["parent"].get<std::string>() : std::string();
  }
  return {};
}

bool is_strict_descendant(const json& snapshot, const std::string& site, const std::string& ancestor) {
  for (std::string p = parent_of(snapshot, site); !p.empty(); p = parent_of(snapshot, p)) {
    if (p == ancestor) return true;
  }
  return false;
}

// A fresh user with exactly one grant, to observe A2-A4 in isolation.
struct FreshGrant {
  json snapshot;
  std::string site;
  std::string module;
  calm::Role role;
};

FreshGrant fresh_grant(const json& base, calm_test::Rng& rng, bool cascade) {
  FreshGrant f{base, {}, {}, calm::Role::member};
  f.snapshot["users"].push_back({{"id", "u-fresh"}, {"name", "Fresh"}});
  json& entitlements = f.snapshot["organisation"]["entitlements"];
  if (std::find(entitlements.begin(), entitlements.end(), json("personnel")) == entitlements.end()) {
    entitlements.push_back("personnel");
  }
  f.site = rng.pick(ids_of(base["sites"]));
  f.module = rng.chance(0.5) ? "personnel" : "site";
  const std::string role = rng.pick(std::vector<std::string>{"member", "manager", "admin"});
  f.role = *calm::parse_role(role);
  f.snapshot["grants"].push_back(
      {{"user", "u-fresh"}, {"site", f.site}, {"module", f.module}, {"role", role}, {"includeChildSites", cascade}});
  return f;
}

// A1, A2, A4: one non-cascading grant at p gives its role at p, nothing at
// p's descendants, exactly member at p's ancestors, nothing elsewhere.
TEST(Property, OneGrantGivesItsRoleThereMemberAboveAndNothingBelow_A1_A2_A4) {
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots; ++seed) {
    calm_test::Rng rng(seed);
    const FreshGrant f = fresh_grant(calm_test::random_snapshot(rng), rng, false);
    const Loaded loaded(f.snapshot);
    ASSERT_TRUE(loaded.ok) << "seed " << seed << ": " << loaded.errors;
    const calm::Snapshot& s = loaded.engine.snapshot();
    const calm::Index u = s.user_ids.find("u-fresh");
    const calm::Index m = s.module_ids.find(f.module);
    for (const std::string& site : ids_of(f.snapshot["sites"])) {
      calm::Role expected = calm::Role::none;
      if (site == f.site) expected = f.role;
      else if (is_strict_descendant(f.snapshot, f.site, site)) expected = calm::Role::member;
      EXPECT_EQ(calm::role_name(loaded.engine.effective_role(u, s.site_ids.find(site), m)), calm::role_name(expected))
          << "seed " << seed << ": grant " << f.module << " " << calm::role_name(f.role) << " at " << f.site
          << ", asked at " << site;
    }
  }
}

// A3, A4: one cascading grant at p gives its role at p and every descendant,
// exactly member at p's ancestors, nothing elsewhere.
TEST(Property, OneCascadingGrantGivesItsRoleToEveryDescendantAndMemberAbove_A3_A4) {
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots; ++seed) {
    calm_test::Rng rng(seed);
    const FreshGrant f = fresh_grant(calm_test::random_snapshot(rng), rng, true);
    const Loaded loaded(f.snapshot);
    ASSERT_TRUE(loaded.ok) << "seed " << seed << ": " << loaded.errors;
    const calm::Snapshot& s = loaded.engine.snapshot();
    const calm::Index u = s.user_ids.find("u-fresh");
    const calm::Index m = s.module_ids.find(f.module);
    for (const std::string& site : ids_of(f.snapshot["sites"])) {
      calm::Role expected = calm::Role::none;
      if (site == f.site || is_strict_descendant(f.snapshot, site, f.site)) expected = f.role;
      else if (is_strict_descendant(f.snapshot, f.site, site)) expected = calm::Role::member;
      EXPECT_EQ(calm::role_name(loaded.engine.effective_role(u, s.site_ids.find(site), m)), calm::role_name(expected))
          << "seed " << seed << ": cascading grant " << f.module << " " << calm::role_name(f.role) << " at " << f.site
          << ", asked at " << site;
    }
  }
}

// Section 7 "the engine fails closed": nothing malformed is ever allowed.
// Every request the generator breaks on purpose (non-object, bad types, ids
// of 0 or 129 bytes, extra or missing keys) is denied.
TEST(Property, MalformedRequestsAreNeverAllowed_Section11) {
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots / 3; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    const Loaded loaded(snapshot);
    ASSERT_TRUE(loaded.ok) << "seed " << seed << ": " << loaded.errors;
    for (json request : requests_for(snapshot, rng, kRequests)) {
      if (!request.is_object()) {
        EXPECT_EQ(name(loaded.decide(request).code), "invalid-request") << request.dump();
        continue;
      }
      // Break it one way or another.
      switch (rng.below(5)) {
        case 0: request["site"] = std::string(129, 's'); break;
        case 1: request["site"] = ""; break;
        case 2: request["resource"] = 5; break;
        case 3: request.erase("user"); break;
        default: request["user"] = json::array(); break;
      }
      const calm::Decision decision = loaded.decide(request);
      EXPECT_FALSE(decision.allowed) << request.dump();
      EXPECT_EQ(name(decision.code), "invalid-request") << request.dump();
    }
  }
}

// Section 9: a capability map is the site-level check of every action, in the
// action table's order. `capabilities` reads the user and site once; it must
// give, field by field, the verdict `check_site_level` gives per action, for
// known, unknown and malformed ids alike.
TEST(Property, CapabilitiesAreTheSiteLevelCheckOfEveryAction_Section9) {
  const auto same = [](const calm::Verdict& a, const calm::Verdict& b) {
    return a.code == b.code && a.action == b.action && a.rule == b.rule && a.site == b.site &&
           a.module == b.module && a.needed == b.needed && a.held == b.held && a.permission == b.permission &&
           a.detail == b.detail && a.field == b.field;
  };
  for (std::uint64_t seed = kFirstSeed; seed < kFirstSeed + kSnapshots / 3; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    const Loaded loaded(snapshot);
    ASSERT_TRUE(loaded.ok) << "seed " << seed << ": " << loaded.errors;
    std::vector<std::string> users = ids_of(snapshot["users"]);
    std::vector<std::string> sites = ids_of(snapshot["sites"]);
    for (auto* ids : {&users, &sites}) {
      ids->insert(ids->end(), {"ghost", "", std::string(129, 'x'), "bad \xff"});
    }
    for (int n = 0; n < kRequests; ++n) {
      const std::string user = rng.pick(users);
      const std::string site = rng.pick(sites);
      const std::vector<calm::Verdict> caps = loaded.engine.capabilities(user, site);
      ASSERT_EQ(caps.size(), calm::action_count());
      calm::Request request;
      request.user = user;
      request.site = site;
      for (calm::Index a = 0; a < calm::action_count(); ++a) {
        request.action = std::string(calm::action_id(a));
        EXPECT_TRUE(same(caps[a], loaded.engine.check_site_level(request)))
            << "seed " << seed << ": " << user << " at " << site << ", " << request.action;
      }
    }
  }
}

}  // namespace
