// The decision function (ACCESS.md sections 2-8, checked in the order of
// section 11), role resolution with provenance, and capability maps.

#include "calm/access.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "detail/json_util.hpp"
#include "engine_impl.hpp"

namespace calm {

using nlohmann::json;
using namespace detail;  // NOLINT(google-build-using-namespace): this library's own helpers

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
  snapshot.revealed.merge(impl_->snapshot.revealed);  // reveals last for the session (PW2)
  impl_->snapshot = std::move(snapshot);
  impl_->loaded = true;
}

bool Engine::loaded() const noexcept { return impl_->loaded; }
const Snapshot& Engine::snapshot() const noexcept { return impl_->snapshot; }

Verdict Engine::check(const Request& request) const noexcept { return impl_->check(request, false); }
Verdict Engine::check_site_level(const Request& request) const noexcept {
  return impl_->check(request, true);
}

Verdict Engine::check(const IndexedRequest& request) const noexcept { return impl_->check_indexed(request); }

Role Engine::effective_role(Index user, Index site, Index module) const noexcept {
  return impl_->effective_role(user, site, module);
}

bool Engine::has_site_permission(Index user, Index site, SitePermission permission) const noexcept {
  return impl_->has_permission(user, site, permission);
}

Decision Engine::decide(const Request& request) const { return explain(request, check(request)); }

namespace {

std::string tick(std::string_view text) {
  std::string out = "`";
  out += detail::clip(text);
  out += '`';
  return out;
}

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
      for (const ResourceKeySpec& k : kResourceKeys) {
        if (k.name != v.field) continue;
        if (k.field != nullptr) id = (r.*k.field).value_or("");
        if (k.bit == kBlock && r.block) id = r.block->record + "/" + r.block->block;
      }
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
      d.message = "a member sees only courses assigned to them; " +
                  tick(request.resource.course.value_or("")) + " is not";
      d.requires_["condition"] = "assigned";
      d.requires_["or"] = {{"module", "personnel"}, {"role", "manager"}, {"site", site}};
      break;
    case Code::not_own_thread:
      d.message =
          "Restrict Comment Viewing is on at " + tick(site) + ": a member sees only threads they started";
      d.requires_["condition"] = "own-thread";
      d.requires_["or"] = {{"module", "personnel"}, {"role", "manager"}, {"site", site}};
      break;
    case Code::not_own_fulfillment:
      d.message =
          "fulfillment " + tick(request.resource.fulfillment.value_or("")) + " belongs to someone else";
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
        d.message = "cannot set " + tick(module) + " " + std::string(role_name(v.needed)) + " at " +
                    tick(site) + ": above the editor's own role (" + std::string(role_name(v.held)) + ")";
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

namespace {

// The bytes `detail::dump(decision.to_json())` gives, written straight from
// the decision (no second document): the hot path of `decide_json` and
// `capabilities_json`, which the wasm build serves. Keys in nlohmann's order.
void append_decision(std::string& out, const Decision& d) {
  out += d.allowed ? R"({"allowed":true,"code":)" : R"({"allowed":false,"code":)";
  append_json_string(out, code_name(d.code));
  out += R"(,"message":)";
  append_json_string(out, d.message);
  out += R"(,"requires":)";
  append_json(out, d.requires_);
  out += R"(,"rule":)";
  append_json_string(out, d.rule);
  out += '}';
}

std::string decision_text(const Decision& d) {
  std::string out;
  out.reserve(192);
  append_decision(out, d);
  return out;
}

}  // namespace

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
    sources[g.site * modules + g.module].push_back(
        {RoleSource::Kind::direct, g.role, kNone, g.include_child_sites});
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
  // Only the four keys of section 8: a misspelt `resource` must not turn a
  // resource request into the broader site-level one (section 11 step 1).
  for (const auto& [key, value] : j.items()) {
    if (key != "user" && key != "action" && key != "site" && key != "resource") {
      p.shape_error = "the request takes only `user`, `action`, `site` and `resource`";
      return p;
    }
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
    for (const ResourceKeySpec& k : kResourceKeys) {
      if (k.field != nullptr && k.name == key) slot = &(r.*k.field);
    }
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

std::string oversize_json(Input input) {
  if (input == Input::request) {
    static const Engine blank;
    Verdict v;
    v.code = Code::invalid_request;
    v.rule = "ACCESS-11";
    v.detail = "the request is larger than the limit of 1 MiB (1048576 bytes)";
    return decision_text(blank.explain(Request{}, v));
  }
  std::string what = input == Input::snapshot  ? "a snapshot"
                     : input == Input::command ? "a command"
                                               : "a question";
  const std::size_t limit = input_limit(input);
  std::string message = "expected " + what + " of at most " + std::to_string(limit >> 20) + " MiB (" +
                        std::to_string(limit) + " bytes) of JSON text";
  return detail::dump(json{
      {"ok", false},
      {"errors", json::array({{{"code", "too-large"}, {"path", ""}, {"message", std::move(message)}}})}});
}

std::string Engine::decide_json(std::string_view request_text) const {
  if (request_text.size() > input_limit(Input::request)) return oversize_json(Input::request);
  // parse_json bounds the nesting and refuses a NUL (nlohmann would stop
  // there and decide the text before it: section 11 step 1).
  std::vector<Error> errors;
  json request = detail::parse_json(request_text, errors);
  if (!errors.empty()) {
    Verdict v;
    v.code = Code::invalid_request;
    v.rule = "ACCESS-11";
    v.detail = errors.front().code == "too-deep" ? "the request is nested too deeply"
                                                 : "the request is not well-formed JSON text";
    return decision_text(explain(Request{}, v));
  }
  return decision_text(decide_json_value(request));
}

std::string Engine::explain_json(const IndexedRequest& q) const {
  const Snapshot& s = impl_->snapshot;
  if (q.user >= s.users.size() || q.action >= kActions.size() ||
      (q.site != kNone && q.site >= s.sites.size())) {
    return {};
  }
  // The request as its ids, as parse_request would read them from JSON.
  Request request;
  request.user = s.user_ids.at(q.user);
  request.action = std::string(kActions[q.action].id);
  if (q.site != kNone) request.site = s.site_ids.at(q.site);
  if (q.key != 0) {
    const ResourceKeySpec* k = indexed_key(q.key);
    if (k == nullptr || q.resource >= (s.*k->ids).size()) return {};
    request.resource.*k->field = (s.*k->ids).at(q.resource);
  }
  // The same Request decide_json would build from this request's JSON, so
  // the same decision and message by construction (not the indexed verdict,
  // whose invalid-request details are coarser).
  return decision_text(decide(request));
}

std::string Engine::load_json(std::string_view json_text) {
  if (json_text.size() > input_limit(Input::snapshot)) return oversize_json(Input::snapshot);
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
  // Actions in id order, as a JSON object of them has always been written.
  static const std::vector<std::size_t> by_id = [] {
    std::vector<std::size_t> order(std::size(kActions));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [](std::size_t a, std::size_t b) { return kActions[a].id < kActions[b].id; });
    return order;
  }();
  std::string out;
  out.reserve(verdicts.size() * 200 + 32);
  out += R"({"ok":true,"value":{)";
  bool first = true;
  for (const std::size_t i : by_id) {
    if (i >= verdicts.size()) continue;
    request.action = std::string(kActions[i].id);
    if (!first) out += ',';
    first = false;
    append_json_string(out, request.action);
    out += ':';
    append_decision(out, explain(request, verdicts[i]));
  }
  out += "}}";
  return out;
}

std::string Engine::roles_json(std::string_view user) const {
  const Snapshot& s = impl_->snapshot;
  if (!is_valid_id(user)) {  // section 11 step 1: malformed, never unknown
    return detail::dump(json{
        {"ok", false},
        {"errors", json::array({{{"code", "invalid-request"},
                                 {"path", "/user"},
                                 {"message", "expected an id of 1 to 128 bytes of well-formed UTF-8"}}})}});
  }
  const Index u = s.user_ids.find(user);
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
      if (src.include_child_sites) j["includeChildSites"] = true;
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

std::string indexed_keys_json() {
  json keys = json::object();
  for (const ResourceKeySpec& k : kResourceKeys) {
    if (!k.collection.empty()) keys[std::string(k.name)] = {k.bit, std::string(k.collection)};
  }
  return detail::dump(keys);
}

std::string Engine::index_json() const {
  const Snapshot& s = impl_->snapshot;
  json ids{{"users", s.user_ids.ids()}, {"sites", s.site_ids.ids()}};
  for (const ResourceKeySpec& k : kResourceKeys) {
    if (!k.collection.empty()) ids[std::string(k.collection)] = (s.*k.ids).ids();
  }
  return detail::dump(ids);
}

}  // namespace calm
