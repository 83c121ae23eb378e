// Personnel views (calm/personnel.hpp): records, People, companies, comment
// threads and settings, shaped for the viewer (PW1): what they may not see
// is absent from the answer.

#include <string>

#include "calm/personnel.hpp"
#include "detail/json_util.hpp"
#include "detail/names.hpp"
#include "detail/visibility.hpp"

namespace calm {

using detail::kBlockType;
using detail::name_of;
using nlohmann::json;

namespace {

json ok(json value) { return {{"ok", true}, {"value", std::move(value)}}; }
json denied(const Decision& d) { return {{"ok", false}, {"decision", d.to_json()}}; }

Request ask(std::string_view user, std::string_view action) {
  Request r;
  r.user = std::string(user);
  r.action = std::string(action);
  return r;
}

Request ask_record(std::string_view user, std::string_view action, std::string_view record) {
  Request r = ask(user, action);
  r.resource.record = std::string(record);
  return r;
}

Request ask_block(std::string_view user, std::string_view action, std::string_view record,
                  const std::string& block) {
  Request r = ask_record(user, action, record);
  r.resource.block = BlockRef{std::string(record), block};
  return r;
}

json threads(const Engine& engine, std::string_view user, Index record) {
  const Snapshot& s = engine.snapshot();
  json out = json::array();
  for (Index c = 0; c < s.comments.size(); ++c) {
    const Comment& root = s.comments[c];
    if (root.record != record || root.parent != kNone) continue;
    if (!detail::thread_visible(engine, user, c)) continue;  // P6: absent, not flagged
    json replies = json::array();
    for (Index k = 0; k < s.comments.size(); ++k) {
      const Comment& reply = s.comments[k];
      if (k == c || reply.root != c) continue;
      replies.push_back({{"id", s.comment_ids.at(k)},
                         {"author", s.user_ids.at(reply.author)},
                         {"parent", s.comment_ids.at(reply.parent)},
                         {"body", reply.body},
                         {"createdAt", reply.created_at}});
    }
    out.push_back({{"id", s.comment_ids.at(c)},
                   {"author", s.user_ids.at(root.author)},
                   {"body", root.body},
                   {"createdAt", root.created_at},
                   {"replies", replies}});
  }
  return out;
}

}  // namespace

namespace detail {

bool block_visible(const Engine& engine, std::string_view user, std::string_view record,
                   const std::string& block) {
  return engine.can(ask_block(user, "personnel.block.view", record, block));
}

bool block_masked(const Snapshot& s, std::string_view user, std::string_view record, const Block& block) {
  return block.reveal_required && s.revealed.count(reveal_key(user, record, block.id)) == 0;
}

FileGate::FileGate(const Engine& engine, std::string_view user, std::string_view record)
    : files_(engine.can(ask_record(user, "personnel.file.view", record))),             // P9
      sensitive_(engine.can(ask_record(user, "personnel.sensitive.view", record))) {}  // P11

bool thread_visible(const Engine& engine, std::string_view user, Index root) {
  Request view = ask(user, "personnel.comment.view");
  view.resource.thread = engine.snapshot().comment_ids.at(root);
  return engine.can(view);
}

}  // namespace detail

json record_view(const Engine& engine, std::string_view user, std::string_view record) {
  const Decision gate = engine.decide(ask_record(user, "personnel.record.view", record));  // P1
  if (!gate.allowed) return denied(gate);
  const Snapshot& s = engine.snapshot();
  const Index r = s.record_ids.find(record);
  const Record& rec = s.records[r];
  json blocks = json::array();
  for (const Block& b : rec.blocks) {
    if (!detail::block_visible(engine, user, record, b.id)) continue;  // P9 / P11
    json j{
        {"id", b.id}, {"type", name_of(kBlockType, b.type)}, {"title", b.title}, {"sensitive", b.sensitive}};
    if (detail::block_masked(s, user, record, b)) {
      j["masked"] = true;  // P16, PW2: shown once revealed
      // PW2 (changed): revealing is checked by the permission to view the block.
      j["canReveal"] = engine.can(ask_block(user, "personnel.block.view", record, b.id));
    } else {
      j["data"] = b.data;
    }
    blocks.push_back(std::move(j));
  }
  const detail::FileGate file_visible(engine, user, record);  // P9 / P11
  json files = json::array();
  for (const RecordFile& f : rec.files) {
    if (file_visible(f)) {
      files.push_back({{"id", f.id}, {"name", f.name}, {"sensitive", f.sensitive}});
    }
  }
  json out{{"id", std::string(record)},
           {"site", s.site_ids.at(rec.site)},
           {"name", rec.name},
           {"status", rec.status},
           {"customFields", rec.custom_fields},
           {"blocks", blocks},
           {"files", files}};
  if (rec.user != kNone) out["user"] = s.user_ids.at(rec.user);
  if (!rec.email.empty()) out["email"] = rec.email;
  if (engine.can(ask_record(user, "personnel.record.view_assets", record))) out["assets"] = rec.assets;  // P2
  if (engine.can(ask_record(user, "personnel.company.view", record))) {                                  // P4
    json companies = json::array();
    for (Index c : rec.companies) {
      if (!s.companies[c].deleted)
        companies.push_back({{"id", s.company_ids.at(c)}, {"name", s.companies[c].name}});
    }
    out["companies"] = std::move(companies);
  }
  out["threads"] = threads(engine, user, r);
  return ok(std::move(out));
}

json people_view(const Engine& engine, std::string_view user, std::string_view site) {
  Request gate = ask(user, "personnel.record.view");
  gate.site = std::string(site);
  if (Decision d = engine.decide(gate); !d.allowed) return denied(d);  // P1
  const Snapshot& s = engine.snapshot();
  const Index si = s.site_ids.find(site);
  json people = json::array();
  for (Index r = 0; r < s.records.size(); ++r) {
    const Record& rec = s.records[r];
    if (rec.deleted || rec.site != si) continue;
    json j{{"id", s.record_ids.at(r)}, {"name", rec.name}, {"status", rec.status}};
    if (rec.user != kNone) j["user"] = s.user_ids.at(rec.user);
    if (!rec.email.empty()) j["email"] = rec.email;
    people.push_back(std::move(j));
  }
  return ok({{"site", std::string(site)}, {"people", people}});
}

json company_view(const Engine& engine, std::string_view user, std::string_view company) {
  Request gate = ask(user, "personnel.company.view");
  gate.resource.company = std::string(company);
  if (Decision d = engine.decide(gate); !d.allowed) return denied(d);  // P4
  const Snapshot& s = engine.snapshot();
  const Company& c = s.companies[s.company_ids.find(company)];
  json contacts = json::array();
  for (const Contact& ct : c.contacts) {
    json j = ct.fields;
    j["id"] = ct.id;
    contacts.push_back(std::move(j));
  }
  json out{{"id", std::string(company)},
           {"site", s.site_ids.at(c.site)},
           {"name", c.name},
           {"details", c.details},
           {"contacts", contacts}};
  Request sensitive = ask(user, "personnel.sensitive.view");
  sensitive.resource.company = std::string(company);
  if (c.sensitive && engine.can(sensitive)) out["sensitive"] = *c.sensitive;  // P11
  return ok(std::move(out));
}

json comments_view(const Engine& engine, std::string_view user, std::string_view record) {
  const Decision gate = engine.decide(ask_record(user, "personnel.record.view", record));  // P1
  if (!gate.allowed) return denied(gate);
  const Snapshot& s = engine.snapshot();
  return ok({{"record", std::string(record)}, {"threads", threads(engine, user, s.record_ids.find(record))}});
}

json personnel_settings_view(const Engine& engine, std::string_view user, std::string_view site) {
  Request gate = ask(user, "personnel.settings.view");
  gate.site = std::string(site);
  if (Decision d = engine.decide(gate); !d.allowed) return denied(d);  // P14, P17 message
  const Snapshot& s = engine.snapshot();
  const PersonnelSettings& p = s.settings[s.site_ids.find(site)];
  Request edit = gate;
  edit.action = "personnel.settings.edit";
  return ok({{"site", std::string(site)},
             {"restrictCommentViewing", p.restrict_comment_viewing},
             {"autoCreateRecords", p.auto_create_records},
             {"inboundEmailComments", p.inbound_email_comments},
             {"notifications", p.notifications},
             {"canEdit", engine.decide(edit).to_json()}});  // P15
}

}  // namespace calm
