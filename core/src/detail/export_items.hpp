#pragma once
// One writer per snapshot item, in the snapshot format (SNAPSHOT.md): the
// export writes every item with them, the viewer snapshot (calm/viewer.hpp)
// the items it keeps. Written once, so both write the same bytes.

#include <nlohmann/json.hpp>

#include "calm/snapshot.hpp"

namespace calm::detail {

nlohmann::json site_item(const Snapshot& s, Index i);
/// A user; `with_email` false leaves the email out (SERVER.md V4).
nlohmann::json user_item(const Snapshot& s, Index i, bool with_email = true);
nlohmann::json grant_item(const Snapshot& s, const Grant& g);
nlohmann::json group_item(const Snapshot& s, Index i);
nlohmann::json template_item(const Snapshot& s, Index i);
/// The `personnel` settings of site `i`; null when they are all defaults.
nlohmann::json settings_item(const Snapshot& s, Index i);
/// The `ihasco` integration of site `i`; null when it is the default.
nlohmann::json integration_item(const Snapshot& s, Index i);
nlohmann::json course_item(const Snapshot& s, Index i);
nlohmann::json assignment_item(const Snapshot& s, Index i);
nlohmann::json fulfillment_item(const Snapshot& s, Index i);
nlohmann::json attempt_item(const Snapshot& s, Index i);
nlohmann::json result_item(const Snapshot& s, Index i);
nlohmann::json block_item(const Block& b);
nlohmann::json file_item(const RecordFile& f);
nlohmann::json record_item(const Snapshot& s, Index i);
nlohmann::json company_item(const Snapshot& s, Index i);
nlohmann::json comment_item(const Snapshot& s, Index i);
/// The `organisation` member.
nlohmann::json organisation_item(const Snapshot& s);

}  // namespace calm::detail
