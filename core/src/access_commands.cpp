// User management commands (ACCESS.md section 10, S1-S3; PERSONNEL.md PW5):
// access.set, access.setAll, access.applyTemplate, access.remove, owner.set,
// owner.unset, and access.batch (several of them, all or nothing). Each change
// is checked module by module, and site by site where it cascades, by the
// decision function (`users.access.set`, `users.access.edit`, `users.owner.*`).

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detail/access_change.hpp"
#include "workflow_impl.hpp"

namespace calm::detail {

using nlohmann::json;

namespace {

constexpr bool kReq = JsonReader::kRequired;

}  // namespace

std::optional<AccessChange> read_access_change(JsonReader& r, const Snapshot& s, const json& command,
                                               std::string_view type) {
  AccessChange change;
  if (type == "access.set") {
    change.kind = AccessChange::Kind::set;
  } else if (type == "access.setAll") {
    change.kind = AccessChange::Kind::set_all;
  } else if (type == "access.applyTemplate") {
    change.kind = AccessChange::Kind::apply_template;
  } else if (type == "access.remove") {
    change.kind = AccessChange::Kind::remove;
  } else if (type == "owner.set") {
    change.kind = AccessChange::Kind::owner_set;
  } else if (type == "owner.unset") {
    change.kind = AccessChange::Kind::owner_unset;
  } else {
    r.fail_at("type", "unknown-command", "expected an access change, got `" + clip(type) + "`");
    return std::nullopt;
  }
  const bool owner =
      change.kind == AccessChange::Kind::owner_set || change.kind == AccessChange::Kind::owner_unset;
  if (auto user = r.id(command, "user", kReq)) change.user = *user;
  if (!owner) {
    if (auto site = r.id(command, "site", kReq)) change.site = *site;
  }
  if (change.kind == AccessChange::Kind::set || change.kind == AccessChange::Kind::remove) {
    if (auto module = r.id(command, "module", kReq)) change.module = *module;
  }
  if (change.kind == AccessChange::Kind::set || change.kind == AccessChange::Kind::set_all) {
    change.role = r.role(command, "role", kReq).value_or(Role::none);
  }
  if (change.kind == AccessChange::Kind::set || change.kind == AccessChange::Kind::set_all ||
      change.kind == AccessChange::Kind::apply_template) {
    change.include_child_sites = r.boolean(command, "includeChildSites", false);  // section 10 (changed)
  }
  if (change.kind == AccessChange::Kind::apply_template) {
    const Index t = r.ref(command, "template", s.template_ids, "template", kReq);
    if (t != kNone) change.roles = s.templates[t].roles;
    change.template_id = t == kNone ? "" : s.template_ids.at(t);
  }
  if (r.failed()) return std::nullopt;
  if (change.kind == AccessChange::Kind::set) {
    const Index m = s.module_ids.find(change.module);
    change.roles = {{m, change.role}};  // kNone for an unknown module: the guard names it
  }
  if (change.kind == AccessChange::Kind::set_all) {
    for (Index m = 0; m < s.module_ids.size(); ++m) {
      if (s.entitled[m]) change.roles.emplace_back(m, change.role);
    }
  }
  return change;
}

std::optional<Decision> check_access_change(const Engine& engine, std::string_view editor,
                                            const AccessChange& change) {
  const Snapshot& s = engine.snapshot();
  Request request;
  request.user = std::string(editor);
  request.resource.target = change.user;
  auto denied = [&](const Request& req) -> std::optional<Decision> {
    const Verdict v = engine.check(req);
    if (v.allowed()) return std::nullopt;
    return engine.explain(req, v);
  };
  // S1, S2 for `role` of `module` at the change's site and, when the change
  // cascades, at every site below it: a cascading grant gives the role at every
  // descendant too (A3), so it stands for a grant at each of them.
  auto check_role = [&](const std::string& module, Role role) -> std::optional<Decision> {
    request.action = "users.access.set";
    request.site = change.site;
    request.resource.module = module;
    request.resource.role = std::string(role_name(role));
    if (auto d = denied(request)) return d;
    const Index root = s.site_ids.find(change.site);
    if (!change.include_child_sites || root == kNone || role == Role::none) return std::nullopt;
    for (Index site : s.site_preorder) {
      if (site == root || !s.is_ancestor_or_self(root, site)) continue;
      request.site = s.site_ids.at(site);
      if (auto d = denied(request)) return d;
    }
    return std::nullopt;
  };
  switch (change.kind) {
    case AccessChange::Kind::owner_set:
    case AccessChange::Kind::owner_unset:
      request.action = change.kind == AccessChange::Kind::owner_set ? "users.owner.set" : "users.owner.unset";
      return denied(request);  // S2
    case AccessChange::Kind::remove:
      request.action = "users.access.edit";  // S1
      request.site = change.site;
      if (auto d = denied(request)) return d;
      if (s.module_ids.find(change.module) == kNone) {  // the module must still be a known one
        request.action = "users.access.set";
        request.resource.module = change.module;
        request.resource.role = "none";
        return denied(request);
      }
      return std::nullopt;
    case AccessChange::Kind::set:
      return check_role(change.module, change.role);
    case AccessChange::Kind::set_all:
    case AccessChange::Kind::apply_template:
      if (change.roles.empty()) {  // nothing to set: still needs S1
        request.action = "users.access.edit";
        request.site = change.site;
        return denied(request);
      }
      for (const auto& [module, role] : change.roles) {  // S2: role by role
        if (auto d = check_role(s.module_ids.at(module), role)) return d;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::string access_change_problem(const Snapshot& s, const AccessChange& change) {
  const Index user = s.user_ids.find(change.user);
  if (change.kind == AccessChange::Kind::owner_set && s.owner[user])
    return "`" + change.user + "` is already an owner";
  if (change.kind == AccessChange::Kind::owner_unset) {
    if (!s.owner[user]) return "`" + change.user + "` is not an owner";
    if (s.owners.size() == 1) return "the organisation must keep at least one owner";
  }
  return {};
}

// The tables an access change writes that have derived indexes.
constexpr Snapshot::Changed kAccessTables{.owners = true, .grants = true};

// Writes an access change into `s`'s stored tables (owners, grants); the
// caller rebuilds their indexes (`kAccessTables`).
json apply_access_change(Snapshot& s, const AccessChange& change) {
  const Index user = s.user_ids.find(change.user);
  json details{{"user", change.user}};
  if (change.kind == AccessChange::Kind::owner_set || change.kind == AccessChange::Kind::owner_unset) {
    if (change.kind == AccessChange::Kind::owner_set) {
      s.owners.push_back(user);
    } else {
      std::erase(s.owners, user);
    }
    details["owner"] = change.kind == AccessChange::Kind::owner_set;
    return details;
  }
  const Index site = s.site_ids.find(change.site);
  details["site"] = change.site;
  auto erase = [&](Index module) {
    std::erase_if(s.grants,
                  [&](const Grant& g) { return g.user == user && g.site == site && g.module == module; });
  };
  json roles = json::object();
  if (change.kind == AccessChange::Kind::remove) {
    const Index module = s.module_ids.find(change.module);
    erase(module);
    roles[change.module] = "none";
  } else {
    for (const auto& [module, role] : change.roles) {
      erase(module);
      if (role != Role::none) s.grants.push_back({user, site, module, role, change.include_child_sites});
      roles[s.module_ids.at(module)] = std::string(role_name(role));
    }
    if (change.include_child_sites) details["includeChildSites"] = true;
  }
  details["roles"] = roles;
  if (change.kind == AccessChange::Kind::apply_template) details["template"] = change.template_id;
  return details;
}

namespace {

void access_command(CommandContext& ctx) {
  const Snapshot& s = ctx.state;
  auto change = read_access_change(ctx.reader, s, ctx.command, ctx.type);
  if (!change) return;
  if (auto denial = check_access_change(ctx.engine, ctx.actor_id, *change)) {
    ctx.denial = std::move(denial);
    return;
  }
  if (std::string problem = access_change_problem(s, *change); !problem.empty())
    return ctx.refuse("S2", problem);
  const Index site = change->site.empty() ? kNone : s.site_ids.find(change->site);
  ctx.edit(kAccessTables, [&](Snapshot& w) {
    ctx.emit("site.access.changed", change->user, site, apply_access_change(w, *change));
  });
  // Then the records the new roles call for, read with the rebuilt grant index:
  ctx.edit([&](Snapshot& w) {
    // PW5: where the command grants a personnel role (at its site, and at the
    // child sites it cascades to) and autoCreateRecords is on, a user without a
    // record there gets one.
    const bool grants_personnel = std::any_of(
        change->roles.begin(), change->roles.end(),
        [](const auto& entry) { return entry.first == kModulePersonnel && entry.second >= Role::member; });
    if (!grants_personnel || site == kNone) return;  // only a command that grants a personnel role
    const Index user = w.user_ids.find(change->user);
    for (Index at : w.site_preorder) {
      const bool reached = at == site || (change->include_child_sites && w.is_ancestor_or_self(site, at));
      if (!reached || !w.settings[at].auto_create_records) continue;
      if (ctx.engine.effective_role(user, at, kModulePersonnel) < Role::member) continue;
      const bool has_record = std::any_of(w.records.begin(), w.records.end(), [&](const Record& record) {
        return !record.deleted && record.user == user && record.site == at;
      });
      if (has_record) continue;
      const std::string base = bounded_id("rec:" + w.site_ids.at(at) + ":" + change->user, "rec:");
      std::string id = base;
      for (int n = 2; w.record_ids.find(id) != kNone; ++n)
        id = bounded_id(base + ":" + std::to_string(n), "rec:");
      Record record;
      record.site = at;
      record.user = user;
      record.name = w.users[user].name;
      record.email = w.users[user].email;
      w.record_ids.add(id);
      w.records.push_back(std::move(record));
      ctx.emit("personnel.record.created", id, at, {{"user", change->user}, {"auto", true}}, "system");
    }
  });
}

}  // namespace

std::vector<json> read_batch_changes(JsonReader& r, const json& body) {
  std::vector<json> out;
  auto user = r.id(body, "user", kReq);
  const json* changes = r.member(body, "changes", kReq, json::value_t::array);
  if (changes == nullptr) return out;
  if (changes->empty()) r.fail_at("changes", "missing-field", "expected at least one change");
  auto g = r.push("changes");
  for (std::size_t i = 0; i < changes->size(); ++i) {
    auto gi = r.push(i);
    const json& change = (*changes)[i];
    if (!change.is_object()) {
      r.fail("wrong-type", "expected an access change `{ type, ... }`, got " + describe(change));
      continue;
    }
    r.member(change, "type", kReq, json::value_t::string);
    for (const char* key : {"id", "actor", "at"}) {
      if (change.contains(key))
        r.fail_at(key, "unexpected-field", "a change of a batch has no `" + std::string(key) + "`");
    }
    if (change.contains("user"))
      r.fail_at("user", "unexpected-field", "the user is given once, on the batch, not on its changes");
    json with_user = change;
    if (user) with_user["user"] = *user;
    out.push_back(std::move(with_user));
  }
  return out;
}

AccessRun run_access_changes(const Engine& base, std::string_view actor, std::string_view at,
                             const std::vector<json>& changes, std::string_view list_key, bool preview) {
  AccessRun run;
  run.engine.load(Snapshot(base.snapshot()));  // a copy: `base` never changes
  Snapshot& work = CommandContext::state_of(run.engine);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const json& change = changes[i];
    CommandContext step(run.engine, work, &work, change);
    step.type = change.is_object() && change.contains("type") && change["type"].is_string()
                    ? change["type"].get<std::string>()
                    : std::string();
    step.actor_id = std::string(actor);
    step.actor = is_valid_id(actor) ? work.user_ids.find(actor) : kNone;
    step.at = std::string(at);
    auto run_step = [&] {
      auto gi = step.reader.push(i);
      if (!change.is_object()) {
        step.reader.fail("wrong-type", "expected an access change `{ type, ... }`, got " + describe(change));
      } else {
        access_command(step);
      }
    };
    if (list_key.empty()) {
      run_step();
    } else {
      auto in_list = step.reader.push(list_key);
      run_step();
    }
    if (step.reader.failed()) {
      run.errors = step.reader.take_errors();
      return run;
    }
    if (step.denial) {
      // A change naming something unknown is about the change, not the editor:
      // it is the answer even after an earlier refusal.
      const Code code = step.denial->code;
      const bool names_unknown = code == Code::invalid_request || code == Code::unknown_action ||
                                 code == Code::unknown_user || code == Code::unknown_site ||
                                 code == Code::unknown_resource || code == Code::unknown_module;
      if (!run.denial || names_unknown) {
        run.denial = std::move(step.denial);
        run.denial_path = (list_key.empty() ? "" : "/" + std::string(list_key)) + "/" + std::to_string(i);
      }
      if (!preview || names_unknown) return run;
      // A preview shows the sum of what is proposed: the refused change too,
      // unchecked, when the state allows it (owners).
      JsonReader quiet;  // the change was read once already
      auto parsed = read_access_change(quiet, work, change, step.type);
      if (parsed && access_change_problem(work, *parsed).empty()) {
        apply_access_change(work, *parsed);
        work.rebuild(kAccessTables);
      }
      continue;
    }
    for (json& e : step.events) run.events.push_back(std::move(e));
  }
  return run;
}

namespace {

// access.batch (section 10, changed): every change or none, with the first refusal.
void access_batch(CommandContext& ctx) {
  const std::vector<json> changes = read_batch_changes(ctx.reader, ctx.command);
  if (ctx.reader.failed()) return;
  AccessRun run = run_access_changes(ctx.engine, ctx.actor_id, ctx.at, changes, "changes", false);
  if (!run.errors.empty()) return ctx.reader.adopt(std::move(run.errors));
  if (run.denial) {
    ctx.denial = std::move(run.denial);
    ctx.denial_path = std::move(run.denial_path);
    return;
  }
  ctx.result = {{"changes", changes.size()}};
  ctx.edit([&](Snapshot& s) {
    Snapshot& after = CommandContext::state_of(run.engine);
    after.revealed = std::move(s.revealed);  // reveals last for the session (PW2)
    s = std::move(after);
    ctx.events = std::move(run.events);
  });
}

constexpr CommandEntry kAccessCommands[] = {
    {"access.batch", access_batch},    {"access.set", access_command},
    {"access.setAll", access_command}, {"access.applyTemplate", access_command},
    {"access.remove", access_command}, {"owner.set", access_command},
    {"owner.unset", access_command},
};

}  // namespace

std::span<const CommandEntry> access_commands() { return kAccessCommands; }

}  // namespace calm::detail
