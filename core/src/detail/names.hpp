#pragma once
// The JSON names of the snapshot's enumerations (SNAPSHOT.md, TRAINING.md,
// PERSONNEL.md), in enum order: read by the loader and the commands, written
// by the export and the views. One table each.

#include <array>
#include <cstddef>
#include <string_view>

namespace calm::detail {

inline constexpr std::array<std::string_view, 3> kCourseStatus = {"draft", "published", "archived"};
inline constexpr std::array<std::string_view, 2> kCourseSource = {"calm", "ihasco"};
inline constexpr std::array<std::string_view, 4> kStepType = {"content", "video", "document", "assessment"};
inline constexpr std::array<std::string_view, 2> kQuestionKind = {"single", "multiple"};
inline constexpr std::array<std::string_view, 4> kFulfillmentStatus = {"not_started", "in_progress",
                                                                       "completed", "withdrawn"};
inline constexpr std::array<std::string_view, 3> kResultSource = {"course", "manual", "ihasco"};
inline constexpr std::array<std::string_view, 8> kBlockType = {
    "employment",    "emergency-contact", "qualification", "dbs",
    "right-to-work", "financial",         "identity",      "other"};
inline constexpr std::array<std::string_view, 2> kAttemptStatus = {"graded", "pending"};

/// The name of `value` in `names` (its table above).
template <std::size_t N, typename E>
constexpr std::string_view name_of(const std::array<std::string_view, N>& names, E value) {
  return names[static_cast<std::size_t>(value)];
}

}  // namespace calm::detail
