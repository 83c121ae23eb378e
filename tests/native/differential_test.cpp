// Differential tests: the naive reference resolver (reference.hpp), written
// from ACCESS.md alone, against calm::Engine on seeded random snapshots.
//
// Environment knobs (all optional):
//   CALM_DIFF_SNAPSHOTS  number of snapshots (default 2000)
//   CALM_DIFF_REQUESTS   requests per snapshot (default 50)
//   CALM_DIFF_SEED       first seed (default 20260101); snapshot i uses seed + i

#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "calm/access.hpp"
#include "calm/ffi.hpp"
#include "random_snapshot.hpp"
#include "reference.hpp"

namespace {

using nlohmann::json;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 10);
}

// P17: the one message that is part of the contract.
constexpr const char* kP17 = "You don't have permission to view personnel settings. Please contact your administrator.";

struct Both {
  calm_ref::Answer reference;
  bool engine_allowed = false;
  std::string engine_code;
  std::string engine_message;
  /// The P17 message, when section 11 "More" says it is given.
  std::optional<std::string> expected_message;
  bool agree() const {
    return reference.allowed == engine_allowed && reference.code == engine_code &&
           (!expected_message || *expected_message == engine_message);
  }
};

bool load(calm::Engine& engine, const json& snapshot, std::string* errors = nullptr) {
  const std::string answer = calm::ffi::load(engine, snapshot.dump());
  const json parsed = json::parse(answer, nullptr, false);
  const bool ok = parsed.is_object() && parsed.value("ok", false);
  if (!ok && errors != nullptr) *errors = answer;
  return ok;
}

Both ask(const calm::Engine& engine, const calm_ref::Reference& reference, const json& request, bool as_text) {
  Both both;
  both.reference = reference.decide(request);
  if (request.is_object() && request.contains("action") && request["action"] == "personnel.settings.view" &&
      (both.reference.code == "missing-role" || both.reference.code == "not-entitled")) {
    both.expected_message = kP17;
  }
  if (as_text) {
    const json answer = json::parse(calm::ffi::decide(engine, request.dump()), nullptr, false);
    both.engine_allowed = answer.is_object() && answer.value("allowed", false);
    both.engine_code = answer.is_object() ? answer.value("code", std::string("<no code>")) : "<not json>";
    both.engine_message = answer.is_object() ? answer.value("message", std::string()) : std::string();
  } else {
    const calm::Decision decision = calm::ffi::decide_value(engine, request);
    both.engine_allowed = decision.allowed;
    both.engine_code = std::string(calm::code_name(decision.code));
    both.engine_message = decision.message;
  }
  return both;
}

// Deletes array elements and object members of `doc` (snapshot or request)
// while `fails` keeps holding, to hand back a small repro.
json shrink(json doc, const std::function<bool(const json&)>& fails) {
  bool progress = true;
  while (progress) {
    progress = false;
    std::vector<json::json_pointer> paths;
    std::function<void(const json&, const json::json_pointer&)> walk = [&](const json& node,
                                                                           const json::json_pointer& at) {
      if (node.is_array()) {
        for (std::size_t i = node.size(); i-- > 0;) {
          paths.push_back(at / i);
          walk(node[i], at / i);
        }
      } else if (node.is_object()) {
        for (const auto& [key, value] : node.items()) {
          paths.push_back(at / key);
          walk(value, at / key);
        }
      }
    };
    walk(doc, json::json_pointer());
    for (const json::json_pointer& path : paths) {
      json candidate = doc;
      if (!candidate.contains(path)) continue;
      const json::json_pointer parent = path.parent_pointer();
      json& container = candidate[parent];
      if (container.is_array()) container.erase(std::stoul(path.back()));
      else container.erase(path.back());
      if (fails(candidate)) {
        doc = std::move(candidate);
        progress = true;
        break;
      }
    }
  }
  return doc;
}

void report_disagreement(std::uint64_t seed, std::size_t index, const json& snapshot, const json& request,
                         const Both& both, bool as_text) {
  auto disagrees = [&](const json& snap, const json& req) {
    calm::Engine engine;
    if (!load(engine, snap)) return false;
    const calm_ref::Reference reference(snap);
    return !ask(engine, reference, req, as_text).agree();
  };
  const json small_snapshot = shrink(snapshot, [&](const json& snap) { return disagrees(snap, request); });
  const json small_request = shrink(request, [&](const json& req) { return disagrees(small_snapshot, req); });
  calm::Engine engine;
  (void)load(engine, small_snapshot);
  const Both small = ask(engine, calm_ref::Reference(small_snapshot), small_request, as_text);
  ADD_FAILURE() << "disagreement at seed " << seed << ", request #" << index << (as_text ? " (decide_json)" : "")
                << "\n  request:   " << request.dump() << "\n  reference: " << both.reference.allowed << " "
                << both.reference.code << " (" << both.reference.why << ")"
                << "\n  engine:    " << both.engine_allowed << " " << both.engine_code << " \"" << both.engine_message
                << "\"" << (both.expected_message ? "\n  expected message: " + *both.expected_message : std::string())
                << "\n  shrunk snapshot: " << small_snapshot.dump() << "\n  shrunk request:  " << small_request.dump()
                << "\n  shrunk answers: reference " << small.reference.code << " (" << small.reference.why
                << "), engine " << small.engine_code;
}

// ACCESS.md sections 2-11: the engine and the naive reference give the same
// `allowed` and the same reason code on every request (and the exact P17
// message where section 11 says it is given).
TEST(Reference, AgreesWithEngineOnRandomSnapshots) {
  const std::uint64_t snapshots = env_number("CALM_DIFF_SNAPSHOTS", 2000);
  const std::uint64_t per_snapshot = env_number("CALM_DIFF_REQUESTS", 50);
  const std::uint64_t first_seed = env_number("CALM_DIFF_SEED", 20260101);

  std::map<std::string, std::size_t> codes;
  std::size_t compared = 0;
  std::size_t disagreements = 0;
  std::size_t reported = 0;
  std::set<std::string> reported_kinds;
  for (std::uint64_t seed = first_seed; seed < first_seed + snapshots; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    calm::Engine engine;
    std::string errors;
    if (!load(engine, snapshot, &errors)) {
      ADD_FAILURE() << "seed " << seed << ": the engine rejects a valid snapshot: " << errors
                    << "\n  snapshot: " << snapshot.dump();
      continue;
    }
    const calm_ref::Reference reference(snapshot);
    for (std::size_t i = 0; i < per_snapshot; ++i) {
      const json request = calm_test::random_request(snapshot, rng);
      const bool as_text = i % 7 == 3;  // also cover the text boundary
      const Both both = ask(engine, reference, request, as_text);
      ++compared;
      ++codes[both.reference.code];
      if (!both.agree()) {
        ++disagreements;
        // Report each kind of disagreement (action, both codes) once, shrunk.
        const std::string kind = request.is_object() ? request.value("action", std::string()) : std::string("<junk>");
        const std::string key = kind + "|" + both.reference.code + "|" + both.engine_code;
        if (reported < 12 && reported_kinds.insert(key).second) {
          ++reported;
          report_disagreement(seed, i, snapshot, request, both, as_text);
        }
      }
    }
  }
  std::cout << "[ reference ] " << snapshots << " snapshots, " << compared << " requests compared, "
            << disagreements << " disagreements\n[ reference ] codes:";
  for (const auto& [code, count] : codes) std::cout << " " << code << "=" << count;
  std::cout << "\n";
  EXPECT_EQ(disagreements, 0u);
}

// A1-A7 and section 3: effective roles and site permissions agree for every
// (user, site, module) the engine knows.
TEST(Reference, AgreesWithEngineOnEffectiveRolesAndSitePermissions) {
  const std::uint64_t first_seed = env_number("CALM_DIFF_SEED", 20260101);
  std::size_t compared = 0;
  std::size_t failures = 0;
  for (std::uint64_t seed = first_seed; seed < first_seed + 300; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    calm::Engine engine;
    if (!load(engine, snapshot)) {
      ADD_FAILURE() << "seed " << seed << ": snapshot rejected";
      continue;
    }
    const calm_ref::Reference reference(snapshot);
    const calm::Snapshot& s = engine.snapshot();
    for (calm::Index u = 0; u < s.user_ids.size(); ++u) {
      for (calm::Index site = 0; site < s.site_ids.size(); ++site) {
        for (calm::Index m = 0; m < s.module_ids.size(); ++m) {
          const int expected =
              reference.role(s.user_ids.at(u), s.site_ids.at(site), s.module_ids.at(m));
          const int actual = static_cast<int>(engine.effective_role(u, site, m));
          ++compared;
          if (expected != actual && ++failures <= 10) {
            ADD_FAILURE() << "seed " << seed << ": role(" << s.user_ids.at(u) << ", " << s.site_ids.at(site) << ", "
                          << s.module_ids.at(m) << "): reference " << expected << ", engine " << actual;
          }
        }
        const std::pair<calm::SitePermission, const char*> permissions[] = {
            {calm::SitePermission::update_site, "update-site"},
            {calm::SitePermission::manage_users, "manage-users"},
            {calm::SitePermission::manage_integrations, "manage-integrations"}};
        for (const auto& [permission, name] : permissions) {
          const bool expected = reference.has_permission(s.user_ids.at(u), s.site_ids.at(site), name);
          const bool actual = engine.has_site_permission(u, site, permission);
          ++compared;
          if (expected != actual && ++failures <= 10) {
            ADD_FAILURE() << "seed " << seed << ": " << name << "(" << s.user_ids.at(u) << ", "
                          << s.site_ids.at(site) << "): reference " << expected << ", engine " << actual;
          }
        }
      }
    }
  }
  std::cout << "[ reference ] " << compared << " roles and permissions compared, " << failures << " disagreements\n";
  EXPECT_EQ(failures, 0u);
}

// The generator is strong enough to matter: on its requests the reference
// gives every reason code `decide` can give, and allows every action somewhere.
TEST(Reference, RandomRequestsReachEveryReasonCodeAndAllowEveryAction) {
  std::set<std::string> codes;
  std::set<std::string> allowed_actions;
  for (std::uint64_t seed = 1; seed <= 600; ++seed) {
    calm_test::Rng rng(seed);
    const json snapshot = calm_test::random_snapshot(rng);
    const calm_ref::Reference reference(snapshot);
    for (int i = 0; i < 50; ++i) {
      const json request = calm_test::random_request(snapshot, rng);
      const calm_ref::Answer answer = reference.decide(request);
      codes.insert(answer.code);
      if (answer.allowed) allowed_actions.insert(request["action"].get<std::string>());
    }
  }
  for (const char* code : {"invalid-request", "unknown-action", "unknown-user", "unknown-site", "unknown-resource",
                           "unknown-module", "not-entitled", "missing-role", "missing-site-permission",
                           "not-assigned", "not-own-thread", "not-own-fulfillment", "external-course",
                           "integration-not-connected", "escalation", "allowed"}) {
    EXPECT_TRUE(codes.count(code)) << "never produced: " << code;
  }
  for (const std::string& action : calm_ref::action_ids()) {
    EXPECT_TRUE(allowed_actions.count(action)) << "never allowed: " << action;
  }
}

}  // namespace
