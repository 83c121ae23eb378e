#pragma once
// A proposed access change (ACCESS.md section 10), shared by the commands
// that apply it and by `what_if`, which previews it.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calm/access.hpp"
#include "detail/json_util.hpp"

namespace calm::detail {

struct AccessChange {
  enum class Kind { set, set_all, apply_template, remove, owner_set, owner_unset };
  Kind kind = Kind::set;
  std::string user;
  std::string site;
  std::string module;
  Role role = Role::none;
  bool include_child_sites = false;
  std::string template_id;
  /// The (module, role) pairs the change sets, in order.
  std::vector<std::pair<Index, Role>> roles;
};

/// Reads the fields of an access command of `type`; errors go to `reader`.
std::optional<AccessChange> read_access_change(JsonReader& reader, const Snapshot& snapshot,
                                               const nlohmann::json& command, std::string_view type);
/// The decision function's verdict on `editor` making the change (S1, S2), role
/// by role; nullopt when allowed.
std::optional<Decision> check_access_change(const Engine& engine, std::string_view editor,
                                            const AccessChange& change);
/// A state rule the change breaks (owners), or empty.
std::string access_change_problem(const Snapshot& snapshot, const AccessChange& change);
/// Applies a checked change; returns the event details.
nlohmann::json apply_access_change(Snapshot& snapshot, const AccessChange& change);

/// The changes of an `access.batch` body `{ user, changes: [...] }` (also
/// `whatIf`'s): each change an object with a string `type` and without `id`,
/// `actor`, `at` or `user` (given once, on the batch), returned with the
/// batch's `user` added. Errors go to `reader`, under `/changes/<i>`.
std::vector<nlohmann::json> read_batch_changes(JsonReader& reader, const nlohmann::json& body);

/// A sequence of access changes run one after the other (ACCESS.md section
/// 10): on a copy of the state, each checked against the state the earlier
/// ones left.
struct AccessRun {
  /// Holds the state after the changes that ran.
  Engine engine;
  /// A malformed change: the errors, with paths under the change.
  std::vector<Error> errors;
  /// The first refusal (a denial, or `invalid-state`), and the change it refused.
  std::optional<Decision> denial;
  std::string denial_path;
  /// The events of the changes, in order.
  nlohmann::json events = nlohmann::json::array();
};

/// Runs `changes` (each a change object with its `user`) for `actor` on a copy
/// of `base`'s state. Stops at the first malformed change, and at the first
/// refusal unless `preview`: a preview applies a refused change anyway (when
/// the state allows it), so that it shows the sum of everything proposed.
/// Paths name `/<list_key>/<i>` (`/<i>` when `list_key` is empty).
AccessRun run_access_changes(const Engine& base, std::string_view actor, std::string_view at,
                             const std::vector<nlohmann::json>& changes, std::string_view list_key,
                             bool preview);

}  // namespace calm::detail
