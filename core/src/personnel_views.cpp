// Personnel views (calm/personnel.hpp): records, People, companies, comment
// threads and settings, shaped for the viewer (PW1): what they may not see
// is absent from the answer.

#include <string>

#include "calm/personnel.hpp"
#include "detail/json_util.hpp"
#include "detail/visibility.hpp"

namespace calm {

namespace {

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

std::vector<ThreadView> threads(const Engine& engine, std::string_view user, Index record) {
  const Snapshot& s = engine.snapshot();
  std::vector<ThreadView> out;
  for (Index c = 0; c < s.comments.size(); ++c) {
    const Comment& root = s.comments[c];
    if (root.record != record || root.parent != kNone) continue;
    if (!detail::thread_visible(engine, user, c)) continue;  // P6: absent, not flagged
    ThreadView thread{s.comment_ids.at(c), s.user_ids.at(root.author), root.body, root.created_at, {}};
    for (Index k = 0; k < s.comments.size(); ++k) {
      const Comment& reply = s.comments[k];
      if (k == c || reply.root != c) continue;
      thread.replies.push_back({s.comment_ids.at(k), s.user_ids.at(reply.author),
                                s.comment_ids.at(reply.parent), reply.body, reply.created_at});
    }
    out.push_back(std::move(thread));
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

Answer<RecordView> record_view(const Engine& engine, std::string_view user, std::string_view record) {
  Decision gate = engine.decide(ask_record(user, "personnel.record.view", record));  // P1
  if (!gate.allowed) return gate;
  const Snapshot& s = engine.snapshot();
  const Index r = s.record_ids.find(record);
  const Record& rec = s.records[r];
  RecordView out;
  for (const Block& b : rec.blocks) {
    if (!detail::block_visible(engine, user, record, b.id)) continue;  // P9 / P11
    BlockView view;
    view.id = b.id;
    view.type = b.type;
    view.title = b.title;
    view.sensitive = b.sensitive;
    if (detail::block_masked(s, user, record, b)) {
      view.masked = true;  // P16, PW2: shown once revealed
      // PW2 (changed): revealing is checked by the permission to view the block.
      view.can_reveal = engine.can(ask_block(user, "personnel.block.view", record, b.id));
    } else {
      view.data = b.data;
    }
    out.blocks.push_back(std::move(view));
  }
  const detail::FileGate file_visible(engine, user, record);  // P9 / P11
  for (const RecordFile& f : rec.files) {
    if (file_visible(f)) out.files.push_back({f.id, f.name, f.sensitive});
  }
  out.id = std::string(record);
  out.site = s.site_ids.at(rec.site);
  out.name = rec.name;
  out.status = rec.status;
  out.custom_fields = rec.custom_fields;
  if (rec.user != kNone) out.user = s.user_ids.at(rec.user);
  out.email = rec.email;
  if (engine.can(ask_record(user, "personnel.record.view_assets", record))) out.assets = rec.assets;  // P2
  if (engine.can(ask_record(user, "personnel.company.view", record))) {                               // P4
    std::vector<CompanyRef> companies;
    for (Index c : rec.companies) {
      if (!s.companies[c].deleted) companies.push_back({s.company_ids.at(c), s.companies[c].name});
    }
    out.companies = std::move(companies);
  }
  out.threads = threads(engine, user, r);
  return out;
}

Answer<People> people_view(const Engine& engine, std::string_view user, std::string_view site) {
  Request gate = ask(user, "personnel.record.view");
  gate.site = std::string(site);
  if (Decision d = engine.decide(gate); !d.allowed) return d;  // P1
  const Snapshot& s = engine.snapshot();
  const Index si = s.site_ids.find(site);
  People out;
  out.site = std::string(site);
  for (Index r = 0; r < s.records.size(); ++r) {
    const Record& rec = s.records[r];
    if (rec.deleted || rec.site != si) continue;
    out.people.push_back({s.record_ids.at(r), rec.name, rec.status,
                          rec.user != kNone ? s.user_ids.at(rec.user) : "", rec.email});
  }
  return out;
}

Answer<CompanyView> company_view(const Engine& engine, std::string_view user, std::string_view company) {
  Request gate = ask(user, "personnel.company.view");
  gate.resource.company = std::string(company);
  if (Decision d = engine.decide(gate); !d.allowed) return d;  // P4
  const Snapshot& s = engine.snapshot();
  const Company& c = s.companies[s.company_ids.find(company)];
  CompanyView out;
  out.id = std::string(company);
  out.site = s.site_ids.at(c.site);
  out.name = c.name;
  out.details = c.details;
  for (const Contact& ct : c.contacts) {
    ContactView contact;
    contact.id = ct.id;
    const auto field = [&](const char* key, std::optional<std::string>& slot) {
      if (auto it = ct.fields.find(key); it != ct.fields.end() && it->is_string())
        slot = it->get<std::string>();
    };
    field("name", contact.name);
    field("email", contact.email);
    field("phone", contact.phone);
    out.contacts.push_back(std::move(contact));
  }
  Request sensitive = ask(user, "personnel.sensitive.view");
  sensitive.resource.company = std::string(company);
  if (c.sensitive && engine.can(sensitive)) out.sensitive = *c.sensitive;  // P11
  return out;
}

Answer<Comments> comments_view(const Engine& engine, std::string_view user, std::string_view record) {
  Decision gate = engine.decide(ask_record(user, "personnel.record.view", record));  // P1
  if (!gate.allowed) return gate;
  const Snapshot& s = engine.snapshot();
  return Comments{std::string(record), threads(engine, user, s.record_ids.find(record))};
}

Answer<PersonnelSettingsView> personnel_settings_view(const Engine& engine, std::string_view user,
                                                      std::string_view site) {
  Request gate = ask(user, "personnel.settings.view");
  gate.site = std::string(site);
  if (Decision d = engine.decide(gate); !d.allowed) return d;  // P14, P17 message
  const Snapshot& s = engine.snapshot();
  const PersonnelSettings& p = s.settings[s.site_ids.find(site)];
  Request edit = gate;
  edit.action = "personnel.settings.edit";
  return PersonnelSettingsView{std::string(site),     p.restrict_comment_viewing,
                               p.auto_create_records, p.inbound_email_comments,
                               p.notifications,       engine.decide(edit)};  // P15
}

}  // namespace calm
