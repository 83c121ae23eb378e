// Questions beyond one check (ACCESS.md section 9): whoCan, sitesWhere and
// whatIf. Each is answered by the one decision function, never by a copy of
// the rules.

#include "calm/queries.hpp"

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "actions.hpp"
#include "detail/access_change.hpp"
#include "detail/json_util.hpp"

namespace calm {

using nlohmann::json;

namespace {

// A verdict that is about the request, not about the user asking.
bool request_level(Code code) {
  return code == Code::invalid_request || code == Code::unknown_action || code == Code::unknown_site ||
         code == Code::unknown_resource || code == Code::unknown_module;
}

std::map<std::string, Role> roles_at(const Engine& engine, Index user, Index site) {
  const Snapshot& s = engine.snapshot();
  std::map<std::string, Role> roles;
  for (Index m = 0; m < s.module_ids.size(); ++m) {
    const Role role = engine.effective_role(user, site, m);
    if (role != Role::none) roles[s.module_ids.at(m)] = role;
  }
  return roles;
}

}  // namespace

Answer<WhoCan> who_can(const Engine& engine, const Request& question) {
  const Snapshot& s = engine.snapshot();
  Request probe = question;
  WhoCan out;
  for (Index u = 0; u < s.users.size(); ++u) {
    probe.user = s.user_ids.at(u);
    const Verdict v = engine.check_site_level(probe);
    if (request_level(v.code)) return engine.explain(probe, v);
    if (!v.allowed()) continue;
    WhoCanEntry entry{s.user_ids.at(u), s.users[u].name, std::string(v.rule), std::nullopt, s.owner[u] != 0};
    if (v.site != kNone) entry.roles = roles_at(engine, u, v.site);
    out.users.push_back(std::move(entry));
  }
  return out;
}

Answer<SitesWhere> sites_where(const Engine& engine, std::string_view user, std::string_view action) {
  const Snapshot& s = engine.snapshot();
  Request request;
  request.user = std::string(user);
  request.action = std::string(action);
  SitesWhere out;
  for (Index site : s.site_preorder) {
    request.site = s.site_ids.at(site);
    const Verdict v = engine.check_site_level(request);
    if (request_level(v.code) || v.code == Code::unknown_user) return engine.explain(request, v);
    if (v.allowed()) out.sites.push_back({s.site_ids.at(site), std::string(v.rule)});
  }
  if (s.sites.empty()) {  // still name an unknown user or action
    request.site.reset();
    const Verdict v = engine.check_site_level(request);
    if (v.code == Code::unknown_user || v.code == Code::unknown_action) return engine.explain(request, v);
  }
  out.user = std::string(user);
  out.action = std::string(action);
  return out;
}

Answer<WhatIf> what_if(const Engine& engine, std::string_view editor, const json& change) {
  const Snapshot& s = engine.snapshot();
  // An editor who is not a known user is refused like any request naming one (section 10).
  if (!is_valid_id(editor) || s.user_ids.find(editor) == kNone) {
    Request request;
    request.user = std::string(editor);
    request.action = "users.access.edit";
    return engine.explain(request, engine.check(request));
  }
  // The changes: a batch `{ user, changes }` as access.batch takes them, or
  // (the older forms) one change or an array of changes, each with its `user`.
  detail::JsonReader reader;
  std::vector<json> changes;
  std::string_view list_key;
  // A batch has no `type` of its own (or is an access.batch); an object with
  // another `type` is one change, whatever other fields it carries.
  const bool batch = change.is_object() && change.contains("changes") &&
                     (!change.contains("type") || change["type"] == "access.batch");
  if (batch) {
    changes = detail::read_batch_changes(reader, change);
    list_key = "changes";
  } else if (change.is_array()) {
    changes = change.get<std::vector<json>>();
  } else {
    changes.push_back(change);  // one change: its refusal is the whole preview's, no path
  }
  if (reader.failed()) return reader.take_errors();

  // The state after the changes, each checked against the state the earlier
  // ones left, on a copy: nothing is applied to `engine`.
  detail::AccessRun run = detail::run_access_changes(engine, editor, "", changes, list_key, true);
  if (!run.errors.empty()) return run.errors;
  if (run.denial && (request_level(run.denial->code) || run.denial->code == Code::unknown_user)) {
    return *run.denial;  // about the change, not the editor: nothing to preview
  }
  const Engine& after = run.engine;
  std::set<Index> users;
  for (const json& one : changes) {
    const Index u = s.user_ids.find(one.value("user", std::string()));
    if (u != kNone) users.insert(u);
  }

  WhatIf out;
  for (Index u : users) {
    for (Index site : s.site_preorder) {
      // A user's capabilities at a site follow from their roles there and from being an owner.
      bool same = s.owner[u] == after.snapshot().owner[u];
      for (Index m = 0; m < s.module_ids.size() && same; ++m) {
        same = engine.effective_role(u, site, m) == after.effective_role(u, site, m);
      }
      if (same) continue;
      const auto before_caps = engine.capabilities(s.user_ids.at(u), s.site_ids.at(site));
      const auto after_caps = after.capabilities(s.user_ids.at(u), s.site_ids.at(site));
      CapabilityChange diff{s.user_ids.at(u), s.site_ids.at(site), {}, {}};
      for (std::size_t a = 0; a < before_caps.size(); ++a) {
        if (!before_caps[a].allowed() && after_caps[a].allowed())
          diff.gained.emplace_back(action_id(static_cast<Index>(a)));
        if (before_caps[a].allowed() && !after_caps[a].allowed())
          diff.lost.emplace_back(action_id(static_cast<Index>(a)));
      }
      if (diff.gained.empty() && diff.lost.empty()) continue;
      out.changes.push_back(std::move(diff));
    }
  }
  out.allowed = !run.denial.has_value();
  if (run.denial) {
    out.decision = *run.denial;
    if (change.is_object() && !change.contains("changes")) run.denial_path.clear();
    out.path = run.denial_path;
  }
  return out;
}

}  // namespace calm
