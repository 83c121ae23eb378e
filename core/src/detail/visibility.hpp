#pragma once
// What one viewer may see of a record, a thread and a result's site: asked of
// the decision function, and shared by the views (calm/personnel.hpp,
// calm/training.hpp) and the viewer snapshot (calm/viewer.hpp), so that the
// two can never disagree.

#include <string>
#include <string_view>
#include <vector>

#include "calm/access.hpp"

namespace calm::detail {

/// P9 / P11: whether `user` may view block `block` of `record`.
[[nodiscard]] bool block_visible(const Engine& engine, std::string_view user, std::string_view record,
                                 const std::string& block);

/// PW2: whether `block` of `record` is shown masked to `user` (it needs a
/// reveal that this user has not made in this state).
[[nodiscard]] bool block_masked(const Snapshot& s, std::string_view user, std::string_view record,
                                const Block& block);

/// P9 / P11: which files of one record `user` may view.
class FileGate {
 public:
  FileGate(const Engine& engine, std::string_view user, std::string_view record);
  /// Whether `user` may view `file` (sensitive files need P11, others P9).
  [[nodiscard]] bool operator()(const RecordFile& file) const noexcept {
    return file.sensitive ? sensitive_ : files_;
  }

 private:
  bool files_ = false;
  bool sensitive_ = false;
};

/// P6: whether `user` may view the thread whose root comment is `root`.
[[nodiscard]] bool thread_visible(const Engine& engine, std::string_view user, Index root);

/// The site a training result belongs to: its course's, else the site of its
/// person's first live record; `kNone` when there is neither. Built once for
/// answers that place many results.
class ResultSites {
 public:
  explicit ResultSites(const Snapshot& s);
  [[nodiscard]] Index operator()(Index user, Index course) const noexcept;

 private:
  const Snapshot& s_;
  /// Per user, the site of their first live record, or `kNone`.
  std::vector<Index> record_site_;
};

/// `ResultSites(s)(user, course)`, for one result.
[[nodiscard]] Index result_site(const Snapshot& s, Index user, Index course);

}  // namespace calm::detail
