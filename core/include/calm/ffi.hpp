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

#include <nlohmann/json.hpp>
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
/// `what_if` of a change given as JSON text, as `who_can` reads it.
[[nodiscard]] std::string what_if(const Engine& engine, std::string_view editor,
                                  std::string_view change_text);

}  // namespace calm::ffi
