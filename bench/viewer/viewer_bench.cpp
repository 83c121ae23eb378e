// calm_viewer_bench: the time to compute a viewer snapshot (SERVER.md
// section 1) on bench/data/org-large.json for a learner, a site manager and an
// owner, and each snapshot's size in bytes beside the full one's. Prints
// figures and whether the targets are met; asserts nothing.
//
//   calm_viewer_bench [--data DIR] [--runs N]
//
// Targets (issue 9): a learner's snapshot under 1% of the full one's bytes;
// any viewer snapshot of the large organisation under 50 ms.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "calm/access.hpp"
#include "calm/ffi.hpp"
#include "calm/viewer.hpp"

using nlohmann::json;

namespace {

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double wall_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// The viewers: the first owner; a site manager (site manager somewhere, not an
// owner); a learner (only personnel member grants, at one site).
struct Viewer {
  std::string role;
  std::string user;
};

std::vector<Viewer> pick_viewers(const json& org) {
  std::vector<Viewer> out;
  const json& owners = org["organisation"]["owners"];
  std::map<std::string, std::vector<const json*>> grants;
  for (const json& g : org["grants"]) grants[g["user"].get<std::string>()].push_back(&g);
  auto is_owner = [&](const std::string& u) {
    return std::find(owners.begin(), owners.end(), u) != owners.end();
  };
  std::string learner, manager;
  for (const json& u : org["users"]) {
    const std::string id = u["id"];
    if (is_owner(id) || !grants.count(id)) continue;
    const auto& list = grants[id];
    const bool only_member = std::all_of(list.begin(), list.end(), [&](const json* g) {
      return (*g)["module"] == "personnel" && (*g)["role"] == "member" &&
             !(*g).value("includeChildSites", false) && (*g)["site"] == (*list.front())["site"];
    });
    const bool site_manager = std::any_of(list.begin(), list.end(), [](const json* g) {
      return (*g)["module"] == "site" && (*g)["role"] == "manager";
    });
    if (learner.empty() && only_member) learner = id;
    if (manager.empty() && site_manager) manager = id;
  }
  if (!learner.empty()) out.push_back({"learner", learner});
  if (!manager.empty()) out.push_back({"site manager", manager});
  if (!owners.empty()) out.push_back({"owner", owners[0]});
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "bench/data";
  int runs = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) dir = argv[i + 1];
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::max(1, std::atoi(argv[i + 1]));
  }
  std::ifstream in(dir + "/org-large.json", std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "calm_viewer_bench: %s/org-large.json is missing (node bench/gen-org.mjs large)\n",
                 dir.c_str());
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  calm::Engine engine;
  if (!engine.load(text.str()).empty()) {
    std::fprintf(stderr, "calm_viewer_bench: org-large.json does not load\n");
    return 1;
  }
  const json org = json::parse(text.str());
  const std::size_t full_bytes = calm::ffi::snapshot(engine).size();
  std::printf("== viewer snapshots, large organisation (%zu users, %zu grants): full snapshot %zu bytes\n",
              engine.snapshot().users.size(), engine.snapshot().grants.size(), full_bytes);
  {
    std::vector<double> cpu;
    for (int r = 0; r < std::max(3, runs / 3); ++r) {
      const double c0 = cpu_now();
      const std::string out = calm::ffi::snapshot(engine);
      cpu.push_back((cpu_now() - c0) * 1000);
    }
    std::printf("for comparison: exporting the full state as JSON text takes %.1f ms (median CPU)\n\n",
                median(cpu));
  }
  std::printf("%-13s %-9s %11s %9s %10s %10s %10s\n", "viewer", "user", "bytes", "% of full", "total ms",
              "cut ms", "wall ms");
  bool fast = true;
  bool small = true;
  for (const Viewer& v : pick_viewers(org)) {
    std::vector<double> wall, cpu, cut;
    std::size_t bytes = 0;
    for (int r = 0; r < runs; ++r) {
      const double w0 = wall_now();
      const double c0 = cpu_now();
      const std::string out =
          calm::ffi::viewer_snapshot(engine, v.user, "");  // JSON text, as the wasm returns it
      cpu.push_back((cpu_now() - c0) * 1000);
      wall.push_back((wall_now() - w0) * 1000);
      bytes = out.size() - std::strlen("{\"ok\":true,\"value\":}");
      const double c1 = cpu_now();
      const json value = calm::viewer_snapshot(engine, v.user);  // the snapshot as a JSON value, not written
      cut.push_back((cpu_now() - c1) * 1000);
    }
    const double share = 100.0 * static_cast<double>(bytes) / static_cast<double>(full_bytes);
    std::printf("%-13s %-9s %11zu %8.3f%% %10.2f %10.2f %10.2f\n", v.role.c_str(), v.user.c_str(), bytes,
                share, median(cpu), median(cut), median(wall));
    fast = fast && median(cpu) < 50;
    if (v.role == "learner") small = share < 1.0;
  }
  std::printf(
      "(total: computing the snapshot and writing it as JSON text, CPU time; cut: without writing the "
      "text)\n");
  std::printf("target: a learner's snapshot under 1%% of the full one's bytes: %s\n",
              small ? "met" : "NOT met");
  std::printf("target: every viewer snapshot under 50 ms (median CPU time): %s\n", fast ? "met" : "NOT met");
  return 0;
}
