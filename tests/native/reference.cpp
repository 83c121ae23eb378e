// The naive reference resolver (see reference.hpp). Written from ACCESS.md
// and SNAPSHOT.md only; every rule cites its id.

#include "reference.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace calm_ref {
namespace {

using nlohmann::json;

struct ActionRow {
  const char* id;
  std::vector<std::string> required;
  std::vector<std::string> optional;
};

// ACCESS.md section 8, "An action takes exactly the resource keys below".
const std::vector<ActionRow>& action_table() {
  static const std::vector<ActionRow> table = {
      {"training.course.complete", {"fulfillment"}, {}},
      {"training.progress.view_own", {}, {}},
      {"training.insights.view", {}, {}},
      {"training.profile.view", {}, {"record"}},
      {"training.course.view", {"course"}, {}},
      {"training.course.create", {}, {}},
      {"training.course.edit", {"course"}, {}},
      {"training.course.publish", {"course"}, {}},
      {"training.course.archive", {"course"}, {}},
      {"training.course.assign", {"course"}, {}},
      {"training.course.delete", {"course"}, {}},
      {"training.result.record", {}, {"record"}},
      {"training.assessment.review", {}, {"course"}},
      {"training.quiz.manage", {}, {"course"}},
      {"training.integration.connect", {}, {}},
      {"training.integration.sync", {}, {}},
      {"personnel.record.view", {}, {"record"}},
      {"personnel.record.view_assets", {}, {"record"}},
      {"personnel.record.edit", {}, {"record"}},
      {"personnel.record.delete", {}, {"record"}},
      {"personnel.record.create", {}, {}},
      {"personnel.training.view", {}, {"record"}},
      {"personnel.comment.add", {}, {"record"}},
      {"personnel.file.view", {}, {"record"}},
      {"personnel.file.manage", {}, {"record"}},
      {"personnel.company.view", {}, {"record", "company"}},
      {"personnel.comment.view", {"thread"}, {}},
      {"personnel.insights.view", {}, {}},
      {"personnel.settings.view", {}, {}},
      {"personnel.settings.edit", {}, {}},
      {"personnel.training.manage", {}, {}},
      {"personnel.block.view", {}, {"record", "block"}},
      {"personnel.block.manage", {}, {"record", "block"}},
      {"personnel.sensitive.view", {}, {"record", "block", "company"}},
      {"personnel.company.manage", {}, {"company"}},
      {"personnel.company.delete", {}, {"company"}},
      {"personnel.contact.delete", {}, {"company"}},
      {"site.update", {}, {}},
      {"site.users.manage", {}, {}},
      {"site.integrations.manage", {}, {}},
      {"users.view", {}, {}},
      {"users.access.view", {}, {"target"}},
      {"users.access.edit", {}, {"target"}},
      {"users.access.set", {"target", "module", "role"}, {}},
      {"users.owner.set", {"target"}, {}},
      {"users.owner.unset", {"target"}, {}},
  };
  return table;
}

const ActionRow* find_action_row(const std::string& id) {
  for (const ActionRow& row : action_table()) {
    if (id == row.id) return &row;
  }
  return nullptr;
}

const json& empty_array() {
  static const json empty = json::array();
  return empty;
}

// `snapshot[a][b]` when it is an array, else [].
const json& section(const json& snapshot, const char* a, const char* b) {
  auto outer = snapshot.find(a);
  if (outer == snapshot.end() || !outer->is_object()) return empty_array();
  auto inner = outer->find(b);
  if (inner == outer->end() || !inner->is_array()) return empty_array();
  return *inner;
}

const json& top_array(const json& snapshot, const char* a) {
  auto it = snapshot.find(a);
  if (it == snapshot.end() || !it->is_array()) return empty_array();
  return *it;
}

// Linear search by `id`.
const json* find_by_id(const json& array, const std::string& id) {
  for (const json& item : array) {
    auto it = item.find("id");
    if (it != item.end() && it->is_string() && it->get<std::string>() == id) return &item;
  }
  return nullptr;
}

std::string str(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool has_key(const json& object, const char* key) { return object.is_object() && object.contains(key); }

Answer deny(std::string code, std::string why) { return Answer{false, std::move(code), std::move(why)}; }

// PERSONNEL.md Decision: a block is sensitive when it says so; types
// employment, dbs, right-to-work, financial and identity when the flag is absent.
bool block_is_sensitive(const json& block) {
  auto it = block.find("sensitive");
  if (it != block.end() && it->is_boolean()) return it->get<bool>();
  const std::string type = str(block, "type");
  return type == "employment" || type == "dbs" || type == "right-to-work" || type == "financial" ||
         type == "identity";
}

}  // namespace

const std::vector<std::string>& action_ids() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out;
    for (const ActionRow& row : action_table()) out.emplace_back(row.id);
    return out;
  }();
  return ids;
}

std::optional<ActionKeys> action_keys(const std::string& action) {
  const ActionRow* row = find_action_row(action);
  if (row == nullptr) return std::nullopt;
  return ActionKeys{row->required, row->optional};
}

int role_number(const std::string& name) {
  if (name == "none") return kNone;
  if (name == "member") return kMember;
  if (name == "manager") return kManager;
  if (name == "admin") return kAdmin;
  return -1;
}

bool is_id(const json& value) {
  if (!value.is_string()) return false;
  const std::size_t n = value.get_ref<const std::string&>().size();
  return n >= 1 && n <= 128;
}

Reference::Reference(const json& snapshot) : snapshot_(snapshot) {
  for (const json& site : top_array(snapshot_, "sites")) {
    SiteRow row;
    row.id = str(site, "id");
    if (has_key(site, "parent") && site["parent"].is_string()) row.parent = site["parent"].get<std::string>();
    sites_.push_back(std::move(row));
  }
  for (const json& grant : top_array(snapshot_, "grants")) {
    GrantRow row;
    row.user = str(grant, "user");
    row.site = str(grant, "site");
    row.module = str(grant, "module");
    row.role = role_number(str(grant, "role"));
    row.cascade = grant.value("includeChildSites", false);
    grants_.push_back(std::move(row));
  }
}

std::optional<std::string> Reference::parent_of(const std::string& site) const {
  for (const SiteRow& row : sites_) {
    if (row.id == site) return row.parent;
  }
  return std::nullopt;
}

bool Reference::is_strict_ancestor(const std::string& ancestor, const std::string& site) const {
  std::optional<std::string> p = parent_of(site);
  // The loader rejects cycles; the step bound only keeps a bad input finite.
  for (std::size_t steps = 0; p && steps <= sites_.size(); ++steps) {
    if (*p == ancestor) return true;
    p = parent_of(*p);
  }
  return false;
}

int Reference::held_by_grants(const std::string& user, const std::string& site, const std::string& module) const {
  int best = kNone;
  for (const GrantRow& g : grants_) {
    if (g.user != user || g.module != module) continue;
    if (g.site == site) best = std::max(best, g.role);                                       // A1
    else if (g.cascade && is_strict_ancestor(g.site, site)) best = std::max(best, g.role);  // A3
    // A2: a non-cascading grant at an ancestor gives nothing here.
  }
  return best;
}

int Reference::role(const std::string& user, const std::string& site, const std::string& module) const {
  if (!is_entitled(module)) return kNone;  // A7, owners included
  if (is_owner(user)) return kAdmin;       // A6
  int best = held_by_grants(user, site, module);
  // A4: at least member when a descendant holds >= member by A1/A3, per module.
  for (const SiteRow& d : sites_) {
    if (best >= kMember) break;
    if (is_strict_ancestor(site, d.id) && held_by_grants(user, d.id, module) >= kMember) best = kMember;
  }
  return best;  // A5: maximum
}

bool Reference::has_permission(const std::string& user, const std::string& site, const std::string& permission) const {
  if (is_owner(user)) return true;  // section 3: owners have all three everywhere
  const int site_role = role(user, site, "site");
  if (permission == "update-site" || permission == "manage-users") return site_role >= kManager;
  if (permission == "manage-integrations") return site_role >= kAdmin;
  return false;
}

bool Reference::is_owner(const std::string& user) const {
  const json& organisation = snapshot_.at("organisation");
  auto it = organisation.find("owners");
  if (it == organisation.end() || !it->is_array()) return false;
  return std::any_of(it->begin(), it->end(), [&](const json& o) { return o.is_string() && o.get<std::string>() == user; });
}

bool Reference::is_entitled(const std::string& module) const {
  if (module == "site") return true;
  const json& organisation = snapshot_.at("organisation");
  auto it = organisation.find("entitlements");
  if (it == organisation.end() || !it->is_array()) return false;
  return std::any_of(it->begin(), it->end(),
                     [&](const json& e) { return e.is_string() && e.get<std::string>() == module; });
}

bool Reference::is_known_module(const std::string& module) const {
  if (module == "site" || module == "personnel" || module == "premises") return true;
  const json& organisation = snapshot_.at("organisation");
  if (auto it = organisation.find("entitlements"); it != organisation.end() && it->is_array()) {
    for (const json& e : *it) {
      if (e.is_string() && e.get<std::string>() == module) return true;
    }
  }
  for (const json& g : top_array(snapshot_, "grants")) {
    if (str(g, "module") == module) return true;
  }
  for (const json& t : top_array(snapshot_, "templates")) {
    if (auto roles = t.find("roles"); roles != t.end() && roles->is_object() && roles->contains(module)) return true;
  }
  return false;
}

bool Reference::is_user(const std::string& user) const {
  return find_by_id(top_array(snapshot_, "users"), user) != nullptr;
}

bool Reference::is_site(const std::string& site) const {
  return find_by_id(top_array(snapshot_, "sites"), site) != nullptr;
}

Answer Reference::decide(const json& request) const {
  // ---- 1. Shape -------------------------------------------------------------
  if (!request.is_object()) return deny("invalid-request", "1: not an object");
  // The project's decision (section 8's four keys; a misspelt `resource` must
  // not widen the question): any other top-level key is invalid-request.
  for (const auto& [key, value] : request.items()) {
    if (key != "user" && key != "action" && key != "site" && key != "resource") {
      return deny("invalid-request", "1: unknown key " + key);
    }
  }
  // Step 1 says "`user` and `action` strings"; the project's decision
  // (tests/corpus/order.json) reads `user` as an id: "" or 129 bytes is
  // invalid-request, never unknown-user. `action` is any string.
  if (!request.contains("user") || !is_id(request["user"])) return deny("invalid-request", "1: user");
  if (!request.contains("action") || !request["action"].is_string()) return deny("invalid-request", "1: action");
  if (request.contains("site") && !is_id(request["site"])) return deny("invalid-request", "1: site");
  const json no_resource = json::object();
  const json* resource = &no_resource;
  if (request.contains("resource")) {
    resource = &request["resource"];
    if (!resource->is_object()) return deny("invalid-request", "1: resource");
    for (const auto& [key, value] : resource->items()) {
      if (key == "course" || key == "fulfillment" || key == "record" || key == "thread" || key == "company" ||
          key == "target" || key == "module") {
        if (!is_id(value)) return deny("invalid-request", "1: resource." + key);
      } else if (key == "block") {
        // Exactly `{ record: id, block: id }` (section 8); another key inside
        // is malformed (a decision: the spec shows only that shape).
        if (!value.is_object() || value.size() != 2 || !value.contains("record") || !value.contains("block") ||
            !is_id(value["record"]) || !is_id(value["block"])) {
          return deny("invalid-request", "1: resource.block");
        }
      } else if (key == "role") {
        if (!value.is_string() || role_number(value.get<std::string>()) < 0) {
          return deny("invalid-request", "1: resource.role");
        }
      }
      // Unknown keys: any type here; rejected at step 3.
    }
  }
  const std::string user = request["user"].get<std::string>();
  const std::string action = request["action"].get<std::string>();

  // ---- 2. unknown-action ------------------------------------------------------
  const ActionRow* row = find_action_row(action);
  if (row == nullptr) return deny("unknown-action", "2");

  // ---- 3. Resource keys exactly ----------------------------------------------
  for (const auto& [key, value] : resource->items()) {
    (void)value;
    const bool takes = std::find(row->required.begin(), row->required.end(), key) != row->required.end() ||
                       std::find(row->optional.begin(), row->optional.end(), key) != row->optional.end();
    if (!takes) return deny("invalid-request", "3: extra key " + key);
  }
  for (const std::string& key : row->required) {
    if (!resource->contains(key)) return deny("invalid-request", "3: missing key " + key);
  }
  auto key_value = [&](const char* key) -> std::optional<std::string> {
    if (!resource->contains(key)) return std::nullopt;
    return (*resource)[key].get<std::string>();
  };

  // ---- 4. unknown-user, unknown-site -------------------------------------------
  if (!is_user(user)) return deny("unknown-user", "4");
  std::optional<std::string> given_site;
  if (request.contains("site")) given_site = request["site"].get<std::string>();
  if (given_site && !is_site(*given_site)) return deny("unknown-site", "4");

  // ---- 5. Resources, in the order course, fulfillment, record, block, thread,
  //         company, target, module -------------------------------------------
  std::vector<std::string> resource_sites;
  const json& courses = section(snapshot_, "training", "courses");
  const json& records = section(snapshot_, "personnel", "records");
  const json* course = nullptr;
  const json* fulfillment = nullptr;
  const json* block = nullptr;
  const json* thread = nullptr;
  if (auto id = key_value("course")) {
    course = find_by_id(courses, *id);
    if (course == nullptr) return deny("unknown-resource", "5: course");
    resource_sites.push_back(str(*course, "site"));
  }
  if (auto id = key_value("fulfillment")) {
    fulfillment = find_by_id(section(snapshot_, "training", "fulfillments"), *id);
    if (fulfillment == nullptr) return deny("unknown-resource", "5: fulfillment");
    const json* its_course = find_by_id(courses, str(*fulfillment, "course"));
    if (its_course == nullptr) return deny("unknown-resource", "5: fulfillment course (invalid snapshot)");
    resource_sites.push_back(str(*its_course, "site"));  // a fulfillment's site is its course's site
  }
  if (auto id = key_value("record")) {
    const json* record = find_by_id(records, *id);
    if (record == nullptr) return deny("unknown-resource", "5: record");
    resource_sites.push_back(str(*record, "site"));
  }
  std::optional<std::string> block_record_id;
  if (resource->contains("block")) {
    const json& ref = (*resource)["block"];
    block_record_id = ref["record"].get<std::string>();
    const json* record = find_by_id(records, *block_record_id);
    if (record == nullptr) return deny("unknown-resource", "5: block record");
    auto blocks = record->find("blocks");
    if (blocks == record->end() || !blocks->is_array()) return deny("unknown-resource", "5: block (no blocks)");
    block = find_by_id(*blocks, ref["block"].get<std::string>());
    if (block == nullptr) return deny("unknown-resource", "5: block");
    resource_sites.push_back(str(*record, "site"));
  }
  if (auto id = key_value("thread")) {
    thread = find_by_id(section(snapshot_, "personnel", "comments"), *id);
    if (thread == nullptr) return deny("unknown-resource", "5: thread");
    if (has_key(*thread, "parent")) return deny("unknown-resource", "5: thread is a reply");
    const json* record = find_by_id(records, str(*thread, "record"));
    if (record == nullptr) return deny("unknown-resource", "5: thread record (invalid snapshot)");
    resource_sites.push_back(str(*record, "site"));  // a thread's site is its record's site
  }
  if (auto id = key_value("company")) {
    const json* company = find_by_id(section(snapshot_, "personnel", "companies"), *id);
    if (company == nullptr) return deny("unknown-resource", "5: company");
    resource_sites.push_back(str(*company, "site"));
  }
  if (auto id = key_value("target")) {
    if (!is_user(*id)) return deny("unknown-resource", "5: target");
  }
  if (auto id = key_value("module")) {
    if (!is_known_module(*id)) return deny("unknown-module", "5: module");
  }

  // ---- 6. Site agreement and presence ----------------------------------------
  if (block_record_id) {
    if (auto record_id = key_value("record"); record_id && *record_id != *block_record_id) {
      return deny("invalid-request", "6: block and record name different records");
    }
  }
  std::optional<std::string> site = given_site;
  for (const std::string& s : resource_sites) {
    if (!site) site = s;
    else if (*site != s) return deny("invalid-request", "6: sites disagree");
  }
  const bool organisation_level = action == "users.owner.set" || action == "users.owner.unset";
  if (!site && !organisation_level) return deny("invalid-request", "6: no site");

  // ---- 7. Modules, roles, site permissions, conditions, escalation ----------
  if (organisation_level) {
    if (!is_owner(user)) return deny("escalation", "7: S2 owner only");
    return Answer{true, "allowed", "S2"};
  }
  const std::string& s = *site;

  if (action == "users.access.set") {
    const std::string module = *key_value("module");
    const int wanted = role_number(*key_value("role"));
    if (!is_entitled(module)) return deny("not-entitled", "7: S2 module");
    if (!has_permission(user, s, "manage-users")) return deny("missing-site-permission", "7: manage-users");
    if (wanted > kNone && wanted > role(user, s, module)) return deny("escalation", "7: S2");
    return Answer{true, "allowed", "S2"};
  }

  std::vector<std::pair<std::string, int>> needs;  // module, minimum role, in order
  std::vector<std::string> permissions;
  const bool external = course != nullptr && str(*course, "source") == "ihasco";
  auto personnel = [&](int r) { needs.emplace_back("personnel", r); };

  if (action == "site.update") {
    permissions.push_back("update-site");
  } else if (action == "site.users.manage" || action == "users.view" || action == "users.access.view" ||
             action == "users.access.edit") {
    permissions.push_back("manage-users");  // S1
  } else if (action == "site.integrations.manage") {
    permissions.push_back("manage-integrations");
  } else if (action == "training.course.complete" || action == "training.progress.view_own" ||
             action == "training.profile.view" || action == "training.course.view") {
    personnel(kMember);  // T1, T2, T4, T5
  } else if (action == "training.insights.view" || action == "training.course.create" ||
             action == "training.course.publish" || action == "training.course.archive" ||
             action == "training.course.assign" || action == "training.result.record" ||
             action == "training.assessment.review" || action == "training.integration.sync") {
    personnel(kManager);  // T3, T6, T9, T10, T13
  } else if (action == "training.course.edit" || action == "training.course.delete" ||
             action == "training.quiz.manage") {
    personnel(kManager);  // T6, T8, T11
    if (external) permissions.push_back("manage-integrations");  // T7
  } else if (action == "training.integration.connect") {
    personnel(kAdmin);  // T12
    permissions.push_back("manage-integrations");
  } else if (action == "personnel.record.view" || action == "personnel.training.view" ||
             action == "personnel.comment.add" || action == "personnel.file.view" ||
             action == "personnel.company.view" || action == "personnel.comment.view" ||
             action == "personnel.settings.view") {
    personnel(kMember);  // P1, P3, P5, P9, P4, P6, P14
  } else if (action == "personnel.record.view_assets") {
    personnel(kMember);  // P2: personnel then premises
    needs.emplace_back("premises", kMember);
  } else if (action == "personnel.settings.edit") {
    personnel(kMember);  // P15
    permissions.push_back("update-site");
  } else if (action == "personnel.block.view") {
    personnel(block != nullptr && block_is_sensitive(*block) ? kManager : kMember);  // P9, P11
  } else if (action == "personnel.record.edit" || action == "personnel.record.delete" ||
             action == "personnel.record.create" || action == "personnel.file.manage" ||
             action == "personnel.insights.view" || action == "personnel.training.manage" ||
             action == "personnel.block.manage" || action == "personnel.sensitive.view" ||
             action == "personnel.company.manage") {
    personnel(kManager);  // P8, P10, P7, P18, P11, P12
  } else if (action == "personnel.company.delete" || action == "personnel.contact.delete") {
    personnel(kAdmin);  // P13
  } else {
    return deny("unknown-action", "7: action without rule (reference bug)");
  }

  for (const auto& [module, minimum] : needs) {
    (void)minimum;
    if (!is_entitled(module)) return deny("not-entitled", "7: " + module);
  }
  for (const auto& [module, minimum] : needs) {
    if (role(user, s, module) < minimum) return deny("missing-role", "7: " + module);
  }
  for (const std::string& permission : permissions) {
    if (!has_permission(user, s, permission)) return deny("missing-site-permission", "7: " + permission);
  }

  // Resource conditions (owners too).
  if (action == "training.course.complete") {
    if (str(*fulfillment, "user") != user) return deny("not-own-fulfillment", "7: T1");
  } else if (action == "training.course.view") {
    if (role(user, s, "personnel") == kMember) {
      const std::string course_id = *key_value("course");
      bool holds = false;
      for (const json& f : section(snapshot_, "training", "fulfillments")) {
        if (str(f, "course") == course_id && str(f, "user") == user) holds = true;
      }
      if (!holds) return deny("not-assigned", "7: T5");
    }
  } else if (action == "personnel.comment.view") {
    bool restrict_viewing = false;
    if (auto settings = snapshot_.find("settings"); settings != snapshot_.end() && settings->is_object()) {
      if (auto at = settings->find(s); at != settings->end() && at->is_object()) {
        if (auto p = at->find("personnel"); p != at->end() && p->is_object()) {
          restrict_viewing = p->value("restrictCommentViewing", false);
        }
      }
    }
    if (restrict_viewing && role(user, s, "personnel") == kMember && str(*thread, "author") != user) {
      return deny("not-own-thread", "7: P6");
    }
  } else if (action == "training.course.publish" || action == "training.course.archive" ||
             action == "training.course.assign") {
    if (external) return deny("external-course", "7: T6 external");
  } else if (action == "training.integration.sync") {
    bool connected = false;
    if (auto integrations = snapshot_.find("integrations"); integrations != snapshot_.end() && integrations->is_object()) {
      if (auto at = integrations->find(s); at != integrations->end() && at->is_object()) {
        if (auto ihasco = at->find("ihasco"); ihasco != at->end() && ihasco->is_object()) {
          auto c = ihasco->find("connected");
          connected = c != ihasco->end() && c->is_boolean() && c->get<bool>();
        }
      }
    }
    if (!connected) return deny("integration-not-connected", "7: T13");
  }
  return Answer{true, "allowed", "7"};
}

}  // namespace calm_ref
