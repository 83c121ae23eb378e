// Training views (calm/training.hpp): read-only answers shaped for the
// viewer, each gated by the decision function.

#include <map>
#include <set>
#include <string>

#include "calm/training.hpp"
#include "detail/dates.hpp"
#include "detail/json_util.hpp"
#include "detail/names.hpp"
#include "detail/visibility.hpp"

namespace calm {

using detail::kCourseStatus;
using detail::kFulfillmentStatus;
using detail::kStepType;
using detail::name_of;
using nlohmann::json;

namespace {

json error(std::string_view code, std::string_view path, std::string message) {
  return {{"ok", false},
          {"errors",
           json::array({{{"code", std::string(code)}, {"path", std::string(path)}, {"message", message}}})}};
}

json ok(json value) { return {{"ok", true}, {"value", std::move(value)}}; }

json denied(const Decision& d) { return {{"ok", false}, {"decision", d.to_json()}}; }

Request request(std::string_view user, std::string_view action, const Snapshot& s, Index site) {
  Request r;
  r.user = std::string(user);
  r.action = std::string(action);
  if (site != kNone) r.site = s.site_ids.at(site);
  return r;
}

// Memoised per-site decisions of one (user, action).
class SiteGate {
 public:
  SiteGate(const Engine& engine, std::string_view user, std::string_view action)
      : engine_(engine), user_(user), action_(action) {}
  bool operator()(Index site) {
    if (site == kNone) return false;
    auto [it, inserted] = cache_.try_emplace(site, false);
    if (inserted) it->second = engine_.can(request(user_, action_, engine_.snapshot(), site));
    return it->second;
  }

 private:
  const Engine& engine_;
  std::string_view user_;
  std::string_view action_;
  std::map<Index, bool> cache_;
};

// Result state on `date` (W12): valid, expiring (within 30 days) or expired.
std::string_view result_state(const TrainingResult& r, std::string_view date) {
  if (r.expires_on.empty()) return "valid";
  auto days = detail::days_between(date, r.expires_on);
  if (!days) return "valid";
  if (*days < 0) return "expired";
  return *days <= 30 ? "expiring" : "valid";
}

Index result_site(const Snapshot& s, const TrainingResult& r) {
  return detail::result_site(s, r.user, r.course);
}

bool is_overdue(const Fulfillment& f, std::string_view date) {
  if (!is_open(f.status) || f.due_date.empty()) return false;
  auto days = detail::days_between(date, f.due_date);
  return days && *days < 0;
}

// Steps done out of all steps (an assessment step is done once passed).
std::pair<int, int> progress(const Snapshot& s, Index f) {
  const Fulfillment& ful = s.fulfillments[f];
  const Course& course = s.courses[ful.course];
  int done = 0;
  for (const Step& step : course.steps) {
    if (step.type == StepType::assessment) {
      for (const Attempt& a : s.attempts) {
        if (a.fulfillment == f && a.step == step.id && a.passed.value_or(false)) {
          ++done;
          break;
        }
      }
    } else if (std::find(ful.completed_steps.begin(), ful.completed_steps.end(), step.id) !=
               ful.completed_steps.end()) {
      ++done;
    }
  }
  return {done, static_cast<int>(course.steps.size())};
}

json fulfillment_json(const Snapshot& s, Index f, std::string_view date) {
  const Fulfillment& ful = s.fulfillments[f];
  const Course& course = s.courses[ful.course];
  // A deleted course's steps are shown nowhere (W5: it is history, unknown to
  // every check, a stub without steps in a viewer snapshot, SERVER.md V4), so
  // its fulfillments count none: the same progress on either state (V2).
  auto [done, total] = course.deleted ? std::pair<int, int>{0, 0} : progress(s, f);
  json out{{"fulfillment", s.fulfillment_ids.at(f)},
           {"course", s.course_ids.at(ful.course)},
           {"title", course.title},
           {"site", s.site_ids.at(course.site)},
           {"source", course.source == CourseSource::ihasco ? "ihasco" : "calm"},
           {"status", name_of(kFulfillmentStatus, ful.status)},
           {"overdue", is_overdue(ful, date)},
           {"progress", {{"done", done}, {"total", total}}}};
  if (!ful.due_date.empty()) out["dueDate"] = ful.due_date;
  if (!ful.completed_at.empty()) out["completedAt"] = ful.completed_at;
  return out;
}

json result_json(const Snapshot& s, Index i, std::string_view date) {
  const TrainingResult& r = s.results[i];
  json out{{"result", s.result_ids.at(i)},
           {"title", r.title},
           {"completedOn", r.completed_on},
           {"state", std::string(result_state(r, date))},
           {"source", r.source == ResultSource::course   ? "course"
                      : r.source == ResultSource::ihasco ? "ihasco"
                                                         : "manual"}};
  if (r.course != kNone) out["course"] = s.course_ids.at(r.course);
  if (r.score) out["score"] = *r.score;
  if (!r.expires_on.empty()) out["expiresOn"] = r.expires_on;
  if (auto it = r.extra.find("file"); it != r.extra.end()) out["file"] = *it;
  return out;
}

bool bad_date(std::string_view date) { return !detail::parse_date(date); }

}  // namespace

json my_courses(const Engine& engine, std::string_view user, std::string_view date) {
  if (bad_date(date)) return error("invalid-date", "/date", "expected an ISO-8601 date");
  const Snapshot& s = engine.snapshot();
  const Index u = is_valid_id(user) ? s.user_ids.find(user) : kNone;
  if (u == kNone) return denied(engine.decide(request(user, "training.progress.view_own", s, kNone)));
  SiteGate view_own(engine, user, "training.progress.view_own");  // T2
  json open = json::array(), late = json::array(), completed = json::array();
  for (Index f = 0; f < s.fulfillments.size(); ++f) {
    const Fulfillment& ful = s.fulfillments[f];
    if (ful.user != u || ful.status == FulfillmentStatus::withdrawn) continue;
    if (!view_own(s.courses[ful.course].site)) continue;
    json item = fulfillment_json(s, f, date);
    if (ful.status == FulfillmentStatus::completed) {
      completed.push_back(std::move(item));
      continue;
    }
    Request complete = request(user, "training.course.complete", s, kNone);
    complete.resource.fulfillment = s.fulfillment_ids.at(f);
    item["canComplete"] = engine.decide(complete).to_json();  // T1, T15
    (is_overdue(ful, date) ? late : open).push_back(std::move(item));
  }
  json expiring = json::array(), expired = json::array();
  for (Index i = 0; i < s.results.size(); ++i) {
    const TrainingResult& r = s.results[i];
    if (r.user != u) continue;
    const Index site = result_site(s, r);
    if (site != kNone && !view_own(site)) continue;
    const std::string_view state = result_state(r, date);
    if (state == "expiring") expiring.push_back(result_json(s, i, date));
    if (state == "expired") expired.push_back(result_json(s, i, date));
  }
  return ok({{"user", std::string(user)},
             {"date", std::string(date)},
             {"open", open},
             {"overdue", late},
             {"completed", completed},
             {"expiring", expiring},
             {"expired", expired}});
}

json course_view(const Engine& engine, std::string_view user, std::string_view course) {
  const Snapshot& s = engine.snapshot();
  Request view = request(user, "training.course.view", s, kNone);
  view.resource.course = std::string(course);
  const Decision d = engine.decide(view);  // T5
  if (!d.allowed) return denied(d);
  const Index c = s.course_ids.find(course);
  const Course& crs = s.courses[c];
  Request edit = view;
  edit.action = "training.course.edit";
  Request quiz = view;
  quiz.action = "training.quiz.manage";
  const bool keys = engine.can(quiz);  // answer keys only for quiz managers (T11)
  json steps = json::array();
  for (const Step& step : crs.steps) {
    json j{{"id", step.id}, {"type", name_of(kStepType, step.type)}, {"title", step.title}};
    for (const auto& [key, value] : step.extra.items()) j[key] = value;
    if (step.assessment) {
      json questions = json::array();
      for (const Question& q : step.assessment->questions) {
        json options = json::array();
        for (const auto& [id, text] : q.options) options.push_back({{"id", id}, {"text", text}});
        json jq{{"id", q.id},
                {"text", q.text},
                {"kind", q.kind == QuestionKind::single ? "single" : "multiple"},
                {"options", options}};
        if (keys && q.correct) jq["correct"] = *q.correct;
        questions.push_back(std::move(jq));
      }
      j["assessment"] = {{"passMark", step.assessment->pass_mark},
                         {"maxAttempts", step.assessment->max_attempts},
                         {"questions", questions}};
    }
    steps.push_back(std::move(j));
  }
  json out{{"id", std::string(course)},
           {"site", s.site_ids.at(crs.site)},
           {"title", crs.title},
           {"description", crs.description},
           {"source", crs.source == CourseSource::ihasco ? "ihasco" : "calm"},
           {"status", name_of(kCourseStatus, crs.status)},
           {"readOnly", !engine.can(edit)},
           {"steps", steps}};
  if (!crs.external_id.empty()) out["externalId"] = crs.external_id;
  if (crs.validity_months) out["validityMonths"] = *crs.validity_months;
  return ok(std::move(out));
}

json attempts_view(const Engine& engine, std::string_view user, std::string_view fulfillment) {
  const Snapshot& s = engine.snapshot();
  Request own = request(user, "training.progress.view_own", s, kNone);
  Request review = request(user, "training.assessment.review", s, kNone);
  const Index f = is_valid_id(fulfillment) ? s.fulfillment_ids.find(fulfillment) : kNone;
  const Index u = is_valid_id(user) ? s.user_ids.find(user) : kNone;
  if (u == kNone || f == kNone) {
    Request probe = request(user, "training.course.complete", s, kNone);
    probe.resource.fulfillment = std::string(fulfillment);
    return denied(engine.decide(probe));  // unknown-user or unknown-resource
  }
  const Fulfillment& ful = s.fulfillments[f];
  const Index site = s.courses[ful.course].site;
  if (ful.user == u) {
    own.site = s.site_ids.at(site);
    if (Decision d = engine.decide(own); !d.allowed) return denied(d);  // T2
  } else {
    review.resource.course = s.course_ids.at(ful.course);
    if (Decision d = engine.decide(review); !d.allowed) return denied(d);  // T10
  }
  json list = json::array();
  for (Index i = 0; i < s.attempts.size(); ++i) {
    const Attempt& a = s.attempts[i];
    if (a.fulfillment != f) continue;
    json j{{"attempt", s.attempt_ids.at(i)}, {"step", a.step}, {"at", a.at}, {"answers", a.answers}};
    if (a.pending) {
      j["pending"] = true;
    } else {
      if (a.score) j["score"] = *a.score;
      if (a.passed) j["passed"] = *a.passed;
    }
    list.push_back(std::move(j));
  }
  return ok(
      {{"fulfillment", std::string(fulfillment)}, {"user", s.user_ids.at(ful.user)}, {"attempts", list}});
}

namespace {

struct Counts {
  int not_started = 0, in_progress = 0, overdue = 0, completed = 0, withdrawn = 0;
  int expiring = 0, expired = 0;
  void add(const Fulfillment& f, std::string_view date) {
    if (is_overdue(f, date)) {
      ++overdue;
      return;
    }
    switch (f.status) {
      case FulfillmentStatus::not_started:
        ++not_started;
        break;
      case FulfillmentStatus::in_progress:
        ++in_progress;
        break;
      case FulfillmentStatus::completed:
        ++completed;
        break;
      case FulfillmentStatus::withdrawn:
        ++withdrawn;
        break;
    }
  }
  json to_json() const {
    const int assigned = not_started + in_progress + overdue + completed;
    json out{{"notStarted", not_started}, {"inProgress", in_progress}, {"overdue", overdue},
             {"completed", completed},    {"withdrawn", withdrawn},    {"resultsExpiring", expiring},
             {"resultsExpired", expired}};
    out["completionRate"] = assigned == 0 ? json(nullptr) : json(static_cast<double>(completed) / assigned);
    return out;
  }
};

}  // namespace

json insights(const Engine& engine, std::string_view user, std::string_view site, std::string_view date,
              bool include_child_sites) {
  if (bad_date(date)) return error("invalid-date", "/date", "expected an ISO-8601 date");
  const Snapshot& s = engine.snapshot();
  Request gate = request(user, "training.insights.view", s, kNone);
  gate.site = std::string(site);
  if (Decision d = engine.decide(gate); !d.allowed) return denied(d);  // T3
  const Index root = s.site_ids.find(site);
  SiteGate t3(engine, user, "training.insights.view");
  std::set<Index> sites{root};
  if (include_child_sites) {
    for (Index other = 0; other < s.sites.size(); ++other) {
      if (other != root && s.is_ancestor_or_self(root, other) && t3(other)) sites.insert(other);
    }
  }
  Counts totals;
  std::map<Index, Counts> by_course;
  std::map<Index, Counts> by_person;
  for (const Fulfillment& f : s.fulfillments) {
    const Course& c = s.courses[f.course];
    if (sites.count(c.site) == 0) continue;
    totals.add(f, date);
    by_course[f.course].add(f, date);
    by_person[f.user].add(f, date);
  }
  const detail::ResultSites result_sites(s);
  for (const TrainingResult& r : s.results) {
    const Index rs = result_sites(r.user, r.course);
    if (sites.count(rs) == 0) continue;
    const std::string_view state = result_state(r, date);
    const int expiring = state == "expiring" ? 1 : 0;
    const int expired = state == "expired" ? 1 : 0;
    totals.expiring += expiring;
    totals.expired += expired;
    if (r.course != kNone) {
      by_course[r.course].expiring += expiring;
      by_course[r.course].expired += expired;
    }
    by_person[r.user].expiring += expiring;
    by_person[r.user].expired += expired;
  }
  json courses = json::array();
  for (const auto& [c, counts] : by_course) {
    json j = counts.to_json();
    j["course"] = s.course_ids.at(c);
    j["title"] = s.courses[c].title;
    j["site"] = s.site_ids.at(s.courses[c].site);
    if (s.courses[c].deleted) j["deleted"] = true;
    courses.push_back(std::move(j));
  }
  json people = json::array();
  for (const auto& [u, counts] : by_person) {
    json j = counts.to_json();
    j["user"] = s.user_ids.at(u);
    j["name"] = s.users[u].name;
    people.push_back(std::move(j));
  }
  json site_list = json::array();
  for (Index i : sites) site_list.push_back(s.site_ids.at(i));
  return ok({{"site", std::string(site)},
             {"date", std::string(date)},
             {"sites", site_list},
             {"totals", totals.to_json()},
             {"courses", courses},
             {"people", people}});
}

json training_of(const Engine& engine, std::string_view user, std::string_view person,
                 std::string_view date) {
  if (bad_date(date)) return error("invalid-date", "/date", "expected an ISO-8601 date");
  const Snapshot& s = engine.snapshot();
  const Index p = is_valid_id(person) ? s.user_ids.find(person) : kNone;
  Request gate = request(user, "training.profile.view", s, kNone);
  if (p == kNone) {
    gate.resource.record = std::string(person);  // an id the snapshot does not hold: unknown-resource
    Decision d = engine.decide(gate);
    if (d.code == Code::unknown_resource) d.message = "unknown person `" + detail::clip(person) + "`";
    return denied(d);
  }
  // The profile's record, when there is one, decides (T4); otherwise each site does.
  for (Index i = 0; i < s.records.size(); ++i) {
    if (s.records[i].user == p && !s.records[i].deleted) {
      gate.resource.record = s.record_ids.at(i);
      if (Decision d = engine.decide(gate); !d.allowed) return denied(d);
      break;
    }
  }
  SiteGate t4(engine, user, "training.profile.view");
  json fulfillments = json::array();
  for (Index f = 0; f < s.fulfillments.size(); ++f) {
    if (s.fulfillments[f].user == p && t4(s.courses[s.fulfillments[f].course].site)) {
      fulfillments.push_back(fulfillment_json(s, f, date));
    }
  }
  json results = json::array();
  for (Index i = 0; i < s.results.size(); ++i) {
    if (s.results[i].user == p && t4(result_site(s, s.results[i])))
      results.push_back(result_json(s, i, date));
  }
  return ok({{"person", std::string(person)},
             {"name", s.users[p].name},
             {"fulfillments", fulfillments},
             {"results", results}});
}

namespace detail {

ResultSites::ResultSites(const Snapshot& s) : s_(s), record_site_(s.users.size(), kNone) {
  for (auto it = s.records.rbegin(); it != s.records.rend(); ++it) {  // the first live record wins
    if (it->user != kNone && !it->deleted) record_site_[it->user] = it->site;
  }
}

Index ResultSites::operator()(Index user, Index course) const noexcept {
  if (course != kNone) return s_.courses[course].site;
  return user < record_site_.size() ? record_site_[user] : kNone;
}

Index result_site(const Snapshot& s, Index user, Index course) { return ResultSites(s)(user, course); }

}  // namespace detail

std::string_view freshness(const Engine& engine, std::string_view date) {
  const std::string& until = engine.snapshot().valid_until;
  if (until.empty()) return "fresh";
  auto days = detail::days_between(date, until);
  if (!days) return date > std::string_view(until) ? "stale" : "fresh";
  if (*days != 0) return *days < 0 ? "stale" : "fresh";
  return date.size() > 10 && until.size() > 10 && date > std::string_view(until) ? "stale" : "fresh";
}

}  // namespace calm
