// libFuzzer target: sequences of workflow commands (TRAINING.md,
// PERSONNEL.md, ACCESS.md section 10) applied to a loaded organisation.
//
// Input: lines. A first line `@<name>` picks the organisation (a name of
// `calm::fuzz::organisations()`, e.g. `@personnel-org.json`; the default is
// training-org.json); every other line is one command as JSON text, applied
// in order (at most kMaxCommands). Invariants, besides "no crash, no sanitizer
// report, no throw":
//   - every answer is `{ ok, ... }`; a refusal has no events and its decision,
//     if any, is not an allow;
//   - a refused command, and a duplicate, leave the state exactly as it was
//     (the export is the same bytes): never half-applied;
//   - `dry_run` gives the answer `apply` gives, without the events;
//   - an applied command sent again is a duplicate that changes nothing;
//   - an access command (access.*, owner.*) is previewed by `whatIf` first
//     (ACCESS.md section 9): the preview allows exactly when the command is
//     applied, refuses with the same code otherwise, and its gained and lost
//     capabilities are those the command then makes;
//   - after the sequence, the state exports, loads again, exports the same
//     bytes and the reloaded engine gives the same answers as the live one
//     (capabilities of every user at every site, roles, resource decisions
//     and views), and still knows the applied command ids;
//   - the viewer snapshot of each of the first two actors gives them the
//     decisions and views of the full state (SERVER.md V1, V2).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "calm/access.hpp"
#include "calm/personnel.hpp"
#include "calm/workflow.hpp"
#include "fuzz_util.hpp"

namespace {

using calm::Engine;
using calm::fuzz::json;

constexpr std::size_t kMaxCommands = 32;

const std::vector<std::pair<std::string, std::string>>& organisations() {
  static const auto all = calm::fuzz::organisations();
  return all;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    out.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

json without_events(json answer) {
  answer.erase("events");
  return answer;
}

// The capabilities of `user` at every site, allowed or not, per action.
std::vector<std::vector<bool>> capability_table(const Engine& engine, const std::string& user) {
  std::vector<std::vector<bool>> out;
  for (const std::string& site : engine.snapshot().site_ids.ids()) {
    std::vector<bool> row;
    for (const calm::Verdict& v : engine.capabilities(user, site)) row.push_back(v.allowed());
    out.push_back(std::move(row));
  }
  return out;
}

// An access command's `whatIf` preview, taken before the command is applied.
struct Preview {
  json answer;
  std::string user;
  std::vector<std::vector<bool>> before;
};

std::optional<Preview> preview(const Engine& engine, std::string_view line) {
  json command = json::parse(line, nullptr, false);
  if (!command.is_object() || !command.contains("type") || !command["type"].is_string()) return std::nullopt;
  const std::string type = command["type"].get<std::string>();
  if (!type.starts_with("access.") && !type.starts_with("owner.")) return std::nullopt;
  if (!command.contains("actor") || !command["actor"].is_string()) return std::nullopt;
  const std::string actor = command["actor"].get<std::string>();
  for (const char* envelope : {"id", "actor", "at"}) command.erase(envelope);
  Preview p;
  p.answer = calm::what_if(engine, actor, command);
  if (command.contains("user") && command["user"].is_string() &&
      engine.snapshot().user_ids.find(command["user"].get<std::string>()) != calm::kNone) {
    p.user = command["user"].get<std::string>();
    p.before = capability_table(engine, p.user);
  }
  return p;
}

// The preview must have foreseen the answer, and the capabilities gained and lost.
void check_preview(const Engine& engine, const Preview& p, const json& answer, const std::string& line) {
  const json& w = p.answer;
  CALM_REQUIRE(w.is_object() && w.contains("ok"), "whatIf answers without ok", w.dump());
  if (answer.value("duplicate", false) || answer.contains("errors")) return;  // the envelope, not the change
  if (answer["ok"].get<bool>()) {
    CALM_REQUIRE(w["ok"] == true && w["value"]["allowed"] == true, "whatIf refuses a change that applies",
                 line + "\n" + w.dump());
    std::set<std::string> expected;
    if (!p.user.empty()) {
      const auto after = capability_table(engine, p.user);
      const auto& sites = engine.snapshot().site_ids.ids();
      for (std::size_t site = 0; site < sites.size(); ++site) {
        json gained = json::array(), lost = json::array();
        for (std::size_t a = 0; a < after[site].size(); ++a) {
          const std::string action(calm::action_id(static_cast<calm::Index>(a)));
          if (!p.before[site][a] && after[site][a]) gained.push_back(action);
          if (p.before[site][a] && !after[site][a]) lost.push_back(action);
        }
        if (gained.empty() && lost.empty()) continue;
        expected.insert(
            json{{"user", p.user}, {"site", sites[site]}, {"gained", gained}, {"lost", lost}}.dump());
      }
    }
    std::set<std::string> previewed;
    for (const json& change : w["value"]["changes"]) previewed.insert(change.dump());
    CALM_REQUIRE(previewed == expected, "whatIf previews other capability changes than the command makes",
                 line + "\n" + w.dump() + "\n  applied: " + json(expected).dump());
    return;
  }
  if (!answer.contains("decision")) return;
  const json& refused = answer["decision"];
  const json& foreseen = w["ok"] == true ? w["value"].value("decision", json()) : w.value("decision", json());
  CALM_REQUIRE(!(w["ok"] == true && w["value"]["allowed"] == true), "whatIf allows a change that is refused",
               line + "\n" + w.dump() + "\n" + answer.dump());
  CALM_REQUIRE(foreseen.is_object() && foreseen.value("code", "") == refused.value("code", ""),
               "whatIf refuses a change with another code than the command",
               line + "\n" + w.dump() + "\n" + answer.dump());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> lines =
      split_lines(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::pair<std::string, std::string>* org = &organisations().front();
  if (!lines.empty() && lines.front().starts_with('@')) {
    const std::string_view name = lines.front().substr(1);
    for (const auto& candidate : organisations()) {
      if (candidate.first == name) org = &candidate;
    }
    lines.erase(lines.begin());
  }
  if (lines.size() > kMaxCommands) lines.resize(kMaxCommands);

  Engine engine;
  calm::fuzz::load_fixture(engine, org->second, org->first);
  std::vector<std::string> applied;
  for (std::string_view line : lines) {
    const std::string context(line);
    const std::string before = calm::ffi::snapshot(engine);
    const std::optional<Preview> previewed = preview(engine, line);
    const json dry = calm::fuzz::parse_answer(calm::ffi::dry_run(engine, line), "ffi::dry_run");
    CALM_REQUIRE(calm::ffi::snapshot(engine) == before, "dry_run changed the state", context);
    const std::string answer_text = calm::ffi::apply(engine, line);
    if (calm::fuzz::verbose()) std::fprintf(stderr, "%s\n  -> %s\n", context.c_str(), answer_text.c_str());
    const json answer = calm::fuzz::parse_answer(answer_text, "ffi::apply");
    const bool ok = answer["ok"].get<bool>();
    const bool duplicate = answer.value("duplicate", false);
    CALM_REQUIRE(dry.value("events", json::array()).empty(), "dry_run returned events", dry.dump());
    CALM_REQUIRE(without_events(dry) == without_events(answer), "dry_run and apply answer differently",
                 context + "\n" + dry.dump() + "\n  vs\n" + answer_text);
    if (!ok) {
      CALM_REQUIRE(!answer.contains("events"), "a refused command has events", answer_text);
      CALM_REQUIRE(answer.contains("decision") || answer.contains("errors"),
                   "a refusal without a decision or errors", answer_text);
      if (answer.contains("decision")) {
        CALM_REQUIRE(answer["decision"].value("allowed", true) == false, "a refusal whose decision allows",
                     answer_text);
      }
      if (answer.contains("errors")) {
        CALM_REQUIRE(!answer["errors"].empty(), "a refusal with an empty error list", answer_text);
      }
    }
    if (previewed) check_preview(engine, *previewed, answer, context);
    const std::string after = calm::ffi::snapshot(engine);
    if (!ok || duplicate) {
      CALM_REQUIRE(after == before,
                   ok ? "a duplicate command changed the state" : "a refused command changed the state",
                   context + "\n" + answer_text);
      continue;
    }
    // Sent again: a duplicate, with the same result, and nothing changes.
    const json again = calm::fuzz::parse_answer(calm::ffi::apply(engine, line), "ffi::apply (again)");
    CALM_REQUIRE(again["ok"] == true && again.value("duplicate", false),
                 "an applied command sent again is not a duplicate", context + "\n" + again.dump());
    CALM_REQUIRE(again.value("result", json()) == answer.value("result", json()),
                 "a duplicate answers a different result", context + "\n" + again.dump());
    CALM_REQUIRE(calm::ffi::snapshot(engine) == after, "a duplicate command changed the state", context);
    applied.emplace_back(line);
  }

  calm::fuzz::require_round_trip(engine, "export and reload after the commands");

  // The viewer snapshots of the (at most two) first actors of applied
  // commands give them the answers of the full state (SERVER.md V1, V2).
  std::vector<std::string> viewers;
  for (const std::string& line : applied) {
    const json command = json::parse(line, nullptr, false);
    const std::string actor = command.is_object() ? command.value("actor", "") : "";
    if (viewers.size() < 2 && engine.snapshot().user_ids.find(actor) != calm::kNone &&
        std::find(viewers.begin(), viewers.end(), actor) == viewers.end()) {
      viewers.push_back(actor);
    }
  }
  for (const std::string& viewer : viewers)
    calm::fuzz::require_viewer_answers(engine, viewer, "after the commands");

  // The reloaded state still knows the applied commands (idempotency survives a reload).
  if (!applied.empty()) {
    Engine reloaded;
    calm::fuzz::load_fixture(reloaded, calm::ffi::snapshot(engine), "the export");
    const json again =
        calm::fuzz::parse_answer(calm::ffi::apply(reloaded, applied.front()), "ffi::apply (reloaded)");
    CALM_REQUIRE(again["ok"] == true && again.value("duplicate", false),
                 "an applied command is not a duplicate after export and reload",
                 applied.front() + "\n" + again.dump());
  }
  return 0;
}
