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
//   - after the sequence, the state exports, loads again, exports the same
//     bytes and the reloaded engine gives the same answers as the live one
//     (capabilities of every user at every site, roles, resource decisions
//     and views), and still knows the applied command ids.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "calm/access.hpp"
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
    const std::string before = engine.snapshot_json();
    const json dry = calm::fuzz::parse_answer(engine.dry_run_json(line), "dry_run_json");
    CALM_REQUIRE(engine.snapshot_json() == before, "dry_run changed the state", context);
    const std::string answer_text = engine.apply_json(line);
    if (calm::fuzz::verbose()) std::fprintf(stderr, "%s\n  -> %s\n", context.c_str(), answer_text.c_str());
    const json answer = calm::fuzz::parse_answer(answer_text, "apply_json");
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
    const std::string after = engine.snapshot_json();
    if (!ok || duplicate) {
      CALM_REQUIRE(after == before,
                   ok ? "a duplicate command changed the state" : "a refused command changed the state",
                   context + "\n" + answer_text);
      continue;
    }
    // Sent again: a duplicate, with the same result, and nothing changes.
    const json again = calm::fuzz::parse_answer(engine.apply_json(line), "apply_json (again)");
    CALM_REQUIRE(again["ok"] == true && again.value("duplicate", false),
                 "an applied command sent again is not a duplicate", context + "\n" + again.dump());
    CALM_REQUIRE(again.value("result", json()) == answer.value("result", json()),
                 "a duplicate answers a different result", context + "\n" + again.dump());
    CALM_REQUIRE(engine.snapshot_json() == after, "a duplicate command changed the state", context);
    applied.emplace_back(line);
  }

  calm::fuzz::require_round_trip(engine, "export and reload after the commands");

  // The reloaded state still knows the applied commands (idempotency survives a reload).
  if (!applied.empty()) {
    Engine reloaded;
    calm::fuzz::load_fixture(reloaded, engine.snapshot_json(), "the export");
    const json again =
        calm::fuzz::parse_answer(reloaded.apply_json(applied.front()), "apply_json (reloaded)");
    CALM_REQUIRE(again["ok"] == true && again.value("duplicate", false),
                 "an applied command is not a duplicate after export and reload",
                 applied.front() + "\n" + again.dump());
  }
  return 0;
}
