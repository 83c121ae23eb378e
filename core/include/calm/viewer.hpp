#pragma once
/// \file
/// Viewer snapshots (SERVER.md section 1, V1-V7): the part of the full state
/// that one person's browser receives. It holds what the viewer may see and
/// what the rules need to decide for them, and nothing more; what to keep is
/// asked of the decision function, item by item, never decided by a second
/// copy of the rules.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "calm/access.hpp"

namespace calm {

/// What the caller (the server) adds to a viewer snapshot (V5). The engine
/// never reads a clock: `issued_at` comes from the caller.
struct ViewerOptions {
  /// The server's revision; absent: the state's own `revision`, if any.
  std::optional<std::int64_t> revision;
  /// When the server made the snapshot; absent: the state's `issuedAt`, if any.
  std::optional<std::string> issued_at;
};

/// The viewer snapshot of `user` (SERVER.md V1-V5) computed from the engine's
/// current (full) state: `{ ok: true, value: snapshot }`, a valid snapshot in
/// the SNAPSHOT.md format, or `{ ok: false, errors }` when `user` is not an id
/// (`invalid-id`) or not a user of the state (`unknown-user`). `ffi::viewer_snapshot`
/// is its JSON text boundary.
[[nodiscard]] nlohmann::json viewer_snapshot(const Engine& engine, std::string_view user,
                                             const ViewerOptions& options = {});

}  // namespace calm
