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

std::optional<IndexedRequest> read_indexed_words(const std::uint32_t* words,
                                                 std::string_view bytes) noexcept {
  IndexedRequest q;
  q.user = words[0];
  q.action = words[1];
  q.site = words[2];
  // The key bits are 9: a wider word names keys no table has (refused as such).
  q.key = words[3] > 0xFFFF ? std::uint16_t{0xFFFF} : static_cast<std::uint16_t>(words[3]);
  q.resource = words[4];
  q.block_record = words[5];
  const std::uint32_t offset = words[6];
  const std::uint32_t size = words[7];
  if (size != 0xFFFFFFFF) {  // absent otherwise
    if (offset > bytes.size() || size > bytes.size() - offset) return std::nullopt;
    q.block = bytes.substr(offset, size);
  }
  q.module = words[8];
  q.role = words[9];
  return q;
}

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

// `text` appended clipped and in backticks, as messages name ids.
void put_tick(std::string& out, std::string_view text) {
  out += '`';
  if (text.size() <= 64) {
    out += text;  // as `clip` gives it, without a copy
  } else {
    out += clip(text);
  }
  out += '`';
}

std::string_view text_of(const std::string& text) noexcept { return text; }
std::string_view text_of(std::string_view text) noexcept { return text; }
template <class T>
std::string_view text_of(const std::optional<T>& text) noexcept {
  return text ? std::string_view(*text) : std::string_view();
}

// The decision for a verdict on `request` (a `Request` or a `RequestView`),
// its message built in one string.
template <class R>
Decision explain_verdict(const Snapshot& s, const R& request, const Verdict& v) {
  Decision d;
  d.allowed = v.allowed();
  d.code = v.code;
  d.rule = std::string(v.rule);
  const std::string_view site =
      v.site == kNone ? std::string_view() : std::string_view(s.site_ids.at(v.site));
  const std::string_view module =
      v.module == kNone ? std::string_view() : std::string_view(s.module_ids.at(v.module));
  const ActionSpec* spec = v.action == kNone ? nullptr : &kActions[v.action];
  std::string& m = d.message;
  m.reserve(96);
  auto needs_role_at_site = [&] {
    d.requires_.module = std::string(module);
    d.requires_.role = v.needed;
    d.requires_.site = std::string(site);
  };
  // "`module` <role> at `site`", as the missing-role and escalation messages
  // name the role.
  auto put_role_at_site = [&](Role role) {
    put_tick(m, module);
    m += ' ';
    m += role_name(role);
    m += " at ";
    put_tick(m, site);
  };
  const auto& res = request.resource;
  switch (v.code) {
    case Code::invalid_request:
      m += "invalid request: ";
      m += v.detail.empty() ? std::string_view("malformed") : v.detail;
      break;
    case Code::unknown_action:
      m += "unknown action ";
      put_tick(m, text_of(request.action));
      break;
    case Code::unknown_user:
      m += "unknown user ";
      put_tick(m, text_of(request.user));
      break;
    case Code::unknown_site:
      m += "unknown site ";
      put_tick(m, text_of(request.site));
      break;
    case Code::unknown_resource: {
      std::string id;
      for (const ResourceKeySpec& k : kResourceKeys) {
        if (k.name != v.field) continue;
        if (k.field != nullptr) id = text_of(field_of(res, k));
        if (k.bit == kBlock && res.block) {
          id = text_of(res.block->record);
          id += '/';
          id += text_of(res.block->block);
        }
      }
      m += "unknown ";
      m += v.field;
      m += ' ';
      put_tick(m, id);
      d.requires_.resource = v.field;
      break;
    }
    case Code::unknown_module:
      m += "unknown module ";
      put_tick(m, text_of(res.module));
      break;
    case Code::not_entitled:
      m += "the organisation is not entitled to the ";
      put_tick(m, module);
      m += " module";
      d.requires_.entitlement = std::string(module);
      break;
    case Code::missing_role:
      m += "needs ";
      put_role_at_site(v.needed);
      m += "; holds ";
      m += role_name(v.held);
      needs_role_at_site();
      break;
    case Code::missing_site_permission:
      m += "needs the ";
      put_tick(m, site_permission_name(v.permission));
      m += " site permission (site ";
      m += role_name(v.needed);
      m += ") at ";
      put_tick(m, site);
      d.requires_.site_permission = v.permission;
      d.requires_.module = "site";
      d.requires_.role = v.needed;
      d.requires_.site = std::string(site);
      break;
    case Code::not_assigned:
      m += "a member sees only courses assigned to them; ";
      put_tick(m, text_of(res.course));
      m += " is not";
      d.requires_.condition = "assigned";
      d.requires_.alternative = Requirements::Alternative{"personnel", Role::manager, std::string(site)};
      break;
    case Code::not_own_thread:
      m += "Restrict Comment Viewing is on at ";
      put_tick(m, site);
      m += ": a member sees only threads they started";
      d.requires_.condition = "own-thread";
      d.requires_.alternative = Requirements::Alternative{"personnel", Role::manager, std::string(site)};
      break;
    case Code::not_own_fulfillment:
      m += "fulfillment ";
      put_tick(m, text_of(res.fulfillment));
      m += " belongs to someone else";
      d.requires_.condition = "own-fulfillment";
      break;
    case Code::external_course:
      m += "course ";
      put_tick(m, text_of(res.course));
      m += " is an external (iHasco) course; only Calm courses can be published, archived or assigned";
      d.requires_.condition = "calm-course";
      break;
    case Code::integration_not_connected:
      m += "the iHasco integration is not connected at ";
      put_tick(m, site);
      d.requires_.integration = "ihasco";
      d.requires_.site = std::string(site);
      break;
    case Code::escalation:
      if (spec != nullptr && spec->condition == Condition::actor_is_owner) {
        m += "only an organisation owner can make or unmake an owner";
        d.requires_.owner = true;
      } else {
        m += "cannot set ";
        put_role_at_site(v.needed);
        m += ": above the editor's own role (";
        m += role_name(v.held);
        m += ')';
        needs_role_at_site();
      }
      break;
    case Code::invalid_state:
      m += "the resource's state forbids it";
      break;
    case Code::allowed:
      m += "allowed";
      break;
  }
  if (spec != nullptr && spec->p17 && (v.code == Code::missing_role || v.code == Code::not_entitled)) {
    m = kP17Message;
  }
  return d;
}

}  // namespace

Decision Engine::explain(const Request& request, const Verdict& v) const {
  return explain_verdict(impl_->snapshot, request, v);
}

Decision Engine::explain(const RequestView& request, const Verdict& v) const {
  return explain_verdict(impl_->snapshot, request, v);
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
  std::vector<Verdict> out(kActions.size());
  impl_->capabilities(user, site, out);
  return out;
}

void Engine::capabilities(std::string_view user, std::string_view site,
                          std::span<Verdict> out) const noexcept {
  impl_->capabilities(user, site, out);
}

}  // namespace calm
