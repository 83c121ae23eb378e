#pragma once
/// \file
/// The access questions behind the admin screens (ACCESS.md section 9):
/// whoCan, sitesWhere and whatIf (roles and capabilities are `Engine`
/// members). Each is answered by the one decision function, never by a copy
/// of the rules, as a value, the decision that refuses the question, or the
/// errors of a malformed argument (`Answer`). `calm/ffi.hpp` writes them as
/// JSON; the names in the comments are the JSON keys (`index.d.ts` types them).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calm/access.hpp"

namespace calm {

/// One user `who_can` allows.
struct WhoCanEntry {
  std::string user;  ///< `user`
  std::string name;  ///< `name`
  std::string rule;  ///< `rule`: the rule id that allowed
  /// `roles`: module -> effective role at the resolved site (held roles only);
  /// absent when the request resolved no site.
  std::optional<std::map<std::string, Role>> roles;
  bool owner = false;  ///< `owner`: the user is an organisation owner
};

/// The answer of `who_can` (the JSON answer also echoes the request as `request`).
struct WhoCan {
  std::vector<WhoCanEntry> users;  ///< `users`
};

/// One site where `sites_where` allows.
struct SiteRule {
  std::string site;  ///< `site`
  std::string rule;  ///< `rule`
};

/// The answer of `sites_where`.
struct SitesWhere {
  std::string user;             ///< `user`
  std::string action;           ///< `action`
  std::vector<SiteRule> sites;  ///< `sites`, in site pre-order
};

/// The capabilities one user gains and loses at one site.
struct CapabilityChange {
  std::string user;                 ///< `user`
  std::string site;                 ///< `site`
  std::vector<std::string> gained;  ///< `gained`: action ids
  std::vector<std::string> lost;    ///< `lost`: action ids
};

/// The answer of `what_if`.
struct WhatIf {
  bool allowed = false;                   ///< `allowed`: the editor may make every change
  std::vector<CapabilityChange> changes;  ///< `changes`
  std::optional<Decision> decision;       ///< `decision`: the first refusal
  std::string path;                       ///< `path` of the refused change; empty: none or the whole
};

/// whoCan(action, site[, resource]): every user the decision function allows,
/// each with the rule and their roles at the site. `question` is a decision
/// request whose `user` is ignored; an action that needs a resource and has
/// none is answered at site level, as capabilities are. A question about an
/// unknown action, site or resource is refused with that decision.
[[nodiscard]] Answer<WhoCan> who_can(const Engine& engine, const Request& question);

/// sitesWhere(user, action): every site where the user is allowed (site level
/// for actions that need a resource).
[[nodiscard]] Answer<SitesWhere> sites_where(const Engine& engine, std::string_view user,
                                             std::string_view action);

/// whatIf(editor, change): for proposed access changes (an `access.batch`
/// body `{ user, changes: [...] }`; or one access command without `id`,
/// `actor`, `at`, or an array of them), whether the editor may make them
/// (S1/S2, each checked against the state the earlier ones left; the first
/// refusal with the `path` of its change) and the capabilities their sum
/// gains and loses per user and site, before anything is applied. An editor
/// who is not a known user is refused (`unknown-user`).
[[nodiscard]] Answer<WhatIf> what_if(const Engine& engine, std::string_view editor,
                                     const nlohmann::json& change);

}  // namespace calm
