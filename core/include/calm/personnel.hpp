#pragma once
/// \file
/// Personnel views (PERSONNEL.md PW1, PW2, PW4) and the access questions
/// behind the admin screens (ACCESS.md section 9: whoCan, sitesWhere,
/// whatIf). Views are shaped for the viewer: what they may not see is absent,
/// not flagged. Every answer comes from the one decision function.
///
/// Each returns `{ ok: true, value }`, `{ ok: false, decision }` when the
/// viewer is denied, or `{ ok: false, errors }` for a malformed argument.

#include <nlohmann/json.hpp>
#include <string_view>

#include "calm/access.hpp"

namespace calm {

/// A personnel record as `user` may see it (P1; blocks P9/P11 with reveal
/// P16, files P9/P11, assets P2, companies P4/P11, training P3, threads P6).
[[nodiscard]] nlohmann::json record_view(const Engine& engine, std::string_view user,
                                         std::string_view record);

/// The People list at `site`: the records `user` may view (P1).
[[nodiscard]] nlohmann::json people_view(const Engine& engine, std::string_view user, std::string_view site);

/// A company as `user` may see it (P4; sensitive data only with P11).
[[nodiscard]] nlohmann::json company_view(const Engine& engine, std::string_view user,
                                          std::string_view company);

/// The comment threads of a record that `user` may see (P6), with replies.
[[nodiscard]] nlohmann::json comments_view(const Engine& engine, std::string_view user,
                                           std::string_view record);

/// Settings > Personnel at `site` (P14; denied with exactly the P17 message),
/// with whether the viewer may edit them (P15).
[[nodiscard]] nlohmann::json personnel_settings_view(const Engine& engine, std::string_view user,
                                                     std::string_view site);

/// whoCan(action, site[, resource]): every user the decision function allows,
/// each with the rule and their roles at the site. `request` is a decision
/// request without `user` (`{ action, site?, resource? }`); an action that
/// needs a resource and has none is answered at site level, as capabilities are.
[[nodiscard]] nlohmann::json who_can(const Engine& engine, const nlohmann::json& request);

/// sitesWhere(user, action): every site where the user is allowed (site level
/// for actions that need a resource).
[[nodiscard]] nlohmann::json sites_where(const Engine& engine, std::string_view user,
                                         std::string_view action);

/// whatIf(editor, change): for proposed access changes (an `access.batch`
/// body `{ user, changes: [...] }`; or one access command without `id`,
/// `actor`, `at`, or an array of them), whether the editor may make them
/// (S1/S2, each checked against the state the earlier ones left; the first
/// refusal with the `path` of its change) and the capabilities their sum
/// gains and loses per user and site, before anything is applied. An editor
/// who is not a known user is refused (`unknown-user`).
[[nodiscard]] nlohmann::json what_if(const Engine& engine, std::string_view editor,
                                     const nlohmann::json& change);

/// `who_can` of a request given as JSON text (at most `input_limit(Input::question)`
/// bytes; malformed or larger text -> `{ ok: false, errors }`), as JSON text.
[[nodiscard]] std::string who_can_json(const Engine& engine, std::string_view request_text);
/// `what_if` of a change given as JSON text, as `who_can_json` reads it.
[[nodiscard]] std::string what_if_json(const Engine& engine, std::string_view editor,
                                       std::string_view change_text);

}  // namespace calm
