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

}  // namespace calm::detail
