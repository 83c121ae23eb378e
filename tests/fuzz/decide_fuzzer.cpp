// libFuzzer target: `ffi::decide` (ACCESS.md sections 8 and 11) on loaded
// organisations.
//
// Input: any bytes, taken as the text of one decision request and decided on
// each organisation of `calm::fuzz::organisations()` (the valid fixtures and
// the decision corpus snapshots). Invariants, besides "no crash, no sanitizer
// report, no throw":
//   - the answer is a decision `{ allowed, code, message, requires, rule }`
//     with a message and a rule, and `allowed` exactly when the code is
//     `allowed` (section 7);
//   - text that nlohmann's strict parser refuses, or that holds a NUL, is
//     `invalid-request` (section 11 step 1);
//   - an allow is only ever given to a well-formed request (section 11 step 1)
//     whose user, action and site are ids of the snapshot, byte for byte;
//   - the decision does not depend on how the request is written: its compact
//     re-serialisation gets the same bytes, `ffi::decide_value` and `check`
//     agree, and so does the bindings' indexed path (`ffi::explain`, and
//     `ffi::decision_parts` rebuilt as the JS `explain` rebuilds it) where
//     it applies;
//   - the section 9 questions asked with the same text (`capabilities`,
//     `sitesWhere`, `whoCan`, `whatIf`) answer `{ ok, ... }` and never allow
//     an unknown user.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../decision_parts.hpp"
#include "../indexed_request.hpp"
#include "calm/access.hpp"
#include "calm/personnel.hpp"
#include "fuzz_util.hpp"

namespace {

using calm::Engine;
using calm::Index;
using calm::kNone;
using calm::fuzz::json;

struct Organisation {
  std::string name;
  Engine engine;
};

std::vector<std::unique_ptr<Organisation>>& organisations() {
  static std::vector<std::unique_ptr<Organisation>> all = [] {
    std::vector<std::unique_ptr<Organisation>> out;
    for (auto& [name, text] : calm::fuzz::organisations()) {
      auto org = std::make_unique<Organisation>();
      org->name = name;
      calm::fuzz::load_fixture(org->engine, text, name);
      out.push_back(std::move(org));
    }
    return out;
  }();
  return all;
}

// The decision text must be a whole decision; returns it parsed.
json check_decision_shape(const std::string& text, std::string_view where) {
  const json d = json::parse(text, nullptr, false);
  const bool shaped = !d.is_discarded() && d.is_object() && d.size() == 5 && d.contains("allowed") &&
                      d["allowed"].is_boolean() && d.contains("code") && d["code"].is_string() &&
                      d.contains("message") && d["message"].is_string() && d.contains("rule") &&
                      d["rule"].is_string() && d.contains("requires") && d["requires"].is_object();
  CALM_REQUIRE(
      shaped,
      std::string(where) + ": the answer is not a decision { allowed, code, message, requires, rule }", text);
  CALM_REQUIRE(d["allowed"].get<bool>() == (d["code"] == "allowed"),
               std::string(where) + ": `allowed` disagrees with the code", text);
  CALM_REQUIRE(
      !d["message"].get_ref<const std::string&>().empty() && !d["rule"].get_ref<const std::string&>().empty(),
      std::string(where) + ": a decision without a message or a rule", text);
  return d;
}

// An allowed request: an object of known keys whose ids the snapshot holds.
void check_allowed_request(const Engine& engine, const json& request, const std::string& answer) {
  CALM_REQUIRE(request.is_object(), "allowed a request that is not a JSON object", answer);
  for (const auto& [key, value] : request.items()) {
    CALM_REQUIRE(key == "user" || key == "action" || key == "site" || key == "resource",
                 "allowed a request with an unknown key `" + key + "`", answer);
  }
  const calm::Snapshot& s = engine.snapshot();
  CALM_REQUIRE(request["user"].is_string() && s.user_ids.find(request["user"].get<std::string>()) != kNone,
               "allowed a user that is not in the snapshot", answer);
  CALM_REQUIRE(
      request["action"].is_string() && calm::find_action(request["action"].get<std::string>()) != kNone,
      "allowed an unknown action", answer);
  if (request.contains("site")) {
    CALM_REQUIRE(request["site"].is_string() && s.site_ids.find(request["site"].get<std::string>()) != kNone,
                 "allowed a site that is not in the snapshot", answer);
  }
}

// The bindings' fast path: a request whose ids are all known, with at most
// one resource named by its id, is also asked by indices (as js/index.js
// writes it); `check` must give the same verdict and `ffi::explain` the same bytes.
void check_indexed_path(const Engine& engine, const json& request, const std::string& answer) {
  static const json tables = json::parse(calm::ffi::indexed_keys());
  const auto indexed = calm::testing::indexed_of(tables, json::parse(calm::ffi::index(engine)), request);
  if (!indexed) return;
  const calm::IndexedRequest q = indexed->request();
  const auto verdict = engine.check(q).code;
  const auto full = engine.check(calm::ffi::parse_request(request).request).code;
  CALM_REQUIRE(verdict == full, "check (indexed) and check (request) answer the same request differently", answer);
  const std::string fast = calm::ffi::explain(engine, q);
  CALM_REQUIRE(fast == answer, "ffi::explain (indexed) and ffi::decide answer the same request differently",
               fast + "\n  vs\n" + answer);
  // And in parts, as the JS `explain` asks it.
  std::vector<std::uint32_t> words(16);
  std::string text;
  const auto n = calm::ffi::decision_parts(engine, q, words, text);
  CALM_REQUIRE(n.has_value(), "decision_parts refused an indexed request of known ids", answer);
  const auto rebuilt = calm::testing::decision_from_parts(words, *n, text);
  CALM_REQUIRE(rebuilt.has_value(), "decision_parts: the lengths do not cover the text", text);
  CALM_REQUIRE(*rebuilt == json::parse(answer), "decision_parts and ffi::decide answer differently",
               rebuilt->dump() + "\n  vs\n" + answer);
}

void check_query_answer(const json& answer, std::string_view what) {
  CALM_REQUIRE(answer.is_object() && answer.contains("ok") && answer["ok"].is_boolean(),
               std::string(what) + ": the answer is not { ok, ... }", answer.dump());
}

void ask_questions(const Engine& engine, const json& request) {
  const calm::Snapshot& s = engine.snapshot();
  if (!request.is_object()) return;
  const bool has_user = request.contains("user") && request["user"].is_string();
  const bool has_action = request.contains("action") && request["action"].is_string();
  const bool has_site = request.contains("site") && request["site"].is_string();
  if (has_user && has_site) {
    const std::string user = request["user"].get<std::string>();
    const json caps = calm::fuzz::parse_answer(
        calm::ffi::capabilities(engine, user, request["site"].get<std::string>()), "ffi::capabilities");
    if (s.user_ids.find(user) == kNone && caps["ok"].get<bool>()) {
      for (const auto& [action, decision] : caps["value"].items()) {
        CALM_REQUIRE(!decision.value("allowed", false),
                     "capabilities allow a user that is not in the snapshot", caps.dump());
      }
    }
  }
  if (has_user && has_action) {
    const std::string user = request["user"].get<std::string>();
    const json where = json(calm::sites_where(engine, user, request["action"].get<std::string>()));
    check_query_answer(where, "sitesWhere");
    if (s.user_ids.find(user) == kNone) {
      CALM_REQUIRE(!where["ok"].get<bool>(), "sitesWhere answers for a user that is not in the snapshot",
                   where.dump());
    }
  }
  if (!request.contains("user"))
    check_query_answer(json::parse(calm::ffi::who_can(engine, request.dump())), "whoCan");
  if (has_user && request.contains("resource")) {
    check_query_answer(json(calm::what_if(engine, request["user"].get<std::string>(), request["resource"])),
                       "whatIf");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The reference reading: nlohmann's strict parser, on text without a NUL
  // (nlohmann stops at one; such text is malformed, section 11 step 1).
  const bool has_nul = text.find('\0') != std::string_view::npos;
  const json request = has_nul ? json(json::value_t::discarded) : json::parse(text, nullptr, false);
  for (const auto& org : organisations()) {
    const Engine& engine = org->engine;
    const std::string answer = calm::ffi::decide(engine, text);
    if (calm::fuzz::verbose()) std::fprintf(stderr, "%s: %s\n", org->name.c_str(), answer.c_str());
    const json decision = check_decision_shape(answer, org->name);
    if (decision["allowed"].get<bool>()) {
      CALM_REQUIRE(!request.is_discarded(), "allowed a request that is not JSON (or holds a NUL)", answer);
      check_allowed_request(engine, request, answer);
    }
    if (request.is_discarded()) {
      CALM_REQUIRE(decision["code"] == "invalid-request", "decided a request that is not JSON text", answer);
      continue;
    }
    // Deeper than the parser's bound: refused before any reading (json_util.hpp kMaxDepth).
    if (decision["code"] == "invalid-request" &&
        decision["message"].get_ref<const std::string&>().find("nested too deeply") != std::string::npos) {
      continue;
    }
    const std::string compact = request.dump();
    const std::string again = calm::ffi::decide(engine, compact);
    CALM_REQUIRE(again == answer, "the same request written compactly gets a different decision",
                 compact + "\n" + answer + "\n  vs\n" + again);
    const calm::Decision value = calm::ffi::decide_value(engine, request);
    CALM_REQUIRE(value.to_json() == decision, "ffi::decide_value and ffi::decide disagree",
                 value.to_json().dump());
    const calm::ffi::ParsedRequest parsed = calm::ffi::parse_request(request);
    if (parsed.shape_error.empty()) {
      const calm::Verdict verdict = engine.check(parsed.request);
      CALM_REQUIRE(verdict.allowed() == decision["allowed"].get<bool>() &&
                       calm::code_name(verdict.code) == decision["code"].get<std::string>(),
                   "check and ffi::decide disagree", answer);
    }
    check_indexed_path(engine, request, answer);
    ask_questions(engine, request);
  }
  return 0;
}
