#pragma once
/// \file
/// The JSON layer (in the spirit of cedar's `ffi` module): free functions,
/// text in and text out, the only code that reads or writes the views, the
/// access questions and their answers as JSON. The wasm bindings, the CLI
/// (through the package) and the tests speak JSON through it; `Engine` and the
/// view functions speak C++ types.
///
/// Every answer is `{ ok: true, value }`, `{ ok: false, decision }` (the viewer
/// is denied) or `{ ok: false, errors: [{ code, path, message }] }` (a
/// malformed argument). Nothing here throws for bad input. JSON keys are
/// written in nlohmann's (sorted) order, so the bytes are stable.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "calm/access.hpp"
#include "calm/personnel.hpp"
#include "calm/queries.hpp"
#include "calm/training.hpp"

namespace calm {

// ---- JSON values of the typed answers (found by nlohmann through ADL) ----

/// `{ code, path, message }`.
void to_json(nlohmann::json& j, const Error& error);
/// `{ allowed, code, message, rule, requires }`.
void to_json(nlohmann::json& j, const Decision& decision);
/// The value of `myCourses`.
void to_json(nlohmann::json& j, const MyCourses& value);
/// The value of `course`.
void to_json(nlohmann::json& j, const CourseView& value);
/// The value of `attempts`.
void to_json(nlohmann::json& j, const Attempts& value);
/// The value of `insights`.
void to_json(nlohmann::json& j, const Insights& value);
/// The value of `trainingOf`.
void to_json(nlohmann::json& j, const TrainingOf& value);
/// The value of `record`.
void to_json(nlohmann::json& j, const RecordView& value);
/// The value of `people`.
void to_json(nlohmann::json& j, const People& value);
/// The value of `company`.
void to_json(nlohmann::json& j, const CompanyView& value);
/// The value of `comments`.
void to_json(nlohmann::json& j, const Comments& value);
/// The value of `personnelSettings`.
void to_json(nlohmann::json& j, const PersonnelSettingsView& value);
/// The value of `whoCan` (without the echoed `request`).
void to_json(nlohmann::json& j, const WhoCan& value);
/// The value of `sitesWhere`.
void to_json(nlohmann::json& j, const SitesWhere& value);
/// The value of `whatIf`.
void to_json(nlohmann::json& j, const WhatIf& value);

/// `{ ok: true, value }`, `{ ok: false, decision }` or `{ ok: false, errors }`.
template <typename T>
void to_json(nlohmann::json& j, const Answer<T>& answer) {
  if (answer.ok()) {
    nlohmann::json value;
    to_json(value, answer.value());
    j = {{"ok", true}, {"value", std::move(value)}};
  } else if (const Decision* denial = answer.denial()) {
    nlohmann::json decision;
    to_json(decision, *denial);
    j = {{"ok", false}, {"decision", std::move(decision)}};
  } else {
    nlohmann::json errors = nlohmann::json::array();
    for (const Error& e : *answer.errors()) {
      nlohmann::json one;
      to_json(one, e);
      errors.push_back(std::move(one));
    }
    j = {{"ok", false}, {"errors", std::move(errors)}};
  }
}

}  // namespace calm

namespace calm::ffi {

// ---- The engine: loading, decisions, capabilities, roles, commands ----

/// Loads a snapshot given as JSON text: `{ ok: true, stats }` or
/// `{ ok: false, errors: [{ code, path, message }] }` (the previous snapshot
/// stays in force).
[[nodiscard]] std::string load(Engine& engine, std::string_view json_text);
/// A request as JSON text -> the decision as JSON text (malformed -> `invalid-request`).
[[nodiscard]] std::string decide(const Engine& engine, std::string_view request_text);
/// The decision as JSON text for a request of views (the JS `can` /
/// `explain` fast path, see `read_request_words`): the bytes `decide` gives
/// for the same request as JSON text.
[[nodiscard]] std::string decide(const Engine& engine, const RequestView& request);
/// The members of a decision's `requires`, numbered in their JSON (sorted)
/// order: bit `1 << key` of `decision_parts`'s flags.
enum class RequirementKey : std::uint8_t {
  condition,
  entitlement,
  integration,
  module,
  alternative,  ///< `or`: `{ module, role, site }`
  owner,        ///< `true`, no text
  resource,
  role,
  site,
  site_permission,
};
/// The decision `decide` gives for a request of views, in parts instead of
/// JSON (the JS `explain` fast path, which builds the object from them):
/// `words[0]` the code's number, `words[1]` the `RequirementKey` bits set,
/// then the UTF-16 length of each text piece, in order: the rule, the
/// message, then each string of `requires` in key order (`or` as its
/// module, role and site). `text` holds the pieces one after another. The
/// number of words written, or nullopt when they do not fit or a piece is not
/// well-formed UTF-8 (the caller then asks `decide`).
[[nodiscard]] std::optional<std::size_t> decision_parts(const Engine& engine, const RequestView& request,
                                                        std::span<std::uint32_t> words, std::string& text);
/// The same for an indexed request (the JS `explain` when every id is known):
/// the decision `decide` gives for the request of those ids; nullopt also
/// when an index is out of range.
[[nodiscard]] std::optional<std::size_t> decision_parts(const Engine& engine, const IndexedRequest& request,
                                                        std::span<std::uint32_t> words, std::string& text);
/// `RequirementKey`'s names as `decision_parts`'s reader needs them:
/// `{ requires: [...keys by number], or: [module, role, site] }`.
[[nodiscard]] std::string requirement_keys();
/// A request as a JSON value -> the decision.
[[nodiscard]] Decision decide_value(const Engine& engine, const nlohmann::json& request);
/// The decision as JSON text (the bytes `decide` gives for the same request)
/// for an indexed request whose ids are all in the snapshot: the JS `explain`
/// fast path, which skips writing and parsing the request. Empty when an index
/// is out of range (the caller then asks `decide`).
[[nodiscard]] std::string explain(const Engine& engine, const IndexedRequest& request);
/// `{ ok, value: { [action]: decision } }` or `{ ok: false, errors }`.
[[nodiscard]] std::string capabilities(const Engine& engine, std::string_view user, std::string_view site);
/// The compact form of `capabilities`: one byte per action, in the action
/// table's order (`actions`), each the number of its verdict's code (`Code`,
/// named by `reason_codes`). Writes `min(out.size(), action_count())` bytes
/// and returns that count. No JSON, no allocation.
std::size_t capability_codes(const Engine& engine, std::string_view user, std::string_view site,
                             std::span<std::uint8_t> out) noexcept;
/// One action's entry of `capabilities`: its site-level decision as JSON
/// text, the bytes `capabilities` writes for it (a message rendered on demand
/// for a compact code); `unknown-action` for an action not in the table.
[[nodiscard]] std::string capability(const Engine& engine, std::string_view user, std::string_view site,
                                     std::string_view action);
/// The reason codes by number (`Code`), as a JSON array: `["invalid-request", ..., "allowed"]`.
[[nodiscard]] std::string reason_codes();
/// `{ ok, value: [{ site, module, role, entitled, sources }] }` or `{ ok: false, errors }`.
[[nodiscard]] std::string roles(const Engine& engine, std::string_view user);
/// A command as JSON text -> the answer as JSON text (malformed -> errors).
[[nodiscard]] std::string apply(Engine& engine, std::string_view command_text);
/// As `apply`, without applying.
[[nodiscard]] std::string dry_run(const Engine& engine, std::string_view command_text);
/// The current state in the snapshot format, as JSON text.
[[nodiscard]] std::string snapshot(const Engine& engine);
/// The ids of users, sites and of every collection an indexed resource key
/// points into, in index order, as `{ users: [...], sites: [...], courses:
/// [...], ... }`, so that bindings can build `IndexedRequest`s (`roles`
/// holds the role names by rank).
[[nodiscard]] std::string index(const Engine& engine);
/// The resource keys an `IndexedRequest` may name, from the core's one
/// resource-key table, and the words `read_indexed_words` reads: `{ words,
/// keys: { [key]: [bit, collection, word] } }`, e.g. `{ "words": 10, "keys":
/// { "course": [1, "courses", 4], ... } }`, `collection` naming the list of
/// `index` the key's value is an index of and `word` the word of
/// `read_indexed_words` that holds it (for `block`, its record's index; the
/// block's id follows as bytes).
[[nodiscard]] std::string indexed_keys();
/// Ids of the action table, as a JSON array.
[[nodiscard]] std::string actions();
/// The answer of the function that reads `input` to text larger than
/// `input_limit(input)`: `{ ok: false, errors: [{ code: "too-large" }] }` for
/// a snapshot, a command or a question, an `invalid-request` decision for a
/// request. Bindings that measure the text before copying it use this answer.
[[nodiscard]] std::string oversize(Input input);
/// The size limits in bytes: `{ snapshot, request, command, question }`.
[[nodiscard]] std::string limits();

/// A decision request read from a JSON value. Never fails: a malformed
/// request yields a request whose check is `invalid-request`.
struct ParsedRequest {
  Request request;
  /// Empty when the shape is valid; otherwise what is wrong.
  std::string_view shape_error;
};
/// Reads a decision request `{ user, action, site?, resource? }` (ACCESS.md section 8).
[[nodiscard]] ParsedRequest parse_request(const nlohmann::json& json) noexcept;

// ---- Training views (calm/training.hpp) ----

/// `my_courses` as JSON text.
[[nodiscard]] std::string my_courses(const Engine& engine, std::string_view user, std::string_view date);
/// `course_view` as JSON text.
[[nodiscard]] std::string course(const Engine& engine, std::string_view user, std::string_view course);
/// `attempts_view` as JSON text.
[[nodiscard]] std::string attempts(const Engine& engine, std::string_view user, std::string_view fulfillment);
/// `insights` as JSON text.
[[nodiscard]] std::string insights(const Engine& engine, std::string_view user, std::string_view site,
                                   std::string_view date, bool include_child_sites);
/// `training_of` as JSON text.
[[nodiscard]] std::string training_of(const Engine& engine, std::string_view user, std::string_view person,
                                      std::string_view date);

// ---- Personnel views (calm/personnel.hpp) ----

/// `record_view` as JSON text.
[[nodiscard]] std::string record(const Engine& engine, std::string_view user, std::string_view record);
/// `people_view` as JSON text.
[[nodiscard]] std::string people(const Engine& engine, std::string_view user, std::string_view site);
/// `company_view` as JSON text.
[[nodiscard]] std::string company(const Engine& engine, std::string_view user, std::string_view company);
/// `comments_view` as JSON text.
[[nodiscard]] std::string comments(const Engine& engine, std::string_view user, std::string_view record);
/// `personnel_settings_view` as JSON text.
[[nodiscard]] std::string personnel_settings(const Engine& engine, std::string_view user,
                                             std::string_view site);

// ---- Access questions (calm/queries.hpp) ----

/// `who_can` of a request `{ action, site?, resource? }` given as JSON text (at
/// most `input_limit(Input::question)` bytes; malformed or larger text, or a
/// request with `user` -> `{ ok: false, errors }`; a request of a malformed
/// shape -> the `invalid-request` decision), as JSON text; the value echoes the
/// request as `request`.
[[nodiscard]] std::string who_can(const Engine& engine, std::string_view request_text);
/// `sites_where` as JSON text.
[[nodiscard]] std::string sites_where(const Engine& engine, std::string_view user, std::string_view action);
/// `viewer_snapshot` as JSON text: `options_text` is empty or a JSON object
/// `{ revision?, issuedAt? }` (a malformed option is an error naming its path).
[[nodiscard]] std::string viewer_snapshot(const Engine& engine, std::string_view user,
                                          std::string_view options_text);
/// `what_if` of a change given as JSON text, as `who_can` reads it.
[[nodiscard]] std::string what_if(const Engine& engine, std::string_view editor,
                                  std::string_view change_text);

}  // namespace calm::ffi
