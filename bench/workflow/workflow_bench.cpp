// calm_workflow_bench: timings of the workflow commands and the views built on
// them, on snapshots this program builds itself (deterministic), plus the
// access questions of ACCESS.md section 9 on bench/data/org-large.json.
// Prints figures; asserts nothing (it does report how many commands succeeded).
//
//   calm_workflow_bench [--data DIR]
//
// Every figure has its wall time (steady_clock) and its CPU time
// (CLOCK_PROCESS_CPUTIME_ID): on a busy machine wall time grows, CPU time much less.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "calm/access.hpp"
#include "calm/ffi.hpp"
#include "calm/personnel.hpp"
#include "calm/queries.hpp"
#include "calm/training.hpp"
#include "calm/workflow.hpp"

using nlohmann::json;

namespace {

constexpr const char* kAt = "2026-11-23T09:00:00Z";
constexpr const char* kSite = "s-main";
constexpr const char* kManager = "u-mgr";
constexpr const char* kOwner = "u-owner";

// ---- clocks ----

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double wall_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Span {
  double wall = 0;
  double cpu = 0;
};

template <typename F>
Span timed(F&& f) {
  const double w0 = wall_now();
  const double c0 = cpu_now();
  f();
  return {wall_now() - w0, cpu_now() - c0};
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fmt_time(double seconds) {
  char b[32];
  if (seconds >= 1) {
    std::snprintf(b, sizeof b, "%.3f s", seconds);
  } else if (seconds >= 1e-3) {
    std::snprintf(b, sizeof b, "%.2f ms", seconds * 1e3);
  } else {
    std::snprintf(b, sizeof b, "%.2f us", seconds * 1e6);
  }
  return b;
}

// ---- the table ----

struct Row {
  std::string name;
  std::size_t count = 0;
  Span total;
  // Per-call medians when the calls were timed one by one (else per-op means are shown).
  bool has_median = false;
  Span median;
  std::string note;
};

std::vector<Row> rows;

void print_row(const Row& r) {
  const double n = static_cast<double>(std::max<std::size_t>(r.count, 1));
  const double wall_op = r.has_median ? r.median.wall : r.total.wall / n;
  const double cpu_op = r.has_median ? r.median.cpu : r.total.cpu / n;
  const double ops_wall = r.total.wall > 0 ? n / r.total.wall : 0;
  const double ops_cpu = r.total.cpu > 0 ? n / r.total.cpu : 0;
  std::printf("%-44s %7zu %11s %11s %4s %11s %11s %11.0f %11.0f  %s\n", r.name.c_str(), r.count,
              fmt_time(r.total.wall).c_str(), fmt_time(r.total.cpu).c_str(), r.has_median ? "med" : "mean",
              fmt_time(wall_op).c_str(), fmt_time(cpu_op).c_str(), ops_wall, ops_cpu, r.note.c_str());
}

void add_row(Row r) {
  print_row(r);
  std::fflush(stdout);
  rows.push_back(std::move(r));
}

void print_header() {
  std::printf("%-44s %7s %11s %11s %4s %11s %11s %11s %11s  %s\n", "measurement", "count", "wall total",
              "cpu total", "", "wall/op", "cpu/op", "ops/s wall", "ops/s cpu", "note");
}

// ---- snapshot building ----

std::string uid(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "u-%05d", i);
  return b;
}

// An org with one site `s-main` (under `s-root`), an owner, a personnel
// manager and `learners` users, each a personnel member at `s-main` with a
// personnel record there.
json base_org(int learners) {
  json org = {{"version", 1},
              {"organisation",
               {{"id", "org-wf-bench"},
                {"name", "Workflow bench"},
                {"entitlements", {"personnel"}},
                {"owners", {kOwner}}}},
              {"issuedAt", "2026-11-23T06:00:00Z"},
              {"sites", json::array({{{"id", "s-root"}, {"name", "Root"}},
                                     {{"id", kSite}, {"name", "Main"}, {"parent", "s-root"}}})}};
  json users = json::array();
  json grants = json::array();
  json records = json::array();
  users.push_back({{"id", kOwner}, {"name", "Olive Owner"}, {"email", "owner@bench.example"}});
  users.push_back({{"id", kManager}, {"name", "Mia Manager"}, {"email", "manager@bench.example"}});
  grants.push_back({{"user", kManager}, {"site", kSite}, {"module", "personnel"}, {"role", "manager"}});
  for (int i = 0; i < learners; ++i) {
    const std::string u = uid(i);
    const std::string email = "learner." + std::to_string(i) + "@bench.example";
    users.push_back({{"id", u}, {"name", "Learner " + std::to_string(i)}, {"email", email}});
    grants.push_back({{"user", u}, {"site", kSite}, {"module", "personnel"}, {"role", "member"}});
    records.push_back({{"id", "rec-" + u},
                       {"site", kSite},
                       {"user", u},
                       {"name", "Learner " + std::to_string(i)},
                       {"email", email},
                       {"status", "active"}});
  }
  org["users"] = std::move(users);
  org["grants"] = std::move(grants);
  org["groups"] = json::array();
  org["training"] = {{"courses", json::array()},
                     {"assignments", json::array()},
                     {"fulfillments", json::array()},
                     {"attempts", json::array()},
                     {"results", json::array()}};
  org["personnel"] = {{"records", std::move(records)}};
  return org;
}

json course(const std::string& id, int steps) {
  json s = json::array();
  for (int k = 0; k < steps; ++k) {
    s.push_back({{"id", "st-" + std::to_string(k)},
                 {"type", "content"},
                 {"title", "Step " + std::to_string(k)},
                 {"body", "Read this."}});
  }
  return {{"id", id},           {"site", kSite},     {"title", "Course " + id},
          {"source", "calm"},   {"status", "published"}, {"validityMonths", 12},
          {"createdBy", kManager}, {"updatedAt", "2026-01-01T09:00:00Z"}, {"steps", std::move(s)}};
}

bool load(calm::Engine& engine, const json& org, const char* what) {
  const std::string text = org.dump();
  std::vector<calm::Error> errors;
  const Span t = timed([&] { errors = engine.load(text); });
  if (!errors.empty()) {
    std::printf("!! %s: the snapshot did not load (%zu errors); first: %s %s %s\n", what, errors.size(),
                errors[0].code.c_str(), errors[0].path.c_str(), errors[0].message.c_str());
    return false;
  }
  std::printf("   (%s: snapshot %.1f MB loaded in wall %s, cpu %s)\n", what, text.size() / 1e6,
              fmt_time(t.wall).c_str(), fmt_time(t.cpu).c_str());
  return true;
}

json command(const std::string& id, const char* type, const std::string& actor) {
  return {{"id", id}, {"type", type}, {"actor", actor}, {"at", kAt}};
}

std::string first_problem(const calm::CommandResult& r) { return r.to_json().dump().substr(0, 400); }

// ---- 1. step.complete ----

void bench_step_complete() {
  constexpr int kLearners = 2000;
  constexpr int kSteps = 5;
  json org = base_org(kLearners);
  org["training"]["courses"].push_back(course("c-steps", kSteps));
  json people = json::array();
  for (int i = 0; i < kLearners; ++i) people.push_back(uid(i));
  org["training"]["assignments"].push_back({{"id", "a-steps"},
                                            {"course", "c-steps"},
                                            {"people", people},
                                            {"groups", json::array()},
                                            {"dueDate", "2026-12-31"},
                                            {"assignedBy", kManager},
                                            {"assignedAt", "2026-11-01T09:00:00Z"}});
  for (int i = 0; i < kLearners; ++i) {
    org["training"]["fulfillments"].push_back({{"id", "a-steps:" + uid(i)},
                                               {"course", "c-steps"},
                                               {"user", uid(i)},
                                               {"assignment", "a-steps"},
                                               {"status", "not_started"},
                                               {"dueDate", "2026-12-31"}});
  }
  calm::Engine engine;
  if (!load(engine, org, "step.complete org")) return;
  std::vector<json> commands;
  commands.reserve(kLearners * kSteps);
  for (int k = 0; k < kSteps; ++k) {
    for (int i = 0; i < kLearners; ++i) {
      json c = command("sc-" + std::to_string(k) + "-" + std::to_string(i), "step.complete", uid(i));
      c["fulfillment"] = "a-steps:" + uid(i);
      c["step"] = "st-" + std::to_string(k);
      commands.push_back(std::move(c));
    }
  }
  std::size_t ok = 0;
  std::string problem;
  const Span t = timed([&] {
    for (const json& c : commands) {
      calm::CommandResult r = engine.apply(c);
      if (r.ok && !r.duplicate) {
        ++ok;
      } else if (problem.empty()) {
        problem = first_problem(r);
      }
    }
  });
  Row row{"1. step.complete (2,000 learners x 5 steps)", commands.size(), t};
  row.note = std::to_string(ok) + "/" + std::to_string(commands.size()) + " ok";
  add_row(row);
  if (!problem.empty()) std::printf("   first refusal: %s\n", problem.c_str());
}

// ---- 2. course.assign to a group of 5,000 ----

void bench_course_assign() {
  constexpr int kMembers = 5000;
  constexpr int kRuns = 3;
  json org = base_org(kMembers);
  org["training"]["courses"].push_back(course("c-group", 3));
  json members = json::array();
  for (int i = 0; i < kMembers; ++i) members.push_back(uid(i));
  org["groups"].push_back({{"id", "g-all"}, {"name", "Everyone"}, {"site", kSite}, {"members", members}});
  const std::string text = org.dump();
  std::vector<double> walls, cpus;
  Span total;
  std::size_t assigned = 0, skipped = 0, events = 0;
  std::string problem;
  for (int run = 0; run < kRuns; ++run) {
    calm::Engine engine;  // fresh each run: the same course cannot be assigned twice to the same people
    if (!engine.load(text).empty()) {
      std::printf("!! course.assign org did not load\n");
      return;
    }
    json c = command("assign-" + std::to_string(run), "course.assign", kManager);
    c["course"] = "c-group";
    c["assignment"] = "a-group";
    c["groups"] = {"g-all"};
    c["dueDate"] = "2026-12-31";
    calm::CommandResult r;
    const Span t = timed([&] { r = engine.apply(c); });
    walls.push_back(t.wall);
    cpus.push_back(t.cpu);
    total.wall += t.wall;
    total.cpu += t.cpu;
    if (!r.ok) {
      problem = first_problem(r);
      break;
    }
    assigned = r.result.value("assigned", json::array()).size();
    skipped = r.result.value("skipped", json::array()).size();
    events = r.events.size();
  }
  Row row{"2. course.assign to a group of 5,000", walls.size(), total, true, {median(walls), median(cpus)}};
  row.note = "runs on fresh engines; assigned " + std::to_string(assigned) + ", skipped " +
             std::to_string(skipped) + ", events " + std::to_string(events);
  add_row(row);
  if (!problem.empty()) std::printf("   refused: %s\n", problem.c_str());
}

// ---- 3. integration.sync of 10,000 results ----

void bench_sync() {
  constexpr int kPeople = 2000;
  constexpr int kCourses = 50;
  constexpr int kResults = 10000;
  json org = base_org(kPeople);
  org["integrations"] = {{kSite, {{"ihasco", {{"connected", true}}}}}};
  json payload = {{"courses", json::array()}, {"people", json::array()}, {"results", json::array()}};
  for (int c = 0; c < kCourses; ++c) {
    payload["courses"].push_back({{"id", "ihc-" + std::to_string(c)},
                                  {"title", "iHasco course " + std::to_string(c)},
                                  {"description", "Imported"},
                                  {"validityMonths", 12 + c % 25}});
  }
  for (int p = 0; p < kPeople; ++p) {
    payload["people"].push_back({{"id", "ihp-" + std::to_string(p)},
                                 {"email", "Learner." + std::to_string(p) + "@bench.example"},
                                 {"firstName", "Learner"},
                                 {"lastName", std::to_string(p)}});
  }
  for (int r = 0; r < kResults; ++r) {
    const int p = r % kPeople;
    const int c = (r / kPeople * 7 + p) % kCourses;  // 5 distinct courses per person
    char completed[16], expires[16];
    std::snprintf(completed, sizeof completed, "2026-%02d-%02d", 1 + r % 10, 1 + r % 28);
    std::snprintf(expires, sizeof expires, "2027-%02d-%02d", 1 + r % 10, 1 + r % 28);
    payload["results"].push_back({{"id", "ihr-" + std::to_string(r)},
                                  {"course", "ihc-" + std::to_string(c)},
                                  {"person", "ihp-" + std::to_string(p)},
                                  {"completedOn", completed},
                                  {"score", 50 + r % 51},
                                  {"expiresOn", expires}});
  }
  calm::Engine engine;
  if (!load(engine, org, "integration.sync org")) return;
  for (int run = 1; run <= 2; ++run) {
    json c = command("sync-" + std::to_string(run), "integration.sync", kManager);
    c["site"] = kSite;
    c["payload"] = payload;
    calm::CommandResult r;
    const Span t = timed([&] { r = engine.apply(c); });
    Row row{"3. integration.sync 10,000 results, run " + std::to_string(run), 1, t};
    if (r.ok) {
      const json& rep = r.result;
      const json& res = rep["results"];
      const json& crs = rep["courses"];
      row.note = "results created " + std::to_string(res.value("created", -1)) + " updated " +
                 std::to_string(res.value("updated", -1)) + " unchanged " +
                 std::to_string(res.value("unchanged", -1)) + " unmatched " +
                 std::to_string(res.value("unmatched", -1)) + "; courses " + crs.dump() + "; people " +
                 rep["people"].dump() + "; events " + std::to_string(r.events.size());
    } else {
      row.note = "REFUSED";
    }
    add_row(row);
    if (!r.ok) std::printf("   refused: %s\n", first_problem(r).c_str());
  }
}

// ---- 4. insights over 100,000 fulfillments ----

void bench_insights() {
  constexpr int kCourses = 200;
  constexpr int kLearners = 500;
  constexpr int kReps = 5;
  json org = base_org(kLearners);
  json people = json::array();
  for (int i = 0; i < kLearners; ++i) people.push_back(uid(i));
  json& training = org["training"];
  static const char* kStatus[] = {"not_started", "in_progress", "completed", "completed", "withdrawn"};
  for (int c = 0; c < kCourses; ++c) {
    const std::string cid = "c-" + std::to_string(c);
    const std::string aid = "a-" + std::to_string(c);
    training["courses"].push_back(course(cid, 2));
    char due[16];
    std::snprintf(due, sizeof due, "2026-%02d-%02d", 1 + c % 12, 1 + c % 28);
    training["assignments"].push_back({{"id", aid},
                                       {"course", cid},
                                       {"people", people},
                                       {"groups", json::array()},
                                       {"dueDate", due},
                                       {"assignedBy", kManager},
                                       {"assignedAt", "2025-10-01T09:00:00Z"}});
    for (int i = 0; i < kLearners; ++i) {
      const char* status = kStatus[(c * 7 + i) % 5];
      char fdue[16];
      std::snprintf(fdue, sizeof fdue, "2026-%02d-%02d", 1 + (c + i) % 12, 1 + (c * 3 + i) % 28);
      json f = {{"id", aid + ":" + uid(i)}, {"course", cid},   {"user", uid(i)},
                {"assignment", aid},        {"status", status}, {"dueDate", fdue}};
      if (std::string(status) == "completed") {
        f["completedAt"] = std::string(fdue) + "T10:00:00Z";
        f["completedSteps"] = {"st-0", "st-1"};
        if (i % 4 == 0) {  // a result for some completions, expiring or expired on the date asked about
          char exp[16];
          std::snprintf(exp, sizeof exp, "%04d-%02d-%02d", 2026 + (c + i) % 2, 1 + (c * 5 + i) % 12, 1 + i % 28);
          training["results"].push_back({{"id", aid + ":" + uid(i) + ":result"},
                                         {"user", uid(i)},
                                         {"course", cid},
                                         {"title", "Course " + cid},
                                         {"completedOn", fdue},
                                         {"score", 80},
                                         {"expiresOn", exp},
                                         {"source", "course"}});
        }
      } else if (std::string(status) == "in_progress") {
        f["completedSteps"] = {"st-0"};
      }
      training["fulfillments"].push_back(std::move(f));
    }
  }
  calm::Engine engine;
  if (!load(engine, org, "insights org")) return;
  std::vector<double> walls, cpus;
  Span total;
  json answer;
  for (int rep = 0; rep < kReps; ++rep) {
    const Span t = timed([&] { answer = json(calm::insights(engine, kManager, kSite, "2026-11-23", false)); });
    walls.push_back(t.wall);
    cpus.push_back(t.cpu);
    total.wall += t.wall;
    total.cpu += t.cpu;
  }
  Row row{"4. insights, 100,000 fulfillments (per call)", walls.size(), total, true, {median(walls), median(cpus)}};
  if (answer.value("ok", false)) {
    const json& v = answer["value"];
    std::string keys;
    for (const auto& [k, val] : v.items()) {
      keys += (keys.empty() ? "" : ",") + k;
      if (val.is_array()) keys += "[" + std::to_string(val.size()) + "]";
    }
    row.note = "ok; value " + keys;
    if (v.contains("totals")) row.note += "; totals " + v["totals"].dump();
  } else {
    row.note = "DENIED/ERROR " + answer.dump().substr(0, 300);
  }
  add_row(row);
  std::printf("   (fulfillments: %zu, results: %zu; one call = one pass over all of them)\n",
              engine.snapshot().fulfillments.size(), engine.snapshot().results.size());
}

// ---- 5. access questions on the large org ----

template <typename F>
Row per_call(const std::string& name, std::size_t calls, F&& f) {
  std::vector<double> walls, cpus;
  Span total;
  for (std::size_t i = 0; i < calls; ++i) {
    const Span t = timed([&] { f(i); });
    walls.push_back(t.wall);
    cpus.push_back(t.cpu);
    total.wall += t.wall;
    total.cpu += t.cpu;
  }
  return Row{name, calls, total, true, {median(walls), median(cpus)}};
}

void bench_large(const std::string& data_dir) {
  const std::string path = data_dir + "/org-large.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::printf("5. skipped: %s is missing; make it with `node bench/gen-org.mjs large --out %s` "
                "(or `bash bench/run.sh`)\n",
                path.c_str(), data_dir.c_str());
    return;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  calm::Engine engine;
  {
    std::vector<calm::Error> errors;
    const Span t = timed([&] { errors = engine.load(text); });
    if (!errors.empty()) {
      std::printf("!! %s did not load: %s\n", path.c_str(), errors[0].message.c_str());
      return;
    }
    std::printf("   (large org %.1f MB loaded in wall %s, cpu %s)\n", text.size() / 1e6, fmt_time(t.wall).c_str(),
                fmt_time(t.cpu).c_str());
  }
  const json org = json::parse(text);

  // Users with grants at or below each site.
  std::map<std::string, std::string> parent;
  std::map<std::string, int> depth;
  for (const json& s : org["sites"]) {
    parent[s["id"].get<std::string>()] = s.contains("parent") ? s["parent"].get<std::string>() : "";
  }
  std::map<std::string, std::set<std::string>> users_under;
  for (const json& g : org["grants"]) {
    const std::string user = g["user"].get<std::string>();
    for (std::string s = g["site"].get<std::string>(); !s.empty(); s = parent[s]) users_under[s].insert(user);
  }
  for (const auto& [s, p] : parent) {
    int d = 0;
    for (std::string x = p; !x.empty(); x = parent[x]) ++d;
    depth[s] = d;
  }
  // The site with the fewest such users among those with >= 1,000 (deepest on ties): a
  // change there touches at least 1,000 users without being the whole org.
  std::string target;
  std::size_t target_users = 0;
  std::string biggest;
  std::size_t biggest_users = 0;
  for (const auto& [s, us] : users_under) {
    if (us.size() > biggest_users) biggest_users = us.size(), biggest = s;
    if (us.size() >= 1000 && (target.empty() || us.size() < target_users)) target = s, target_users = us.size();
  }
  if (target.empty()) {
    std::printf("!! no site of the large org has 1,000 users with grants at or below it (max %zu at %s)\n",
                biggest_users, biggest.c_str());
  }
  // Sites for who_can: the biggest subtree, the what-if site, a deep site and a mid one.
  std::vector<std::string> sites;
  sites.push_back(biggest);
  if (!target.empty() && target != biggest) sites.push_back(target);
  std::string deep, mid;
  for (const auto& [s, d] : depth) {
    if (d >= 4 && deep.empty() && users_under[s].size() > 0) deep = s;
    if (d == 2 && mid.empty() && users_under[s].size() > 100) mid = s;
  }
  if (!mid.empty()) sites.push_back(mid);
  if (!deep.empty()) sites.push_back(deep);
  std::printf("   (sites: ");
  for (const std::string& s : sites) std::printf("%s [depth %d, %zu users under] ", s.c_str(), depth[s], users_under[s].size());
  std::printf(")\n");

  const std::vector<std::string> actions = {"personnel.record.view", "training.course.assign", "site.users.manage",
                                            "users.access.set"};
  std::vector<std::pair<std::string, std::string>> who;  // action, site
  for (const std::string& s : sites) {
    for (const std::string& a : actions) who.emplace_back(a, s);
  }
  std::size_t allowed_total = 0;
  bool who_ok = true;
  Row r1 = per_call("5a. who_can (" + std::to_string(actions.size()) + " actions x " + std::to_string(sites.size()) +
                        " sites)",
                    who.size(), [&](std::size_t i) {
                      calm::Request question;
                      question.action = who[i].first;
                      question.site = who[i].second;
                      const json answer = json(calm::who_can(engine, question));
                      if (!answer.value("ok", false)) who_ok = false;
                      else if (answer["value"].is_array()) allowed_total += answer["value"].size();
                      else if (answer["value"].contains("users")) allowed_total += answer["value"]["users"].size();
                    });
  r1.note = std::string(who_ok ? "all ok" : "SOME NOT OK") + "; users allowed, summed " + std::to_string(allowed_total);
  add_row(r1);

  const std::vector<std::string> users = {"u-00000", "u-00042", "u-01234", "u-05000", "u-09999"};
  std::vector<std::pair<std::string, std::string>> sw;  // user, action
  for (const std::string& u : users) {
    for (const std::string& a : actions) sw.emplace_back(u, a);
  }
  std::size_t sites_total = 0;
  bool sw_ok = true;
  Row r2 = per_call("5b. sites_where (" + std::to_string(users.size()) + " users x " +
                        std::to_string(actions.size()) + " actions)",
                    sw.size(), [&](std::size_t i) {
                      const json answer = json(calm::sites_where(engine, sw[i].first, sw[i].second));
                      if (!answer.value("ok", false)) sw_ok = false;
                      else sites_total += answer["value"].value("sites", json::array()).size();
                    });
  r2.note = std::string(sw_ok ? "all ok" : "SOME NOT OK") + "; sites allowed, summed " + std::to_string(sites_total);
  add_row(r2);

  if (target.empty()) return;
  // A user with no grant at the target site, made personnel manager there.
  std::string subject;
  for (int i = 100; i < 10000 && subject.empty(); ++i) {
    const std::string u = uid(i);
    bool owner = false;
    for (const json& o : org["organisation"]["owners"]) owner = owner || o == u;
    if (!owner && users_under[target].count(u) == 0) subject = u;
  }
  const std::string editor = org["organisation"]["owners"][0].get<std::string>();
  const json change = {{"type", "access.set"}, {"user", subject}, {"site", target}, {"module", "personnel"},
                       {"role", "manager"}};
  json last;
  Row r3 = per_call("5c. what_if access.set (site, " + std::to_string(target_users) + " users under)", 7,
                    [&](std::size_t) { last = json(calm::what_if(engine, editor, change)); });
  if (last.value("ok", false)) {
    const json& v = last["value"];
    std::string keys;
    for (const auto& [k, val] : v.items()) {
      keys += (keys.empty() ? "" : ",") + k;
      if (val.is_array()) keys += "[" + std::to_string(val.size()) + "]";
      else if (val.is_boolean()) keys += val.get<bool>() ? "=true" : "=false";
    }
    r3.note = "ok; editor " + editor + ", " + subject + " -> personnel manager at " + target + "; value " + keys;
  } else {
    r3.note = "NOT OK " + last.dump().substr(0, 300);
  }
  add_row(r3);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir = std::string(CALM_SOURCE_DIR) + "/bench/data";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--data" && i + 1 < argc) {
      data_dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: calm_workflow_bench [--data DIR]\n");
      return 2;
    }
  }
  double load1 = 0, load5 = 0, load15 = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf %lf %lf", &load1, &load5, &load15) != 3) load1 = load5 = load15 = 0;
    std::fclose(f);
  }
  std::printf("== calm workflow bench (load average %.2f %.2f %.2f; wall = steady_clock, cpu = process CPU time)\n",
              load1, load5, load15);
  std::printf("   'med' rows: wall/op and cpu/op are medians of per-call times; 'mean' rows: total / count.\n");
  print_header();
  bench_step_complete();
  bench_course_assign();
  bench_sync();
  bench_insights();
  bench_large(data_dir);
  std::printf("\n== summary\n");
  print_header();
  for (const Row& r : rows) print_row(r);
  return 0;
}
