#pragma once
/// \file
/// Workflow commands (TRAINING.md "Commands, not mutations", PERSONNEL.md,
/// ACCESS.md section 10): each command is checked by the decision function
/// with exactly the rule a UI gate uses, then either applied whole, returning
/// events, or refused, changing nothing.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "calm/access.hpp"
#include "calm/result.hpp"

namespace calm {

/// The answer to a command:
/// `{ ok: true, events, result?, duplicate? }` or `{ ok: false, decision?, path?, errors? }`.
struct [[nodiscard]] CommandResult {
  bool ok = false;
  /// Events `{ type, actor, at, subject, site, details }`, in order.
  nlohmann::json events = nlohmann::json::array();
  /// Command-specific result (assignment lists, scores, sync report); null when none.
  nlohmann::json result;
  /// True when the command id was already applied: nothing changed this time.
  bool duplicate = false;
  /// The denial (a section 7 code, or `invalid-state`) when refused.
  std::optional<Decision> decision;
  /// With `decision`: the JSON Pointer of the part of the command refused,
  /// when not the whole command (`/changes/2` of an `access.batch`); else empty.
  std::string path;
  /// Validation errors `{ code, path, message }` when the command is malformed.
  std::vector<Error> errors;

  /// The answer as JSON, in the shape above.
  [[nodiscard]] nlohmann::json to_json() const;
};

}  // namespace calm
