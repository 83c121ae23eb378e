#pragma once
/// \file
/// Small helpers shared by the corpus, access-rule and snapshot tests: reading
/// files under the source tree and loading engines from JSON values.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "calm/access.hpp"
#include "calm/ffi.hpp"

namespace calm::test {

/// The repository root (from the `CALM_SOURCE_DIR` definition of the build).
inline std::filesystem::path source_dir() {
#ifdef CALM_SOURCE_DIR
  return std::filesystem::path(CALM_SOURCE_DIR);
#else
  return std::filesystem::current_path();
#endif
}

/// The whole content of `path`, or an empty string when it cannot be read.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// A file of `tests/fixtures/`.
inline std::string fixture(std::string_view name) {
  return read_text(source_dir() / "tests" / "fixtures" / std::string(name));
}

/// A file of `tests/fixtures/` parsed; a parse failure is a test failure (and null).
inline nlohmann::json fixture_json(std::string_view name) {
  const nlohmann::json doc = nlohmann::json::parse(fixture(name), nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << "tests/fixtures/" << name << " must be JSON";
  return doc.is_discarded() ? nlohmann::json() : doc;
}

/// Renders load errors for a failure message.
inline std::string describe(const std::vector<Error>& errors) {
  std::string text;
  for (const Error& e : errors) {
    text += e.code + " at '" + e.path + "': " + e.message + "\n";
  }
  return text;
}

/// whoCan of a request given as a JSON value, asked through the JSON layer
/// (`calm::ffi::who_can`), its answer as a JSON value.
inline nlohmann::json who_can(const Engine& engine, const nlohmann::json& request) {
  return nlohmann::json::parse(ffi::who_can(engine, request.dump()));
}

/// Loads `snapshot` into `engine`; a failed load is a test failure.
inline void load_ok(Engine& engine, const nlohmann::json& snapshot) {
  const std::vector<Error> errors = engine.load(snapshot.dump());
  ASSERT_TRUE(errors.empty()) << describe(errors);
}

/// A decision for a request written as JSON.
inline Decision decide(const Engine& engine, const nlohmann::json& request) {
  return calm::ffi::decide_value(engine, request);
}

/// The reason code of a decision as its stable string.
inline std::string code_of(const Decision& decision) { return std::string(code_name(decision.code)); }

/// The code of a verdict as its stable string.
inline std::string code_of(const Verdict& verdict) { return std::string(code_name(verdict.code)); }

/// The P17 denial message, exactly.
inline constexpr std::string_view kP17Message =
    "You don't have permission to view personnel settings. Please contact your administrator.";

}  // namespace calm::test
