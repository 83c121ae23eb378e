// The decision function (ACCESS.md sections 2-8, checked in the order of
// section 11), role resolution with provenance, and capability maps.

#include "calm/access.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "detail/fast_json.hpp"
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
  static const IdTable table = [] {
    IdTable ids;
    for (const ActionSpec& spec : kActions) ids.add(spec.id);
    return ids;
  }();
  return table.find(id);
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

Verdict Engine::check(const RequestView& request) const noexcept { return impl_->check(request, false); }

Verdict Engine::check(const IndexedRequest& request) const noexcept { return impl_->check_indexed(request); }

std::optional<RequestView> read_request_words(const std::uint32_t* words, std::size_t count,
                                              std::string_view bytes) noexcept {
  constexpr std::uint32_t kAbsent = 0xFFFFFFFF;
  auto text = [&](std::size_t at, std::optional<std::string_view>& out) {
    const std::uint32_t offset = words[at];
    const std::uint32_t size = words[at + 1];
    if (size == kAbsent) return true;
    if (offset > bytes.size() || size > bytes.size() - offset) return false;
    out = bytes.substr(offset, size);
    return true;
  };
  if (count < 7) return std::nullopt;
  const std::size_t fields = words[6];
  if (fields > (count - 7) / 6) return std::nullopt;
  std::optional<std::string_view> user;
  std::optional<std::string_view> action;
  RequestView view;
  if (!text(0, user) || !text(2, action) || !text(4, view.site) || !user || !action) return std::nullopt;
  view.user = *user;
  view.action = *action;
  for (std::size_t f = 0; f < fields; ++f) {
    const std::size_t at = 7 + f * 6;
    std::optional<std::string_view> name;
    std::optional<std::string_view> first;
    std::optional<std::string_view> second;
    if (!text(at, name) || !text(at + 2, first) || !text(at + 4, second) || !name || !first)
      return std::nullopt;
    const ResourceKeySpec* key = nullptr;
    for (const ResourceKeySpec& k : kResourceKeys) {
      if (k.name == *name) key = &k;
    }
    if (key == nullptr) {
      view.resource.unknown_key = true;  // whatever its value, as `parse_request` reads it
    } else if (key->bit == kBlock) {
      if (!second) return std::nullopt;
      view.resource.block = BlockRefView{*first, *second};
    } else {
      if (second) return std::nullopt;
      view.resource.*key->view = first;
    }
  }
  return view;
}

Request to_request(const RequestView& view) {
  Request request;
  request.user = std::string(view.user);
  request.action = std::string(view.action);
  if (view.site) request.site = std::string(*view.site);
  for (const ResourceKeySpec& k : kResourceKeys) {
    if (k.field != nullptr && view.resource.*k.view)
      request.resource.*k.field = std::string(*(view.resource.*k.view));
  }
  if (view.resource.block) {
    request.resource.block =
        BlockRef{std::string(view.resource.block->record), std::string(view.resource.block->block)};
  }
  request.resource.unknown_key = view.resource.unknown_key;
  return request;
}

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

// The members of an object in key order, one per key (the last of
// duplicates): as nlohmann::json holds them, so that either reader finds the
// same first fault.
std::vector<const FastMember*> members_by_key(const FastValue& object) {
  std::vector<const FastMember*> out;
  for (const FastMember& m : object.items()) {
    if (object.find(m.key) == &m.value) out.push_back(&m);
  }
  std::sort(out.begin(), out.end(), [](const FastMember* a, const FastMember* b) { return a->key < b->key; });
  return out;
}

template <class F>
void for_each_member(const json& object, F&& f) {
  for (const auto& [key, value] : object.items()) f(std::string_view(key), value);
}

template <class F>
void for_each_member(const FastValue& object, F&& f) {
  for (const FastMember* m : members_by_key(object)) f(m->key, m->value);
}

std::size_t distinct_size(const json& object) { return object.size(); }
std::size_t distinct_size(const FastValue& object) { return members_by_key(object).size(); }

template <class J>
bool read_id_field(const J& object, const char* key, std::optional<std::string>& out) {
  const J* value = lookup(object, key);
  if (value == nullptr) return true;
  if (!value->is_string()) return false;
  out = std::string(str(*value));
  return true;
}

// A request read from either JSON document (section 8 shape; section 11 step 1).
template <class J>
ParsedRequest read_request(const J& j) noexcept {
  ParsedRequest p;
  if (!j.is_object()) {
    p.shape_error = "the request must be an object";
    return p;
  }
  // Only the four keys of section 8: a misspelt `resource` must not turn a
  // resource request into the broader site-level one (section 11 step 1).
  for_each_member(j, [&](std::string_view key, const J&) {
    if (key != "user" && key != "action" && key != "site" && key != "resource") {
      p.shape_error = "the request takes only `user`, `action`, `site` and `resource`";
    }
  });
  if (!p.shape_error.empty()) return p;
  const J* user = lookup(j, "user");
  const J* action = lookup(j, "action");
  if (user == nullptr || !user->is_string()) {
    p.shape_error = "`user` must be a string";
    return p;
  }
  if (action == nullptr || !action->is_string()) {
    p.shape_error = "`action` must be a string";
    return p;
  }
  p.request.user = std::string(str(*user));
  p.request.action = std::string(str(*action));
  if (!read_id_field(j, "site", p.request.site)) {
    p.shape_error = "`site` must be an id";
    return p;
  }
  const J* resource = lookup(j, "resource");
  if (resource == nullptr) return p;
  if (!resource->is_object()) {
    p.shape_error = "`resource` must be an object";
    return p;
  }
  Resource& r = p.request.resource;
  for_each_member(*resource, [&](std::string_view key, const J& value) {
    if (!p.shape_error.empty()) return;
    std::optional<std::string>* slot = nullptr;
    for (const ResourceKeySpec& k : kResourceKeys) {
      if (k.field != nullptr && k.name == key) slot = &(r.*k.field);
    }
    if (slot != nullptr) {
      if (!value.is_string()) {
        p.shape_error = "resource ids must be strings";
        return;
      }
      *slot = std::string(str(value));
    } else if (key == "block") {
      const J* record = value.is_object() ? lookup(value, "record") : nullptr;
      const J* block = value.is_object() ? lookup(value, "block") : nullptr;
      if (record == nullptr || block == nullptr || distinct_size(value) != 2 || !record->is_string() ||
          !block->is_string()) {
        p.shape_error = "`resource.block` must be `{ record, block }` ids";
        return;
      }
      r.block = BlockRef{std::string(str(*record)), std::string(str(*block))};
    } else {
      // An unknown key: the key check (section 11, step 3) rejects it once the action is known.
      r.unknown_key = true;
    }
  });
  return p;
}

}  // namespace

ParsedRequest parse_request(const json& j) noexcept { return read_request(j); }

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
  const std::string_view fault = detail::json_text_fault(request_text);
  const detail::FastDocument request(fault.empty() ? request_text : std::string_view(), detail::kMaxDepth);
  if (!fault.empty() || !request.ok()) {
    Verdict v;
    v.code = Code::invalid_request;
    v.rule = "ACCESS-11";
    v.detail =
        fault == "too-deep" ? "the request is nested too deeply" : "the request is not well-formed JSON text";
    return decision_text(explain(Request{}, v));
  }
  ParsedRequest parsed = read_request(request.root());
  if (!parsed.shape_error.empty()) {
    Verdict v;
    v.code = Code::invalid_request;
    v.rule = "ACCESS-11";
    v.detail = parsed.shape_error;
    return decision_text(explain(parsed.request, v));
  }
  return decision_text(decide(parsed.request));
}

std::string Engine::decide_json(const RequestView& request) const {
  const Verdict v = check(request);
  return decision_text(explain(to_request(request), v));
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

std::string Engine::index_json() const {
  const Snapshot& s = impl_->snapshot;
  json ids{{"users", s.user_ids.ids()}, {"sites", s.site_ids.ids()}};
  for (const ResourceKeySpec& k : kResourceKeys) {
    if (!k.collection.empty()) ids[std::string(k.collection)] = (s.*k.ids).ids();
  }
  return detail::dump(ids);
}

}  // namespace calm
