#pragma once
/// \file
/// Helpers shared by the libFuzzer targets (tests/fuzz/*_fuzzer.cpp): reading
/// fixtures, reporting a broken invariant so that libFuzzer records it as a
/// finding, and comparing the answers of two engines.
///
/// An invariant that does not hold prints what was expected and calls
/// `__builtin_trap()`: libFuzzer then writes the input to `crash-<sha1>` and
/// stops, as it does for an ASan or UBSan report.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calm/access.hpp"
#include "calm/ffi.hpp"
#include "calm/personnel.hpp"
#include "calm/training.hpp"
#include "calm/viewer.hpp"

namespace calm::fuzz {

using nlohmann::json;

/// The date the fixtures are written for (views take a date, never a clock).
inline constexpr std::string_view kToday = "2026-03-02";

/// Prints the broken invariant (and up to 2000 bytes of context) and traps.
[[noreturn]] inline void fail(std::string_view what, std::string_view context = {}) {
  std::fprintf(stderr, "\n==calm-fuzz== INVARIANT BROKEN: %.*s\n", static_cast<int>(what.size()),
               what.data());
  if (!context.empty()) {
    const std::size_t n = std::min<std::size_t>(context.size(), 2000);
    std::fprintf(stderr, "==calm-fuzz== context: %.*s%s\n", static_cast<int>(n), context.data(),
                 n < context.size() ? " [...]" : "");
  }
  std::fflush(stderr);
  __builtin_trap();
}

}  // namespace calm::fuzz

/// Checks an invariant: `CALM_REQUIRE(condition, what[, context])` calls
/// `fail(what, context)` when the condition does not hold. A macro, so that
/// the message and its context are only built on failure.
#define CALM_REQUIRE(condition, ...)                   \
  do {                                                 \
    if (!(condition)) ::calm::fuzz::fail(__VA_ARGS__); \
  } while (false)

namespace calm::fuzz {

/// True when `CALM_FUZZ_VERBOSE` is set: the targets then print what they do
/// (to read a crash file: `CALM_FUZZ_VERBOSE=1 build-fuzz/tests/fuzz/X crash-...`).
inline bool verbose() {
  static const bool on = std::getenv("CALM_FUZZ_VERBOSE") != nullptr;
  return on;
}

/// The repository root (from the build's `CALM_SOURCE_DIR`).
inline std::filesystem::path source_dir() { return std::filesystem::path(CALM_SOURCE_DIR); }

/// A file of the repository; a missing file stops the target (a setup error, not a finding).
inline std::string read_source_file(const std::string& relative) {
  std::ifstream in(source_dir() / relative, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "calm-fuzz: cannot read %s\n", relative.c_str());
    std::exit(2);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Renders load errors for a message.
inline std::string describe(const std::vector<Error>& errors) {
  std::string text;
  for (const Error& e : errors) text += e.code + " at '" + e.path + "': " + e.message + "\n";
  return text;
}

/// Loads snapshot text into `engine`; a fixture that does not load stops the target.
inline void load_fixture(Engine& engine, const std::string& text, std::string_view name) {
  const std::vector<Error> errors = engine.load(text);
  if (!errors.empty()) {
    std::fprintf(stderr, "calm-fuzz: fixture %.*s does not load:\n%s", static_cast<int>(name.size()),
                 name.data(), describe(errors).c_str());
    std::exit(2);
  }
}

/// The snapshots the targets start from: the valid fixtures and the snapshot
/// of every decision corpus file, as JSON text, with a name.
inline std::vector<std::pair<std::string, std::string>> organisations() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* name : {"training-org.json", "personnel-org.json", "snapshot-valid.json"}) {
    out.emplace_back(name, read_source_file(std::string("tests/fixtures/") + name));
  }
  for (const char* name : {"entitlements.json", "entitlements_premises.json", "order.json", "personnel.json",
                           "roles.json", "training.json", "users.json"}) {
    const json doc = json::parse(read_source_file(std::string("tests/corpus/") + name));
    out.emplace_back(name, doc.at("snapshot").dump());
  }
  return out;
}

/// Where two texts first differ, with some context from each.
inline std::string difference(const std::string& x, const std::string& y) {
  std::size_t at = 0;
  while (at < x.size() && at < y.size() && x[at] == y[at]) ++at;
  const std::size_t from = at > 300 ? at - 300 : 0;
  return "first difference at byte " + std::to_string(at) + "\n  live:     ..." + x.substr(from, 600) +
         "\n  reloaded: ..." + y.substr(from, 600);
}

/// Every string of `list`, at most `limit` of them.
inline std::vector<std::string> first_ids(const json& list, std::size_t limit) {
  std::vector<std::string> out;
  for (const json& id : list) {
    if (out.size() == limit) break;
    out.push_back(id.get<std::string>());
  }
  return out;
}

/// Resource-level requests whose answers two engines must agree on: per
/// resource kind, the actions that take it.
struct ResourceProbe {
  const char* index_key;     // the list of `Engine::index_json()`
  const char* resource_key;  // the request's resource key
  std::vector<const char*> actions;
};

inline const std::vector<ResourceProbe>& resource_probes() {
  static const std::vector<ResourceProbe> probes = {
      {"courses", "course", {"training.course.view", "training.course.edit", "training.course.assign"}},
      {"fulfillments", "fulfillment", {"training.course.complete"}},
      {"records", "record", {"personnel.record.view", "personnel.sensitive.view", "training.profile.view"}},
      {"comments", "thread", {"personnel.comment.view"}},
      {"companies", "company", {"personnel.company.view", "personnel.company.delete"}},
      {"users", "target", {"users.access.edit"}},
  };
  return probes;
}

/// Traps unless `a` and `b` give the same answers: the ids they know, the
/// capabilities of every user at every site, roles, resource-level decisions
/// and the views (bounded, so that a large input stays fast). `what` names the
/// comparison in the report.
inline void require_same_answers(const Engine& a, const Engine& b, std::string_view what) {
  const std::string index_text = calm::ffi::index(a);
  CALM_REQUIRE(index_text == calm::ffi::index(b), std::string(what) + ": the engines know different ids",
               index_text);
  const json index = json::parse(index_text);
  const std::vector<std::string> users = first_ids(index["users"], 8);
  const std::vector<std::string> sites = first_ids(index["sites"], 6);
  // `question` names the question, built only when the answers differ.
  auto same = [&](const std::string& x, const std::string& y, auto question) {
    if (x != y) fail(std::string(what) + ": different answers to " + question(), difference(x, y));
  };
  auto same_json = [&](const json& x, const json& y, auto question) {
    if (x != y)
      fail(std::string(what) + ": different answers to " + question(), difference(x.dump(), y.dump()));
  };
  for (const std::string& u : users) {
    same(calm::ffi::roles(a, u), calm::ffi::roles(b, u), [&] { return "roles(" + u + ")"; });
    same_json(my_courses(a, u, kToday), my_courses(b, u, kToday), [&] { return "myCourses(" + u + ")"; });
    for (const std::string& s : sites) {
      same(calm::ffi::capabilities(a, u, s), calm::ffi::capabilities(b, u, s),
           [&] { return "capabilities(" + u + ", " + s + ")"; });
      same_json(people_view(a, u, s), people_view(b, u, s), [&] { return "people(" + u + ", " + s + ")"; });
      same_json(insights(a, u, s, kToday, true), insights(b, u, s, kToday, true),
                [&] { return "insights(" + u + ", " + s + ")"; });
    }
    for (const ResourceProbe& probe : resource_probes()) {
      for (const std::string& id : first_ids(index[probe.index_key], 4)) {
        for (const char* action : probe.actions) {
          const json request{{"user", u}, {"action", action}, {"resource", {{probe.resource_key, id}}}};
          const std::string text = request.dump();
          same(calm::ffi::decide(a, text), calm::ffi::decide(b, text), [&] { return text; });
        }
        if (std::string_view(probe.resource_key) == "course") {
          same_json(course_view(a, u, id), course_view(b, u, id),
                    [&] { return "course(" + u + ", " + id + ")"; });
        } else if (std::string_view(probe.resource_key) == "record") {
          same_json(record_view(a, u, id), record_view(b, u, id),
                    [&] { return "record(" + u + ", " + id + ")"; });
          same_json(comments_view(a, u, id), comments_view(b, u, id),
                    [&] { return "comments(" + u + ", " + id + ")"; });
        } else if (std::string_view(probe.resource_key) == "fulfillment") {
          same_json(attempts_view(a, u, id), attempts_view(b, u, id),
                    [&] { return "attempts(" + u + ", " + id + ")"; });
        } else if (std::string_view(probe.resource_key) == "company") {
          same_json(company_view(a, u, id), company_view(b, u, id),
                    [&] { return "company(" + u + ", " + id + ")"; });
        }
      }
    }
  }
}

/// Exports `engine`, reloads the export into a new engine and traps unless
/// that load succeeds, exports the same bytes again and gives the same answers.
inline void require_round_trip(const Engine& engine, std::string_view what) {
  const std::string exported = calm::ffi::snapshot(engine);
  Engine reloaded;
  const std::vector<Error> errors = reloaded.load(exported);
  if (!errors.empty())
    fail(std::string(what) + ": the export does not load", describe(errors) + "\n" + exported);
  const std::string again = calm::ffi::snapshot(reloaded);
  CALM_REQUIRE(again == exported, std::string(what) + ": export -> load -> export changed the snapshot",
               difference(exported, again));
  // Reveals last for the viewer's session and are never exported (PW2): the
  // reloaded engine is compared with the live state without them.
  if (engine.snapshot().revealed.empty()) {
    require_same_answers(engine, reloaded, what);
    return;
  }
  Snapshot model = engine.snapshot();
  model.revealed.clear();
  Engine without_reveals;
  without_reveals.load(std::move(model));
  require_same_answers(without_reveals, reloaded, what);
}

/// Traps unless the viewer snapshot of `viewer` (SERVER.md V1, V2) is a valid
/// snapshot that gives the viewer the same capabilities, roles, resource
/// decisions and views as the full state `full`. Where the full state denies,
/// the viewer snapshot may answer `unknown-*` instead (an id it leaves out);
/// an allow must be the same decision.
inline void require_viewer_answers(const Engine& full, const std::string& viewer, std::string_view what) {
  const json answer = viewer_snapshot(full, viewer);
  CALM_REQUIRE(answer.is_object() && answer.value("ok", false),
               std::string(what) + ": no viewer snapshot for " + viewer, answer.dump());
  Engine mine;
  const std::string text = answer["value"].dump();
  const std::vector<Error> errors = mine.load(text);
  if (!errors.empty())
    fail(std::string(what) + ": the viewer snapshot of " + viewer + " does not load",
         describe(errors) + "\n" + text);
  auto unknown = [](const json& decision) {
    return decision.is_object() && decision.value("code", "").starts_with("unknown-");
  };
  // The same decision, or a denial that became unknown-* (V1).
  auto same_decision = [&](const std::string& x, const std::string& y, auto question) {
    if (x == y) return;
    const json a = json::parse(x), b = json::parse(y);
    if (!a.value("allowed", true) && unknown(b)) return;
    fail(std::string(what) + ": V1: the viewer snapshot of " + viewer + " decides " + question() +
             " differently",
         difference(x, y));
  };
  // The same view, or a denied view whose denial became unknown-* (V2).
  auto same_view = [&](const json& x, const json& y, auto question) {
    if (x == y) return;
    if (!x.value("ok", true) && !y.value("ok", true) && unknown(y.value("decision", json()))) return;
    fail(std::string(what) + ": V2: the viewer snapshot of " + viewer + " answers " + question() +
             " differently",
         difference(x.dump(), y.dump()));
  };
  const json index = json::parse(calm::ffi::index(full));
  const std::vector<std::string> sites = first_ids(index["sites"], 6);
  same_view(json::parse(calm::ffi::roles(full, viewer)), json::parse(calm::ffi::roles(mine, viewer)),
            [] { return "roles"; });
  same_view(my_courses(full, viewer, kToday), my_courses(mine, viewer, kToday), [] { return "myCourses"; });
  for (const std::string& site : sites) {
    same_view(json::parse(calm::ffi::capabilities(full, viewer, site)),
              json::parse(calm::ffi::capabilities(mine, viewer, site)), [&] { return "capabilities at " + site; });
    same_view(people_view(full, viewer, site), people_view(mine, viewer, site),
              [&] { return "people at " + site; });
    same_view(insights(full, viewer, site, kToday, true), insights(mine, viewer, site, kToday, true),
              [&] { return "insights at " + site; });
    same_view(personnel_settings_view(full, viewer, site), personnel_settings_view(mine, viewer, site),
              [&] { return "personnelSettings at " + site; });
  }
  for (const ResourceProbe& probe : resource_probes()) {
    for (const std::string& id : first_ids(index[probe.index_key], 4)) {
      for (const char* action : probe.actions) {
        const std::string request =
            json{{"user", viewer}, {"action", action}, {"resource", {{probe.resource_key, id}}}}.dump();
        same_decision(calm::ffi::decide(full, request), calm::ffi::decide(mine, request), [&] { return request; });
      }
      const std::string_view key = probe.resource_key;
      if (key == "course") {
        same_view(course_view(full, viewer, id), course_view(mine, viewer, id),
                  [&] { return "course " + id; });
      } else if (key == "record") {
        same_view(record_view(full, viewer, id), record_view(mine, viewer, id),
                  [&] { return "record " + id; });
        same_view(comments_view(full, viewer, id), comments_view(mine, viewer, id),
                  [&] { return "comments " + id; });
      } else if (key == "fulfillment") {
        same_view(attempts_view(full, viewer, id), attempts_view(mine, viewer, id),
                  [&] { return "attempts " + id; });
      } else if (key == "company") {
        same_view(company_view(full, viewer, id), company_view(mine, viewer, id),
                  [&] { return "company " + id; });
      }
    }
  }
}

/// The answer text of a command or load, parsed; traps unless it is a JSON object with a boolean `ok`.
inline json parse_answer(const std::string& text, std::string_view what) {
  json answer = json::parse(text, nullptr, false);
  CALM_REQUIRE(
      !answer.is_discarded() && answer.is_object() && answer.contains("ok") && answer["ok"].is_boolean(),
      std::string(what) + ": the answer is not { ok, ... } JSON", text);
  return answer;
}

}  // namespace calm::fuzz
