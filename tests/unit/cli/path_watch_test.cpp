// The resident engine's watch on the lockfile and the pack cache (cli/path_watch.hpp) and what
// installed_view remembers under it (cli/pack_store.hpp): every change a later call must see moves
// the generation; changes next to the watched path do not.
#include "cli/path_watch.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/pack_store.hpp"
#include "cli/resident.hpp"

namespace blastwall::cli {
namespace {

namespace fs = std::filesystem;

void spit(const fs::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
}

// An in-place rewrite of the same size, with the old mtime put back.
void rewrite_keep_mtime(const fs::path& p, char from, char to) {
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  std::string s;
  {
    std::ifstream in(p, std::ios::binary);
    s.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto i = s.find(from);
  ASSERT_NE(i, std::string::npos);
  s[i] = to;
  {
    std::fstream out(p, std::ios::binary | std::ios::in | std::ios::out);
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
  }
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
}

class Watch : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("bw-watch-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "config" / "blastwall");
    m_file = m_dir / "config" / "blastwall" / "packs.lock";
    spit(m_file, "one\n");
  }
  void TearDown() override { fs::remove_all(m_dir); }

  // True when the change `f` made moved the generation of a fresh watch on m_file.
  template <class F>
  bool seen(F&& f) {
    PathWatch w;
    EXPECT_TRUE(w.watch(m_file.string()));
    auto before = w.generation();
    EXPECT_TRUE(before.has_value());
    f();
    return w.generation() != before;
  }

  fs::path m_dir, m_file;
};

TEST_F(Watch, quiet_while_nothing_changes) {
  EXPECT_FALSE(seen([] {}));
  // Reading and statting the watched file is no change.
  EXPECT_FALSE(seen([&] {
    std::ifstream in(m_file);
    std::string s;
    std::getline(in, s);
    struct stat st {};
    (void)::stat(m_file.c_str(), &st);
  }));
}

TEST_F(Watch, in_place_edit_with_restored_mtime_is_seen) {
  EXPECT_TRUE(seen([&] { rewrite_keep_mtime(m_file, 'o', 'O'); }));
}

TEST_F(Watch, replacement_by_rename_is_seen) {
  EXPECT_TRUE(seen([&] {
    spit(m_dir / "config" / "blastwall" / "packs.lock.tmp", "two\n");
    fs::rename(m_dir / "config" / "blastwall" / "packs.lock.tmp", m_file);
  }));
}

TEST_F(Watch, a_write_through_a_hard_link_elsewhere_is_seen) {
  fs::create_hard_link(m_file, m_dir / "link");
  EXPECT_TRUE(seen([&] { rewrite_keep_mtime(m_dir / "link", 'o', 'O'); }));
}

TEST_F(Watch, a_moved_ancestor_directory_is_seen) {
  EXPECT_TRUE(seen([&] {
    fs::rename(m_dir / "config", m_dir / "config.old");
    fs::create_directories(m_file.parent_path());
    spit(m_file, "two\n");
  }));
}

TEST_F(Watch, creating_a_missing_file_is_seen) {
  fs::remove(m_file);
  EXPECT_TRUE(seen([&] { spit(m_file, "new\n"); }));
  fs::remove_all(m_dir / "config");
  EXPECT_TRUE(seen([&] {
    fs::create_directories(m_file.parent_path());
    spit(m_file, "new\n");
  }));
}

TEST_F(Watch, other_entries_beside_the_path_are_not_a_change) {
  EXPECT_FALSE(seen([&] {
    spit(m_dir / "config" / "blastwall" / "policy.yaml", "x\n");
    spit(m_dir / "unrelated", "x\n");
    fs::create_directories(m_dir / "config" / "other");
  }));
}

TEST_F(Watch, a_directory_watched_with_all_entries_sees_any_entry) {
  PathWatch w;
  ASSERT_TRUE(w.watch(m_file.parent_path().string(), true));
  auto before = w.generation();
  spit(m_dir / "config" / "blastwall" / "policy.yaml", "x\n");
  EXPECT_NE(w.generation(), before);
}

TEST_F(Watch, a_symlink_on_the_way_cannot_be_watched) {
  fs::create_directory_symlink(m_dir / "config", m_dir / "linked");
  PathWatch w;
  EXPECT_FALSE(w.watch((m_dir / "linked" / "blastwall" / "packs.lock").string()));
  EXPECT_FALSE(w.watch("relative/packs.lock"));
  EXPECT_FALSE(w.watch((m_dir / "config" / ".." / "config" / "blastwall").string()));
}

TEST_F(Watch, an_overflowed_queue_counts_as_a_change) {
  // Fill the queue with events that are no change (other entries of a watched ancestor) until
  // it overflows; the change made then is dropped by the kernel, the overflow is not.
  long limit = 16384;
  if (FILE* f = std::fopen("/proc/sys/fs/inotify/max_queued_events", "r")) {
    if (std::fscanf(f, "%ld", &limit) != 1) limit = 16384;
    std::fclose(f);
  }
  if (limit > 200000) GTEST_SKIP() << "max_queued_events " << limit << " is too large to fill";
  EXPECT_TRUE(seen([&] {
    const fs::path noise = m_dir / "noise";
    for (long i = 0; i <= limit / 2 + 1; ++i) {
      spit(noise, "");
      fs::remove(noise);
    }
    rewrite_keep_mtime(m_file, 'o', 'O');
  }));
}

TEST_F(Watch, a_poll_that_found_nothing_spares_the_next_read_only_once) {
  PathWatch w;
  ASSERT_TRUE(w.watch(m_file.string()));
  auto g = w.generation();
  w.polled(false);
  EXPECT_EQ(w.generation(), g);  // from the poll: no read
  rewrite_keep_mtime(m_file, 'o', 'O');
  EXPECT_NE(w.generation(), g);  // the token is spent: this one reads
  g = w.generation();
  w.polled(false);
  w.request_done();  // a request that did not ask leaves nothing for the next one
  rewrite_keep_mtime(m_file, 'O', 'o');
  EXPECT_NE(w.generation(), g);
  g = w.generation();
  rewrite_keep_mtime(m_file, 'o', 'O');
  w.polled(true);  // the server's poll saw the event and drained it
  EXPECT_NE(w.generation(), g);
}

// installed_view in the resident engine: remembered while nothing changed, read again the very
// next call after any change to the lockfile.
class Installed : public Watch {
 protected:
  void SetUp() override {
    Watch::SetUp();
    ::setenv("XDG_STATE_HOME", (m_dir / "state").c_str(), 1);
    resident::begin(resident::Request{});
  }
  void TearDown() override {
    resident::end();
    resident::clear();
    Watch::TearDown();
  }
  static std::string lockfile(const std::string& version) {
    return "{\"format\": 1, \"packs\": [{\"name\": \"com.acme.one\", \"version\": \"" + version +
           "\", \"sha256\": \"" + std::string(64, 'a') + "\"}]}\n";
  }
  std::shared_ptr<const packs::InstalledView> view() {
    auto v = packs::installed_view(m_file.string());
    EXPECT_TRUE(v.has_value());
    return v ? *v : nullptr;
  }
};

TEST_F(Installed, later_calls_reuse_the_view_until_the_lockfile_changes) {
  spit(m_file, lockfile("7.0.0"));
  auto first = view();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->lock->packs.size(), 1u);
  EXPECT_FALSE(first->key.empty());
  EXPECT_EQ(view(), first);  // the same object: nothing read, nothing built
  rewrite_keep_mtime(m_file, '7', '8');
  auto second = view();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->lock->packs.at(0).version, "8.0.0");
  EXPECT_NE(second->key, first->key);
}

TEST_F(Installed, a_lockfile_replaced_by_rename_or_removed_is_seen) {
  spit(m_file, lockfile("1.0.0"));
  auto first = view();
  spit(m_dir / "config" / "blastwall" / "packs.lock.tmp", lockfile("3.0.0"));
  fs::rename(m_dir / "config" / "blastwall" / "packs.lock.tmp", m_file);
  EXPECT_EQ(view()->lock->packs.at(0).version, "3.0.0");
  fs::remove(m_file);
  EXPECT_TRUE(view()->lock->packs.empty());
}

TEST_F(Installed, a_changed_cache_file_changes_the_key) {
  spit(m_file, lockfile("1.0.0"));
  auto first = view();
  fs::create_directories(m_dir / "state" / "blastwall" / "packs");
  spit(m_dir / "state" / "blastwall" / "packs" / (std::string(64, 'a') + ".yaml"), "x\n");
  auto second = view();
  EXPECT_NE(second, first);
  EXPECT_NE(second->key, first->key);
}

TEST_F(Installed, a_malformed_lockfile_is_an_error_every_time) {
  spit(m_file, "{not json");
  EXPECT_FALSE(packs::installed_view(m_file.string()).has_value());
  EXPECT_FALSE(packs::installed_view(m_file.string()).has_value());
}

}  // namespace
}  // namespace blastwall::cli
