#pragma once
/// \file
/// Access decisions (ACCESS.md): role resolution A1-A8, site permissions,
/// the action table of sections 3-8 and the one decision function that reads
/// it, checked in the order of section 11.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "calm/result.hpp"
#include "calm/snapshot.hpp"

namespace calm {

struct CommandResult;

/// What a JSON boundary function reads, for its size limit (README "Limits").
enum class Input : std::uint8_t {
  snapshot,  ///< `ffi::load`
  request,   ///< `ffi::decide`
  command,   ///< `ffi::apply`, `ffi::dry_run`
  question,  ///< the request of `ffi::who_can`, the change of `ffi::what_if`
};

/// The most bytes of JSON text an input may have (ACCESS.md section 11 step 1:
/// "past a documented limit the answer is a clear error"). Larger text is
/// refused whole before it is parsed, so it never costs more memory than its
/// own bytes; the limits leave room for the large demo organisation (25 MiB).
[[nodiscard]] constexpr std::size_t input_limit(Input input) noexcept {
  switch (input) {
    case Input::snapshot:
      return std::size_t{64} << 20;
    case Input::command:
      return std::size_t{16} << 20;
    case Input::request:
    case Input::question:
      break;
  }
  return std::size_t{1} << 20;
}

/// Reason codes (ACCESS.md section 7), in their priority order.
enum class Code : std::uint8_t {
  invalid_request,
  unknown_action,
  unknown_user,
  unknown_site,
  unknown_resource,
  unknown_module,
  not_entitled,
  missing_role,
  missing_site_permission,
  not_assigned,
  not_own_thread,
  not_own_fulfillment,
  external_course,
  integration_not_connected,
  escalation,
  invalid_state,
  allowed,
};

/// The stable string of a code, e.g. `missing-role`.
[[nodiscard]] std::string_view code_name(Code code) noexcept;

/// Site permissions (ACCESS.md section 3).
enum class SitePermission : std::uint8_t { none, update_site, manage_users, manage_integrations };

/// `update-site`, `manage-users`, `manage-integrations` (empty for none).
[[nodiscard]] std::string_view site_permission_name(SitePermission permission) noexcept;

/// A block reference `{ record, block }`.
struct BlockRef {
  std::string record;
  std::string block;
};

/// The resource of a request (ACCESS.md section 8); absent keys are empty.
struct Resource {
  std::optional<std::string> course, fulfillment, record, thread, company, target, module, role;
  std::optional<BlockRef> block;
  /// True when the request named a resource key that no action takes.
  bool unknown_key = false;
};

/// One decision request (ACCESS.md section 8).
struct Request {
  std::string user;
  std::string action;
  std::optional<std::string> site;
  Resource resource;
};

/// `BlockRef` as views.
struct BlockRefView {
  std::string_view record;
  std::string_view block;
};

/// `Resource` as views.
struct ResourceView {
  std::optional<std::string_view> course, fulfillment, record, thread, company, target, module, role;
  std::optional<BlockRefView> block;
  /// True when the request named a resource key that no action takes.
  bool unknown_key = false;
};

/// A request whose strings are views of memory the caller owns: the
/// bindings' fast path, which reads it from bytes JS wrote into wasm memory
/// (no JSON). Decided exactly as the `Request` of the same strings.
struct RequestView {
  std::string_view user;
  std::string_view action;
  std::optional<std::string_view> site;
  ResourceView resource;
};

/// Reads a request that the bindings wrote into memory as 32-bit words over
/// `bytes` (no JSON): `[user offset, size, action offset, size, site offset,
/// size, n]` then n resource fields `[name offset, size, value offset, size,
/// second offset, size]`, a size of 0xFFFFFFFF meaning absent. A field's
/// name is its key in the request's `resource`; its value one string, or for
/// `block` two (`record`, `block`). A name no action takes marks the request
/// as naming an unknown key. `std::nullopt` when the words do not fit
/// `bytes` or a value's shape is not its key's (the caller then sends the
/// request as JSON text, whose reader names the fault).
[[nodiscard]] std::optional<RequestView> read_request_words(const std::uint32_t* words, std::size_t count,
                                                            std::string_view bytes) noexcept;

/// The `Request` holding copies of the view's strings.
[[nodiscard]] Request to_request(const RequestView& view);

/// The compact outcome of a check: enough to render a full decision.
struct [[nodiscard]] Verdict {
  Code code = Code::invalid_request;
  /// Index into the action table, or `kNone` when the action is unknown.
  Index action = kNone;
  /// The rule id that decided (e.g. `T7`, `A8`, `S2`).
  std::string_view rule;
  /// The resolved site, or `kNone`.
  Index site = kNone;
  /// For `missing-role`, `not-entitled`, `escalation`: the module in question.
  Index module = kNone;
  /// For `missing-role` / `escalation`: the role that would allow it.
  Role needed = Role::none;
  /// For `missing-role` / `escalation`: the role held.
  Role held = Role::none;
  /// For `missing-site-permission`: the permission that would allow it.
  SitePermission permission = SitePermission::none;
  /// For `invalid-request`: what was wrong (static text).
  std::string_view detail;
  /// For `unknown-*`: which request field named the unknown id.
  std::string_view field;

  [[nodiscard]] bool allowed() const noexcept { return code == Code::allowed; }
};

/// What would allow a denied request (ACCESS.md section 7); members are set
/// only where they apply. Written as the decision's `requires`.
struct Requirements {
  /// The personnel manager role that also allows a condition (`or`).
  struct Alternative {
    std::string module;      ///< `module`
    Role role = Role::none;  ///< `role`
    std::string site;        ///< `site`
  };
  std::optional<std::string> entitlement;         ///< `entitlement`: the module the organisation would need
  std::optional<std::string> module;              ///< `module`: the module whose role is needed
  std::optional<Role> role;                       ///< `role`: the role needed
  std::optional<std::string> site;                ///< `site`: where it is needed
  std::optional<SitePermission> site_permission;  ///< `sitePermission`
  /// `condition`: `assigned`, `own-thread`, `own-fulfillment` or `calm-course`.
  std::optional<std::string_view> condition;
  std::optional<Alternative> alternative;       ///< `or`
  std::optional<std::string_view> integration;  ///< `integration`: `ihasco`
  /// `resource`: for `unknown-*`, the request field naming the unknown id.
  std::optional<std::string_view> resource;
  bool owner = false;  ///< `owner`: only an owner may
};

/// A fully explained decision.
struct [[nodiscard]] Decision {
  bool allowed = false;
  Code code = Code::invalid_request;
  /// Rule id that decided it.
  std::string rule;
  /// One-line message (the exact P17 text where it applies).
  std::string message;
  /// What would allow it (or, allowed, what it needed).
  Requirements requires_;

  /// `{ allowed, code, message, rule, requires }`.
  [[nodiscard]] nlohmann::json to_json() const;
};

/// The answer of a view or a question (ACCESS.md section 9, TRAINING.md,
/// PERSONNEL.md): its value, the decision that denied the viewer, or the
/// errors of a malformed argument (`invalid-date`, `wrong-type`, ...).
/// `calm/ffi.hpp` writes it as `{ ok: true, value }`, `{ ok: false, decision }`
/// or `{ ok: false, errors }`.
template <typename T>
class [[nodiscard]] Answer {
 public:
  /// The value.
  Answer(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor): ergonomic return
  /// The viewer is denied: the decision says why.
  Answer(Decision denial) : state_(std::move(denial)) {}  // NOLINT(google-explicit-constructor)
  /// A malformed argument; `errors` must not be empty.
  Answer(std::vector<Error> errors) : state_(std::move(errors)) {}  // NOLINT(google-explicit-constructor)

  /// True when a value is held.
  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  /// The value; only valid when `ok()`.
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  /// The value; only valid when `ok()`.
  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  /// The denial, or null when not denied.
  [[nodiscard]] const Decision* denial() const noexcept { return std::get_if<1>(&state_); }
  /// The errors, or null when the arguments were well formed.
  [[nodiscard]] const std::vector<Error>* errors() const noexcept { return std::get_if<2>(&state_); }

 private:
  std::variant<T, Decision, std::vector<Error>> state_;
};

/// Where an effective role came from (section 9 `roles`).
struct RoleSource {
  enum class Kind : std::uint8_t { direct, cascade, implied, owner };
  Kind kind = Kind::direct;
  Role role = Role::none;
  /// The grant's site for cascade and implied, `kNone` otherwise.
  Index from = kNone;
  /// For `direct`: the grant also gives the role at every child site (A3).
  bool include_child_sites = false;
};

/// One row of the View Access table.
struct EffectiveRole {
  Index site = kNone;
  Index module = kNone;
  Role role = Role::none;
  bool entitled = true;
  std::vector<RoleSource> sources;
};

/// Action table entry count and lookup.
[[nodiscard]] std::size_t action_count() noexcept;
/// The id of action `index`.
[[nodiscard]] std::string_view action_id(Index index) noexcept;
/// Index of an action id, or `kNone`.
[[nodiscard]] Index find_action(std::string_view id) noexcept;

/// A request whose ids are already dense indices (the bindings' fast path).
/// `key` holds the bits of the resource keys it names, each of them listed
/// by `ffi::indexed_keys`, which also says the member that holds its value:
/// `resource` for the one key that names a resource by its id (at most one);
/// `block_record` and `block` for `block` (its record's index, and the
/// block's id: a record's blocks are renumbered when one is removed);
/// `module`; `role` (an index into `roles`). Every index points into the
/// collection of `ffi::index` the key names. Any other request goes through
/// `Request` or `RequestView`. Out-of-range indices are unknown ids.
struct IndexedRequest {
  Index user = kNone;
  Index action = kNone;
  Index site = kNone;
  std::uint16_t key = 0;
  Index resource = kNone;
  Index block_record = kNone;
  std::string_view block;
  Index module = kNone;
  Index role = kNone;
};

/// The number of words of an indexed request as `read_indexed_words` reads them.
inline constexpr std::size_t kIndexedRequestWords = 10;

/// An indexed request from `kIndexedRequestWords` words over `bytes` (the JS
/// fast path writes them into wasm memory): `user`, `action`, `site`, `key`,
/// `resource`, `block_record`, the offset and the size of `block` in `bytes`,
/// `module`, `role`; words absent are 0xFFFFFFFF. Nullopt when `block`'s
/// bytes are not within `bytes`.
[[nodiscard]] std::optional<IndexedRequest> read_indexed_words(const std::uint32_t* words,
                                                               std::string_view bytes) noexcept;

/// The access engine: holds one snapshot and answers questions about it.
class Engine {
 public:
  Engine();
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Loads a snapshot from JSON text. On failure the previous snapshot stays
  /// in force and the errors are returned.
  [[nodiscard]] std::vector<Error> load(std::string_view json_text);
  /// Replaces the snapshot with an already validated one.
  void load(Snapshot snapshot);
  /// True once a snapshot is loaded.
  [[nodiscard]] bool loaded() const noexcept;
  /// The current snapshot (an empty one before the first load).
  [[nodiscard]] const Snapshot& snapshot() const noexcept;

  /// The decision function: total, never throws, default deny.
  [[nodiscard]] Verdict check(const Request& request) const noexcept;
  /// The same decision function on a request of views.
  [[nodiscard]] Verdict check(const RequestView& request) const noexcept;
  /// The same decision function on pre-resolved indices.
  [[nodiscard]] Verdict check(const IndexedRequest& request) const noexcept;
  /// As `check`, but for actions that need a resource, evaluates the
  /// site-level part only (entitlement, roles, site permissions), for
  /// capability maps and `sitesWhere` style questions.
  [[nodiscard]] Verdict check_site_level(const Request& request) const noexcept;
  /// `check` rendered with message and requirements.
  [[nodiscard]] Decision decide(const Request& request) const;
  /// Renders a verdict for `request`.
  [[nodiscard]] Decision explain(const Request& request, const Verdict& verdict) const;
  /// The same for a request of views (no copy of its strings).
  [[nodiscard]] Decision explain(const RequestView& request, const Verdict& verdict) const;
  /// True when `check(request)` allows.
  [[nodiscard]] bool can(const Request& request) const noexcept { return check(request).allowed(); }

  /// Effective role of user `u` for module `m` at site `s` (A1-A7); indices
  /// must be valid.
  [[nodiscard]] Role effective_role(Index user, Index site, Index module) const noexcept;
  /// Whether `user` holds `permission` at `site` (section 3).
  [[nodiscard]] bool has_site_permission(Index user, Index site, SitePermission permission) const noexcept;
  /// Every (site, module) where the user holds a role or has a source, with
  /// provenance; sites in pre-order, modules by index.
  [[nodiscard]] std::vector<EffectiveRole> roles(Index user) const;
  /// Every action with its decision for `user` at `site` (site-level for
  /// actions that need a resource).
  [[nodiscard]] std::vector<Verdict> capabilities(std::string_view user, std::string_view site) const;
  /// The same verdicts written into `out` (the first `min(out.size(),
  /// action_count())` actions), without allocating.
  void capabilities(std::string_view user, std::string_view site, std::span<Verdict> out) const noexcept;

  // ---- Workflow (calm/workflow.hpp) ----

  /// Applies a command: checked by the decision function, then applied whole
  /// or refused with nothing changed. Idempotent by command `id`.
  CommandResult apply(const nlohmann::json& command);
  /// The answer `apply` would give now, without changing anything (no events).
  [[nodiscard]] CommandResult dry_run(const nlohmann::json& command) const;
  /// The current state in the snapshot format; loading it gives the same answers.
  [[nodiscard]] nlohmann::json export_snapshot() const;

 private:
  friend struct CommandContext;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace calm
