// Training views (calm/training.hpp): read-only answers shaped for the
// viewer, each gated by the decision function.

#include <map>
#include <set>
#include <string>

#include "calm/training.hpp"
#include "detail/dates.hpp"
#include "detail/json_util.hpp"
#include "detail/visibility.hpp"

namespace calm {

using nlohmann::json;

namespace {

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
ResultState result_state(const TrainingResult& r, std::string_view date) {
  if (r.expires_on.empty()) return ResultState::valid;
  auto days = detail::days_between(date, r.expires_on);
  if (!days) return ResultState::valid;
  if (*days < 0) return ResultState::expired;
  return *days <= 30 ? ResultState::expiring : ResultState::valid;
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

FulfillmentItem fulfillment_item(const Snapshot& s, Index f, std::string_view date) {
  const Fulfillment& ful = s.fulfillments[f];
  const Course& course = s.courses[ful.course];
  // A deleted course's steps are shown nowhere (W5: it is history, unknown to
  // every check, a stub without steps in a viewer snapshot, SERVER.md V4), so
  // its fulfillments count none: the same progress on either state (V2).
  auto [done, total] = course.deleted ? std::pair<int, int>{0, 0} : progress(s, f);
  FulfillmentItem out;
  out.fulfillment = s.fulfillment_ids.at(f);
  if (ful.assignment != kNone) out.assignment = s.assignment_ids.at(ful.assignment);
  out.user = s.user_ids.at(ful.user);
  out.course = s.course_ids.at(ful.course);
  out.title = course.title;
  out.site = s.site_ids.at(course.site);
  out.source = course.source;
  out.status = ful.status;
  out.overdue = is_overdue(ful, date);
  out.progress = Progress{done, total};
  out.due_date = ful.due_date;
  out.completed_at = ful.completed_at;
  return out;
}

ResultItem result_item(const Snapshot& s, Index i, std::string_view date) {
  const TrainingResult& r = s.results[i];
  ResultItem out;
  out.result = s.result_ids.at(i);
  out.title = r.title;
  out.completed_on = r.completed_on;
  out.state = result_state(r, date);
  out.source = r.source;
  if (r.course != kNone) out.course = s.course_ids.at(r.course);
  // The completion of a fulfillment records its result as `<fulfillment>:result`
  // (training.course.complete): the core's own id format, read only here.
  constexpr std::string_view kSuffix = ":result";
  const std::string& id = out.result;
  if (id.size() > kSuffix.size() && id.compare(id.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
    const Index f = s.fulfillment_ids.find(std::string_view(id).substr(0, id.size() - kSuffix.size()));
    if (f != kNone && s.fulfillments[f].user == r.user) out.fulfillment = s.fulfillment_ids.at(f);
  }
  out.score = r.score;
  out.expires_on = r.expires_on;
  if (auto it = r.extra.find("file"); it != r.extra.end()) out.file = *it;
  return out;
}

bool bad_date(std::string_view date) { return !detail::parse_date(date); }

std::vector<Error> invalid_date() { return {{"invalid-date", "/date", "expected an ISO-8601 date"}}; }

}  // namespace

Answer<MyCourses> my_courses(const Engine& engine, std::string_view user, std::string_view date) {
  if (bad_date(date)) return invalid_date();
  const Snapshot& s = engine.snapshot();
  const Index u = is_valid_id(user) ? s.user_ids.find(user) : kNone;
  if (u == kNone) return engine.decide(request(user, "training.progress.view_own", s, kNone));
  SiteGate view_own(engine, user, "training.progress.view_own");  // T2
  MyCourses out;
  out.user = std::string(user);
  out.date = std::string(date);
  for (Index f = 0; f < s.fulfillments.size(); ++f) {
    const Fulfillment& ful = s.fulfillments[f];
    if (ful.user != u || ful.status == FulfillmentStatus::withdrawn) continue;
    if (!view_own(s.courses[ful.course].site)) continue;
    FulfillmentItem item = fulfillment_item(s, f, date);
    if (ful.status == FulfillmentStatus::completed) {
      out.completed.push_back(std::move(item));
      continue;
    }
    Request complete = request(user, "training.course.complete", s, kNone);
    complete.resource.fulfillment = s.fulfillment_ids.at(f);
    item.can_complete = engine.decide(complete);  // T1, T15
    (item.overdue ? out.overdue : out.open).push_back(std::move(item));
  }
  for (Index i = 0; i < s.results.size(); ++i) {
    const TrainingResult& r = s.results[i];
    if (r.user != u) continue;
    const Index site = result_site(s, r);
    if (site != kNone && !view_own(site)) continue;
    const ResultState state = result_state(r, date);
    if (state == ResultState::expiring) out.expiring.push_back(result_item(s, i, date));
    if (state == ResultState::expired) out.expired.push_back(result_item(s, i, date));
  }
  return out;
}

Answer<CourseView> course_view(const Engine& engine, std::string_view user, std::string_view course) {
  const Snapshot& s = engine.snapshot();
  Request view = request(user, "training.course.view", s, kNone);
  view.resource.course = std::string(course);
  Decision d = engine.decide(view);  // T5
  if (!d.allowed) return d;
  const Index c = s.course_ids.find(course);
  const Course& crs = s.courses[c];
  Request edit = view;
  edit.action = "training.course.edit";
  Request quiz = view;
  quiz.action = "training.quiz.manage";
  const bool keys = engine.can(quiz);  // answer keys only for quiz managers (T11)
  CourseView out;
  for (const Step& step : crs.steps) {
    StepView v;
    v.id = step.id;
    v.type = step.type;
    v.title = step.title;
    if (auto it = step.extra.find("body"); it != step.extra.end() && it->is_string())
      v.body = it->get<std::string>();
    if (auto it = step.extra.find("url"); it != step.extra.end() && it->is_string())
      v.url = it->get<std::string>();
    if (auto it = step.extra.find("file"); it != step.extra.end()) v.file = *it;
    if (step.assessment) {
      AssessmentView a;
      a.pass_mark = step.assessment->pass_mark;
      a.max_attempts = step.assessment->max_attempts;
      for (const Question& q : step.assessment->questions) {
        QuestionView qv;
        qv.id = q.id;
        qv.text = q.text;
        qv.kind = q.kind;
        for (const auto& [id, text] : q.options) qv.options.push_back({id, text});
        if (keys && q.correct) qv.correct = *q.correct;
        a.questions.push_back(std::move(qv));
      }
      v.assessment = std::move(a);
    }
    out.steps.push_back(std::move(v));
  }
  out.id = std::string(course);
  out.site = s.site_ids.at(crs.site);
  out.title = crs.title;
  out.description = crs.description;
  out.source = crs.source;
  out.status = crs.status;
  out.read_only = !engine.can(edit);
  out.external_id = crs.external_id;
  out.validity_months = crs.validity_months;
  return out;
}

Answer<Attempts> attempts_view(const Engine& engine, std::string_view user, std::string_view fulfillment) {
  const Snapshot& s = engine.snapshot();
  Request own = request(user, "training.progress.view_own", s, kNone);
  Request review = request(user, "training.assessment.review", s, kNone);
  const Index f = is_valid_id(fulfillment) ? s.fulfillment_ids.find(fulfillment) : kNone;
  const Index u = is_valid_id(user) ? s.user_ids.find(user) : kNone;
  if (u == kNone || f == kNone) {
    Request probe = request(user, "training.course.complete", s, kNone);
    probe.resource.fulfillment = std::string(fulfillment);
    return engine.decide(probe);  // unknown-user or unknown-resource
  }
  const Fulfillment& ful = s.fulfillments[f];
  const Index site = s.courses[ful.course].site;
  if (ful.user == u) {
    own.site = s.site_ids.at(site);
    if (Decision d = engine.decide(own); !d.allowed) return d;  // T2
  } else {
    review.resource.course = s.course_ids.at(ful.course);
    if (Decision d = engine.decide(review); !d.allowed) return d;  // T10
  }
  Attempts out;
  out.fulfillment = std::string(fulfillment);
  out.user = s.user_ids.at(ful.user);
  for (Index i = 0; i < s.attempts.size(); ++i) {
    const Attempt& a = s.attempts[i];
    if (a.fulfillment != f) continue;
    AttemptItem item;
    item.attempt = s.attempt_ids.at(i);
    item.step = a.step;
    item.at = a.at;
    item.answers = a.answers;
    item.pending = a.pending;
    if (!a.pending) {
      item.score = a.score;
      item.passed = a.passed;
    }
    out.attempts.push_back(std::move(item));
  }
  return out;
}

std::optional<double> Counts::completion_rate() const noexcept {
  const int assigned = not_started + in_progress + overdue + completed;
  if (assigned == 0) return std::nullopt;
  return static_cast<double>(completed) / assigned;
}

namespace {

void add(Counts& counts, const Fulfillment& f, std::string_view date) {
  if (is_overdue(f, date)) {
    ++counts.overdue;
    return;
  }
  switch (f.status) {
    case FulfillmentStatus::not_started:
      ++counts.not_started;
      break;
    case FulfillmentStatus::in_progress:
      ++counts.in_progress;
      break;
    case FulfillmentStatus::completed:
      ++counts.completed;
      break;
    case FulfillmentStatus::withdrawn:
      ++counts.withdrawn;
      break;
  }
}

}  // namespace

Answer<Insights> insights(const Engine& engine, std::string_view user, std::string_view site,
                          std::string_view date, bool include_child_sites) {
  if (bad_date(date)) return invalid_date();
  const Snapshot& s = engine.snapshot();
  Request gate = request(user, "training.insights.view", s, kNone);
  gate.site = std::string(site);
  if (Decision d = engine.decide(gate); !d.allowed) return d;  // T3
  const Index root = s.site_ids.find(site);
  SiteGate t3(engine, user, "training.insights.view");
  std::set<Index> sites{root};
  if (include_child_sites) {
    for (Index other = 0; other < s.sites.size(); ++other) {
      if (other != root && s.is_ancestor_or_self(root, other) && t3(other)) sites.insert(other);
    }
  }
  Insights out;
  std::map<Index, Counts> by_course;
  std::map<Index, Counts> by_person;
  for (const Fulfillment& f : s.fulfillments) {
    const Course& c = s.courses[f.course];
    if (sites.count(c.site) == 0) continue;
    add(out.totals, f, date);
    add(by_course[f.course], f, date);
    add(by_person[f.user], f, date);
  }
  const detail::ResultSites result_sites(s);
  for (const TrainingResult& r : s.results) {
    const Index rs = result_sites(r.user, r.course);
    if (sites.count(rs) == 0) continue;
    const ResultState state = result_state(r, date);
    const int expiring = state == ResultState::expiring ? 1 : 0;
    const int expired = state == ResultState::expired ? 1 : 0;
    out.totals.results_expiring += expiring;
    out.totals.results_expired += expired;
    if (r.course != kNone) {
      by_course[r.course].results_expiring += expiring;
      by_course[r.course].results_expired += expired;
    }
    by_person[r.user].results_expiring += expiring;
    by_person[r.user].results_expired += expired;
  }
  for (const auto& [c, counts] : by_course) {
    out.courses.push_back({s.course_ids.at(c), s.courses[c].title, s.site_ids.at(s.courses[c].site),
                           s.courses[c].deleted, counts});
  }
  for (const auto& [u, counts] : by_person) out.people.push_back({s.user_ids.at(u), s.users[u].name, counts});
  out.site = std::string(site);
  out.date = std::string(date);
  for (Index i : sites) out.sites.push_back(s.site_ids.at(i));
  return out;
}

Answer<TrainingOf> training_of(const Engine& engine, std::string_view user, std::string_view person,
                               std::string_view date) {
  if (bad_date(date)) return invalid_date();
  const Snapshot& s = engine.snapshot();
  const Index p = is_valid_id(person) ? s.user_ids.find(person) : kNone;
  Request gate = request(user, "training.profile.view", s, kNone);
  if (p == kNone) {
    gate.resource.record = std::string(person);  // an id the snapshot does not hold: unknown-resource
    Decision d = engine.decide(gate);
    if (d.code == Code::unknown_resource) d.message = "unknown person `" + detail::clip(person) + "`";
    return d;
  }
  // The profile's record, when there is one, decides (T4); otherwise each site does.
  for (Index i = 0; i < s.records.size(); ++i) {
    if (s.records[i].user == p && !s.records[i].deleted) {
      gate.resource.record = s.record_ids.at(i);
      if (Decision d = engine.decide(gate); !d.allowed) return d;
      break;
    }
  }
  SiteGate t4(engine, user, "training.profile.view");
  TrainingOf out;
  out.person = std::string(person);
  out.name = s.users[p].name;
  for (Index f = 0; f < s.fulfillments.size(); ++f) {
    if (s.fulfillments[f].user == p && t4(s.courses[s.fulfillments[f].course].site)) {
      out.fulfillments.push_back(fulfillment_item(s, f, date));
    }
  }
  for (Index i = 0; i < s.results.size(); ++i) {
    if (s.results[i].user == p && t4(result_site(s, s.results[i])))
      out.results.push_back(result_item(s, i, date));
  }
  return out;
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
