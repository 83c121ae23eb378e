// Questions beyond one check (ACCESS.md section 9): whoCan, sitesWhere and
// whatIf. Each is answered by the one decision function, never by a copy of
// the rules.

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "actions.hpp"
#include "calm/personnel.hpp"
#include "detail/access_change.hpp"
#include "detail/json_util.hpp"

namespace calm {

using nlohmann::json;

namespace {

json ok(json value) { return {{"ok", true}, {"value", std::move(value)}}; }
json denied(const Decision& d) { return {{"ok", false}, {"decision", d.to_json()}}; }
json errors_json(const std::vector<Error>& errors) {
  json list = json::array();
  for (const Error& e : errors) list.push_back({{"code", e.code}, {"path", e.path}, {"message", e.message}});
  return {{"ok", false}, {"errors", list}};
}

// A verdict that is about the request, not about the user asking.
bool request_level(Code code) {
  return code == Code::invalid_request || code == Code::unknown_action || code == Code::unknown_site ||
         code == Code::unknown_resource || code == Code::unknown_module;
}

json roles_at(const Engine& engine, Index user, Index site) {
  const Snapshot& s = engine.snapshot();
  json roles = json::object();
  for (Index m = 0; m < s.module_ids.size(); ++m) {
    const Role role = engine.effective_role(user, site, m);
    if (role != Role::none) roles[s.module_ids.at(m)] = std::string(role_name(role));
  }
  return roles;
}

}  // namespace

json who_can(const Engine& engine, const json& request) {
  const Snapshot& s = engine.snapshot();
  if (!request.is_object() || request.contains("user")) {
    return errors_json(
        {{"wrong-type", "", "expected a request `{ action, site?, resource? }` without `user`"}});
  }
  json probe = request;
  json users = json::array();
  for (Index u = 0; u < s.users.size(); ++u) {
    probe["user"] = s.user_ids.at(u);
    ParsedRequest parsed = parse_request(probe);
    Verdict v;
    if (!parsed.shape_error.empty()) {
      v.code = Code::invalid_request;
      v.rule = "ACCESS-11";
      v.detail = parsed.shape_error;
    } else {
      v = engine.check_site_level(parsed.request);
    }
    if (request_level(v.code)) return denied(engine.explain(parsed.request, v));
    if (!v.allowed()) continue;
    json entry{{"user", s.user_ids.at(u)}, {"name", s.users[u].name}, {"rule", std::string(v.rule)}};
    if (v.site != kNone) entry["roles"] = roles_at(engine, u, v.site);
    if (s.owner[u]) entry["owner"] = true;
    users.push_back(std::move(entry));
  }
  return ok({{"request", request}, {"users", users}});
}

json sites_where(const Engine& engine, std::string_view user, std::string_view action) {
  const Snapshot& s = engine.snapshot();
  Request request;
  request.user = std::string(user);
  request.action = std::string(action);
  json sites = json::array();
  for (Index site : s.site_preorder) {
    request.site = s.site_ids.at(site);
    const Verdict v = engine.check_site_level(request);
    if (request_level(v.code) || v.code == Code::unknown_user) return denied(engine.explain(request, v));
    if (v.allowed()) sites.push_back({{"site", s.site_ids.at(site)}, {"rule", std::string(v.rule)}});
  }
  if (s.sites.empty()) {  // still name an unknown user or action
    const Verdict v = engine.check_site_level(request);
    if (v.code == Code::unknown_user || v.code == Code::unknown_action)
      return denied(engine.explain(request, v));
  }
  return ok({{"user", std::string(user)}, {"action", std::string(action)}, {"sites", sites}});
}

json what_if(const Engine& engine, std::string_view editor, const json& change) {
  const Snapshot& s = engine.snapshot();
  // An editor who is not a known user is refused like any request naming one (section 10).
  if (!is_valid_id(editor) || s.user_ids.find(editor) == kNone) {
    Request request;
    request.user = std::string(editor);
    request.action = "users.access.edit";
    return denied(engine.explain(request, engine.check(request)));
  }
  // The changes: a batch `{ user, changes }` as access.batch takes them, or
  // (the older forms) one change or an array of changes, each with its `user`.
  detail::JsonReader reader;
  std::vector<json> changes;
  std::string_view list_key;
  if (change.is_object() && change.contains("changes")) {
    changes = detail::read_batch_changes(reader, change);
    list_key = "changes";
  } else if (change.is_array()) {
    changes = change.get<std::vector<json>>();
  } else {
    changes.push_back(change);  // one change: its refusal is the whole preview's, no path
  }
  if (reader.failed()) return errors_json(reader.take_errors());

  // The state after the changes, each checked against the state the earlier
  // ones left, on a copy: nothing is applied to `engine`.
  detail::AccessRun run = detail::run_access_changes(engine, editor, "", changes, list_key, true);
  if (!run.errors.empty()) return errors_json(run.errors);
  if (run.denial && (request_level(run.denial->code) || run.denial->code == Code::unknown_user)) {
    return denied(*run.denial);  // about the change, not the editor: nothing to preview
  }
  const Engine& after = run.engine;
  std::set<Index> users;
  for (const json& one : changes) {
    const Index u = s.user_ids.find(one.value("user", std::string()));
    if (u != kNone) users.insert(u);
  }

  json diff = json::array();
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
      json gained = json::array();
      json lost = json::array();
      for (std::size_t a = 0; a < before_caps.size(); ++a) {
        if (!before_caps[a].allowed() && after_caps[a].allowed())
          gained.push_back(std::string(action_id(static_cast<Index>(a))));
        if (before_caps[a].allowed() && !after_caps[a].allowed())
          lost.push_back(std::string(action_id(static_cast<Index>(a))));
      }
      if (gained.empty() && lost.empty()) continue;
      diff.push_back(
          {{"user", s.user_ids.at(u)}, {"site", s.site_ids.at(site)}, {"gained", gained}, {"lost", lost}});
    }
  }
  json value{{"allowed", !run.denial.has_value()}, {"changes", diff}};
  if (run.denial) {
    value["decision"] = run.denial->to_json();
    if (change.is_object() && !change.contains("changes")) run.denial_path.clear();
    if (!run.denial_path.empty()) value["path"] = run.denial_path;
  }
  return ok(std::move(value));
}

namespace {

// JSON text of a question, or the `{ ok: false, errors }` that refuses it.
std::optional<json> question(std::string_view text, std::string& refusal) {
  if (text.size() > input_limit(Input::question)) {
    refusal = oversize_json(Input::question);
    return std::nullopt;
  }
  std::vector<Error> errors;
  json value = detail::parse_json(text, errors);
  if (!errors.empty()) {
    refusal = detail::dump(errors_json(errors));
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string who_can_json(const Engine& engine, std::string_view request_text) {
  std::string refusal;
  const auto request = question(request_text, refusal);
  return request ? detail::dump(who_can(engine, *request)) : refusal;
}

std::string what_if_json(const Engine& engine, std::string_view editor, std::string_view change_text) {
  std::string refusal;
  const auto change = question(change_text, refusal);
  return change ? detail::dump(what_if(engine, editor, *change)) : refusal;
}

}  // namespace calm
