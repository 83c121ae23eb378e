// The JSON layer of the views and the access questions (calm/ffi.hpp): writes
// the typed answers as JSON, and reads the JSON arguments of whoCan and whatIf.
// The only place that knows their JSON shapes (index.d.ts types them).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "calm/ffi.hpp"
#include "calm/viewer.hpp"
#include "detail/dates.hpp"
#include "detail/json_util.hpp"
#include "detail/names.hpp"

namespace calm {

using detail::name_of;
using nlohmann::json;

namespace {

std::string_view result_state_name(ResultState state) {
  switch (state) {
    case ResultState::expiring:
      return "expiring";
    case ResultState::expired:
      return "expired";
    case ResultState::valid:
      break;
  }
  return "valid";
}

json decision_json(const Decision& d) {
  json j;
  to_json(j, d);
  return j;
}

json fulfillment_json(const FulfillmentItem& f) {
  json out{{"fulfillment", f.fulfillment},
           {"user", f.user},
           {"course", f.course},
           {"title", f.title},
           {"site", f.site},
           {"source", name_of(detail::kCourseSource, f.source)},
           {"status", name_of(detail::kFulfillmentStatus, f.status)},
           {"overdue", f.overdue},
           {"progress", {{"done", f.progress.done}, {"total", f.progress.total}}}};
  if (!f.assignment.empty()) out["assignment"] = f.assignment;
  if (!f.due_date.empty()) out["dueDate"] = f.due_date;
  if (!f.completed_at.empty()) out["completedAt"] = f.completed_at;
  if (f.can_complete) out["canComplete"] = decision_json(*f.can_complete);
  return out;
}

json result_json(const ResultItem& r) {
  json out{{"result", r.result},
           {"title", r.title},
           {"completedOn", r.completed_on},
           {"state", result_state_name(r.state)},
           {"source", name_of(detail::kResultSource, r.source)}};
  if (!r.course.empty()) out["course"] = r.course;
  if (!r.fulfillment.empty()) out["fulfillment"] = r.fulfillment;
  if (r.score) out["score"] = *r.score;
  if (!r.expires_on.empty()) out["expiresOn"] = r.expires_on;
  if (r.file) out["file"] = *r.file;
  return out;
}

template <typename T, typename F>
json list_json(const std::vector<T>& items, F&& write) {
  json out = json::array();
  for (const T& item : items) out.push_back(write(item));
  return out;
}

json counts_json(const Counts& c) {
  json out{{"notStarted", c.not_started},
           {"inProgress", c.in_progress},
           {"overdue", c.overdue},
           {"completed", c.completed},
           {"withdrawn", c.withdrawn},
           {"resultsExpiring", c.results_expiring},
           {"resultsExpired", c.results_expired}};
  const std::optional<double> rate = c.completion_rate();
  out["completionRate"] = rate ? json(*rate) : json(nullptr);
  return out;
}

json thread_json(const ThreadView& t) {
  return {{"id", t.id},
          {"author", t.author},
          {"body", t.body},
          {"createdAt", t.created_at},
          {"replies", list_json(t.replies, [](const ReplyView& r) {
             return json{{"id", r.id},
                         {"author", r.author},
                         {"parent", r.parent},
                         {"body", r.body},
                         {"createdAt", r.created_at}};
           })}};
}

// The answer as JSON text.
template <typename T>
std::string text(const Answer<T>& answer) {
  json j;
  to_json(j, answer);
  return detail::dump(j);
}

std::string errors_text(const std::vector<Error>& errors) { return text(Answer<WhoCan>(errors)); }

// The JSON text of a question, or the `{ ok: false, errors }` text that refuses it.
std::optional<json> question(std::string_view text, std::string& refusal) {
  if (text.size() > input_limit(Input::question)) {
    refusal = ffi::oversize(Input::question);
    return std::nullopt;
  }
  std::vector<Error> errors;
  json value = detail::parse_json(text, errors);
  if (!errors.empty()) {
    refusal = errors_text(errors);
    return std::nullopt;
  }
  return value;
}

}  // namespace

void to_json(json& j, const Error& e) { j = {{"code", e.code}, {"path", e.path}, {"message", e.message}}; }

void to_json(json& j, const Decision& d) { j = d.to_json(); }

void to_json(json& j, const MyCourses& v) {
  j = {{"user", v.user},
       {"date", v.date},
       {"open", list_json(v.open, fulfillment_json)},
       {"overdue", list_json(v.overdue, fulfillment_json)},
       {"completed", list_json(v.completed, fulfillment_json)},
       {"expiring", list_json(v.expiring, result_json)},
       {"expired", list_json(v.expired, result_json)}};
}

void to_json(json& j, const CourseView& v) {
  const auto step_json = [](const StepView& step) {
    json out{{"id", step.id}, {"type", name_of(detail::kStepType, step.type)}, {"title", step.title}};
    if (step.body) out["body"] = *step.body;
    if (step.url) out["url"] = *step.url;
    if (step.file) out["file"] = *step.file;
    if (step.assessment) {
      const auto question_json = [](const QuestionView& q) {
        json item{{"id", q.id},
                  {"text", q.text},
                  {"kind", name_of(detail::kQuestionKind, q.kind)},
                  {"options", list_json(q.options, [](const OptionView& o) {
                     return json{{"id", o.id}, {"text", o.text}};
                   })}};
        if (q.correct) item["correct"] = *q.correct;
        return item;
      };
      out["assessment"] = {{"passMark", step.assessment->pass_mark},
                           {"maxAttempts", step.assessment->max_attempts},
                           {"questions", list_json(step.assessment->questions, question_json)}};
    }
    return out;
  };
  j = {{"id", v.id},
       {"site", v.site},
       {"title", v.title},
       {"description", v.description},
       {"source", name_of(detail::kCourseSource, v.source)},
       {"status", name_of(detail::kCourseStatus, v.status)},
       {"readOnly", v.read_only},
       {"steps", list_json(v.steps, step_json)}};
  if (!v.external_id.empty()) j["externalId"] = v.external_id;
  if (v.validity_months) j["validityMonths"] = *v.validity_months;
}

void to_json(json& j, const Attempts& v) {
  j = {{"fulfillment", v.fulfillment},
       {"user", v.user},
       {"attempts", list_json(v.attempts, [](const AttemptItem& a) {
          json out{{"attempt", a.attempt}, {"step", a.step}, {"at", a.at}, {"answers", a.answers}};
          if (a.pending) out["pending"] = true;
          if (a.score) out["score"] = *a.score;
          if (a.passed) out["passed"] = *a.passed;
          return out;
        })}};
}

void to_json(json& j, const Insights& v) {
  j = {{"site", v.site},
       {"date", v.date},
       {"sites", v.sites},
       {"totals", counts_json(v.totals)},
       {"courses", list_json(v.courses,
                             [](const CourseCounts& c) {
                               json out = counts_json(c.counts);
                               out["course"] = c.course;
                               out["title"] = c.title;
                               out["site"] = c.site;
                               if (c.deleted) out["deleted"] = true;
                               return out;
                             })},
       {"people", list_json(v.people, [](const PersonCounts& p) {
          json out = counts_json(p.counts);
          out["user"] = p.user;
          out["name"] = p.name;
          return out;
        })}};
}

void to_json(json& j, const TrainingOf& v) {
  j = {{"person", v.person},
       {"name", v.name},
       {"fulfillments", list_json(v.fulfillments, fulfillment_json)},
       {"results", list_json(v.results, result_json)}};
}

void to_json(json& j, const RecordView& v) {
  j = {{"id", v.id},
       {"site", v.site},
       {"name", v.name},
       {"status", v.status},
       {"customFields", v.custom_fields},
       {"blocks", list_json(v.blocks,
                            [](const BlockView& b) {
                              json out{{"id", b.id},
                                       {"type", name_of(detail::kBlockType, b.type)},
                                       {"title", b.title},
                                       {"sensitive", b.sensitive}};
                              if (b.masked) {
                                out["masked"] = true;
                                out["canReveal"] = b.can_reveal;
                              } else {
                                out["data"] = b.data;
                              }
                              return out;
                            })},
       {"files", list_json(v.files,
                           [](const FileView& f) {
                             return json{{"id", f.id}, {"name", f.name}, {"sensitive", f.sensitive}};
                           })},
       {"threads", list_json(v.threads, thread_json)}};
  if (!v.user.empty()) j["user"] = v.user;
  if (!v.email.empty()) j["email"] = v.email;
  if (v.assets) j["assets"] = *v.assets;
  if (v.companies) {
    j["companies"] = list_json(*v.companies, [](const CompanyRef& c) {
      return json{{"id", c.id}, {"name", c.name}};
    });
  }
}

void to_json(json& j, const People& v) {
  j = {{"site", v.site}, {"people", list_json(v.people, [](const PersonItem& p) {
                            json out{{"id", p.id}, {"name", p.name}, {"status", p.status}};
                            if (!p.user.empty()) out["user"] = p.user;
                            if (!p.email.empty()) out["email"] = p.email;
                            return out;
                          })}};
}

void to_json(json& j, const CompanyView& v) {
  j = {{"id", v.id},
       {"site", v.site},
       {"name", v.name},
       {"details", v.details},
       {"contacts", list_json(v.contacts, [](const ContactView& c) {
          json out{{"id", c.id}};
          if (c.name) out["name"] = *c.name;
          if (c.email) out["email"] = *c.email;
          if (c.phone) out["phone"] = *c.phone;
          return out;
        })}};
  if (v.sensitive) j["sensitive"] = *v.sensitive;
}

void to_json(json& j, const Comments& v) {
  j = {{"record", v.record}, {"threads", list_json(v.threads, thread_json)}};
}

void to_json(json& j, const PersonnelSettingsView& v) {
  j = {{"site", v.site},
       {"restrictCommentViewing", v.restrict_comment_viewing},
       {"autoCreateRecords", v.auto_create_records},
       {"inboundEmailComments", v.inbound_email_comments},
       {"notifications", v.notifications},
       {"canEdit", decision_json(v.can_edit)}};
}

void to_json(json& j, const WhoCan& v) {
  j = {{"users", list_json(v.users, [](const WhoCanEntry& e) {
          json out{{"user", e.user}, {"name", e.name}, {"rule", e.rule}};
          if (e.roles) {
            json roles = json::object();
            for (const auto& [module, role] : *e.roles) roles[module] = std::string(role_name(role));
            out["roles"] = std::move(roles);
          }
          if (e.owner) out["owner"] = true;
          return out;
        })}};
}

void to_json(json& j, const SitesWhere& v) {
  j = {{"user", v.user}, {"action", v.action}, {"sites", list_json(v.sites, [](const SiteRule& s) {
                                                  return json{{"site", s.site}, {"rule", s.rule}};
                                                })}};
}

void to_json(json& j, const WhatIf& v) {
  j = {{"allowed", v.allowed},
       {"changes", list_json(v.changes, [](const CapabilityChange& c) {
          return json{{"user", c.user}, {"site", c.site}, {"gained", c.gained}, {"lost", c.lost}};
        })}};
  if (v.decision) j["decision"] = decision_json(*v.decision);
  if (!v.path.empty()) j["path"] = v.path;
}

namespace ffi {

std::string my_courses(const Engine& engine, std::string_view user, std::string_view date) {
  return text(calm::my_courses(engine, user, date));
}

std::string course(const Engine& engine, std::string_view user, std::string_view course) {
  return text(calm::course_view(engine, user, course));
}

std::string attempts(const Engine& engine, std::string_view user, std::string_view fulfillment) {
  return text(calm::attempts_view(engine, user, fulfillment));
}

std::string insights(const Engine& engine, std::string_view user, std::string_view site,
                     std::string_view date, bool include_child_sites) {
  return text(calm::insights(engine, user, site, date, include_child_sites));
}

std::string training_of(const Engine& engine, std::string_view user, std::string_view person,
                        std::string_view date) {
  return text(calm::training_of(engine, user, person, date));
}

std::string record(const Engine& engine, std::string_view user, std::string_view record) {
  return text(calm::record_view(engine, user, record));
}

std::string people(const Engine& engine, std::string_view user, std::string_view site) {
  return text(calm::people_view(engine, user, site));
}

std::string company(const Engine& engine, std::string_view user, std::string_view company) {
  return text(calm::company_view(engine, user, company));
}

std::string comments(const Engine& engine, std::string_view user, std::string_view record) {
  return text(calm::comments_view(engine, user, record));
}

std::string personnel_settings(const Engine& engine, std::string_view user, std::string_view site) {
  return text(calm::personnel_settings_view(engine, user, site));
}

std::string who_can(const Engine& engine, std::string_view request_text) {
  std::string refusal;
  const std::optional<json> request = question(request_text, refusal);
  if (!request) return refusal;
  if (!request->is_object() || request->contains("user")) {
    return errors_text(
        {{"wrong-type", "", "expected a request `{ action, site?, resource? }` without `user`"}});
  }
  const Snapshot& s = engine.snapshot();
  // The shape of the request, read as the decision function reads one (the
  // user is each user in turn: any id reads the same).
  json probe = *request;
  probe["user"] = s.users.empty() ? std::string("-") : s.user_ids.at(0);
  ffi::ParsedRequest parsed = ffi::parse_request(probe);
  Answer<WhoCan> answer = WhoCan{};
  if (!parsed.shape_error.empty()) {
    if (!s.users.empty()) {  // every user would be asked a malformed request
      Verdict v;
      v.code = Code::invalid_request;
      v.rule = "ACCESS-11";
      v.detail = parsed.shape_error;
      answer = engine.explain(parsed.request, v);
    }
  } else {
    answer = calm::who_can(engine, parsed.request);
  }
  json j;
  to_json(j, answer);
  if (answer.ok()) j["value"]["request"] = *request;
  return detail::dump(j);
}

std::string sites_where(const Engine& engine, std::string_view user, std::string_view action) {
  return text(calm::sites_where(engine, user, action));
}

std::string viewer_snapshot(const Engine& engine, std::string_view user, std::string_view options_text) {
  ViewerOptions options;
  if (!options_text.empty()) {
    std::vector<Error> errors;
    const json parsed = detail::parse_json(options_text, errors);
    if (!errors.empty()) return errors_text({{errors[0].code, "/options", errors[0].message}});
    if (!parsed.is_object())
      return errors_text({{"wrong-type", "/options", "expected `{ revision?, issuedAt? }`"}});
    if (auto it = parsed.find("revision"); it != parsed.end()) {
      constexpr std::int64_t kMax = (std::int64_t{1} << 53) - 1;
      if (!it->is_number_integer() ||
          (it->is_number_unsigned() ? it->get<std::uint64_t>() > static_cast<std::uint64_t>(kMax)
                                    : (it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > kMax))) {
        return errors_text({{"wrong-type", "/options/revision", "expected an integer from 0 to 2^53 - 1"}});
      }
      options.revision = it->get<std::int64_t>();
    }
    if (auto it = parsed.find("issuedAt"); it != parsed.end()) {
      if (!it->is_string() || !detail::parse_date(it->get<std::string>()))
        return errors_text({{"wrong-type", "/options/issuedAt", "expected an ISO-8601 timestamp"}});
      // The viewer snapshot must load (SNAPSHOT.md, changed: dates are ISO-8601).
      if (!detail::is_iso_date_or_timestamp(it->get_ref<const std::string&>()))
        return errors_text({{"invalid-date", "/options/issuedAt", "expected an ISO-8601 timestamp"}});
      options.issued_at = it->get<std::string>();
    }
  }
  json answer = calm::viewer_snapshot(engine, user, options);
  if (!answer["ok"].get<bool>()) return detail::dump(answer);
  std::string out = "{\"ok\":true,\"value\":";
  detail::append_json(out, answer["value"]);
  out += '}';
  return out;
}

std::string what_if(const Engine& engine, std::string_view editor, std::string_view change_text) {
  std::string refusal;
  const std::optional<json> change = question(change_text, refusal);
  return change ? text(calm::what_if(engine, editor, *change)) : refusal;
}

}  // namespace ffi

}  // namespace calm
