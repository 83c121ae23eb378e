// training commands (being written).

#include "workflow_impl.hpp"

namespace calm::detail {

std::span<const CommandEntry> training_commands() { return {}; }

}  // namespace calm::detail
