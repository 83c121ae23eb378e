// Personnel commands (PERSONNEL.md PW2-PW4), each guarded by the decision
// function (ACCESS.md P1-P18) with the request a UI gate would send.

#include <algorithm>
#include <string>
#include <utility>

#include "detail/names.hpp"
#include "workflow_impl.hpp"

namespace calm::detail {

using nlohmann::json;

namespace {

constexpr bool kReq = JsonReader::kRequired;
constexpr bool kOpt = JsonReader::kOptional;

Resource record_resource(const std::string& record) {
  Resource r;
  r.record = record;
  return r;
}

Resource block_resource(const std::string& record, const std::string& block) {
  Resource r;
  r.record = record;
  r.block = BlockRef{record, block};
  return r;
}

Resource company_resource(const std::string& company) {
  Resource r;
  r.company = company;
  return r;
}

template <typename Item>
Index find_in(const std::vector<Item>& items, std::string_view id) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].id == id) return static_cast<Index>(i);
  }
  return kNone;
}

// Record fields common to create and update: name, email, status, customFields, assets, companies.
void read_record_fields(CommandContext& ctx, const json& body, Record& out) {
  auto& r = ctx.reader;
  if (body.contains("name")) out.name = r.text(body, "name");
  if (body.contains("email")) out.email = r.text(body, "email");
  if (body.contains("status")) out.status = r.text(body, "status");
  if (const json* cf = r.member(body, "customFields", kOpt, json::value_t::object)) out.custom_fields = *cf;
  if (const json* assets = r.member(body, "assets", kOpt, json::value_t::array))
    out.assets = detail::read_assets(r, *assets);
  if (body.contains("companies")) {
    out.companies = r.ref_list(body, "companies", ctx.state.company_ids, "company");
    for (Index c : out.companies) {
      if (ctx.state.companies[c].deleted)
        r.fail_at("companies", "dangling-reference", "a linked company was deleted");
    }
  }
}

void record_create(CommandContext& ctx) {
  auto& r = ctx.reader;
  const Snapshot& s = ctx.state;
  const json* body = r.member(ctx.command, "record", kReq, json::value_t::object);
  if (body == nullptr) return;
  std::optional<std::string> id;
  std::optional<std::string> site;
  Record record;
  {
    auto g = r.push("record");
    id = ctx.new_id(*body, "id", s.record_ids, "record");
    site = r.id(*body, "site", kReq);
    record.user = r.ref(*body, "user", s.user_ids, "user", kOpt);
    if (!body->contains("name")) r.fail_at("name", "missing-field", "expected `name`");
    read_record_fields(ctx, *body, record);
  }
  if (!site || !ctx.guard("personnel.record.create", {}, *site)) return;  // P8
  record.site = s.site_ids.find(*site);
  if (record.user != kNone) {
    for (const Record& other : s.records) {
      if (!other.deleted && other.user == record.user && other.site == record.site) {
        return ctx.refuse("PW3", "the user already has a record at `" + *site + "`");
      }
    }
  }
  ctx.edit([&](Snapshot& w) {
    w.record_ids.add(*id);
    w.records.push_back(std::move(record));
    ctx.emit("personnel.record.created", *id, w.records.back().site);
  });
}

Index live_record(const Snapshot& s, const std::string& id) { return s.record_ids.find(id); }

void record_update(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto id = r.id(ctx.command, "record", kReq);
  const json* changes = r.member(ctx.command, "changes", kReq, json::value_t::object);
  if (!id || changes == nullptr || !ctx.guard("personnel.record.edit", record_resource(*id))) return;  // P8
  const Index i = live_record(ctx.state, *id);
  Record updated = ctx.state.records[i];
  {
    auto g = r.push("changes");
    for (const char* fixed : {"id", "site", "blocks", "files"}) {
      if (changes->contains(fixed))
        r.fail_at(fixed, "wrong-type", "`" + std::string(fixed) + "` cannot be changed here");
    }
    read_record_fields(ctx, *changes, updated);
  }
  ctx.edit([&](Snapshot& s) {
    json fields = json::array();
    for (const auto& [key, value] : changes->items()) fields.push_back(key);
    s.records[i] = std::move(updated);
    ctx.emit("personnel.record.updated", *id, s.records[i].site, {{"fields", fields}});
  });
}

void record_delete(CommandContext& ctx) {
  auto id = ctx.reader.id(ctx.command, "record", kReq);
  if (!id || !ctx.guard("personnel.record.delete", record_resource(*id))) return;  // P8
  ctx.edit([&](Snapshot& s) {
    const Index i = live_record(s, *id);
    Record& record = s.records[i];
    // PW3: the person's open fulfillments at the record's site are withdrawn; results stay.
    json withdrawn = json::array();
    if (record.user != kNone) {
      for (Index f = 0; f < s.fulfillments.size(); ++f) {
        Fulfillment& ful = s.fulfillments[f];
        const bool open =
            ful.status == FulfillmentStatus::not_started || ful.status == FulfillmentStatus::in_progress;
        if (open && ful.user == record.user && s.courses[ful.course].site == record.site) {
          ful.status = FulfillmentStatus::withdrawn;
          withdrawn.push_back(s.fulfillment_ids.at(f));
        }
      }
    }
    record.deleted = true;
    ctx.emit("personnel.record.deleted", *id, record.site, {{"withdrawn", withdrawn}});
  });
}

// Reads a block body (add) or block changes (update) into `block`.
void read_block_fields(CommandContext& ctx, const json& body, Block& block, bool adding) {
  auto& r = ctx.reader;
  if (body.contains("type") || adding) {
    block.type = r.enumeration(body, "type", kBlockType, BlockType::other, kReq);
  }
  if (body.contains("title")) block.title = r.text(body, "title");
  if (adding || body.contains("sensitive") || body.contains("type")) {
    block.sensitive = r.boolean(body, "sensitive", default_sensitive(block.type));
  }
  if (adding || body.contains("revealRequired") || body.contains("type") || body.contains("sensitive")) {
    block.reveal_required =
        r.boolean(body, "revealRequired", default_reveal_required(block.type, block.sensitive));  // PW2
  }
  if (const json* data = r.member(body, "data", kOpt, json::value_t::object)) block.data = *data;
}

void block_add(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto record = r.id(ctx.command, "record", kReq);
  const json* body = r.member(ctx.command, "block", kReq, json::value_t::object);
  if (!record || body == nullptr || !ctx.guard("personnel.block.manage", record_resource(*record)))
    return;  // P10
  const Index i = live_record(ctx.state, *record);
  Block block;
  {
    auto g = r.push("block");
    if (auto id = r.id(*body, "id", kReq)) {
      if (find_in(ctx.state.records[i].blocks, *id) != kNone) {
        r.fail_at("id", "duplicate-id", "block `" + clip(*id) + "` already exists on the record");
      }
      block.id = *id;
    }
    read_block_fields(ctx, *body, block, true);
  }
  ctx.edit([&](Snapshot& s) {
    ctx.emit("personnel.block.added", *record, s.records[i].site, {{"block", block.id}});
    s.records[i].blocks.push_back(std::move(block));
  });
}

void block_update(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto record = r.id(ctx.command, "record", kReq);
  auto block_id = r.id(ctx.command, "block", kReq);
  const json* changes = r.member(ctx.command, "changes", kReq, json::value_t::object);
  if (!record || !block_id || changes == nullptr) return;
  if (!ctx.guard("personnel.block.manage", block_resource(*record, *block_id))) return;  // P10
  const Index i = live_record(ctx.state, *record);
  const Index b = find_in(ctx.state.records[i].blocks, *block_id);
  Block updated = ctx.state.records[i].blocks[b];
  {
    auto g = r.push("changes");
    if (changes->contains("id")) r.fail_at("id", "wrong-type", "a block id cannot change");
    read_block_fields(ctx, *changes, updated, false);
  }
  ctx.edit([&](Snapshot& s) {
    s.records[i].blocks[b] = std::move(updated);
    ctx.emit("personnel.block.updated", *record, s.records[i].site, {{"block", *block_id}});
  });
}

void block_remove(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto record = r.id(ctx.command, "record", kReq);
  auto block_id = r.id(ctx.command, "block", kReq);
  if (!record || !block_id || !ctx.guard("personnel.block.manage", block_resource(*record, *block_id)))
    return;
  ctx.edit([&](Snapshot& s) {
    const Index i = live_record(s, *record);
    auto& blocks = s.records[i].blocks;
    blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(find_in(blocks, *block_id)));
    ctx.emit("personnel.block.removed", *record, s.records[i].site, {{"block", *block_id}});
  });
}

void block_reveal(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto record = r.id(ctx.command, "record", kReq);
  auto block_id = r.id(ctx.command, "block", kReq);
  if (!record || !block_id) return;
  // PW2 (changed): revealing is checked by the permission to view the block:
  // P11 for a sensitive block, P9 for any other.
  if (!ctx.guard("personnel.block.view", block_resource(*record, *block_id))) return;
  ctx.edit([&](Snapshot& s) {
    s.revealed.insert(reveal_key(ctx.actor_id, *record, *block_id));  // PW2: for the engine's session
    ctx.emit("personnel.block.revealed", *record, s.records[live_record(s, *record)].site,
             {{"block", *block_id}});
  });
}

void file_add(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto record = r.id(ctx.command, "record", kReq);
  const json* body = r.member(ctx.command, "file", kReq, json::value_t::object);
  if (!record || body == nullptr || !ctx.guard("personnel.file.manage", record_resource(*record)))
    return;  // P10
  const Index i = live_record(ctx.state, *record);
  RecordFile file;
  {
    auto g = r.push("file");
    if (auto id = r.id(*body, "id", kReq)) {
      if (find_in(ctx.state.records[i].files, *id) != kNone) {
        r.fail_at("id", "duplicate-id", "file `" + clip(*id) + "` already exists on the record");
      }
      file.id = *id;
    }
    if (!body->contains("name")) r.fail_at("name", "missing-field", "expected `name`");
    file.name = r.text(*body, "name");
    file.sensitive = r.boolean(*body, "sensitive", false);
  }
  ctx.edit([&](Snapshot& s) {
    ctx.emit("personnel.file.added", *record, s.records[i].site, {{"file", file.id}});
    s.records[i].files.push_back(std::move(file));
  });
}

void file_remove(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto record = r.id(ctx.command, "record", kReq);
  auto file_id = r.id(ctx.command, "file", kReq);
  if (!record || !file_id || !ctx.guard("personnel.file.manage", record_resource(*record))) return;  // P10
  const Index i = live_record(ctx.state, *record);
  const auto& files = ctx.state.records[i].files;
  const Index f = find_in(files, *file_id);
  if (f == kNone) {
    r.fail_at("file", "dangling-reference", "no file `" + clip(*file_id) + "` on the record");
    return;
  }
  ctx.edit([&](Snapshot& s) {
    auto& kept = s.records[i].files;
    kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(f));
    ctx.emit("personnel.file.removed", *record, s.records[i].site, {{"file", *file_id}});
  });
}

void read_company_fields(CommandContext& ctx, const json& body, Company& out) {
  auto& r = ctx.reader;
  if (body.contains("name")) out.name = r.text(body, "name");
  if (const json* d = r.member(body, "details", kOpt, json::value_t::object)) out.details = *d;
  if (const json* sd = r.member(body, "sensitive", kOpt, json::value_t::object)) out.sensitive = *sd;
}

void company_create(CommandContext& ctx) {
  auto& r = ctx.reader;
  const Snapshot& s = ctx.state;
  const json* body = r.member(ctx.command, "company", kReq, json::value_t::object);
  if (body == nullptr) return;
  std::optional<std::string> id;
  std::optional<std::string> site;
  Company company;
  {
    auto g = r.push("company");
    id = ctx.new_id(*body, "id", s.company_ids, "company");
    site = r.id(*body, "site", kReq);
    if (!body->contains("name")) r.fail_at("name", "missing-field", "expected `name`");
    read_company_fields(ctx, *body, company);
  }
  if (!site || !ctx.guard("personnel.company.manage", {}, *site)) return;  // P12
  ctx.edit([&](Snapshot& w) {
    company.site = w.site_ids.find(*site);
    w.company_ids.add(*id);
    w.companies.push_back(std::move(company));
    ctx.emit("personnel.company.created", *id, w.companies.back().site);
  });
}

void company_update(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto id = r.id(ctx.command, "company", kReq);
  const json* changes = r.member(ctx.command, "changes", kReq, json::value_t::object);
  if (!id || changes == nullptr || !ctx.guard("personnel.company.manage", company_resource(*id)))
    return;  // P12
  const Index c = ctx.state.company_ids.find(*id);
  Company updated = ctx.state.companies[c];
  {
    auto g = r.push("changes");
    read_company_fields(ctx, *changes, updated);
  }
  ctx.edit([&](Snapshot& s) {
    s.companies[c] = std::move(updated);
    ctx.emit("personnel.company.updated", *id, s.companies[c].site);
  });
}

void company_delete(CommandContext& ctx) {
  auto id = ctx.reader.id(ctx.command, "company", kReq);
  if (!id || !ctx.guard("personnel.company.delete", company_resource(*id))) return;  // P13
  ctx.edit([&](Snapshot& s) {
    const Index c = s.company_ids.find(*id);
    for (Record& record : s.records) std::erase(record.companies, c);
    s.companies[c].deleted = true;
    ctx.emit("personnel.company.deleted", *id, s.companies[c].site);
  });
}

void read_contact_fields(CommandContext& ctx, const json& body, Contact& out) {
  for (const char* key : {"name", "email", "phone"}) {
    if (auto it = body.find(key); it != body.end()) {
      ctx.reader.text(body, key);
      out.fields[key] = *it;
    }
  }
}

void contact_add(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto company = r.id(ctx.command, "company", kReq);
  const json* body = r.member(ctx.command, "contact", kReq, json::value_t::object);
  if (!company || body == nullptr || !ctx.guard("personnel.company.manage", company_resource(*company)))
    return;
  const Index c = ctx.state.company_ids.find(*company);
  Contact contact;
  {
    auto g = r.push("contact");
    if (auto id = r.id(*body, "id", kReq)) {
      if (find_in(ctx.state.companies[c].contacts, *id) != kNone) {
        r.fail_at("id", "duplicate-id", "contact `" + clip(*id) + "` already exists");
      }
      contact.id = *id;
    }
    if (!body->contains("name")) r.fail_at("name", "missing-field", "expected `name`");
    read_contact_fields(ctx, *body, contact);
  }
  ctx.edit([&](Snapshot& s) {
    ctx.emit("personnel.contact.added", *company, s.companies[c].site, {{"contact", contact.id}});
    s.companies[c].contacts.push_back(std::move(contact));
  });
}

// The contact named by the command, or kNone with an error.
Index command_contact(CommandContext& ctx, Index company, const std::string& contact) {
  const Index k = find_in(ctx.state.companies[company].contacts, contact);
  if (k == kNone) ctx.reader.fail_at("contact", "dangling-reference", "no contact `" + clip(contact) + "`");
  return k;
}

void contact_update(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto company = r.id(ctx.command, "company", kReq);
  auto contact = r.id(ctx.command, "contact", kReq);
  const json* changes = r.member(ctx.command, "changes", kReq, json::value_t::object);
  if (!company || !contact || changes == nullptr) return;
  if (!ctx.guard("personnel.company.manage", company_resource(*company))) return;  // P12
  const Index c = ctx.state.company_ids.find(*company);
  const Index k = command_contact(ctx, c, *contact);
  if (k == kNone) return;
  Contact updated = ctx.state.companies[c].contacts[k];
  {
    auto g = r.push("changes");
    read_contact_fields(ctx, *changes, updated);
  }
  ctx.edit([&](Snapshot& s) {
    s.companies[c].contacts[k] = std::move(updated);
    ctx.emit("personnel.contact.updated", *company, s.companies[c].site, {{"contact", *contact}});
  });
}

void contact_delete(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto company = r.id(ctx.command, "company", kReq);
  auto contact = r.id(ctx.command, "contact", kReq);
  if (!company || !contact || !ctx.guard("personnel.contact.delete", company_resource(*company)))
    return;  // P13
  const Index c = ctx.state.company_ids.find(*company);
  const Index k = command_contact(ctx, c, *contact);
  if (k == kNone) return;
  ctx.edit([&](Snapshot& s) {
    auto& contacts = s.companies[c].contacts;
    contacts.erase(contacts.begin() + static_cast<std::ptrdiff_t>(k));
    ctx.emit("personnel.contact.deleted", *company, s.companies[c].site, {{"contact", *contact}});
  });
}

void comment_add(CommandContext& ctx) {
  auto& r = ctx.reader;
  const Snapshot& s = ctx.state;
  const json* body = r.member(ctx.command, "comment", kReq, json::value_t::object);
  if (body == nullptr) return;
  std::optional<std::string> id;
  std::optional<std::string> record;
  Index parent = kNone;
  std::string text;
  {
    auto g = r.push("comment");
    id = ctx.new_id(*body, "id", s.comment_ids, "comment");
    record = r.id(*body, "record", kReq);
    parent = r.ref(*body, "parent", s.comment_ids, "comment", kOpt);
    if (!body->contains("body")) r.fail_at("body", "missing-field", "expected `body`");
    text = r.text(*body, "body");
  }
  if (!record || !ctx.guard("personnel.comment.add", record_resource(*record))) return;  // P5
  const Index rec = s.record_ids.find(*record);
  if (parent != kNone) {
    if (s.comments[parent].record != rec) {  // PW3: a reply stays on its thread's record
      r.fail_at("comment", "invalid-reference", "a reply must be on the same record as its thread");
      return;
    }
    Resource thread;
    thread.thread = s.comment_ids.at(s.comments[parent].root);
    if (!ctx.guard("personnel.comment.view", thread)) return;  // P6: one replies only to a thread one sees
  }
  ctx.edit([&](Snapshot& w) {
    Comment comment;
    comment.record = rec;
    comment.author = ctx.actor;
    comment.parent = parent;
    comment.root = parent == kNone ? static_cast<Index>(w.comments.size()) : w.comments[parent].root;
    comment.body = std::move(text);
    comment.created_at = ctx.at;
    w.comment_ids.add(*id);
    w.comments.push_back(std::move(comment));
    ctx.emit("personnel.comment.added", *id, w.records[rec].site,
             {{"record", *record}, {"thread", w.comment_ids.at(w.comments.back().root)}});
  });
}

void settings_update(CommandContext& ctx) {
  auto& r = ctx.reader;
  auto site = r.id(ctx.command, "site", kReq);
  const json* p = r.member(ctx.command, "personnel", kReq, json::value_t::object);
  PersonnelSettings next;
  const Index s_index = site ? ctx.state.site_ids.find(*site) : kNone;
  if (s_index != kNone) next = ctx.state.settings[s_index];
  if (p != nullptr) {
    auto g = r.push("personnel");
    next.restrict_comment_viewing = r.boolean(*p, "restrictCommentViewing", next.restrict_comment_viewing);
    next.auto_create_records = r.boolean(*p, "autoCreateRecords", next.auto_create_records);
    next.inbound_email_comments = r.boolean(*p, "inboundEmailComments", next.inbound_email_comments);
    if (const json* n = r.member(*p, "notifications", kOpt, json::value_t::object)) next.notifications = *n;
  }
  if (!site || !ctx.guard("personnel.settings.edit", {}, *site)) return;  // P15
  ctx.edit([&](Snapshot& s) {
    s.settings[s_index] = std::move(next);
    ctx.emit("personnel.settings.updated", *site, s_index, *p);
  });
}

constexpr CommandEntry kPersonnelCommands[] = {
    {"record.create", record_create},     {"record.update", record_update},
    {"record.delete", record_delete},     {"block.add", block_add},
    {"block.update", block_update},       {"block.remove", block_remove},
    {"block.reveal", block_reveal},       {"file.add", file_add},
    {"file.remove", file_remove},         {"company.create", company_create},
    {"company.update", company_update},   {"company.delete", company_delete},
    {"contact.add", contact_add},         {"contact.update", contact_update},
    {"contact.delete", contact_delete},   {"comment.add", comment_add},
    {"settings.update", settings_update},
};

}  // namespace

std::span<const CommandEntry> personnel_commands() { return kPersonnelCommands; }

}  // namespace calm::detail
