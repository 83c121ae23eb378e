#pragma once
// The action table of ACCESS.md (sections 3, 4, 5, 6 and the section 8
// table), as data. The one decision function (access.cpp) reads it; nothing
// else encodes who may do what.

#include <array>
#include <cstdint>
#include <string_view>

#include "calm/access.hpp"

namespace calm::detail {

/// Resource keys (ACCESS.md section 8), as bits; the order of resolution is
/// the order of the bits (section 11, step 5).
enum ResourceKey : std::uint16_t {
  kCourse = 1u << 0,
  kFulfillment = 1u << 1,
  kRecord = 1u << 2,
  kBlock = 1u << 3,
  kThread = 1u << 4,
  kCompany = 1u << 5,
  kTarget = 1u << 6,
  kModule = 1u << 7,
  kRole = 1u << 8,
};

/// A resource condition or a conditional requirement of an action.
enum class Condition : std::uint8_t {
  none,
  own_fulfillment,                // T1: the fulfillment is the actor's
  assigned_if_member,             // T5: a member must hold a fulfillment of the course
  own_thread_if_restricted,       // P6: under Restrict Comment Viewing a member sees own threads
  calm_course_only,               // T6: publish/archive/assign deny external courses
  external_needs_integrations,    // T7/T11: an external course also needs manage-integrations
  integration_connected,          // T13: the site's iHasco integration is connected
  sensitive_block_needs_manager,  // P9/P11: a sensitive block needs personnel manager
  role_within_editor,             // S2: the role set is at most the editor's own
  actor_is_owner,                 // S2: only an owner makes or unmakes an owner
};

struct ModuleNeed {
  Index module = kNone;
  Role role = Role::none;
};

struct ActionSpec {
  std::string_view id;
  std::string_view rule;
  std::uint16_t required = 0;
  std::uint16_t optional = 0;
  ModuleNeed need1{};
  ModuleNeed need2{};
  SitePermission permission = SitePermission::none;
  Condition condition = Condition::none;
  bool org_level = false;
  bool p17 = false;
};

inline constexpr ModuleNeed kNoNeed{};
inline constexpr ModuleNeed kPersonnelMember{kModulePersonnel, Role::member};
inline constexpr ModuleNeed kPersonnelManager{kModulePersonnel, Role::manager};
inline constexpr ModuleNeed kPersonnelAdmin{kModulePersonnel, Role::admin};
inline constexpr ModuleNeed kPremisesMember{kModulePremises, Role::member};

using SP = SitePermission;
using C = Condition;

// clang-format off
inline constexpr std::array kActions = {
  // Training (section 4), gated by the personnel role at the course's site.
  ActionSpec{"training.course.complete", "T1", kFulfillment, 0, kPersonnelMember, kNoNeed, SP::none, C::own_fulfillment},
  ActionSpec{"training.progress.view_own", "T2", 0, 0, kPersonnelMember},
  ActionSpec{"training.insights.view", "T3", 0, 0, kPersonnelManager},
  ActionSpec{"training.profile.view", "T4", 0, kRecord, kPersonnelMember},
  ActionSpec{"training.course.view", "T5", kCourse, 0, kPersonnelMember, kNoNeed, SP::none, C::assigned_if_member},
  ActionSpec{"training.course.create", "T6", 0, 0, kPersonnelManager},
  ActionSpec{"training.course.edit", "T6", kCourse, 0, kPersonnelManager, kNoNeed, SP::none, C::external_needs_integrations},
  ActionSpec{"training.course.publish", "T6", kCourse, 0, kPersonnelManager, kNoNeed, SP::none, C::calm_course_only},
  ActionSpec{"training.course.archive", "T6", kCourse, 0, kPersonnelManager, kNoNeed, SP::none, C::calm_course_only},
  ActionSpec{"training.course.assign", "T6", kCourse, 0, kPersonnelManager, kNoNeed, SP::none, C::calm_course_only},
  ActionSpec{"training.course.delete", "T8", kCourse, 0, kPersonnelManager, kNoNeed, SP::none, C::external_needs_integrations},
  ActionSpec{"training.result.record", "T9", 0, kRecord, kPersonnelManager},
  ActionSpec{"training.assessment.review", "T10", 0, kCourse, kPersonnelManager},
  ActionSpec{"training.quiz.manage", "T11", 0, kCourse, kPersonnelManager, kNoNeed, SP::none, C::external_needs_integrations},
  ActionSpec{"training.integration.connect", "T12", 0, 0, kPersonnelAdmin, kNoNeed, SP::manage_integrations},
  ActionSpec{"training.integration.sync", "T13", 0, 0, kPersonnelManager, kNoNeed, SP::none, C::integration_connected},
  // Personnel (section 5), gated by the personnel role at the record's site.
  ActionSpec{"personnel.record.view", "P1", 0, kRecord, kPersonnelMember},
  ActionSpec{"personnel.record.view_assets", "P2", 0, kRecord, kPersonnelMember, kPremisesMember},
  ActionSpec{"personnel.training.view", "P3", 0, kRecord, kPersonnelMember},
  ActionSpec{"personnel.company.view", "P4", 0, kRecord | kCompany, kPersonnelMember},
  ActionSpec{"personnel.comment.add", "P5", 0, kRecord, kPersonnelMember},
  ActionSpec{"personnel.comment.view", "P6", kThread, 0, kPersonnelMember, kNoNeed, SP::none, C::own_thread_if_restricted},
  ActionSpec{"personnel.insights.view", "P7", 0, 0, kPersonnelManager},
  ActionSpec{"personnel.record.create", "P8", 0, 0, kPersonnelManager},
  ActionSpec{"personnel.record.edit", "P8", 0, kRecord, kPersonnelManager},
  ActionSpec{"personnel.record.delete", "P8", 0, kRecord, kPersonnelManager},
  ActionSpec{"personnel.block.view", "P9", 0, kRecord | kBlock, kPersonnelMember, kNoNeed, SP::none, C::sensitive_block_needs_manager},
  ActionSpec{"personnel.file.view", "P9", 0, kRecord, kPersonnelMember},
  ActionSpec{"personnel.block.manage", "P10", 0, kRecord | kBlock, kPersonnelManager},
  ActionSpec{"personnel.file.manage", "P10", 0, kRecord, kPersonnelManager},
  ActionSpec{"personnel.sensitive.view", "P11", 0, kRecord | kBlock | kCompany, kPersonnelManager},
  ActionSpec{"personnel.company.manage", "P12", 0, kCompany, kPersonnelManager},
  ActionSpec{"personnel.company.delete", "P13", 0, kCompany, kPersonnelAdmin},
  ActionSpec{"personnel.contact.delete", "P13", 0, kCompany, kPersonnelAdmin},
  ActionSpec{"personnel.settings.view", "P14", 0, 0, kPersonnelMember, kNoNeed, SP::none, C::none, false, true},
  ActionSpec{"personnel.settings.edit", "P15", 0, 0, kPersonnelMember, kNoNeed, SP::update_site},
  ActionSpec{"personnel.training.manage", "P18", 0, 0, kPersonnelManager},
  // Site permissions (section 3) and user management (section 6).
  ActionSpec{"site.update", "ACCESS-3", 0, 0, kNoNeed, kNoNeed, SP::update_site},
  ActionSpec{"site.users.manage", "ACCESS-3", 0, 0, kNoNeed, kNoNeed, SP::manage_users},
  ActionSpec{"site.integrations.manage", "ACCESS-3", 0, 0, kNoNeed, kNoNeed, SP::manage_integrations},
  ActionSpec{"users.view", "S1", 0, 0, kNoNeed, kNoNeed, SP::manage_users},
  ActionSpec{"users.access.view", "S1", 0, kTarget, kNoNeed, kNoNeed, SP::manage_users},
  ActionSpec{"users.access.edit", "S1", 0, kTarget, kNoNeed, kNoNeed, SP::manage_users},
  ActionSpec{"users.access.set", "S2", kTarget | kModule | kRole, 0, kNoNeed, kNoNeed, SP::manage_users, C::role_within_editor},
  ActionSpec{"users.owner.set", "S2", kTarget, 0, kNoNeed, kNoNeed, SP::none, C::actor_is_owner, true},
  ActionSpec{"users.owner.unset", "S2", kTarget, 0, kNoNeed, kNoNeed, SP::none, C::actor_is_owner, true},
};
// clang-format on

}  // namespace calm::detail
