// Native benchmark of the calm-access core: prints figures, asserts nothing.
//
//   calm_bench [--data DIR] [--sizes small,large] [--min-time SECONDS] [--loads N]
//
// Reads DIR/org-<size>.json, DIR/requests-<size>.jsonl and
// DIR/capabilities-<size>.jsonl (written by `node bench/gen-org.mjs`) and
// reports, per size: load time, memory, the latency of every way to ask a
// question (C++ `Request`, rendered `Decision`, JSON value, JSON text),
// `capabilities` and `roles`, and decisions per second. Sub-microsecond
// operations are timed in batches (per-op = batch time / batch size) so that
// the clock's own cost does not dominate; a sink keeps the optimiser from
// dropping the work.

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "calm/access.hpp"
#include "calm/ffi.hpp"
#include "calm/snapshot.hpp"

#ifndef CALM_SOURCE_DIR
#define CALM_SOURCE_DIR "."
#endif

namespace {

using Clock = std::chrono::steady_clock;

// ---- keeping results alive ---------------------------------------------------

std::uint64_t g_sink = 0;

template <typename T>
inline void keep(const T& value) {
#if defined(__GNUC__) || defined(__clang__)
  asm volatile("" : : "r,m"(value) : "memory");
#else
  static_cast<void>(value);
#endif
}

inline void sink(std::uint64_t v) {
  g_sink += v;
  keep(g_sink);
}

// ---- statistics ------------------------------------------------------------

struct Stats {
  double median = 0;
  double p99 = 0;
  double p999 = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  std::size_t batch = 1;
  std::size_t samples = 0;
  double ops_per_second = 0;
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

Stats summarise(std::vector<double> per_op_ns, double total_ns, std::size_t total_ops, std::size_t batch) {
  Stats s;
  std::sort(per_op_ns.begin(), per_op_ns.end());
  s.median = percentile(per_op_ns, 0.5);
  s.p99 = percentile(per_op_ns, 0.99);
  s.p999 = percentile(per_op_ns, 0.999);
  s.min = per_op_ns.empty() ? 0 : per_op_ns.front();
  s.max = per_op_ns.empty() ? 0 : per_op_ns.back();
  s.mean = total_ops ? total_ns / static_cast<double>(total_ops) : 0;
  s.batch = batch;
  s.samples = per_op_ns.size();
  s.ops_per_second = total_ns > 0 ? static_cast<double>(total_ops) * 1e9 / total_ns : 0;
  return s;
}

double elapsed_ns(Clock::time_point a, Clock::time_point b) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

/// Times `op(i)` over items 0..n-1 in consecutive batches of `batch` items,
/// in passes over all items, until `min_seconds` have passed (at least one
/// pass, after one untimed warm-up pass). When `batch` is 0 it is chosen so
/// that a batch takes about 2 us. Returns per-op figures over batches.
template <typename Op>
Stats measure(std::size_t n, double min_seconds, Op&& op, std::size_t batch = 0) {
  if (n == 0) return {};
  const auto w0 = Clock::now();
  for (std::size_t i = 0; i < n; ++i) op(i);
  const double warm = elapsed_ns(w0, Clock::now()) / static_cast<double>(n);
  if (batch == 0) {
    batch = static_cast<std::size_t>(std::clamp(std::ceil(2000.0 / std::max(warm, 1.0)), 1.0, 64.0));
  }
  std::vector<double> per_op;
  per_op.reserve(n / batch + 1);
  double total = 0;
  std::size_t ops = 0;
  const auto budget = min_seconds * 1e9;
  do {
    for (std::size_t start = 0; start < n; start += batch) {
      const std::size_t end = std::min(n, start + batch);
      const auto t0 = Clock::now();
      for (std::size_t i = start; i < end; ++i) op(i);
      const double ns = elapsed_ns(t0, Clock::now());
      per_op.push_back(ns / static_cast<double>(end - start));
      total += ns;
      ops += end - start;
    }
  } while (total < budget);
  return summarise(std::move(per_op), total, ops, batch);
}

/// Times each call of `op(i)` on its own, minus the clock's median cost:
/// the real single-call distribution, tail included.
template <typename Op>
Stats measure_single(std::size_t n, double min_seconds, Op&& op, double clock_ns) {
  if (n == 0) return {};
  for (std::size_t i = 0; i < n; ++i) op(i);
  std::vector<double> per_op;
  double total = 0;
  std::size_t ops = 0;
  const auto budget = min_seconds * 1e9;
  do {
    for (std::size_t i = 0; i < n; ++i) {
      const auto t0 = Clock::now();
      op(i);
      const double ns = std::max(0.0, elapsed_ns(t0, Clock::now()) - clock_ns);
      per_op.push_back(ns);
      total += ns;
      ++ops;
    }
  } while (total < budget);
  return summarise(std::move(per_op), total, ops, 1);
}

/// CPU time of the calling thread, in ns.
double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double clock_overhead_ns() {
  std::vector<double> v;
  v.reserve(100000);
  for (int i = 0; i < 100000; ++i) {
    const auto t0 = Clock::now();
    const auto t1 = Clock::now();
    v.push_back(elapsed_ns(t0, t1));
  }
  std::sort(v.begin(), v.end());
  return percentile(v, 0.5);
}

// ---- memory ----------------------------------------------------------------

/// A field of /proc/self/status in KiB (VmRSS, VmHWM), or -1.
long proc_status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + key.size(), nullptr, 10);
  }
  return -1;
}

long maxrss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

/// Resets the kernel's peak-RSS mark (Linux: `5` to /proc/self/clear_refs), so
/// that the next peak is this size's own; false when not possible.
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  if (!out) return false;
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

void trim_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// ---- input -----------------------------------------------------------------

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::vector<std::string> read_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// ---- printing --------------------------------------------------------------

std::string human_ns(double ns) {
  char buf[32];
  if (ns < 1000) {
    std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  } else if (ns < 1e6) {
    std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
  } else if (ns < 1e9) {
    std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  }
  return buf;
}

std::string human_rate(double per_second) {
  char buf[32];
  if (per_second >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2f M/s", per_second / 1e6);
  } else if (per_second >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.1f k/s", per_second / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f /s", per_second);
  }
  return buf;
}

std::string human_kib(long kib) {
  char buf[32];
  if (kib < 0) return "n/a";
  if (kib < 10 * 1024) {
    std::snprintf(buf, sizeof buf, "%ld KiB", kib);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(kib) / 1024.0);
  }
  return buf;
}

void print_header() {
  std::printf("  %-44s %6s %11s %11s %11s %11s\n", "operation", "batch", "median/op", "p99/op", "mean/op",
              "ops/s");
}

void print_row(const char* name, const Stats& s) {
  std::printf("  %-44s %6zu %11s %11s %11s %11s\n", name, s.batch, human_ns(s.median).c_str(),
              human_ns(s.p99).c_str(), human_ns(s.mean).c_str(), human_rate(s.ops_per_second).c_str());
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(in >> one >> five >> fifteen)) return "n/a";
  return one + " " + five + " " + fifteen;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

// ---- one size --------------------------------------------------------------

struct Options {
  std::string data = std::string(CALM_SOURCE_DIR) + "/bench/data";
  std::vector<std::string> sizes = {"small", "large"};
  double min_seconds = 1.0;
  int loads_small = 31;
  int loads_large = 7;
};

/// The `code` string of a decision rendered as JSON text.
std::string code_of(const std::string& decision_text) {
  const auto j = nlohmann::json::parse(decision_text, nullptr, false);
  if (j.is_object() && j.contains("code") && j["code"].is_string()) return j["code"].get<std::string>();
  if (j.is_object() && j.contains("value") && j["value"].is_object() && j["value"].contains("code")) {
    return j["value"]["code"].is_string() ? j["value"]["code"].get<std::string>() : "";
  }
  return "";
}

bool run_size(const Options& opt, const std::string& size, double clock_ns) {
  const std::string org_path = opt.data + "/org-" + size + ".json";
  const std::string req_path = opt.data + "/requests-" + size + ".jsonl";
  const std::string cap_path = opt.data + "/capabilities-" + size + ".jsonl";

  std::string text;
  std::string req_text;
  std::string cap_text;
  if (!read_file(org_path, text) || !read_file(req_path, req_text) || !read_file(cap_path, cap_text)) {
    std::printf("\n== %s: missing %s (run `node bench/gen-org.mjs`) ==\n", size.c_str(), org_path.c_str());
    return false;
  }

  // Memory: one load into an engine that is kept.
  // Reading the files leaves freed buffers in the heap: give them back first,
  // then start the peak mark, so that both figures are the load's own.
  trim_heap();
  const bool peak_reset = reset_peak_rss();
  const long rss_text = proc_status_kib("VmRSS");
  calm::Engine engine;
  const auto errors = engine.load(std::string_view(text));
  const long hwm_load = proc_status_kib("VmHWM");
  const long maxrss_load = maxrss_kib();
  const long rss_loaded_untrimmed = proc_status_kib("VmRSS");
  trim_heap();
  const long rss_loaded = proc_status_kib("VmRSS");
  if (!errors.empty()) {
    std::printf("\n== %s: the snapshot does not load (%zu errors) ==\n", size.c_str(), errors.size());
    for (std::size_t i = 0; i < errors.size() && i < 10; ++i) {
      std::printf("  %s %s: %s\n", errors[i].code.c_str(), errors[i].path.c_str(), errors[i].message.c_str());
    }
    return false;
  }
  const calm::Snapshot& snap = engine.snapshot();
  std::size_t cascades = 0;
  for (const auto& g : snap.grants) cascades += g.include_child_sites ? 1 : 0;
  std::uint32_t max_depth = 0;
  for (const auto& s : snap.sites) max_depth = std::max(max_depth, s.depth);

  std::printf("\n== %s org: %zu sites (depth <= %u), %zu users, %zu grants (%zu cascade), %zu courses, "
              "%zu fulfillments, %zu records, %zu comments; %.1f MiB of JSON ==\n",
              size.c_str(), snap.sites.size(), max_depth, snap.users.size(), snap.grants.size(), cascades,
              snap.courses.size(), snap.fulfillments.size(), snap.records.size(), snap.comments.size(),
              static_cast<double>(text.size()) / (1024.0 * 1024.0));

  // Load time: wall clock, and the thread's CPU time (what the load itself
  // costs when the machine is busy with other work).
  const int loads = size == "large" ? opt.loads_large : opt.loads_small;
  struct LoadTimes {
    std::vector<double> wall, cpu;
  };
  // Only `fn` is timed; with `fresh`, a new engine is made before and dropped
  // after the clocks stop.
  auto time_loads = [&](auto&& fn) {
    LoadTimes t;
    for (int i = 0; i < loads; ++i) {
      calm::Engine e;
      const double c0 = thread_cpu_ns();
      const auto t0 = Clock::now();
      fn(e);
      t.wall.push_back(elapsed_ns(t0, Clock::now()));
      t.cpu.push_back(thread_cpu_ns() - c0);
    }
    std::sort(t.wall.begin(), t.wall.end());
    std::sort(t.cpu.begin(), t.cpu.end());
    return t;
  };
  const auto parse_times = time_loads([&](calm::Engine&) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    sink(doc.size());
  });
  const auto snapshot_times = time_loads([&](calm::Engine&) {
    auto result = calm::load_snapshot(std::string_view(text));
    sink(result.ok() ? result.value().grants.size() : 0);
  });
  const auto load_times = time_loads([&](calm::Engine& e) {
    const auto errs = e.load(std::string_view(text));
    sink(errs.size() + e.snapshot().grants.size());
  });
  const auto load_json_times = time_loads([&](calm::Engine& e) {
    const std::string answer = calm::ffi::load(e, text);
    sink(answer.size());
  });
  // The access part alone (organisation, sites, users, grants, groups,
  // templates, settings, integrations): what role questions need.
  std::string access_text;
  {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_object()) {
      doc.erase("training");
      doc.erase("personnel");
      access_text = doc.dump();
    }
  }
  const auto access_times = time_loads([&](calm::Engine& e) {
    const auto errs = e.load(std::string_view(access_text));
    sink(errs.size() + e.snapshot().grants.size());
  });
  std::printf("load (N = %d)%*s %11s %11s %11s %11s\n", loads, loads < 10 ? 37 : 36, "", "median", "min", "max",
              "cpu median");
  auto load_row = [](const char* name, const LoadTimes& t) {
    std::printf("  %-44s %11s %11s %11s %11s\n", name, human_ns(percentile(t.wall, 0.5)).c_str(),
                human_ns(t.wall.front()).c_str(), human_ns(t.wall.back()).c_str(),
                human_ns(percentile(t.cpu, 0.5)).c_str());
  };
  load_row("json::parse only (no engine)", parse_times);
  load_row("calm::load_snapshot(text) (parse + validate)", snapshot_times);
  load_row("Engine::load(text)", load_times);
  load_row("Engine::load_json(text)", load_json_times);
  char access_name[80];
  std::snprintf(access_name, sizeof access_name, "Engine::load(access part only, %.1f MiB)",
                static_cast<double>(access_text.size()) / (1024.0 * 1024.0));
  load_row(access_name, access_times);

  std::printf("memory\n");
  std::printf("  %-44s %11s\n", "RSS with the JSON text read", human_kib(rss_text).c_str());
  std::printf("  %-44s %11s (+%s; +%s before malloc_trim)\n", "RSS with the engine loaded",
              human_kib(rss_loaded).c_str(), human_kib(rss_loaded - rss_text).c_str(),
              human_kib(rss_loaded_untrimmed - rss_text).c_str());
  std::printf("  %-44s %11s (+%s over the text; ru_maxrss %s%s)\n", "peak RSS during the load",
              human_kib(hwm_load).c_str(), human_kib(hwm_load - rss_text).c_str(), human_kib(maxrss_load).c_str(),
              peak_reset ? "" : ", peak since process start");

  // Requests.
  const auto lines = read_lines(req_text);
  std::vector<nlohmann::json> values;
  values.reserve(lines.size());
  std::vector<calm::Request> requests;
  std::vector<std::size_t> request_line;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    values.push_back(nlohmann::json::parse(lines[i], nullptr, false));
    auto parsed = calm::ffi::parse_request(values.back());
    if (parsed.shape_error.empty()) {
      requests.push_back(std::move(parsed.request));
      request_line.push_back(i);
    }
  }

  // Outcomes, and whether every path gives the same answer.
  std::map<std::string, std::size_t> outcome;
  std::size_t allowed = 0;
  std::size_t disagree = 0;
  std::string first_disagreement;
  for (std::size_t k = 0; k < requests.size(); ++k) {
    const calm::Verdict v = engine.check(requests[k]);
    const calm::Decision d = engine.decide(requests[k]);
    const std::string json_code = code_of(calm::ffi::decide(engine, lines[request_line[k]]));
    const std::string check_code(calm::code_name(v.code));
    if (check_code != json_code || std::string(calm::code_name(d.code)) != check_code || d.allowed != v.allowed()) {
      if (disagree++ == 0) {
        first_disagreement = lines[request_line[k]] + "  check: " + check_code + ", decide: " +
                             std::string(calm::code_name(d.code)) + ", decide_json: " + json_code;
      }
    }
  }
  for (const auto& line : lines) {
    const std::string c = code_of(calm::ffi::decide(engine, line));
    ++outcome[c.empty() ? "(no code)" : c];
    allowed += c == "allowed" ? 1 : 0;
  }
  std::printf("requests: %zu lines (%zu well-shaped for the C++ path); outcomes:", lines.size(), requests.size());
  std::vector<std::pair<std::size_t, std::string>> sorted_outcomes;
  for (const auto& [code, count] : outcome) sorted_outcomes.emplace_back(count, code);
  std::sort(sorted_outcomes.rbegin(), sorted_outcomes.rend());
  for (const auto& [count, code] : sorted_outcomes) {
    std::printf(" %s %.1f%%", code.c_str(), 100.0 * static_cast<double>(count) / static_cast<double>(lines.size()));
  }
  std::printf("\n");
  if (disagree) {
    std::printf("  WARNING: check / decide / decide_json disagree on %zu requests, first: %s\n", disagree,
                first_disagreement.c_str());
  } else {
    std::printf("  check, decide and decide_json agree on every well-shaped request\n");
  }

  // Capability pairs.
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& line : read_lines(cap_text)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("user") && j.contains("site") && j["user"].is_string() && j["site"].is_string()) {
      pairs.emplace_back(j["user"].get<std::string>(), j["site"].get<std::string>());
    }
  }
  std::vector<calm::Index> role_users;
  for (const auto& [user, site] : pairs) {
    const calm::Index u = snap.user_ids.find(user);
    if (u != calm::kNone) role_users.push_back(u);
  }

  const double t = opt.min_seconds;
  const std::size_t n = requests.size();
  print_header();
  const Stats check = measure(n, t, [&](std::size_t i) { sink(static_cast<std::uint64_t>(engine.check(requests[i]).code)); });
  print_row("check(Request) -> Verdict  [can]", check);
  const Stats single = measure_single(
      n, t, [&](std::size_t i) { sink(static_cast<std::uint64_t>(engine.check(requests[i]).code)); }, clock_ns);
  std::printf("  %-44s %6s %11s %11s %11s   p99.9 %s, max %s\n", "  same, each call timed alone", "1",
              human_ns(single.median).c_str(), human_ns(single.p99).c_str(), human_ns(single.mean).c_str(),
              human_ns(single.p999).c_str(), human_ns(single.max).c_str());
  const Stats site_level = measure(n, t, [&](std::size_t i) {
    sink(static_cast<std::uint64_t>(engine.check_site_level(requests[i]).code));
  });
  print_row("check_site_level(Request) -> Verdict", site_level);
  const Stats decide = measure(n, t, [&](std::size_t i) {
    const calm::Decision d = engine.decide(requests[i]);
    sink(d.message.size() + static_cast<std::uint64_t>(d.allowed));
  });
  print_row("decide(Request) -> Decision", decide);
  const Stats decide_value = measure(values.size(), t, [&](std::size_t i) {
    const calm::Decision d = calm::ffi::decide_value(engine, values[i]);
    sink(d.message.size() + static_cast<std::uint64_t>(d.allowed));
  });
  print_row("ffi::decide_value(json) -> Decision", decide_value);
  const Stats decide_text = measure(lines.size(), t, [&](std::size_t i) {
    const std::string answer = calm::ffi::decide(engine, lines[i]);
    sink(answer.size());
  });
  print_row("decide_json(text) -> text  [wasm path]", decide_text);
  const Stats parse_only = measure(lines.size(), t, [&](std::size_t i) {
    const auto j = nlohmann::json::parse(lines[i], nullptr, false);
    sink(j.size());
  });
  print_row("  of which json::parse(request text)", parse_only);
  std::vector<calm::Decision> decisions;
  decisions.reserve(values.size());
  for (const auto& v : values) decisions.push_back(calm::ffi::decide_value(engine, v));
  const Stats render = measure(decisions.size(), t, [&](std::size_t i) {
    const std::string answer = decisions[i].to_json().dump();
    sink(answer.size());
  });
  print_row("  of which Decision::to_json().dump()", render);
  const Stats caps = measure(pairs.size(), t, [&](std::size_t i) {
    const auto verdicts = engine.capabilities(pairs[i].first, pairs[i].second);
    sink(verdicts.size() + (verdicts.empty() ? 0 : static_cast<std::uint64_t>(verdicts.back().code)));
  });
  print_row("capabilities(user, site) -> Verdicts", caps);
  const Stats caps_json = measure(pairs.size(), t, [&](std::size_t i) {
    const std::string answer = calm::ffi::capabilities(engine, pairs[i].first, pairs[i].second);
    sink(answer.size());
  });
  print_row("capabilities_json(user, site)  [wasm]", caps_json);
  const Stats roles = measure(role_users.size(), t, [&](std::size_t i) {
    const auto rows = engine.roles(role_users[i]);
    sink(rows.size());
  });
  print_row("roles(user) -> EffectiveRoles", roles);
  const Stats roles_json = measure(pairs.size(), t, [&](std::size_t i) {
    const std::string answer = calm::ffi::roles(engine, pairs[i].first);
    sink(answer.size());
  });
  print_row("roles_json(user)  [wasm]", roles_json);
  std::printf("  decisions per second: %s (check), %s (decide_json text); one capabilities map = %zu decisions\n",
              human_rate(check.ops_per_second).c_str(), human_rate(decide_text.ops_per_second).c_str(),
              calm::action_count());

  // Where the time goes: check() per action, slowest first.
  std::map<std::string, std::vector<std::size_t>> by_action;
  for (std::size_t i = 0; i < n; ++i) by_action[requests[i].action].push_back(i);
  std::vector<std::pair<double, std::string>> per_action;
  for (const auto& entry : by_action) {
    const std::vector<std::size_t>& idx = entry.second;
    const std::string& action = entry.first;
    const Stats s = measure(
        idx.size(), 0.02,
        [&](std::size_t k) { sink(static_cast<std::uint64_t>(engine.check(requests[idx[k]]).code)); }, 0);
    per_action.emplace_back(s.mean, action + " (" + std::to_string(idx.size()) + ")");
  }
  std::sort(per_action.rbegin(), per_action.rend());
  std::printf("  check() mean by action, slowest 5:");
  for (std::size_t i = 0; i < per_action.size() && i < 5; ++i) {
    std::printf("%s %s %s", i ? "," : "", per_action[i].second.c_str(), human_ns(per_action[i].first).c_str());
  }
  std::printf("\n  check() mean by action, fastest 3:");
  for (std::size_t i = 0; i < 3 && i < per_action.size(); ++i) {
    const auto& e = per_action[per_action.size() - 1 - i];
    std::printf("%s %s %s", i ? "," : "", e.second.c_str(), human_ns(e.first).c_str());
  }
  std::printf("\n  allowed: %.1f%% of all lines\n", 100.0 * static_cast<double>(allowed) / static_cast<double>(lines.size()));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--data" && i + 1 < argc) {
      opt.data = argv[++i];
    } else if (a == "--sizes" && i + 1 < argc) {
      opt.sizes.clear();
      std::stringstream ss(argv[++i]);
      std::string s;
      while (std::getline(ss, s, ',')) opt.sizes.push_back(s);
    } else if (a == "--min-time" && i + 1 < argc) {
      opt.min_seconds = std::atof(argv[++i]);
    } else if (a == "--loads" && i + 1 < argc) {
      opt.loads_small = opt.loads_large = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: calm_bench [--data DIR] [--sizes small,large] [--min-time SECONDS] [--loads N]\n");
      return 2;
    }
  }
  const double clock_ns = clock_overhead_ns();
  std::printf("calm-access native bench\n");
  std::printf("  cpu: %s (%ld online), compiler: %s, %s build, steady_clock cost %.0f ns\n", cpu_model().c_str(),
              sysconf(_SC_NPROCESSORS_ONLN),
#if defined(__clang__)
              "clang " __clang_version__,
#elif defined(__GNUC__)
              "g++ " __VERSION__,
#else
              "unknown",
#endif
#if defined(NDEBUG)
              "optimised (NDEBUG)",
#else
              "NOT optimised (assertions on)",
#endif
              clock_ns);
  std::printf("  load average at start: %s (other work on the machine shows in p99 and max)\n", load_average().c_str());
  std::printf("  per-op figures are over batches of consecutive requests (batch column); p99 is of batch means\n");
  bool ok = true;
  for (const auto& size : opt.sizes) ok = run_size(opt, size, clock_ns) && ok;
  std::printf("\nload average at the end: %s\n", load_average().c_str());
  std::printf("(sink %llu)\n", static_cast<unsigned long long>(g_sink % 1000));
  return ok ? 0 : 1;
}
