#pragma once
// The command machinery shared by the training, personnel and access command
// translation units: the context a handler works in and the registries.
//
// A handler receives the state only as `const Snapshot&` (`CommandContext::state`):
// it validates its fields and runs every check (the decision function through
// `guard`, then state rules through `refuse`) against that const state, and
// its one write is the change it hands to `edit`, which runs only when every
// check passed and the command is applied (not for `dryRun`), and then
// rebuilds the derived indexes of the tables the change names, once (no
// handler patches an index by hand). So a refused
// command changes nothing, and `dryRun` runs the same handler on the const
// state with no cast: the constness is structural, not a convention.

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "calm/workflow.hpp"
#include "detail/json_util.hpp"
#include "engine_impl.hpp"

namespace calm {

struct CommandContext {
  /// `writable` is the same state as `state_in` when the command is applied,
  /// null for a dry run.
  CommandContext(const Engine& engine_in, const Snapshot& state_in, Snapshot* writable,
                 const nlohmann::json& command_in)
      : engine(engine_in), state(state_in), command(command_in), writable_(writable) {}

  const Engine& engine;
  /// The engine's state, read only for the handler (see `edit`).
  const Snapshot& state;
  const nlohmann::json& command;
  detail::JsonReader reader;

  std::string type;
  std::string actor_id;
  Index actor = kNone;
  std::string at;

  nlohmann::json events = nlohmann::json::array();
  nlohmann::json result;
  std::optional<Decision> denial;
  /// Where in the command the denial comes from, when not the command as a
  /// whole (`/changes/2` for the third change of an `access.batch`).
  std::string denial_path;

  /// Checks `action` for the actor with the decision function; records the
  /// denial and returns false when denied.
  bool guard(std::string_view action, Resource resource, std::optional<std::string> site = std::nullopt);
  /// Denies with an explicit verdict (e.g. an unknown id outside the resource keys).
  void deny(const Request& request, const Verdict& verdict);
  /// Refuses because of the resource's state (`invalid-state`).
  void refuse(std::string_view rule, std::string message);
  /// True when no error or denial was recorded.
  [[nodiscard]] bool fine() const noexcept { return !reader.failed() && !denial; }
  /// Applies the handler's change: runs `change` on the writable state when
  /// no error or denial was recorded and the command is applied (not a dry
  /// run), then rebuilds the derived indexes of the tables it names in
  /// `changed`, once; otherwise does nothing. The only way a handler writes
  /// the state, so handlers call it last, after every check. A change never
  /// patches a derived index itself.
  template <class Change>
  void edit(Snapshot::Changed changed, Change&& change) {
    if (!fine() || writable_ == nullptr) return;
    std::forward<Change>(change)(*writable_);
    writable_->rebuild(changed);
  }
  /// `edit` for a change to tables without derived indexes.
  template <class Change>
  void edit(Change&& change) {
    edit(Snapshot::Changed{}, std::forward<Change>(change));
  }
  /// Adds an event.
  void emit(std::string_view type, std::string_view subject, Index site,
            nlohmann::json details = nlohmann::json::object(), std::string_view actor_override = {});
  /// A new id at `object[key]` for `table`: well-formed and not taken
  /// (tombstones included); an error otherwise.
  std::optional<std::string> new_id(const nlohmann::json& object, std::string_view key, const IdTable& table,
                                    std::string_view what);
  /// The command's member `key` when present.
  [[nodiscard]] const nlohmann::json* field(std::string_view key) const;
  /// The state held by `engine`, writable: for a scratch engine on which a
  /// sequence of changes runs (access.batch, whatIf), never the engine of `this`.
  static Snapshot& state_of(Engine& engine) noexcept;

 private:
  Snapshot* writable_;
};

using CommandHandler = void (*)(CommandContext&);

struct CommandEntry {
  std::string_view type;
  CommandHandler handler;
};

namespace detail {
/// An id made by a command from `text`: `text` itself when it fits the
/// 128-byte id limit, else `prefix` and a 64-bit FNV-1a hash of it in hex.
std::string bounded_id(std::string text, std::string_view prefix);

std::span<const CommandEntry> training_commands();
std::span<const CommandEntry> personnel_commands();
std::span<const CommandEntry> access_commands();
}  // namespace detail

}  // namespace calm
