// Exporting the current state in the snapshot format (the round trip:
// loading an export gives the same answers).

#include <string>

#include "calm/workflow.hpp"
#include "detail/export_items.hpp"
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

json site_item(const Snapshot& s, Index i) {
  json site{{"id", s.site_ids.at(i)}, {"name", s.sites[i].name}};
  if (s.sites[i].parent != kNone) site["parent"] = s.site_ids.at(s.sites[i].parent);
  return site;
}

json user_item(const Snapshot& s, Index i, bool with_email) {
  json user{{"id", s.user_ids.at(i)}, {"name", s.users[i].name}};
  if (with_email) put_text(user, "email", s.users[i].email);
  return user;
}

json grant_item(const Snapshot& s, const Grant& g) {
  json grant{{"user", s.user_ids.at(g.user)},
             {"site", s.site_ids.at(g.site)},
             {"module", s.module_ids.at(g.module)},
             {"role", std::string(role_name(g.role))}};
  if (g.include_child_sites) grant["includeChildSites"] = true;
  return grant;
}

json group_item(const Snapshot& s, Index i) {
  const Group& g = s.groups[i];
  return {{"id", s.group_ids.at(i)},
          {"name", g.name},
          {"site", s.site_ids.at(g.site)},
          {"members", ids_of(s.user_ids, g.members)}};
}

json template_item(const Snapshot& s, Index i) {
  json roles = json::object();
  for (const auto& [m, role] : s.templates[i].roles) roles[s.module_ids.at(m)] = std::string(role_name(role));
  return {{"id", s.template_ids.at(i)}, {"name", s.templates[i].name}, {"roles", roles}};
}

json settings_item(const Snapshot& s, Index i) {
  const PersonnelSettings& p = s.settings[i];
  const PersonnelSettings defaults;
  if (!p.restrict_comment_viewing && !p.auto_create_records && !p.inbound_email_comments &&
      p.notifications == defaults.notifications) {
    return nullptr;
  }
  return {{"restrictCommentViewing", p.restrict_comment_viewing},
          {"autoCreateRecords", p.auto_create_records},
          {"inboundEmailComments", p.inbound_email_comments},
          {"notifications", p.notifications}};
}

json integration_item(const Snapshot& s, Index i) {
  const IhascoIntegration& ih = s.integrations[i];
  if (!ih.connected && ih.mapping.empty()) return nullptr;
  return {{"connected", ih.connected}, {"mapping", ih.mapping}};
}

json course_item(const Snapshot& s, Index i) {
  const Course& c = s.courses[i];
  json steps = json::array();
  for (const Step& step : c.steps) steps.push_back(step_json(step));
  json course{{"id", s.course_ids.at(i)},
              {"site", s.site_ids.at(c.site)},
              {"title", c.title},
              {"source", name_of(kCourseSource, c.source)},
              {"status", name_of(kCourseStatus, c.status)},
              {"steps", std::move(steps)}};
  put_text(course, "description", c.description);
  put_text(course, "externalId", c.external_id);
  put_text(course, "createdBy", c.created_by);
  put_text(course, "updatedAt", c.updated_at);
  if (c.validity_months) course["validityMonths"] = *c.validity_months;
  if (c.deleted) course["deleted"] = true;
  return course;
}

json assignment_item(const Snapshot& s, Index i) {
  const Assignment& a = s.assignments[i];
  json assignment{{"id", s.assignment_ids.at(i)},
                  {"course", s.course_ids.at(a.course)},
                  {"people", ids_of(s.user_ids, a.people)},
                  {"groups", ids_of(s.group_ids, a.groups)}};
  put_text(assignment, "dueDate", a.due_date);
  put_text(assignment, "assignedBy", a.assigned_by);
  put_text(assignment, "assignedAt", a.assigned_at);
  if (a.revoked) assignment["revoked"] = true;
  return assignment;
}

json fulfillment_item(const Snapshot& s, Index i) {
  const Fulfillment& f = s.fulfillments[i];
  json item{{"id", s.fulfillment_ids.at(i)},
            {"course", s.course_ids.at(f.course)},
            {"user", s.user_ids.at(f.user)},
            {"status", name_of(kFulfillmentStatus, f.status)},
            {"completedSteps", f.completed_steps}};
  if (f.assignment != kNone) item["assignment"] = s.assignment_ids.at(f.assignment);
  put_text(item, "dueDate", f.due_date);
  put_text(item, "completedAt", f.completed_at);
  return item;
}

json attempt_item(const Snapshot& s, Index i) {
  const Attempt& a = s.attempts[i];
  json item{{"id", s.attempt_ids.at(i)},
            {"fulfillment", s.fulfillment_ids.at(a.fulfillment)},
            {"answers", a.answers},
            {"status", a.pending ? "pending" : "graded"}};
  put_text(item, "step", a.step);
  put_text(item, "at", a.at);
  if (a.score) item["score"] = *a.score;
  if (a.passed) item["passed"] = *a.passed;
  return item;
}

json result_item(const Snapshot& s, Index i) {
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
  return item;
}

json block_item(const Block& b) {
  return {{"id", b.id},
          {"type", name_of(kBlockType, b.type)},
          {"title", b.title},
          {"sensitive", b.sensitive},
          {"revealRequired", b.reveal_required},
          {"data", b.data}};
}

json file_item(const RecordFile& f) { return {{"id", f.id}, {"name", f.name}, {"sensitive", f.sensitive}}; }

json record_item(const Snapshot& s, Index i) {
  const Record& r = s.records[i];
  json blocks = json::array();
  for (const Block& b : r.blocks) blocks.push_back(block_item(b));
  json files = json::array();
  for (const RecordFile& f : r.files) files.push_back(file_item(f));
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
  return item;
}

json company_item(const Snapshot& s, Index i) {
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
  return item;
}

json comment_item(const Snapshot& s, Index i) {
  const Comment& c = s.comments[i];
  json item{{"id", s.comment_ids.at(i)},
            {"record", s.record_ids.at(c.record)},
            {"author", s.user_ids.at(c.author)},
            {"body", c.body}};
  if (c.parent != kNone) item["parent"] = s.comment_ids.at(c.parent);
  put_text(item, "createdAt", c.created_at);
  return item;
}

json organisation_item(const Snapshot& s) {
  json entitlements = json::array();
  for (Index m = 0; m < s.module_ids.size(); ++m) {
    if (m != kModuleSite && s.entitled[m]) entitlements.push_back(s.module_ids.at(m));
  }
  return {{"id", s.organisation_id},
          {"name", s.organisation_name},
          {"entitlements", entitlements},
          {"owners", ids_of(s.user_ids, s.owners)}};
}

}  // namespace detail

json Engine::export_snapshot() const {
  using namespace detail;  // NOLINT(google-build-using-namespace): the item writers above
  const Snapshot& s = impl_->snapshot;
  json out;
  out["version"] = 1;
  out["organisation"] = organisation_item(s);
  put_text(out, "issuedAt", s.issued_at);
  put_text(out, "validUntil", s.valid_until);
  if (s.revision) out["revision"] = *s.revision;

  auto all = [&](std::size_t n, auto item) {
    json list = json::array();
    for (Index i = 0; i < n; ++i) list.push_back(item(s, i));
    return list;
  };
  out["sites"] = all(s.sites.size(), site_item);
  out["users"] = all(s.users.size(), [](const Snapshot& snap, Index i) { return user_item(snap, i); });
  json grants = json::array();
  for (const Grant& g : s.grants) grants.push_back(grant_item(s, g));
  out["grants"] = std::move(grants);
  out["groups"] = all(s.groups.size(), group_item);
  out["templates"] = all(s.templates.size(), template_item);
  json settings = json::object();
  json integrations = json::object();
  for (Index i = 0; i < s.sites.size(); ++i) {
    if (json p = settings_item(s, i); !p.is_null()) settings[s.site_ids.at(i)]["personnel"] = std::move(p);
    if (json ih = integration_item(s, i); !ih.is_null())
      integrations[s.site_ids.at(i)]["ihasco"] = std::move(ih);
  }
  out["settings"] = std::move(settings);
  out["integrations"] = std::move(integrations);
  out["training"] = {{"courses", all(s.courses.size(), course_item)},
                     {"assignments", all(s.assignments.size(), assignment_item)},
                     {"fulfillments", all(s.fulfillments.size(), fulfillment_item)},
                     {"attempts", all(s.attempts.size(), attempt_item)},
                     {"results", all(s.results.size(), result_item)}};
  out["personnel"] = {{"records", all(s.records.size(), record_item)},
                      {"companies", all(s.companies.size(), company_item)},
                      {"comments", all(s.comments.size(), comment_item)}};
  if (!s.applied_commands.empty()) {
    json applied = json::array();
    for (const auto& entry : s.applied_commands) applied.push_back(entry.second);
    out["appliedCommands"] = std::move(applied);
  }
  return out;
}

}  // namespace calm
