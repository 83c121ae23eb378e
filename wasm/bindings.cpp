// The wasm boundary: marshalling only, no decisions. Every function hands a
// string to the core's JSON boundary (core/include/calm/access.hpp) and
// returns its string; the JS package parses it. The core's JSON functions
// never throw for bad input (bad input is an answer: `{ ok: false, errors }` or
// an `invalid-request` decision), so nothing throws across this boundary.

#include <emscripten/bind.h>

#include <string>

#include "calm/access.hpp"

namespace {

// `{ ok: true, stats }` or `{ ok: false, errors }`; a failed load keeps the
// previous snapshot in force.
std::string engine_load(calm::Engine& engine, const std::string& snapshot_text) {
  return engine.load_json(snapshot_text);
}

// A request as JSON text -> a decision as JSON text.
std::string engine_decide(const calm::Engine& engine, const std::string& request_text) {
  return engine.decide_json(request_text);
}

// `{ ok, value: { [action]: decision } }` or `{ ok: false, errors }`.
std::string engine_capabilities(const calm::Engine& engine, const std::string& user,
                                const std::string& site) {
  return engine.capabilities_json(user, site);
}

// `{ ok, value: [{ site, module, role, entitled, sources }] }` or `{ ok: false, errors }`.
std::string engine_roles(const calm::Engine& engine, const std::string& user) {
  return engine.roles_json(user);
}

// The action ids, as a JSON array.
std::string actions() { return calm::Engine::actions_json(); }

}  // namespace

EMSCRIPTEN_BINDINGS(calm_access) {
  emscripten::class_<calm::Engine>("Engine")
      .constructor<>()
      .function("load", &engine_load)
      .function("decide", &engine_decide)
      .function("capabilities", &engine_capabilities)
      .function("roles", &engine_roles);
  emscripten::function("actions", &actions);
}
