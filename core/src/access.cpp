// The decision function (ACCESS.md sections 2-8, checked in the order of
// section 11), role resolution with provenance, and capability maps.

#include "calm/access.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "actions.hpp"
#include "detail/json_util.hpp"

namespace calm {

using nlohmann::json;
using detail::ActionSpec;
using detail::Condition;
using detail::kActions;

std::string_view code_name(Code code) noexcept {
  switch (code) {
    case Code::invalid_request:
      return "invalid-request";
    case Code::unknown_action:
      return "unknown-action";
    case Code::unknown_user:
      return "unknown-user";
    case Code::unknown_site:
      return "unknown-site";
    case Code::unknown_resource:
      return "unknown-resource";
    case Code::unknown_module:
      return "unknown-module";
    case Code::not_entitled:
      return "not-entitled";
    case Code::missing_role:
      return "missing-role";
    case Code::missing_site_permission:
      return "missing-site-permission";
    case Code::not_assigned:
      return "not-assigned";
    case Code::not_own_thread:
      return "not-own-thread";
    case Code::not_own_fulfillment:
      return "not-own-fulfillment";
    case Code::external_course:
      return "external-course";
    case Code::integration_not_connected:
      return "integration-not-connected";
    case Code::escalation:
      return "escalation";
    case Code::invalid_state:
      return "invalid-state";
    case Code::allowed:
      return "allowed";
  }
  return "invalid-request";
}

std::string_view site_permission_name(SitePermission permission) noexcept {
  switch (permission) {
    case SitePermission::update_site:
      return "update-site";
    case SitePermission::manage_users:
      return "manage-users";
    case SitePermission::manage_integrations:
      return "manage-integrations";
    case SitePermission::none:
      break;
  }
  return "";
}

std::size_t action_count() noexcept { return kActions.size(); }

std::string_view action_id(Index index) noexcept { return index < kActions.size() ? kActions[index].id : ""; }

Index find_action(std::string_view id) noexcept {
  for (std::size_t i = 0; i < kActions.size(); ++i) {
    if (kActions[i].id == id) return static_cast<Index>(i);
  }
  return kNone;
}

namespace {

constexpr std::string_view kP17Message =
    "You don't have permission to view personnel settings. Please contact your administrator.";

Role min_role_for(SitePermission permission) noexcept {
  return permission == SitePermission::manage_integrations ? Role::admin : Role::manager;
}

Verdict deny(Code code, std::string_view rule) noexcept {
  Verdict v;
  v.code = code;
  v.rule = rule;
  return v;
}

Verdict invalid(std::string_view detail) noexcept {
  Verdict v = deny(Code::invalid_request, "ACCESS-11");
  v.detail = detail;
  return v;
}

Verdict unknown(Code code, std::string_view field) noexcept {
  Verdict v = deny(code, "A8");
  v.field = field;
  return v;
}

// The resolved resources of a request.
struct Resolved {
  Index course = kNone;
  Index fulfillment = kNone;
  Index record = kNone;
  Index block = kNone;  // index within the record
  Index block_record = kNone;
  Index thread = kNone;
  Index company = kNone;
  Index target = kNone;
  Index module = kNone;
  Role role = Role::none;
};

std::uint16_t present_keys(const Resource& r) noexcept {
  std::uint16_t keys = 0;
  if (r.course) keys |= detail::kCourse;
  if (r.fulfillment) keys |= detail::kFulfillment;
  if (r.record) keys |= detail::kRecord;
  if (r.block) keys |= detail::kBlock;
  if (r.thread) keys |= detail::kThread;
  if (r.company) keys |= detail::kCompany;
  if (r.target) keys |= detail::kTarget;
  if (r.module) keys |= detail::kModule;
  if (r.role) keys |= detail::kRole;
  return keys;
}

}  // namespace

struct Engine::Impl {
  Snapshot snapshot;
  bool loaded = false;

  Role effective_role(Index user, Index site, Index module) const noexcept {
    const Snapshot& s = snapshot;
    if (module >= s.entitled.size() || !s.entitled[module]) return Role::none;  // A7
    if (s.owner[user]) return Role::admin;                                      // A6
    Role best = Role::none;
    for (Index gi : s.grants_by_user[user]) {
      const Grant& g = s.grants[gi];
      if (g.module != module) {
        if (g.module > module) break;
        continue;
      }
      if (g.role == Role::none) continue;
      Role gives = Role::none;
      if (g.site == site || (g.include_child_sites && s.is_ancestor_or_self(g.site, site))) {
        gives = g.role;  // A1, A3
      } else if (s.is_ancestor_or_self(site, g.site)) {
        gives = Role::member;  // A4: a descendant holds at least member
      }
      best = std::max(best, gives);  // A5
      if (best == Role::admin) break;
    }
    return best;
  }

  bool has_permission(Index user, Index site, SitePermission permission) const noexcept {
    if (permission == SitePermission::none) return true;
    return effective_role(user, site, kModuleSite) >= min_role_for(permission);
  }

  Verdict check(const Request& req, bool site_level) const noexcept {
    // 1. Shape.
    if (!is_valid_id(req.user)) return invalid("`user` must be an id of 1 to 128 bytes");
    if (req.site && !is_valid_id(*req.site)) return invalid("`site` must be an id of 1 to 128 bytes");
    const Resource& res = req.resource;
    for (const auto* field : {&res.course, &res.fulfillment, &res.record, &res.thread, &res.company, &res.target,
                              &res.module}) {
      if (*field && !is_valid_id(**field)) return invalid("resource ids must be of 1 to 128 bytes");
    }
    if (res.block && (!is_valid_id(res.block->record) || !is_valid_id(res.block->block))) {
      return invalid("`resource.block` must be `{ record, block }` ids");
    }
    std::optional<Role> role_set;
    if (res.role) {
      role_set = parse_role(*res.role);
      if (!role_set) return invalid("`resource.role` must be one of `none`, `member`, `manager`, `admin`");
    }
    // 2. Action.
    const Index action = find_action(req.action);
    if (action == kNone) return deny(Code::unknown_action, "ACCESS-8");
    const ActionSpec& spec = kActions[action];
    // 3. Resource keys: exactly those the action takes.
    const std::uint16_t keys = present_keys(res);
    const std::uint16_t allowed_keys = spec.required | spec.optional;
    if ((keys & ~allowed_keys) != 0 || res.unknown_key) return with_action(invalid("a resource key the action does not take"), action);
    if (!site_level && (keys & spec.required) != spec.required) {
      return with_action(invalid("a resource key the action needs is missing"), action);
    }
    Verdict v = run(req, spec, role_set.value_or(Role::none));
    v.action = action;
    return v;
  }

  static Verdict with_action(Verdict v, Index action) noexcept {
    v.action = action;
    return v;
  }

  Verdict run(const Request& req, const ActionSpec& spec, Role role_set) const noexcept {
    const Snapshot& s = snapshot;
    const Resource& res = req.resource;
    // 4. Actor and site.
    const Index user = s.user_ids.find(req.user);
    if (user == kNone) return unknown(Code::unknown_user, "user");
    Index site = kNone;
    if (req.site) {
      site = s.site_ids.find(*req.site);
      if (site == kNone) return unknown(Code::unknown_site, "site");
    }
    // 5. Resources, in the order of section 11.
    Resolved r;
    if (res.course && (r.course = s.course_ids.find(*res.course)) == kNone) {
      return unknown(Code::unknown_resource, "course");
    }
    if (res.fulfillment && (r.fulfillment = s.fulfillment_ids.find(*res.fulfillment)) == kNone) {
      return unknown(Code::unknown_resource, "fulfillment");
    }
    if (res.record && (r.record = s.record_ids.find(*res.record)) == kNone) {
      return unknown(Code::unknown_resource, "record");
    }
    if (res.block) {
      r.block_record = s.record_ids.find(res.block->record);
      if (r.block_record == kNone) return unknown(Code::unknown_resource, "block");
      r.block = s.find_block(r.block_record, res.block->block);
      if (r.block == kNone) return unknown(Code::unknown_resource, "block");
    }
    if (res.thread) {
      r.thread = s.comment_ids.find(*res.thread);
      // A reply's id is not a thread id.
      if (r.thread == kNone || s.comments[r.thread].parent != kNone) return unknown(Code::unknown_resource, "thread");
    }
    if (res.company && (r.company = s.company_ids.find(*res.company)) == kNone) {
      return unknown(Code::unknown_resource, "company");
    }
    if (res.target && (r.target = s.user_ids.find(*res.target)) == kNone) {
      return unknown(Code::unknown_resource, "target");
    }
    if (res.module && (r.module = s.module_ids.find(*res.module)) == kNone) {
      return unknown(Code::unknown_module, "module");
    }
    r.role = role_set;
    return finish(user, site, spec, r);
  }

  // Steps 6 and 7 on resolved indices.
  Verdict finish(Index user, Index site, const ActionSpec& spec, const Resolved& r) const noexcept {
    const Snapshot& s = snapshot;
    // 6. One site: the given one and every resource's must agree.
    if (r.record != kNone && r.block_record != kNone && r.record != r.block_record) {
      return invalid("`resource.block.record` and `resource.record` name different records");
    }
    Index resource_site = kNone;
    bool disagree = false;
    auto agree = [&](Index other) {
      if (other == kNone) return;
      if (resource_site == kNone) {
        resource_site = other;
      } else if (resource_site != other) {
        disagree = true;
      }
    };
    if (r.course != kNone) agree(s.courses[r.course].site);
    if (r.fulfillment != kNone) agree(s.courses[s.fulfillments[r.fulfillment].course].site);
    if (r.record != kNone) agree(s.records[r.record].site);
    if (r.block_record != kNone) agree(s.records[r.block_record].site);
    if (r.thread != kNone) agree(s.records[s.comments[r.thread].record].site);
    if (r.company != kNone) agree(s.companies[r.company].site);
    if (disagree) return invalid("the resources belong to different sites");
    if (site != kNone && resource_site != kNone && site != resource_site) {
      return invalid("`site` disagrees with the resource's site");
    }
    if (site == kNone) site = resource_site;
    if (site == kNone && !spec.org_level) return invalid("the request names no site");

    Verdict v = evaluate(user, site, spec, r);
    v.site = site;
    return v;
  }

  // 7. Entitlements, roles, site permissions, resource conditions, escalation.
  Verdict evaluate(Index user, Index site, const ActionSpec& spec, const Resolved& r) const noexcept {
    const Snapshot& s = snapshot;
    std::array<detail::ModuleNeed, 2> needs{spec.need1, spec.need2};
    std::string_view role_rule = spec.rule;
    if (spec.condition == Condition::sensitive_block_needs_manager && r.block != kNone &&
        s.records[r.block_record].blocks[r.block].sensitive) {
      needs[0].role = Role::manager;  // P11
      role_rule = "P11";
    }
    if (spec.condition == Condition::role_within_editor && r.module != kNone) needs[1] = {r.module, Role::none};
    for (const auto& need : needs) {
      if (need.module != kNone && !s.entitled[need.module]) {
        Verdict v = deny(Code::not_entitled, "A7");
        v.module = need.module;
        return v;
      }
    }
    for (const auto& need : needs) {
      if (need.module == kNone || need.role == Role::none) continue;
      const Role held = effective_role(user, site, need.module);
      if (held < need.role) {
        Verdict v = deny(Code::missing_role, role_rule);
        v.module = need.module;
        v.needed = need.role;
        v.held = held;
        return v;
      }
    }
    const bool external = r.course != kNone && s.courses[r.course].source == CourseSource::ihasco;
    std::string_view rule = spec.rule;
    SitePermission permission = spec.permission;
    if (spec.condition == Condition::external_needs_integrations && external) {
      permission = SitePermission::manage_integrations;  // T7
      rule = "T7";
    }
    if (!has_permission(user, site, permission)) {
      Verdict v = deny(Code::missing_site_permission, rule);
      v.permission = permission;
      v.module = kModuleSite;
      v.needed = min_role_for(permission);
      v.held = effective_role(user, site, kModuleSite);
      return v;
    }
    // Resource conditions, in the order of section 7.
    switch (spec.condition) {
      case Condition::assigned_if_member:
        if (r.course != kNone && effective_role(user, site, kModulePersonnel) < Role::manager &&
            !std::binary_search(s.courses_by_user[user].begin(), s.courses_by_user[user].end(), r.course)) {
          return deny(Code::not_assigned, "T5");
        }
        break;
      case Condition::own_thread_if_restricted:
        if (r.thread != kNone && s.settings[site].restrict_comment_viewing &&
            effective_role(user, site, kModulePersonnel) < Role::manager && s.comments[r.thread].author != user) {
          return deny(Code::not_own_thread, "P6");
        }
        break;
      case Condition::own_fulfillment:
        if (r.fulfillment != kNone && s.fulfillments[r.fulfillment].user != user) {
          return deny(Code::not_own_fulfillment, "T1");
        }
        break;
      case Condition::calm_course_only:
        if (external) return deny(Code::external_course, "T6");
        break;
      case Condition::integration_connected:
        if (!s.integrations[site].connected) return deny(Code::integration_not_connected, "T13");
        break;
      case Condition::role_within_editor:
        if (r.module != kNone && r.role != Role::none && effective_role(user, site, r.module) < r.role) {
          Verdict v = deny(Code::escalation, "S2");
          v.module = r.module;
          v.needed = r.role;
          v.held = effective_role(user, site, r.module);
          return v;
        }
        break;
      case Condition::actor_is_owner:
        if (!s.owner[user]) return deny(Code::escalation, "S2");
        break;
      case Condition::none:
      case Condition::external_needs_integrations:
      case Condition::sensitive_block_needs_manager:
        break;
    }
    Verdict v = deny(Code::allowed, rule == spec.rule ? role_rule : rule);
    return v;
  }

  Verdict check_indexed(const IndexedRequest& q) const noexcept {
    const Snapshot& s = snapshot;
    if (q.action >= kActions.size()) return deny(Code::unknown_action, "ACCESS-8");
    const ActionSpec& spec = kActions[q.action];
    const std::uint16_t allowed_keys = spec.required | spec.optional;
    if ((q.key & ~allowed_keys) != 0 || (q.key & spec.required) != spec.required ||
        (q.key != 0 && q.resource == kNone)) {
      return with_action(invalid("the resource keys do not match the action"), q.action);
    }
    Verdict v = [&]() noexcept {
      if (q.user >= s.users.size()) return unknown(Code::unknown_user, "user");
      if (q.site != kNone && q.site >= s.sites.size()) return unknown(Code::unknown_site, "site");
      Resolved r;
      auto in = [&](std::size_t n) { return q.resource < n; };
      switch (q.key) {
        case 0:
          break;
        case detail::kCourse:
          if (!in(s.courses.size())) return unknown(Code::unknown_resource, "course");
          r.course = q.resource;
          break;
        case detail::kFulfillment:
          if (!in(s.fulfillments.size())) return unknown(Code::unknown_resource, "fulfillment");
          r.fulfillment = q.resource;
          break;
        case detail::kRecord:
          if (!in(s.records.size())) return unknown(Code::unknown_resource, "record");
          r.record = q.resource;
          break;
        case detail::kThread:
          if (!in(s.comments.size()) || s.comments[q.resource].parent != kNone) {
            return unknown(Code::unknown_resource, "thread");
          }
          r.thread = q.resource;
          break;
        case detail::kCompany:
          if (!in(s.companies.size())) return unknown(Code::unknown_resource, "company");
          r.company = q.resource;
          break;
        case detail::kTarget:
          if (!in(s.users.size())) return unknown(Code::unknown_resource, "target");
          r.target = q.resource;
          break;
        default:
          return invalid("the fast path takes at most one simple resource key");
      }
      return finish(q.user, q.site, spec, r);
    }();
    v.action = q.action;
    return v;
  }

  std::string id_of_module(Index m) const { return m == kNone ? std::string() : snapshot.module_ids.at(m); }
  std::string id_of_site(Index site) const { return site == kNone ? std::string() : snapshot.site_ids.at(site); }
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {
  // An empty world: every check is denied until a snapshot is loaded.
  impl_->snapshot.module_ids.add("site");
  impl_->snapshot.module_ids.add("personnel");
  impl_->snapshot.module_ids.add("premises");
  impl_->snapshot.entitled = {true, false, false};
}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

std::vector<Error> Engine::load(std::string_view json_text) {
  auto result = load_snapshot(json_text);
  if (!result.ok()) return result.errors();
  load(std::move(result).value());
  return {};
}

void Engine::load(Snapshot snapshot) {
  impl_->snapshot = std::move(snapshot);
  impl_->loaded = true;
}

bool Engine::loaded() const noexcept { return impl_->loaded; }
const Snapshot& Engine::snapshot() const noexcept { return impl_->snapshot; }

Verdict Engine::check(const Request& request) const noexcept { return impl_->check(request, false); }
Verdict Engine::check_site_level(const Request& request) const noexcept { return impl_->check(request, true); }

Verdict Engine::check(const IndexedRequest& request) const noexcept { return impl_->check_indexed(request); }

Role Engine::effective_role(Index user, Index site, Index module) const noexcept {
  return impl_->effective_role(user, site, module);
}

bool Engine::has_site_permission(Index user, Index site, SitePermission permission) const noexcept {
  return impl_->has_permission(user, site, permission);
}

Decision Engine::decide(const Request& request) const { return explain(request, check(request)); }

namespace {

std::string tick(std::string_view text) { return "`" + detail::clip(text) + "`"; }

}  // namespace

Decision Engine::explain(const Request& request, const Verdict& v) const {
  Decision d;
  d.allowed = v.allowed();
  d.code = v.code;
  d.rule = std::string(v.rule);
  const std::string site = impl_->id_of_site(v.site);
  const std::string module = impl_->id_of_module(v.module);
  const ActionSpec* spec = v.action == kNone ? nullptr : &kActions[v.action];
  switch (v.code) {
    case Code::invalid_request:
      d.message = "invalid request: " + std::string(v.detail.empty() ? "malformed" : v.detail);
      break;
    case Code::unknown_action:
      d.message = "unknown action " + tick(request.action);
      break;
    case Code::unknown_user:
      d.message = "unknown user " + tick(request.user);
      break;
    case Code::unknown_site:
      d.message = "unknown site " + tick(request.site.value_or(""));
      break;
    case Code::unknown_resource: {
      const Resource& r = request.resource;
      std::string id;
      if (v.field == "course") id = r.course.value_or("");
      if (v.field == "fulfillment") id = r.fulfillment.value_or("");
      if (v.field == "record") id = r.record.value_or("");
      if (v.field == "block" && r.block) id = r.block->record + "/" + r.block->block;
      if (v.field == "thread") id = r.thread.value_or("");
      if (v.field == "company") id = r.company.value_or("");
      if (v.field == "target") id = r.target.value_or("");
      d.message = "unknown " + std::string(v.field) + " " + tick(id);
      d.requires_["resource"] = std::string(v.field);
      break;
    }
    case Code::unknown_module:
      d.message = "unknown module " + tick(request.resource.module.value_or(""));
      break;
    case Code::not_entitled:
      d.message = "the organisation is not entitled to the " + tick(module) + " module";
      d.requires_["entitlement"] = module;
      break;
    case Code::missing_role:
      d.message = "needs " + tick(module) + " " + std::string(role_name(v.needed)) + " at " + tick(site) +
                  "; holds " + std::string(role_name(v.held));
      d.requires_["module"] = module;
      d.requires_["role"] = std::string(role_name(v.needed));
      d.requires_["site"] = site;
      break;
    case Code::missing_site_permission:
      d.message = "needs the " + tick(site_permission_name(v.permission)) + " site permission (site " +
                  std::string(role_name(v.needed)) + ") at " + tick(site);
      d.requires_["sitePermission"] = std::string(site_permission_name(v.permission));
      d.requires_["module"] = "site";
      d.requires_["role"] = std::string(role_name(v.needed));
      d.requires_["site"] = site;
      break;
    case Code::not_assigned:
      d.message = "a member sees only courses assigned to them; " + tick(request.resource.course.value_or("")) +
                  " is not";
      d.requires_["condition"] = "assigned";
      d.requires_["or"] = {{"module", "personnel"}, {"role", "manager"}, {"site", site}};
      break;
    case Code::not_own_thread:
      d.message = "Restrict Comment Viewing is on at " + tick(site) + ": a member sees only threads they started";
      d.requires_["condition"] = "own-thread";
      d.requires_["or"] = {{"module", "personnel"}, {"role", "manager"}, {"site", site}};
      break;
    case Code::not_own_fulfillment:
      d.message = "fulfillment " + tick(request.resource.fulfillment.value_or("")) + " belongs to someone else";
      d.requires_["condition"] = "own-fulfillment";
      break;
    case Code::external_course:
      d.message = "course " + tick(request.resource.course.value_or("")) +
                  " is an external (iHasco) course; only Calm courses can be published, archived or assigned";
      d.requires_["condition"] = "calm-course";
      break;
    case Code::integration_not_connected:
      d.message = "the iHasco integration is not connected at " + tick(site);
      d.requires_["integration"] = "ihasco";
      d.requires_["site"] = site;
      break;
    case Code::escalation:
      if (spec != nullptr && spec->condition == Condition::actor_is_owner) {
        d.message = "only an organisation owner can make or unmake an owner";
        d.requires_["owner"] = true;
      } else {
        d.message = "cannot set " + tick(module) + " " + std::string(role_name(v.needed)) + " at " + tick(site) +
                    ": above the editor's own role (" + std::string(role_name(v.held)) + ")";
        d.requires_["module"] = module;
        d.requires_["role"] = std::string(role_name(v.needed));
        d.requires_["site"] = site;
      }
      break;
    case Code::invalid_state:
      d.message = "the resource's state forbids it";
      break;
    case Code::allowed:
      d.message = "allowed";
      break;
  }
  if (spec != nullptr && spec->p17 && (v.code == Code::missing_role || v.code == Code::not_entitled)) {
    d.message = std::string(kP17Message);
  }
  return d;
}

json Decision::to_json() const {
  return json{{"allowed", allowed},
              {"code", std::string(code_name(code))},
              {"message", message},
              {"rule", rule},
              {"requires", requires_}};
}

std::vector<EffectiveRole> Engine::roles(Index user) const {
  const Snapshot& s = impl_->snapshot;
  std::vector<EffectiveRole> out;
  if (user >= s.users.size()) return out;
  const std::size_t modules = s.module_ids.size();
  // sources[site * modules + module]
  std::vector<std::vector<RoleSource>> sources(s.sites.size() * modules);
  for (Index gi : s.grants_by_user[user]) {
    const Grant& g = s.grants[gi];
    if (g.role == Role::none) continue;
    sources[g.site * modules + g.module].push_back({RoleSource::Kind::direct, g.role, kNone});
    // Cascade to every descendant (A3), implication on every ancestor (A4).
    for (Index site = 0; site < s.sites.size(); ++site) {
      if (site == g.site) continue;
      if (g.include_child_sites && s.is_ancestor_or_self(g.site, site)) {
        sources[site * modules + g.module].push_back({RoleSource::Kind::cascade, g.role, g.site});
      } else if (s.is_ancestor_or_self(site, g.site)) {
        sources[site * modules + g.module].push_back({RoleSource::Kind::implied, Role::member, g.site});
      }
    }
  }
  for (Index site : s.site_preorder) {
    for (Index m = 0; m < modules; ++m) {
      auto& list = sources[site * modules + m];
      const bool entitled = s.entitled[m];
      if (s.owner[user] && entitled) list.insert(list.begin(), {RoleSource::Kind::owner, Role::admin, kNone});
      if (list.empty()) continue;
      EffectiveRole row;
      row.site = site;
      row.module = m;
      row.entitled = entitled;
      row.role = impl_->effective_role(user, site, m);
      row.sources = std::move(list);
      out.push_back(std::move(row));
    }
  }
  return out;
}

std::vector<Verdict> Engine::capabilities(std::string_view user, std::string_view site) const {
  std::vector<Verdict> out;
  out.reserve(kActions.size());
  Request request;
  request.user = std::string(user);
  request.site = std::string(site);
  for (const ActionSpec& spec : kActions) {
    request.action = std::string(spec.id);
    out.push_back(check_site_level(request));
  }
  return out;
}

// ---- JSON boundary ----

namespace {

json errors_json(const std::vector<Error>& errors) {
  json list = json::array();
  for (const Error& e : errors) list.push_back({{"code", e.code}, {"path", e.path}, {"message", e.message}});
  return list;
}

bool read_id_field(const json& object, const char* key, std::optional<std::string>& out) {
  auto it = object.find(key);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

}  // namespace

ParsedRequest parse_request(const json& j) noexcept {
  ParsedRequest p;
  if (!j.is_object()) {
    p.shape_error = "the request must be an object";
    return p;
  }
  auto user = j.find("user");
  auto action = j.find("action");
  if (user == j.end() || !user->is_string()) {
    p.shape_error = "`user` must be a string";
    return p;
  }
  if (action == j.end() || !action->is_string()) {
    p.shape_error = "`action` must be a string";
    return p;
  }
  p.request.user = user->get<std::string>();
  p.request.action = action->get<std::string>();
  if (!read_id_field(j, "site", p.request.site)) {
    p.shape_error = "`site` must be an id";
    return p;
  }
  auto resource = j.find("resource");
  if (resource == j.end()) return p;
  if (!resource->is_object()) {
    p.shape_error = "`resource` must be an object";
    return p;
  }
  Resource& r = p.request.resource;
  for (const auto& [key, value] : resource->items()) {
    std::optional<std::string>* slot = nullptr;
    if (key == "course") slot = &r.course;
    if (key == "fulfillment") slot = &r.fulfillment;
    if (key == "record") slot = &r.record;
    if (key == "thread") slot = &r.thread;
    if (key == "company") slot = &r.company;
    if (key == "target") slot = &r.target;
    if (key == "module") slot = &r.module;
    if (key == "role") slot = &r.role;
    if (slot != nullptr) {
      if (!value.is_string()) {
        p.shape_error = "resource ids must be strings";
        return p;
      }
      *slot = value.get<std::string>();
    } else if (key == "block") {
      if (!value.is_object() || value.size() != 2 || !value.contains("record") || !value.contains("block") ||
          !value["record"].is_string() || !value["block"].is_string()) {
        p.shape_error = "`resource.block` must be `{ record, block }` ids";
        return p;
      }
      r.block = BlockRef{value["record"].get<std::string>(), value["block"].get<std::string>()};
    } else {
      // An unknown key: the key check (section 11, step 3) rejects it once the action is known.
      r.unknown_key = true;
    }
  }
  return p;
}


Decision Engine::decide_json_value(const json& request) const {
  ParsedRequest parsed = parse_request(request);
  if (!parsed.shape_error.empty()) {
    Verdict v;
    v.code = Code::invalid_request;
    v.rule = "ACCESS-11";
    v.detail = parsed.shape_error;
    return explain(parsed.request, v);
  }
  return decide(parsed.request);
}

std::string Engine::decide_json(std::string_view request_text) const {
  json request = json::parse(request_text.begin(), request_text.end(), nullptr, false);
  if (request.is_discarded()) {
    Verdict v;
    v.code = Code::invalid_request;
    v.rule = "ACCESS-11";
    v.detail = "the request is not well-formed JSON";
    return detail::dump(explain(Request{}, v).to_json());
  }
  return detail::dump(decide_json_value(request).to_json());
}

std::string Engine::load_json(std::string_view json_text) {
  auto result = load_snapshot(json_text);
  if (!result.ok()) return detail::dump(json{{"ok", false}, {"errors", errors_json(result.errors())}});
  load(std::move(result).value());
  const Snapshot& s = impl_->snapshot;
  return detail::dump(json{{"ok", true},
                           {"stats",
                            {{"sites", s.sites.size()},
                             {"users", s.users.size()},
                             {"grants", s.grants.size()},
                             {"courses", s.courses.size()},
                             {"fulfillments", s.fulfillments.size()},
                             {"records", s.records.size()}}}});
}

std::string Engine::capabilities_json(std::string_view user, std::string_view site) const {
  Request request;
  request.user = std::string(user);
  request.site = std::string(site);
  const std::vector<Verdict> verdicts = capabilities(user, site);
  json map = json::object();
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    request.action = std::string(kActions[i].id);
    map[request.action] = explain(request, verdicts[i]).to_json();
  }
  return detail::dump(json{{"ok", true}, {"value", std::move(map)}});
}

std::string Engine::roles_json(std::string_view user) const {
  const Snapshot& s = impl_->snapshot;
  const Index u = is_valid_id(user) ? s.user_ids.find(user) : kNone;
  if (u == kNone) {
    return detail::dump(json{{"ok", false},
                             {"errors", json::array({{{"code", "unknown-user"},
                                                      {"path", "/user"},
                                                      {"message", "unknown user " + tick(user)}}})}});
  }
  json rows = json::array();
  for (const EffectiveRole& row : roles(u)) {
    json sources = json::array();
    for (const RoleSource& src : row.sources) {
      json j;
      switch (src.kind) {
        case RoleSource::Kind::direct:
          j["kind"] = "direct";
          break;
        case RoleSource::Kind::cascade:
          j["kind"] = "cascade";
          break;
        case RoleSource::Kind::implied:
          j["kind"] = "implied";
          break;
        case RoleSource::Kind::owner:
          j["kind"] = "owner";
          break;
      }
      j["role"] = std::string(role_name(src.role));
      if (src.from != kNone) j["from"] = s.site_ids.at(src.from);
      sources.push_back(std::move(j));
    }
    rows.push_back({{"site", s.site_ids.at(row.site)},
                    {"module", s.module_ids.at(row.module)},
                    {"role", std::string(role_name(row.role))},
                    {"entitled", row.entitled},
                    {"sources", std::move(sources)}});
  }
  return detail::dump(json{{"ok", true}, {"value", std::move(rows)}});
}

std::string Engine::actions_json() {
  json list = json::array();
  for (const ActionSpec& spec : kActions) list.push_back(std::string(spec.id));
  return detail::dump(list);
}

std::string Engine::index_json() const {
  const Snapshot& s = impl_->snapshot;
  return detail::dump(json{{"users", s.user_ids.ids()},
                           {"sites", s.site_ids.ids()},
                           {"courses", s.course_ids.ids()},
                           {"fulfillments", s.fulfillment_ids.ids()},
                           {"records", s.record_ids.ids()},
                           {"comments", s.comment_ids.ids()},
                           {"companies", s.company_ids.ids()}});
}

}  // namespace calm
