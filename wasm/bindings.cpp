// The wasm boundary: marshalling only, no decisions. Every function hands
// strings (JSON text or ids) to the core and returns the core's answer as
// JSON text; the JS package parses it. The core never throws for bad input
// (bad input is an answer: `{ ok: false, errors }` or an `invalid-request`
// decision), so nothing throws across this boundary.
//
// The hot paths (`calm_*` below) are plain exports, called as `Module._calm_*`
// without embind's marshalling: their input is UTF-8 bytes the JS side wrote
// into wasm memory (no JS string conversion) or dense indices, their answer a
// number or text left in one output buffer (`calm_out`, `calm_out_size`).

#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <cstdint>
#include <string>

#include "calm/access.hpp"
#include "calm/ffi.hpp"
#include "calm/viewer.hpp"
#include "calm/workflow.hpp"

namespace {

std::string engine_load(calm::Engine& engine, const std::string& snapshot_text) {
  return calm::ffi::load(engine, snapshot_text);
}

std::string engine_decide(const calm::Engine& engine, const std::string& request_text) {
  return calm::ffi::decide(engine, request_text);
}

std::string engine_capabilities(const calm::Engine& engine, const std::string& user,
                                const std::string& site) {
  return calm::ffi::capabilities(engine, user, site);
}

std::string engine_roles(const calm::Engine& engine, const std::string& user) {
  return calm::ffi::roles(engine, user);
}

std::string engine_apply(calm::Engine& engine, const std::string& command_text) {
  return calm::ffi::apply(engine, command_text);
}

std::string engine_dry_run(const calm::Engine& engine, const std::string& command_text) {
  return calm::ffi::dry_run(engine, command_text);
}

std::string engine_snapshot(const calm::Engine& engine) { return calm::ffi::snapshot(engine); }

std::string engine_index(const calm::Engine& engine) { return calm::ffi::index(engine); }

std::string engine_my_courses(const calm::Engine& engine, const std::string& user, const std::string& date) {
  return calm::ffi::my_courses(engine, user, date);
}

std::string engine_course(const calm::Engine& engine, const std::string& user, const std::string& course) {
  return calm::ffi::course(engine, user, course);
}

std::string engine_attempts(const calm::Engine& engine, const std::string& user,
                            const std::string& fulfillment) {
  return calm::ffi::attempts(engine, user, fulfillment);
}

std::string engine_insights(const calm::Engine& engine, const std::string& user, const std::string& site,
                            const std::string& date, bool include_child_sites) {
  return calm::ffi::insights(engine, user, site, date, include_child_sites);
}

std::string engine_training_of(const calm::Engine& engine, const std::string& user, const std::string& person,
                               const std::string& date) {
  return calm::ffi::training_of(engine, user, person, date);
}

std::string engine_freshness(const calm::Engine& engine, const std::string& date) {
  return std::string(calm::freshness(engine, date));
}

std::string engine_record(const calm::Engine& engine, const std::string& user, const std::string& record) {
  return calm::ffi::record(engine, user, record);
}

std::string engine_people(const calm::Engine& engine, const std::string& user, const std::string& site) {
  return calm::ffi::people(engine, user, site);
}

std::string engine_company(const calm::Engine& engine, const std::string& user, const std::string& company) {
  return calm::ffi::company(engine, user, company);
}

std::string engine_comments(const calm::Engine& engine, const std::string& user, const std::string& record) {
  return calm::ffi::comments(engine, user, record);
}

std::string engine_personnel_settings(const calm::Engine& engine, const std::string& user,
                                      const std::string& site) {
  return calm::ffi::personnel_settings(engine, user, site);
}

std::string engine_viewer_snapshot(const calm::Engine& engine, const std::string& user,
                                   const std::string& options_text) {
  return calm::ffi::viewer_snapshot(engine, user, options_text);
}

std::string engine_who_can(const calm::Engine& engine, const std::string& request_text) {
  return calm::ffi::who_can(engine, request_text);
}

std::string engine_sites_where(const calm::Engine& engine, const std::string& user,
                               const std::string& action) {
  return calm::ffi::sites_where(engine, user, action);
}

std::string engine_what_if(const calm::Engine& engine, const std::string& editor,
                           const std::string& change_text) {
  return calm::ffi::what_if(engine, editor, change_text);
}

std::string actions() { return calm::ffi::actions(); }

std::string reason_codes() { return calm::ffi::reason_codes(); }

std::string indexed_keys() { return calm::ffi::indexed_keys(); }

std::string requirement_keys() { return calm::ffi::requirement_keys(); }

// The size limits, for the JS side to measure text before copying it in.
std::string limits() { return calm::ffi::limits(); }

// The answer to text past a limit, without copying the text in.
std::string oversize(const std::string& input) {
  if (input == "snapshot") return calm::ffi::oversize(calm::Input::snapshot);
  if (input == "command") return calm::ffi::oversize(calm::Input::command);
  if (input == "question") return calm::ffi::oversize(calm::Input::question);
  return calm::ffi::oversize(calm::Input::request);
}

// The text of the last answer of a `calm_*` export.
std::string out;

const char* answer(std::string text) {
  out = std::move(text);
  return out.data();
}

// The engine behind an embind handle, for the plain exports.
std::uintptr_t engine_address(const calm::Engine& engine) {
  return reinterpret_cast<std::uintptr_t>(&engine);
}

}  // namespace

extern "C" {

/// The bytes of the last answer: `calm_out()` .. `+ calm_out_size()`.
EMSCRIPTEN_KEEPALIVE const char* calm_out() { return out.data(); }
EMSCRIPTEN_KEEPALIVE std::size_t calm_out_size() { return out.size(); }

/// `ffi::load` of `size` bytes at `text` (the caller frees them).
EMSCRIPTEN_KEEPALIVE const char* calm_load(calm::Engine* engine, const char* text, std::size_t size) {
  return answer(calm::ffi::load(*engine, {text, size}));
}

/// The verdict's code (the number of `calm::Code`, named by `reasonCodes`) of
/// a request written as words over bytes (see `read_request_words`); -1 when
/// the words are not a request the core reads this way (the caller then sends
/// JSON text).
EMSCRIPTEN_KEEPALIVE int calm_check(const calm::Engine* engine, const std::uint32_t* words, std::size_t count,
                                    const char* bytes, std::size_t size) {
  const auto request = calm::read_request_words(words, count, {bytes, size});
  if (!request) return -1;
  return static_cast<int>(engine->check(*request).code);
}

/// The verdict's code of an indexed request (`Engine::check(IndexedRequest)`)
/// given by its first five members: indices into the lists of `index` and
/// `actions`, `site` and `resource` 0xFFFFFFFF when absent, `key` the bits of
/// the keys named (`indexedKeys`: at most one, named by its id).
EMSCRIPTEN_KEEPALIVE int calm_check_indexed(const calm::Engine* engine, calm::Index user, calm::Index action,
                                            calm::Index site, std::uint32_t key, calm::Index resource) {
  const calm::IndexedRequest request{user, action, site, static_cast<std::uint16_t>(key), resource};
  return static_cast<int>(engine->check(request).code);
}

/// The same for an indexed request of any keys, written as
/// `kIndexedRequestWords` words at `words` over `size` bytes at `bytes`
/// (`read_indexed_words`); -1 when they are not one.
EMSCRIPTEN_KEEPALIVE int calm_check_indexed_words(const calm::Engine* engine, const std::uint32_t* words,
                                                  const char* bytes, std::size_t size) {
  const auto request = calm::read_indexed_words(words, {bytes, size});
  return request ? static_cast<int>(engine->check(*request).code) : -1;
}

/// The decision's text for the same request, empty when -1 above.
EMSCRIPTEN_KEEPALIVE const char* calm_explain(const calm::Engine* engine, const std::uint32_t* words,
                                              std::size_t count, const char* bytes, std::size_t size) {
  const auto request = calm::read_request_words(words, count, {bytes, size});
  return answer(request ? calm::ffi::decide(*engine, *request) : std::string());
}

/// `ffi::decision_parts` of a request written as words over bytes: the
/// number of words written at `parts` (at most `capacity`), the text pieces
/// left in the answer buffer (`calm_out`); -1 when the words are not a
/// request the core reads this way or the parts do not fit (the caller then
/// asks `calm_explain`).
EMSCRIPTEN_KEEPALIVE int calm_explain_parts(const calm::Engine* engine, const std::uint32_t* words,
                                            std::size_t count, const char* bytes, std::size_t size,
                                            std::uint32_t* parts, std::size_t capacity) {
  const auto request = calm::read_request_words(words, count, {bytes, size});
  if (!request) return -1;
  const auto written = calm::ffi::decision_parts(*engine, *request, {parts, capacity}, out);
  return written ? static_cast<int>(*written) : -1;
}

/// `calm_explain_parts` for an indexed request (see `calm_check_indexed`).
EMSCRIPTEN_KEEPALIVE int calm_explain_indexed_parts(const calm::Engine* engine, calm::Index user,
                                                    calm::Index action, calm::Index site, std::uint32_t key,
                                                    calm::Index resource, std::uint32_t* parts,
                                                    std::size_t capacity) {
  const calm::IndexedRequest request{user, action, site, static_cast<std::uint16_t>(key), resource};
  const auto written = calm::ffi::decision_parts(*engine, request, {parts, capacity}, out);
  return written ? static_cast<int>(*written) : -1;
}

/// The same for an indexed request written as words (see `calm_check_indexed_words`).
EMSCRIPTEN_KEEPALIVE int calm_explain_indexed_words_parts(const calm::Engine* engine,
                                                          const std::uint32_t* words, const char* bytes,
                                                          std::size_t size, std::uint32_t* parts,
                                                          std::size_t capacity) {
  const auto request = calm::read_indexed_words(words, {bytes, size});
  if (!request) return -1;
  const auto written = calm::ffi::decision_parts(*engine, *request, {parts, capacity}, out);
  return written ? static_cast<int>(*written) : -1;
}

/// `ffi::decide` of `size` bytes at `text`.
EMSCRIPTEN_KEEPALIVE const char* calm_decide(const calm::Engine* engine, const char* text, std::size_t size) {
  return answer(calm::ffi::decide(*engine, std::string_view(text, size)));
}

/// `ffi::capabilities` of the ids at `user` and `site`.
EMSCRIPTEN_KEEPALIVE const char* calm_capabilities(const calm::Engine* engine, const char* user,
                                                   std::size_t user_size, const char* site,
                                                   std::size_t site_size) {
  return answer(calm::ffi::capabilities(*engine, {user, user_size}, {site, site_size}));
}

/// `ffi::capability_codes` of the ids at `user` and `site`, written as `n`
/// bytes at `codes`; the count written.
EMSCRIPTEN_KEEPALIVE std::size_t calm_capability_codes(const calm::Engine* engine, const char* user,
                                                       std::size_t user_size, const char* site,
                                                       std::size_t site_size, std::uint8_t* codes,
                                                       std::size_t n) {
  return calm::ffi::capability_codes(*engine, {user, user_size}, {site, site_size}, {codes, n});
}

/// `ffi::capability` of the ids at `user`, `site` and `action`.
EMSCRIPTEN_KEEPALIVE const char* calm_capability(const calm::Engine* engine, const char* user,
                                                 std::size_t user_size, const char* site,
                                                 std::size_t site_size, const char* action,
                                                 std::size_t action_size) {
  return answer(calm::ffi::capability(*engine, {user, user_size}, {site, site_size}, {action, action_size}));
}

}  // extern "C"

EMSCRIPTEN_BINDINGS(calm_access) {
  emscripten::class_<calm::Engine>("Engine")
      .constructor<>()
      .function("load", &engine_load)
      .function("decide", &engine_decide)
      .function("capabilities", &engine_capabilities)
      .function("roles", &engine_roles)
      .function("apply", &engine_apply)
      .function("dryRun", &engine_dry_run)
      .function("snapshot", &engine_snapshot)
      .function("index", &engine_index)
      .function("myCourses", &engine_my_courses)
      .function("course", &engine_course)
      .function("attempts", &engine_attempts)
      .function("insights", &engine_insights)
      .function("trainingOf", &engine_training_of)
      .function("freshness", &engine_freshness)
      .function("record", &engine_record)
      .function("people", &engine_people)
      .function("company", &engine_company)
      .function("comments", &engine_comments)
      .function("personnelSettings", &engine_personnel_settings)
      .function("whoCan", &engine_who_can)
      .function("sitesWhere", &engine_sites_where)
      .function("whatIf", &engine_what_if)
      .function("viewerSnapshot", &engine_viewer_snapshot)
      .function("address", &engine_address);
  emscripten::function("actions", &actions);
  emscripten::function("reasonCodes", &reason_codes);
  emscripten::function("indexedKeys", &indexed_keys);
  emscripten::function("requirementKeys", &requirement_keys);
  emscripten::function("limits", &limits);
  emscripten::function("oversize", &oversize);
}
