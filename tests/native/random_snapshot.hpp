#pragma once
/// \file
/// Seeded random snapshots and decision requests for the differential and
/// property tests. Snapshots are valid by SNAPSHOT.md (they must load);
/// requests are mostly well formed but include every kind of malformation
/// section 11 of ACCESS.md names.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference.hpp"

namespace calm_test {

using nlohmann::json;

/// Small helpers over a seeded engine.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  /// Uniform in [0, n); n must be > 0.
  std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(engine_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(engine_); }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

inline const std::vector<std::string>& role_names() {
  static const std::vector<std::string> roles = {"none", "member", "manager", "admin"};
  return roles;
}

/// Ids of collection `prefix`, sometimes at the 128-byte limit or with
/// multi-byte UTF-8, to exercise the byte-length rule.
inline std::string make_id(Rng& rng, const std::string& prefix, std::size_t i) {
  std::string id = prefix + std::to_string(i);
  if (rng.chance(0.04)) {
    id += "-";
    id.resize(128, 'z');  // exactly 128 bytes: still an id
  } else if (rng.chance(0.03)) {
    id += "-";
    while (id.size() + 2 <= 128) id += "\xC3\xA9";  // "é" (2 bytes) up to the limit
    id.resize(128, 'z');                            // 128 bytes, far fewer characters
  } else if (rng.chance(0.05)) {
    id += "-\xC3\xBC\xE2\x82\xAC";  // "-ü€": multi-byte UTF-8
  }
  return id;
}

/// A valid random snapshot (SNAPSHOT.md version 1).
inline json random_snapshot(Rng& rng) {
  // Half the time every collection shares one id space, so that a lookup in
  // the wrong collection would find something.
  const bool shared = rng.chance(0.3);
  auto prefix = [&](const char* own) { return shared ? std::string("x") : std::string(own); };

  json snap = json::object();
  snap["version"] = 1;

  // Sites: a forest of depth <= 5, listed in random order.
  const std::size_t site_count = 1 + rng.below(14);
  std::vector<std::string> site_ids;
  std::vector<int> depth;
  json sites = json::array();
  for (std::size_t i = 0; i < site_count; ++i) {
    json site = {{"id", make_id(rng, prefix("s"), i)}, {"name", "Site " + std::to_string(i)}};
    int d = 0;
    if (i > 0 && rng.chance(0.75)) {
      std::vector<std::size_t> candidates;
      for (std::size_t j = 0; j < i; ++j) {
        if (depth[j] < 4) candidates.push_back(j);
      }
      if (!candidates.empty()) {
        const std::size_t p = rng.pick(candidates);
        site["parent"] = site_ids[p];
        d = depth[p] + 1;
      }
    }
    site_ids.push_back(site["id"].get<std::string>());
    depth.push_back(d);
    sites.push_back(std::move(site));
  }
  std::shuffle(sites.begin(), sites.end(), rng.engine());
  snap["sites"] = sites;

  // Users and owners.
  const std::size_t user_count = 1 + rng.below(8);
  std::vector<std::string> user_ids;
  json users = json::array();
  for (std::size_t i = 0; i < user_count; ++i) {
    user_ids.push_back(make_id(rng, prefix("u"), i + 100));
    users.push_back({{"id", user_ids.back()}, {"name", "User " + std::to_string(i)},
                     {"email", "u" + std::to_string(i) + "@example.com"}});
  }
  snap["users"] = users;

  json entitlements = json::array();
  if (rng.chance(0.8)) entitlements.push_back("personnel");
  if (rng.chance(0.7)) entitlements.push_back("premises");
  if (rng.chance(0.6)) entitlements.push_back("documents");
  if (rng.chance(0.3)) entitlements.push_back("operations");
  if (rng.chance(0.1)) entitlements.push_back("site");
  std::shuffle(entitlements.begin(), entitlements.end(), rng.engine());
  json owners = json::array();
  for (const std::string& u : user_ids) {
    if (rng.chance(0.12)) owners.push_back(u);
  }
  snap["organisation"] = {{"id", "org-1"}, {"name", "Acme"}, {"entitlements", entitlements}, {"owners", owners}};

  // Grants: every role, cascade true / false / absent, entitled or not.
  static const std::vector<std::string> grant_modules = {"site", "site", "personnel", "personnel", "personnel",
                                                         "premises", "premises", "documents", "risks"};
  json grants = json::array();
  for (const std::string& u : user_ids) {
    const std::size_t k = rng.below(6);
    for (std::size_t j = 0; j < k; ++j) {
      json g = {{"user", u}, {"site", rng.pick(site_ids)}, {"module", rng.pick(grant_modules)},
                {"role", rng.pick(role_names())}};
      const std::size_t c = rng.below(10);
      if (c < 3) g["includeChildSites"] = true;
      else if (c < 5) g["includeChildSites"] = false;
      grants.push_back(std::move(g));
    }
  }
  std::shuffle(grants.begin(), grants.end(), rng.engine());
  snap["grants"] = grants;

  // Groups and templates (templates may name modules nothing else names).
  if (rng.chance(0.5)) {
    json groups = json::array();
    const std::size_t n = 1 + rng.below(2);
    for (std::size_t i = 0; i < n; ++i) {
      json members = json::array();
      for (const std::string& u : user_ids) {
        if (rng.chance(0.4)) members.push_back(u);
      }
      groups.push_back({{"id", prefix("g") + std::to_string(i + 300)}, {"name", "Group"},
                        {"site", rng.pick(site_ids)}, {"members", members}});
    }
    snap["groups"] = groups;
  }
  if (rng.chance(0.5)) {
    static const std::vector<std::string> template_modules = {"site", "personnel", "premises", "forms", "documents"};
    json templates = json::array();
    const std::size_t n = 1 + rng.below(2);
    for (std::size_t i = 0; i < n; ++i) {
      json roles = json::object();
      for (const std::string& m : template_modules) {
        if (rng.chance(0.4)) roles[m] = rng.pick(role_names());
      }
      templates.push_back({{"id", prefix("t") + std::to_string(i + 400)}, {"name", "Template"}, {"roles", roles}});
    }
    snap["templates"] = templates;
  }

  // Settings and integrations, per site, never inherited.
  json settings = json::object();
  json integrations = json::object();
  for (const std::string& s : site_ids) {
    if (rng.chance(0.5)) {
      json personnel = json::object();
      if (rng.chance(0.85)) personnel["restrictCommentViewing"] = rng.chance(0.65);
      if (rng.chance(0.3)) personnel["autoCreateRecords"] = rng.chance(0.5);
      settings[s] = {{"personnel", personnel}};
    }
    if (rng.chance(0.45)) {
      json ihasco = json::object();
      if (rng.chance(0.9)) ihasco["connected"] = rng.chance(0.6);
      integrations[s] = {{"ihasco", ihasco}};
    }
  }
  if (!settings.empty() || rng.chance(0.5)) snap["settings"] = settings;
  if (!integrations.empty() || rng.chance(0.5)) snap["integrations"] = integrations;

  // Training: courses (calm / ihasco, every status), assignments, fulfillments.
  static const std::vector<std::string> course_statuses = {"draft", "published", "archived"};
  static const std::vector<std::string> fulfillment_statuses = {"not_started", "in_progress", "completed", "withdrawn"};
  json courses = json::array();
  std::vector<std::string> course_ids;
  const std::size_t course_count = rng.below(9);
  for (std::size_t i = 0; i < course_count; ++i) {
    course_ids.push_back(make_id(rng, prefix("c"), i + 500));
    json c = {{"id", course_ids.back()}, {"site", rng.pick(site_ids)}, {"title", "Course"},
              {"status", rng.pick(course_statuses)}, {"steps", json::array()}};
    if (rng.chance(0.35)) {
      c["source"] = "ihasco";
      c["externalId"] = "ext-" + std::to_string(i);
    } else {
      c["source"] = "calm";
    }
    courses.push_back(std::move(c));
  }
  json assignments = json::array();
  json fulfillments = json::array();
  if (!course_ids.empty()) {
    std::vector<json> assignment_of(course_ids.size());
    const std::size_t n = rng.below(14);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t ci = rng.below(course_ids.size());
      const std::string& u = rng.pick(user_ids);
      json f = {{"id", make_id(rng, prefix("f"), i + 600)}, {"course", course_ids[ci]}, {"user", u},
                {"status", rng.pick(fulfillment_statuses)}};
      if (rng.chance(0.6)) {
        if (assignment_of[ci].is_null()) {
          assignment_of[ci] = {{"id", prefix("a") + std::to_string(ci + 700)}, {"course", course_ids[ci]},
                               {"people", json::array()}, {"groups", json::array()}};
        }
        assignment_of[ci]["people"].push_back(u);
        f["assignment"] = assignment_of[ci]["id"];
      }
      fulfillments.push_back(std::move(f));
    }
    for (json& a : assignment_of) {
      if (!a.is_null()) assignments.push_back(std::move(a));
    }
  }
  if (!courses.empty() || rng.chance(0.5)) {
    snap["training"] = {{"courses", courses}, {"assignments", assignments}, {"fulfillments", fulfillments}};
  }

  // Personnel: companies, records with blocks, comments with replies.
  static const std::vector<std::string> block_types = {"employment", "emergency-contact", "qualification", "dbs",
                                                       "right-to-work", "financial", "identity", "other"};
  json companies = json::array();
  std::vector<std::string> company_ids;
  const std::size_t company_count = rng.below(5);
  for (std::size_t i = 0; i < company_count; ++i) {
    company_ids.push_back(make_id(rng, prefix("co"), i + 800));
    companies.push_back({{"id", company_ids.back()}, {"site", rng.pick(site_ids)}, {"name", "Company"},
                         {"details", json::object()}, {"contacts", json::array()}});
  }
  json records = json::array();
  std::vector<std::string> record_ids;
  const std::size_t record_count = rng.below(8);
  for (std::size_t i = 0; i < record_count; ++i) {
    record_ids.push_back(make_id(rng, prefix("r"), i + 900));
    json r = {{"id", record_ids.back()}, {"site", rng.pick(site_ids)}, {"name", "Person"},
              {"files", json::array()}, {"companies", json::array()}};
    if (rng.chance(0.5)) r["user"] = rng.pick(user_ids);
    json blocks = json::array();
    const std::size_t b = rng.below(5);
    for (std::size_t j = 0; j < b; ++j) {
      // Block ids repeat across records on purpose: a block is found per record.
      json block = {{"id", "b" + std::to_string(j)}, {"type", rng.pick(block_types)}, {"title", "Block"},
                    {"data", json::object()}};
      const std::size_t s = rng.below(10);
      if (s < 3) block["sensitive"] = true;
      else if (s < 6) block["sensitive"] = false;
      blocks.push_back(std::move(block));
    }
    r["blocks"] = blocks;
    for (const std::string& co : company_ids) {
      if (rng.chance(0.3)) r["companies"].push_back(co);
    }
    records.push_back(std::move(r));
  }
  json comments = json::array();
  if (!record_ids.empty()) {
    const std::size_t n = rng.below(12);
    for (std::size_t i = 0; i < n; ++i) {
      json c = {{"id", make_id(rng, prefix("m"), i + 1000)}, {"author", rng.pick(user_ids)}, {"body", "text"},
                {"createdAt", "2026-01-01T00:00:00Z"}};
      if (!comments.empty() && rng.chance(0.4)) {
        const json& parent = comments[rng.below(comments.size())];
        c["parent"] = parent["id"];
        c["record"] = parent["record"];  // a reply stays on its thread's record
      } else {
        c["record"] = rng.pick(record_ids);
      }
      comments.push_back(std::move(c));
    }
  }
  if (!records.empty() || !companies.empty() || rng.chance(0.5)) {
    snap["personnel"] = {{"records", records}, {"companies", companies}, {"comments", comments}};
  }
  return snap;
}

// ---- Requests ---------------------------------------------------------------

namespace detail {

inline const json& array_at(const json& snap, const char* a, const char* b) {
  static const json empty = json::array();
  if (!snap.contains(a) || !snap[a].contains(b)) return empty;
  return snap[a][b];
}

inline std::vector<const json*> items_where(const json& array, const std::function<bool(const json&)>& keep) {
  std::vector<const json*> out;
  for (const json& item : array) {
    if (keep(item)) out.push_back(&item);
  }
  return out;
}

/// A value that is not an id (section 11 step 1), or a valid but unknown id.
inline json bad_id(Rng& rng) {
  switch (rng.below(9)) {
    case 8: {
      std::string euro;
      for (int i = 0; i < 43; ++i) euro += "\xE2\x82\xAC";  // 43 characters, 129 bytes: not an id
      return euro;
    }
    case 0: return "";
    case 1: return std::string(129, 'q');
    case 2: return 7;
    case 3: return nullptr;
    case 4: return true;
    case 5: return json::array({"x"});
    case 6: return json::object({{"id", "x"}});
    default: return std::string(128, 'q');  // an id, but unknown
  }
}

inline std::string site_in(const json& array, const json& id) {
  for (const json& item : array) {
    if (item["id"] == id) return item["site"].get<std::string>();
  }
  return {};
}

inline std::string site_of_record(const json& snap, const std::string& record) {
  return site_in(array_at(snap, "personnel", "records"), record);
}

/// The site of the first resource key that resolves, or "".
inline std::string resource_site(const json& snap, const json& resource) {
  const json& courses = array_at(snap, "training", "courses");
  const json& records = array_at(snap, "personnel", "records");
  std::string site;
  auto take = [&](const std::string& s) {
    if (site.empty()) site = s;
  };
  if (resource.contains("course")) take(site_in(courses, resource["course"]));
  if (resource.contains("fulfillment")) {
    for (const json& f : array_at(snap, "training", "fulfillments")) {
      if (f["id"] == resource["fulfillment"]) take(site_in(courses, f["course"]));
    }
  }
  if (resource.contains("record")) take(site_in(records, resource["record"]));
  if (resource.contains("block") && resource["block"].is_object() && resource["block"].contains("record")) {
    take(site_in(records, resource["block"]["record"]));
  }
  if (resource.contains("thread")) {
    for (const json& c : array_at(snap, "personnel", "comments")) {
      if (c["id"] == resource["thread"]) take(site_in(records, c["record"]));
    }
  }
  if (resource.contains("company")) take(site_in(array_at(snap, "personnel", "companies"), resource["company"]));
  return site;
}

}  // namespace detail

/// A random request against `snap`: mostly well formed, sometimes not.
inline json random_request(const json& snap, Rng& rng) {
  using detail::array_at;
  using detail::bad_id;
  using detail::items_where;

  if (rng.chance(0.015)) {
    static const std::vector<json> junk = {nullptr, 42, "training.course.view", json::array(), true,
                                           json::object()};
    return rng.pick(junk);
  }

  const json& sites = snap["sites"];
  const json& users = snap["users"];
  const json& grants = snap["grants"];
  const json& owners = snap["organisation"]["owners"];

  json request = json::object();
  std::string action;
  if (rng.chance(0.05)) {
    static const std::vector<std::string> unknown = {"training.course.fly", "", "site.update ", "Users.view",
                                                     "personnel.record"};
    action = rng.pick(unknown);
  } else {
    action = rng.pick(calm_ref::action_ids());
  }

  // Focus site and actor: often a user who holds a grant at the focus site,
  // preferably for the module the action is about.
  const std::string module = action.rfind("training.", 0) == 0 || action.rfind("personnel.", 0) == 0
                                 ? "personnel"
                                 : "site";
  std::string site = sites[rng.below(sites.size())]["id"].get<std::string>();
  std::string actor = users[rng.below(users.size())]["id"].get<std::string>();
  const double r = static_cast<double>(rng.below(100)) / 100.0;
  if (r < 0.12 && !owners.empty()) {
    actor = owners[rng.below(owners.size())].get<std::string>();
  } else if (r < 0.75 && !grants.empty()) {
    auto relevant = items_where(grants, [&](const json& g) { return g["module"] == module; });
    const json& g = !relevant.empty() && rng.chance(0.6) ? *relevant[rng.below(relevant.size())]
                                                         : grants[rng.below(grants.size())];
    actor = g["user"].get<std::string>();
    if (rng.chance(0.6)) site = g["site"].get<std::string>();
  }
  // T5 and P6 depend on the actor being exactly a personnel member: often
  // pick such an actor at the site of a thread or course.
  if ((action == "personnel.comment.view" || action == "training.course.view") && rng.chance(0.6)) {
    const bool threads = action == "personnel.comment.view";
    std::vector<std::string> candidate_sites;
    if (threads) {
      for (const json& c : array_at(snap, "personnel", "comments")) {
        if (!c.contains("parent")) candidate_sites.push_back(detail::site_of_record(snap, c["record"].get<std::string>()));
      }
    } else {
      for (const json& c : array_at(snap, "training", "courses")) candidate_sites.push_back(c["site"].get<std::string>());
    }
    if (!candidate_sites.empty()) {
      site = rng.pick(candidate_sites);
      auto members = items_where(grants, [&](const json& g) {
        return g["module"] == "personnel" && g["role"] == "member" && g["site"] == site;
      });
      if (!members.empty()) actor = (*members[rng.below(members.size())])["user"].get<std::string>();
    }
  }

  // Actor field: mostly known, sometimes unknown or malformed.
  const std::size_t ua = rng.below(100);
  if (ua == 0) {
    // no user
  } else if (ua == 1) {
    request["user"] = 12;
  } else if (ua == 2) {
    request["user"] = "nobody";
  } else if (ua == 3) {
    request["user"] = nullptr;
  } else if (ua == 4) {
    request["user"] = "";
  } else if (ua == 5) {
    request["user"] = std::string(129, 'q');
  } else if (ua == 6) {
    request["user"] = std::string(128, 'q');  // an id, but unknown
  } else {
    request["user"] = actor;
  }
  if (!rng.chance(0.01)) request["action"] = action;
  if (rng.chance(0.005)) request["action"] = 3;

  // Resource keys.
  const std::optional<calm_ref::ActionKeys> keys = calm_ref::action_keys(action);
  std::vector<std::string> chosen;
  if (keys) {
    for (const std::string& k : keys->required) {
      if (!rng.chance(0.03)) chosen.push_back(k);
    }
    for (const std::string& k : keys->optional) {
      if (rng.chance(0.5)) chosen.push_back(k);
    }
  }
  if (rng.chance(0.04)) {
    static const std::vector<std::string> any_key = {"course", "fulfillment", "record", "block", "thread",
                                                     "company", "target", "module", "role", "foo", "site"};
    const std::string& extra = rng.pick(any_key);
    if (std::find(chosen.begin(), chosen.end(), extra) == chosen.end()) chosen.push_back(extra);
  }

  auto at_site = [&](const json& array, const char* site_key) {
    auto here = items_where(array, [&](const json& item) { return item.contains(site_key) && item[site_key] == site; });
    return here;
  };
  auto choose = [&](const json& array, const std::vector<const json*>& preferred) -> json {
    const std::size_t p = rng.below(100);
    if (p < 5) return bad_id(rng);
    if (p < 9) return "missing-" + std::to_string(rng.below(3));
    if (p < 11 && !array.empty()) {
      // A near miss of a known id: ids are compared exactly, never normalised.
      std::string id = array[rng.below(array.size())]["id"].get<std::string>();
      if (rng.chance(0.5)) id += " ";
      else id[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(id[0])));
      return id;
    }
    if (!preferred.empty() && p < 75) return (*preferred[rng.below(preferred.size())])["id"];
    if (!array.empty()) return array[rng.below(array.size())]["id"];
    return "missing-9";
  };

  const json& courses = array_at(snap, "training", "courses");
  const json& fulfillments = array_at(snap, "training", "fulfillments");
  const json& records = array_at(snap, "personnel", "records");
  const json& companies = array_at(snap, "personnel", "companies");
  const json& comments = array_at(snap, "personnel", "comments");

  json resource = json::object();
  std::string block_record;
  for (const std::string& k : chosen) {
    if (k == "course") {
      resource[k] = choose(courses, at_site(courses, "site"));
    } else if (k == "fulfillment") {
      resource[k] = choose(fulfillments, items_where(fulfillments, [&](const json& f) { return f["user"] == actor; }));
    } else if (k == "record") {
      resource[k] = choose(records, at_site(records, "site"));
    } else if (k == "block") {
      const std::size_t p = rng.below(100);
      std::vector<const json*> with_blocks =
          items_where(records, [&](const json& rec) { return !rec["blocks"].empty(); });
      if (p < 4) {
        resource[k] = rng.chance(0.5) ? json("b0") : json::object({{"record", bad_id(rng)}, {"block", "b0"}});
      } else if (p == 4 && !with_blocks.empty()) {
        const json& rec = *with_blocks[rng.below(with_blocks.size())];
        resource[k] = {{"record", rec["id"]}, {"block", rec["blocks"][0]["id"]}, {"note", "extra"}};
      } else if (p < 7) {
        resource[k] = json::object({{"record", records.empty() ? json("r") : records[0]["id"]}});
      } else if (with_blocks.empty() || p < 12) {
        resource[k] = {{"record", records.empty() ? json("missing-r") : records[rng.below(records.size())]["id"]},
                       {"block", rng.chance(0.5) ? "b9" : "b0"}};
      } else {
        auto here = items_where(records, [&](const json& rec) { return !rec["blocks"].empty() && rec["site"] == site; });
        const json& rec = here.empty() || rng.chance(0.2) ? *with_blocks[rng.below(with_blocks.size())]
                                                          : *here[rng.below(here.size())];
        resource[k] = {{"record", rec["id"]}, {"block", rec["blocks"][rng.below(rec["blocks"].size())]["id"]}};
      }
      if (resource[k].is_object() && resource[k].contains("record") && resource[k]["record"].is_string()) {
        block_record = resource[k]["record"].get<std::string>();
      }
    } else if (k == "thread") {
      auto roots = items_where(comments, [&](const json& c) {
        return !c.contains("parent") && detail::site_of_record(snap, c["record"].get<std::string>()) == site;
      });
      resource[k] = choose(comments, roots);
    } else if (k == "company") {
      resource[k] = choose(companies, at_site(companies, "site"));
    } else if (k == "target") {
      resource[k] = choose(users, {});
    } else if (k == "module") {
      static const std::vector<std::string> modules = {"site", "personnel", "premises", "documents", "risks",
                                                       "forms", "operations", "bogus"};
      resource[k] = rng.chance(0.04) ? bad_id(rng) : json(rng.pick(modules));
    } else if (k == "role") {
      static const std::vector<json> bad_roles = {"owner", "Admin", 3, nullptr, ""};
      resource[k] = rng.chance(0.06) ? rng.pick(bad_roles) : json(rng.pick(role_names()));
    } else {
      resource[k] = rng.chance(0.5) ? json("x") : json(1);
    }
  }
  // A record beside a block: usually the same record, sometimes another.
  if (!block_record.empty() && resource.contains("record") && rng.chance(0.8)) resource["record"] = block_record;

  if (rng.chance(0.01)) {
    request["resource"] = rng.chance(0.5) ? json("r0") : json::array();
  } else if (!resource.empty() || rng.chance(0.5)) {
    request["resource"] = resource;
  }

  // Site: given (usually the focus site, or the resource's), left out,
  // another, unknown, malformed.
  const std::size_t s = rng.below(100);
  const bool has_resource = !resource.empty();
  if (has_resource && rng.chance(0.8)) {
    const std::string from_resource = detail::resource_site(snap, resource);
    if (!from_resource.empty()) site = from_resource;
  }
  if (has_resource ? s < 55 : s < 90) {
    request["site"] = site;
  } else if (has_resource ? s < 88 : s < 93) {
    // left out
  } else if (s < 95) {
    request["site"] = sites[rng.below(sites.size())]["id"];
  } else if (s < 97) {
    request["site"] = "nowhere";
  } else {
    request["site"] = bad_id(rng);
  }
  // Unknown top-level members make the request invalid (section 11 step 1).
  if (rng.chance(0.01)) request["note"] = rng.chance(0.5) ? json(1) : json("x");
  return request;
}

}  // namespace calm_test

namespace calm_test {

/// Adds to a `random_snapshot` what viewer snapshots cut (SERVER.md V4):
/// block data, files, assets, company details, sensitive data and contacts,
/// assessments with answer keys, attempts, results, integration mappings and
/// settings notifications. Every value a viewer may not be given is a
/// distinct planted secret `SECRET-<kind>-<n>`, so that a leak can be found
/// by searching the serialized viewer snapshot.
inline void add_viewer_data(json& snap, Rng& rng) {
  int n = 0;
  auto secret = [&](const std::string& kind) { return "SECRET-" + kind + "-" + std::to_string(++n); };
  for (json& u : snap["users"]) u["email"] = secret("email") + "@example.com";
  if (!snap.contains("training")) snap["training"] = {{"courses", json::array()}, {"fulfillments", json::array()}};
  json& training = snap["training"];
  // Assessments with answer keys on some courses.
  for (json& c : training["courses"]) {
    json steps = json::array({{{"id", "st-read"}, {"type", "content"}, {"title", "Read"}, {"body", "text"}}});
    if (rng.chance(0.7)) {
      json questions = json::array();
      const std::size_t q = 1 + rng.below(3);
      for (std::size_t i = 0; i < q; ++i) {
        const bool multiple = rng.chance(0.3);
        json correct = multiple ? json::array({"o1", "o2"}) : json::array({rng.chance(0.5) ? "o1" : "o2"});
        questions.push_back({{"id", "q" + std::to_string(i)},
                             {"text", "Question"},
                             {"kind", multiple ? "multiple" : "single"},
                             {"options", json::array({{{"id", "o1"}, {"text", "A"}},
                                                      {{"id", "o2"}, {"text", "B"}},
                                                      {{"id", "o3"}, {"text", "C"}}})},
                             {"correct", correct}});
      }
      steps.push_back({{"id", "st-quiz"},
                       {"type", "assessment"},
                       {"title", "Quiz"},
                       {"assessment", {{"passMark", 50}, {"maxAttempts", 0}, {"questions", questions}}}});
    }
    c["steps"] = steps;
    if (rng.chance(0.1)) c["deleted"] = true;
  }
  // Attempts on fulfillments of courses with an assessment, some pending.
  json attempts = json::array();
  for (const json& f : training.value("fulfillments", json::array())) {
    const json* course = nullptr;
    for (const json& c : training["courses"])
      if (c["id"] == f["course"]) course = &c;
    if (course == nullptr || (*course)["steps"].size() < 2 || !rng.chance(0.6)) continue;
    json answers = json::object();
    for (const json& q : (*course)["steps"][1]["assessment"]["questions"]) answers[q["id"].get<std::string>()] = {"o1"};
    json a = {{"id", "at-" + std::to_string(attempts.size())}, {"fulfillment", f["id"]}, {"step", "st-quiz"},
              {"answers", answers}, {"at", "2026-01-02T00:00:00Z"}};
    if (rng.chance(0.3)) {
      a["status"] = "pending";
    } else {
      a["score"] = 50;
      a["passed"] = true;
    }
    attempts.push_back(std::move(a));
  }
  training["attempts"] = attempts;
  // Results: of courses, and free titles (their site is the person's record's).
  json results = json::array();
  const json& users = snap["users"];
  const std::size_t result_count = rng.below(8);
  for (std::size_t i = 0; i < result_count; ++i) {
    json r = {{"id", "res-" + std::to_string(i)}, {"user", users[rng.below(users.size())]["id"]},
              {"completedOn", "2026-01-0" + std::to_string(1 + rng.below(8))}, {"source", "manual"},
              {"note", secret("result")}};
    if (!training["courses"].empty() && rng.chance(0.6)) {
      r["course"] = training["courses"][rng.below(training["courses"].size())]["id"];
      r["title"] = "Course";
    } else {
      r["title"] = "Free title";
    }
    if (rng.chance(0.5)) r["expiresOn"] = rng.chance(0.5) ? "2026-01-20" : "2027-01-01";
    if (rng.chance(0.5)) r["recordedBy"] = users[rng.below(users.size())]["id"];
    results.push_back(std::move(r));
  }
  training["results"] = results;
  if (!snap.contains("personnel")) {
    snap["personnel"] = {{"records", json::array()}, {"companies", json::array()}, {"comments", json::array()}};
  }
  json& personnel = snap["personnel"];
  for (json& co : personnel["companies"]) {
    co["details"] = {{"note", secret("details")}};
    if (rng.chance(0.7)) co["sensitive"] = {{"bank", secret("sensitive")}};
    co["contacts"] = json::array({{{"id", "ct-1"}, {"name", "Contact"}, {"email", secret("contact")}}});
    if (rng.chance(0.1)) co["deleted"] = true;
  }
  for (json& r : personnel["records"]) {
    for (json& b : r["blocks"]) {
      b["data"] = {{"value", secret("block")}};
      const std::size_t k = rng.below(10);
      if (k < 2) b["revealRequired"] = true;
      else if (k < 4) b["revealRequired"] = false;
    }
    json files = json::array();
    const std::size_t f = rng.below(3);
    for (std::size_t i = 0; i < f; ++i) {
      json file = {{"id", "file-" + std::to_string(i)}, {"name", secret("file")}};
      if (rng.chance(0.5)) file["sensitive"] = true;
      files.push_back(std::move(file));
    }
    r["files"] = files;
    if (rng.chance(0.5)) r["assets"] = json::array({{{"id", "as-1"}, {"name", secret("asset")}}});
    r["email"] = secret("recordemail") + "@example.com";
    r["customFields"] = {{"badge", secret("record")}};
    if (rng.chance(0.08)) r["deleted"] = true;
  }
  for (json& c : personnel["comments"]) c["body"] = secret("comment");
  // Integration mappings and settings notifications, per site.
  if (snap.contains("integrations")) {
    for (auto& [site, value] : snap["integrations"].items()) value["ihasco"]["mapping"] = {{"field", secret("mapping")}};
  }
  if (snap.contains("settings")) {
    for (auto& [site, value] : snap["settings"].items()) value["personnel"]["notifications"] = {{"x", secret("settings")}};
  }
}

}  // namespace calm_test
