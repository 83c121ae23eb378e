#pragma once
/// \file
/// The snapshot (SNAPSHOT.md, version 1): the whole world the engine decides
/// on, validated on load. Ids are interned into dense indices; the model is
/// immutable once loaded, except through workflow commands.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "calm/result.hpp"

namespace calm {

/// Dense index into one of the snapshot's collections.
using Index = std::uint32_t;
/// The absent index.
inline constexpr Index kNone = 0xFFFFFFFFu;

/// Module roles, ordered (ACCESS.md section 1).
enum class Role : std::uint8_t { none = 0, member = 1, manager = 2, admin = 3 };

/// `none`, `member`, `manager`, `admin`.
[[nodiscard]] std::string_view role_name(Role role) noexcept;
/// Parses a role name; `std::nullopt` for anything else.
[[nodiscard]] std::optional<Role> parse_role(std::string_view text) noexcept;

/// An id is a string of 1 to 128 UTF-8 bytes (ACCESS.md section 11).
[[nodiscard]] bool is_valid_id(std::string_view text) noexcept;
/// True when `text` is well-formed UTF-8 (no lone surrogate, no overlong form).
[[nodiscard]] bool is_well_formed_utf8(std::string_view text) noexcept;

/// String id <-> dense index table for one collection.
class IdTable {
 public:
  /// Adds `id`; returns false when it is already present.
  bool add(std::string_view id);
  /// Makes room for `count` ids in all (no regrowth while they are added).
  void reserve(std::size_t count);
  /// Index of `id`, or `kNone`.
  [[nodiscard]] Index find(std::string_view id) const noexcept;
  /// The id at `index`.
  [[nodiscard]] const std::string& at(Index index) const { return ids_[index]; }
  /// Number of ids.
  [[nodiscard]] std::size_t size() const noexcept { return ids_.size(); }
  /// All ids in insertion order.
  [[nodiscard]] const std::vector<std::string>& ids() const noexcept { return ids_; }

 private:
  [[nodiscard]] static std::uint32_t hash(std::string_view id) noexcept;
  std::vector<std::string> ids_;
  /// Open addressing over `ids_`: a power of two of indices into `ids_`,
  /// `kNone` where empty, at most half full (each id is stored once).
  std::vector<Index> slots_;
};

/// The three well-known modules always have these indices.
inline constexpr Index kModuleSite = 0;
inline constexpr Index kModulePersonnel = 1;
inline constexpr Index kModulePremises = 2;

/// A site of the forest.
struct Site {
  std::string name;
  Index parent = kNone;
  /// Children in snapshot order.
  std::vector<Index> children;
  /// Pre-order interval: `a` is an ancestor-or-self of `b` iff
  /// `a.enter <= b.enter && b.enter < a.exit`.
  std::uint32_t enter = 0;
  std::uint32_t exit = 0;
  std::uint32_t depth = 0;
};

/// A person who can sign in.
struct User {
  std::string name;
  std::string email;
};

/// A direct grant (user, site, module, role, includeChildSites).
struct Grant {
  Index user = kNone;
  Index site = kNone;
  Index module = kNone;
  Role role = Role::none;
  bool include_child_sites = false;
};

/// A named group of users at a site (T14 expands it on assignment).
struct Group {
  std::string name;
  Index site = kNone;
  std::vector<Index> members;
};

/// A permission template: module -> role (S3).
struct Template {
  std::string name;
  std::vector<std::pair<Index, Role>> roles;
};

/// Personnel settings of one site (ACCESS.md section 5, defaults false).
struct PersonnelSettings {
  bool restrict_comment_viewing = false;
  bool auto_create_records = false;
  bool inbound_email_comments = false;
  nlohmann::json notifications = nlohmann::json::object();
};

/// The iHasco integration at one site.
struct IhascoIntegration {
  bool connected = false;
  nlohmann::json mapping = nlohmann::json::object();
};

/// Course source.
enum class CourseSource : std::uint8_t { calm, ihasco };
/// Course status (W1).
enum class CourseStatus : std::uint8_t { draft, published, archived };
/// Step type.
enum class StepType : std::uint8_t { content, video, document, assessment };
/// Question kind.
enum class QuestionKind : std::uint8_t { single, multiple };
/// Stored fulfillment status (`overdue` is derived, never stored).
enum class FulfillmentStatus : std::uint8_t { not_started, in_progress, completed, withdrawn };
/// Result source.
enum class ResultSource : std::uint8_t { course, manual, ihasco };

/// An assessment question (W9).
struct Question {
  std::string id;
  std::string text;
  QuestionKind kind = QuestionKind::single;
  std::vector<std::pair<std::string, std::string>> options;  // id, text
  std::optional<std::vector<std::string>> correct;           // absent: key not shipped (W11)
};

/// An assessment (W9).
struct Assessment {
  int pass_mark = 100;
  int max_attempts = 0;
  std::vector<Question> questions;
};

/// A course step.
struct Step {
  std::string id;
  StepType type = StepType::content;
  std::string title;
  nlohmann::json extra = nlohmann::json::object();  // body, url, file
  std::optional<Assessment> assessment;
};

/// A training course.
struct Course {
  Index site = kNone;
  std::string title;
  std::string description;
  CourseSource source = CourseSource::calm;
  std::string external_id;
  CourseStatus status = CourseStatus::draft;
  std::vector<Step> steps;
  std::optional<int> validity_months;
  std::string created_by;
  std::string updated_at;
  /// Deleted (W5): kept as history for completed fulfillments and results;
  /// unknown to every check.
  bool deleted = false;
  /// Unknown fields kept for the round trip are not stored; display fields are.
};

/// An assignment of a course to people and groups.
struct Assignment {
  Index course = kNone;
  std::vector<Index> people;
  std::vector<Index> groups;
  std::string due_date;
  /// Revoked by a manager (its open fulfillments were withdrawn).
  bool revoked = false;
  std::string assigned_by;
  std::string assigned_at;
};

/// Open: not started or in progress (neither completed nor withdrawn).
[[nodiscard]] constexpr bool is_open(FulfillmentStatus status) noexcept {
  return status == FulfillmentStatus::not_started || status == FulfillmentStatus::in_progress;
}

/// One person's obligation to complete one course.
struct Fulfillment {
  Index course = kNone;
  Index user = kNone;
  Index assignment = kNone;
  FulfillmentStatus status = FulfillmentStatus::not_started;
  std::string due_date;
  std::string completed_at;
  /// Ids of the steps done (`completedSteps`).
  std::vector<std::string> completed_steps;
};

/// One assessment attempt.
struct Attempt {
  Index fulfillment = kNone;
  std::string step;
  nlohmann::json answers = nlohmann::json::object();
  std::optional<int> score;
  std::optional<bool> passed;
  bool pending = false;
  std::string at;
};

/// A training result (certificate).
struct TrainingResult {
  Index user = kNone;
  Index course = kNone;
  std::string title;
  std::string completed_on;
  std::optional<int> score;
  std::string expires_on;
  ResultSource source = ResultSource::manual;
  Index recorded_by = kNone;
  std::string external_id;
  nlohmann::json extra = nlohmann::json::object();  // file, note
};

/// Block type (PERSONNEL.md).
enum class BlockType : std::uint8_t {
  employment,
  emergency_contact,
  qualification,
  dbs,
  right_to_work,
  financial,
  identity,
  other
};

/// A block on a personnel record.
struct Block {
  std::string id;
  BlockType type = BlockType::other;
  std::string title;
  /// Effective sensitivity (the flag, or the type's default).
  bool sensitive = false;
  /// Effective reveal requirement (the flag, or the type's default).
  bool reveal_required = false;
  nlohmann::json data = nlohmann::json::object();
};

/// PERSONNEL.md Decision: types `employment`, `dbs`, `right-to-work`,
/// `financial` and `identity` are sensitive when a block has no flag.
[[nodiscard]] constexpr bool default_sensitive(BlockType type) noexcept {
  return type == BlockType::employment || type == BlockType::dbs || type == BlockType::right_to_work ||
         type == BlockType::financial || type == BlockType::identity;
}

/// PW2 (changed): when a block has no `revealRequired` flag, it needs a
/// reveal when it is sensitive (by flag or by type) or an emergency contact.
[[nodiscard]] constexpr bool default_reveal_required(BlockType type, bool sensitive) noexcept {
  return sensitive || type == BlockType::emergency_contact;
}

/// A file on a personnel record.
struct RecordFile {
  std::string id;
  std::string name;
  bool sensitive = false;
};

/// A personnel record.
struct Record {
  Index site = kNone;
  Index user = kNone;
  std::string name;
  std::string email;
  std::string status;
  std::vector<Block> blocks;
  std::vector<RecordFile> files;
  std::vector<Index> companies;
  nlohmann::json assets = nlohmann::json::array();
  nlohmann::json custom_fields = nlohmann::json::object();
  /// Deleted (PW3): kept so that its comments still resolve; unknown to every check.
  bool deleted = false;
};

/// A company contact.
struct Contact {
  std::string id;
  nlohmann::json fields = nlohmann::json::object();  // name, email, phone
};

/// A company.
struct Company {
  Index site = kNone;
  std::string name;
  nlohmann::json details = nlohmann::json::object();
  std::optional<nlohmann::json> sensitive;
  std::vector<Contact> contacts;
  /// Deleted (P13): unknown to every check.
  bool deleted = false;
};

/// A comment; a thread is a root comment and every reply below it.
struct Comment {
  Index record = kNone;
  Index author = kNone;
  Index parent = kNone;
  /// The root comment of this comment's thread (itself for a root).
  Index root = kNone;
  std::string body;
  std::string created_at;
};

/// The loaded, validated world.
struct Snapshot {
  std::string organisation_id;
  std::string organisation_name;
  std::string issued_at;
  std::string valid_until;
  /// The server's revision (SERVER.md V5): the sequence number of the last
  /// command it applied; absent when the snapshot does not say. Loaded, kept
  /// and exported as given (commands do not change it).
  std::optional<std::int64_t> revision;

  IdTable site_ids, user_ids, module_ids, group_ids, template_ids;
  IdTable course_ids, assignment_ids, fulfillment_ids, attempt_ids, result_ids;
  IdTable record_ids, company_ids, comment_ids;

  std::vector<Site> sites;
  /// Sites in pre-order (parents before children).
  std::vector<Index> site_preorder;
  std::vector<User> users;
  std::vector<Grant> grants;
  std::vector<Group> groups;
  std::vector<Template> templates;
  /// Indexed by module; `site` is always entitled.
  std::vector<bool> entitled;
  /// Indexed by user.
  std::vector<bool> owner;
  std::vector<Index> owners;
  /// Indexed by site.
  std::vector<PersonnelSettings> settings;
  std::vector<IhascoIntegration> integrations;

  std::vector<Course> courses;
  std::vector<Assignment> assignments;
  std::vector<Fulfillment> fulfillments;
  std::vector<Attempt> attempts;
  std::vector<TrainingResult> results;

  std::vector<Record> records;
  std::vector<Company> companies;
  std::vector<Comment> comments;

  /// Derived: per user, indices into `grants` sorted by module.
  std::vector<std::vector<Index>> grants_by_user;
  /// Derived: per user, the courses they hold a fulfillment of (sorted).
  std::vector<std::vector<Index>> courses_by_user;

  /// Blocks revealed in this engine session (PW2), as `reveal_key`s. Never
  /// exported; a viewer snapshot (calm/viewer.hpp) lists its viewer's as
  /// `revealed`, which loading adds here.
  std::set<std::string> revealed;
  /// Ids of the commands applied to this state, with their answers (idempotency).
  std::vector<std::pair<std::string, nlohmann::json>> applied_commands;
  /// Derived: command id -> index into `applied_commands`.
  std::unordered_map<std::string, std::size_t> applied_index;

  /// Recomputes every derived index: owner flags, site tree, grants by user,
  /// courses by user, thread roots, applied commands.
  void rebuild_indexes();
  /// Recomputes `grants_by_user` (after grants change).
  void rebuild_grant_index();
  /// Recomputes `courses_by_user` (after fulfillments change).
  void rebuild_fulfillment_index();

  /// The stored tables a change wrote that have derived indexes.
  struct Changed {
    bool owners = false;        ///< `owners` -> `owner`
    bool grants = false;        ///< `grants` -> `grants_by_user`
    bool fulfillments = false;  ///< `fulfillments` -> `courses_by_user`
  };
  /// Recomputes the derived indexes of the tables `changed` names, each once.
  void rebuild(Changed changed);

  /// True when `ancestor` is `site` or one of its ancestors.
  [[nodiscard]] bool is_ancestor_or_self(Index ancestor, Index site) const noexcept {
    const Site& a = sites[ancestor];
    const std::uint32_t e = sites[site].enter;
    return a.enter <= e && e < a.exit;
  }
  /// Index of the block `block_id` on record `record`, or `kNone`.
  [[nodiscard]] Index find_block(Index record, std::string_view block_id) const noexcept;
};

/// A well-formed UTF-8 sequence's length at `p` (before `end`), or 0.
[[nodiscard]] std::size_t utf8_sequence(const char* p, const char* end) noexcept;

/// The key of a reveal (PW2): who revealed which block of which record.
[[nodiscard]] inline std::string reveal_key(std::string_view user, std::string_view record,
                                            std::string_view block) {
  std::string key(user);
  key += '\n';
  key += record;
  key += '\n';
  key += block;
  return key;
}

/// Parses and validates a snapshot from JSON text. On failure no snapshot is
/// produced; the errors name JSON paths and what was expected.
[[nodiscard]] Result<Snapshot> load_snapshot(std::string_view json_text);
/// Validates an already parsed JSON document.
[[nodiscard]] Result<Snapshot> load_snapshot_document(const nlohmann::json& document);

}  // namespace calm
