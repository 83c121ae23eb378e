#pragma once
// Assessment grading (TRAINING.md W10, W11).

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "calm/snapshot.hpp"

namespace calm::detail {

/// W10: `{ score, passed }` of `answers` (`{ questionId: [optionId] }`), or
/// nullopt when the answer key is absent (W11).
std::optional<std::pair<int, bool>> grade(const Assessment& assessment, const nlohmann::json& answers);
/// W11: grades every pending attempt whose assessment now has its key.
void grade_pending(Snapshot& snapshot);

}  // namespace calm::detail
