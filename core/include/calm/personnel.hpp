#pragma once
/// \file
/// Personnel views (PERSONNEL.md PW1, PW2, PW4). Views are shaped for the
/// viewer: what they may not see is absent, not flagged. Every answer comes
/// from the one decision function.
///
/// Each answers its value, the decision that denies the viewer, or the errors
/// of a malformed argument (`Answer`). `calm/ffi.hpp` writes them as JSON; the
/// names in the comments are the JSON keys (`index.d.ts` types them).
/// Free-form data of the snapshot (block data, custom fields, assets, company
/// details) is passed through as the snapshot holds it.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calm/access.hpp"

namespace calm {

/// A block of a record as the viewer may see it (P9/P11, reveal P16/PW2).
struct BlockView {
  std::string id;                     ///< `id`
  BlockType type = BlockType::other;  ///< `type`
  std::string title;                  ///< `title`
  bool sensitive = false;             ///< `sensitive`
  /// `masked`: shown once revealed (P16); then `canReveal` is written and `data` is not.
  bool masked = false;
  bool can_reveal = false;                         ///< `canReveal`, with `masked`
  nlohmann::json data = nlohmann::json::object();  ///< `data`, unless masked
};

/// A file of a record (P9/P11).
struct FileView {
  std::string id;          ///< `id`
  std::string name;        ///< `name`
  bool sensitive = false;  ///< `sensitive`
};

/// A company named on a record (P4).
struct CompanyRef {
  std::string id;    ///< `id`
  std::string name;  ///< `name`
};

/// A reply in a comment thread.
struct ReplyView {
  std::string id;          ///< `id`
  std::string author;      ///< `author`: a user id
  std::string parent;      ///< `parent`: the comment it answers
  std::string body;        ///< `body`
  std::string created_at;  ///< `createdAt`
};

/// A comment thread the viewer may see (P6): its root comment and every reply.
struct ThreadView {
  std::string id;                  ///< `id`
  std::string author;              ///< `author`
  std::string body;                ///< `body`
  std::string created_at;          ///< `createdAt`
  std::vector<ReplyView> replies;  ///< `replies`
};

/// A personnel record as the viewer may see it (P1).
struct RecordView {
  std::string id;                                           ///< `id`
  std::string site;                                         ///< `site`
  std::string name;                                         ///< `name`
  std::string status;                                       ///< `status`
  std::string user;                                         ///< `user`; empty: none
  std::string email;                                        ///< `email`; empty: none
  nlohmann::json custom_fields = nlohmann::json::object();  ///< `customFields`
  std::vector<BlockView> blocks;                            ///< `blocks`
  std::vector<FileView> files;                              ///< `files`
  std::optional<nlohmann::json> assets;                     ///< `assets`: with P2 only
  std::optional<std::vector<CompanyRef>> companies;         ///< `companies`: with P4 only
  std::vector<ThreadView> threads;                          ///< `threads`
};

/// One row of the People list.
struct PersonItem {
  std::string id;      ///< `id`: the record
  std::string name;    ///< `name`
  std::string status;  ///< `status`
  std::string user;    ///< `user`; empty: none
  std::string email;   ///< `email`; empty: none
};

/// The People list of a site (P1).
struct People {
  std::string site;                ///< `site`
  std::vector<PersonItem> people;  ///< `people`
};

/// A contact of a company.
struct ContactView {
  std::string id;                    ///< `id`
  std::optional<std::string> name;   ///< `name`
  std::optional<std::string> email;  ///< `email`
  std::optional<std::string> phone;  ///< `phone`
};

/// A company as the viewer may see it (P4; sensitive data only with P11).
struct CompanyView {
  std::string id;                                     ///< `id`
  std::string site;                                   ///< `site`
  std::string name;                                   ///< `name`
  nlohmann::json details = nlohmann::json::object();  ///< `details`
  std::vector<ContactView> contacts;                  ///< `contacts`
  std::optional<nlohmann::json> sensitive;            ///< `sensitive`: with P11 only
};

/// The comment threads of a record (P6).
struct Comments {
  std::string record;               ///< `record`
  std::vector<ThreadView> threads;  ///< `threads`
};

/// Settings > Personnel of a site (P14), with whether the viewer may edit them (P15).
struct PersonnelSettingsView {
  std::string site;                                         ///< `site`
  bool restrict_comment_viewing = false;                    ///< `restrictCommentViewing`
  bool auto_create_records = false;                         ///< `autoCreateRecords`
  bool inbound_email_comments = false;                      ///< `inboundEmailComments`
  nlohmann::json notifications = nlohmann::json::object();  ///< `notifications`
  Decision can_edit;                                        ///< `canEdit`: the P15 decision
};

/// A personnel record as `user` may see it (P1; blocks P9/P11 with reveal
/// P16, files P9/P11, assets P2, companies P4/P11, training P3, threads P6).
[[nodiscard]] Answer<RecordView> record_view(const Engine& engine, std::string_view user,
                                             std::string_view record);

/// The People list at `site`: the records `user` may view (P1).
[[nodiscard]] Answer<People> people_view(const Engine& engine, std::string_view user, std::string_view site);

/// A company as `user` may see it (P4; sensitive data only with P11).
[[nodiscard]] Answer<CompanyView> company_view(const Engine& engine, std::string_view user,
                                               std::string_view company);

/// The comment threads of a record that `user` may see (P6), with replies.
[[nodiscard]] Answer<Comments> comments_view(const Engine& engine, std::string_view user,
                                             std::string_view record);

/// Settings > Personnel at `site` (P14; denied with exactly the P17 message),
/// with whether the viewer may edit them (P15).
[[nodiscard]] Answer<PersonnelSettingsView> personnel_settings_view(const Engine& engine,
                                                                    std::string_view user,
                                                                    std::string_view site);

}  // namespace calm
