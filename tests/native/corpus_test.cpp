// Runs every case of tests/corpus/*.json against the engine: the snapshot of
// each file must load, and `decide_json` must give the expected decision.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "calm/access.hpp"
#include "test_util.hpp"

namespace {

using nlohmann::json;

struct CorpusCase {
  std::string file;  // file stem, e.g. "roles"
  std::size_t index = 0;
  std::string name;
  json rules;
  json request;
  json expect;
};

struct CorpusFile {
  std::string stem;
  json document;  // discarded when it does not parse
  bool parsed = false;
};

std::filesystem::path corpus_dir() { return calm::test::source_dir() / "tests" / "corpus"; }

const std::vector<CorpusFile>& corpus_files() {
  static const std::vector<CorpusFile> files = [] {
    std::vector<CorpusFile> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(corpus_dir(), ec)) {
      if (entry.path().extension() != ".json") continue;
      CorpusFile file;
      file.stem = entry.path().stem().string();
      file.document = json::parse(calm::test::read_text(entry.path()), nullptr, false);
      file.parsed = !file.document.is_discarded() && file.document.is_object();
      out.push_back(std::move(file));
    }
    std::sort(out.begin(), out.end(),
              [](const CorpusFile& a, const CorpusFile& b) { return a.stem < b.stem; });
    return out;
  }();
  return files;
}

std::vector<CorpusCase> all_cases() {
  std::vector<CorpusCase> cases;
  for (const CorpusFile& file : corpus_files()) {
    if (!file.parsed || !file.document.contains("cases") || !file.document["cases"].is_array()) continue;
    const json& list = file.document["cases"];
    for (std::size_t i = 0; i < list.size(); ++i) {
      const json& c = list[i];
      CorpusCase out;
      out.file = file.stem;
      out.index = i;
      out.name = c.value("name", std::string("unnamed"));
      out.rules = c.value("rules", json::array());
      out.request = c.contains("request") ? c["request"] : json();
      out.expect = c.value("expect", json::object());
      cases.push_back(std::move(out));
    }
  }
  return cases;
}

/// One engine per corpus file, loaded on first use.
const calm::Engine* engine_for(const std::string& stem, std::string* error) {
  static std::map<std::string, std::unique_ptr<calm::Engine>> engines;
  static std::map<std::string, std::string> failures;
  if (auto it = engines.find(stem); it != engines.end()) return it->second.get();
  if (auto it = failures.find(stem); it != failures.end()) {
    *error = it->second;
    return nullptr;
  }
  for (const CorpusFile& file : corpus_files()) {
    if (file.stem != stem) continue;
    auto engine = std::make_unique<calm::Engine>();
    const json answer = json::parse(calm::ffi::load(*engine, file.document.at("snapshot").dump()), nullptr, false);
    if (answer.is_discarded() || !answer.value("ok", false)) {
      failures[stem] = "snapshot of " + stem + ".json did not load: " + answer.dump();
      *error = failures[stem];
      return nullptr;
    }
    return (engines[stem] = std::move(engine)).get();
  }
  *error = "no corpus file " + stem;
  return nullptr;
}

std::string test_name(const testing::TestParamInfo<CorpusCase>& info) {
  std::string name = info.param.file + "_" + std::to_string(info.param.index) + "_";
  for (char ch : info.param.name) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      name += ch;
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
    if (name.size() >= 110) break;
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name;
}

// Printed instead of the bytes of the struct when a case fails.
void PrintTo(const CorpusCase& c, std::ostream* os) {
  *os << c.file << ".json #" << c.index << " \"" << c.name << "\"";
}

class Corpus : public testing::TestWithParam<CorpusCase> {};

TEST_P(Corpus, DecisionMatchesExpectation) {
  const CorpusCase& c = GetParam();
  SCOPED_TRACE(c.file + ".json case " + std::to_string(c.index) + ": " + c.name + "  rules " +
               c.rules.dump() + "\n  request " + c.request.dump());
  ASSERT_TRUE(c.rules.is_array() && !c.rules.empty()) << "every case names the rules it covers";
  ASSERT_TRUE(c.expect.contains("allowed") && c.expect.contains("code")) << "expect needs allowed and code";

  std::string error;
  const calm::Engine* engine = engine_for(c.file, &error);
  ASSERT_NE(engine, nullptr) << error;

  const std::string answer_text = calm::ffi::decide(*engine, c.request.dump());
  const json answer = json::parse(answer_text, nullptr, false);
  ASSERT_FALSE(answer.is_discarded()) << "decide_json returned no JSON: " << answer_text;
  ASSERT_TRUE(answer.is_object()) << answer_text;

  EXPECT_EQ(answer.value("code", std::string("<none>")), c.expect["code"].get<std::string>()) << answer_text;
  EXPECT_EQ(answer.value("allowed", !c.expect["allowed"].get<bool>()), c.expect["allowed"].get<bool>())
      << answer_text;
  if (c.expect.contains("message")) {
    EXPECT_EQ(answer.value("message", std::string("<none>")), c.expect["message"].get<std::string>())
        << answer_text;
  }
  // Every answer has the section 8 shape, and allowed agrees with the code.
  EXPECT_TRUE(answer.contains("message") && answer["message"].is_string()) << answer_text;
  EXPECT_TRUE(answer.contains("requires") && answer["requires"].is_object()) << answer_text;
  EXPECT_EQ(answer.value("allowed", false), answer.value("code", std::string()) == "allowed") << answer_text;

  // The JSON-value entry point gives the same decision.
  const calm::Decision direct = calm::ffi::decide_value(*engine, c.request);
  EXPECT_EQ(std::string(calm::code_name(direct.code)), answer.value("code", std::string()));
  EXPECT_EQ(direct.allowed, answer.value("allowed", !direct.allowed));
  // The text is written directly (no second document): the same bytes as the
  // decision's JSON value dumped by nlohmann.
  EXPECT_EQ(answer_text, direct.to_json().dump(-1, ' ', false, json::error_handler_t::replace));
}

INSTANTIATE_TEST_SUITE_P(Cases, Corpus, testing::ValuesIn(all_cases()), test_name);

TEST(CorpusFiles, TheCorpusHasCases) {
  ASSERT_FALSE(corpus_files().empty()) << "no tests/corpus/*.json under " << corpus_dir();
  EXPECT_GE(all_cases().size(), 250u);
}

TEST(CorpusFiles, EveryFileParsesAndItsSnapshotLoads) {
  for (const CorpusFile& file : corpus_files()) {
    SCOPED_TRACE(file.stem + ".json");
    ASSERT_TRUE(file.parsed) << "not a JSON object";
    EXPECT_TRUE(file.document.contains("description") && file.document["description"].is_string());
    ASSERT_TRUE(file.document.contains("snapshot"));
    ASSERT_TRUE(file.document.contains("cases") && file.document["cases"].is_array());
    EXPECT_FALSE(file.document["cases"].empty());
    std::string error;
    EXPECT_NE(engine_for(file.stem, &error), nullptr) << error;
  }
}

TEST(CorpusFiles, CaseNamesAreUniqueWithinAFile) {
  for (const CorpusFile& file : corpus_files()) {
    if (!file.parsed) continue;
    std::vector<std::string> names;
    for (const json& c : file.document.value("cases", json::array()))
      names.push_back(c.value("name", std::string()));
    std::sort(names.begin(), names.end());
    EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end())
        << file.stem << ".json repeats a case name";
  }
}

}  // namespace
