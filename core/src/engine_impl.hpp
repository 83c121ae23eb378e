#pragma once
// The engine's state and its decision function, shared by the access,
// workflow and query translation units. Not part of the public API.

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>

#include "actions.hpp"
#include "calm/access.hpp"
#include "detail/resource_keys.hpp"

namespace calm {

using detail::ActionSpec;
using detail::Condition;
using detail::kActions;

namespace detail {

inline constexpr std::string_view kP17Message =
    "You don't have permission to view personnel settings. Please contact your administrator.";

inline Role min_role_for(SitePermission permission) noexcept {
  return permission == SitePermission::manage_integrations ? Role::admin : Role::manager;
}

inline constexpr std::string_view kInvalidUser =
    "`user` must be an id of 1 to 128 bytes of well-formed UTF-8";
inline constexpr std::string_view kInvalidSite =
    "`site` must be an id of 1 to 128 bytes of well-formed UTF-8";

inline Verdict deny(Code code, std::string_view rule) noexcept {
  Verdict v;
  v.code = code;
  v.rule = rule;
  return v;
}

inline Verdict invalid(std::string_view detail) noexcept {
  Verdict v = deny(Code::invalid_request, "ACCESS-11");
  v.detail = detail;
  return v;
}

inline Verdict unknown(Code code, std::string_view field) noexcept {
  Verdict v = deny(code, "A8");
  v.field = field;
  return v;
}

}  // namespace detail

using namespace detail;  // NOLINT(google-build-using-namespace): private header of this library

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

  template <class R>  // Request or RequestView
  Verdict check(const R& req, bool site_level) const noexcept {
    // 1. Shape.
    // An id is 1 to 128 bytes of well-formed UTF-8: a lone surrogate from
    // JavaScript arrives as bytes that are not, and is refused here.
    if (!is_valid_id(req.user)) return invalid(kInvalidUser);
    if (!is_well_formed_utf8(req.action)) return invalid("`action` must be a string of well-formed UTF-8");
    if (req.site && !is_valid_id(*req.site)) return invalid(kInvalidSite);
    const auto& res = req.resource;
    for (const auto* field :
         {&res.course, &res.fulfillment, &res.record, &res.thread, &res.company, &res.target, &res.module}) {
      if (*field && !is_valid_id(**field))
        return invalid("resource ids must be of 1 to 128 bytes of well-formed UTF-8");
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
    if ((keys & ~allowed_keys) != 0 || res.unknown_key)
      return with_action(invalid("a resource key the action does not take"), action);
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

  template <class R>
  Verdict run(const R& req, const ActionSpec& spec, Role role_set) const noexcept {
    const Snapshot& s = snapshot;
    const auto& res = req.resource;
    // 4. Actor and site.
    const Index user = s.user_ids.find(req.user);
    if (user == kNone) return unknown(Code::unknown_user, "user");
    Index site = kNone;
    if (req.site) {
      site = s.site_ids.find(*req.site);
      if (site == kNone) return unknown(Code::unknown_site, "site");
    }
    // 5. Resources, in the order of section 11 (the key table's order).
    Resolved r;
    for (const ResourceKeySpec& k : kResourceKeys) {
      if (k.bit == kBlock) {
        if (!res.block) continue;
        r.block_record = s.record_ids.find(res.block->record);
        if (!live_record(s, r.block_record)) return unknown(Code::unknown_resource, k.name);
        r.block = s.find_block(r.block_record, res.block->block);
        if (r.block == kNone) return unknown(Code::unknown_resource, k.name);
        continue;
      }
      if (k.ids == nullptr || !field_of(res, k)) continue;  // role: read in step 1
      const Index i = (s.*k.ids).find(*field_of(res, k));
      if (i == kNone || !k.live(s, i)) return unknown(k.unknown, k.name);
      r.*k.slot = i;
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
    if (spec.condition == Condition::role_within_editor && r.module != kNone)
      needs[1] = {r.module, Role::none};
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
            effective_role(user, site, kModulePersonnel) < Role::manager &&
            s.comments[r.thread].author != user) {
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
    // 1. Shape: a block's id is an id, a role one of the four (as `parse_role` reads its name).
    if ((q.key & kBlock) != 0 && !is_valid_id(q.block))
      return invalid("`resource.block` must be `{ record, block }` ids");
    if ((q.key & kRole) != 0 && q.role > static_cast<Index>(Role::admin)) {
      return invalid("`resource.role` must be one of `none`, `member`, `manager`, `admin`");
    }
    if (q.action >= kActions.size()) return deny(Code::unknown_action, "ACCESS-8");
    const ActionSpec& spec = kActions[q.action];
    const std::uint16_t allowed_keys = spec.required | spec.optional;
    if ((q.key & ~allowed_keys) != 0 || (q.key & spec.required) != spec.required) {
      return with_action(invalid("the resource keys do not match the action"), q.action);
    }
    if (!at_most_one_id_key(q.key)) {
      return with_action(invalid("the fast path takes at most one resource named by its id"), q.action);
    }
    Verdict v = [&]() noexcept {
      if (q.user >= s.users.size()) return unknown(Code::unknown_user, "user");
      if (q.site != kNone && q.site >= s.sites.size()) return unknown(Code::unknown_site, "site");
      // 5. Resources, in the key table's order, as `run` resolves them.
      Resolved r;
      for (const ResourceKeySpec& k : kResourceKeys) {
        if ((q.key & k.bit) == 0) continue;
        switch (k.word) {
          case kIdWord:
          case kModuleWord: {
            const Index i = k.word == kIdWord ? q.resource : q.module;
            if (!k.live(s, i)) return unknown(k.unknown, k.name);
            r.*k.slot = i;
            break;
          }
          case kBlockWord:
            if (!live_record(s, q.block_record)) return unknown(k.unknown, k.name);
            r.block_record = q.block_record;
            r.block = s.find_block(q.block_record, q.block);
            if (r.block == kNone) return unknown(k.unknown, k.name);
            break;
          case kRoleWord:
            r.role = static_cast<Role>(q.role);
            break;
          default:
            return invalid("a resource key the fast path does not take");
        }
      }
      return finish(q.user, q.site, spec, r);
    }();
    v.action = q.action;
    return v;
  }

  // Every action at site level for one user at one site, in the action
  // table's order: the verdicts `check(request, true)` gives per action, with
  // the user and the site read once.
  void capabilities(std::string_view user, std::string_view site, std::span<Verdict> out) const noexcept {
    const Snapshot& s = snapshot;
    std::optional<Verdict> refused;
    Index u = kNone;
    Index at = kNone;
    if (!is_valid_id(user)) {
      refused = invalid(kInvalidUser);
    } else if (!is_valid_id(site)) {
      refused = invalid(kInvalidSite);
    } else if (u = s.user_ids.find(user); u == kNone) {
      refused = unknown(Code::unknown_user, "user");
    } else if (at = s.site_ids.find(site); at == kNone) {
      refused = unknown(Code::unknown_site, "site");
    }
    // Step 1 refuses before the action is read; later steps name it.
    const bool names_action = !refused || refused->code != Code::invalid_request;
    for (std::size_t i = 0; i < out.size() && i < kActions.size(); ++i) {
      out[i] = refused ? *refused : finish(u, at, kActions[i], Resolved{});
      if (names_action) out[i].action = static_cast<Index>(i);
    }
  }

  std::string id_of_module(Index m) const { return m == kNone ? std::string() : snapshot.module_ids.at(m); }
  std::string id_of_site(Index site) const {
    return site == kNone ? std::string() : snapshot.site_ids.at(site);
  }
};

}  // namespace calm
