#include "audit/replay.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "blastwall/session_memory.hpp"

namespace blastwall::audit {
namespace {

struct Item {
  int64_t id;
  int64_t ts_us;
  std::string action;
  std::string decision;
  std::string rules;
  std::vector<RecentAction> recent;  // the session's memory when the row was written
};

// Bounded queue of chunks: the reader blocks when workers fall behind, so memory stays flat.
class ChunkQueue {
 public:
  explicit ChunkQueue(size_t cap) : m_cap(cap) {}
  void push(std::vector<Item> chunk) {
    std::unique_lock lock(m_mu);
    m_not_full.wait(lock, [&] { return m_q.size() < m_cap; });
    m_q.push_back(std::move(chunk));
    m_not_empty.notify_one();
  }
  bool pop(std::vector<Item>& out) {
    std::unique_lock lock(m_mu);
    m_not_empty.wait(lock, [&] { return !m_q.empty() || m_closed; });
    if (m_q.empty()) return false;
    out = std::move(m_q.front());
    m_q.pop_front();
    m_not_full.notify_one();
    return true;
  }
  void close() {
    std::lock_guard lock(m_mu);
    m_closed = true;
    m_not_empty.notify_all();
  }

 private:
  size_t m_cap;
  std::mutex m_mu;
  std::condition_variable m_not_full, m_not_empty;
  std::deque<std::vector<Item>> m_q;
  bool m_closed = false;
};

std::vector<std::string> rule_ids_from_log(const std::string& rules_json) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(rules_json, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (!e.is_string()) continue;
    const auto& s = e.get_ref<const std::string&>();
    out.push_back(s.substr(0, s.find('@')));
  }
  return out;
}

void evaluate_chunk(const std::vector<Item>& chunk, const Evaluator& evaluate, ReplayReport& rep) {
  for (const auto& it : chunk) {
    ++rep.total;
    auto old_d = parse_decision(it.decision);
    auto action = action_from_json_text(it.action);
    if (!old_d || !action) {
      ++rep.errors;
      if (rep.error_samples.size() < 20) {
        rep.error_samples.push_back(
            "row " + std::to_string(it.id) + ": " +
            (action ? "unknown logged decision '" + it.decision + "'" : action.error().message));
      }
      continue;
    }
    action->ctx.now_us = it.ts_us;
    action->ctx.recent = it.recent;
    Verdict v = evaluate(*action);
    std::vector<std::string> before = rule_ids_from_log(it.rules);
    std::vector<std::string> after;
    for (const auto& m : v.matches) {
      if (std::find(after.begin(), after.end(), m.rule_id) == after.end())
        after.push_back(m.rule_id);
    }
    for (const auto& r : before) {
      auto& d = rep.rules[r];
      ++d.before;
      if (std::find(after.begin(), after.end(), r) == after.end()) ++d.removed;
    }
    for (const auto& r : after) {
      auto& d = rep.rules[r];
      ++d.after;
      if (std::find(before.begin(), before.end(), r) == before.end()) ++d.added;
    }
    if (v.decision == *old_d) {
      ++rep.unchanged;
      continue;
    }
    ++rep.changed;
    if (static_cast<int>(v.decision) < static_cast<int>(*old_d)) {
      ++rep.loosened;
    } else {
      ++rep.tightened;
    }
    std::string tr = std::string(to_string(*old_d)) + "->" + std::string(to_string(v.decision));
    ++rep.transitions[tr];
    ReplayChange c;
    c.id = it.id;
    c.ts_us = it.ts_us;
    c.summary = summarize_action(it.action);
    c.old_decision = std::string(to_string(*old_d));
    c.new_decision = std::string(to_string(v.decision));
    c.old_rules = std::move(before);
    c.new_rules = std::move(after);
    rep.changes.push_back(std::move(c));
  }
}

void merge(ReplayReport& into, ReplayReport&& from) {
  into.total += from.total;
  into.unchanged += from.unchanged;
  into.changed += from.changed;
  into.loosened += from.loosened;
  into.tightened += from.tightened;
  into.errors += from.errors;
  for (const auto& [k, n] : from.transitions) into.transitions[k] += n;
  for (const auto& [k, d] : from.rules) {
    auto& t = into.rules[k];
    t.before += d.before;
    t.after += d.after;
    t.added += d.added;
    t.removed += d.removed;
  }
  for (auto& c : from.changes) into.changes.push_back(std::move(c));
  for (auto& e : from.error_samples) {
    if (into.error_samples.size() < 20) into.error_samples.push_back(std::move(e));
  }
}

}  // namespace

std::string summarize_action(const std::string& action_json, size_t max_len) {
  auto j = nlohmann::json::parse(action_json, nullptr, false);
  std::string s;
  if (!j.is_object()) {
    s = action_json;
  } else {
    auto str = [&](const char* k) { return j.value(k, std::string()); };
    std::string kind = str("kind");
    if (kind == "shell.exec" || (kind.empty() && j.contains("command"))) {
      s = str("command");
    } else if (kind == "net.fetch") {
      s = kind + " " + str("method") + (str("method").empty() ? "" : " ") + str("url");
    } else if (kind == "mcp.call") {
      std::string args =
          j.contains("arguments")
              ? j["arguments"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              : "{}";
      s = "mcp " + str("server") + "/" + str("tool") + " " + args;
    } else {
      s = kind + " " + str("path");
    }
  }
  for (auto& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (s.size() > max_len) {
    size_t cut = max_len;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    s = s.substr(0, cut) + "…";
  }
  return s;
}

Result<ReplayReport> replay(const AuditLog& log, const Evaluator& evaluate,
                            const ReplayOptions& options) {
  int64_t total = 0;
  if (options.progress) {
    auto n = log.count(options.filter);
    if (!n) return n.error();
    total = *n;
  }
  int threads = std::max(1, options.threads);
  ChunkQueue queue(static_cast<size_t>(threads) * 4);
  std::vector<ReplayReport> partial(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<Item> chunk;
      while (queue.pop(chunk)) evaluate_chunk(chunk, evaluate, partial[static_cast<size_t>(t)]);
    });
  }
  constexpr size_t k_chunk = 512;
  std::vector<Item> chunk;
  chunk.reserve(k_chunk);
  int64_t done = 0;
  LogFilter f = options.filter;
  f.newest_first = false;
  f.all_types = false;
  // Rows are read in log order, so the reader can hand every row the memory its session had.
  SessionMemory memory;
  auto r = log.query(f, [&](const AuditRow& row) {
    const std::string key = session_key(row.agent, row.session);
    std::vector<RecentAction> recent;
    if (!key.empty()) recent = memory.recall(key, row.ts_us, options.session_window_s);
    chunk.push_back(
        Item{row.id, row.ts_us, row.action, row.decision, row.rules, std::move(recent)});
    if (!key.empty())
      if (auto m = remember_from_facts_json(row.facts, summarize_action(row.action, 80), row.ts_us))
        memory.add(key, std::move(*m));
    if (chunk.size() == k_chunk) {
      done += static_cast<int64_t>(chunk.size());
      queue.push(std::move(chunk));
      chunk = {};
      chunk.reserve(k_chunk);
      if (options.progress) options.progress(done, total);
    }
    return true;
  });
  if (!chunk.empty()) {
    done += static_cast<int64_t>(chunk.size());
    queue.push(std::move(chunk));
  }
  queue.close();
  for (auto& w : workers) w.join();
  if (options.progress) options.progress(done, std::max(total, done));
  if (!r) return r.error();
  ReplayReport rep;
  for (auto& p : partial) merge(rep, std::move(p));
  std::sort(rep.changes.begin(), rep.changes.end(),
            [](const ReplayChange& a, const ReplayChange& b) { return a.id < b.id; });
  if (rep.changes.size() > options.max_listed_changes) {
    rep.changes_not_listed = static_cast<int64_t>(rep.changes.size() - options.max_listed_changes);
    rep.changes.resize(options.max_listed_changes);
  }
  return rep;
}

Result<ReplayReport> replay(const AuditLog& log, const Engine& engine,
                            const ReplayOptions& options) {
  return replay(
      log, [&engine](const Action& a) { return engine.evaluate(a); }, options);
}

nlohmann::json to_json(const ReplayReport& r) {
  nlohmann::json j;
  j["total"] = r.total;
  j["unchanged"] = r.unchanged;
  j["changed"] = r.changed;
  j["loosened"] = r.loosened;
  j["tightened"] = r.tightened;
  j["errors"] = r.errors;
  j["transitions"] = r.transitions;
  nlohmann::json rules = nlohmann::json::object();
  for (const auto& [id, d] : r.rules) {
    rules[id] = {
        {"before", d.before}, {"after", d.after}, {"added", d.added}, {"removed", d.removed}};
  }
  j["rules"] = std::move(rules);
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : r.changes) {
    changes.push_back({{"id", c.id},
                       {"ts", format_time_us(c.ts_us)},
                       {"action", c.summary},
                       {"old", c.old_decision},
                       {"new", c.new_decision},
                       {"old_rules", c.old_rules},
                       {"new_rules", c.new_rules}});
  }
  j["changes"] = std::move(changes);
  j["changes_not_listed"] = r.changes_not_listed;
  if (!r.error_samples.empty()) j["error_samples"] = r.error_samples;
  return j;
}

}  // namespace blastwall::audit
