// libFuzzer target: the snapshot loader (SNAPSHOT.md).
//
// Input: any bytes, loaded as a snapshot into an engine that holds the valid
// fixture. Invariants, besides "no crash, no sanitizer report, no throw":
//   - a refused load names every error (code, JSON Pointer path, message),
//     answers `{ ok: false, errors }` through `ffi::load` too, and keeps the
//     previous snapshot in force, byte for byte (SNAPSHOT.md "Loading");
//   - an accepted load exports a snapshot that loads again, exports the same
//     bytes, and gives the same answers (`snapshot()`: "loading it gives the
//     same answers"), and the viewer snapshot of its first user gives that
//     user the same decisions and views (SERVER.md V1, V2).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "calm/access.hpp"
#include "fuzz_util.hpp"

namespace {

using calm::Engine;
using calm::Error;

struct State {
  std::string base_text = calm::fuzz::read_source_file("tests/fixtures/snapshot-valid.json");
  Engine engine;
  std::string base_export;
  std::string base_index;
  std::uint64_t refusals = 0;

  State() {
    calm::fuzz::load_fixture(engine, base_text, "snapshot-valid.json");
    base_export = calm::ffi::snapshot(engine);
    base_index = calm::ffi::index(engine);
  }
};

State& state() {
  static State s;
  return s;
}

void check_errors(const std::vector<Error>& errors) {
  for (const Error& e : errors) {
    CALM_REQUIRE(!e.code.empty() && !e.message.empty(), "a load error without a code or message",
                 calm::fuzz::describe(errors));
    CALM_REQUIRE(e.path.empty() || e.path.front() == '/', "a load error whose path is not a JSON Pointer",
                 calm::fuzz::describe(errors));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  State& s = state();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<Error> errors = s.engine.load(text);
  if (calm::fuzz::verbose())
    std::fprintf(stderr, "load: %s\n", errors.empty() ? "ok" : calm::fuzz::describe(errors).c_str());

  // ffi::load answers the same, through the JSON boundary the bindings use.
  Engine other;
  const nlohmann::json answer = calm::fuzz::parse_answer(calm::ffi::load(other, text), "ffi::load");
  CALM_REQUIRE(answer["ok"].get<bool>() == errors.empty(),
               "load and ffi::load disagree on whether the snapshot loads", answer.dump());

  if (!errors.empty()) {
    CALM_REQUIRE(!answer.contains("errors") || answer["errors"].size() == errors.size(),
                 "ffi::load reports a different number of errors than load", answer.dump());
    check_errors(errors);
    // The whole export is compared on every 16th refusal (exporting costs more
    // than most refusals); the ids on every one.
    CALM_REQUIRE(calm::ffi::index(s.engine) == s.base_index, "a refused load changed the snapshot in force");
    if (++s.refusals % 16 == 0) {
      CALM_REQUIRE(calm::ffi::snapshot(s.engine) == s.base_export, "a refused load changed the snapshot in force");
    }
    return 0;
  }

  CALM_REQUIRE(s.engine.loaded(), "an accepted load left the engine without a snapshot");
  calm::fuzz::require_round_trip(s.engine, "round trip of an accepted snapshot");
  // The viewer snapshot of the first user gives them the same answers (SERVER.md V1, V2).
  if (!s.engine.snapshot().user_ids.ids().empty()) {
    calm::fuzz::require_viewer_answers(s.engine, s.engine.snapshot().user_ids.at(0),
                                       "viewer of an accepted snapshot");
  }
  CALM_REQUIRE(calm::ffi::snapshot(other) == calm::ffi::snapshot(s.engine),
               "load and ffi::load load different snapshots");

  // Back to the base snapshot for the next input.
  calm::fuzz::load_fixture(s.engine, s.base_text, "snapshot-valid.json");
  return 0;
}
