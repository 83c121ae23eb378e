// integration.sync (W14): the merge of an iHasco payload into the site's
// courses, records and results. Idempotent: the same payload merged again
// changes nothing. A malformed payload is rejected whole.
//
// Payload (iHasco's export, as the server relays it):
//   courses: [{ id, title, description?, validityMonths? }]
//   people:  [{ id, email, firstName?, lastName?, customFields?: { name: value } }]
//   results: [{ id, course, person? | email?, completedOn, score?, expiresOn?, certificate? }]

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "workflow_impl.hpp"

namespace calm::detail {

using nlohmann::json;

namespace {

constexpr bool kReq = JsonReader::kRequired;
constexpr bool kOpt = JsonReader::kOptional;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A stable id for an item synced into `site`: `ih:<site>:<external>`, or a
// hash of both when that would exceed the 128-byte id limit.
std::string synced_id(std::string_view site, std::string_view external) {
  return bounded_id("ih:" + std::string(site) + ":" + std::string(external), "ih:");
}

struct PayloadCourse {
  std::string external;
  std::string title;
  std::string description;
  std::optional<int> validity;
};

struct PayloadPerson {
  std::string external;
  std::string email;
  json custom_fields = json::object();
};

struct PayloadResult {
  std::string external;
  std::string course;
  std::string person;
  std::string email;
  std::string completed_on;
  std::optional<int> score;
  std::string expires_on;
  std::string certificate;
};

struct Payload {
  std::vector<PayloadCourse> courses;
  std::vector<PayloadPerson> people;
  std::vector<PayloadResult> results;
};

// Reads the payload; every problem is an error with its path.
Payload read_payload(JsonReader& r, const json& payload) {
  Payload out;
  auto g = r.push("payload");
  if (const json* courses = r.member(payload, "courses", kOpt, json::value_t::array)) {
    auto gc = r.push("courses");
    IdTable seen;
    for (std::size_t i = 0; i < courses->size(); ++i) {
      auto gi = r.push(i);
      const json& c = (*courses)[i];
      if (!c.is_object()) {
        r.fail("wrong-type", "expected a course object, got " + describe(c));
        continue;
      }
      PayloadCourse course;
      if (auto id = r.unique_id(c, seen, "course")) course.external = *id;
      if (!c.contains("title")) r.fail_at("title", "missing-field", "expected `title`");
      course.title = r.text(c, "title");
      course.description = r.text(c, "description");
      if (c.contains("validityMonths")) course.validity = r.integer(c, "validityMonths", 0, 0, 1200);
      out.courses.push_back(std::move(course));
    }
  }
  if (const json* people = r.member(payload, "people", kOpt, json::value_t::array)) {
    auto gp = r.push("people");
    IdTable seen;
    for (std::size_t i = 0; i < people->size(); ++i) {
      auto gi = r.push(i);
      const json& p = (*people)[i];
      if (!p.is_object()) {
        r.fail("wrong-type", "expected a person object, got " + describe(p));
        continue;
      }
      PayloadPerson person;
      if (auto id = r.unique_id(p, seen, "person")) person.external = *id;
      if (!p.contains("email")) r.fail_at("email", "missing-field", "expected `email`");
      person.email = r.text(p, "email");
      r.text(p, "firstName");
      r.text(p, "lastName");
      if (const json* fields = r.member(p, "customFields", kOpt, json::value_t::object)) {
        auto gf = r.push("customFields");
        for (const auto& [name, value] : fields->items()) {
          if (value.is_object() || value.is_array()) {
            r.fail_at(name, "wrong-type", "expected a string, number, boolean or null");
          }
        }
        person.custom_fields = *fields;
      }
      out.people.push_back(std::move(person));
    }
  }
  if (const json* results = r.member(payload, "results", kOpt, json::value_t::array)) {
    auto gr = r.push("results");
    IdTable seen;
    for (std::size_t i = 0; i < results->size(); ++i) {
      auto gi = r.push(i);
      const json& x = (*results)[i];
      if (!x.is_object()) {
        r.fail("wrong-type", "expected a result object, got " + describe(x));
        continue;
      }
      PayloadResult result;
      if (auto id = r.unique_id(x, seen, "result")) result.external = *id;
      if (auto course = r.id(x, "course", kReq)) result.course = *course;
      if (auto person = r.id(x, "person", kOpt)) result.person = *person;
      result.email = r.text(x, "email");
      if (!x.contains("person") && !x.contains("email")) {
        r.fail_at("person", "missing-field", "expected `person` or `email`");
      }
      if (!x.contains("completedOn")) r.fail_at("completedOn", "missing-field", "expected `completedOn`");
      result.completed_on = r.date(x, "completedOn");
      if (x.contains("score")) result.score = r.integer(x, "score", 0, 0, 100);
      result.expires_on = r.date(x, "expiresOn");
      result.certificate = r.text(x, "certificate");
      out.results.push_back(std::move(result));
    }
  }
  return out;
}

struct Counts {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
};

json counts_json(const Counts& c) {
  return {{"created", c.created}, {"updated", c.updated}, {"unchanged", c.unchanged}};
}

}  // namespace

void integration_sync(CommandContext& ctx) {
  auto& r = ctx.reader;
  const Snapshot& s = ctx.state;
  auto site_id = r.id(ctx.command, "site", kReq);
  const json* payload_json = r.member(ctx.command, "payload", kReq, json::value_t::object);
  Payload payload;
  if (payload_json != nullptr) payload = read_payload(r, *payload_json);
  if (!site_id || !ctx.guard("training.integration.sync", {}, *site_id)) return;  // T13
  const Index site = s.site_ids.find(*site_id);

  // Courses, upserted by external id at this site.
  Counts courses;
  std::map<std::string, Index> course_by_external;      // external id -> course index (new ones past the end)
  std::vector<std::pair<Index, Course>> course_writes;  // index (may be new), the course as it will be
  json course_events = json::array();
  Index next_course = static_cast<Index>(s.courses.size());
  for (const PayloadCourse& pc : payload.courses) {
    const std::string id = synced_id(*site_id, pc.external);
    const Index existing = s.course_ids.find(id);
    if (existing != kNone &&
        (s.courses[existing].source != CourseSource::ihasco || s.courses[existing].site != site)) {
      r.fail_at("payload", "duplicate-id",
                "course id `" + clip(id) + "` is taken by a course that is not this sync's");
      return;
    }
    if (existing != kNone) {
      course_by_external[pc.external] = existing;
      Course updated = s.courses[existing];
      if (updated.deleted) {  // deleted by a manager (T7): stays deleted
        ++courses.unchanged;
        continue;
      }
      updated.title = pc.title;
      updated.description = pc.description;
      updated.validity_months = pc.validity;
      const Course& old = s.courses[existing];
      if (updated.title == old.title && updated.description == old.description &&
          updated.validity_months == old.validity_months) {
        ++courses.unchanged;
        continue;
      }
      ++courses.updated;
      updated.updated_at = ctx.at;
      course_writes.emplace_back(existing, std::move(updated));
      course_events.push_back({{"type", "training.course.updated"}, {"subject", id}});
    } else {
      Course course;
      course.site = site;
      course.title = pc.title;
      course.description = pc.description;
      course.source = CourseSource::ihasco;
      course.external_id = pc.external;
      course.status = CourseStatus::published;
      course.validity_months = pc.validity;
      course.created_by = "system";
      course.updated_at = ctx.at;
      course_by_external[pc.external] = next_course;
      course_writes.emplace_back(next_course++, std::move(course));
      ++courses.created;
      course_events.push_back({{"type", "training.course.created"}, {"subject", id}});
    }
  }

  // People, matched to users and this site's records by email, case-insensitively.
  std::map<std::string, Index> user_by_email;
  for (Index u = 0; u < s.users.size(); ++u) {
    if (!s.users[u].email.empty()) user_by_email.emplace(lower(s.users[u].email), u);
  }
  const json& mapping = s.integrations[site].mapping;
  const json* field_map = mapping.contains("customFields") && mapping["customFields"].is_object()
                              ? &mapping["customFields"]
                              : nullptr;
  json unmatched = json::array();
  int people_matched = 0;
  Counts fields;
  std::map<std::string, Index> user_by_person;
  std::map<Index, json> merged_fields;             // record -> customFields after the sync
  std::map<Index, std::set<std::string>> touched;  // record -> fields the payload sets
  for (const PayloadPerson& person : payload.people) {
    const std::string email = lower(person.email);
    auto u = user_by_email.find(email);
    Index record = kNone;
    for (Index i = 0; i < s.records.size() && record == kNone; ++i) {
      const Record& rec = s.records[i];
      if (rec.deleted || rec.site != site) continue;
      const bool match = (!rec.email.empty() && lower(rec.email) == email) ||
                         (rec.user != kNone && lower(s.users[rec.user].email) == email);
      if (match) record = i;
    }
    if (u == user_by_email.end() && record == kNone) {
      unmatched.push_back({{"kind", "person"},
                           {"id", person.external},
                           {"email", person.email},
                           {"reason", "no user or record with this email"}});
      continue;
    }
    ++people_matched;
    if (u != user_by_email.end()) {
      user_by_person[person.external] = u->second;
    } else if (s.records[record].user != kNone) {
      user_by_person[person.external] = s.records[record].user;
    }
    if (record == kNone) continue;
    auto [merged, fresh] = merged_fields.try_emplace(record, s.records[record].custom_fields);
    for (const auto& [name, value] : person.custom_fields.items()) {
      std::string target = name;
      if (field_map != nullptr) {
        if (!field_map->contains(name) || !(*field_map)[name].is_string()) continue;  // unmapped: not stored
        target = (*field_map)[name].get<std::string>();
      }
      merged->second[target] = value;  // a later person with the same email wins
      touched[record].insert(target);
    }
  }
  // Counted against the state before the sync, so a second run finds nothing to change.
  std::vector<std::pair<Index, json>> field_writes;  // record, new customFields
  for (auto& [record, custom] : merged_fields) {
    const json& before = s.records[record].custom_fields;
    for (const std::string& key : touched[record]) {
      if (before.contains(key) && before[key] == custom[key]) {
        ++fields.unchanged;
      } else {
        ++fields.updated;
      }
    }
    if (custom != before) field_writes.emplace_back(record, std::move(custom));
  }

  // Results, upserted by external id.
  Counts results;
  int results_unmatched = 0;
  std::vector<std::pair<Index, TrainingResult>> result_writes;  // index (may be new)
  std::vector<std::string> new_result_ids;
  json result_events = json::array();
  Index next_result = static_cast<Index>(s.results.size());
  for (const PayloadResult& pr : payload.results) {
    Index user = kNone;
    if (!pr.person.empty()) {
      if (auto it = user_by_person.find(pr.person); it != user_by_person.end()) user = it->second;
    } else if (auto it = user_by_email.find(lower(pr.email)); it != user_by_email.end()) {
      user = it->second;
    }
    Index course = kNone;
    if (auto it = course_by_external.find(pr.course); it != course_by_external.end()) {
      course = it->second;
    } else if (Index c = s.course_ids.find(synced_id(*site_id, pr.course)); c != kNone) {
      course = c;
    }
    if (user == kNone || course == kNone) {
      ++results_unmatched;
      unmatched.push_back({{"kind", "result"},
                           {"id", pr.external},
                           {"reason", user == kNone ? "no matching person" : "no matching course"}});
      continue;
    }
    TrainingResult result;
    result.user = user;
    result.course = course;
    result.title = course < s.courses.size() ? s.courses[course].title : "";
    for (const auto& [index, written] : course_writes) {
      if (index == course) result.title = written.title;
    }
    result.completed_on = pr.completed_on;
    result.score = pr.score;
    result.expires_on = pr.expires_on;
    result.source = ResultSource::ihasco;
    result.external_id = pr.external;
    if (!pr.certificate.empty()) result.extra["file"] = pr.certificate;
    const std::string id = synced_id(*site_id, pr.external);
    const Index existing = s.result_ids.find(id);
    if (existing == kNone) {
      ++results.created;
      new_result_ids.push_back(id);
      result_writes.emplace_back(next_result++, std::move(result));
      result_events.push_back({{"type", "training.result.recorded"}, {"subject", id}});
      continue;
    }
    const TrainingResult& old = s.results[existing];
    if (old.user == result.user && old.course == result.course && old.title == result.title &&
        old.completed_on == result.completed_on && old.score == result.score &&
        old.expires_on == result.expires_on && old.extra == result.extra) {
      ++results.unchanged;
      continue;
    }
    ++results.updated;
    result.recorded_by = old.recorded_by;
    result_writes.emplace_back(existing, std::move(result));
    result_events.push_back({{"type", "training.result.updated"}, {"subject", id}});
  }

  // W8 (changed): a result that arrives (created or updated) completes its
  // person's open fulfillment of that course, as a manual result does (W12).
  std::vector<std::pair<Index, std::string>> completions;  // fulfillment, result id
  for (const auto& [index, result] : result_writes) {
    for (Index f = 0; f < s.fulfillments.size(); ++f) {
      const Fulfillment& ful = s.fulfillments[f];
      if (ful.course != result.course || ful.user != result.user || !is_open(ful.status)) continue;
      const bool listed =
          std::any_of(completions.begin(), completions.end(), [&](const auto& c) { return c.first == f; });
      if (!listed) {
        completions.emplace_back(
            f, index < s.results.size() ? s.result_ids.at(index) : new_result_ids[index - s.results.size()]);
      }
    }
  }

  ctx.result = {{"courses", counts_json(courses)},
                {"people",
                 {{"matched", people_matched},
                  {"unmatched", static_cast<int>(payload.people.size()) - people_matched}}},
                {"customFields", {{"updated", fields.updated}, {"unchanged", fields.unchanged}}},
                {"results",
                 {{"created", results.created},
                  {"updated", results.updated},
                  {"unchanged", results.unchanged},
                  {"unmatched", results_unmatched}}},
                {"fulfillments", {{"completed", completions.size()}}},
                {"unmatched", unmatched}};
  ctx.edit([&](Snapshot& w) {
    for (auto& [index, course] : course_writes) {
      if (index < w.courses.size()) {
        w.courses[index] = std::move(course);
      } else {
        w.course_ids.add(synced_id(*site_id, course.external_id));
        w.courses.push_back(std::move(course));
      }
    }
    for (auto& [record, custom] : field_writes) w.records[record].custom_fields = std::move(custom);
    std::size_t fresh = 0;
    for (auto& [index, result] : result_writes) {
      if (index < w.results.size()) {
        w.results[index] = std::move(result);
      } else {
        w.result_ids.add(new_result_ids[fresh++]);
        w.results.push_back(std::move(result));
      }
    }
    for (const auto& [f, result_id] : completions) {
      w.fulfillments[f].status = FulfillmentStatus::completed;
      w.fulfillments[f].completed_at = ctx.at;
    }
    for (const json& e : course_events) {
      ctx.emit(e["type"].get<std::string>(), e["subject"].get<std::string>(), site, json::object(), "system");
    }
    for (const json& e : result_events) {
      ctx.emit(e["type"].get<std::string>(), e["subject"].get<std::string>(), site, json::object(), "system");
    }
    for (const auto& [f, result_id] : completions) {
      ctx.emit("training.fulfillment.completed", w.fulfillment_ids.at(f), site,
               {{"by", "sync"}, {"result", result_id}}, "system");
    }
    if (!field_writes.empty()) {
      json records = json::array();
      for (const auto& write : field_writes) records.push_back(w.record_ids.at(write.first));
      ctx.emit("personnel.record.updated", "customFields", site, {{"records", records}}, "system");
    }
    ctx.emit("training.integration.synced", "ihasco", site, ctx.result);
  });
}

}  // namespace calm::detail
