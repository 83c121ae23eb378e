#pragma once
/// \file
/// A deliberately naive reference resolver for ACCESS.md, written from the
/// spec alone. It reads the snapshot JSON itself (never `calm::Snapshot` or
/// its derived indices), keeps no index, and walks the site tree on every
/// query. It exists to be compared with the real engine on seeded random
/// snapshots (differential_test.cpp); it is slow on purpose.
///
/// Readings it follows where the spec text leaves room (project decisions):
/// - `user` must be an id (1..128 bytes) at step 1, like `site`; `action` is
///   any string (an empty or unknown one is `unknown-action`).
/// - `block` is exactly `{ record: id, block: id }`; another member inside is
///   `invalid-request` at step 1. Unknown top-level request members are ignored.
/// - T5: a member "holds" a fulfillment of the course in any status, withdrawn
///   included.
/// - `invalid-state` is never produced (commands only).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace calm_ref {

/// Roles as integers, ordered (ACCESS.md section 1).
inline constexpr int kNone = 0;
inline constexpr int kMember = 1;
inline constexpr int kManager = 2;
inline constexpr int kAdmin = 3;

/// The answer of the reference: allowed or not, and the reason code string.
struct Answer {
  bool allowed = false;
  std::string code;
  /// Free text saying which step decided (diagnostics only, never compared).
  std::string why;
};

/// The resource keys one action takes (ACCESS.md section 8).
struct ActionKeys {
  std::vector<std::string> required;
  std::vector<std::string> optional;
};

/// Every action id of ACCESS.md sections 3-8, in table order.
[[nodiscard]] const std::vector<std::string>& action_ids();
/// The resource keys of `action`, or nullopt for an unknown action.
[[nodiscard]] std::optional<ActionKeys> action_keys(const std::string& action);
/// The role number of a role name, or -1.
[[nodiscard]] int role_number(const std::string& name);
/// An id: a string of 1 to 128 UTF-8 bytes (section 11).
[[nodiscard]] bool is_id(const nlohmann::json& value);

/// The naive resolver over one snapshot.
class Reference {
 public:
  /// `snapshot` must be a valid snapshot (SNAPSHOT.md); it is copied.
  explicit Reference(const nlohmann::json& snapshot);

  /// The decision for a request (any JSON value), checked in the order of
  /// ACCESS.md section 11.
  [[nodiscard]] Answer decide(const nlohmann::json& request) const;

  /// role(u, s, m) by A1-A7; 0..3. `user` and `site` must be known.
  [[nodiscard]] int role(const std::string& user, const std::string& site, const std::string& module) const;
  /// Section 3: `update-site`, `manage-users`, `manage-integrations`.
  [[nodiscard]] bool has_permission(const std::string& user, const std::string& site,
                                    const std::string& permission) const;
  [[nodiscard]] bool is_owner(const std::string& user) const;
  /// A7: `site` always; otherwise named in `organisation.entitlements`.
  [[nodiscard]] bool is_entitled(const std::string& module) const;
  /// Section 11 step 5: site, personnel, premises, or named in entitlements,
  /// grants or templates.
  [[nodiscard]] bool is_known_module(const std::string& module) const;
  [[nodiscard]] bool is_user(const std::string& user) const;
  [[nodiscard]] bool is_site(const std::string& site) const;

 private:
  struct SiteRow {
    std::string id;
    std::optional<std::string> parent;
  };
  struct GrantRow {
    std::string user, site, module;
    int role = kNone;
    bool cascade = false;
  };

  [[nodiscard]] std::optional<std::string> parent_of(const std::string& site) const;
  [[nodiscard]] bool is_strict_ancestor(const std::string& ancestor, const std::string& site) const;
  /// The role u holds at s for m by A1 (direct) and A3 (cascade) only.
  [[nodiscard]] int held_by_grants(const std::string& user, const std::string& site, const std::string& module) const;

  nlohmann::json snapshot_;
  // Plain copies of the two arrays the role walk reads on every query (no
  // index: scanned linearly each time).
  std::vector<SiteRow> sites_;
  std::vector<GrantRow> grants_;
};

}  // namespace calm_ref
