// access commands (being written).

#include "workflow_impl.hpp"

namespace calm::detail {

std::span<const CommandEntry> access_commands() { return {}; }

}  // namespace calm::detail
