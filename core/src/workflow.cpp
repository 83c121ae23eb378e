// Applying commands: the envelope (id, type, actor, at), idempotency by id,
// dispatch to the handlers, and the all-or-nothing answer.

#include "calm/workflow.hpp"

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "detail/dates.hpp"
#include "workflow_impl.hpp"

namespace calm {

using nlohmann::json;

json CommandResult::to_json() const {
  json out{{"ok", ok}};
  if (ok) {
    out["events"] = events;
    if (!result.is_null()) out["result"] = result;
    if (duplicate) out["duplicate"] = true;
    return out;
  }
  if (decision) out["decision"] = decision->to_json();
  if (!path.empty()) out["path"] = path;
  if (!errors.empty()) {
    json list = json::array();
    for (const Error& e : errors)
      list.push_back({{"code", e.code}, {"path", e.path}, {"message", e.message}});
    out["errors"] = std::move(list);
  }
  return out;
}

std::string detail::bounded_id(std::string text, std::string_view prefix) {
  if (text.size() <= 128) return text;
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(h));
  return std::string(prefix) + buffer;
}

bool CommandContext::guard(std::string_view action, Resource resource, std::optional<std::string> site) {
  if (!fine()) return false;
  Request request;
  request.user = actor_id;
  request.action = std::string(action);
  request.site = std::move(site);
  request.resource = std::move(resource);
  const Verdict verdict = engine.check(request);
  if (verdict.allowed()) return true;
  denial = engine.explain(request, verdict);
  return false;
}

void CommandContext::deny(const Request& request, const Verdict& verdict) {
  if (!denial) denial = engine.explain(request, verdict);
}

void CommandContext::refuse(std::string_view rule, std::string message) {
  if (denial) return;
  Decision d;
  d.allowed = false;
  d.code = Code::invalid_state;
  d.rule = std::string(rule);
  d.message = std::move(message);
  denial = std::move(d);
}

void CommandContext::emit(std::string_view event_type, std::string_view subject, Index site, json details,
                          std::string_view actor_override) {
  events.push_back({{"type", std::string(event_type)},
                    {"actor", actor_override.empty() ? actor_id : std::string(actor_override)},
                    {"at", at},
                    {"subject", std::string(subject)},
                    {"site", site == kNone ? json(nullptr) : json(state.site_ids.at(site))},
                    {"details", std::move(details)}});
}

std::optional<std::string> CommandContext::new_id(const json& object, std::string_view key,
                                                  const IdTable& table, std::string_view what) {
  auto id = reader.id(object, key, detail::JsonReader::kRequired);
  if (id && table.find(*id) != kNone) {
    reader.fail_at(key, "duplicate-id", std::string(what) + " `" + detail::clip(*id) + "` already exists");
    return std::nullopt;
  }
  return id;
}

Snapshot& CommandContext::state_of(Engine& engine) noexcept { return engine.impl_->snapshot; }

const json* CommandContext::field(std::string_view key) const {
  auto it = command.find(key);
  return it == command.end() ? nullptr : &*it;
}

namespace {

CommandHandler find_handler(std::string_view type) {
  for (auto registry :
       {detail::training_commands(), detail::personnel_commands(), detail::access_commands()}) {
    for (const CommandEntry& entry : registry) {
      if (entry.type == type) return entry.handler;
    }
  }
  return nullptr;
}

CommandResult errors_only(std::vector<Error> errors) {
  CommandResult out;
  out.errors = std::move(errors);
  return out;
}

// Runs one command against `state`. `writable` is `state` when the command is
// applied, null for a dry run (which then reads `state` only). On success with
// `writable`, the handler's change has been applied; otherwise nothing changed.
CommandResult run_command(const Engine& engine, const Snapshot& state, Snapshot* writable,
                          const json& command) {
  if (!command.is_object()) {
    return errors_only({{"wrong-type", "", "expected a command object, got " + detail::describe(command)}});
  }
  if (const auto at = detail::too_deep_at(command, detail::kMaxCommandDepth)) {
    // Kept in the state and exported with it, a deeper command would make a
    // snapshot that does not load (detail/json_util.hpp).
    return errors_only({{"too-deep", *at,
                         "expected a command nested at most " + std::to_string(detail::kMaxCommandDepth) +
                             " levels (it is kept in the snapshot, which may be nested at most " +
                             std::to_string(detail::kMaxDepth) + ")"}});
  }
  CommandContext ctx(engine, state, writable, command);
  auto& r = ctx.reader;
  auto id = r.id(command, "id", detail::JsonReader::kRequired);
  const json* type = r.member(command, "type", detail::JsonReader::kRequired, json::value_t::string);
  const json* actor = r.member(command, "actor", detail::JsonReader::kRequired, json::value_t::string);
  const json* at = r.member(command, "at", detail::JsonReader::kRequired, json::value_t::string);
  if (at != nullptr && !detail::is_iso_date_or_timestamp(at->get_ref<const std::string&>())) {
    // `at` becomes dates of the state (completedAt, createdAt), which must reload (SNAPSHOT.md).
    r.fail_at("at", "invalid-date", "expected an ISO-8601 timestamp");
  }
  if (r.failed()) return errors_only(r.take_errors());

  // Idempotency: the same command again changes nothing and says so.
  if (auto it = state.applied_index.find(*id); it != state.applied_index.end()) {
    const json& previous = state.applied_commands[it->second].second;
    if (previous.value("command", json()) != command) {
      return errors_only(
          {{"duplicate-command-id", "/id",
            "command id `" + detail::clip(*id) + "` was already used by a different command"}});
    }
    CommandResult out;
    out.ok = true;
    out.duplicate = true;
    out.result = previous.value("result", json());
    return out;
  }

  ctx.type = type->get<std::string>();
  ctx.actor_id = actor->get<std::string>();
  ctx.actor = is_valid_id(ctx.actor_id) ? state.user_ids.find(ctx.actor_id) : kNone;
  ctx.at = at->get<std::string>();
  CommandHandler handler = find_handler(ctx.type);
  if (handler == nullptr) {
    return errors_only(
        {{"unknown-command", "/type", "unknown command type `" + detail::clip(ctx.type) + "`"}});
  }
  handler(ctx);
  CommandResult out;
  if (ctx.reader.failed()) {
    out.errors = ctx.reader.take_errors();
    return out;
  }
  if (ctx.denial) {
    out.decision = std::move(ctx.denial);
    out.path = std::move(ctx.denial_path);
    return out;
  }
  out.ok = true;
  out.result = std::move(ctx.result);
  if (writable != nullptr) {
    out.events = std::move(ctx.events);
    writable->applied_index[*id] = writable->applied_commands.size();
    writable->applied_commands.emplace_back(*id,
                                            json{{"id", *id}, {"command", command}, {"result", out.result}});
  }
  return out;
}

}  // namespace

CommandResult Engine::apply(const json& command) {
  return run_command(*this, impl_->snapshot, &impl_->snapshot, command);
}

CommandResult Engine::dry_run(const json& command) const {
  // No writable state: the handler reads the const state and its change is not applied.
  return run_command(*this, impl_->snapshot, nullptr, command);
}

}  // namespace calm
