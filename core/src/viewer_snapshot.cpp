// Viewer snapshots (calm/viewer.hpp, SERVER.md V1-V5). Every item is kept,
// cut down or left out by asking the decision function about the viewer
// (directly, or through the helpers the views use), never by a copy of the
// rules:
//
// - V4 says what is left out: records without P1, blocks and files without
//   P9/P11, the data of a block that needs a reveal this viewer has not made
//   (PW2), assets without P2, companies without P4 and their sensitive data
//   without P11, threads without P6, courses without T5 (a stub where a kept
//   fulfillment, result or assignment names one), other people's training
//   without T3, T10 or P3 at its site, answer keys without T10 or T11, other
//   users' grants except where the viewer manages users or assigns training,
//   emails, integration mappings without T12, settings where the viewer holds
//   no role.
// - V1-V3 say what must stay: what every rule reads to decide for the viewer
//   (the viewer's own grants and training, the site tree, entitlements,
//   owners, templates, the `connected` flags, settings where they hold a
//   role), and the site of every kept object: a user kept for any reason
//   keeps a stub of their first live record (its id, site and user), which
//   is what T4 on their profile and the site of a result without a course
//   read.
//
// Kept items keep their order, so answers that list them list them alike.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "actions.hpp"
#include "calm/viewer.hpp"
#include "detail/dates.hpp"
#include "detail/export_items.hpp"
#include "detail/json_util.hpp"
#include "detail/visibility.hpp"

namespace calm {

using nlohmann::json;

namespace {

json error(std::string_view code, std::string_view path, std::string message) {
  return {
      {"ok", false},
      {"errors",
       json::array(
           {{{"code", std::string(code)}, {"path", std::string(path)}, {"message", std::move(message)}}})}};
}

// Memoised decisions of the viewer for one action, per site (no resource) or
// per resource (one resource key of `IndexedRequest`).
class Gate {
 public:
  Gate(const Engine& engine, Index user, std::string_view action, std::uint16_t key, std::size_t count)
      : engine_(engine), user_(user), action_(find_action(action)), key_(key), cache_(count, -1) {}
  // `index` is a site (key 0) or a resource of kind `key`.
  bool operator()(Index index) {
    if (index == kNone || index >= cache_.size()) return false;
    std::int8_t& c = cache_[index];
    if (c < 0) {
      IndexedRequest request;
      request.user = user_;
      request.action = action_;
      if (key_ == 0) {
        request.site = index;
      } else {
        request.key = key_;
        request.resource = index;
      }
      c = engine_.check(request).allowed() ? 1 : 0;
    }
    return c == 1;
  }

 private:
  const Engine& engine_;
  Index user_;
  Index action_;
  std::uint16_t key_;
  std::vector<std::int8_t> cache_;
};

constexpr std::uint16_t kCourseKey = detail::kCourse;
constexpr std::uint16_t kCompanyKey = detail::kCompany;

class ViewerCut {
 public:
  ViewerCut(const Engine& engine, Index viewer)
      : engine_(engine),
        s_(engine.snapshot()),
        v_(viewer),
        viewer_id_(s_.user_ids.at(viewer)),
        sites_(s_.sites.size()),
        manage_users_(engine, viewer, "site.users.manage", 0, sites_),                                // S1
        assign_(engine, viewer, "training.course.create", 0, sites_),                                 // T6
        record_view_(engine, viewer, "personnel.record.view", 0, sites_),                             // P1
        assets_(engine, viewer, "personnel.record.view_assets", 0, sites_),                           // P2
        training_view_(engine, viewer, "personnel.training.view", 0, sites_),                         // P3
        insights_(engine, viewer, "training.insights.view", 0, sites_),                               // T3
        review_(engine, viewer, "training.assessment.review", 0, sites_),                             // T10
        connect_(engine, viewer, "training.integration.connect", 0, sites_),                          // T12
        course_view_(engine, viewer, "training.course.view", kCourseKey, s_.courses.size()),          // T5
        course_review_(engine, viewer, "training.assessment.review", kCourseKey, s_.courses.size()),  // T10
        quiz_(engine, viewer, "training.quiz.manage", kCourseKey, s_.courses.size()),                 // T11
        company_view_(engine, viewer, "personnel.company.view", kCompanyKey, s_.companies.size()),    // P4
        company_sensitive_(engine, viewer, "personnel.sensitive.view", kCompanyKey, s_.companies.size()) {
  }  // P11

  json run(const ViewerOptions& options) {
    decide_sites();
    keep_personnel();
    keep_training();
    keep_users();
    return write(options);
  }

 private:
  // Sites where the viewer manages users or assigns training (V4: other
  // users' grants that decide roles there stay), and where they hold a role.
  void decide_sites() {
    deciding_.assign(sites_, false);
    below_deciding_.assign(sites_, false);
    above_deciding_.assign(sites_, false);
    holds_role_.assign(sites_, false);
    for (Index site = 0; site < sites_; ++site) {
      deciding_[site] = manage_users_(site) || assign_(site);
      manages_users_anywhere_ = manages_users_anywhere_ || manage_users_(site);
      assigns_anywhere_ = assigns_anywhere_ || assign_(site);
      for (Index m = 0; m < s_.module_ids.size() && !holds_role_[site]; ++m)
        holds_role_[site] = engine_.effective_role(v_, site, m) != Role::none;
    }
    // below_deciding_: the site or one of its ancestors decides (pre-order: parents first).
    for (Index site : s_.site_preorder) {
      const Index parent = s_.sites[site].parent;
      below_deciding_[site] = deciding_[site] || (parent != kNone && below_deciding_[parent]);
    }
    // above_deciding_: the site or one of its descendants decides (reverse pre-order).
    for (auto it = s_.site_preorder.rbegin(); it != s_.site_preorder.rend(); ++it) {
      if (deciding_[*it]) above_deciding_[*it] = true;
      const Index parent = s_.sites[*it].parent;
      if (parent != kNone && above_deciding_[*it]) above_deciding_[parent] = true;
    }
  }

  // A grant decides its user's role at a deciding site when it is there, at a
  // descendant (A4), or cascades from an ancestor (A3).
  bool grant_kept(const Grant& g) const {
    return g.user == v_ || below_deciding_[g.site] || (g.include_child_sites && above_deciding_[g.site]);
  }

  void keep_personnel() {
    record_full_.assign(s_.records.size(), false);
    company_.assign(s_.companies.size(), Keep::no);
    comment_kept_.assign(s_.comments.size(), false);
    for (Index r = 0; r < s_.records.size(); ++r) {
      const Record& rec = s_.records[r];
      if (rec.deleted || !record_view_(rec.site)) continue;  // P1
      record_full_[r] = true;
      for (Index c : rec.companies) company_[c] = Keep::stub;  // the record names it (PW1)
    }
    for (Index c = 0; c < s_.companies.size(); ++c) {
      if (company_view_(c)) company_[c] = Keep::full;  // P4 (a deleted company is unknown: never full)
    }
    for (Index c = 0; c < s_.comments.size(); ++c) {
      const Comment& comment = s_.comments[c];
      if (comment.parent != kNone || !record_full_[comment.record]) continue;
      comment_kept_[c] = detail::thread_visible(engine_, viewer_id_, c);  // P6
    }
    for (Index c = 0; c < s_.comments.size(); ++c) {
      if (s_.comments[c].parent != kNone) comment_kept_[c] = comment_kept_[s_.comments[c].root];
    }
  }

  // Other people's training stays where the viewer holds T3, T10 or P3 at its site.
  bool training_site(Index site) {
    return site != kNone && (insights_(site) || review_(site) || training_view_(site));
  }

  void keep_training() {
    fulfillment_kept_.assign(s_.fulfillments.size(), false);
    attempt_kept_.assign(s_.attempts.size(), false);
    result_kept_.assign(s_.results.size(), false);
    assignment_kept_.assign(s_.assignments.size(), false);
    course_.assign(s_.courses.size(), Keep::no);
    for (Index f = 0; f < s_.fulfillments.size(); ++f) {
      const Fulfillment& ful = s_.fulfillments[f];
      if (ful.user != v_ && !training_site(s_.courses[ful.course].site)) continue;
      fulfillment_kept_[f] = true;
      if (ful.assignment != kNone) assignment_kept_[ful.assignment] = true;
    }
    for (Index a = 0; a < s_.attempts.size(); ++a)
      attempt_kept_[a] = fulfillment_kept_[s_.attempts[a].fulfillment];
    const detail::ResultSites result_site(s_);
    for (Index i = 0; i < s_.results.size(); ++i) {
      const TrainingResult& r = s_.results[i];
      result_kept_[i] = r.user == v_ || training_site(result_site(r.user, r.course));
    }
    for (Index a = 0; a < s_.assignments.size(); ++a) {
      if (assign_(s_.courses[s_.assignments[a].course].site)) assignment_kept_[a] = true;  // T6: revoke
    }
    auto named = [&](Index course) {
      if (course != kNone && course_[course] == Keep::no) course_[course] = Keep::stub;
    };
    for (Index f = 0; f < s_.fulfillments.size(); ++f)
      if (fulfillment_kept_[f]) named(s_.fulfillments[f].course);
    for (Index i = 0; i < s_.results.size(); ++i)
      if (result_kept_[i]) named(s_.results[i].course);
    for (Index a = 0; a < s_.assignments.size(); ++a)
      if (assignment_kept_[a]) named(s_.assignments[a].course);
    for (Index c = 0; c < s_.courses.size(); ++c) {
      if (course_view_(c)) course_[c] = Keep::full;  // T5 (a deleted course is unknown: never full)
    }
  }

  // An assignment's people and groups stay where the viewer may see that
  // site's training or assign there; elsewhere only the viewer's own entry.
  bool assignment_open(Index a) {
    const Index site = s_.courses[s_.assignments[a].course].site;
    return assign_(site) || training_site(site);
  }

  void keep_users() {
    user_kept_.assign(s_.users.size(), manages_users_anywhere_);  // S1: User Management lists everyone
    email_kept_.assign(s_.users.size(), manages_users_anywhere_);
    auto keep = [&](Index u) {
      if (u != kNone) user_kept_[u] = true;
    };
    keep(v_);
    email_kept_[v_] = true;
    for (Index u : s_.owners) keep(u);
    for (const Grant& g : s_.grants)
      if (grant_kept(g)) keep(g.user);
    if (assigns_anywhere_) {
      for (const Group& g : s_.groups)
        for (Index u : g.members) keep(u);
    }
    for (Index f = 0; f < s_.fulfillments.size(); ++f)
      if (fulfillment_kept_[f]) keep(s_.fulfillments[f].user);
    for (Index i = 0; i < s_.results.size(); ++i) {
      if (!result_kept_[i]) continue;
      keep(s_.results[i].user);
      keep(s_.results[i].recorded_by);
    }
    for (Index a = 0; a < s_.assignments.size(); ++a) {
      if (assignment_kept_[a] && assignment_open(a))
        for (Index u : s_.assignments[a].people) keep(u);
    }
    for (Index r = 0; r < s_.records.size(); ++r) {
      if (!record_full_[r]) continue;
      keep(s_.records[r].user);
      if (s_.records[r].user != kNone) email_kept_[s_.records[r].user] = true;  // their record is viewable
    }
    for (Index c = 0; c < s_.comments.size(); ++c)
      if (comment_kept_[c]) keep(s_.comments[c].author);
    // The first live record of every kept user: whole when viewable, else a stub.
    record_stub_.assign(s_.records.size(), false);
    std::vector<bool> seen(s_.users.size(), false);
    for (Index r = 0; r < s_.records.size(); ++r) {
      const Record& rec = s_.records[r];
      if (rec.deleted || rec.user == kNone || seen[rec.user]) continue;
      seen[rec.user] = true;
      if (user_kept_[rec.user] && !record_full_[r]) record_stub_[r] = true;
    }
  }

  json record(Index r) {
    const Record& rec = s_.records[r];
    const std::string& id = s_.record_ids.at(r);
    if (record_stub_[r])
      return {{"id", id}, {"site", s_.site_ids.at(rec.site)}, {"user", s_.user_ids.at(rec.user)}};
    json item = detail::record_item(s_, r);
    json blocks = json::array();
    for (const Block& b : rec.blocks) {
      if (!detail::block_visible(engine_, viewer_id_, id, b.id)) continue;  // P9 / P11
      json block = detail::block_item(b);
      if (detail::block_masked(s_, viewer_id_, id, b)) {
        block.erase("data");  // PW2: absent until this viewer reveals it
      } else if (b.reveal_required) {
        revealed_.push_back({{"user", viewer_id_}, {"record", id}, {"block", b.id}});
      }
      blocks.push_back(std::move(block));
    }
    item["blocks"] = std::move(blocks);
    const detail::FileGate file_visible(engine_, viewer_id_, id);  // P9 / P11
    json files = json::array();
    for (const RecordFile& f : rec.files)
      if (file_visible(f)) files.push_back(detail::file_item(f));
    item["files"] = std::move(files);
    if (!assets_(rec.site)) item.erase("assets");  // P2
    return item;
  }

  json company(Index c) {
    const Company& co = s_.companies[c];
    if (company_[c] == Keep::stub) {
      json stub{{"id", s_.company_ids.at(c)}, {"site", s_.site_ids.at(co.site)}, {"name", co.name}};
      if (co.deleted) stub["deleted"] = true;
      return stub;
    }
    json item = detail::company_item(s_, c);
    if (!company_sensitive_(c)) item.erase("sensitive");  // P11
    return item;
  }

  json course(Index c) {
    const Course& crs = s_.courses[c];
    if (course_[c] == Keep::stub) {
      json stub{{"id", s_.course_ids.at(c)},
                {"site", s_.site_ids.at(crs.site)},
                {"title", crs.title},
                {"source", crs.source == CourseSource::ihasco ? "ihasco" : "calm"},
                {"status", crs.status == CourseStatus::draft       ? "draft"
                           : crs.status == CourseStatus::published ? "published"
                                                                   : "archived"},
                {"steps", json::array()}};
      if (crs.deleted) stub["deleted"] = true;
      return stub;
    }
    json item = detail::course_item(s_, c);
    if (!course_review_(c) && !quiz_(c)) {  // answer keys only with T10 or T11
      for (json& step : item["steps"]) {
        if (auto a = step.find("assessment"); a != step.end()) {
          for (json& q : (*a)["questions"]) q.erase("correct");
        }
      }
    }
    return item;
  }

  json assignment(Index a) {
    json item = detail::assignment_item(s_, a);
    if (!assignment_open(a)) {
      const Assignment& as = s_.assignments[a];
      json people = json::array();
      if (std::find(as.people.begin(), as.people.end(), v_) != as.people.end()) people.push_back(viewer_id_);
      item["people"] = std::move(people);
      item["groups"] = json::array();
    } else if (!assigns_anywhere_) {
      item["groups"] = json::array();  // groups are kept for those who assign
    }
    return item;
  }

  json write(const ViewerOptions& options) {
    json out;
    out["version"] = 1;
    out["organisation"] = detail::organisation_item(s_);
    const std::string issued_at = options.issued_at.value_or(s_.issued_at);
    if (!issued_at.empty()) out["issuedAt"] = issued_at;
    if (!s_.valid_until.empty()) out["validUntil"] = s_.valid_until;
    if (auto revision = options.revision ? options.revision : s_.revision) out["revision"] = *revision;

    json sites = json::array();
    for (Index i = 0; i < sites_; ++i) sites.push_back(detail::site_item(s_, i));
    out["sites"] = std::move(sites);
    json users = json::array();
    for (Index u = 0; u < s_.users.size(); ++u)
      if (user_kept_[u]) users.push_back(detail::user_item(s_, u, email_kept_[u]));
    out["users"] = std::move(users);
    // Kept grants, ordered by the full state's module index (stable), so that
    // module ids are met in the same order and views list modules alike.
    std::vector<Index> grants;
    for (Index g = 0; g < s_.grants.size(); ++g)
      if (grant_kept(s_.grants[g])) grants.push_back(g);
    std::stable_sort(grants.begin(), grants.end(),
                     [&](Index a, Index b) { return s_.grants[a].module < s_.grants[b].module; });
    json grant_list = json::array();
    for (Index g : grants) grant_list.push_back(detail::grant_item(s_, s_.grants[g]));
    out["grants"] = std::move(grant_list);
    json groups = json::array();
    if (assigns_anywhere_)
      for (Index g = 0; g < s_.groups.size(); ++g) groups.push_back(detail::group_item(s_, g));
    out["groups"] = std::move(groups);
    json templates = json::array();
    for (Index t = 0; t < s_.templates.size(); ++t) templates.push_back(detail::template_item(s_, t));
    out["templates"] = std::move(templates);

    json settings = json::object();
    json integrations = json::object();
    for (Index site = 0; site < sites_; ++site) {
      if (holds_role_[site]) {
        if (json p = detail::settings_item(s_, site); !p.is_null())
          settings[s_.site_ids.at(site)]["personnel"] = std::move(p);
      }
      json ih = detail::integration_item(s_, site);
      if (ih.is_null() || !(holds_role_[site] || below_deciding_[site])) continue;
      if (!connect_(site)) ih.erase("mapping");  // T12
      if (!ih["connected"].get<bool>() && !ih.contains("mapping")) continue;
      integrations[s_.site_ids.at(site)]["ihasco"] = std::move(ih);
    }
    out["settings"] = std::move(settings);
    out["integrations"] = std::move(integrations);

    json courses = json::array();
    for (Index c = 0; c < s_.courses.size(); ++c)
      if (course_[c] != Keep::no) courses.push_back(course(c));
    json assignments = json::array();
    for (Index a = 0; a < s_.assignments.size(); ++a)
      if (assignment_kept_[a]) assignments.push_back(assignment(a));
    json fulfillments = json::array();
    for (Index f = 0; f < s_.fulfillments.size(); ++f)
      if (fulfillment_kept_[f]) fulfillments.push_back(detail::fulfillment_item(s_, f));
    json attempts = json::array();
    for (Index a = 0; a < s_.attempts.size(); ++a)
      if (attempt_kept_[a]) attempts.push_back(detail::attempt_item(s_, a));
    json results = json::array();
    for (Index i = 0; i < s_.results.size(); ++i)
      if (result_kept_[i]) results.push_back(detail::result_item(s_, i));
    out["training"] = {{"courses", std::move(courses)},
                       {"assignments", std::move(assignments)},
                       {"fulfillments", std::move(fulfillments)},
                       {"attempts", std::move(attempts)},
                       {"results", std::move(results)}};

    json records = json::array();
    for (Index r = 0; r < s_.records.size(); ++r)
      if (record_full_[r] || record_stub_[r]) records.push_back(record(r));
    json companies = json::array();
    for (Index c = 0; c < s_.companies.size(); ++c)
      if (company_[c] != Keep::no) companies.push_back(company(c));
    json comments = json::array();
    for (Index c = 0; c < s_.comments.size(); ++c)
      if (comment_kept_[c]) comments.push_back(detail::comment_item(s_, c));
    out["personnel"] = {{"records", std::move(records)},
                        {"companies", std::move(companies)},
                        {"comments", std::move(comments)}};
    if (!revealed_.empty()) out["revealed"] = std::move(revealed_);
    // The viewer's own applied commands, so that retrying one stays harmless.
    json applied = json::array();
    for (const auto& entry : s_.applied_commands) {
      const json& command = entry.second;
      auto c = command.find("command");
      if (c == command.end() || !c->is_object()) continue;
      auto actor = c->find("actor");
      if (actor != c->end() && actor->is_string() && actor->get<std::string>() == viewer_id_)
        applied.push_back(command);
    }
    if (!applied.empty()) out["appliedCommands"] = std::move(applied);
    return out;
  }

  enum class Keep : std::uint8_t { no, stub, full };

  const Engine& engine_;
  const Snapshot& s_;
  Index v_;
  std::string viewer_id_;
  std::size_t sites_;
  Gate manage_users_, assign_, record_view_, assets_, training_view_, insights_, review_, connect_;
  Gate course_view_, course_review_, quiz_, company_view_, company_sensitive_;

  std::vector<bool> deciding_, below_deciding_, above_deciding_, holds_role_;
  bool manages_users_anywhere_ = false;
  bool assigns_anywhere_ = false;
  std::vector<bool> record_full_, record_stub_, comment_kept_;
  std::vector<Keep> company_, course_;
  std::vector<bool> fulfillment_kept_, attempt_kept_, result_kept_, assignment_kept_;
  std::vector<bool> user_kept_, email_kept_;
  json revealed_ = json::array();
};

}  // namespace

json viewer_snapshot(const Engine& engine, std::string_view user, const ViewerOptions& options) {
  if (!is_valid_id(user)) return error("invalid-id", "/user", "expected a user id of 1 to 128 bytes");
  const Index viewer = engine.snapshot().user_ids.find(user);
  if (viewer == kNone) return error("unknown-user", "/user", "no user `" + detail::clip(user) + "`");
  ViewerCut cut(engine, viewer);
  return {{"ok", true}, {"value", cut.run(options)}};
}

}  // namespace calm
