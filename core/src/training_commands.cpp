// Training commands (TRAINING.md W1-W14), each guarded by the decision
// function (ACCESS.md T1-T15) with exactly the request a UI gate would send.

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "detail/dates.hpp"
#include "detail/grading.hpp"
#include "detail/visibility.hpp"
#include "workflow_impl.hpp"

namespace calm::detail {

using nlohmann::json;

namespace {

constexpr bool kReq = JsonReader::kRequired;
constexpr bool kOpt = JsonReader::kOptional;

// W9: an assessment is valid when it has a question, and every question has
// two options, unique option ids and at least one correct option among them.
std::string assessment_problem(const Step& step) {
  if (!step.assessment) return "assessment step `" + step.id + "` has no assessment";
  const Assessment& a = *step.assessment;
  if (a.questions.empty()) return "assessment `" + step.id + "` has no questions";
  for (const Question& q : a.questions) {
    if (q.options.size() < 2) return "question `" + q.id + "` needs at least two options";
    std::set<std::string> ids;
    for (const auto& option : q.options) {
      if (!ids.insert(option.first).second)
        return "question `" + q.id + "` repeats option `" + option.first + "`";
    }
    if (!q.correct || q.correct->empty()) return "question `" + q.id + "` needs at least one correct option";
    for (const std::string& c : *q.correct) {
      if (ids.count(c) == 0) return "question `" + q.id + "` marks unknown option `" + c + "` correct";
    }
  }
  return {};
}

// W2: publishable when there is a step and every assessment step is valid.
std::string publish_problem(const Course& course) {
  if (course.steps.empty()) return "a course needs at least one step to be published";
  for (const Step& step : course.steps) {
    if (step.type != StepType::assessment) continue;
    if (std::string problem = assessment_problem(step); !problem.empty()) return problem;
  }
  return {};
}

const Step* find_step(const Course& course, std::string_view id) {
  for (const Step& step : course.steps) {
    if (step.id == id) return &step;
  }
  return nullptr;
}

// The id string of a required id field; records an error when absent.
std::optional<std::string> id_field(CommandContext& ctx, std::string_view key) {
  return ctx.reader.id(ctx.command, key, kReq);
}

// A new id for `table`: well-formed and not taken (tombstones included).
Resource course_resource(const std::string& course) {
  Resource r;
  r.course = course;
  return r;
}

Resource fulfillment_resource(const std::string& fulfillment) {
  Resource r;
  r.fulfillment = fulfillment;
  return r;
}

// The course of a guarded request (the guard has already denied unknown ids).
Index live_course(const Snapshot& s, const std::string& id) {
  Index c = s.course_ids.find(id);
  return c != kNone && !s.courses[c].deleted ? c : kNone;
}

bool blank(std::string_view text) { return text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos; }

// Reads `course.update`'s changes or `course.create`'s course body into `course`.
void read_course_fields(CommandContext& ctx, const json& body, Course& course) {
  auto& r = ctx.reader;
  if (body.contains("title")) {
    course.title = r.text(body, "title");
    if (body["title"].is_string() && blank(course.title))  // command table (changed)
      r.fail_at("title", "blank", "expected a course title that is not blank");
  }
  if (body.contains("description")) course.description = r.text(body, "description");
  if (body.contains("steps")) {
    std::vector<Step> steps;
    read_steps(r, body, steps);
    course.steps = std::move(steps);
  }
  if (body.contains("validityMonths")) {
    if (body["validityMonths"].is_null()) {
      course.validity_months.reset();
    } else {
      course.validity_months = r.integer(body, "validityMonths", 0, 0, 1200);
    }
  }
}

void course_create(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto site = id_field(ctx, "site");
  const json* body = r.member(ctx.command, "course", kReq, json::value_t::object);
  if (!site || body == nullptr) return;
  std::optional<std::string> id;
  Course course;
  {
    auto g = r.push("course");
    id = ctx.new_id(*body, "id", ctx.state.course_ids, "course");
    if (!body->contains("title")) r.fail_at("title", "missing-field", "expected `title`");
    read_course_fields(ctx, *body, course);
  }
  if (!ctx.guard("training.course.create", {}, *site)) return;
  ctx.edit([&](Snapshot& s) {
    course.site = s.site_ids.find(*site);
    course.source = CourseSource::calm;
    course.status = CourseStatus::draft;  // W1
    course.created_by = ctx.actor_id;
    course.updated_at = ctx.at;
    s.course_ids.add(*id);
    s.courses.push_back(std::move(course));
    ctx.emit("training.course.created", *id, s.courses.back().site, {{"title", s.courses.back().title}});
  });
}

void course_update(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto id = id_field(ctx, "course");
  const json* changes = r.member(ctx.command, "changes", kReq, json::value_t::object);
  if (!id || changes == nullptr) return;
  if (!ctx.guard("training.course.edit", course_resource(*id))) return;  // T6 / T7
  const Index c = live_course(ctx.state, *id);
  Course updated = ctx.state.courses[c];
  {
    auto g = r.push("changes");
    read_course_fields(ctx, *changes, updated);
  }
  if (!ctx.fine()) return;
  if (updated.status == CourseStatus::published && updated.source == CourseSource::calm) {
    // A published Calm course stays publishable (W2); external content is iHasco's.
    if (std::string problem = publish_problem(updated); !problem.empty()) return ctx.refuse("W2", problem);
  }
  ctx.edit([&](Snapshot& s) {
    updated.updated_at = ctx.at;
    // W3: progress on steps that remain is kept; completed fulfillments stay completed.
    for (Fulfillment& f : s.fulfillments) {
      if (f.course != c || !is_open(f.status)) continue;
      std::erase_if(f.completed_steps,
                    [&](const std::string& step) { return find_step(updated, step) == nullptr; });
    }
    json fields = json::array();
    for (const auto& [key, value] : changes->items()) fields.push_back(key);
    s.courses[c] = std::move(updated);
    ctx.emit("training.course.updated", *id, s.courses[c].site, {{"fields", fields}});
  });
}

void course_publish(CommandContext& ctx) {
  auto id = id_field(ctx, "course");
  if (!id || !ctx.guard("training.course.publish", course_resource(*id))) return;
  const Index c = live_course(ctx.state, *id);
  const Course& course = ctx.state.courses[c];
  if (course.status == CourseStatus::published)
    return ctx.refuse("W1", "course `" + *id + "` is already published");
  if (course.status == CourseStatus::archived) {
    return ctx.refuse("W1", "course `" + *id + "` is archived: restore it to publish it again");
  }
  if (std::string problem = publish_problem(course); !problem.empty()) return ctx.refuse("W2", problem);
  ctx.edit([&](Snapshot& s) {
    Course& changed = s.courses[c];
    changed.status = CourseStatus::published;
    changed.updated_at = ctx.at;
    ctx.emit("training.course.published", *id, changed.site);
  });
}

void course_archive(CommandContext& ctx) {
  auto id = id_field(ctx, "course");
  if (!id || !ctx.guard("training.course.archive", course_resource(*id))) return;
  const Index c = live_course(ctx.state, *id);
  const Course& course = ctx.state.courses[c];
  if (course.status != CourseStatus::published) {
    return ctx.refuse("W1", "only a published course can be archived; `" + *id + "` is not published");
  }
  ctx.edit([&](Snapshot& s) {
    Course& changed = s.courses[c];
    changed.status = CourseStatus::archived;  // W4: open fulfillments stay completable
    changed.updated_at = ctx.at;
    ctx.emit("training.course.archived", *id, changed.site);
  });
}

void course_restore(CommandContext& ctx) {
  auto id = id_field(ctx, "course");
  // Restoring is publishing an archived course again (W1), so it is the publish gate.
  if (!id || !ctx.guard("training.course.publish", course_resource(*id))) return;
  const Index c = live_course(ctx.state, *id);
  const Course& course = ctx.state.courses[c];
  if (course.status != CourseStatus::archived) {
    return ctx.refuse("W1", "only an archived course can be restored; `" + *id + "` is not archived");
  }
  if (course.source == CourseSource::calm) {
    if (std::string problem = publish_problem(course); !problem.empty()) return ctx.refuse("W2", problem);
  }
  ctx.edit([&](Snapshot& s) {
    Course& changed = s.courses[c];
    changed.status = CourseStatus::published;
    changed.updated_at = ctx.at;
    ctx.emit("training.course.restored", *id, changed.site);
  });
}

// Withdraws every open fulfillment that `pick` selects; returns their ids.
template <typename Pick>
json withdraw_open(Snapshot& s, Pick pick) {
  json withdrawn = json::array();
  for (Index i = 0; i < s.fulfillments.size(); ++i) {
    Fulfillment& f = s.fulfillments[i];
    if (is_open(f.status) && pick(f)) {
      f.status = FulfillmentStatus::withdrawn;
      withdrawn.push_back(s.fulfillment_ids.at(i));
    }
  }
  return withdrawn;
}

void course_delete(CommandContext& ctx) {
  auto id = id_field(ctx, "course");
  if (!id || !ctx.guard("training.course.delete", course_resource(*id))) return;  // T8 / T7
  ctx.edit([&](Snapshot& s) {
    const Index c = live_course(s, *id);
    // W5: open fulfillments are withdrawn; completed ones and results stay as history.
    json withdrawn = withdraw_open(s, [&](const Fulfillment& f) { return f.course == c; });
    for (TrainingResult& result : s.results) {
      if (result.course == c && result.title.empty()) result.title = s.courses[c].title;
    }
    s.courses[c].deleted = true;
    s.courses[c].updated_at = ctx.at;
    ctx.emit("training.course.deleted", *id, s.courses[c].site, {{"withdrawn", withdrawn}});
  });
}

void course_assign(CommandContext& ctx) {
  auto& r = ctx.reader;
  const Snapshot& s = ctx.state;
  auto id = id_field(ctx, "course");
  auto assignment_id = ctx.new_id(ctx.command, "assignment", s.assignment_ids, "assignment");
  std::vector<Index> people = r.ref_list(ctx.command, "people", s.user_ids, "user");
  std::vector<Index> groups = r.ref_list(ctx.command, "groups", s.group_ids, "group");
  const std::string due = r.date(ctx.command, "dueDate");
  // Together at least one person or group (command table, changed).
  std::size_t named = 0;
  for (const char* key : {"people", "groups"}) {
    if (auto it = ctx.command.find(key); it != ctx.command.end() && it->is_array()) named += it->size();
  }
  const bool malformed = (ctx.command.contains("people") && !ctx.command["people"].is_array()) ||
                         (ctx.command.contains("groups") && !ctx.command["groups"].is_array());
  if (named == 0 && !malformed) {
    r.fail_at("people", "missing-field", "expected at least one person in `people` or group in `groups`");
  }
  if (!id || !ctx.guard("training.course.assign", course_resource(*id))) return;  // T6
  const Index c = live_course(s, *id);
  const Course& course = s.courses[c];
  if (course.status != CourseStatus::published) {
    return ctx.refuse(course.status == CourseStatus::archived ? "W4" : "W7",
                      "only a published course takes assignments; `" + *id + "` is " +
                          (course.status == CourseStatus::archived ? "archived" : "a draft"));
  }
  // T14: groups expand to their members now; each person once.
  std::vector<Index> everyone;
  auto add = [&](Index u) {
    if (std::find(everyone.begin(), everyone.end(), u) == everyone.end()) everyone.push_back(u);
  };
  for (Index u : people) add(u);
  for (Index g : groups) {
    for (Index u : s.groups[g].members) add(u);
  }
  json assigned = json::array();
  json skipped = json::array();
  std::vector<Index> to_create;
  for (Index u : everyone) {
    const bool holds_open =
        std::any_of(s.fulfillments.begin(), s.fulfillments.end(),
                    [&](const Fulfillment& f) { return f.course == c && f.user == u && is_open(f.status); });
    if (holds_open) {
      skipped.push_back({{"user", s.user_ids.at(u)}, {"reason", "already-assigned"}});
    } else if (ctx.engine.effective_role(u, course.site, kModulePersonnel) < Role::member) {
      skipped.push_back({{"user", s.user_ids.at(u)}, {"reason", "no-personnel-access"}});  // T15
    } else {
      const std::string fid = *assignment_id + ":" + s.user_ids.at(u);
      if (s.fulfillment_ids.find(fid) != kNone) {
        r.fail_at("assignment", "duplicate-id", "fulfillment `" + clip(fid) + "` already exists");
        return;
      }
      assigned.push_back({{"user", s.user_ids.at(u)}, {"fulfillment", fid}});
      to_create.push_back(u);
    }
  }
  ctx.result = {{"assigned", assigned}, {"skipped", skipped}};
  ctx.edit({.fulfillments = true}, [&](Snapshot& w) {
    Assignment a;
    a.course = c;
    a.people = people;
    a.groups = groups;
    a.due_date = due;
    a.assigned_by = ctx.actor_id;
    a.assigned_at = ctx.at;
    w.assignment_ids.add(*assignment_id);
    w.assignments.push_back(std::move(a));
    const Index a_index = static_cast<Index>(w.assignments.size() - 1);
    for (Index u : to_create) {
      Fulfillment f;
      f.course = c;
      f.user = u;
      f.assignment = a_index;
      f.due_date = due;
      w.fulfillment_ids.add(*assignment_id + ":" + w.user_ids.at(u));
      w.fulfillments.push_back(std::move(f));
    }
    ctx.emit("training.course.assigned", *assignment_id, course.site,
             {{"course", *id}, {"assigned", assigned}, {"skipped", skipped}, {"dueDate", due}});
  });
}

void assignment_revoke(CommandContext& ctx) {
  const Snapshot& s = ctx.state;
  auto id = id_field(ctx, "assignment");
  if (!id) return;
  const Index a = s.assignment_ids.find(*id);
  if (a == kNone) {
    ctx.reader.fail_at("assignment", "dangling-reference", "no assignment `" + clip(*id) + "`");
    return;
  }
  const std::string& course_id = s.course_ids.at(s.assignments[a].course);
  if (!ctx.guard("training.course.assign", course_resource(course_id))) return;  // T6
  if (s.assignments[a].revoked) return ctx.refuse("W7", "assignment `" + *id + "` is already revoked");
  ctx.edit([&](Snapshot& w) {
    json withdrawn = withdraw_open(w, [&](const Fulfillment& f) { return f.assignment == a; });
    w.assignments[a].revoked = true;
    ctx.emit("training.assignment.revoked", *id, w.courses[w.assignments[a].course].site,
             {{"course", course_id}, {"withdrawn", withdrawn}});
  });
}

// The checks common to a learner's commands on their fulfillment (T1, W8).
// Returns the fulfillment index, or kNone when refused.
Index learner_fulfillment(CommandContext& ctx, std::string& id) {
  auto fid = id_field(ctx, "fulfillment");
  if (!fid) return kNone;
  id = *fid;
  if (!ctx.guard("training.course.complete", fulfillment_resource(id))) return kNone;  // T1, T15
  const Snapshot& s = ctx.state;
  const Index f = s.fulfillment_ids.find(id);
  const Fulfillment& ful = s.fulfillments[f];
  const Course& course = s.courses[ful.course];
  if (!is_open(ful.status)) {
    ctx.refuse("W8", "fulfillment `" + id + "` is " +
                         (ful.status == FulfillmentStatus::completed ? "already completed" : "withdrawn"));
    return kNone;
  }
  if (course.deleted || course.status == CourseStatus::draft) {
    ctx.refuse("W8", "the course of fulfillment `" + id + "` is not published");
    return kNone;
  }
  return f;
}

// Part of a change: runs inside `CommandContext::edit` on the writable state.
void mark_started(CommandContext& ctx, Snapshot& s, Index f) {
  Fulfillment& ful = s.fulfillments[f];
  if (ful.status != FulfillmentStatus::not_started) return;
  ful.status = FulfillmentStatus::in_progress;
  ctx.emit("training.fulfillment.started", s.fulfillment_ids.at(f), s.courses[ful.course].site);
}

void step_complete(CommandContext& ctx) {
  std::string fid;
  auto step_id = id_field(ctx, "step");
  const Index f = learner_fulfillment(ctx, fid);
  if (f == kNone || !step_id) return;
  const Fulfillment& ful = ctx.state.fulfillments[f];
  const Course& course = ctx.state.courses[ful.course];
  const Step* step = find_step(course, *step_id);
  if (step == nullptr) {
    ctx.reader.fail_at("step", "dangling-reference", "course has no step `" + clip(*step_id) + "`");
    return;
  }
  if (step->type == StepType::assessment) {
    return ctx.refuse("W8", "step `" + *step_id + "` is an assessment: it is done by passing it");
  }
  if (std::find(ful.completed_steps.begin(), ful.completed_steps.end(), *step_id) !=
      ful.completed_steps.end()) {
    return ctx.refuse("W8", "step `" + *step_id + "` is already done");
  }
  ctx.edit([&](Snapshot& s) {
    s.fulfillments[f].completed_steps.push_back(*step_id);
    mark_started(ctx, s, f);
    ctx.emit("training.step.completed", fid, course.site, {{"step", *step_id}});
  });
}

std::vector<Index> attempts_of(const Snapshot& s, Index f, std::string_view step) {
  std::vector<Index> out;
  for (Index i = 0; i < s.attempts.size(); ++i) {
    if (s.attempts[i].fulfillment == f && s.attempts[i].step == step) out.push_back(i);
  }
  return out;
}

}  // namespace

// W10: score and pass of `answers` against `assessment`; nullopt when the key is absent (W11).
std::optional<std::pair<int, bool>> grade(const Assessment& assessment, const json& answers) {
  std::size_t correct = 0;
  for (const Question& q : assessment.questions) {
    if (!q.correct) return std::nullopt;
    std::set<std::string> chosen;
    if (auto it = answers.find(q.id); it != answers.end() && it->is_array()) {
      for (const json& option : *it) {
        if (option.is_string()) chosen.insert(option.get<std::string>());
      }
    }
    const std::set<std::string> key(q.correct->begin(), q.correct->end());
    if (chosen == key) ++correct;
  }
  const std::size_t n = assessment.questions.size();
  const int score = n == 0 ? 0 : static_cast<int>((200 * correct + n) / (2 * n));  // round half up
  return std::make_pair(score, score >= assessment.pass_mark);
}

void grade_pending(Snapshot& s) {
  for (Attempt& attempt : s.attempts) {
    if (!attempt.pending) continue;
    const Course& course = s.courses[s.fulfillments[attempt.fulfillment].course];
    const Step* step = find_step(course, attempt.step);
    if (step == nullptr || !step->assessment) continue;
    if (auto graded = grade(*step->assessment, attempt.answers)) {
      attempt.score = graded->first;
      attempt.passed = graded->second;
      attempt.pending = false;
    }
  }
}

namespace {

void assessment_submit(CommandContext& ctx) {
  auto& r = ctx.reader;
  const Snapshot& s = ctx.state;
  std::string fid;
  auto step_id = id_field(ctx, "step");
  auto attempt_id = ctx.new_id(ctx.command, "attempt", s.attempt_ids, "attempt");
  const json* answers = r.member(ctx.command, "answers", kReq, json::value_t::object);
  const Index f = learner_fulfillment(ctx, fid);
  if (f == kNone || !step_id || answers == nullptr) return;
  const Course& course = s.courses[s.fulfillments[f].course];
  const Step* step = find_step(course, *step_id);
  if (step == nullptr || step->type != StepType::assessment || !step->assessment) {
    r.fail_at("step", "dangling-reference", "course has no assessment step `" + clip(*step_id) + "`");
    return;
  }
  const Assessment& assessment = *step->assessment;
  {
    auto g = r.push("answers");
    for (const auto& item : answers->items()) {
      const std::string& qid = item.key();
      const json& chosen = item.value();
      auto gq = r.push(qid);
      auto q = std::find_if(assessment.questions.begin(), assessment.questions.end(),
                            [&](const Question& question) { return question.id == qid; });
      if (q == assessment.questions.end()) {
        r.fail("dangling-reference", "no question `" + clip(qid) + "`");
        continue;
      }
      if (!chosen.is_array()) {
        r.fail("wrong-type", "expected an array of option ids, got " + describe(chosen));
        continue;
      }
      for (std::size_t i = 0; i < chosen.size(); ++i) {
        auto gi = r.push(i);
        const bool known =
            chosen[i].is_string() && std::any_of(q->options.begin(), q->options.end(), [&](const auto& o) {
              return o.first == chosen[i].get<std::string>();
            });
        if (!known) r.fail("dangling-reference", "not an option of question `" + clip(qid) + "`");
      }
      if (q->kind == QuestionKind::single && chosen.size() > 1) {
        r.fail("wrong-type", "a single-choice question takes one option");
      }
      if (chosen.empty()) r.fail("missing-field", "question `" + clip(qid) + "` is not answered");
    }
    // W10 (changed): every question answered, else no attempt is used.
    for (const Question& q : assessment.questions) {
      if (!answers->contains(q.id))
        r.fail_at(q.id, "missing-field", "question `" + clip(q.id) + "` is not answered");
    }
  }
  if (!ctx.fine()) return;
  const std::size_t used = attempts_of(s, f, *step_id).size();
  if (assessment.max_attempts > 0 && used >= static_cast<std::size_t>(assessment.max_attempts)) {
    return ctx.refuse("W10", "all " + std::to_string(assessment.max_attempts) + " attempts are used");
  }
  const auto graded = grade(assessment, *answers);
  ctx.result = graded ? json{{"score", graded->first}, {"passed", graded->second}} : json{{"pending", true}};
  ctx.edit([&](Snapshot& w) {
    Attempt attempt;
    attempt.fulfillment = f;
    attempt.step = *step_id;
    attempt.answers = *answers;
    attempt.at = ctx.at;
    if (graded) {
      attempt.score = graded->first;
      attempt.passed = graded->second;
    } else {
      attempt.pending = true;  // W11
    }
    w.attempt_ids.add(*attempt_id);
    w.attempts.push_back(std::move(attempt));
    mark_started(ctx, w, f);
    json details{{"attempt", *attempt_id}, {"step", *step_id}};
    details.update(ctx.result);
    ctx.emit("training.assessment.submitted", fid, course.site, details);
  });
}

void course_complete(CommandContext& ctx) {
  const Snapshot& s = ctx.state;
  std::string fid;
  const Index f = learner_fulfillment(ctx, fid);
  if (f == kNone) return;
  const Fulfillment& ful = s.fulfillments[f];
  const Index c = ful.course;
  const Course& course = s.courses[c];
  if (course.source == CourseSource::ihasco) {  // W8 (changed): completed on iHasco, arrives by sync
    return ctx.refuse("W8", "`" + clip(course.title) +
                                "` is an iHasco course: it is completed on iHasco, and its result "
                                "completes it here when it arrives by sync");
  }
  std::optional<int> best;
  for (const Step& step : course.steps) {
    if (step.type != StepType::assessment) {
      if (std::find(ful.completed_steps.begin(), ful.completed_steps.end(), step.id) ==
          ful.completed_steps.end()) {
        return ctx.refuse("W8", "step `" + step.id + "` is not done yet");
      }
      continue;
    }
    bool passed = false;
    bool pending = false;
    for (Index a : attempts_of(s, f, step.id)) {
      const Attempt& attempt = s.attempts[a];
      pending = pending || attempt.pending;
      if (attempt.passed.value_or(false)) {
        passed = true;
        best = std::max(best.value_or(0), attempt.score.value_or(0));
      }
    }
    if (!passed) {
      return ctx.refuse("W8", pending ? "assessment `" + step.id + "` is waiting to be graded"
                                      : "assessment `" + step.id + "` is not passed yet");
    }
  }
  const std::string result_id = fid + ":result";
  if (s.result_ids.find(result_id) != kNone) {
    ctx.reader.fail_at("fulfillment", "duplicate-id", "result `" + clip(result_id) + "` already exists");
    return;
  }
  const std::string on = date_part(ctx.at);
  TrainingResult result;
  result.user = ful.user;
  result.course = c;
  result.title = course.title;
  result.completed_on = on;
  result.score = best;
  result.source = ResultSource::course;
  if (course.validity_months) result.expires_on = add_months(on, *course.validity_months);
  ctx.result = {{"result", result_id}, {"completedOn", on}};
  if (!result.expires_on.empty()) ctx.result["expiresOn"] = result.expires_on;
  ctx.edit([&](Snapshot& w) {
    w.fulfillments[f].status = FulfillmentStatus::completed;
    w.fulfillments[f].completed_at = ctx.at;
    w.result_ids.add(result_id);
    w.results.push_back(std::move(result));
    ctx.emit("training.fulfillment.completed", fid, course.site, {{"course", w.course_ids.at(c)}});
    ctx.emit("training.result.recorded", result_id, course.site, ctx.result);
  });
}

// The site a result is recorded at: its course's, else its person's record's.
using detail::result_site;

// T9 at the result's site, or an error naming why no site could be found.
bool guard_results(CommandContext& ctx, Index user, Index course, std::string_view path) {
  const Index site = result_site(ctx.state, user, course);
  if (site == kNone) {
    ctx.reader.fail_at(
        path, "missing-field",
        "expected a `course`, or a personnel record for the person, to know the result's site");
    return false;
  }
  return ctx.guard("training.result.record", {}, ctx.state.site_ids.at(site));
}

void read_result_fields(CommandContext& ctx, const json& body, TrainingResult& out) {
  auto& r = ctx.reader;
  if (body.contains("title")) out.title = r.text(body, "title");
  if (body.contains("completedOn")) out.completed_on = r.date(body, "completedOn");
  if (body.contains("score")) out.score = r.integer(body, "score", 0, 0, 100);
  if (body.contains("expiresOn")) out.expires_on = r.date(body, "expiresOn");
  for (const char* key : {"file", "note"}) {
    if (auto it = body.find(key); it != body.end()) {
      r.text(body, key);
      out.extra[key] = *it;
    }
  }
}

// W12 (changed): the dates of a result that `body` (a new result, or changes)
// gives: `completedOn` a date not after the command's date, `expiresOn` after
// `completedOn`. Errors name the field of `body` at fault.
void check_result_dates(CommandContext& ctx, const json& body, const TrainingResult& result) {
  auto& r = ctx.reader;
  const bool completed_given = body.contains("completedOn") && body["completedOn"].is_string();
  const bool expires_given = body.contains("expiresOn") && body["expiresOn"].is_string();
  if (!completed_given && !expires_given) return;
  if (completed_given && !parse_date(result.completed_on)) {
    return r.fail_at("completedOn", "invalid-date", "expected an ISO-8601 date `YYYY-MM-DD`");
  }
  if (expires_given && !result.expires_on.empty() && !parse_date(result.expires_on)) {
    return r.fail_at("expiresOn", "invalid-date", "expected an ISO-8601 date `YYYY-MM-DD`");
  }
  if (completed_given) {
    const auto ahead = days_between(ctx.at, result.completed_on);
    if (!ahead) {
      return r.fail_at("completedOn", "invalid-date",
                       "the command's `at` is not a timestamp to compare the completion date with");
    }
    if (*ahead > 0) {
      return r.fail_at("completedOn", "invalid-date",
                       "the completion date `" + clip(result.completed_on) + "` is after today (`" +
                           date_part(ctx.at) + "`): a result cannot be completed in the future");
    }
  }
  if (result.expires_on.empty()) return;
  const auto validity = days_between(result.completed_on, result.expires_on);
  if (validity && *validity <= 0) {
    r.fail_at(expires_given ? "expiresOn" : "completedOn", "invalid-date",
              "the expiry date `" + clip(result.expires_on) + "` must be after the completion date `" +
                  clip(result.completed_on) + "`");
  }
}

void result_record(CommandContext& ctx) {
  auto& r = ctx.reader;
  const Snapshot& s = ctx.state;
  const json* body = r.member(ctx.command, "result", kReq, json::value_t::object);
  if (body == nullptr) return;
  std::optional<std::string> id;
  TrainingResult result;
  {
    auto g = r.push("result");
    id = ctx.new_id(*body, "id", s.result_ids, "result");
    result.user = r.ref(*body, "user", s.user_ids, "user", kReq);
    result.course = r.ref(*body, "course", s.course_ids, "course", kOpt);
    if (result.course != kNone && s.courses[result.course].deleted) {
      r.fail_at("course", "dangling-reference", "course was deleted");
    }
    if (!body->contains("completedOn")) r.fail_at("completedOn", "missing-field", "expected `completedOn`");
    if (result.course == kNone && !body->contains("title")) {
      r.fail_at("title", "missing-field", "expected `title` when there is no `course`");
    }
    read_result_fields(ctx, *body, result);
    if (!r.failed()) check_result_dates(ctx, *body, result);
  }
  if (!ctx.fine() || !guard_results(ctx, result.user, result.course, "result")) return;
  if (result.course != kNone && result.title.empty()) result.title = s.courses[result.course].title;
  result.source = ResultSource::manual;
  result.recorded_by = ctx.actor;
  ctx.edit([&](Snapshot& w) {
    const Index site = result_site(w, result.user, result.course);
    // W12: the person'w open fulfillment of that course becomes completed.
    json completed = json::array();
    for (Index i = 0; i < w.fulfillments.size(); ++i) {
      Fulfillment& f = w.fulfillments[i];
      if (result.course != kNone && f.course == result.course && f.user == result.user && is_open(f.status)) {
        f.status = FulfillmentStatus::completed;
        f.completed_at = ctx.at;
        completed.push_back(w.fulfillment_ids.at(i));
        ctx.emit("training.fulfillment.completed", w.fulfillment_ids.at(i), site, {{"by", "result"}});
      }
    }
    w.result_ids.add(*id);
    w.results.push_back(std::move(result));
    ctx.emit("training.result.recorded", *id, site,
             {{"user", w.user_ids.at(w.results.back().user)}, {"completedFulfillments", completed}});
  });
}

Index existing_result(CommandContext& ctx) {
  auto id = id_field(ctx, "result");
  if (!id) return kNone;
  const Index i = ctx.state.result_ids.find(*id);
  if (i == kNone) ctx.reader.fail_at("result", "dangling-reference", "no result `" + clip(*id) + "`");
  return i;
}

json result_json(const Snapshot& s, const TrainingResult& r) {
  json out{{"user", s.user_ids.at(r.user)}, {"title", r.title}, {"completedOn", r.completed_on}};
  if (r.course != kNone) out["course"] = s.course_ids.at(r.course);
  if (r.score) out["score"] = *r.score;
  if (!r.expires_on.empty()) out["expiresOn"] = r.expires_on;
  for (const auto& [key, value] : r.extra.items()) out[key] = value;
  return out;
}

void result_update(CommandContext& ctx) {
  auto& r = ctx.reader;
  const Index i = existing_result(ctx);
  const json* changes = r.member(ctx.command, "changes", kReq, json::value_t::object);
  if (i == kNone || changes == nullptr) return;
  TrainingResult updated = ctx.state.results[i];
  {
    auto g = r.push("changes");
    read_result_fields(ctx, *changes, updated);
    if (!r.failed()) check_result_dates(ctx, *changes, updated);
  }
  if (!ctx.fine() || !guard_results(ctx, updated.user, updated.course, "result")) return;
  ctx.edit([&](Snapshot& s) {
    json before = result_json(s, s.results[i]);
    s.results[i] = std::move(updated);
    ctx.emit("training.result.updated", s.result_ids.at(i),
             result_site(s, s.results[i].user, s.results[i].course),
             {{"before", before}, {"after", result_json(s, s.results[i])}});
  });
}

void result_delete(CommandContext& ctx) {
  const Index i = existing_result(ctx);
  if (i == kNone) return;
  const Snapshot& s = ctx.state;
  if (!guard_results(ctx, s.results[i].user, s.results[i].course, "result")) return;
  ctx.edit([&](Snapshot& w) {
    const std::string id = w.result_ids.at(i);
    const Index site = result_site(w, w.results[i].user, w.results[i].course);
    json removed = result_json(w, w.results[i]);
    w.results.erase(w.results.begin() + static_cast<std::ptrdiff_t>(i));
    IdTable ids;
    for (Index k = 0; k < w.result_ids.size(); ++k) {
      if (k != i) ids.add(w.result_ids.at(k));
    }
    w.result_ids = std::move(ids);
    ctx.emit("training.result.deleted", id, site, {{"result", removed}});  // kept in the audit events (W12)
  });
}

void integration_set(CommandContext& ctx, bool connect) {
  auto& r = ctx.reader;
  auto site = id_field(ctx, "site");
  const json* settings = r.member(ctx.command, "settings", kOpt, json::value_t::object);
  const json* mapping = nullptr;
  if (settings != nullptr) {
    auto g = r.push("settings");
    mapping = r.member(*settings, "mapping", kOpt, json::value_t::object);
  }
  if (!site || !ctx.guard("training.integration.connect", {}, *site)) return;  // T12
  const Index s_index = ctx.state.site_ids.find(*site);
  const IhascoIntegration& ih = ctx.state.integrations[s_index];
  if (connect && ih.connected) return ctx.refuse("W13", "iHasco is already connected at `" + *site + "`");
  if (!connect && !ih.connected) return ctx.refuse("W13", "iHasco is not connected at `" + *site + "`");
  ctx.edit([&](Snapshot& s) {
    IhascoIntegration& changed = s.integrations[s_index];
    changed.connected = true;
    if (mapping != nullptr) changed.mapping = *mapping;
    ctx.emit(connect ? "training.integration.connected" : "training.integration.updated", "ihasco", s_index,
             {{"mapping", changed.mapping}});
  });
}

void integration_connect(CommandContext& ctx) { integration_set(ctx, true); }
void integration_update(CommandContext& ctx) { integration_set(ctx, false); }

}  // namespace

void integration_sync(CommandContext& ctx);  // sync.cpp

namespace {
constexpr CommandEntry kTrainingCommands[] = {
    {"course.create", course_create},
    {"course.update", course_update},
    {"course.publish", course_publish},
    {"course.archive", course_archive},
    {"course.restore", course_restore},
    {"course.delete", course_delete},
    {"course.assign", course_assign},
    {"assignment.revoke", assignment_revoke},
    {"step.complete", step_complete},
    {"assessment.submit", assessment_submit},
    {"course.complete", course_complete},
    {"result.record", result_record},
    {"result.update", result_update},
    {"result.delete", result_delete},
    {"integration.connect", integration_connect},
    {"integration.update", integration_update},
    {"integration.sync", integration_sync},
};
}  // namespace

std::span<const CommandEntry> training_commands() { return kTrainingCommands; }

}  // namespace calm::detail
