// The JSON layer of the decision function and the engine (calm/ffi.hpp):
// loading, decisions, capabilities, roles, commands and the index, text in
// and text out. `Engine` speaks C++ types; this file is where its answers
// become JSON.

#include "calm/ffi.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "actions.hpp"
#include "calm/workflow.hpp"
#include "detail/fast_json.hpp"
#include "detail/json_util.hpp"
#include "detail/resource_keys.hpp"

namespace calm {

using nlohmann::json;
using namespace detail;  // NOLINT(google-build-using-namespace): this library's own helpers

namespace {

using ffi::RequirementKey;

// The JSON names of a decision's `requires` members, by `RequirementKey`
// (their sorted order), and of the members of its `or`.
constexpr std::array<std::string_view, 10> kRequirementNames = {
    "condition", "entitlement", "integration", "module", "or",
    "owner",     "resource",    "role",        "site",   "sitePermission"};
constexpr std::array<std::string_view, 3> kAlternativeNames = {"module", "role", "site"};

constexpr std::string_view name_of(RequirementKey key) noexcept {
  return kRequirementNames[static_cast<std::size_t>(key)];
}

// `requires` as `detail::dump` would write its JSON object: keys in
// nlohmann's (sorted) order, only those set.
void append_requirements(std::string& out, const Requirements& r) {
  char sep = '{';
  const auto key = [&](std::string_view name) {
    out += sep;
    sep = ',';
    append_json_string(out, name);
    out += ':';
  };
  const auto text = [&](std::string_view name, const auto& value) {
    if (!value) return;
    key(name);
    append_json_string(out, *value);
  };
  text(name_of(RequirementKey::condition), r.condition);
  text(name_of(RequirementKey::entitlement), r.entitlement);
  text(name_of(RequirementKey::integration), r.integration);
  text(name_of(RequirementKey::module), r.module);
  if (r.alternative) {
    key(name_of(RequirementKey::alternative));
    const std::string_view values[] = {r.alternative->module, role_name(r.alternative->role),
                                       r.alternative->site};
    char inner = '{';
    for (std::size_t i = 0; i < kAlternativeNames.size(); ++i) {
      out += inner;
      inner = ',';
      append_json_string(out, kAlternativeNames[i]);
      out += ':';
      append_json_string(out, values[i]);
    }
    out += '}';
  }
  if (r.owner) {
    key(name_of(RequirementKey::owner));
    out += "true";
  }
  text(name_of(RequirementKey::resource), r.resource);
  if (r.role) text(name_of(RequirementKey::role), std::optional<std::string_view>(role_name(*r.role)));
  text(name_of(RequirementKey::site), r.site);
  if (r.site_permission) {
    text(name_of(RequirementKey::site_permission),
         std::optional<std::string_view>(site_permission_name(*r.site_permission)));
  }
  out += sep == '{' ? "{}" : "}";
}

// The bytes `detail::dump(decision.to_json())` gives, written straight from
// the decision (no second document): the hot path of `ffi::decide` and
// `ffi::capabilities`, which the wasm build serves. Keys in nlohmann's order.
void append_decision(std::string& out, const Decision& d) {
  out += d.allowed ? R"({"allowed":true,"code":)" : R"({"allowed":false,"code":)";
  append_json_string(out, code_name(d.code));
  out += R"(,"message":)";
  append_json_string(out, d.message);
  out += R"(,"requires":)";
  append_requirements(out, d.requires_);
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

namespace {

json requirements_json(const Requirements& r) {
  json out = json::object();
  if (r.condition) out["condition"] = std::string(*r.condition);
  if (r.entitlement) out["entitlement"] = *r.entitlement;
  if (r.integration) out["integration"] = std::string(*r.integration);
  if (r.module) out["module"] = *r.module;
  if (r.alternative) {
    out["or"] = {{"module", r.alternative->module},
                 {"role", std::string(role_name(r.alternative->role))},
                 {"site", r.alternative->site}};
  }
  if (r.owner) out["owner"] = true;
  if (r.resource) out["resource"] = std::string(*r.resource);
  if (r.role) out["role"] = std::string(role_name(*r.role));
  if (r.site) out["site"] = *r.site;
  if (r.site_permission) out["sitePermission"] = std::string(site_permission_name(*r.site_permission));
  return out;
}

}  // namespace

json Decision::to_json() const {
  return json{{"allowed", allowed},
              {"code", std::string(code_name(code))},
              {"message", message},
              {"rule", rule},
              {"requires", requirements_json(requires_)}};
}

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
ffi::ParsedRequest read_request(const J& j) noexcept {
  ffi::ParsedRequest p;
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

ffi::ParsedRequest ffi::parse_request(const json& j) noexcept { return read_request(j); }

Decision ffi::decide_value(const Engine& engine, const json& request) {
  ParsedRequest parsed = parse_request(request);
  if (!parsed.shape_error.empty()) {
    Verdict v;
    v.code = Code::invalid_request;
    v.rule = "ACCESS-11";
    v.detail = parsed.shape_error;
    return engine.explain(parsed.request, v);
  }
  return engine.decide(parsed.request);
}

std::string ffi::oversize(Input input) {
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

std::string ffi::limits() {
  return detail::dump(json{{"snapshot", input_limit(Input::snapshot)},
                           {"request", input_limit(Input::request)},
                           {"command", input_limit(Input::command)},
                           {"question", input_limit(Input::question)}});
}

std::string ffi::decide(const Engine& engine, std::string_view request_text) {
  if (request_text.size() > input_limit(Input::request)) return oversize(Input::request);
  // The nesting is bounded and a NUL refused before parsing (section 11
  // step 1); the request is read by the arena reader, as snapshots are.
  const detail::FastDocument request(request_text, detail::kMaxDepth);
  // Text the arena reader takes holds no NUL and is nested within the bound
  // (it refuses both, at the same depth), so only a refused text is scanned.
  const std::string_view fault = request.ok() ? std::string_view() : detail::json_text_fault(request_text);
  // Text the arena reader refuses is read again by nlohmann's parser, so that
  // exactly the texts it takes (a leading byte order mark, say) are requests.
  std::vector<Error> errors;
  const json slow = fault.empty() && !request.ok() ? detail::parse_json(request_text, errors) : json();
  if (!fault.empty() || (!request.ok() && !errors.empty())) {
    Verdict v;
    v.code = Code::invalid_request;
    v.rule = "ACCESS-11";
    v.detail =
        fault == "too-deep" ? "the request is nested too deeply" : "the request is not well-formed JSON text";
    return decision_text(engine.explain(Request{}, v));
  }
  ParsedRequest parsed = request.ok() ? read_request(request.root()) : read_request(slow);
  if (!parsed.shape_error.empty()) {
    Verdict v;
    v.code = Code::invalid_request;
    v.rule = "ACCESS-11";
    v.detail = parsed.shape_error;
    return decision_text(engine.explain(parsed.request, v));
  }
  return decision_text(engine.decide(parsed.request));
}

std::string ffi::decide(const Engine& engine, const RequestView& request) {
  const Verdict v = engine.check(request);
  return decision_text(engine.explain(request, v));
}

namespace {

// The UTF-16 length of well-formed UTF-8 text: one unit per sequence, two for
// a four-byte one.
std::uint32_t utf16_length(std::string_view text) noexcept {
  std::uint32_t units = 0;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0U) != 0x80U) units += u >= 0xF0U ? 2U : 1U;
  }
  return units;
}

// `decision_parts` of a rendered decision.
std::optional<std::size_t> parts_of(const Decision& d, std::span<std::uint32_t> words, std::string& text) {
  const Requirements& r = d.requires_;
  text.clear();
  std::size_t n = 2;
  std::uint32_t flags = 0;
  bool fits = true;
  const auto piece = [&](std::string_view value) {
    if (n == words.size()) {
      fits = false;
      return;
    }
    words[n++] = utf16_length(value);
    text += value;
  };
  const auto field = [&](RequirementKey key, std::optional<std::string_view> value) {
    if (!value) return;
    flags |= 1U << static_cast<unsigned>(key);
    piece(*value);
  };
  const auto view = [](const std::optional<std::string>& value) {
    return value ? std::optional<std::string_view>(*value) : std::nullopt;
  };
  piece(d.rule);
  piece(d.message);
  field(RequirementKey::condition, r.condition);
  field(RequirementKey::entitlement, view(r.entitlement));
  field(RequirementKey::integration, r.integration);
  field(RequirementKey::module, view(r.module));
  if (r.alternative) {
    flags |= 1U << static_cast<unsigned>(RequirementKey::alternative);
    piece(r.alternative->module);
    piece(role_name(r.alternative->role));
    piece(r.alternative->site);
  }
  if (r.owner) flags |= 1U << static_cast<unsigned>(RequirementKey::owner);
  field(RequirementKey::resource, r.resource);
  if (r.role) field(RequirementKey::role, role_name(*r.role));
  field(RequirementKey::site, view(r.site));
  if (r.site_permission) field(RequirementKey::site_permission, site_permission_name(*r.site_permission));
  // Every piece is an id the snapshot or the checked request holds, a name
  // of the core's or a message made of those: well-formed UTF-8, which the
  // caller decodes as it is. Anything else takes the JSON path.
  if (!fits || words.size() < 2 || !is_well_formed_utf8(text)) return std::nullopt;
  words[0] = static_cast<std::uint32_t>(d.code);
  words[1] = flags;
  return n;
}

}  // namespace

std::optional<std::size_t> ffi::decision_parts(const Engine& engine, const RequestView& request,
                                               std::span<std::uint32_t> words, std::string& text) {
  return parts_of(engine.explain(request, engine.check(request)), words, text);
}

namespace {

// The request an indexed request names, its ids viewed in the snapshot's
// tables; nullopt when an index is out of range or it names two resources by
// id (both would be read from `resource`).
std::optional<RequestView> view_of(const Snapshot& s, const IndexedRequest& q) noexcept {
  if (q.user >= s.users.size() || q.action >= kActions.size() ||
      (q.site != kNone && q.site >= s.sites.size()) || !at_most_one_id_key(q.key)) {
    return std::nullopt;
  }
  RequestView view;
  view.user = s.user_ids.at(q.user);
  view.action = kActions[q.action].id;
  if (q.site != kNone) view.site = s.site_ids.at(q.site);
  for (const ResourceKeySpec& k : kResourceKeys) {
    if ((q.key & k.bit) == 0) continue;
    if (k.word == kIdWord || k.word == kModuleWord) {
      const Index i = k.word == kIdWord ? q.resource : q.module;
      if (i >= (s.*k.ids).size()) return std::nullopt;
      view.resource.*k.view = (s.*k.ids).at(i);
    } else if (k.word == kBlockWord) {
      if (q.block_record >= s.records.size()) return std::nullopt;
      view.resource.block = BlockRefView{s.record_ids.at(q.block_record), q.block};
    } else if (k.word == kRoleWord) {
      if (q.role > static_cast<Index>(Role::admin)) return std::nullopt;
      view.resource.role = role_name(static_cast<Role>(q.role));
    } else {
      return std::nullopt;
    }
  }
  return view;
}

}  // namespace

std::optional<std::size_t> ffi::decision_parts(const Engine& engine, const IndexedRequest& q,
                                               std::span<std::uint32_t> words, std::string& text) {
  const auto view = view_of(engine.snapshot(), q);
  if (!view) return std::nullopt;
  Verdict v = engine.check(q);
  // The indexed check says less of a malformed request than the full one.
  if (v.code == Code::invalid_request) v = engine.check(*view);
  return parts_of(engine.explain(*view, v), words, text);
}

std::string ffi::requirement_keys() {
  json members = json::array();
  for (const std::string_view name : kRequirementNames) members.push_back(std::string(name));
  json alternative = json::array();
  for (const std::string_view name : kAlternativeNames) alternative.push_back(std::string(name));
  return detail::dump(json{{"requires", members}, {"or", alternative}});
}

std::string ffi::explain(const Engine& engine, const IndexedRequest& q) {
  const auto view = view_of(engine.snapshot(), q);
  if (!view) return {};
  // The same Request decide_json would build from this request's JSON, so
  // the same decision and message by construction (not the indexed verdict,
  // whose invalid-request details are coarser).
  return decision_text(engine.decide(to_request(*view)));
}

std::string ffi::load(Engine& engine, std::string_view json_text) {
  if (json_text.size() > input_limit(Input::snapshot)) return oversize(Input::snapshot);
  auto result = load_snapshot(json_text);
  if (!result.ok()) return detail::dump(json{{"ok", false}, {"errors", errors_json(result.errors())}});
  engine.load(std::move(result).value());
  const Snapshot& s = engine.snapshot();
  return detail::dump(json{{"ok", true},
                           {"stats",
                            {{"sites", s.sites.size()},
                             {"users", s.users.size()},
                             {"grants", s.grants.size()},
                             {"courses", s.courses.size()},
                             {"fulfillments", s.fulfillments.size()},
                             {"records", s.records.size()}}}});
}

std::string ffi::capabilities(const Engine& engine, std::string_view user, std::string_view site) {
  Request request;
  request.user = std::string(user);
  request.site = std::string(site);
  const std::vector<Verdict> verdicts = engine.capabilities(user, site);
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
    append_decision(out, engine.explain(request, verdicts[i]));
  }
  out += "}}";
  return out;
}

std::size_t ffi::capability_codes(const Engine& engine, std::string_view user, std::string_view site,
                                  std::span<std::uint8_t> out) noexcept {
  std::array<Verdict, kActions.size()> verdicts;
  engine.capabilities(user, site, verdicts);
  const std::size_t n = std::min(out.size(), verdicts.size());
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(verdicts[i].code);
  return n;
}

std::string ffi::capability(const Engine& engine, std::string_view user, std::string_view site,
                            std::string_view action) {
  Request request;
  request.user = std::string(user);
  request.site = std::string(site);
  request.action = std::string(action);
  std::string out;
  append_decision(out, engine.explain(request, engine.check_site_level(request)));
  return out;
}

std::string ffi::reason_codes() {
  json list = json::array();
  for (auto c = static_cast<std::uint8_t>(Code::invalid_request);
       c <= static_cast<std::uint8_t>(Code::allowed); ++c)
    list.push_back(std::string(code_name(static_cast<Code>(c))));
  return detail::dump(list);
}

std::string ffi::roles(const Engine& engine, std::string_view user) {
  const Snapshot& s = engine.snapshot();
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
  for (const EffectiveRole& row : engine.roles(u)) {
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

std::string ffi::actions() {
  json list = json::array();
  for (const ActionSpec& spec : kActions) list.push_back(std::string(spec.id));
  return detail::dump(list);
}

std::string ffi::indexed_keys() {
  json keys = json::object();
  for (const ResourceKeySpec& k : kResourceKeys)
    keys[std::string(k.name)] = {k.bit, std::string(k.collection), k.word};
  return detail::dump(json{{"words", kIndexedRequestWords}, {"keys", std::move(keys)}});
}

std::string ffi::index(const Engine& engine) {
  const Snapshot& s = engine.snapshot();
  json ids{{"users", s.user_ids.ids()}, {"sites", s.site_ids.ids()}};
  for (const ResourceKeySpec& k : kResourceKeys) {
    if (k.word == kBlockWord) continue;  // its record's index is in `records`
    json& list = ids[std::string(k.collection)];
    if (k.ids != nullptr) {
      list = (s.*k.ids).ids();
    } else if (k.word == kRoleWord) {
      // Roles by rank.
      list = json::array();
      for (const Role role : {Role::none, Role::member, Role::manager, Role::admin}) {
        list.push_back(std::string(role_name(role)));
      }
    }
  }
  return detail::dump(ids);
}

namespace {

// A command's text, read and handed to `run` (apply or dry run); text over
// the limit or not JSON is refused whole, as a command result.
template <typename Run>
std::string with_command(std::string_view command_text, Run run) {
  if (command_text.size() > input_limit(Input::command)) return ffi::oversize(Input::command);
  std::vector<Error> errors;
  const json command = detail::parse_json(command_text, errors);
  if (!errors.empty()) {
    CommandResult refused;
    refused.errors = std::move(errors);
    return detail::dump(refused.to_json());
  }
  return detail::dump(run(command).to_json());
}

}  // namespace

std::string ffi::apply(Engine& engine, std::string_view command_text) {
  return with_command(command_text, [&](const json& command) { return engine.apply(command); });
}

std::string ffi::dry_run(const Engine& engine, std::string_view command_text) {
  return with_command(command_text, [&](const json& command) { return engine.dry_run(command); });
}

std::string ffi::snapshot(const Engine& engine) { return detail::dump(engine.export_snapshot()); }

}  // namespace calm
