// Exporting the current state in the snapshot format (the round trip:
// loading an export gives the same answers).

#include <string>

#include "calm/workflow.hpp"
#include "detail/json_util.hpp"
#include "detail/names.hpp"
#include "engine_impl.hpp"

namespace calm {

using nlohmann::json;

namespace {

void put_text(json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}

json ids_of(const IdTable& table, const std::vector<Index>& list) {
  json out = json::array();
  for (Index i : list) out.push_back(table.at(i));
  return out;
}

json step_json(const Step& step) {
  json out{{"id", step.id}, {"type", name_of(kStepType, step.type)}, {"title", step.title}};
  for (const auto& [key, value] : step.extra.items()) out[key] = value;
  if (step.assessment) {
    const Assessment& a = *step.assessment;
    json questions = json::array();
    for (const Question& q : a.questions) {
      json options = json::array();
      for (const auto& [id, text] : q.options) options.push_back({{"id", id}, {"text", text}});
      json jq{{"id", q.id}, {"text", q.text}, {"kind", name_of(kQuestionKind, q.kind)}, {"options", options}};
      if (q.correct) jq["correct"] = *q.correct;
      questions.push_back(std::move(jq));
    }
    out["assessment"] = {
        {"passMark", a.pass_mark}, {"maxAttempts", a.max_attempts}, {"questions", questions}};
  }
  return out;
}

}  // namespace

namespace detail {
json course_steps_json(const Course& course) {
  json steps = json::array();
  for (const Step& step : course.steps) steps.push_back(step_json(step));
  return steps;
}
}  // namespace detail

json Engine::export_snapshot() const {
  const Snapshot& s = impl_->snapshot;
  json out;
  out["version"] = 1;
  json entitlements = json::array();
  for (Index m = 0; m < s.module_ids.size(); ++m) {
    if (m != kModuleSite && s.entitled[m]) entitlements.push_back(s.module_ids.at(m));
  }
  out["organisation"] = {{"id", s.organisation_id},
                         {"name", s.organisation_name},
                         {"entitlements", entitlements},
                         {"owners", ids_of(s.user_ids, s.owners)}};
  put_text(out, "issuedAt", s.issued_at);
  put_text(out, "validUntil", s.valid_until);

  json sites = json::array();
  for (Index i = 0; i < s.sites.size(); ++i) {
    json site{{"id", s.site_ids.at(i)}, {"name", s.sites[i].name}};
    if (s.sites[i].parent != kNone) site["parent"] = s.site_ids.at(s.sites[i].parent);
    sites.push_back(std::move(site));
  }
  out["sites"] = std::move(sites);
  json users = json::array();
  for (Index i = 0; i < s.users.size(); ++i) {
    json user{{"id", s.user_ids.at(i)}, {"name", s.users[i].name}};
    put_text(user, "email", s.users[i].email);
    users.push_back(std::move(user));
  }
  out["users"] = std::move(users);
  json grants = json::array();
  for (const Grant& g : s.grants) {
    json grant{{"user", s.user_ids.at(g.user)},
               {"site", s.site_ids.at(g.site)},
               {"module", s.module_ids.at(g.module)},
               {"role", std::string(role_name(g.role))}};
    if (g.include_child_sites) grant["includeChildSites"] = true;
    grants.push_back(std::move(grant));
  }
  out["grants"] = std::move(grants);
  json groups = json::array();
  for (Index i = 0; i < s.groups.size(); ++i) {
    const Group& g = s.groups[i];
    groups.push_back({{"id", s.group_ids.at(i)},
                      {"name", g.name},
                      {"site", s.site_ids.at(g.site)},
                      {"members", ids_of(s.user_ids, g.members)}});
  }
  out["groups"] = std::move(groups);
  json templates = json::array();
  for (Index i = 0; i < s.templates.size(); ++i) {
    json roles = json::object();
    for (const auto& [m, role] : s.templates[i].roles)
      roles[s.module_ids.at(m)] = std::string(role_name(role));
    templates.push_back({{"id", s.template_ids.at(i)}, {"name", s.templates[i].name}, {"roles", roles}});
  }
  out["templates"] = std::move(templates);
  json settings = json::object();
  json integrations = json::object();
  for (Index i = 0; i < s.sites.size(); ++i) {
    const PersonnelSettings& p = s.settings[i];
    const PersonnelSettings defaults;
    if (p.restrict_comment_viewing || p.auto_create_records || p.inbound_email_comments ||
        p.notifications != defaults.notifications) {
      settings[s.site_ids.at(i)]["personnel"] = {{"restrictCommentViewing", p.restrict_comment_viewing},
                                                 {"autoCreateRecords", p.auto_create_records},
                                                 {"inboundEmailComments", p.inbound_email_comments},
                                                 {"notifications", p.notifications}};
    }
    const IhascoIntegration& ih = s.integrations[i];
    if (ih.connected || !ih.mapping.empty()) {
      integrations[s.site_ids.at(i)]["ihasco"] = {{"connected", ih.connected}, {"mapping", ih.mapping}};
    }
  }
  out["settings"] = std::move(settings);
  out["integrations"] = std::move(integrations);

  json courses = json::array();
  for (Index i = 0; i < s.courses.size(); ++i) {
    const Course& c = s.courses[i];
    json course{{"id", s.course_ids.at(i)},
                {"site", s.site_ids.at(c.site)},
                {"title", c.title},
                {"source", name_of(kCourseSource, c.source)},
                {"status", name_of(kCourseStatus, c.status)},
                {"steps", detail::course_steps_json(c)}};
    put_text(course, "description", c.description);
    put_text(course, "externalId", c.external_id);
    put_text(course, "createdBy", c.created_by);
    put_text(course, "updatedAt", c.updated_at);
    if (c.validity_months) course["validityMonths"] = *c.validity_months;
    if (c.deleted) course["deleted"] = true;
    courses.push_back(std::move(course));
  }
  json assignments = json::array();
  for (Index i = 0; i < s.assignments.size(); ++i) {
    const Assignment& a = s.assignments[i];
    json assignment{{"id", s.assignment_ids.at(i)},
                    {"course", s.course_ids.at(a.course)},
                    {"people", ids_of(s.user_ids, a.people)},
                    {"groups", ids_of(s.group_ids, a.groups)}};
    put_text(assignment, "dueDate", a.due_date);
    put_text(assignment, "assignedBy", a.assigned_by);
    put_text(assignment, "assignedAt", a.assigned_at);
    if (a.revoked) assignment["revoked"] = true;
    assignments.push_back(std::move(assignment));
  }
  json fulfillments = json::array();
  for (Index i = 0; i < s.fulfillments.size(); ++i) {
    const Fulfillment& f = s.fulfillments[i];
    json item{{"id", s.fulfillment_ids.at(i)},
              {"course", s.course_ids.at(f.course)},
              {"user", s.user_ids.at(f.user)},
              {"status", name_of(kFulfillmentStatus, f.status)},
              {"completedSteps", f.completed_steps}};
    if (f.assignment != kNone) item["assignment"] = s.assignment_ids.at(f.assignment);
    put_text(item, "dueDate", f.due_date);
    put_text(item, "completedAt", f.completed_at);
    fulfillments.push_back(std::move(item));
  }
  json attempts = json::array();
  for (Index i = 0; i < s.attempts.size(); ++i) {
    const Attempt& a = s.attempts[i];
    json item{{"id", s.attempt_ids.at(i)},
              {"fulfillment", s.fulfillment_ids.at(a.fulfillment)},
              {"answers", a.answers},
              {"status", a.pending ? "pending" : "graded"}};
    put_text(item, "step", a.step);
    put_text(item, "at", a.at);
    if (a.score) item["score"] = *a.score;
    if (a.passed) item["passed"] = *a.passed;
    attempts.push_back(std::move(item));
  }
  json results = json::array();
  for (Index i = 0; i < s.results.size(); ++i) {
    const TrainingResult& r = s.results[i];
    json item{{"id", s.result_ids.at(i)},
              {"user", s.user_ids.at(r.user)},
              {"source", name_of(kResultSource, r.source)}};
    if (r.course != kNone) item["course"] = s.course_ids.at(r.course);
    put_text(item, "title", r.title);
    put_text(item, "completedOn", r.completed_on);
    if (r.score) item["score"] = *r.score;
    put_text(item, "expiresOn", r.expires_on);
    if (r.recorded_by != kNone) item["recordedBy"] = s.user_ids.at(r.recorded_by);
    put_text(item, "externalId", r.external_id);
    for (const auto& [key, value] : r.extra.items()) item[key] = value;
    results.push_back(std::move(item));
  }
  out["training"] = {{"courses", std::move(courses)},
                     {"assignments", std::move(assignments)},
                     {"fulfillments", std::move(fulfillments)},
                     {"attempts", std::move(attempts)},
                     {"results", std::move(results)}};

  json records = json::array();
  for (Index i = 0; i < s.records.size(); ++i) {
    const Record& r = s.records[i];
    json blocks = json::array();
    for (const Block& b : r.blocks) {
      blocks.push_back({{"id", b.id},
                        {"type", name_of(kBlockType, b.type)},
                        {"title", b.title},
                        {"sensitive", b.sensitive},
                        {"revealRequired", b.reveal_required},
                        {"data", b.data}});
    }
    json files = json::array();
    for (const RecordFile& f : r.files)
      files.push_back({{"id", f.id}, {"name", f.name}, {"sensitive", f.sensitive}});
    json item{{"id", s.record_ids.at(i)},
              {"site", s.site_ids.at(r.site)},
              {"name", r.name},
              {"blocks", std::move(blocks)},
              {"files", std::move(files)},
              {"companies", ids_of(s.company_ids, r.companies)},
              {"assets", r.assets},
              {"customFields", r.custom_fields}};
    if (r.user != kNone) item["user"] = s.user_ids.at(r.user);
    put_text(item, "email", r.email);
    put_text(item, "status", r.status);
    if (r.deleted) item["deleted"] = true;
    records.push_back(std::move(item));
  }
  json companies = json::array();
  for (Index i = 0; i < s.companies.size(); ++i) {
    const Company& c = s.companies[i];
    json contacts = json::array();
    for (const Contact& ct : c.contacts) {
      json item = ct.fields;
      item["id"] = ct.id;
      contacts.push_back(std::move(item));
    }
    json item{{"id", s.company_ids.at(i)},
              {"site", s.site_ids.at(c.site)},
              {"name", c.name},
              {"details", c.details},
              {"contacts", std::move(contacts)}};
    if (c.sensitive) item["sensitive"] = *c.sensitive;
    if (c.deleted) item["deleted"] = true;
    companies.push_back(std::move(item));
  }
  json comments = json::array();
  for (Index i = 0; i < s.comments.size(); ++i) {
    const Comment& c = s.comments[i];
    json item{{"id", s.comment_ids.at(i)},
              {"record", s.record_ids.at(c.record)},
              {"author", s.user_ids.at(c.author)},
              {"body", c.body}};
    if (c.parent != kNone) item["parent"] = s.comment_ids.at(c.parent);
    put_text(item, "createdAt", c.created_at);
    comments.push_back(std::move(item));
  }
  out["personnel"] = {{"records", std::move(records)},
                      {"companies", std::move(companies)},
                      {"comments", std::move(comments)}};
  if (!s.applied_commands.empty()) {
    json applied = json::array();
    for (const auto& entry : s.applied_commands) applied.push_back(entry.second);
    out["appliedCommands"] = std::move(applied);
  }
  return out;
}

std::string Engine::snapshot_json() const { return detail::dump(export_snapshot()); }

}  // namespace calm
