// P5 a stateful model of ngx_lua's code cache (ngx_http_lua_cache.c; with the
// cache off, a VM per request from ngx_http_lua_create_ctx). Commands configure
// handlers (inline code from a small pool, with a duplicate and a broken one, or a
// file under two spellings of its path), edit files on disk (a new version, a
// broken version, deletion), serve requests, toggle the code cache (a new Worker:
// in nginx that is a reload, so every directive's ref starts again at
// LUA_REFNIL) and serve one request from a location with the code cache off.
//
// The model predicts, for every request, the exact cache events (lookup / miss /
// hit / setting ref, with key and ref), the cache state, the key, the status and
// which version of the source runs (the body):
//   - keys: content_by_lua_nhli_<md5 of the code>, nhlf_<md5 of the path as written>;
//   - refs: luaL_ref numbers 1, 2, ... in order of successful loads, never freed;
//   - a directive whose ref is unset finds a key another directive loaded through
//     "setting ref", then hits;
//   - failed loads (404 missing file, 500 syntax error) are never cached;
//   - a file that loaded once keeps running the cached version after it is
//     edited, broken or deleted (cache on); with the cache off every request reads
//     the file again in a fresh VM. The directive keeps the ref of its last VM
//     (ngx_lua 0.10.23 does not reset it, as the real-nginx referee shows): the
//     lookup logs that stale ref, misses in the empty cache, and a successful
//     load makes it 1, the first luaL_ref of the fresh VM's cache table.
#include <array>
#include <fstream>
#include <map>
#include <memory>

#include <openssl/evp.h>
#include <rapidcheck/state.h>

#include "core/model/code_cache.h"
#include "core/model/handler.h"
#include "property/prop_support.h"

namespace codecache {
void showValue(const CacheEvent& e, std::ostream& os) {
  os << to_string(e.kind) << " (ref=" << e.ref << ")";
}
void showValue(CacheState s, std::ostream& os) { os << to_string(s); }
void showValue(Profile p, std::ostream& os) { os << to_string(p); }
}  // namespace codecache

namespace codecache::prop {
namespace {

std::string md5_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

// Inline pool: 0 and 2 are the same code (two directives share one entry), 3 is broken.
const std::array<std::string, 4> kInline = {"ngx.say(\"inline A\")", "ngx.say(\"inline B\")",
                                            "ngx.say(\"inline A\")", "ngx.say(\"oops\""};
constexpr std::size_t kBrokenInline = 3;
constexpr std::size_t kFiles = 2;

std::string inline_body(std::size_t k) { return k == 1 ? "inline B\n" : "inline A\n"; }

std::string file_code(std::size_t f, int version, bool broken) {
  std::string code = "ngx.say(\"f" + std::to_string(f) + " v" + std::to_string(version) + "\"";
  return broken ? code : code + ")";
}

std::string file_body(std::size_t f, int version) {
  return "f" + std::to_string(f) + " v" + std::to_string(version) + "\n";
}

struct FileState {
  bool exists = false;
  bool broken = false;
  int version = 0;
};

struct HandlerModel {
  bool file = false;
  std::size_t index = 0;  // inline pool index or file number
  std::string path;       // file: as written in the configuration
  std::string key;
  int ref = kRefNil;
};

struct Model {
  Profile profile = Profile::classic;
  std::string dir;
  bool cache_on = true;
  std::vector<HandlerModel> handlers;
  std::array<FileState, kFiles> files;
  std::map<std::string, int> key_ref;    // the cache table: key -> ref
  std::map<int, std::string> ref_body;   // ref -> what the cached function prints
  int next_ref = 1;
  int next_version = 1;
};

struct Sut {
  explicit Sut(Profile p) : profile(p), worker(std::make_unique<Worker>(settings_for(p, true))) {}
  Profile profile;
  ScratchDir dir;
  std::unique_ptr<Worker> worker;
  std::vector<Handler> handlers;
  // What the sequence exercised, for the distribution RapidCheck prints.
  bool setting_ref = false, stale_version = false, load_failure = false, cache_off = false;
};

std::string file_path(const std::string& dir, std::size_t f, int spelling) {
  return dir + (spelling == 0 ? "/" : "/./") + "f" + std::to_string(f) + ".lua";
}

struct Expected {
  int status = 200;
  std::string body;
  CacheState cache = CacheState::miss;
  CacheTrace events;
};

struct LoadNow {
  bool ok;
  int status;
  std::string body;
};

LoadNow load_now(const Model& m, const HandlerModel& h) {
  if (!h.file) {
    if (h.index == kBrokenInline) return {false, 500, ""};
    return {true, 200, inline_body(h.index)};
  }
  const FileState& f = m.files[h.index];
  if (!f.exists) return {false, 404, ""};
  if (f.broken) return {false, 500, ""};
  return {true, 200, file_body(h.index, f.version)};
}

// One request through handler `h` on the model, which it updates.
Expected predict(Model& m, HandlerModel& h) {
  using K = CacheEvent::Kind;
  Expected e;
  if (!m.cache_on) {  // a fresh VM: the stale ref is kept, the empty cache misses
    e.events = {{K::lookup, h.ref}, {K::miss, h.ref}};
    const LoadNow l = load_now(m, h);
    e.status = l.status;
    e.body = l.body;
    e.cache = CacheState::off;
    if (l.ok) h.ref = 1;  // the first luaL_ref of that VM's cache table
    return e;
  }
  e.events.push_back({K::lookup, h.ref});
  if (h.ref == kRefNil) {
    if (auto it = m.key_ref.find(h.key); it != m.key_ref.end()) {
      h.ref = it->second;
      e.events.push_back({K::setting_ref, h.ref});
    }
  }
  if (h.ref != kRefNil) {
    e.events.push_back({K::hit, h.ref});
    e.body = m.ref_body.at(h.ref);
    e.cache = CacheState::hit;
    return e;
  }
  e.events.push_back({K::miss, kRefNil});
  const LoadNow l = load_now(m, h);
  e.status = l.status;
  e.body = l.body;
  e.cache = CacheState::miss;
  if (l.ok) {
    h.ref = m.next_ref++;
    m.key_ref[h.key] = h.ref;
    m.ref_body[h.ref] = l.body;
  }
  return e;
}

void check_outcome(const Expected& e, const Outcome& o, const HandlerModel& h) {
  RC_ASSERT(o.cache_events == e.events);
  RC_ASSERT(o.cache_key == h.key);
  RC_ASSERT(o.cache == e.cache);
  RC_ASSERT(o.status == e.status);
  RC_ASSERT(o.body == e.body);
  RC_ASSERT((o.load_failure != LoadFailure::none) == (e.status != 200));
}

using Command = rc::state::Command<Model, Sut>;

struct AddInline : Command {
  std::size_t k = *full_size(rc::gen::inRange<std::size_t>(0, kInline.size()));
  void apply(Model& m) const override {
    HandlerModel h;
    h.index = k;
    h.key = "content_by_lua_nhli_" + md5_hex(kInline[k]);
    m.handlers.push_back(h);
  }
  void run(const Model& m, Sut& sut) const override {
    sut.handlers.push_back(
        Handler::inline_code(kInline[k], static_cast<int>(40 + sut.handlers.size())));
    RC_ASSERT(sut.handlers.back().cache_key == "content_by_lua_nhli_" + md5_hex(kInline[k]));
  }
  void show(std::ostream& os) const override {
    os << "AddInline(" << k << ": " << kInline[k] << ")";
  }
};

struct AddFile : Command {
  std::size_t f = *full_size(rc::gen::inRange<std::size_t>(0, kFiles));
  int spelling = *full_size(rc::gen::inRange(0, 2));
  void apply(Model& m) const override {
    HandlerModel h;
    h.file = true;
    h.index = f;
    h.path = file_path(m.dir, f, spelling);
    h.key = "nhlf_" + md5_hex(h.path);
    m.handlers.push_back(h);
  }
  void run(const Model& m, Sut& sut) const override {
    const std::string path = file_path(m.dir, f, spelling);
    sut.handlers.push_back(Handler::file(path));
    RC_ASSERT(sut.handlers.back().cache_key == "nhlf_" + md5_hex(path));
  }
  void show(std::ostream& os) const override {
    os << "AddFile(f" << f << (spelling ? ", spelled ./" : "") << ")";
  }
};

struct EditFile : Command {
  enum Action { write_ok, write_broken, remove };
  std::size_t f = *full_size(rc::gen::inRange<std::size_t>(0, kFiles));
  Action action = *full_size(
      rc::gen::weightedElement<Action>({{4, write_ok}, {1, write_broken}, {1, remove}}));
  void apply(Model& m) const override {
    FileState& s = m.files[f];
    s.exists = action != remove;
    s.broken = action == write_broken;
    if (action != remove) s.version = m.next_version++;
  }
  void run(const Model& m, Sut& sut) const override {
    const std::string path = file_path(m.dir, f, 0);
    if (action == remove) {
      std::filesystem::remove(path);
      return;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file_code(f, m.next_version, action == write_broken);
  }
  void show(std::ostream& os) const override {
    const char* what =
        action == write_ok ? "new version" : action == write_broken ? "broken" : "delete";
    os << "EditFile(f" << f << ", " << what << ")";
  }
};

struct Serve : Command {
  std::size_t h = 0;
  explicit Serve(const Model& m) {
    RC_PRE(!m.handlers.empty());
    h = *full_size(rc::gen::inRange<std::size_t>(0, m.handlers.size()));
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(h < m.handlers.size()); }
  void apply(Model& m) const override { predict(m, m.handlers[h]); }
  void run(const Model& m, Sut& sut) const override {
    Model copy = m;
    const Expected e = predict(copy, copy.handlers[h]);
    const Outcome o = sut.worker->run(sut.handlers[h]);
    RC_LOG() << "request H" << h << ": status " << o.status << " body " << rc::toString(o.body)
             << " log " << rc::toString(o.log) << "\n";
    check_outcome(e, o, m.handlers[h]);
    for (const auto& ev : e.events) sut.setting_ref |= ev.kind == CacheEvent::Kind::setting_ref;
    sut.load_failure |= e.status != 200;
    sut.cache_off |= !m.cache_on;
    if (e.cache == CacheState::hit) sut.stale_version |= e.body != load_now(m, m.handlers[h]).body;
  }
  void show(std::ostream& os) const override { os << "Request(H" << h << ")"; }
};

struct ToggleCache : Command {
  void apply(Model& m) const override {
    m.cache_on = !m.cache_on;
    for (auto& h : m.handlers) h.ref = kRefNil;
    m.key_ref.clear();
    m.ref_body.clear();
    m.next_ref = 1;
  }
  void run(const Model& m, Sut& sut) const override {
    sut.worker = std::make_unique<Worker>(settings_for(sut.profile, !m.cache_on));
    for (auto& h : sut.handlers) h.cache_ref = kRefNil;  // a reload configures anew
  }
  void show(std::ostream& os) const override { os << "ToggleCache"; }
};

// The same directive text in a location with lua_code_cache off.
struct ServeCacheOff : Command {
  std::size_t h = 0;
  explicit ServeCacheOff(const Model& m) {
    RC_PRE(!m.handlers.empty());
    h = *full_size(rc::gen::inRange<std::size_t>(0, m.handlers.size()));
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(h < m.handlers.size()); }
  void run(const Model& m, Sut& sut) const override {
    Model copy = m;
    copy.cache_on = false;
    copy.handlers[h].ref = kRefNil;  // another location: a directive of its own
    const Expected e = predict(copy, copy.handlers[h]);
    Worker off(settings_for(sut.profile, false));
    Handler directive = sut.handlers[h];
    directive.cache_ref = kRefNil;
    const Outcome o = off.run(directive);
    check_outcome(e, o, m.handlers[h]);
  }
  void show(std::ostream& os) const override { os << "RequestCacheOff(H" << h << ")"; }
};

CC_PROP(P5CodeCacheModel, PredictsEventsRefsAndVersions, ()) {
  const Profile profile =
      *full_size(rc::gen::element(Profile::classic, Profile::openresty, Profile::sealed));
  count_sequence();
  Sut sut(profile);
  Model model;
  model.profile = profile;
  model.dir = sut.dir.path().string();
  // Listing a command more than once makes it more frequent.
  rc::state::check(
      model, sut,
      rc::state::gen::execOneOfWithArgs<AddInline, AddInline, AddFile, AddFile, EditFile, EditFile,
                                        Serve, Serve, Serve, Serve, ToggleCache, ServeCacheOff>());
  RC_TAG(sut.setting_ref ? "setting ref" : "-", sut.stale_version ? "cached stale version" : "-",
         sut.load_failure ? "load failure" : "-", sut.cache_off ? "worker with cache off" : "-");
}

// 025-codecache T32: requests a, b, a, c where c has b's code.
TEST(P5CodeCacheModel, InlineKeysAsNgxLuaTest32) {
  Worker worker(settings_for(Profile::classic));
  Handler a = Handler::inline_code(" ngx.say(\"/a/ is called\") ", 40);
  Handler b = Handler::inline_code(" ngx.say(\"/b/ is called\") ", 41);
  Handler c = Handler::inline_code(" ngx.say(\"/b/ is called\") ", 42);
  using K = CacheEvent::Kind;
  const std::string ka = "content_by_lua_nhli_3c7137b8371d10bc148c8f8bb3042ee6";
  const std::string kb = b.cache_key.str();
  EXPECT_EQ(a.cache_key, ka);
  EXPECT_EQ(worker.run(a).cache_events,
            (CacheTrace{{K::lookup, -1}, {K::miss, -1}}));
  EXPECT_EQ(worker.run(b).cache_events,
            (CacheTrace{{K::lookup, -1}, {K::miss, -1}}));
  EXPECT_EQ(worker.run(a).cache_events,
            (CacheTrace{{K::lookup, 1}, {K::hit, 1}}));
  const Outcome oc = worker.run(c);
  EXPECT_EQ(oc.cache_events, (CacheTrace{
                                 {K::lookup, -1}, {K::setting_ref, 2}, {K::hit, 2}}));
  EXPECT_EQ(oc.body, "/b/ is called\n");
}

}  // namespace
}  // namespace codecache::prop
