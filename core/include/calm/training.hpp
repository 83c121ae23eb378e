#pragma once
/// \file
/// Training views (TRAINING.md, issue 3): answers shaped for the person asking.
/// Nothing they may not see is in them. Every view asks the decision function
/// (ACCESS.md T2-T5, T10) and never reads a clock: dates come in.
///
/// Each answers its value, the decision that denies the viewer, or the errors
/// of a malformed argument (`Answer`). `calm/ffi.hpp` writes them as JSON; the
/// names in the comments are the JSON keys (`index.d.ts` types them).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calm/access.hpp"

namespace calm {

/// Steps done out of all steps (`progress`); an assessment step is done once passed.
struct Progress {
  int done = 0;   ///< `done`
  int total = 0;  ///< `total`
};

/// One fulfillment as the learner views show it (`myCourses`, `trainingOf`).
struct FulfillmentItem {
  std::string fulfillment;                                    ///< `fulfillment`: its id
  std::string assignment;                                     ///< `assignment`: the assignment it fulfills
  std::string user;                                           ///< `user`: the learner
  std::string course;                                         ///< `course`
  std::string title;                                          ///< `title`: the course's
  std::string site;                                           ///< `site`: the course's
  CourseSource source = CourseSource::calm;                   ///< `source`
  FulfillmentStatus status = FulfillmentStatus::not_started;  ///< `status`
  bool overdue = false;                                       ///< `overdue` on the view's date
  Progress progress;                                          ///< `progress`
  std::string due_date;                                       ///< `dueDate`; empty: none
  std::string completed_at;                                   ///< `completedAt`; empty: none
  /// `canComplete`: the T1 decision, for the open and overdue items of `myCourses` only.
  std::optional<Decision> can_complete;
};

/// The state of a result on a date (W12).
enum class ResultState : std::uint8_t { valid, expiring, expired };

/// One training result (certificate) as the learner views show it.
struct ResultItem {
  std::string result;                          ///< `result`: its id
  std::string title;                           ///< `title`
  std::string completed_on;                    ///< `completedOn`
  ResultState state = ResultState::valid;      ///< `state` on the view's date
  ResultSource source = ResultSource::manual;  ///< `source`
  std::string course;                          ///< `course`; empty: none
  /// `fulfillment`: the fulfillment whose completion recorded it; empty: none.
  std::string fulfillment;
  std::optional<int> score;  ///< `score`
  std::string expires_on;    ///< `expiresOn`; empty: none
  /// `file`: the snapshot's value, as it was given (SNAPSHOT.md leaves it free).
  std::optional<nlohmann::json> file;
};

/// My Courses / Inbox (T2).
struct MyCourses {
  std::string user;                        ///< `user`
  std::string date;                        ///< `date`
  std::vector<FulfillmentItem> open;       ///< `open`: not completed, not overdue
  std::vector<FulfillmentItem> overdue;    ///< `overdue`
  std::vector<FulfillmentItem> completed;  ///< `completed`
  std::vector<ResultItem> expiring;        ///< `expiring`: results within 30 days of expiry
  std::vector<ResultItem> expired;         ///< `expired`
};

/// One option of a question.
struct OptionView {
  std::string id;    ///< `id`
  std::string text;  ///< `text`
};

/// One question of an assessment.
struct QuestionView {
  std::string id;                                   ///< `id`
  std::string text;                                 ///< `text`
  QuestionKind kind = QuestionKind::single;         ///< `kind`
  std::vector<OptionView> options;                  ///< `options`
  std::optional<std::vector<std::string>> correct;  ///< `correct`: for quiz managers only (T11)
};

/// The assessment of a step.
struct AssessmentView {
  int pass_mark = 100;                  ///< `passMark`
  int max_attempts = 0;                 ///< `maxAttempts`
  std::vector<QuestionView> questions;  ///< `questions`
};

/// One step of a course.
struct StepView {
  std::string id;                     ///< `id`
  StepType type = StepType::content;  ///< `type`
  std::string title;                  ///< `title`
  std::optional<std::string> body;    ///< `body`
  std::optional<std::string> url;     ///< `url`
  /// `file`: the snapshot's value, as it was given (SNAPSHOT.md leaves it free).
  std::optional<nlohmann::json> file;
  std::optional<AssessmentView> assessment;  ///< `assessment`
};

/// One course as the viewer may see it (T5).
struct CourseView {
  std::string id;                             ///< `id`
  std::string site;                           ///< `site`
  std::string title;                          ///< `title`
  std::string description;                    ///< `description`
  CourseSource source = CourseSource::calm;   ///< `source`
  CourseStatus status = CourseStatus::draft;  ///< `status`
  bool read_only = true;                      ///< `readOnly`: the viewer may not edit it
  std::vector<StepView> steps;                ///< `steps`
  std::string external_id;                    ///< `externalId`; empty: none
  std::optional<int> validity_months;         ///< `validityMonths`
};

/// One attempt at an assessment step.
struct AttemptItem {
  std::string attempt;  ///< `attempt`: its id
  std::string step;     ///< `step`
  std::string at;       ///< `at`
  /// `answers`: question id -> the option ids chosen, as the snapshot holds them.
  nlohmann::json answers = nlohmann::json::object();
  bool pending = false;        ///< `pending`: awaiting grading (then no score or pass)
  std::optional<int> score;    ///< `score`
  std::optional<bool> passed;  ///< `passed`
};

/// The attempts on one fulfillment.
struct Attempts {
  std::string fulfillment;            ///< `fulfillment`
  std::string user;                   ///< `user`: the learner
  std::vector<AttemptItem> attempts;  ///< `attempts`
};

/// Fulfillment and result counts of an Insights row (W15).
struct Counts {
  int not_started = 0;       ///< `notStarted`
  int in_progress = 0;       ///< `inProgress`
  int overdue = 0;           ///< `overdue`
  int completed = 0;         ///< `completed`
  int withdrawn = 0;         ///< `withdrawn`
  int results_expiring = 0;  ///< `resultsExpiring`
  int results_expired = 0;   ///< `resultsExpired`
  /// `completionRate`: completed out of assigned (withdrawn aside); absent (null) when none.
  [[nodiscard]] std::optional<double> completion_rate() const noexcept;
};

/// One course row of Insights.
struct CourseCounts {
  std::string course;    ///< `course`
  std::string title;     ///< `title`
  std::string site;      ///< `site`
  bool deleted = false;  ///< `deleted`: the course was deleted (W5); shown as history
  Counts counts;         ///< the counts, as keys of the row
};

/// One person row of Insights.
struct PersonCounts {
  std::string user;  ///< `user`
  std::string name;  ///< `name`
  Counts counts;     ///< the counts, as keys of the row
};

/// Training Insights (W15, T3).
struct Insights {
  std::string site;                   ///< `site`
  std::string date;                   ///< `date`
  std::vector<std::string> sites;     ///< `sites`: the sites counted
  Counts totals;                      ///< `totals`
  std::vector<CourseCounts> courses;  ///< `courses`
  std::vector<PersonCounts> people;   ///< `people`
};

/// The training of one person on their People profile (T4).
struct TrainingOf {
  std::string person;                         ///< `person`: a user id
  std::string name;                           ///< `name`
  std::vector<FulfillmentItem> fulfillments;  ///< `fulfillments`
  std::vector<ResultItem> results;            ///< `results`
};

/// My Courses / Inbox for `user` on `date` (T2): `{ open, overdue, completed,
/// expiring, expired }`, each fulfillment with its progress and T1 decision.
[[nodiscard]] Answer<MyCourses> my_courses(const Engine& engine, std::string_view user,
                                           std::string_view date);

/// One course as `user` may see it (T5); answer keys only for quiz managers (T11).
[[nodiscard]] Answer<CourseView> course_view(const Engine& engine, std::string_view user,
                                             std::string_view course);

/// Attempts on a fulfillment: the viewer's own, or anyone's with T10.
[[nodiscard]] Answer<Attempts> attempts_view(const Engine& engine, std::string_view user,
                                             std::string_view fulfillment);

/// Training Insights (W15, T3) at `site` on `date`; with `include_child_sites`
/// the descendants where the viewer holds T3 too.
[[nodiscard]] Answer<Insights> insights(const Engine& engine, std::string_view user, std::string_view site,
                                        std::string_view date, bool include_child_sites);

/// The training of `person` (a user id) as shown on their People profile (T4),
/// limited to the sites where the viewer holds T4.
[[nodiscard]] Answer<TrainingOf> training_of(const Engine& engine, std::string_view user,
                                             std::string_view person, std::string_view date);

/// `fresh` or `stale` (SNAPSHOT.md "Freshness") on `date`; `fresh` when the
/// snapshot has no `validUntil`.
[[nodiscard]] std::string_view freshness(const Engine& engine, std::string_view date);

}  // namespace calm
