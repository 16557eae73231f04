// The generated differential against the real module (see referee_differential.h).
#include "referee_differential.h"

#include <algorithm>
#include <filesystem>

#include "case_runner.h"
#include "core/plumbing/address_text.h"
#include "nginx_referee.h"

namespace codecache::conformance {
namespace {

namespace fs = std::filesystem;

std::string canonical_or_same(const fs::path& p) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.string() : c.string();
}

std::string with_dir_as_variable(std::string text, const std::string& dir) {
  if (!dir.empty()) {
    for (std::size_t at = text.find(dir); at != std::string::npos; at = text.find(dir, at + 6))
      text.replace(at, dir.size(), "${dir}");
  }
  return without_addresses(text);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// A request's outcome as the comparison reads it: its run's directory as "${dir}"
// and addresses as "0x?", in the body and in each log line.
Outcome normalised(Outcome o, const std::string& dir) {
  o.body = with_dir_as_variable(o.body, dir);
  for (std::string& line : o.log) line = with_dir_as_variable(line, dir);
  return o;
}

// nginx formats an error-log entry in a buffer of NGX_MAX_ERROR_STR (2048) bytes
// (ngx_log.c, ngx_log_error_core) and cuts what does not fit; where it cuts depends
// on the entry's prefix: the time, its pid and the connection number. The model
// keeps the whole line, so the two logs are equal but for entries nginx cut: each
// nginx entry a prefix of the model's, and long enough to have filled the buffer
// (the prefix takes at most about 100 bytes). Both logs normalised.
constexpr std::size_t kNginxCutEntry = 2048 - 128;

bool differ_only_by_nginx_cut_entries(const std::vector<std::string>& model, const std::vector<std::string>& nginx) {
  if (model.size() != nginx.size()) return false;
  bool cut = false;
  for (std::size_t i = 0; i < model.size(); ++i) {
    const std::string& m = model[i];
    const std::string& x = nginx[i];
    if (m == x) continue;
    if (x.size() < kNginxCutEntry || x.size() >= m.size() || m.compare(0, x.size(), x) != 0) return false;
    cut = true;
  }
  return cut;
}

}  // namespace

Case batch_case(const std::vector<std::string>& sources, const NginxBuild& build, bool code_cache, int rounds) {
  Case c;
  c.file = "generated";
  c.file_stem = "generated";
  c.name = "generated batch";
  c.id = "g";  // short: the prefix is in every chunk name, which Lua cuts at 60 bytes
  c.engines = {build.engine};
  c.profiles = {build.profile};
  c.code_cache = {code_cache};
  c.log_level = "info";
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string label = "h" + std::to_string(i);
    HandlerSpec handler;
    handler.label = label;
    handler.is_file = true;
    handler.path = label + ".lua";
    c.handlers.push_back(handler);
    FileSpec file;
    file.path = handler.path;
    file.content.text = sources[i];
    c.files.push_back(file);
    for (int r = 0; r < rounds; ++r) c.requests.push_back(label);
  }
  return c;
}

namespace {

// One nginx and one model run over `sources`, compared request by request as far
// as both served.
BatchResult compare_once(const std::vector<std::string>& sources, const NginxBuild& build, bool code_cache,
                         int rounds, const std::string& work_root) {
  BatchResult batch;
  const Case c = batch_case(sources, build, code_cache, rounds);
  RunConfig model_config;
  model_config.profile = build.profile;
  model_config.code_cache = code_cache;
  model_config.keep_scratch = true;
  const RunResult model = run_case(c, model_config);
  RefereeConfig referee_config{build, code_cache, work_root, true};
  const RunResult nginx = referee_case(c, referee_config);
  const std::string model_dir = canonical_or_same(model.scratch_dir);
  const std::string nginx_dir = canonical_or_same(fs::path(nginx.scratch_dir) / "prefix");
  std::error_code ec;
  if (!model.scratch_dir.empty()) fs::remove_all(model.scratch_dir, ec);
  if (!nginx.scratch_dir.empty()) fs::remove_all(nginx.scratch_dir, ec);
  std::vector<bool> reported(sources.size(), false);
  const std::size_t n = std::min(model.requests.size(), nginx.requests.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Outcome m = normalised(model.requests[i].outcome, model_dir);
    const Outcome x = normalised(nginx.requests[i].outcome, nginx_dir);
    const std::size_t handler = i / static_cast<std::size_t>(rounds);
    ++batch.requests;
    batch.nginx_outcomes.push_back(x);
    if (m.limit != LimitKind::none) {
      ++batch.excused;
      continue;
    }
    const std::string m_log = joined(m.log);
    const std::string x_log = joined(x.log);
    const auto whole = [](const Outcome& o, const std::string& log) {
      return std::to_string(o.status) + (o.aborted ? " cut short" : "") + "\n--- body\n" + o.body + "--- log\n" + log;
    };
    Disagreement d{handler, static_cast<int>(i) + 1, "", "", "", whole(m, m_log), whole(x, x_log)};
    const auto differs = [&d](const char* field, std::string model_side, std::string nginx_side) {
      d.field = field;
      d.model = std::move(model_side);
      d.nginx = std::move(nginx_side);
    };
    // nginx may close the connection without a reply (ngx.exit(ngx.ERROR)): status 0.
    const auto status = [](int code) { return code == 0 ? std::string("no reply") : std::to_string(code); };
    if (m.status != x.status) {
      differs("status", status(m.status), status(x.status));
    } else if (m.aborted != x.aborted) {
      differs("aborted", m.aborted ? "cut short" : "complete", x.aborted ? "cut short" : "complete");
    } else if (m.body != x.body) {
      differs("body", m.body, x.body);
    } else if (m_log != x_log) {
      if (differ_only_by_nginx_cut_entries(m.log, x.log)) {
        ++batch.excused;
        ++batch.excused_cut_log_lines;
        continue;
      }
      differs("log", m_log, x_log);
    }
    if (d.field.empty()) {
      ++batch.agreed;
    } else if (!reported[handler]) {
      reported[handler] = true;
      batch.disagreements.push_back(std::move(d));
    }
  }
  if (!model.setup_error.empty() || !nginx.setup_error.empty()) {
    batch.setup_error = model.setup_error.empty() ? "nginx: " + nginx.setup_error : "model: " + model.setup_error;
    // referee_case names the request it failed on ("request <n> (<label>): ..."),
    // having kept the n - 1 before it.
    if (model.setup_error.empty() && batch.setup_error.find(": request ") != std::string::npos) {
      const std::size_t failed = nginx.requests.size() / static_cast<std::size_t>(rounds);
      batch.failed_handler = static_cast<int>(failed);
      // The model's budget cut that handler off: it is one the model does not
      // claim to match (nginx has no budget, and may die of it: out of memory).
      for (std::size_t i = failed * static_cast<std::size_t>(rounds); i < model.requests.size() &&
                                                                       i < (failed + 1) * static_cast<std::size_t>(rounds);
           ++i)
        batch.failed_beyond_budget = batch.failed_beyond_budget || model.requests[i].outcome.limit != LimitKind::none;
    }
  } else if (model.requests.size() != nginx.requests.size()) {
    batch.setup_error = "the model served " + std::to_string(model.requests.size()) + " requests, nginx " +
                        std::to_string(nginx.requests.size());
  }
  return batch;
}

}  // namespace

BatchResult compare_batch(const std::vector<std::string>& sources, const NginxBuild& build, bool code_cache,
                          int rounds, const std::string& work_root) {
  BatchResult total;
  std::size_t start = 0;
  while (start < sources.size()) {
    const std::vector<std::string> rest(sources.begin() + static_cast<std::ptrdiff_t>(start), sources.end());
    BatchResult part = compare_once(rest, build, code_cache, rounds, work_root);
    total.requests += part.requests;
    total.agreed += part.agreed;
    total.excused += part.excused;
    total.excused_cut_log_lines += part.excused_cut_log_lines;
    for (Outcome& o : part.nginx_outcomes) total.nginx_outcomes.push_back(std::move(o));
    for (Disagreement& d : part.disagreements) {
      d.handler += start;
      total.disagreements.push_back(std::move(d));
    }
    if (part.setup_error.empty()) break;
    const std::size_t failed = start + static_cast<std::size_t>(part.failed_handler);
    if (part.failed_beyond_budget) {
      // Excused like any request the model's budget cut off; the rest of the
      // batch is served by a new nginx.
      total.nginx_outcomes.resize(total.nginx_outcomes.size() + static_cast<std::size_t>(rounds));  // not served
      total.excused += static_cast<std::size_t>(rounds);
      total.requests += static_cast<std::size_t>(rounds);
      total.excused_failures.push_back(failed);
      start = failed + 1;
      continue;
    }
    total.setup_error = part.setup_error;
    total.failed_handler = part.failed_handler >= 0 ? static_cast<int>(failed) : -1;
    break;
  }
  return total;
}

}  // namespace codecache::conformance
